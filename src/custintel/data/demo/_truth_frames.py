"""Assemble the :class:`DemoTruth` frames from the generator's internal arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _addresses as addr
from custintel.data.demo import _geography as geo
from custintel.data.demo import _people as ppl
from custintel.data.demo import _strings as s
from custintel.data.demo._churn import NEVER, Churn
from custintel.data.demo._customer_table import timestamps
from custintel.data.demo._customers import Customers
from custintel.data.demo._duplicates import EMAIL_MODES, Duplicates
from custintel.data.demo._fraud import RingPlan
from custintel.data.demo._invoices import OUTCOMES, Invoices
from custintel.data.demo._orders import OrderDrafts
from custintel.data.demo._phrases import ASPECTS, POLARITIES
from custintel.data.demo._reviews import TEXT_EXPERIENCES, Texts
from custintel.data.demo._shipping import DAMAGED, DELAYED, EXPERIENCES, LOST
from custintel.data.demo._truth import DemoTruth
from custintel.data.schema import CUSTOMER_TYPES, REVIEW_SOURCES

_RECIPIENTS = ("self", "office", "family", "ring")


def truth_frames(
    cust: Customers,
    n_main: int,
    ids: pa.Array,
    churn: Churn,
    dups: Duplicates,
    drafts: OrderDrafts,
    experience: np.ndarray,
    order_ids: pa.Array,
    texts: Texts,
    review_ids: pa.Array,
    inv: Invoices,
    invoice_ids: pa.Array,
    rings: RingPlan,
    end_us: int,
    tz: str,
    params: dict[str, Any],
) -> DemoTruth:
    """Build the truth frames (rows aligned with the generated tables)."""
    nat = np.iinfo(np.int64).min
    person = cust.person
    churn_us = churn.churn_us[person]
    churned = (churn_us != NEVER) & (churn_us < end_us)
    person_ids = s.fixed_ids("P", person + 1, 8)
    customers = pd.DataFrame(
        {
            "customer_id": s.to_series(ids),
            "person_id": s.to_series(person_ids),
            "is_duplicate": np.arange(cust.n) >= n_main,
            "customer_type": s.categorical(np.where(cust.is_b, 0, 1), CUSTOMER_TYPES),
            "city_tier": cust.tier.astype(np.int8),
            "value": cust.value,
            "engagement": cust.engagement,
            "credit_risk": cust.credit_risk,
            "order_rate": cust.rate,
            "churn_hazard": cust.hazard,
            "churn_sensitivity": cust.sensitivity,
            "cod_propensity": cust.cod_propensity,
            "credit_account": cust.credit_account,
            "churned_at": timestamps(np.where(churned, churn_us, nat), tz),
            "churn_cause": s.categorical(
                np.where(churned, churn.by_experience[person].astype(np.int8), -1),
                ("baseline", "bad_delivery"),
            ),
            "is_fraud": cust.is_fraud,
            "ring_id": cust.ring.astype(np.int32),
        }
    )
    duplicates = pd.DataFrame(
        {
            "customer_id": s.to_series(s.take(ids, dups.original)),
            "duplicate_id": s.to_series(s.take(ids, n_main + np.arange(dups.n))),
            "person_id": s.to_series(s.take(person_ids, dups.original)),
            "name_changed": dups.name_changed,
            "phone_style": s.categorical(dups.phone_style, ppl.PHONE_STYLES),
            "province_style": s.categorical(dups.province_style, addr.PROVINCE_STYLES),
            "building_changed": dups.building_changed,
            "email_mode": s.categorical(dups.email_mode, EMAIL_MODES),
            "id_number_kept": dups.id_kept,
        }
    )
    exp = experience
    orders = pd.DataFrame(
        {
            "order_id": s.to_series(order_ids),
            "experience": s.categorical(
                np.where(exp < 0, len(EXPERIENCES), exp), (*EXPERIENCES, "cancelled")
            ),
            "bad_experience": (exp == DELAYED) | (exp == DAMAGED) | (exp == LOST),
            "recipient": s.categorical(drafts.recipient, _RECIPIENTS),
            "is_fraud": drafts.fraud,
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": s.to_series(review_ids),
            "source": s.categorical(texts.source, REVIEW_SOURCES),
            "experience": s.categorical(texts.experience, TEXT_EXPERIENCES),
            "polarity": s.categorical(texts.polarity, POLARITIES),
            "aspect_1": s.categorical(texts.aspect1, ASPECTS),
            "polarity_1": s.categorical(texts.polarity1, POLARITIES),
            "aspect_2": s.categorical(texts.aspect2, ASPECTS),
            "polarity_2": s.categorical(texts.polarity2, POLARITIES),
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": s.to_series(invoice_ids),
            "outcome": s.categorical(inv.outcome, OUTCOMES),
            "p_default": inv.p_default,
        }
    )
    ring_rows = pd.DataFrame(
        {
            "ring_id": np.arange(rings.n_rings, dtype=np.int32),
            "n_accounts": np.bincount(rings.member_ring, minlength=rings.n_rings),
            "city": s.categorical(rings.city, geo.CITIES),
            "launched_at": timestamps(rings.launch_us, tz),
            "n_shared_phones": rings.phone_count,
            "n_drop_addresses": rings.drop_count,
        }
    )
    return DemoTruth(
        customers=customers,
        duplicates=duplicates,
        orders=orders,
        reviews=reviews,
        invoices=invoices,
        rings=ring_rows,
        params=params,
    )
