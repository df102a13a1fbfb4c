"""rfm_tiers: the eight classic R/F/M tiers on hand-made tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.models.rfm_tiers import TIERS, rfm_tiers

# One customer per tier with thresholds recency 30, frequency 5, monetary 1000.
#            recency  orders  spend   expected tier
CASES = {
    "A": (10, 8, 5000, "重要价值客户"),
    "B": (10, 2, 5000, "重要发展客户"),
    "C": (90, 8, 5000, "重要保持客户"),
    "D": (90, 2, 5000, "重要挽留客户"),
    "E": (10, 8, 300, "一般价值客户"),
    "F": (10, 2, 300, "一般发展客户"),
    "G": (90, 8, 300, "一般保持客户"),
    "H": (90, 2, 300, "一般挽留客户"),
}
GIVEN = {"recency": 30, "frequency": 5, "monetary": 1000}


@pytest.fixture
def table() -> pd.DataFrame:
    rows = {k: v[:3] for k, v in CASES.items()}
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["recency_days", "orders_total", "spend_total"]
    )
    return frame.rename_axis("customer_id")


def test_each_combination_gets_its_tier(table):
    out = rfm_tiers(table, thresholds=GIVEN)
    assert out.index.equals(table.index)
    assert out["tier"].tolist() == [v[3] for v in CASES.values()]
    assert out.loc["A", "tier_en"] == "important value"
    assert out.loc["H", "tier_en"] == "general win-back"
    assert out.loc["C", ["r_high", "f_high", "m_high"]].tolist() == [False, True, True]
    assert out.attrs["thresholds"] == {"recency": 30.0, "frequency": 5.0, "monetary": 1000.0}
    assert list(out["tier"].cat.categories) == [zh for zh, _ in TIERS.values()]
    assert out["tier"].cat.ordered


def test_median_thresholds_and_lower_recency_is_better():
    X = pd.DataFrame(
        {
            "recency_days": [1.0, 2.0, 3.0, 400.0, 500.0],
            "orders_total": [9, 1, 9, 1, 5],
            "spend_total": [100.0, 900.0, 50.0, 800.0, 500.0],
        }
    )
    out = rfm_tiers(X)
    assert out.attrs["thresholds"] == {"recency": 3.0, "frequency": 5.0, "monetary": 500.0}
    # strict comparisons: a customer at the median is low on that letter
    assert out["r_high"].tolist() == [True, True, False, False, False]
    assert out["f_high"].tolist() == [True, False, True, False, False]
    assert out["m_high"].tolist() == [False, True, False, True, False]
    assert out["tier"].tolist() == [
        "一般价值客户",
        "重要发展客户",
        "一般保持客户",
        "重要挽留客户",
        "一般挽留客户",
    ]


def test_mean_method_partial_thresholds_and_custom_columns():
    X = pd.DataFrame({"r": [10.0, 20.0, 90.0], "f": [1, 2, 9], "m": [10.0, 20.0, 300.0]})
    out = rfm_tiers(
        X, recency="r", frequency="f", monetary="m", method="mean", thresholds={"recency": 15}
    )
    assert out.attrs["thresholds"] == pytest.approx(
        {"recency": 15.0, "frequency": 4.0, "monetary": 110.0}
    )
    assert out["tier"].tolist() == ["一般发展客户", "一般挽留客户", "重要保持客户"]


def test_missing_values_count_as_low(table):
    X = table.astype(float)
    X.loc["A", ["recency_days", "orders_total", "spend_total"]] = np.nan
    out = rfm_tiers(X, thresholds=GIVEN)
    assert out.loc["A", "tier"] == "一般挽留客户"
    assert out.loc["B", "tier"] == "重要发展客户"


def test_bad_input_is_explained(table):
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['orders_365d'\]"):
        rfm_tiers(table, frequency="orders_365d")
    with pytest.raises(ValueError, match="method must be 'median' or 'mean'"):
        rfm_tiers(table, method="quantile")
    with pytest.raises(ValueError, match=r"unknown role\(s\) \['r'\]"):
        rfm_tiers(table, thresholds={"r": 3})
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        rfm_tiers(table.to_numpy())
    with pytest.raises(ValueError, match="'spend_total' \\(monetary\\) must be numeric"):
        rfm_tiers(table.assign(spend_total="lots"))
    with pytest.raises(ValueError, match="no values to compute a median"):
        rfm_tiers(table.assign(spend_total=np.nan))
