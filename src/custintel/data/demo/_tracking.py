"""Render the ``shipments`` and ``tracking_events`` tables from the parcel plans.

A parcel is scanned at its origin station (collected), leaves the origin hub (departed), reaches
and leaves the destination hub when that is another hub (arrived, departed), reaches the delivery
station (arrived), goes out for delivery and is delivered. Exceptions are scanned where they
happen: ``delayed`` at a hub after an incident, ``damaged`` at the station, ``refused`` at the
door followed by ``returned``, and ``lost`` some days after the scans of a lost parcel stopped
(many lost parcels simply stall). Scans at or after the data's end are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _geography as geo
from custintel.data.demo import _strings as s
from custintel.data.demo._customer_table import timestamps
from custintel.data.demo._orders import HOUR_US
from custintel.data.demo._shipping import CARRIERS, WAYBILL_FORMAT, ParcelPlan
from custintel.data.schema import EXCEPTION_TYPES, TRACKING_EVENTS

_DAY_US = 24 * HOUR_US
_MIN_US = 60_000_000
_STATION_SUFFIX = ("营业点", "配送站", "分部", "网点", "服务部", "网点", "揽投部")
_N_CARRIERS = len(CARRIERS)
_N_STATIONS = len(geo.DISTRICTS) * _N_CARRIERS
#: Site names: one station per district and carrier, then one hub per hub name and carrier.
SITES: tuple[str, ...] = tuple(
    f"{CARRIERS[k]}{geo.CITY_SHORT[geo.DISTRICT_CITY[d]]}{geo.DISTRICTS[d]}{_STATION_SUFFIX[k]}"
    for d in range(len(geo.DISTRICTS))
    for k in range(_N_CARRIERS)
) + tuple(f"{CARRIERS[k]}{h}" for h in geo.HUBS for k in range(_N_CARRIERS))

_EV = {name: TRACKING_EVENTS.index(name) for name in TRACKING_EVENTS}
_EX = {name: EXCEPTION_TYPES.index(name) for name in EXCEPTION_TYPES}
# Slots of a parcel's scan sequence: (event, exception type or -1).
_SLOTS = (
    ("collected", None), ("departed", None), ("exception", "delayed"), ("arrived", None),
    ("exception", "delayed"), ("departed", None), ("arrived", None), ("exception", "damaged"),
    ("out_for_delivery", None), ("delivered", None), ("exception", "refused"),
    ("exception", "returned"), ("exception", "lost"),
)  # fmt: skip
_SLOT_EVENT = np.array([_EV[e] for e, _ in _SLOTS], dtype=np.int8)
_SLOT_EXC = np.array([_EX[x] if x else -1 for _, x in _SLOTS], dtype=np.int8)


def waybills(rng: np.random.Generator, carrier: np.ndarray) -> pa.Array:
    """Waybill numbers in each carrier's format, increasing in row order within a carrier."""
    n = len(carrier)
    rank = np.empty(n, dtype=np.int64)
    parts = []
    order = np.argsort(carrier, kind="stable")
    start = 0
    for k, (prefix, width) in enumerate(WAYBILL_FORMAT):
        rows = order[start : start + int((carrier == k).sum())]
        start += len(rows)
        base = rng.integers(10 ** (width - 1), 3 * 10 ** (width - 1))
        serial = base + np.arange(len(rows)) * 9 + rng.integers(0, 9, len(rows))
        parts.append(s.fixed_ids(prefix, serial, width))
        rank[rows] = np.arange(len(rows)) + (start - len(rows))
    return s.take(s.concat(parts), rank)


def render_shipments(
    plan: ParcelPlan,
    delivered: np.ndarray,
    waybill: pa.Array,
    order_ids: pa.Array,
    end_us: int,
    tz: str,
) -> pd.DataFrame:
    """Return the shipments table (one row per parcel of ``plan``)."""
    nat = np.iinfo(np.int64).min
    dest_city = geo.DISTRICT_CITY[plan.dest_district]
    return pd.DataFrame(
        {
            "waybill_no": s.to_series(waybill),
            "order_id": s.to_series(order_ids),
            "carrier": s.categorical(plan.carrier, CARRIERS),
            "origin_city": s.categorical(plan.origin_city, geo.CITIES),
            "dest_province": s.categorical(geo.CITY_PROVINCE[dest_city], geo.PROVINCES),
            "dest_city": s.categorical(dest_city, geo.CITIES),
            "shipped_at": timestamps(np.where(plan.ship_us < end_us, plan.ship_us, nat), tz),
            "promised_at": timestamps(plan.promise_us, tz),
            "delivered_at": timestamps(np.where(delivered, plan.deliver_us, nat), tz),
        }
    )


