"""Saving and loading datasets: round trips, atomic writes, and clear errors for bad folders."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from custintel.data import Dataset, SchemaError, load_dataset
from tests.conftest import END, TZ


@pytest.fixture
def ds(raw_tables) -> Dataset:
    return Dataset.from_frames(**raw_tables, tz=TZ, end=END)


def assert_same(a: Dataset, b: Dataset) -> None:
    assert list(a.tables) == list(b.tables)
    assert a.end == b.end and a.tz == b.tz
    for name, df in a.tables.items():
        other = b.tables[name]
        assert list(df.columns) == list(other.columns), name
        for col in df.columns:
            left, right = df[col], other[col]
            same = (left == right) | (left.isna() & right.isna())
            assert same.all(), (name, col, left.tolist(), right.tolist())


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip(ds, tmp_path, fmt):
    ds.save(tmp_path / "out", format=fmt)
    assert (tmp_path / "out" / f"orders.{fmt}").is_file()
    manifest = json.loads((tmp_path / "out" / "dataset.json").read_text())
    assert manifest["format"] == fmt and manifest["tables"]["orders"]["rows"] == 4
    back = load_dataset(tmp_path / "out")
    assert_same(ds, back)


def test_csv_keeps_text_that_looks_like_numbers(raw_tables, tmp_path):
    customers = raw_tables["customers"].assign(
        customer_id=["007", "010", "3"], phone=["13800000000", None, "0086 139"]
    )
    orders = raw_tables["orders"].assign(customer_id=["007", "007", "010", "3"])
    reviews = raw_tables["reviews"].assign(customer_id=["007", "010"])
    invoices = raw_tables["invoices"].assign(customer_id=["010", "010"])
    labels = raw_tables["fraud_labels"].assign(customer_id=[None, "3"])
    ds = Dataset.from_frames(
        **{
            **raw_tables,
            "customers": customers,
            "orders": orders,
            "reviews": reviews,
            "invoices": invoices,
            "fraud_labels": labels,
        },
        tz=TZ,
        end=END,
    )
    ds.save(tmp_path / "d", format="csv")
    back = load_dataset(tmp_path / "d")
    assert back.customers["customer_id"].tolist() == ["007", "010", "3"]
    assert back.customers["phone"].tolist()[0] == "13800000000"


def test_integer_keys_survive_csv(raw_tables, tmp_path):
    customers = raw_tables["customers"].assign(customer_id=[1, 2, 3])
    orders = raw_tables["orders"].assign(customer_id=[1, 1, 2, 3], order_id=[10, 11, 12, 13])
    ds = Dataset.from_frames(customers, orders, tz=TZ, end=END)
    ds.save(tmp_path / "d", format="csv")
    back = load_dataset(tmp_path / "d")
    assert back.orders["order_id"].tolist() == [10, 11, 12, 13]


def test_refuses_to_overwrite_without_asking(ds, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="is not empty; pass overwrite=True"):
        ds.save(target)
    assert (target / "keep.txt").read_text() == "precious"
    ds.save(target, overwrite=True)
    assert not (target / "keep.txt").exists() and (target / "orders.parquet").exists()


def test_a_failed_save_leaves_nothing_behind(ds, tmp_path, monkeypatch):
    target = tmp_path / "out"
    ds.save(target)
    before = sorted(p.name for p in target.iterdir())

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        ds.save(target, overwrite=True)
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_unknown_format(ds, tmp_path):
    with pytest.raises(ValueError, match="format='xlsx' is not supported"):
        ds.save(tmp_path / "x", format="xlsx")  # type: ignore[arg-type]


def test_folder_from_another_system(raw_tables, tmp_path):
    for name in ("customers", "orders", "shipments"):
        raw_tables[name].to_csv(tmp_path / f"{name}.csv", index=False)
    with pytest.raises(SchemaError, match="has timestamps without a time zone"):
        load_dataset(tmp_path, end=END)
    ds = load_dataset(tmp_path, tz=TZ, end=END)
    assert list(ds.tables) == ["customers", "orders", "shipments"]
    assert ds.shipments["delivered_at"].isna().sum() == 1


def test_missing_required_file_lists_what_is_there(raw_tables, tmp_path):
    raw_tables["customers"].to_csv(tmp_path / "customers.csv", index=False)
    raw_tables["orders"].to_csv(tmp_path / "order.csv", index=False)
    with pytest.raises(
        SchemaError,
        match=r"orders: no orders\.csv or orders\.parquet in .*\(e\.g\. \['customers\.csv', 'order\.csv'\]\)",
    ):
        load_dataset(tmp_path, tz=TZ)


def test_table_in_two_files(raw_tables, tmp_path):
    raw_tables["customers"].to_csv(tmp_path / "customers.csv", index=False)
    raw_tables["customers"].to_parquet(tmp_path / "customers.parquet")
    raw_tables["orders"].to_csv(tmp_path / "orders.csv", index=False)
    with pytest.raises(SchemaError, match="customers: is present in more than one file"):
        load_dataset(tmp_path, tz=TZ)


def test_not_a_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        load_dataset(tmp_path / "nope")


def test_gzipped_csv(raw_tables, tmp_path):
    raw_tables["customers"].to_csv(tmp_path / "customers.csv.gz", index=False)
    raw_tables["orders"].to_csv(tmp_path / "orders.csv", index=False)
    assert len(load_dataset(tmp_path, tz=TZ, end=END).customers) == 3
