"""Churn as competing risks: a baseline hazard plus a decaying hazard after each bad delivery.

A customer's hazard is ``h0 + sum_k s * w_k * exp(-(t - t_k) / tau)`` where ``h0`` falls with
engagement and value, ``s`` is the customer's sensitivity, and each bad experience ``k`` (delay,
damage, loss, noticed at ``t_k``) adds a bump of weight ``w_k`` that decays with time constant
``tau``. Hazards that add up are independent competing risks, so the churn time is the minimum of
one baseline exponential time and one (possibly never-firing) time per bad experience: this is
exact and needs no time loop. Orders after the churn time are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custintel.data.demo._customers import Customers
from custintel.data.demo._shipping import DAMAGED, DELAYED, LOST, ParcelPlan

_YEAR_US = 365.25 * 24 * 3_600_000_000
_DAY_US = 24 * 3_600_000_000
NEVER = np.iinfo(np.int64).max
#: Decay time of the hazard bump after a bad delivery, in days.
TAU_DAYS = 45.0
#: Integrated hazard of one bump per severity (DELAYED, DAMAGED, LOST) for sensitivity 1:
#: the chance that a single event alone ends the relationship is ``1 - exp(-weight)``.
BUMP_WEIGHT = {DELAYED: 0.16, DAMAGED: 0.43, LOST: 0.69}


@dataclass(frozen=True)
class Churn:
    """Churn time of each customer and which risk caused it."""

    churn_us: np.ndarray  # NEVER when the customer never churns
    by_experience: np.ndarray  # True when a bad-delivery bump fired first


def draw_churn(
    rng: np.random.Generator,
    cust: Customers,
    order_cust: np.ndarray,
    plan: ParcelPlan,
    start_us: int,
) -> Churn:
    """Draw every customer's churn time from their baseline hazard and bad experiences."""
    base_from = np.maximum(cust.reg_us, start_us)
    base = base_from + (rng.exponential(1.0, cust.n) / cust.hazard * _YEAR_US).astype(np.int64)
    base = np.where(cust.is_fraud, NEVER, base)

    exp = plan.experience
    bad = np.flatnonzero((exp == DELAYED) | (exp == DAMAGED) | (exp == LOST))
    weight = np.zeros(4)
    for k, w in BUMP_WEIGHT.items():
        weight[k] = w
    a = weight[exp[bad]] * cust.sensitivity[order_cust[bad]]
    e = rng.exponential(1.0, len(bad))
    fires = e < a
    delay_days = -TAU_DAYS * np.log1p(-e[fires] / a[fires])
    fire_us = plan.noticed_us[bad[fires]] + (delay_days * _DAY_US).astype(np.int64)
    trigger = np.full(cust.n, NEVER)
    np.minimum.at(trigger, order_cust[bad[fires]], fire_us)
    trigger = np.where(cust.is_fraud, NEVER, trigger)
    churn = np.minimum(base, trigger)
    return Churn(churn_us=churn, by_experience=trigger < base)
