"""Order drafts: when each customer orders, what, to whom and how they pay.

Orders follow an inhomogeneous Poisson process per customer: the customer's own rate times the
calendar intensity (weekly rhythm, festivals, Spring Festival, growth). The category of each
order is drawn from the customer's preferences weighted by the category's calendar on that day,
so fresh food spikes before Spring Festival and electronics on 618 and Double 11. Drafts are made
before churn is applied; churn later removes the drafts after a customer's churn time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from custintel.data.demo import _calendar as cal
from custintel.data.demo._customers import CHANNELS, Customers

HOUR_US = 3_600_000_000
# Recipient kinds of an order.
SELF, OFFICE, FAMILY, RING = 0, 1, 2, 3
# How often each category is paid after delivery, relative to the customer's propensity.
_COD_BY_CATEGORY = np.array([0.6, 1.2, 1.0, 0.9, 1.0, 0.8])


@dataclass
class OrderDrafts:
    """Column arrays of draft orders (one row per order, any order)."""

    cust: np.ndarray  # row of the customer (in Customers)
    t_us: np.ndarray  # ordered_at, microseconds since the epoch (UTC)
    hour: np.ndarray  # hour index on the calendar grid
    category: np.ndarray
    channel: np.ndarray
    recipient: np.ndarray  # SELF / OFFICE / FAMILY / RING
    ring_phone: np.ndarray  # index into the ring phone book (-1 = none)
    ring_drop: np.ndarray  # index into the ring drop-address book (-1 = none)
    ring_alias: np.ndarray  # index into the ring alias-name book (-1 = none)
    cod: np.ndarray
    coupon: np.ndarray
    welcome: np.ndarray  # first order right after sign-up
    fraud: np.ndarray

    @property
    def n(self) -> int:
        """Number of drafts."""
        return len(self.cust)

    def take(self, idx: np.ndarray) -> OrderDrafts:
        """Rows ``idx`` of every column."""
        return OrderDrafts(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def slim(self) -> OrderDrafts:
        """Keep only who, when, payment, recipient kind and fraud flag (frees memory)."""
        keep = {"cust", "t_us", "cod", "recipient", "fraud"}
        return OrderDrafts(
            **{
                f.name: getattr(self, f.name) if f.name in keep else getattr(self, f.name)[:0]
                for f in fields(self)
            }
        )

    @staticmethod
    def concat(a: OrderDrafts, b: OrderDrafts) -> OrderDrafts:
        """Stack two sets of drafts."""
        return OrderDrafts(
            **{f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(a)}
        )


def draw_categories(
    rng: np.random.Generator, pref: np.ndarray, day: np.ndarray, grid: cal.HourGrid
) -> np.ndarray:
    """Draw categories from customer preferences ``pref`` (rows) times the day's calendar."""
    out = np.empty(len(day), dtype=np.int8)
    step = 1_000_000
    for lo in range(0, len(day), step):
        w = pref[lo : lo + step] * grid.cat_day[day[lo : lo + step]].astype(np.float32)
        np.cumsum(w, axis=1, out=w)
        u = rng.random(len(w), dtype=np.float32) * w[:, -1]
        out[lo : lo + step] = (u[:, None] > w).sum(axis=1)
    return np.minimum(out, len(cal.CATEGORIES) - 1)


def festival_excess(grid: cal.HourGrid, hour: np.ndarray) -> np.ndarray:
    """How far above an ordinary day the order's date is (0 on ordinary days, ~1 on peaks)."""
    mix = grid.cat_day @ cal.CATEGORY_SHARES
    return np.clip((mix - 1.0) / 2.0, 0.0, 1.0)[grid.day_of_hour[hour]]


def draw_orders(rng: np.random.Generator, cust: Customers, grid: cal.HourGrid) -> OrderDrafts:
    """Draw the (pre-churn) orders of the legitimate customers."""
    legit = np.flatnonzero(~cust.is_fraud)
    group = cust.is_b[legit].astype(np.int64)
    first = np.clip(-(-(cust.reg_us[legit] - grid.start_us) // HOUR_US), 0, grid.n_hours)
    cum = grid.cumulative
    lo = cum[group, first]
    hi = cum[group, grid.n_hours]
    counts = rng.poisson(cust.rate[legit] * (hi - lo))
    rows = np.repeat(np.arange(len(legit)), counts)
    u = lo[rows] + rng.random(len(rows)) * (hi - lo)[rows]
    hour = np.empty(len(rows), dtype=np.int64)
    for g in (0, 1):
        m = group[rows] == g
        hour[m] = np.searchsorted(cum[g], u[m], side="right") - 1
    hour = np.clip(hour, first[rows], grid.n_hours - 1)
    t_us = grid.start_us + hour * HOUR_US + rng.integers(0, HOUR_US, len(rows))
    c = legit[rows]
    welcome = np.zeros(len(rows), dtype=bool)

    # A first order right after sign-up for most customers who joined inside the window.
    new = legit[(cust.reg_us[legit] >= grid.start_us) & (rng.random(len(legit)) < 0.6)]
    wt = cust.reg_us[new] + (rng.exponential(4.0, len(new)) * HOUR_US).astype(np.int64)
    inside = wt < grid.start_us + grid.n_hours * HOUR_US
    new, wt = new[inside], wt[inside]
    c = np.concatenate([c, new])
    t_us = np.concatenate([t_us, wt])
    hour = np.concatenate([hour, (wt - grid.start_us) // HOUR_US])
    welcome = np.concatenate([welcome, np.ones(len(new), dtype=bool)])
    return finish_drafts(rng, cust, grid, c, t_us, hour, welcome)


def finish_drafts(
    rng: np.random.Generator,
    cust: Customers,
    grid: cal.HourGrid,
    c: np.ndarray,
    t_us: np.ndarray,
    hour: np.ndarray,
    welcome: np.ndarray,
) -> OrderDrafts:
    """Draw category, channel, recipient, payment and coupon of orders at given times."""
    m = len(c)
    category = draw_categories(rng, cust.cat_pref[c], grid.day_of_hour[hour], grid)
    own = rng.random(m) < 0.75
    channel = np.where(
        own, cust.channel[c], rng.choice(len(CHANNELS), m, p=[0.45, 0.35, 0.12, 0.08])
    )
    u = rng.random(m)
    p_off, p_fam = cust.p_office[c], cust.p_family[c]
    recipient = np.where(u < p_off, OFFICE, np.where(u < p_off + p_fam, FAMILY, SELF))
    p_cod = np.clip(cust.cod_propensity[c] * _COD_BY_CATEGORY[category], 0.0, 0.95)
    cod = (rng.random(m) < p_cod) | cust.credit_account[c]
    p_coupon = 0.15 + 0.35 * festival_excess(grid, hour) + 0.55 * welcome
    coupon = rng.random(m) < p_coupon
    none = np.full(m, -1, dtype=np.int32)
    return OrderDrafts(
        cust=c.astype(np.int64),
        t_us=t_us.astype(np.int64),
        hour=hour.astype(np.int32),
        category=category,
        channel=channel.astype(np.int8),
        recipient=recipient.astype(np.int8),
        ring_phone=none,
        ring_drop=none.copy(),
        ring_alias=none.copy(),
        cod=cod,
        coupon=coupon,
        welcome=welcome,
        fraud=np.zeros(m, dtype=bool),
    )
