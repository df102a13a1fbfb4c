"""The customer's delivery experience: speed against the promise, delays, exceptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.data.schema import EXCEPTION_TYPES
from custintel.features._base import (
    FeatureBuilder,
    FeatureContext,
    FeatureSpec,
    age_days,
    count,
    matches,
    positions,
    ratio,
    reduce,
    value_codes,
)

_EXCEPTION_ZH = {
    "lost": "丢件",
    "damaged": "破损",
    "delayed": "延误",
    "returned": "退回",
    "refused": "拒收",
}


class DeliveryFeatures(FeatureBuilder):
    """Delivery speed and punctuality of the customer's parcels.

    A parcel counts as late when it was delivered after its promised time, or when the promised
    time has passed and it had still not been delivered at ``as_of``. Deliveries at or after
    ``as_of`` are treated as not yet delivered.

    Parameters
    ----------
    window : int
        Look-back window in days (by the time the parcel was shipped).
    stalled_days : int
        A parcel still undelivered this many days after its promise counts as stalled.
    """

    family = "logistics"
    requires = ("customers", "orders", "shipments")

    def __init__(self, window: int = 365, *, stalled_days: int = 3):
        self.window = window
        self.stalled_days = stalled_days

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the delivery columns."""
        s, w = self.spec, self.window
        return [
            s(
                "parcels_90d",
                "parcels shipped in the last 90 days",
                "近90天发货包裹数",
                "count",
                "higher means more deliveries",
            ),
            s(
                f"parcels_{w}d",
                f"parcels shipped in the last {w} days",
                f"近{w}天发货包裹数",
                "count",
                "higher means more deliveries",
            ),
            s(
                "delivery_hours_mean",
                f"mean hours from pick-up to delivery (last {w} days)",
                f"近{w}天平均配送时长（小时）",
                "hours",
                "higher means slower deliveries",
            ),
            s(
                "late_share_90d",
                "share of parcels late against the promise (last 90 days)",
                "近90天包裹超时占比",
                "share",
                "higher means more late deliveries",
            ),
            s(
                f"late_share_{w}d",
                f"share of parcels late against the promise (last {w} days)",
                f"近{w}天包裹超时占比",
                "share",
                "higher means more late deliveries",
            ),
            s(
                "late_hours_mean",
                f"mean hours late, over late parcels (last {w} days)",
                f"近{w}天超时包裹平均超时小时数",
                "hours",
                "higher means longer delays",
            ),
            s(
                "stalled_parcels",
                "parcels overdue and still not delivered",
                "已超过承诺时间仍未送达的包裹数",
                "count",
                "higher means parcels stuck in transit",
            ),
            s(
                "days_since_late",
                "days since the last late delivery",
                "距最近一次超时配送的天数",
                "days",
                "lower means a fresh bad experience",
            ),
            s(
                "n_carriers",
                f"distinct carriers used (last {w} days)",
                f"近{w}天使用的快递公司数",
                "count",
                "higher means more carriers",
            ),
            s(
                "n_dest_cities",
                f"distinct destination cities (last {w} days)",
                f"近{w}天收货城市数",
                "count",
                "higher means parcels sent to more places",
            ),
        ]

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the delivery columns."""
        n, w = ctx.n, self.window
        sh = (
            ctx.events("shipments", "shipped_at", via_order=True)
            if "shipped_at" in ctx.ds["shipments"]
            else None
        )
        if sh is None or sh.empty:
            return ctx.frame({spec.name: np.full(n, np.nan) for spec in self.catalog()})
        c, age = sh["_c"].to_numpy(), sh["_age"].to_numpy()
        delivered = (
            ctx.before(sh["delivered_at"])
            if "delivered_at" in sh
            else pd.Series(pd.NaT, index=sh.index)
        )
        promised = sh["promised_at"] if "promised_at" in sh else pd.Series(pd.NaT, index=sh.index)
        hours = ((delivered - sh["shipped_at"]).dt.total_seconds() / 3600).to_numpy(
            np.float64, na_value=np.nan
        )
        late_by = ((delivered - promised).dt.total_seconds() / 3600).to_numpy(
            np.float64, na_value=np.nan
        )
        promise_age = age_days(promised, ctx.as_of)  # > 0: the promise has passed
        overdue = np.isnan(hours) & (promise_age > 0)
        late = (late_by > 0) | overdue
        recent, last90 = age <= w, age <= 90
        # when the bad experience happened: the late delivery, or the missed promise
        bad_age = np.where(late_by > 0, age_days(delivered, ctx.as_of), promise_age)
        cols = {
            "parcels_90d": count(c, n, last90),
            f"parcels_{w}d": count(c, n, recent),
            "delivery_hours_mean": reduce(c, hours, n, "mean", recent),
            "late_share_90d": ratio(count(c, n, last90 & late), count(c, n, last90)),
            f"late_share_{w}d": ratio(count(c, n, recent & late), count(c, n, recent)),
            "late_hours_mean": reduce(c, late_by, n, "mean", recent & (late_by > 0)),
            "stalled_parcels": count(c, n, overdue & (promise_age > self.stalled_days)),
            "days_since_late": reduce(c, bad_age, n, "min", late),
            "n_carriers": _nunique(sh, "carrier", c, n, recent),
            "n_dest_cities": _nunique(sh, "dest_city", c, n, recent),
        }
        return ctx.frame(cols)


class ExceptionFeatures(FeatureBuilder):
    """Tracking exceptions on the customer's parcels: lost, damaged, delayed, returned, refused.

    Parameters
    ----------
    window : int
        Look-back window in days (by the time of the exception scan).
    """

    family = "logistics"
    requires = ("customers", "orders", "shipments", "tracking_events")

    def __init__(self, window: int = 365):
        self.window = window

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the exception columns."""
        s, w = self.spec, self.window
        specs = [
            s(
                f"exc_{t}_{w}d",
                f"{t} exceptions on the customer's parcels (last {w} days)",
                f"近{w}天包裹{_EXCEPTION_ZH[t]}异常次数",
                "count",
                f"higher means more {t} parcels",
            )
            for t in EXCEPTION_TYPES
        ]
        specs += [
            s(
                "exceptions_90d",
                "tracking exceptions of any kind (last 90 days)",
                "近90天物流异常次数",
                "count",
                "higher means more recent trouble",
            ),
            s(
                "exception_parcel_share",
                f"share of parcels with an exception (last {w} days)",
                f"近{w}天发生异常的包裹占比",
                "share",
                "higher means a worse experience",
            ),
            s(
                "days_since_exception",
                "days since the last tracking exception",
                "距最近一次物流异常的天数",
                "days",
                "lower means a fresh bad experience",
            ),
        ]
        return specs

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the exception columns."""
        n, w = ctx.n, self.window
        sh = ctx.events("shipments", "shipped_at", via_order=True)
        ev = ctx.ds["tracking_events"]
        ev = ev.loc[
            (ev["event_time"] < ctx.as_of).to_numpy()
            & (ev["event"] == "exception").to_numpy(bool, na_value=False)
        ]
        pos = _rows_of(ev["waybill_no"], sh["waybill_no"])
        ev = ev.loc[pos >= 0]
        c = sh["_c"].to_numpy()[pos[pos >= 0]]
        age = age_days(ev["event_time"], ctx.as_of)
        recent = age <= w
        cols = {
            f"exc_{t}_{w}d": count(c, n, recent & matches(ev, "exception_type", t))
            for t in EXCEPTION_TYPES
        }
        cols["exceptions_90d"] = count(c, n, age <= 90)
        sc = sh["_c"].to_numpy()
        sh_recent = sh["_age"].to_numpy() <= w
        hit = np.zeros(len(sh), bool)
        hit[pos[pos >= 0][recent]] = True
        cols["exception_parcel_share"] = ratio(
            count(sc, n, hit & sh_recent), count(sc, n, sh_recent)
        )
        cols["days_since_exception"] = reduce(c, age, n, "min")
        return ctx.frame(cols)


def _nunique(df: pd.DataFrame, col: str, c: np.ndarray, n: int, mask: np.ndarray) -> np.ndarray:
    if col not in df:
        return np.full(n, np.nan)
    codes = value_codes(df, col)
    return reduce(c, codes, n, "nunique", mask & (codes >= 0))


def _rows_of(keys: pd.Series, table_keys: pd.Series) -> np.ndarray:
    """Row of ``table_keys`` (unique) holding each of the few ``keys`` (-1 when absent).

    Looks the large table up in the small set of keys, not the other way round: the hash
    table holds the exception scans' waybills, not the millions of shipments.
    """
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    if not len(uniques):
        return np.full(len(keys), -1, dtype=np.int64)
    hit = positions(table_keys, pd.Index(uniques))
    found = np.flatnonzero(hit >= 0)
    row_of_key = np.full(len(uniques), -1, dtype=np.int64)
    row_of_key[hit[found]] = found
    return np.where(codes >= 0, row_of_key[np.maximum(codes, 0)], -1)
