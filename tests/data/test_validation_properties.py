"""Properties of validation that must hold for any input, checked with hypothesis."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custintel.data import Dataset, SchemaError
from tests.conftest import END, TZ

N = 40


def frames(n: int = N) -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "registered_at": pd.date_range("2023-01-01", periods=n, freq="D", tz=TZ),
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(n)],
            "customer_id": [f"C{i % 7}" for i in range(n)],
            "ordered_at": pd.date_range("2024-01-01", periods=n, freq="h", tz=TZ),
            "amount": [float(i) for i in range(n)],
            "status": ["completed"] * n,
        }
    )
    return customers, orders


@given(bad=st.sets(st.integers(0, N - 1), min_size=1, max_size=N))
def test_each_bad_row_is_counted_and_named(bad):
    customers, orders = frames()
    rows = sorted(bad)
    orders.loc[rows, "amount"] = -1.0
    orders.loc[rows, "status"] = "shipped"
    with pytest.raises(SchemaError) as err:
        Dataset.from_frames(customers, orders, end=END)
    by_rule = {p.rule: p for p in err.value.problems}
    assert set(by_rule) == {"below_minimum", "unknown_value"}
    for p in by_rule.values():
        assert p.n_rows == len(rows)
        assert set(p.examples) <= {f"O{i}" for i in rows}
        assert len(p.examples) == min(5, len(rows))


@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_result(seed):
    customers, orders = frames()
    shuffled = orders.sample(frac=1.0, random_state=seed)
    a = Dataset.from_frames(customers, orders, end=END)
    b = Dataset.from_frames(customers.sample(frac=1.0, random_state=seed + 1), shuffled, end=END)
    key = "order_id"
    pd.testing.assert_frame_equal(
        a.orders.sort_values(key, ignore_index=True), b.orders.sort_values(key, ignore_index=True)
    )


@given(hours=st.lists(st.integers(-48, 48), min_size=N, max_size=N))
def test_only_events_after_end_are_reported_as_future(hours):
    customers, orders = frames()
    end = pd.Timestamp(END, tz=TZ)
    orders["ordered_at"] = [end + pd.Timedelta(hours=h) for h in hours]
    n_future = sum(h > 0 for h in hours)
    if n_future == 0:
        Dataset.from_frames(customers, orders, end=end)
        return
    with pytest.raises(SchemaError) as err:
        Dataset.from_frames(customers, orders, end=end)
    assert [p.rule for p in err.value.problems] == ["future_timestamp"]
    assert err.value.problems[0].n_rows == n_future


@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["W1", "W2", "W3", "W4"]), st.integers(0, 3)),
        min_size=2,
        max_size=30,
    ),
    grouped=st.booleans(),
)
def test_duplicate_rows_matches_pandas_in_any_row_order(rows, grouped):
    from custintel.data.validation import duplicate_rows

    df = pd.DataFrame(
        {
            "waybill_no": pd.array([w for w, _ in rows], dtype="str"),
            "event_time": pd.to_datetime([t for _, t in rows], unit="h").tz_localize(TZ),
        }
    )
    if grouped:  # exports sorted by waybill then time take the neighbour-only path
        df = df.sort_values(["waybill_no", "event_time"], ignore_index=True)
    expected = df.duplicated(keep=False).to_numpy()
    assert (duplicate_rows(df, ["waybill_no", "event_time"]) == expected).all()
