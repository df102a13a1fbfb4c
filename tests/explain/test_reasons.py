"""Known answers of reason_codes: order, sign filter, catalog wording, units, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.explain import REASON_COLUMNS, format_value, reason_codes


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zh": [
                "距最近一次下单的天数",
                "近90天下单数",
                "近90天消费金额",
                "货到付款占比",
                "虚拟号段",
                "下单时刻",
            ],
            "en": [
                "days since last order",
                "orders (90 days)",
                "spend (90 days)",
                "COD share",
                "virtual number",
                "hour",
            ],
            "unit": ["days", "count", "CNY", "share", "flag", "hour"],
        },
        index=["recency", "orders", "spend", "cod", "virtual", "hour"],
    )


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    contrib = pd.DataFrame(
        {
            "recency": [0.8, -0.05, 0.0],
            "orders": [-0.3, 0.4, 0.0],
            "spend": [0.1, -0.6, 0.0],
            "bias": [-2.0, -2.0, -2.0],
        },
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )
    X = pd.DataFrame(
        {"recency": [120.0, 3.5, 10.0], "orders": [1.0, 12.0, 2.0], "spend": [99.0, 12345.5, 0.0]},
        index=contrib.index,
    ).astype("float32")
    return contrib, X


def test_columns_order_and_ranks(frames):
    contrib, X = frames
    r = reason_codes(contrib, X, top_k=3)
    assert r.columns.tolist() == REASON_COLUMNS
    assert r.index.name == "customer_id"
    # C1: |0.8| > |-0.3| > |0.1|; C2: |-0.6| > |0.4| > |-0.05|; C3: all zero -> no line
    assert r.loc["C1", "feature"].tolist() == ["recency", "orders", "spend"]
    assert r.loc["C2", "feature"].tolist() == ["spend", "orders", "recency"]
    assert r.loc["C1", "rank"].tolist() == [1, 2, 3]
    assert "C3" not in r.index
    np.testing.assert_allclose(r.loc["C2", "contribution"], [-0.6, 0.4, -0.05])


def test_top_k_caps_and_exceeds_features(frames):
    contrib, X = frames
    assert len(reason_codes(contrib, X, top_k=1)) == 2
    assert len(reason_codes(contrib, X, top_k=10)) == 6  # 3 features x 2 rows with signal


@pytest.mark.parametrize(
    ("sign", "expected"),
    [
        ("positive", {"C1": ["recency", "spend"], "C2": ["orders"]}),
        ("negative", {"C1": ["orders"], "C2": ["spend", "recency"]}),
    ],
)
def test_sign_filter(frames, sign, expected):
    contrib, X = frames
    r = reason_codes(contrib, X, top_k=3, sign=sign)
    for row, features in expected.items():
        assert r.loc[[row], "feature"].tolist() == features
        assert r.loc[[row], "rank"].tolist() == list(range(1, len(features) + 1))
    signs = np.sign(r["contribution"].to_numpy())
    assert (signs == (1 if sign == "positive" else -1)).all()


def test_catalog_wording_and_units(frames, catalog):
    contrib, X = frames
    r = reason_codes(contrib, X, top_k=3, catalog=catalog)
    assert r.loc["C1", "zh"].tolist() == [
        "距最近一次下单的天数: 120 天 (+0.80)",
        "近90天下单数: 1 次 (-0.30)",
        "近90天消费金额: 99 元 (+0.10)",
    ]
    assert r.loc["C2", "en"].tolist() == [
        "spend (90 days): 12,345.50 CNY (-0.60)",
        "orders (90 days): 12 (+0.40)",
        "days since last order: 3.50 days (-0.05)",
    ]


def test_features_missing_from_catalog_use_the_column_name(frames, catalog):
    contrib, X = frames
    r = reason_codes(
        contrib.rename(columns={"spend": "mystery"}),
        X.rename(columns={"spend": "mystery"}),
        top_k=1,
        catalog=catalog,
    )
    assert r.loc["C2", "en"] == "mystery: 12,345.50 (-0.60)"


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (0.256, "share", "26%", "26%"),
        (1.0, "flag", "是", "yes"),
        (0, "flag", "否", "no"),
        (True, "flag", "是", "yes"),
        (3.0, "hour", "3 点", "3 h"),
        (4.0, "stars", "4 星", "4 stars"),
        (2.5e6, "CNY", "2,500,000 元", "2,500,000 CNY"),
        ("apparel", "category", "apparel", "apparel"),
        (7, "unknown-unit", "7", "7 unknown-unit"),
        (np.float32("nan"), "days", "缺失", "missing"),
        (float("nan"), "count", "缺失", "missing"),
        (None, "CNY", "缺失", "missing"),
        (pd.NA, "share", "缺失", "missing"),
    ],
)
def test_format_value(value, unit, zh, en):
    assert format_value(value, unit) == (zh, en)


def test_missing_values_are_written_as_missing(catalog):
    contrib = pd.DataFrame({"recency": [0.5], "cod": [0.2], "virtual": [0.1]}, index=["C9"])
    X = pd.DataFrame(
        {
            "recency": pd.Series([np.nan], dtype="float32"),
            "cod": pd.Series([pd.NA], dtype="Float64"),
            "virtual": [1.0],
        },
        index=["C9"],
    )
    r = reason_codes(contrib, X, top_k=3, catalog=catalog)
    assert r["zh"].tolist() == [
        "距最近一次下单的天数: 缺失 (+0.50)",
        "货到付款占比: 缺失 (+0.20)",
        "虚拟号段: 是 (+0.10)",
    ]
    assert r["en"].tolist()[1] == "COD share: missing (+0.20)"


def test_nan_contributions_are_never_reasons():
    contrib = pd.DataFrame({"a": [np.nan], "b": [0.1]})
    X = pd.DataFrame({"a": [1.0], "b": [2.0]})
    assert reason_codes(contrib, X, top_k=2)["feature"].tolist() == ["b"]


def test_categorical_values_are_kept(catalog):
    contrib = pd.DataFrame({"channel": [0.4]}, index=["C1"])
    X = pd.DataFrame({"channel": pd.Categorical(["app"])}, index=["C1"])
    r = reason_codes(contrib, X)
    assert r.loc["C1", "value"] == "app"
    assert r.loc["C1", "en"] == "channel: app (+0.40)"


def test_rows_are_matched_by_label(frames):
    contrib, X = frames
    shuffled = pd.concat([X.iloc[[2, 0, 1]], X.iloc[[0]].rename(index={"C1": "extra"})])
    a = reason_codes(contrib, X, top_k=2)
    b = reason_codes(contrib, shuffled, top_k=2)
    pd.testing.assert_frame_equal(a, b)


def test_errors(frames):
    contrib, X = frames
    with pytest.raises(ValueError, match="top_k must be a positive integer"):
        reason_codes(contrib, X, top_k=0)
    with pytest.raises(ValueError, match="sign must be"):
        reason_codes(contrib, X, sign="up")
    with pytest.raises(ValueError, match="share no feature columns"):
        reason_codes(contrib, X.rename(columns=str.upper))
    with pytest.raises(ValueError, match=r"X lacks 1 row\(s\) of contributions, e.g. \['C3'\]"):
        reason_codes(contrib, X.loc[["C2", "C1"]])


def test_bias_is_never_a_reason(frames):
    contrib, X = frames
    r = reason_codes(contrib, X.assign(bias=1.0), top_k=5)
    assert "bias" not in set(r["feature"])
