"""Demand series: orders or parcels per period and group, as a long zero-filled frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from custintel.data import Dataset, to_timestamp
from custintel.features._base import positions

_FREQS = {"D": "D", "W": "W-SUN", "M": "M"}


def demand_series(
    ds: Dataset,
    freq: Literal["D", "W", "M"] = "D",
    by: Sequence[str] | None = None,
    *,
    target: Literal["orders", "parcels", "amount"] = "orders",
    start: object = None,
    as_of: object = None,
) -> pd.DataFrame:
    """Count orders (or parcels, or sum order value) per period and group.

    Parameters
    ----------
    ds : Dataset
        The data.
    freq : {"D", "W", "M"}
        Day, week (Monday to Sunday) or calendar month.
    by : sequence of str, optional
        Grouping columns, looked up in orders, then shipments (``dest_province``, ``carrier``,
        ...), then customers (``province``, ``city``...). ``None`` gives one national series.
    target : {"orders", "parcels", "amount"}
        What to count: orders by ``ordered_at``, parcels by ``shipped_at``, or order value.
    start, as_of : str or Timestamp, optional
        The span to cover; defaults to the first event and the data's end. Only whole periods
        inside ``[start, as_of)`` are returned, so the last value is never a partial period.

    Returns
    -------
    DataFrame
        Columns ``series_id`` (group values joined by ``|``, or ``"all"``), ``ds`` (period
        start, local time without zone) and ``y``; every series has every period (zero-filled).

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ts = demand_series(make_demo_dataset(n_customers=300, seed=0), freq="W")
    >>> list(ts.columns), ts["series_id"].unique().tolist()
    (['series_id', 'ds', 'y'], ['all'])
    """
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {sorted(_FREQS)}, got {freq!r}")
    if target not in ("orders", "parcels", "amount"):
        raise ValueError(f"target must be 'orders', 'parcels' or 'amount', got {target!r}")
    by = list(by or [])
    events, time_col = _events(ds, target)
    stop = ds.end if as_of is None else to_timestamp(as_of, ds.tz)
    first = events[time_col].min() if start is None else to_timestamp(start, ds.tz)
    events = events.loc[((events[time_col] >= first) & (events[time_col] < stop)).to_numpy()]

    local = events[time_col].dt.tz_convert(ds.tz).dt.tz_localize(None)
    period = local.dt.to_period(_FREQS[freq])
    keys = _group_keys(ds, events, by)
    weights = events["amount"].to_numpy(np.float64) if target == "amount" else np.ones(len(events))
    frame = pd.DataFrame({"series_id": keys, "period": period.to_numpy(), "y": weights})
    y = frame.groupby(["series_id", "period"], observed=True, sort=True)["y"].sum()

    lo = pd.Period(first.tz_convert(ds.tz).tz_localize(None), _FREQS[freq])
    hi = pd.Period(stop.tz_convert(ds.tz).tz_localize(None), _FREQS[freq])
    if lo.start_time < first.tz_convert(ds.tz).tz_localize(None):
        lo += 1  # the first period started before the data did
    if hi.end_time >= stop.tz_convert(ds.tz).tz_localize(None):
        hi -= 1  # the last period is not over yet
    periods = pd.period_range(lo, hi, freq=_FREQS[freq])
    series = sorted(pd.unique(keys)) if len(keys) else (["all"] if not by else [])
    grid = pd.MultiIndex.from_product([series, periods], names=["series_id", "period"])
    y = y.reindex(grid, fill_value=0.0)
    out = y.reset_index()
    out["ds"] = out["period"].dt.start_time
    out = out[["series_id", "ds", "y"]]
    if target != "amount":
        out["y"] = out["y"].astype(np.int64)
    return out


def _events(ds: Dataset, target: str) -> tuple[pd.DataFrame, str]:
    if target == "parcels":
        if not ds.has("shipments"):
            raise ValueError("target='parcels' needs the shipments table; the dataset has none")
        sh = ds["shipments"]
        return sh.loc[sh["shipped_at"].notna().to_numpy()], "shipped_at"
    return ds.orders, "ordered_at"


def _group_keys(ds: Dataset, events: pd.DataFrame, by: list[str]) -> np.ndarray:
    if not by:
        return np.full(len(events), "all", dtype=object)
    parts = [_lookup(ds, events, col).astype("string").fillna("(unknown)") for col in by]
    key = parts[0]
    for p in parts[1:]:
        key = key + "|" + p
    return key.to_numpy(dtype=object)


def _lookup(ds: Dataset, events: pd.DataFrame, col: str) -> pd.Series:
    """Find ``col`` for each event: on the event itself, its order, its parcel or its customer."""
    if col in events:
        return events[col].reset_index(drop=True)
    if "order_id" in events and col in ds.orders:
        pos = positions(events["order_id"], pd.Index(ds.orders["order_id"]))
        return _take(ds.orders[col], pos)
    if ds.has("shipments") and col in ds["shipments"] and "order_id" in events:
        sh = ds["shipments"].drop_duplicates("order_id")
        pos = positions(events["order_id"], pd.Index(sh["order_id"]))
        return _take(sh[col], pos)
    if col in ds.customers:
        ids = (
            events["customer_id"] if "customer_id" in events else _lookup(ds, events, "customer_id")
        )
        pos = positions(pd.Series(ids), pd.Index(ds.customers["customer_id"]))
        return _take(ds.customers[col], pos)
    raise ValueError(
        f"by column {col!r} is in none of the orders, shipments or customers tables; "
        "use e.g. by=['dest_province'], by=['category'] or by=['province']"
    )


def _take(values: pd.Series, pos: np.ndarray) -> pd.Series:
    taken = values.iloc[np.clip(pos, 0, None)].reset_index(drop=True)
    return taken.where(pd.Series(pos >= 0))
