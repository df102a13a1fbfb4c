"""Pay-after-delivery invoices: per-order bills for consumers, monthly statements for businesses.

Consumers who choose pay-after-delivery (货到付款 / 先用后付) get one invoice per delivered,
kept order, due seven days after delivery. Business credit accounts (月结) get one statement per
month covering that month's delivered orders, due 30 days after issue. Whether an invoice is paid
on time, late or never depends on the customer's latent credit risk plus behaviour: earlier
refusals and a short tenure raise the risk. Payments after the data's end are not yet visible
(``paid_at`` missing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custintel.data.demo._customers import Customers

_DAY_US = 24 * 3_600_000_000
NAT = np.iinfo(np.int64).min
#: Payment outcomes recorded in the truth.
OUTCOMES: tuple[str, ...] = ("on_time", "late", "default", "open")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Invoices:
    """Invoice rows (customer row, times, amount) and their hidden outcome."""

    customer: np.ndarray
    issued_us: np.ndarray
    due_us: np.ndarray
    amount: np.ndarray
    paid_us: np.ndarray  # NAT = unpaid as of the end
    outcome: np.ndarray  # index into OUTCOMES
    p_default: np.ndarray


def prior_refusals(order_cust: np.ndarray, order_t: np.ndarray, refused: np.ndarray) -> np.ndarray:
    """Count the customer's refused orders placed before each order."""
    order = np.lexsort((order_t, order_cust))
    c, r = order_cust[order], refused[order].astype(np.int64)
    cum = np.cumsum(r) - r
    first = np.r_[0, np.flatnonzero(np.diff(c)) + 1]
    start = np.repeat(cum[first], np.diff(np.r_[first, len(c)]))
    out = np.empty_like(cum)
    out[order] = cum - start
    return out


def draw_invoices(
    rng: np.random.Generator,
    cust: Customers,
    order_cust: np.ndarray,
    order_t: np.ndarray,
    cod: np.ndarray,
    delivered: np.ndarray,
    returned: np.ndarray,
    refused: np.ndarray,
    deliver_us: np.ndarray,
    amount: np.ndarray,
    end_us: int,
    utc_offset_us: int,
) -> Invoices:
    """Bill the pay-after-delivery orders and decide how each bill is paid."""
    refusals = prior_refusals(order_cust, order_t, refused)
    billable = cod & delivered & ~returned
    statement = cust.credit_account[order_cust]

    # Consumers: one invoice per order, issued on delivery.
    c_rows = np.flatnonzero(billable & ~statement)
    c_cust = order_cust[c_rows]
    c_issue = deliver_us[c_rows]
    c_due = c_issue + 7 * _DAY_US
    c_amount = amount[c_rows]
    c_refusals = refusals[c_rows]

    # Business credit accounts: one statement per customer and delivery month.
    b_rows = np.flatnonzero(billable & statement)
    month = (
        ((deliver_us[b_rows] + utc_offset_us) // _DAY_US)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
    )
    key = order_cust[b_rows] * 100_000 + month.astype(np.int64)
    uniq, inv = np.unique(key, return_inverse=True)
    b_amount = np.bincount(inv, weights=amount[b_rows])
    b_refusals = np.zeros(len(uniq), dtype=np.int64)
    np.maximum.at(b_refusals, inv, refusals[b_rows])
    b_cust = uniq // 100_000
    next_month = (uniq % 100_000 + 1).astype("datetime64[M]").astype("datetime64[D]")
    b_issue = next_month.astype(np.int64) * _DAY_US + 10 * 3_600_000_000 - utc_offset_us
    b_due = b_issue + 30 * _DAY_US

    who = np.concatenate([c_cust, b_cust])
    issued = np.concatenate([c_issue, b_issue])
    due = np.concatenate([c_due, b_due])
    money = np.round(np.concatenate([c_amount, b_amount]), 2)
    prior = np.concatenate([c_refusals, b_refusals])
    keep = issued < end_us
    who, issued, due, money, prior = who[keep], issued[keep], due[keep], money[keep], prior[keep]

    n = len(who)
    tenure_days = (issued - cust.reg_us[who]) / _DAY_US
    risk = cust.credit_risk[who]
    behaviour = 0.7 * np.minimum(prior, 3) + 0.6 * (tenure_days < 60) + 0.4 * cust.is_fraud[who]
    p_default = _sigmoid(-4.5 + 1.3 * risk + behaviour)
    p_late = _sigmoid(-1.6 + 1.0 * risk + 0.5 * behaviour)
    u = rng.random(n)
    default = u < p_default
    late = ~default & (rng.random(n) < p_late)
    pay_on_time = issued + (rng.random(n) * (due - issued)).astype(np.int64)
    pay_late = due + (rng.exponential(12.0, n) * _DAY_US + _DAY_US).astype(np.int64)
    paid = np.where(default, NAT, np.where(late, pay_late, pay_on_time))
    paid = np.where(paid >= end_us, NAT, paid)
    outcome = np.where(default, 2, np.where(late, 1, 0))
    outcome = np.where(~default & (paid == NAT), 3, outcome)
    order = np.argsort(issued, kind="stable")
    return Invoices(
        customer=who[order],
        issued_us=issued[order],
        due_us=due[order],
        amount=money[order],
        paid_us=paid[order],
        outcome=outcome[order],
        p_default=p_default[order],
    )
