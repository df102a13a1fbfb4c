"""apply_resolution: one customer row per person, every table pointing to the canonical id."""

from __future__ import annotations

import pandas as pd
import pytest

from custintel.data import make_demo_dataset
from custintel.identity import apply_resolution, resolve_customers


@pytest.fixture(scope="module")
def demo():
    return make_demo_dataset(n_customers=2_000, seed=9)


@pytest.fixture(scope="module")
def resolution(demo):
    return resolve_customers(demo)


@pytest.fixture(scope="module")
def merged(demo, resolution):
    return apply_resolution(demo, resolution)


def test_one_row_per_canonical_id(demo, resolution, merged):
    canon = resolution.mapping["canonical_id"]
    assert merged.customers["customer_id"].is_unique
    assert set(merged.customers["customer_id"]) == set(canon)
    assert len(merged.customers) == canon.nunique() < len(demo.customers)


def test_kept_row_is_the_earliest_and_gaps_are_filled(demo, resolution, merged):
    first = demo.customers.set_index("customer_id")
    kept = merged.customers.set_index("customer_id")
    groups = resolution.mapping[resolution.mapping["group_size"] > 1]
    for cid, members in groups.groupby("canonical_id").groups.items():
        assert kept.loc[cid, "registered_at"] == first.loc[list(members), "registered_at"].min()
        emails = first.loc[list(members), "email"].dropna()
        if len(emails):
            assert pd.notna(kept.loc[cid, "email"])


def test_every_table_points_to_canonical_ids(demo, resolution, merged):
    canon = set(resolution.mapping["canonical_id"])
    for name in ("orders", "reviews", "invoices"):
        before, after = getattr(demo, name), getattr(merged, name)
        assert len(after) == len(before)
        assert set(after["customer_id"]) <= canon
    dup_ids = set(demo.truth.duplicates["duplicate_id"])
    assert not (set(merged.orders["customer_id"]) & dup_ids)
    assert merged.orders["amount"].sum() == pytest.approx(demo.orders["amount"].sum())


def test_input_dataset_is_not_modified(demo, merged):
    assert demo.orders["customer_id"].isin(demo.truth.duplicates["duplicate_id"]).any()
    assert len(demo.customers) > len(merged.customers)


def test_fraud_labels_on_both_records_become_one(demo, resolution):
    d = demo.truth.duplicates.iloc[0]
    labels = pd.DataFrame(
        {
            "order_id": [None, None],
            "customer_id": [d["customer_id"], d["duplicate_id"]],
            "labeled_at": pd.to_datetime(["2024-06-01", "2024-07-01"]).tz_localize(demo.tz),
            "is_fraud": [False, True],
        }
    )
    merged = apply_resolution(demo.replace(fraud_labels=labels), resolution)
    assert len(merged.fraud_labels) == 1
    assert bool(merged.fraud_labels["is_fraud"].iloc[0]) is True
