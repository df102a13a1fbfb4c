"""Parcel plans: carrier, route, timing and what goes wrong, decided before churn.

Each non-cancelled order becomes one parcel. The merchant picks a carrier (by category and
destination), the parcel leaves from a warehouse city that fits the category, waits for
collection, travels at a speed that depends on distance, carrier, the destination's remoteness
and the season (Double 11 and 618 backlogs, the Spring Festival shutdown), and may hit an
incident (delay), damage or loss. Cash-on-delivery parcels are sometimes refused. The customer's
experience of each order (on time, delayed, damaged, lost) feeds the churn hazard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custintel.data.demo import _calendar as cal
from custintel.data.demo import _geography as geo
from custintel.data.demo._customers import Customers
from custintel.data.demo._orders import HOUR_US, OFFICE, RING, SELF, OrderDrafts

_DAY_US = 24 * HOUR_US

#: Carriers (stored in the tables by these names).
CARRIERS: tuple[str, ...] = ("顺丰", "京东", "中通", "圆通", "韵达", "申通", "邮政EMS")
#: Waybill prefix and number of digits after it, per carrier.
WAYBILL_FORMAT: tuple[tuple[str, int], ...] = (
    ("SF", 13), ("JDV", 12), ("73", 13), ("YT", 13), ("43", 13), ("77", 13), ("11", 11),
)  # fmt: skip
_SPEED = np.array([0.60, 0.65, 0.90, 0.95, 0.95, 1.05, 1.10])  # x days per 700 km
_REMOTE_FACTOR = np.array([0.8, 0.9, 1.1, 1.1, 1.2, 1.3, 0.6])
_HANDLING_H = np.array([5.0, 5.0, 10.0, 11.0, 11.0, 13.0, 12.0])
_INCIDENT = np.array([0.020, 0.020, 0.045, 0.050, 0.050, 0.070, 0.040])
_DAMAGE = np.array([0.006, 0.006, 0.012, 0.013, 0.014, 0.016, 0.010])
_LOSS = np.array([0.0015, 0.0015, 0.003, 0.0035, 0.0035, 0.005, 0.003])
_SLACK_DAYS = np.array([0, 0, 1, 1, 1, 1, 1])
# Carrier mix per category (rows) before destination adjustments.
_CARRIER_MIX = np.array([
    [0.50, 0.40, 0.02, 0.01, 0.01, 0.01, 0.05],  # fresh
    [0.30, 0.45, 0.08, 0.06, 0.04, 0.02, 0.05],  # electronics
    [0.06, 0.06, 0.28, 0.22, 0.20, 0.12, 0.06],  # apparel
    [0.10, 0.10, 0.25, 0.20, 0.17, 0.10, 0.08],  # beauty
    [0.06, 0.10, 0.28, 0.20, 0.18, 0.12, 0.06],  # household
    [0.05, 0.20, 0.22, 0.15, 0.15, 0.08, 0.15],  # books
])  # fmt: skip
_DAMAGE_BY_CATEGORY = np.array([3.0, 1.5, 0.4, 1.2, 1.0, 0.6])
_REMOTE_DAYS = np.array([0.0, 0.3, 0.8, 2.0])
_REMOTE_INCIDENT = np.array([1.0, 1.3, 1.8, 3.0])
_REMOTE_DAMAGE = np.array([1.0, 1.1, 1.3, 1.6])
# Warehouse cities per category (fresh ships from the destination's own capital).
_ORIGINS = {
    1: {"深圳市": 0.5, "东莞市": 0.2, "上海市": 0.1, "北京市": 0.1, "成都市": 0.1},
    2: {"广州市": 0.35, "杭州市": 0.3, "苏州市": 0.1, "泉州市": 0.15, "金华市": 0.1},
    3: {"上海市": 0.35, "广州市": 0.45, "杭州市": 0.2},
    4: {"金华市": 0.35, "佛山市": 0.2, "广州市": 0.15, "临沂市": 0.15, "宁波市": 0.15},
    5: {"北京市": 0.45, "上海市": 0.15, "南京市": 0.1, "武汉市": 0.1, "长沙市": 0.2},
}

#: Experience codes of an order.
EXPERIENCES: tuple[str, ...] = ("on_time", "delayed", "damaged", "lost")
OK, DELAYED, DAMAGED, LOST = 0, 1, 2, 3


@dataclass
class ParcelPlan:
    """What happens to each draft order (rows aligned with the drafts)."""

    cancelled: np.ndarray
    carrier: np.ndarray
    origin_city: np.ndarray
    dest_district: np.ndarray
    ship_us: np.ndarray
    promise_us: np.ndarray
    arrive_us: np.ndarray  # arrival at the delivery station
    out_us: np.ndarray  # out for delivery
    deliver_us: np.ndarray  # delivery (or delivery attempt) time, uncensored
    same_province: np.ndarray
    incident: np.ndarray  # the parcel sat somewhere for extra days
    damaged: np.ndarray
    lost: np.ndarray
    refused: np.ndarray
    experience: np.ndarray  # OK / DELAYED / DAMAGED / LOST (-1 when cancelled)
    noticed_us: np.ndarray  # when the customer notices a bad experience

    def take(self, idx: np.ndarray) -> ParcelPlan:
        """Rows ``idx`` of every column."""
        return ParcelPlan(**{k: v[idx] for k, v in self.__dict__.items()})

    @staticmethod
    def empty_like(chunk: ParcelPlan, n: int) -> ParcelPlan:
        """Uninitialised columns of length ``n`` with the dtypes of ``chunk``."""
        return ParcelPlan(**{k: np.empty(n, dtype=v.dtype) for k, v in chunk.__dict__.items()})

    def fill(self, lo: int, chunk: ParcelPlan) -> None:
        """Copy ``chunk`` into rows ``lo ..`` of these columns."""
        for k, v in chunk.__dict__.items():
            self.__dict__[k][lo : lo + len(v)] = v


def _origin_cities(
    rng: np.random.Generator, category: np.ndarray, dest_prov: np.ndarray
) -> np.ndarray:
    origin = geo.capital_city(dest_prov)  # fresh: regional cold-chain warehouse
    for cat, mix in _ORIGINS.items():
        rows = np.flatnonzero(category == cat)
        idx = np.array([geo.city_index(c) for c in mix])
        p = np.array(list(mix.values()))
        origin[rows] = idx[rng.choice(len(idx), size=len(rows), p=p / p.sum())]
    return origin


def _local_hour(t_us: np.ndarray, utc_offset_us: int) -> np.ndarray:
    return ((t_us + utc_offset_us) // HOUR_US) % 24


def _next_morning(t_us: np.ndarray, utc_offset_us: int, rng: np.random.Generator) -> np.ndarray:
    """Return the next 08:00-10:00 local time after ``t_us`` (same day if before 07:00)."""
    local = t_us + utc_offset_us
    day0 = local // _DAY_US * _DAY_US
    early = (local - day0) < 7 * HOUR_US
    morning = day0 + np.where(early, 0, _DAY_US) + 8 * HOUR_US
    morning += rng.integers(0, 2 * HOUR_US, len(t_us))
    return morning - utc_offset_us


def plan_parcels(
    rng: np.random.Generator,
    cust: Customers,
    drafts: OrderDrafts,
    drop_district: np.ndarray,
    grid: cal.HourGrid,
    utc_offset_us: int,
    chunk: int = 1_000_000,
) -> ParcelPlan:
    """Decide carrier, route, timing and mishaps of every draft order (in chunks of rows)."""
    out: ParcelPlan | None = None
    for lo in range(0, max(drafts.n, 1), chunk):
        part = drafts.take(np.arange(lo, min(lo + chunk, drafts.n)))
        plan = _plan_chunk(rng, cust, part, drop_district, grid, utc_offset_us)
        if out is None:
            out = ParcelPlan.empty_like(plan, drafts.n)
        out.fill(lo, plan)
    assert out is not None
    return out


def _plan_chunk(
    rng: np.random.Generator,
    cust: Customers,
    drafts: OrderDrafts,
    drop_district: np.ndarray,
    grid: cal.HourGrid,
    utc_offset_us: int,
) -> ParcelPlan:
    m = drafts.n
    c, cat = drafts.cust, drafts.category
    fraud = drafts.fraud
    cod = drafts.cod
    dest = np.where(
        drafts.recipient == SELF,
        cust.home.district[c],
        np.where(drafts.recipient == OFFICE, cust.office.district[c], cust.family.district[c]),
    )
    on_ring = (drafts.recipient == RING) & (drafts.ring_drop >= 0)
    dest[on_ring] = drop_district[drafts.ring_drop[on_ring]]
    dest_city = geo.DISTRICT_CITY[dest]
    dest_prov = geo.CITY_PROVINCE[dest_city]
    remote = geo.PROVINCE_REMOTE[dest_prov]

    mix = _CARRIER_MIX[cat].copy()
    mix[:, 6] *= np.array([1.0, 1.3, 1.8, 4.0])[remote]
    mix[:, :2] *= np.where(cust.is_b[c], 1.5, 1.0)[:, None]
    np.cumsum(mix, axis=1, out=mix)
    carrier = (rng.random(m)[:, None] * mix[:, -1:] > mix).sum(axis=1).astype(np.int8)
    origin = _origin_cities(rng, cat, dest_prov)
    origin_prov = geo.CITY_PROVINCE[origin]
    same_city = origin == dest_city
    same_prov = origin_prov == dest_prov

    excess = np.clip((grid.cat_day @ cal.CATEGORY_SHARES - 1.0) / 2.0, 0, 1)
    # Backlog after a peak: the load of the last five days.
    load = np.convolve(np.r_[np.zeros(4), excess], np.ones(5) / 5, mode="valid")
    day = grid.day_of_hour[drafts.hour]
    peak = load[day] * 2.0

    handling = rng.lognormal(np.log(_HANDLING_H[carrier]), 0.6) * (1 + 1.5 * peak)
    handling[cat == 0] *= 0.5
    ship = drafts.t_us + (handling * HOUR_US).astype(np.int64)
    # Spring Festival: carriers stop around New Year's Day and restart about a week later.
    sf = cal.spring_festival_offset_of_day(grid)
    ship_day = np.clip((ship - grid.start_us) // _DAY_US, 0, len(grid.dates) - 1)
    off = sf[ship_day]
    shut = (off >= -5) & (off <= 5)
    restart = ship + ((6 - np.nan_to_num(off)) * _DAY_US).astype(np.int64)
    ship = np.where(shut, restart + rng.integers(0, 2 * _DAY_US, m), ship)

    km = geo.distance_km(origin_prov, dest_prov)
    nominal = 0.5 + km / 700.0 * _SPEED[carrier] + _REMOTE_DAYS[remote] * _REMOTE_FACTOR[carrier]
    nominal = np.where(same_city, 0.35, nominal)
    transit = nominal * rng.lognormal(0.0, 0.25, m) * (1 + 0.6 * peak)
    p_incident = _INCIDENT[carrier] * _REMOTE_INCIDENT[remote] * (1 + 2.0 * peak)
    incident = rng.random(m) < p_incident
    transit += incident * rng.uniform(1.0, 4.0, m)
    arrive = ship + (transit * _DAY_US).astype(np.int64)
    out = _next_morning(arrive, utc_offset_us, rng)
    deliver = out + (rng.uniform(0.3, 7.0, m) * HOUR_US).astype(np.int64)

    promise_days = np.ceil(nominal + 0.6) + _SLACK_DAYS[carrier]
    ship_local_day = (ship + utc_offset_us) // _DAY_US * _DAY_US
    promise = ship_local_day + (promise_days * _DAY_US).astype(np.int64) + 20 * HOUR_US
    promise -= utc_offset_us

    p_damage = (
        _DAMAGE[carrier] * _DAMAGE_BY_CATEGORY[cat] * _REMOTE_DAMAGE[remote] * (1 + 0.5 * peak)
    )
    damaged = rng.random(m) < p_damage
    lost = rng.random(m) < _LOSS[carrier] * (1 + 1.0 * peak)
    late = deliver > promise
    p_refuse = np.where(
        fraud,
        np.where(cod, 0.45, 0.10),
        np.where(
            cod,
            0.035 + 0.05 / (1 + np.exp(-cust.credit_risk[c])) + 0.12 * late,
            0.004 + 0.05 * late,
        ),
    )
    refused = ~lost & (rng.random(m) < p_refuse)
    p_cancel = 0.03 + 0.03 * cod + 0.05 * fraud
    cancelled = rng.random(m) < p_cancel

    experience = np.where(lost, LOST, np.where(damaged, DAMAGED, np.where(late, DELAYED, OK)))
    experience = np.where(cancelled, -1, experience).astype(np.int8)
    noticed = np.where(
        experience == LOST,
        promise + 2 * _DAY_US,
        np.where(experience == DAMAGED, deliver, promise),
    )
    return ParcelPlan(
        cancelled=cancelled,
        carrier=carrier,
        origin_city=origin.astype(np.int16),
        dest_district=dest.astype(np.int16),
        ship_us=ship,
        promise_us=promise,
        arrive_us=arrive,
        out_us=out,
        deliver_us=deliver,
        same_province=same_prov,
        incident=incident,
        damaged=damaged & ~lost & ~cancelled,
        lost=lost & ~cancelled,
        refused=refused & ~cancelled,
        experience=experience,
        noticed_us=noticed,
    )
