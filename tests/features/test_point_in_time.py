"""Events at or after as_of never change a feature; row order never changes a feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from custintel.data import Dataset, snapshot
from custintel.features import build_customer_features, build_order_features, default_builders

BUILDERS = default_builders()
# Each example builds features twice on the demo data: no shrinking, the failing as_of and
# seed printed by hypothesis are enough to reproduce.
FAST = (Phase.explicit, Phase.reuse, Phase.generate)
AS_OF_DAYS = st.integers(min_value=20, max_value=700)  # days after the first order


def as_of_for(ds: Dataset, days: int) -> pd.Timestamp:
    start = ds.orders["ordered_at"].min().normalize()
    return start + pd.Timedelta(days=days, hours=days % 24)


def perturb_after(ds: Dataset, as_of: pd.Timestamp, seed: int) -> Dataset:
    """Change every attribute of every event at or after ``as_of`` (and later outcomes)."""
    rng = np.random.default_rng(seed)
    t = dict(ds.tables)

    def shift(times: pd.Series, mask: np.ndarray) -> pd.Series:
        room = (ds.end - as_of).total_seconds()
        moved = as_of + pd.to_timedelta(rng.uniform(0, room - 1, len(times)), unit="s")
        return times.where(~mask, pd.Series(moved, index=times.index).dt.tz_convert(ds.tz))

    o = t["orders"].copy()
    late = (o["ordered_at"] >= as_of).to_numpy()
    o["amount"] = o["amount"].where(~late, rng.uniform(0, 5000, len(o)))
    o["status"] = o["status"].astype("string").where(~late, "refused")
    o["payment_method"] = o["payment_method"].astype("string").where(~late, "cod")
    o["ordered_at"] = shift(o["ordered_at"], late)
    t["orders"] = o
    sh = t["shipments"].copy()
    for col in ("delivered_at", "shipped_at"):
        after = (sh[col] >= as_of).to_numpy(bool, na_value=False)
        sh[col] = shift(sh[col], after)
    keep = sh["delivered_at"].isna() | (sh["delivered_at"] >= sh["shipped_at"])
    sh["delivered_at"] = sh["delivered_at"].where(keep, sh["shipped_at"])
    t["shipments"] = sh
    ev = t["tracking_events"].copy()
    after = (ev["event_time"] >= as_of).to_numpy()
    ev["event"] = ev["event"].astype("string").where(~after, "exception")
    ev["exception_type"] = ev["exception_type"].astype("string").where(~after, "lost")
    t["tracking_events"] = ev
    r = t["reviews"].copy()
    after = (r["created_at"] >= as_of).to_numpy()
    r["rating"] = r["rating"].where(~after, 1)
    t["reviews"] = r
    inv = t["invoices"].copy()
    paid_late = (inv["paid_at"] >= as_of).to_numpy(bool, na_value=False)
    inv["paid_at"] = inv["paid_at"].where(~paid_late, pd.NaT)
    t["invoices"] = inv
    return Dataset.from_frames(**t, tz=ds.tz, end=ds.end)


@settings(max_examples=6, phases=FAST)
@given(days=AS_OF_DAYS)
def test_removing_everything_after_as_of_changes_nothing(demo, days):
    as_of = as_of_for(demo, days)
    full = build_customer_features(demo, as_of, BUILDERS)
    cut = build_customer_features(snapshot(demo, as_of), as_of, BUILDERS)
    pd.testing.assert_frame_equal(full, cut)


@settings(max_examples=6, phases=FAST)
@given(days=AS_OF_DAYS, seed=st.integers(0, 2**31))
def test_changing_events_after_as_of_changes_nothing(demo, days, seed):
    as_of = as_of_for(demo, days)
    full = build_customer_features(demo, as_of, BUILDERS)
    changed = build_customer_features(perturb_after(demo, as_of, seed), as_of, BUILDERS)
    pd.testing.assert_frame_equal(full, changed)


@settings(max_examples=6, phases=FAST)
@given(days=AS_OF_DAYS)
def test_order_features_ignore_later_orders(demo, days):
    as_of = as_of_for(demo, days)
    full = build_order_features(demo, as_of)
    cut = build_order_features(snapshot(demo, as_of), as_of)
    pd.testing.assert_frame_equal(full, cut)


@settings(max_examples=2, phases=FAST)
@given(seed=st.integers(0, 2**31))
def test_row_order_changes_nothing(demo, seed):
    shuffled = Dataset.from_frames(
        **{name: df.sample(frac=1.0, random_state=seed) for name, df in demo.tables.items()},
        tz=demo.tz,
        end=demo.end,
    )
    as_of = "2024-07-01"
    a = build_customer_features(demo, as_of, BUILDERS)
    b = build_customer_features(shuffled, as_of, BUILDERS).loc[a.index]
    pd.testing.assert_frame_equal(a, b, check_categorical=False)
    oa = build_order_features(demo, as_of)
    ob = build_order_features(shuffled, as_of).loc[oa.index]
    pd.testing.assert_frame_equal(oa, ob, check_categorical=False)


def test_the_property_tests_can_fail(demo):
    """A builder that peeks past as_of is caught by the same comparison."""
    from custintel.features import RFMFeatures
    from custintel.features._base import FeatureContext

    class Peeking(RFMFeatures):
        def build(self, ctx: FeatureContext) -> pd.DataFrame:
            out = super().build(ctx)
            later = ctx.ds.orders.groupby("customer_id").size().reindex(ctx.index).fillna(0)
            out["orders_total"] = later.to_numpy()
            return out

    as_of = as_of_for(demo, 400)
    full = build_customer_features(demo, as_of, [Peeking()])
    cut = build_customer_features(snapshot(demo, as_of), as_of, [Peeking()])
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(full, cut)
