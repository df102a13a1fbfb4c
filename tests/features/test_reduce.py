"""The per-customer reductions every builder uses agree with pandas' groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custintel.features._base import reduce

N = 6


@pytest.mark.parametrize("how", ["min", "max", "mean", "std", "median", "nunique"])
@given(
    rows=st.lists(
        st.tuples(st.integers(0, N - 1), st.one_of(st.none(), st.integers(-50, 50))),
        max_size=40,
    )
)
def test_reduce_matches_pandas_groupby(how, rows):
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    values = np.array([np.nan if v is None else v / 4 for _, v in rows], dtype=np.float64)
    got = reduce(codes, values, N, how)
    agg = getattr(pd.Series(values).groupby(codes), how)()
    expected = np.full(N, 0.0 if how == "nunique" else np.nan)
    expected[agg.index.to_numpy(dtype=np.int64)] = agg.to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(
    rows=st.lists(st.tuples(st.integers(0, N - 1), st.integers(0, 9)), max_size=40),
    keep=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_nunique_of_integer_codes_counts_distinct_pairs(rows, keep):
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    keys = np.array([k for _, k in rows], dtype=np.int64)
    mask = np.array(keep[: len(rows)], dtype=bool)
    got = reduce(codes, keys, N, "nunique", mask)
    expected = np.zeros(N)
    for c in range(N):
        expected[c] = len(set(keys[mask & (codes == c)]))
    np.testing.assert_array_equal(got, expected)
