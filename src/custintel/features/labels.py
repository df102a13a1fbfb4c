"""Labels: what happened in the window after a cutoff (churn, default, fraud)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from custintel.data import Dataset, to_timestamp
from custintel.features._base import positions


def _window(
    ds: Dataset, as_of: object, horizon_days: int, *, extra_days: int = 0
) -> tuple[pd.Timestamp, pd.Timestamp]:
    if horizon_days <= 0:
        raise ValueError(f"horizon_days must be a positive number of days, got {horizon_days}")
    start = to_timestamp(as_of, ds.tz)
    stop = start + pd.Timedelta(days=horizon_days)
    needed = stop + pd.Timedelta(days=extra_days)
    if needed > ds.end:
        raise ValueError(
            f"the label window [{start.date()}, {stop.date()}) "
            + (f"plus {extra_days} days to observe the outcome " if extra_days else "")
            + f"ends after the data's end ({ds.end.date()}); choose as_of <= "
            f"{(ds.end - pd.Timedelta(days=horizon_days + extra_days)).date()} or a shorter horizon"
        )
    return start, stop


def churn_labels(
    ds: Dataset,
    as_of: object,
    horizon_days: int = 90,
    *,
    population: Literal["buyers", "all"] = "buyers",
) -> pd.Series:
    """Churn label per customer: 1 when they place no order in ``[as_of, as_of + horizon)``.

    Parameters
    ----------
    ds : Dataset
        The data.
    as_of : str or Timestamp
        The cutoff; features are computed before it, the label after it.
    horizon_days : int
        Length of the label window.
    population : {"buyers", "all"}
        ``"buyers"``: customers with at least one order before ``as_of`` (churn is about
        customers who bought); ``"all"``: every customer registered before ``as_of``.

    Returns
    -------
    Series
        Integer 0/1 named ``churn``, indexed by ``customer_id``.

    Raises
    ------
    ValueError
        If the label window extends past the data's end (the label would be unknown).
    """
    start, stop = _window(ds, as_of, horizon_days)
    c, o = ds.customers, ds.orders
    known = c.loc[(c["registered_at"] < start).to_numpy(), "customer_id"]
    if population == "buyers":
        known = known[known.isin(o.loc[(o["ordered_at"] < start).to_numpy(), "customer_id"])]
    elif population != "all":
        raise ValueError(f"population must be 'buyers' or 'all', got {population!r}")
    inside = o.loc[
        ((o["ordered_at"] >= start) & (o["ordered_at"] < stop)).to_numpy(), "customer_id"
    ]
    y = (~known.isin(inside)).astype("int8").to_numpy()
    return pd.Series(y, index=pd.Index(known, name="customer_id"), name="churn")


def default_labels(
    ds: Dataset,
    as_of: object,
    horizon_days: int = 90,
    *,
    grace_days: int = 30,
) -> pd.Series:
    """Default label per customer with an invoice falling due in ``[as_of, as_of + horizon)``.

    1 when any such invoice was not paid within ``grace_days`` of its due date (paid later, or
    never). The data must reach ``grace_days`` past the window so every outcome is observed.

    Returns
    -------
    Series
        Integer 0/1 named ``default``, indexed by ``customer_id``.
    """
    if not ds.has("invoices"):
        raise ValueError("default_labels needs the invoices table; the dataset has none")
    start, stop = _window(ds, as_of, horizon_days, extra_days=grace_days)
    inv = ds["invoices"]
    inv = inv.loc[
        ((inv["due_at"] >= start) & (inv["due_at"] < stop) & (inv["issued_at"] < stop)).to_numpy()
    ]
    limit = inv["due_at"] + pd.Timedelta(days=grace_days)
    bad = (inv["paid_at"].isna() | (inv["paid_at"] > limit)).to_numpy()
    known = ds.customers.loc[(ds.customers["registered_at"] < start).to_numpy(), "customer_id"]
    inv_c = inv["customer_id"].to_numpy()
    frame = pd.DataFrame({"customer_id": inv_c, "bad": bad.astype("int8")})
    y = frame.groupby("customer_id", sort=False)["bad"].max()
    y = y[y.index.isin(known)]
    y.index.name = "customer_id"
    return y.rename("default").astype("int8")


def fraud_targets(
    ds: Dataset,
    as_of: object,
    horizon_days: int = 90,
    *,
    level: Literal["order", "customer"] = "order",
) -> pd.Series:
    """Known fraud verdicts for orders (or customers) active in ``[as_of, as_of + horizon)``.

    Only investigated cases carry a label: orders placed in the window with an order-level
    verdict (``level="order"``), or customers with a verdict reached in the window
    (``level="customer"``). Unlabelled cases are absent, not negative.

    Returns
    -------
    Series
        Integer 0/1 named ``is_fraud``, indexed by ``order_id`` or ``customer_id``.
    """
    if not ds.has("fraud_labels"):
        raise ValueError("fraud_targets needs the fraud_labels table; the dataset has none")
    start, stop = _window(ds, as_of, horizon_days)
    fl = ds["fraud_labels"]
    if level == "order":
        fl = fl.loc[fl["order_id"].notna().to_numpy()] if "order_id" in fl else fl.iloc[:0]
        o = ds.orders
        pos = positions(fl["order_id"], pd.Index(o["order_id"]))
        placed = o["ordered_at"].iloc[np.clip(pos, 0, None)]
        in_window = (pos >= 0) & ((placed >= start) & (placed < stop)).to_numpy()
        sub = fl.loc[in_window]
        y = sub.groupby("order_id", sort=False)["is_fraud"].max()
        y.index.name = "order_id"
    elif level == "customer":
        fl = fl.loc[fl["customer_id"].notna().to_numpy()] if "customer_id" in fl else fl.iloc[:0]
        sub = fl.loc[((fl["labeled_at"] >= start) & (fl["labeled_at"] < stop)).to_numpy()]
        y = sub.groupby("customer_id", sort=False)["is_fraud"].max()
        y.index.name = "customer_id"
    else:
        raise ValueError(f"level must be 'order' or 'customer', got {level!r}")
    return y.astype("int8").rename("is_fraud")