def _scan_chunk(
    rng: np.random.Generator, p: ParcelPlan, end_us: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scan slots of a chunk of parcels: (row, slot, time) of the scans that happened."""
    m = len(p.ship_us)
    n_slots = len(_SLOTS)
    ship, arrive, deliver = p.ship_us, p.arrive_us, p.deliver_us
    span = (arrive - ship).astype(np.float64)
    origin_hub = geo.CITY_HUB_INDEX[p.origin_city]
    dest_hub = geo.CITY_HUB_INDEX[geo.DISTRICT_CITY[p.dest_district]]
    cross = origin_hub != dest_hub
    f = np.sort(rng.uniform(0.08, 0.85, (m, 3)), axis=1)
    t = np.empty((m, n_slots), dtype=np.int64)
    t[:, 0] = ship
    t[:, 1] = ship + (f[:, 0] * span).astype(np.int64)
    t[:, 3] = ship + (f[:, 1] * span).astype(np.int64)
    t[:, 5] = ship + (f[:, 2] * span).astype(np.int64)
    t[:, 6] = arrive
    t[:, 2] = t[:, 1] + (t[:, 6] - t[:, 1]) // 10  # held at the origin hub
    t[:, 4] = t[:, 3] + (t[:, 5] - t[:, 3]) // 10  # held at the destination hub
    t[:, 7] = arrive + rng.integers(10 * _MIN_US, 50 * _MIN_US, m)
    t[:, 8] = p.out_us
    t[:, :9] += np.arange(9, dtype=np.int64)  # strictly increasing even on equal fractions
    t[:, 9] = deliver
    t[:, 10] = deliver
    t[:, 11] = deliver + rng.integers(4 * HOUR_US, 30 * HOUR_US, m)
    t[:, 12] = np.maximum(p.promise_us, arrive) + rng.integers(2 * _DAY_US, 8 * _DAY_US, m)

    present = np.ones((m, n_slots), dtype=bool)
    delayed_scan = p.incident & (rng.random(m) < 0.6)
    present[:, 2] = delayed_scan & ~cross
    present[:, 3] = cross
    present[:, 4] = delayed_scan & cross
    present[:, 5] = cross
    present[:, 7] = p.damaged
    present[:, 9] = ~p.refused
    present[:, 10] = p.refused
    present[:, 11] = p.refused
    present[:, 12] = False
    # Lost parcels stall after a random point; some get a "lost" exception later.
    lost = np.flatnonzero(p.lost)
    stop = np.where(rng.random(len(lost)) < 0.5, 1, np.where(cross[lost], 5, 6))
    stop = np.where(rng.random(len(lost)) < 0.3, 3, stop)
    cut = np.arange(n_slots)[None, :] > stop[:, None]
    present[lost] &= ~cut
    present[lost, 12] = rng.random(len(lost)) < 0.6
    present &= t < end_us
    row, slot = np.nonzero(present)
    return row, slot, t[row, slot]


def _sites(
    rng: np.random.Generator, p: ParcelPlan, row: np.ndarray, slot: np.ndarray
) -> np.ndarray:
    """Site code of each scan."""
    carrier = p.carrier[row].astype(np.int64)
    origin_station = geo.draw_districts(rng, p.origin_city[row].astype(np.int64)) * _N_CARRIERS
    dest_station = p.dest_district[row].astype(np.int64) * _N_CARRIERS
    origin_hub = _N_STATIONS + geo.CITY_HUB_INDEX[p.origin_city[row]] * _N_CARRIERS
    dest_hub = (
        _N_STATIONS + geo.CITY_HUB_INDEX[geo.DISTRICT_CITY[p.dest_district[row]]] * _N_CARRIERS
    )
    base = np.select(
        [slot == 0, slot <= 2, slot <= 5, slot <= 11],
        [origin_station, origin_hub, dest_hub, dest_station],
        default=-1,
    )
    # A "lost" exception is scanned where the parcel was last seen.
    lost = np.flatnonzero(base < 0)
    base[lost] = base[lost - 1]
    return base + carrier


class _Columns:
    """Append-only column buffers that grow geometrically (no second copy at the end)."""

    def __init__(self, capacity: int, dtypes: dict[str, type]) -> None:
        self.size = 0
        self.cols: dict[str, np.ndarray] = {
            k: np.empty(capacity, dtype=d) for k, d in dtypes.items()
        }

    def append(self, **values: np.ndarray) -> None:
        n = len(next(iter(values.values())))
        capacity = len(next(iter(self.cols.values())))
        if self.size + n > capacity:
            grow = max(self.size + n, int(1.25 * capacity))
            for k, v in self.cols.items():
                bigger = np.empty(grow, dtype=v.dtype)
                bigger[: self.size] = v[: self.size]
                self.cols[k] = bigger
        for k, v in values.items():
            self.cols[k][self.size : self.size + n] = v
        self.size += n

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key][: self.size]


def render_events(
    rng: np.random.Generator, plan: ParcelPlan, waybill: pa.Array, end_us: int, tz: str
) -> pd.DataFrame:
    """Return the tracking-events table, grouped by parcel and in time order within a parcel."""
    shipped = np.flatnonzero(plan.ship_us < end_us)
    cols = _Columns(
        int(6.9 * len(shipped)) + 1,
        {"row": np.int32, "time": np.int64, "event": np.int8, "exc": np.int8, "site": np.int16},
    )
    step = 500_000
    for lo in range(0, len(shipped), step):
        idx = shipped[lo : lo + step]
        chunk = plan.take(idx)
        row, slot, t = _scan_chunk(rng, chunk, end_us)
        cols.append(
            row=idx[row],
            time=t,
            event=_SLOT_EVENT[slot],
            exc=_SLOT_EXC[slot],
            site=_sites(rng, chunk, row, slot),
        )
    categories = pd.Index(s.to_series(waybill))
    frame = pd.DataFrame(
        {
            "waybill_no": pd.Categorical.from_codes(cols["row"], categories, validate=False),
            "event_time": timestamps(cols["time"], tz),
            "event": s.categorical(cols["event"], TRACKING_EVENTS),
            "site": s.categorical(cols["site"], SITES),
            "exception_type": s.categorical(cols["exc"], EXCEPTION_TYPES),
        }
    )
    return frame
