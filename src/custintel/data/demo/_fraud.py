"""Fraud rings: groups of fresh accounts that order in bursts to shared drop points.

A ring registers its accounts within a few days (many on virtual-operator numbers), then orders
resellable goods in a burst, mostly paid on delivery with coupons, addressed to a handful of
shared recipient phones, drop addresses and aliases such as 王先生. Many of those parcels are
refused. Investigators label part of the rings' orders and accounts, and clear some suspicious
legitimate ones (the labelled negatives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custintel.data.demo import _addresses as addr
from custintel.data.demo import _calendar as cal
from custintel.data.demo import _geography as geo
from custintel.data.demo import _people as ppl
from custintel.data.demo._customers import Customers
from custintel.data.demo._orders import HOUR_US, RING, SELF, OrderDrafts

_DAY_US = 24 * HOUR_US
# Categories a ring orders: mostly goods that resell well.
_RING_CATEGORIES = np.array([0.05, 0.45, 0.10, 0.25, 0.10, 0.05])


@dataclass(frozen=True)
class RingPlan:
    """The rings and their shared recipient books."""

    member_ring: np.ndarray  # ring of each fraud account, in draw order
    member_reg_us: np.ndarray
    member_city: np.ndarray
    launch_us: np.ndarray  # per ring
    city: np.ndarray  # per ring
    phone_book: np.ndarray  # shared recipient phones
    phone_start: np.ndarray  # per ring: first index in phone_book
    phone_count: np.ndarray
    drop_book: addr.AddressParts
    drop_start: np.ndarray
    drop_count: np.ndarray
    alias_book: ppl.NameParts
    alias_gender: np.ndarray

    @property
    def n_rings(self) -> int:
        """Number of rings."""
        return len(self.launch_us)


def draw_rings(
    rng: np.random.Generator, n_accounts: int, grid: cal.HourGrid, taken_phones: np.ndarray
) -> RingPlan:
    """Split ``n_accounts`` fraud accounts into rings and give each ring its shared books."""
    sizes = np.minimum(3 + rng.geometric(0.2, size=max(1, n_accounts)), 25)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_accounts)) + 1]
    sizes[-1] -= sizes.sum() - n_accounts
    sizes = sizes[sizes > 0]
    n_rings = len(sizes)
    end_us = grid.start_us + grid.n_hours * HOUR_US
    span = max(end_us - grid.start_us - 50 * _DAY_US, _DAY_US)
    launch = grid.start_us + 30 * _DAY_US + (rng.random(n_rings) * span).astype(np.int64)
    launch = np.minimum(launch, end_us - 20 * _DAY_US)
    city = geo.draw_cities(rng, n_rings, 0.1)
    member_ring = np.repeat(np.arange(n_rings), sizes)
    reg = launch[member_ring] + (rng.exponential(2.0, n_accounts) * _DAY_US).astype(np.int64)
    phone_count = 1 + rng.binomial(2, 0.5, n_rings)
    drop_count = 1 + rng.binomial(1, 0.5, n_rings)
    phones = ppl.draw_phones(rng, int(phone_count.sum()), 0.6, taken_phones)
    drop_city = np.repeat(city, drop_count)
    alias_gender = (rng.random(2 * n_rings) < 0.5).astype(np.int64)
    return RingPlan(
        member_ring=member_ring,
        member_reg_us=np.minimum(reg, end_us - _DAY_US),
        member_city=city[member_ring],
        launch_us=launch,
        city=city,
        phone_book=phones,
        phone_start=np.cumsum(phone_count) - phone_count,
        phone_count=phone_count,
        drop_book=addr.draw_addresses(rng, drop_city, addr.DROP),
        drop_start=np.cumsum(drop_count) - drop_count,
        drop_count=drop_count,
        alias_book=ppl.draw_names(rng, alias_gender),
        alias_gender=alias_gender,
    )


def burst_orders(
    rng: np.random.Generator, cust: Customers, plan: RingPlan, grid: cal.HourGrid
) -> OrderDrafts:
    """Draw the burst of orders of every fraud account."""
    rows = np.flatnonzero(cust.is_fraud)
    counts = 2 + rng.poisson(5.0, len(rows))
    c = np.repeat(rows, counts)
    m = len(c)
    gaps = rng.exponential(1.5 * _DAY_US, m)
    first = np.cumsum(counts) - counts
    cum = np.cumsum(gaps)
    offset = cum - np.repeat(cum[first] - gaps[first], counts)
    t_us = cust.reg_us[c] + (0.1 * _DAY_US + offset).astype(np.int64)
    end_us = grid.start_us + grid.n_hours * HOUR_US
    keep = t_us < end_us
    c, t_us = c[keep], t_us[keep]
    m = len(c)
    ring = cust.ring[c]
    recipient = np.where(rng.random(m) < 0.8, RING, SELF)
    via_ring = recipient == RING
    ring_phone = np.where(
        via_ring & (rng.random(m) < 0.85),
        plan.phone_start[ring] + (rng.random(m) * plan.phone_count[ring]).astype(np.int64),
        -1,
    )
    ring_drop = np.where(
        via_ring & (rng.random(m) < 0.85),
        plan.drop_start[ring] + (rng.random(m) * plan.drop_count[ring]).astype(np.int64),
        -1,
    )
    ring_alias = np.where(via_ring & (rng.random(m) < 0.6), 2 * ring + rng.integers(0, 2, m), -1)
    return OrderDrafts(
        cust=c,
        t_us=t_us,
        hour=((t_us - grid.start_us) // HOUR_US).astype(np.int32),
        category=rng.choice(6, size=m, p=_RING_CATEGORIES).astype(np.int8),
        channel=cust.channel[c].astype(np.int8),
        recipient=recipient.astype(np.int8),
        ring_phone=ring_phone.astype(np.int32),
        ring_drop=ring_drop.astype(np.int32),
        ring_alias=ring_alias.astype(np.int32),
        cod=rng.random(m) < 0.7,
        coupon=rng.random(m) < 0.85,
        welcome=np.zeros(m, dtype=bool),
        fraud=np.ones(m, dtype=bool),
    )


@dataclass(frozen=True)
class FraudLabels:
    """Investigated cases: either an order row or a customer row, a time and a verdict."""

    order: np.ndarray  # order row, -1 for customer-level labels
    customer: np.ndarray  # customer row, -1 for order-level labels
    labeled_us: np.ndarray
    is_fraud: np.ndarray


def draw_labels(
    rng: np.random.Generator,
    cust: Customers,
    order_cust: np.ndarray,
    order_t_us: np.ndarray,
    order_fraud: np.ndarray,
    order_refused: np.ndarray,
    virtual_phone: np.ndarray,
    end_us: int,
) -> FraudLabels:
    """Label part of the fraud rings' orders and accounts, and clear some legitimate ones."""
    n_rings = int(cust.ring.max()) + 1 if (cust.ring >= 0).any() else 0
    probed = np.zeros(max(n_rings, 1), dtype=bool)
    probed[rng.permutation(n_rings)[: -(-n_rings // 2)]] = True  # half the rings, at least one
    ring_of_order = cust.ring[order_cust]
    in_probe = order_fraud & probed[np.maximum(ring_of_order, 0)]
    pos_o = np.flatnonzero(in_probe & (rng.random(len(order_cust)) < 0.6))
    suspicious = (~order_fraud & order_refused & (rng.random(len(order_cust)) < 0.3)) | (
        ~order_fraud & (rng.random(len(order_cust)) < 0.002)
    )
    neg_o = np.flatnonzero(suspicious)
    o_rows = np.concatenate([pos_o, neg_o])
    o_time = order_t_us[o_rows] + (rng.uniform(3, 40, len(o_rows)) * _DAY_US).astype(np.int64)

    last = np.full(cust.n, np.iinfo(np.int64).min)
    np.maximum.at(last, order_cust, order_t_us)
    members = np.flatnonzero(cust.is_fraud & probed[np.maximum(cust.ring, 0)])
    pos_c = members[rng.random(len(members)) < 0.5]
    legit = ~cust.is_fraud & (last > np.iinfo(np.int64).min)
    neg_c = np.flatnonzero(
        legit & ((virtual_phone & (rng.random(cust.n) < 0.2)) | (rng.random(cust.n) < 0.002))
    )
    c_rows = np.concatenate([pos_c, neg_c])
    c_time = np.maximum(last[c_rows], cust.reg_us[c_rows]) + (
        rng.uniform(7, 60, len(c_rows)) * _DAY_US
    ).astype(np.int64)

    order = np.concatenate([o_rows, np.full(len(c_rows), -1)])
    customer = np.concatenate([np.full(len(o_rows), -1), c_rows])
    labeled = np.concatenate([o_time, c_time])
    verdict = np.concatenate([order_fraud[o_rows], cust.is_fraud[c_rows]])
    keep = labeled < end_us
    return FraudLabels(order[keep], customer[keep], labeled[keep], verdict[keep])
