"""reason_codes reads aligned frames in place and gives what selecting by label gives.

Frames with the same index and unique column names are read column by column where they are;
any other pair is selected and aligned by label. Reversing the rows of X (same labels, another
order) forces the second way, so both are compared on the same inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.explain import reason_codes
from custintel.explain.reasons import _describe, _describer


def _frames(n: int = 12, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = pd.Index([f"C{i}" for i in range(n)], name="customer_id")
    X = pd.DataFrame(
        {
            "recency": rng.integers(0, 400, size=n).astype("float32"),
            "spend": rng.normal(500, 200, size=n),
            "city": pd.Categorical(rng.choice(["上海", "北京"], size=n)),
            "channel": pd.Series(rng.choice(["app", "web"], size=n), dtype=object),
            "tier": pd.Series(rng.choice(["a", "b"], size=n), dtype="str"),
            "flag": rng.random(n) < 0.5,
        },
        index=index,
    )
    X.loc[index[1], "spend"] = np.nan
    X.loc[index[2], "channel"] = None
    contrib = pd.DataFrame(
        rng.normal(size=(n, X.shape[1])).round(2), index=index, columns=list(X.columns)
    )
    if n >= 6:
        contrib.iloc[3, :] = 0.0  # no reason at all
        contrib.iloc[4, 2] = np.nan
        contrib.iloc[5, :3] = 0.5  # ties keep the column order
    contrib["bias"] = -2.0
    return contrib, X


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zh": ["距最近一次下单的天数", "消费金额", "城市"],
            "en": ["days since last order", "spend", "city"],
            "unit": ["days", "CNY", "category"],
        },
        index=["recency", "spend", "city"],
    )


def _by_label(contrib: pd.DataFrame, X: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """reason_codes through label selection and alignment (X's rows in another order)."""
    return reason_codes(contrib, X.iloc[::-1], **kwargs)


@pytest.mark.parametrize("sign", ["both", "positive", "negative"])
@pytest.mark.parametrize("top_k", [1, 3, 10])
@pytest.mark.parametrize("with_catalog", [False, True])
def test_in_place_equals_by_label(catalog, sign, top_k, with_catalog):
    contrib, X = _frames()
    kwargs = {"top_k": top_k, "sign": sign, "catalog": catalog if with_catalog else None}
    expected = _by_label(contrib, X, **kwargs)
    for rows in [[0], [3], [4], [5], [1, 2], list(range(len(X)))]:
        got = reason_codes(contrib.iloc[rows], X.iloc[rows], **kwargs)
        pd.testing.assert_frame_equal(got, _by_label(contrib.iloc[rows], X.iloc[rows], **kwargs))
        # the whole frame's reasons of those rows (text columns may infer another dtype)
        pd.testing.assert_frame_equal(
            got, expected.loc[expected.index.isin(X.index[rows])], check_dtype=False
        )
    # X with its columns in another order and more of them; contributions of fewer features
    wide = X.assign(extra=1.0)[["extra", *X.columns[::-1]]]
    pd.testing.assert_frame_equal(
        reason_codes(contrib, wide, **kwargs), _by_label(contrib, wide, **kwargs)
    )
    narrow = contrib.drop(columns=["spend"])
    pd.testing.assert_frame_equal(reason_codes(narrow, X, **kwargs), _by_label(narrow, X, **kwargs))


def test_value_dtypes_and_index_as_by_label():
    contrib, X = _frames()
    for rows in [[0], [2], [0, 1, 2]]:
        got = reason_codes(contrib.iloc[rows], X.iloc[rows], top_k=6)
        expected = _by_label(contrib.iloc[rows], X.iloc[rows], top_k=6)
        assert got.dtypes.tolist() == expected.dtypes.tolist()
        assert got.index.equals(expected.index) and got.index.name == "customer_id"
        assert [type(v) for v in got["value"]] == [type(v) for v in expected["value"]]


def test_odd_frames_give_the_same_reasons():
    contrib, X = _frames(6)
    int_contrib = contrib.astype({"recency": "float32"})
    cases = [
        (int_contrib, X),
        (contrib.assign(note="x"), X),  # a text column in contributions
        (contrib.assign(spend=contrib["spend"].astype("Float64")), X),
        (contrib.set_axis([*contrib.columns[:-1], "bias"], axis=1), X.assign(bias=1.0)),
        (contrib.set_axis(range(6)), X.set_axis(range(6))),
    ]
    for c, x in cases:
        pd.testing.assert_frame_equal(reason_codes(c, x, top_k=3), _by_label(c, x, top_k=3))
    # repeated column names are selected by label as before
    repeated = pd.concat([X, X[["flag"]]], axis=1)
    pd.testing.assert_frame_equal(
        reason_codes(contrib, repeated, top_k=3), _by_label(contrib, repeated, top_k=3)
    )
    numbered = X.set_axis(range(X.shape[1]), axis=1)
    numbered_contrib = contrib.set_axis([*range(X.shape[1]), "bias"], axis=1)
    pd.testing.assert_frame_equal(
        reason_codes(numbered_contrib, numbered, top_k=2),
        _by_label(numbered_contrib, numbered, top_k=2),
    )


def test_errors_are_unchanged():
    contrib, X = _frames(3)
    with pytest.raises(ValueError, match="share no feature columns"):
        reason_codes(contrib[["bias"]], X)
    with pytest.raises(ValueError, match="lacks 1 row"):
        reason_codes(contrib, X.iloc[:2])
    with pytest.raises(ValueError, match="top_k must be"):
        reason_codes(contrib, X, top_k=0)


@pytest.mark.parametrize(
    "dtype",
    ["object", "str", "string", "mixed", "numbers", "repeated", "no unit"],
)
def test_catalog_wording_matches_row_lookup(dtype):
    catalog = pd.DataFrame(
        {
            "zh": ["天数", None, "城市"],
            "en": ["days", "spend", np.nan],
            "unit": ["days", "CNY", "category"],
            "rank": [1, 2, 3],
        },
        index=["recency", "spend", "city"],
    )
    if dtype in ("str", "string"):
        catalog = catalog.drop(columns="rank").astype(dtype)
    elif dtype == "object":
        catalog = catalog.drop(columns="rank").astype(object)
    elif dtype == "mixed":
        catalog = catalog.astype({"zh": "string", "en": object, "unit": "str"})
    elif dtype == "numbers":
        catalog = pd.DataFrame({"zh": [1, 2], "en": [0.5, 1.0], "unit": [3, 4]}, index=["a", "b"])
    elif dtype == "repeated":
        catalog = pd.concat([catalog, catalog.iloc[:1]])
    elif dtype == "no unit":
        catalog = catalog.drop(columns="unit")
    describe = _describer(catalog)
    for name in ["recency", "spend", "city", "a", "b", "other"]:
        try:
            expected = _describe(name, catalog)
        except KeyError:
            with pytest.raises(KeyError):
                describe(name)
        else:
            assert describe(name) == expected, name
