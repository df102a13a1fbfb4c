"""Render the ``orders`` table: ids, amounts, statuses and recipient fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _calendar as cal
from custintel.data.demo import _strings as s
from custintel.data.demo._customer_table import RecipientBooks, timestamps
from custintel.data.demo._customers import CHANNELS, Customers
from custintel.data.demo._orders import FAMILY, HOUR_US, OFFICE, RING, OrderDrafts
from custintel.data.demo._shipping import ParcelPlan
from custintel.data.schema import ORDER_STATUSES, PAYMENT_METHODS

_DAY_US = 24 * HOUR_US
COMPLETED, CANCELLED, RETURNED, REFUSED = (
    ORDER_STATUSES.index(k) for k in ("completed", "cancelled", "returned", "refused")
)
_PRICE_MEDIAN = np.log(np.array([49.0, 299.0, 99.0, 129.0, 35.0, 35.0]))
_PRICE_SIGMA = np.array([0.6, 1.0, 0.6, 0.6, 0.7, 0.45])
_QTY_C = np.array([1.2, 0.1, 0.5, 0.6, 1.0, 0.8])
_QTY_B = np.array([8.0, 2.0, 6.0, 4.0, 10.0, 12.0])
_RETURN_RATE = np.array([0.03, 0.06, 0.16, 0.05, 0.04, 0.02])


@dataclass(frozen=True)
class OrderFacts:
    """Per-order results that later tables need."""

    amount: np.ndarray
    quantity: np.ndarray
    status: np.ndarray
    returned: np.ndarray  # a return / refund happened (before the end)
    returned_us: np.ndarray
    delivered: np.ndarray  # handed over before the end


def order_facts(
    rng: np.random.Generator, cust: Customers, d: OrderDrafts, plan: ParcelPlan, end_us: int
) -> OrderFacts:
    """Draw amounts and settle each order's status as of ``end_us``."""
    m = d.n
    c, cat = d.cust, d.category
    qty = 1 + rng.poisson(np.where(cust.is_b[c], _QTY_B[cat], _QTY_C[cat]))
    unit = np.exp(
        _PRICE_MEDIAN[cat] + _PRICE_SIGMA[cat] * rng.standard_normal(m) + 0.2 * cust.value[c]
    )
    discount = np.where(d.coupon, rng.uniform(0.05, 0.3, m), 0.0)
    amount = np.round(unit * qty * (1 - discount), 2)

    delivered = ~plan.cancelled & ~plan.lost & ~plan.refused & (plan.deliver_us < end_us)
    late = plan.deliver_us > plan.promise_us
    p_return = np.where(plan.damaged, 0.6, _RETURN_RATE[cat] + 0.03 * late)
    ret_after = delivered & (rng.random(m) < p_return)
    ret_us = np.where(
        plan.lost,
        plan.noticed_us + (rng.uniform(1, 5, m) * _DAY_US).astype(np.int64),
        plan.deliver_us + (rng.uniform(1, 7, m) * _DAY_US).astype(np.int64),
    )
    returned = (ret_after | plan.lost) & ~plan.cancelled & (ret_us < end_us)
    refused = plan.refused & (plan.deliver_us < end_us)
    status = np.full(m, COMPLETED, dtype=np.int8)
    status[returned] = RETURNED
    status[refused] = REFUSED
    status[plan.cancelled] = CANCELLED
    return OrderFacts(
        amount=amount,
        quantity=qty.astype(np.int64),
        status=status,
        returned=returned,
        returned_us=np.where(returned, ret_us, np.iinfo(np.int64).min),
        delivered=delivered,
    )


def order_ids(rng: np.random.Generator, t_us: np.ndarray, utc_offset_us: int) -> pa.Array:
    """``yyyymmdd`` of the local order date + an 8-digit serial (``t_us`` must be sorted)."""
    local_day = (t_us + utc_offset_us) // _DAY_US
    d = local_day.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]")
    ymd = (
        (year.astype(np.int64) + 1970) * 10_000
        + (month - year.astype("datetime64[M]")).astype(np.int64) * 100
        + 100
        + (d - month.astype("datetime64[D]")).astype(np.int64)
        + 1
    )
    first = np.searchsorted(local_day, local_day)
    day_no = local_day - local_day[0] if len(local_day) else local_day
    offset = rng.integers(1_000_000, 40_000_000, int(day_no.max()) + 1 if len(day_no) else 1)
    serial = offset[day_no] + (np.arange(len(t_us)) - first) * 7 + rng.integers(0, 7, len(t_us))
    return s.fixed_ids("", ymd * 100_000_000 + serial, 16)


def render_orders(
    d: OrderDrafts,
    facts: OrderFacts,
    books: RecipientBooks,
    ids: pa.Array,
    customer_ids: pa.Array,
    tz: str,
) -> pd.DataFrame:
    """Return the orders table (rows in ``d`` order)."""
    n = books.n
    c = d.cust.astype(np.int32)
    ring = d.recipient == RING
    name_idx = np.where(d.recipient == FAMILY, n + c, c)
    name_idx = np.where(ring & (d.ring_alias >= 0), 2 * n + d.ring_alias, name_idx)
    phone_idx = np.where(d.recipient == FAMILY, n + c, c)
    phone_idx = np.where(ring & (d.ring_phone >= 0), 2 * n + d.ring_phone, phone_idx)
    addr_idx = np.where(d.recipient == OFFICE, n + c, np.where(d.recipient == FAMILY, 2 * n + c, c))
    addr_idx = np.where(ring & (d.ring_drop >= 0), 3 * n + d.ring_drop, addr_idx)
    return pd.DataFrame(
        {
            "order_id": s.to_series(ids),
            "customer_id": s.to_series(s.take(customer_ids, c)),
            "ordered_at": timestamps(d.t_us, tz),
            "amount": facts.amount,
            "category": s.categorical(d.category, cal.CATEGORIES),
            "quantity": facts.quantity,
            "payment_method": s.categorical(d.cod.astype(np.int8), PAYMENT_METHODS),
            "channel": s.categorical(d.channel, CHANNELS),
            "coupon_used": d.coupon,
            "status": s.categorical(facts.status, ORDER_STATUSES),
            "recipient_name": s.to_series(s.take(books.names, name_idx)),
            "recipient_phone": s.to_series(s.take(books.phones, phone_idx)),
            "recipient_address": s.to_series(s.take(books.addresses, addr_idx)),
        }
    )
