"""Erasure from stored snapshots: datasets (Parquet and CSV), feature snapshots, linked records."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from custintel.data import load_dataset, make_demo_dataset
from custintel.identity import erase_customer, resolve_customers
from custintel.identity import erasure as mod


@pytest.fixture(scope="module")
def demo():
    return make_demo_dataset(n_customers=400, seed=21)


@pytest.fixture(scope="module")
def resolution(demo):
    return resolve_customers(demo)


@pytest.fixture
def store(tmp_path, demo):
    demo.save(tmp_path / "ds_parquet")
    demo.save(tmp_path / "ds_csv", format="csv")
    feats = pd.DataFrame(
        {"orders": range(len(demo.customers))},
        index=pd.Index(demo.customers["customer_id"], name="customer_id"),
    )
    (tmp_path / "features").mkdir()
    feats.to_parquet(tmp_path / "features" / "snapshot_2024-07-01.parquet")
    feats.reset_index().to_csv(tmp_path / "features" / "scores.csv.gz", index=False)
    return tmp_path


@pytest.fixture(scope="module")
def person(demo):
    """An original account with a duplicate, orders on both accounts and shipped parcels."""
    d = demo.truth.duplicates
    orders = demo.orders
    for _, row in d.iterrows():
        ids = {row["customer_id"], row["duplicate_id"]}
        mine = orders[orders["customer_id"].isin(ids)]
        if (
            mine["customer_id"].nunique() == 2
            and demo.shipments["order_id"].isin(mine["order_id"]).any()
        ):
            return row["customer_id"], row["duplicate_id"]
    pytest.skip("no duplicate with orders on both accounts")


def test_erases_the_person_and_everything_linked(store, demo, resolution, person):
    original, duplicate = person
    report = erase_customer(original, store, resolution=resolution)
    assert set(report.customer_ids) == {original, duplicate}
    gone = {original, duplicate}
    their_orders = set(demo.orders.loc[demo.orders["customer_id"].isin(gone), "order_id"])
    their_waybills = set(
        demo.shipments.loc[demo.shipments["order_id"].isin(their_orders), "waybill_no"]
    )
    assert report.orders_removed == len(their_orders)
    assert report.waybills_removed == len(their_waybills)

    for folder in ("ds_parquet", "ds_csv"):
        ds = load_dataset(store / folder)  # still a valid dataset (no orphan keys)
        assert not ds.customers["customer_id"].isin(gone).any()
        assert not ds.orders["order_id"].isin(their_orders).any()
        assert not ds.shipments["waybill_no"].isin(their_waybills).any()
        assert not ds.tracking_events["waybill_no"].isin(their_waybills).any()
        assert len(ds.customers) == len(demo.customers) - 2
        assert len(ds.orders) == len(demo.orders) - len(their_orders)
        manifest = json.loads((store / folder / "dataset.json").read_text())
        assert manifest["tables"]["orders"]["rows"] == len(ds.orders)
        assert ds.truth is not None
        assert not ds.truth.duplicates["duplicate_id"].isin(gone).any()
        assert not ds.truth.orders["order_id"].isin(their_orders).any()

    snap = pd.read_parquet(store / "features" / "snapshot_2024-07-01.parquet")
    assert snap.index.name == "customer_id" and not snap.index.isin(gone).any()
    assert len(snap) == len(demo.customers) - 2
    scores = pd.read_csv(store / "features" / "scores.csv.gz")
    assert not scores["customer_id"].isin(gone).any()

    changed = set(report.files["path"])
    assert str(store / "features" / "scores.csv.gz") in changed
    assert (report.files["rows_removed"] > 0).all()
    assert report.rows_removed == int(report.files["rows_removed"].sum())
    assert not list(store.rglob(".*.tmp"))


def test_without_resolution_only_the_given_id(store, demo, person):
    original, duplicate = person
    erase_customer([original], store / "ds_parquet")
    ds = load_dataset(store / "ds_parquet")
    assert not ds.customers["customer_id"].eq(original).any()
    assert ds.customers["customer_id"].eq(duplicate).any()


def test_second_erasure_changes_nothing(store, person):
    erase_customer(person[0], store)
    again = erase_customer(person[0], store)
    assert again.rows_removed == 0 and len(again.files) == 0 and again.files_scanned > 0


def test_csv_values_are_written_back_as_text(tmp_path):
    pd.DataFrame({"customer_id": ["007", "008"], "phone_hash": ["00ab", "00cd"]}).to_csv(
        tmp_path / "x.csv", index=False
    )
    erase_customer("008", tmp_path)
    assert (tmp_path / "x.csv").read_text().splitlines() == ["customer_id,phone_hash", "007,00ab"]


def test_integer_ids_match_their_text(tmp_path):
    pd.DataFrame({"customer_id": [1, 2, 3]}).to_parquet(tmp_path / "t.parquet")
    report = erase_customer([2, "3"], tmp_path)
    assert pd.read_parquet(tmp_path / "t.parquet")["customer_id"].tolist() == [1]
    assert report.rows_removed == 2


def test_failed_write_leaves_the_file_intact(tmp_path, monkeypatch):
    pd.DataFrame({"customer_id": ["A", "B"]}).to_parquet(tmp_path / "t.parquet")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(mod.pq, "write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        erase_customer("A", tmp_path)
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 2
    assert not list(tmp_path.glob(".*"))


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        erase_customer("A", tmp_path / "nope")
