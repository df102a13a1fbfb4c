"""The data as it was known at a past moment: every event at or after it removed or blanked."""

from __future__ import annotations

import pandas as pd

from custintel.data.dataset import Dataset, to_timestamp
from custintel.data.schema import TABLES

# Outcomes recorded on a row whose main event is earlier: unknown until they happen.
_LATER_OUTCOMES = {"shipments": ("delivered_at",), "invoices": ("paid_at",)}


def snapshot(ds: Dataset, as_of: object) -> Dataset:
    """Return the dataset as it stood just before ``as_of``.

    Rows whose main event happened at or after ``as_of`` are dropped (with the rows that refer
    to them), and later outcomes on earlier rows (a delivery, a payment) are blanked. The
    result's ``end`` is ``as_of``. Features built on it equal features built on the full data
    with the same cutoff; custintel's tests hold every builder to that.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=200, seed=0)
    >>> old = snapshot(ds, "2024-01-01")
    >>> bool(old.orders["ordered_at"].max() < pd.Timestamp("2024-01-01", tz=ds.tz))
    True
    """
    cut = to_timestamp(as_of, ds.tz)
    if cut > ds.end:
        raise ValueError(f"as_of ({cut}) is after the data's end ({ds.end}); nothing to remove")
    kept: dict[str, pd.DataFrame] = {}
    for name, df in ds.tables.items():
        time_col = TABLES[name].time_column
        if time_col in df:
            df = df.loc[(df[time_col] < cut).to_numpy(bool)]
        for col in _LATER_OUTCOMES.get(name, ()):
            if col in df:
                df = df.assign(**{col: df[col].where(df[col] < cut)})
        kept[name] = df
    kept = _drop_orphans(kept)
    return Dataset.from_frames(**kept, tz=ds.tz, end=cut)  # type: ignore[arg-type]


def _drop_orphans(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    customers = t["customers"]["customer_id"]
    t["orders"] = t["orders"].loc[t["orders"]["customer_id"].isin(customers).to_numpy()]
    orders = t["orders"]["order_id"]
    if "shipments" in t:
        t["shipments"] = t["shipments"].loc[t["shipments"]["order_id"].isin(orders).to_numpy()]
    if "tracking_events" in t and "shipments" in t:
        ev = t["tracking_events"]
        shipped = ev["waybill_no"].isin(t["shipments"]["waybill_no"]).to_numpy()
        t["tracking_events"] = ev.loc[shipped]
    for name in ("reviews", "invoices", "fraud_labels"):
        if name not in t:
            continue
        df = t[name]
        keep = pd.Series(True, index=df.index)
        if "customer_id" in df:
            keep &= df["customer_id"].isna() | df["customer_id"].isin(customers)
        if "order_id" in df:
            keep &= df["order_id"].isna() | df["order_id"].isin(orders)
        t[name] = df.loc[keep.to_numpy()]
    return t
