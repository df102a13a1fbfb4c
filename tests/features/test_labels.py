"""Labels, demand series, rolling snapshots and time-based splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.features import (
    RFMFeatures,
    build_training_frame,
    churn_labels,
    default_labels,
    demand_series,
    fraud_targets,
    rolling_cutoffs,
    time_split,
)


def test_churn_labels_known_answer(tiny):
    y = churn_labels(tiny, "2024-05-01", horizon_days=30)
    # buyers before 05-01: C1 only (O1 in March); C1 orders again on 05-02 -> not churned
    assert y.to_dict() == {"C1": 0}
    # C2 and C3 next order in June, after the 30-day window
    y_all = churn_labels(tiny, "2024-05-01", horizon_days=30, population="all")
    assert y_all.to_dict() == {"C1": 0, "C2": 1, "C3": 1}
    assert y.name == "churn" and y.index.name == "customer_id"


def test_churn_window_past_the_end_is_refused(tiny):
    with pytest.raises(
        ValueError,
        match=r"label window \[2024-06-15, 2024-09-13\) ends after the data's end \(2024-07-01\); choose as_of <= 2024-04-02",
    ):
        churn_labels(tiny, "2024-06-15", horizon_days=90)


def test_default_labels_known_answer(tiny):
    # I1 due 05-31, paid 06-05: 5 days late, within a 30-day grace -> not a default
    y = default_labels(tiny, "2024-05-15", horizon_days=20, grace_days=3)
    assert y.to_dict() == {"C2": 1}  # paid 5 days after due > 3 days grace
    y = default_labels(tiny, "2024-05-15", horizon_days=20, grace_days=10)
    assert y.to_dict() == {"C2": 0}


def test_fraud_targets(tiny):
    y = fraud_targets(tiny, "2024-05-01", horizon_days=30)
    assert y.to_dict() == {"O2": 1}
    yc = fraud_targets(tiny, "2024-06-01", horizon_days=29, level="customer")
    assert yc.to_dict() == {"C3": 0}


def test_churn_labels_carry_signal_on_demo(demo):
    from custintel.features import build_customer_features

    y = churn_labels(demo, "2024-07-01", horizon_days=90)
    assert 0.1 < y.mean() < 0.9
    X = build_customer_features(demo, "2024-07-01", [RFMFeatures()]).loc[y.index]
    recency = X["recency_days"].groupby(y).median()
    assert recency[1] > 1.5 * recency[0]  # churners have been silent for longer


def test_demand_series_zero_filled_and_whole_periods(tiny):
    ts = demand_series(tiny, freq="D")
    assert list(ts.columns) == ["series_id", "ds", "y"]
    assert ts["ds"].min() == pd.Timestamp("2024-03-02")  # 03-01 started at 10:00: not whole
    assert ts["ds"].max() == pd.Timestamp("2024-06-30")
    assert ts["ds"].diff().dropna().eq(pd.Timedelta(days=1)).all()
    assert ts["y"].sum() == 3  # O2, O3, O4 (O1 is in the partial first day)
    by = demand_series(tiny, freq="M", by=["category"], start="2024-03-01")
    assert set(by["series_id"]) == {"apparel", "books", "electronics", "fresh"}
    assert by.groupby("series_id").size().nunique() == 1  # every series has every month
    assert by.loc[by["series_id"] == "electronics", "y"].tolist() == [0, 0, 0, 1]


def test_demand_by_shipment_and_customer_columns(demo):
    by_dest = demand_series(demo, freq="W", by=["dest_province"])
    by_home = demand_series(demo, freq="W", by=["province"])
    total = demand_series(demo, freq="W")
    assert by_dest["series_id"].nunique() > 5 and by_home["series_id"].nunique() > 5
    weekly = total.set_index("ds")["y"]
    # every order is counted once, whatever the grouping (cancelled orders have no parcel)
    assert by_home.groupby("ds")["y"].sum().equals(weekly)
    with pytest.raises(ValueError, match="by column 'colour' is in none of"):
        demand_series(demo, by=["colour"])


def test_demand_shows_double_11(demo):
    daily = demand_series(demo, freq="D").set_index("ds")["y"]
    assert daily.loc["2023-11-11"] > 2 * daily.loc["2023-10-01":"2023-10-31"].median()


def test_training_frame_and_time_split(demo):
    cutoffs = rolling_cutoffs(demo, n=4, every_days=60, horizon_days=90)
    X, y = build_training_frame(demo, cutoffs, "churn", horizon_days=90, builders=[RFMFeatures()])
    assert X.index.names == ["as_of", "customer_id"] and X.index.equals(y.index)
    assert X.index.get_level_values("as_of").nunique() == 4
    (X_tr, _), (X_va, y_va) = time_split(X, y)
    train_times = X_tr.index.get_level_values("as_of").unique()
    valid_time = X_va.index.get_level_values("as_of").unique()
    assert len(valid_time) == 1 and valid_time[0] == max(cutoffs)
    # label windows of training cutoffs end before validation starts: 60-day spacing < 90-day horizon
    assert all(t + pd.Timedelta(days=90) <= valid_time[0] for t in train_times)
    assert len(train_times) == 2
    assert np.isin(y_va.unique(), [0, 1]).all()


def test_time_split_needs_room(demo):
    X, y = build_training_frame(
        demo, ["2024-06-01", "2024-07-01"], horizon_days=90, builders=[RFMFeatures()]
    )
    with pytest.raises(ValueError, match="overlaps the validation cutoff"):
        time_split(X, y)
