"""Descriptive profile of a `Dataset`: what the business looks like, table by table.

Each function returns a small DataFrame, so the same numbers serve the CLI's rich tables, a
notebook and a report. Absent optional tables give ``None``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.data.dataset import Dataset


def profile_dataset(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Return every profile section that the dataset's tables allow.

    Returns
    -------
    dict of str to DataFrame
        Keys among ``tables``, ``customers``, ``orders_by_month``, ``order_mix``,
        ``logistics``, ``voice``, ``credit`` and ``fraud``.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> sections = profile_dataset(make_demo_dataset(n_customers=300, seed=0))
    >>> list(sections)[:3]
    ['tables', 'customers', 'orders_by_month']
    """
    sections: dict[str, pd.DataFrame | None] = {
        "tables": ds.summary(),
        "customers": customer_profile(ds),
        "orders_by_month": orders_by_month(ds),
        "order_mix": order_mix(ds),
        "logistics": logistics_profile(ds),
        "voice": voice_profile(ds),
        "credit": credit_profile(ds),
        "fraud": fraud_profile(ds),
    }
    return {k: v for k, v in sections.items() if v is not None}


def customer_profile(ds: Dataset) -> pd.DataFrame:
    """Count customers by type and channel, with their share and orders per customer."""
    c = ds.customers
    orders_per = ds.orders.groupby("customer_id").size()
    n_orders = c["customer_id"].map(orders_per).fillna(0)
    by = [col for col in ("customer_type", "channel") if col in c.columns]
    if not by:
        by_frame = pd.DataFrame({"all": ["all"] * len(c)})
        by = ["all"]
    else:
        by_frame = c[by].astype("string").fillna("(missing)")
    out = (
        by_frame.assign(orders=n_orders.to_numpy())
        .groupby(by, observed=True)["orders"]
        .agg(customers="size", orders_per_customer="mean")
        .reset_index()
    )
    out["share"] = out["customers"] / len(c)
    return out.sort_values("customers", ascending=False, ignore_index=True)


def orders_by_month(ds: Dataset) -> pd.DataFrame:
    """Orders, revenue and active customers per calendar month."""
    o = ds.orders
    month = o["ordered_at"].dt.tz_localize(None).dt.to_period("M")
    out = o.groupby(month).agg(
        orders=("order_id", "size"),
        revenue=("amount", "sum"),
        active_customers=("customer_id", "nunique"),
    )
    out.index = out.index.astype(str)
    out.index.name = "month"
    return out.reset_index()


def order_mix(ds: Dataset) -> pd.DataFrame | None:
    """Share of orders by status, payment method and category (long format)."""
    parts = []
    for col in ("status", "payment_method", "category", "channel"):
        if col in ds.orders.columns:
            share = ds.orders[col].astype("string").fillna("(missing)").value_counts(normalize=True)
            parts.append(
                pd.DataFrame({"dimension": col, "value": share.index, "share": share.to_numpy()})
            )
    return pd.concat(parts, ignore_index=True) if parts else None


def logistics_profile(ds: Dataset) -> pd.DataFrame | None:
    """Per carrier: parcels, delivered share, on-time rate, median hours to deliver, exceptions."""
    s = ds.shipments
    if s is None:
        return None
    s = s.assign(
        carrier=s["carrier"].astype("string").fillna("(missing)") if "carrier" in s else "all"
    )
    delivered = (
        s["delivered_at"].notna() if "delivered_at" in s else pd.Series(False, index=s.index)
    )
    hours = (
        (s["delivered_at"] - s["shipped_at"]).dt.total_seconds() / 3600
        if {"delivered_at", "shipped_at"} <= set(s.columns)
        else pd.Series(np.nan, index=s.index)
    )
    on_time = (
        (s["delivered_at"] <= s["promised_at"]).where(delivered)
        if {"delivered_at", "promised_at"} <= set(s.columns)
        else pd.Series(np.nan, index=s.index)
    )
    frame = pd.DataFrame(
        {
            "carrier": s["carrier"],
            "delivered": delivered.astype(float),
            "on_time": on_time.astype(float),
            "hours": hours,
        }
    )
    if ds.tracking_events is not None:
        ev = ds.tracking_events
        exc = ev.loc[ev["event"].astype("string") == "exception", "waybill_no"]
        frame["exception"] = s["waybill_no"].isin(exc).astype(float).to_numpy()
    out = frame.groupby("carrier", observed=True).agg(
        parcels=("delivered", "size"),
        delivered_share=("delivered", "mean"),
        on_time_rate=("on_time", "mean"),
        median_hours=("hours", "median"),
        **({"exception_rate": ("exception", "mean")} if "exception" in frame else {}),
    )
    return out.sort_values("parcels", ascending=False).reset_index()


def voice_profile(ds: Dataset) -> pd.DataFrame | None:
    """Per source (review/ticket/call): count, mean rating and share of 1-2 star ratings."""
    r = ds.reviews
    if r is None:
        return None
    source = r["source"].astype("string").fillna("(missing)") if "source" in r else "all"
    rating = r["rating"].astype("Float64") if "rating" in r else pd.Series(np.nan, index=r.index)
    frame = pd.DataFrame(
        {"source": source, "rating": rating, "low": (rating <= 2).astype("Float64")}
    )
    out = frame.groupby("source").agg(
        count=("rating", "size"), mean_rating=("rating", "mean"), low_rating_share=("low", "mean")
    )
    return out.reset_index()


def credit_profile(ds: Dataset) -> pd.DataFrame | None:
    """Invoices: count, amount, paid on time, paid late, unpaid and overdue at the data's end."""
    inv = ds.invoices
    if inv is None:
        return None
    paid = inv["paid_at"].notna()
    late = paid & (inv["paid_at"] > inv["due_at"])
    overdue = ~paid & (inv["due_at"] < ds.end)
    return pd.DataFrame(
        {
            "invoices": [len(inv)],
            "amount": [float(inv["amount"].sum())],
            "paid_on_time_share": [float((paid & ~late).mean())],
            "paid_late_share": [float(late.mean())],
            "unpaid_overdue_share": [float(overdue.mean())],
            "customers": [inv["customer_id"].nunique()],
        }
    )


def fraud_profile(ds: Dataset) -> pd.DataFrame | None:
    """Fraud labels: how many cases of each kind, and the fraud share among them."""
    fl = ds.fraud_labels
    if fl is None:
        return None
    kind = np.where(fl["order_id"].notna(), "order", "customer") if "order_id" in fl else "customer"
    frame = pd.DataFrame({"kind": kind, "is_fraud": fl["is_fraud"].astype(float)})
    return (
        frame.groupby("kind")
        .agg(labelled=("is_fraud", "size"), fraud_share=("is_fraud", "mean"))
        .reset_index()
    )
