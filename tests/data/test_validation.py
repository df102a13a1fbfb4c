"""Every kind of bad input raises SchemaError naming table, column, rows, example keys and fix."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from custintel.data import Dataset, SchemaError
from tests.conftest import END, TZ


def build(tables: dict[str, pd.DataFrame], **kwargs: object) -> Dataset:
    kwargs = {"tz": TZ, "end": END, **kwargs}
    return Dataset.from_frames(**tables, **kwargs)  # type: ignore[arg-type]


def only_problem(err: pytest.ExceptionInfo[SchemaError]):
    assert len(err.value.problems) == 1, err.value
    return err.value.problems[0]


def test_valid_tables_parse_to_aware_timestamps(raw_tables):
    ds = build(raw_tables)
    assert set(ds.tables) == set(raw_tables)
    for name, df in ds.tables.items():
        for col in df.columns:
            if col.endswith("_at") or col == "event_time":
                assert str(df[col].dt.tz) == TZ, (name, col)
    assert ds.orders["ordered_at"].iloc[0] == pd.Timestamp("2024-03-01 10:00", tz=TZ)
    assert ds.orders["coupon_used"].dtype == bool
    assert ds.customers["birth_year"].dtype == "Int64"
    assert ds.end == pd.Timestamp(END, tz=TZ)


def test_only_customers_and_orders_are_required(raw_tables):
    ds = Dataset.from_frames(raw_tables["customers"], raw_tables["orders"], tz=TZ, end=END)
    assert list(ds.tables) == ["customers", "orders"]
    assert ds.shipments is None and not ds.has("reviews")
    with pytest.raises(KeyError, match="not in this dataset"):
        ds["reviews"]


def test_caller_frames_are_never_mutated(raw_tables):
    before = copy.deepcopy(raw_tables)
    build(raw_tables)
    broken = {**raw_tables, "orders": raw_tables["orders"].assign(amount=[1.0, -1.0, 2.0, 3.0])}
    broken_before = broken["orders"].copy()
    with pytest.raises(SchemaError):
        build(broken)
    for name, df in raw_tables.items():
        pd.testing.assert_frame_equal(df, before[name])
    pd.testing.assert_frame_equal(broken["orders"], broken_before)


def test_extra_columns_are_kept(raw_tables):
    orders = raw_tables["orders"].assign(warehouse=["W1", "W2", "W1", "W3"])
    ds = build({**raw_tables, "orders": orders})
    assert list(ds.orders["warehouse"]) == ["W1", "W2", "W1", "W3"]
    assert ds.summary().loc["orders", "extra_columns"] == "warehouse"


def test_missing_required_column(raw_tables):
    orders = raw_tables["orders"].drop(columns="amount")
    with pytest.raises(SchemaError, match=r"orders\.amount: required column is missing") as err:
        build({**raw_tables, "orders": orders})
    p = only_problem(err)
    assert (p.table, p.column, p.rule) == ("orders", "amount", "missing_column")
    assert "add a 'amount' column" in p.fix


def test_missing_key_column_that_sits_in_the_index_says_so(raw_tables):
    customers = raw_tables["customers"].set_index("customer_id")
    with pytest.raises(SchemaError, match=r"it is the index: call \.reset_index\(\)"):
        build({**raw_tables, "customers": customers})


def test_missing_required_table(raw_tables):
    with pytest.raises(SchemaError, match=r"orders: required table is missing"):
        Dataset.from_frames(raw_tables["customers"], None, tz=TZ, end=END)  # type: ignore[arg-type]


def test_table_that_is_not_a_frame():
    with pytest.raises(SchemaError, match="customers: expected a pandas DataFrame, got dict"):
        Dataset.from_frames({"customer_id": [1]}, pd.DataFrame())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("table", "column", "values", "message"),
    [
        (
            "orders",
            "amount",
            ["12", "¥15", "abc", "3.5"],
            r"orders\.amount: has values that are not numbers such as \['¥15', 'abc'\] \(2 rows, e\.g\. \['O2', 'O3'\]\)",
        ),
        (
            "orders",
            "ordered_at",
            ["2024-03-01", "soon", "2024-03-03", "2024-03-04"],
            r"orders\.ordered_at: has values that are not timestamps such as \['soon'\] \(1 row, e\.g\. \['O2'\]\)",
        ),
        (
            "orders",
            "quantity",
            [1, 2.5, 3, 1],
            r"orders\.quantity: has fractional values, expected whole numbers .*\(1 row, e\.g\. \['O2'\]\)",
        ),
        (
            "orders",
            "coupon_used",
            ["yes", "no", "maybe", "1"],
            r"orders\.coupon_used: has values that are not booleans such as \['maybe'\] \(1 row, e\.g\. \['O3'\]\)",
        ),
        (
            "orders",
            "ordered_at",
            [1.7e9, 1.7e9, 1.7e9, 1.7e9],
            r"orders\.ordered_at: holds numbers \(float64\), expected timestamps .*unit='s'",
        ),
    ],
)
def test_wrong_type_that_cannot_be_parsed(raw_tables, table, column, values, message):
    frame = raw_tables[table].assign(**{column: values})
    with pytest.raises(SchemaError, match=message) as err:
        build({**raw_tables, table: frame})
    assert only_problem(err).rule == "wrong_type"


def test_numbers_and_booleans_given_as_text_are_parsed(raw_tables):
    orders = raw_tables["orders"].assign(
        amount=["99", "15.5", "1200", "0"], coupon_used=["true", "0", "是", "no"]
    )
    ds = build({**raw_tables, "orders": orders})
    assert ds.orders["amount"].tolist() == [99.0, 15.5, 1200.0, 0.0]
    assert ds.orders["coupon_used"].tolist() == [True, False, True, False]


def test_duplicate_key(raw_tables):
    orders = pd.concat([raw_tables["orders"], raw_tables["orders"].iloc[[0]]], ignore_index=True)
    with pytest.raises(
        SchemaError,
        match=r"orders\.order_id: duplicate key \(order_id\) \(2 rows, e\.g\. \['O1'\]\)",
    ) as err:
        build({**raw_tables, "orders": orders})
    assert "drop_duplicates" in only_problem(err).fix


def test_duplicate_composite_key(raw_tables):
    ev = raw_tables["tracking_events"]
    events = pd.concat([ev, ev.iloc[[0]]], ignore_index=True)
    with pytest.raises(
        SchemaError,
        match=r"tracking_events.*duplicate key \(waybill_no, event_time\) \(2 rows, e\.g\. \[\('SF1',",
    ):
        build({**raw_tables, "tracking_events": events})


@pytest.mark.parametrize(
    ("table", "column", "changes", "message"),
    [
        (
            "orders",
            "customer_id",
            ["C1", "C1", "C404", "C3"],
            r"orders\.customer_id: refers to unknown customers\.customer_id \(1 row, e\.g\. \['C404'\]\)",
        ),
        (
            "tracking_events",
            "waybill_no",
            ["SF1", "SF1", "YT9", "ZTO3", "YT9"],
            r"tracking_events\.waybill_no: refers to unknown shipments\.waybill_no \(2 rows, e\.g\. \['YT9'\]\)",
        ),
        (
            "shipments",
            "order_id",
            ["O1", "O2", "O99"],
            r"shipments\.order_id: refers to unknown orders\.order_id",
        ),
        (
            "reviews",
            "order_id",
            ["O1", "O77"],
            r"reviews\.order_id: refers to unknown orders\.order_id",
        ),
        (
            "invoices",
            "customer_id",
            ["C2", "C8"],
            r"invoices\.customer_id: refers to unknown customers\.customer_id",
        ),
    ],
)
def test_orphan_foreign_key(raw_tables, table, column, changes, message):
    frame = raw_tables[table].assign(**{column: changes})
    with pytest.raises(SchemaError, match=message) as err:
        build({**raw_tables, table: frame})
    p = only_problem(err)
    assert p.rule == "orphan_key" and "add the missing" in p.fix


def test_orphan_key_with_mismatched_key_types_says_so(raw_tables):
    customers = raw_tables["customers"].assign(customer_id=[1, 2, 3])
    with pytest.raises(
        SchemaError, match=r"the key types differ: str here, int64 in customers\.customer_id"
    ):
        Dataset.from_frames(customers, raw_tables["orders"], tz=TZ, end=END)


def test_table_referring_to_an_absent_table(raw_tables):
    with pytest.raises(
        SchemaError,
        match=r"tracking_events\.waybill_no: refers to shipments\.waybill_no but no shipments table was given",
    ):
        Dataset.from_frames(
            raw_tables["customers"],
            raw_tables["orders"],
            tracking_events=raw_tables["tracking_events"],
            tz=TZ,
            end=END,
        )


def test_naive_timestamps_need_a_time_zone(raw_tables):
    with pytest.raises(
        SchemaError,
        match=r"customers\.registered_at: has timestamps without a time zone \(3 rows, e\.g\. \['C1', 'C2', 'C3'\]\)\. Fix: pass tz='Asia/Shanghai'",
    ) as err:
        Dataset.from_frames(raw_tables["customers"], raw_tables["orders"], end=END)
    assert {p.rule for p in err.value.problems} == {"naive_timestamp"}
    assert err.value.tables == ("customers", "orders")


def test_naive_datetime_values_need_a_time_zone_too(raw_tables):
    customers = raw_tables["customers"].assign(
        registered_at=pd.to_datetime(raw_tables["customers"]["registered_at"])
    )
    orders = raw_tables["orders"].assign(
        ordered_at=pd.to_datetime(raw_tables["orders"]["ordered_at"]).dt.tz_localize(TZ)
    )
    with pytest.raises(
        SchemaError, match=r"customers\.registered_at: has timestamps without a time zone"
    ):
        Dataset.from_frames(customers, orders, end=END)
    ds = Dataset.from_frames(customers, orders, end=END, tz="UTC")
    assert ds.customers["registered_at"].iloc[0] == pd.Timestamp("2023-01-05 09:00", tz="UTC")


def test_aware_values_need_no_time_zone_and_are_converted(raw_tables):
    customers = raw_tables["customers"].assign(
        registered_at=[
            "2023-01-05T09:00:00+08:00",
            "2023-03-01T04:30:00Z",
            "2024-02-10 08:00:00+0800",
        ]
    )
    orders = raw_tables["orders"].assign(
        ordered_at=pd.to_datetime(raw_tables["orders"]["ordered_at"]).dt.tz_localize(
            "Europe/Berlin"
        )
    )
    ds = Dataset.from_frames(customers, orders, end=END)
    assert ds.tz == TZ
    assert ds.customers["registered_at"].tolist() == [
        pd.Timestamp("2023-01-05 09:00", tz=TZ),
        pd.Timestamp("2023-03-01 12:30", tz=TZ),
        pd.Timestamp("2024-02-10 08:00", tz=TZ),
    ]
    assert ds.orders["ordered_at"].iloc[0] == pd.Timestamp("2024-03-01 10:00", tz="Europe/Berlin")


@pytest.mark.parametrize("table", ["orders", "invoices"])
def test_negative_amount(raw_tables, table):
    frame = raw_tables[table].copy()
    frame.loc[1, "amount"] = -20.0
    key = frame.iloc[1, 0]
    with pytest.raises(
        SchemaError,
        match=rf"{table}\.amount: has negative amounts \(1 row, e\.g\. \['{key}'\]\)\. Fix: amounts are CNY and never negative",
    ) as err:
        build({**raw_tables, table: frame})
    assert only_problem(err).rule == "below_minimum"


@pytest.mark.parametrize(
    ("table", "column", "bad", "message"),
    [
        (
            "tracking_events",
            "event",
            "signed",
            r"tracking_events\.event: has unknown values \['signed'\]; allowed: collected, arrived, departed, out_for_delivery, delivered, exception",
        ),
        (
            "orders",
            "payment_method",
            "COD",
            r"orders\.payment_method: has unknown values \['COD'\]; allowed: online, cod .*did you mean 'COD' -> 'cod'\?",
        ),
        (
            "orders",
            "status",
            "complete",
            r"orders\.status: has unknown values \['complete'\].*did you mean 'complete' -> 'completed'\?",
        ),
        (
            "tracking_events",
            "exception_type",
            "stolen",
            r"tracking_events\.exception_type: has unknown values \['stolen'\]",
        ),
        (
            "reviews",
            "source",
            "email",
            r"reviews\.source: has unknown values \['email'\]; allowed: review, ticket, call",
        ),
    ],
)
def test_unknown_enum_value(raw_tables, table, column, bad, message):
    frame = raw_tables[table].copy()
    frame[column] = frame[column].astype(object)
    frame.loc[0, column] = bad
    with pytest.raises(SchemaError, match=message) as err:
        build({**raw_tables, table: frame})
    p = only_problem(err)
    assert p.rule == "unknown_value" and p.n_rows == 1


def test_rating_out_of_range(raw_tables):
    reviews = raw_tables["reviews"].assign(rating=[6, None])
    with pytest.raises(
        SchemaError, match=r"reviews\.rating: has values above 5 \(1 row, e\.g\. \['R1'\]\)"
    ):
        build({**raw_tables, "reviews": reviews})


def test_missing_values_in_a_required_column(raw_tables):
    orders = raw_tables["orders"].assign(amount=[1.0, None, 2.0, None])
    with pytest.raises(
        SchemaError, match=r"orders\.amount: has missing values \(2 rows, e\.g\. \['O2', 'O4'\]\)"
    ):
        build({**raw_tables, "orders": orders})


def test_date_after_the_data_end(raw_tables):
    orders = raw_tables["orders"].assign(
        ordered_at=["2024-03-01 10:00", "2204-05-02 20:15", "2024-06-18 00:05", "2024-06-20 09:00"]
    )
    with pytest.raises(
        SchemaError,
        match=r"orders\.ordered_at: has timestamps after the data's end 2024-07-01 00:00:00\+08:00 \(latest 2204-05-02 20:15:00\+08:00\) \(1 row, e\.g\. \['O2'\]\)",
    ):
        build({**raw_tables, "orders": orders})


def test_scheduled_times_may_lie_after_the_end(raw_tables):
    invoices = raw_tables["invoices"].assign(due_at=["2024-05-31", "2024-08-30"])
    ds = build({**raw_tables, "invoices": invoices})
    assert ds.invoices["due_at"].max() > ds.end


def test_end_defaults_to_now_and_catches_typos_in_years(raw_tables):
    customers = raw_tables["customers"].assign(
        registered_at=["2023-01-05", "2203-03-01", "2024-02-10"]
    )
    with pytest.raises(
        SchemaError, match=r"customers\.registered_at: has timestamps after the data's end"
    ):
        Dataset.from_frames(customers, raw_tables["orders"], tz=TZ)


def test_delivered_before_shipped(raw_tables):
    shipments = raw_tables["shipments"].assign(
        delivered_at=["2024-03-01 12:00", None, "2024-06-22 11:00"]
    )
    with pytest.raises(
        SchemaError,
        match=r"shipments\.delivered_at: has rows delivered before shipped \(delivered_at < shipped_at\) \(1 row, e\.g\. \['SF1'\]\)",
    ):
        build({**raw_tables, "shipments": shipments})


def test_fraud_label_about_nothing(raw_tables):
    labels = raw_tables["fraud_labels"].assign(customer_id=[None, None], order_id=[None, "O1"])
    with pytest.raises(
        SchemaError,
        match=r"fraud_labels\.order_id: has rows naming neither an order_id nor a customer_id \(1 row",
    ):
        build({**raw_tables, "fraud_labels": labels})


def test_every_problem_is_reported_at_once(raw_tables):
    orders = raw_tables["orders"].assign(
        amount=[1.0, -2.0, 3.0, 4.0], status=["completed", "lost", "completed", "refused"]
    )
    events = raw_tables["tracking_events"].assign(waybill_no=["SF1", "SF1", "SF2", "ZTO3", "NOPE"])
    with pytest.raises(SchemaError, match=r"^3 problems with the input data:") as err:
        build({**raw_tables, "orders": orders, "tracking_events": events})
    assert {(p.table, p.column) for p in err.value.problems} == {
        ("orders", "amount"),
        ("orders", "status"),
        ("tracking_events", "waybill_no"),
    }


def test_problem_examples_are_trimmed(raw_tables):
    n = 50
    customers = pd.DataFrame(
        {"customer_id": [f"C{i}" for i in range(n)], "registered_at": ["2024-01-01"] * n}
    )
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(n)],
            "customer_id": [f"X{i}" for i in range(n)],
            "ordered_at": ["2024-02-01"] * n,
            "amount": [1.0] * n,
        }
    )
    with pytest.raises(SchemaError) as err:
        Dataset.from_frames(customers, orders, tz=TZ, end=END)
    p = only_problem(err)
    assert p.n_rows == n and len(p.examples) == 5
    assert "50 rows" in str(err.value) and "X49" not in str(err.value)


def test_validate_catches_edits_made_after_loading(raw_tables):
    ds = build(raw_tables)
    assert ds.validate() is ds
    ds.orders.loc[0, "amount"] = -1.0
    with pytest.raises(SchemaError, match="negative amounts"):
        ds.validate()


def test_replace_revalidates_and_can_drop_tables(raw_tables):
    ds = build(raw_tables)
    smaller = ds.replace(reviews=None, fraud_labels=None)
    assert not smaller.has("reviews") and smaller.has("invoices")
    with pytest.raises(SchemaError, match=r"refers to unknown orders\.order_id"):
        ds.replace(orders=ds.orders.iloc[:1])
    with pytest.raises(TypeError, match="unknown table"):
        ds.replace(order=None)
