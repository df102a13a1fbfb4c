"""Orchestration: draw every part of the demo business in order and assemble the tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _calendar as cal
from custintel.data.demo import _churn as churn_mod
from custintel.data.demo import _fraud as fraud
from custintel.data.demo import _people as ppl
from custintel.data.demo import _strings as s
from custintel.data.demo._customer_table import customer_ids, render_customers, timestamps
from custintel.data.demo._customers import Customers, draw_customers
from custintel.data.demo._duplicates import draw_duplicates, split_orders
from custintel.data.demo._invoices import draw_invoices
from custintel.data.demo._order_table import (
    REFUSED,
    RETURNED,
    OrderFacts,
    order_facts,
    order_ids,
    render_orders,
)
from custintel.data.demo._orders import OrderDrafts, draw_orders
from custintel.data.demo._reviews import Texts, draw_texts, render_reviews
from custintel.data.demo._shipping import EXPERIENCES, ParcelPlan, plan_parcels
from custintel.data.demo._tracking import render_events, render_shipments, waybills
from custintel.data.demo._truth import DemoTruth
from custintel.data.demo._truth_frames import truth_frames
from custintel.data.schema import DEFAULT_TZ

if TYPE_CHECKING:
    from custintel.data.dataset import Dataset

#: Share of business accounts, fraud-ring accounts and second-system duplicate records.
B_SHARE = 0.06
FRAUD_SHARE = 0.012
DUPLICATE_SHARE = 0.03
#: Median-customer order rate scale (orders per average year before churn), calibrated so that
#: the default two-year window has about ten orders per customer.
RATE_SCALE = 4.5
MIN_CUSTOMERS = 100
_STEPS = ("rings", "customers", "orders", "fraud_orders", "parcels", "churn", "duplicates",
          "split", "ids", "customer_table", "amounts", "order_ids", "waybills", "scans", "texts",
          "invoices", "labels")  # fmt: skip


def _window(
    start: str | pd.Timestamp, end: str | pd.Timestamp, tz: str
) -> tuple[pd.Timestamp, pd.Timestamp]:
    out = []
    for name, value in (("start", start), ("end", end)):
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name}={value!r} is not a date or timestamp; pass e.g. '2024-01-01'"
            ) from exc
        out.append(ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz))
    lo, hi = out
    if hi - lo < pd.Timedelta(days=28):
        raise ValueError(
            f"end={end!r} must lie at least 28 days after start={start!r}; "
            "the demo needs a few weeks of history"
        )
    return lo.as_unit("us"), hi.as_unit("us")


def generate_demo_frames(
    n_customers: int = 5_000,
    seed: int = 0,
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2025-01-01",
    *,
    tz: str = DEFAULT_TZ,
) -> tuple[dict[str, pd.DataFrame], DemoTruth]:
    """Generate the seven demo tables and their ground truth, without validation.

    Same parameters as :func:`make_demo_dataset`; returns ``(frames, truth)`` where ``frames``
    maps each table name of the data contract to its DataFrame.
    """
    if isinstance(n_customers, bool) or not isinstance(n_customers, int | np.integer):
        raise TypeError(f"n_customers must be an int, got {type(n_customers).__name__}")
    if n_customers < MIN_CUSTOMERS:
        raise ValueError(f"n_customers={n_customers} is too small; use at least {MIN_CUSTOMERS}")
    n = int(n_customers)
    start_ts, end_ts = _window(start, end, tz)
    end_us = int(end_ts.value // 1_000)
    offset = start_ts.utcoffset()
    utc_offset_us = int(offset.total_seconds() * 1_000_000) if offset is not None else 0
    rng = dict(zip(_STEPS, np.random.default_rng(seed).spawn(len(_STEPS)), strict=True))
    grid = cal.hour_grid(start_ts, end_ts)

    n_dup = round(DUPLICATE_SHARE * n)
    n_fraud = max(3, round(FRAUD_SHARE * n))
    n_main = n - n_dup
    rings = fraud.draw_rings(rng["rings"], n_fraud, grid, np.empty(0, np.int64))
    cust = draw_customers(
        rng["customers"],
        n_main,
        grid,
        b_share=B_SHARE,
        rate_scale=RATE_SCALE,
        fraud_reg_us=rings.member_reg_us,
        fraud_ring=rings.member_ring,
        fraud_city=rings.member_city,
        taken_phones=rings.phone_book,
    )
    drafts = OrderDrafts.concat(
        draw_orders(rng["orders"], cust, grid),
        fraud.burst_orders(rng["fraud_orders"], cust, rings, grid),
    )
    plan = plan_parcels(rng["parcels"], cust, drafts, rings.drop_book.district, grid, utc_offset_us)
    churn = churn_mod.draw_churn(rng["churn"], cust, drafts.cust, plan, grid.start_us)
    kept = np.flatnonzero(drafts.t_us < churn.churn_us[drafts.cust])
    kept = kept[np.argsort(drafts.t_us[kept], kind="stable")]
    drafts, plan = drafts.take(kept), plan.take(kept)

    dups = draw_duplicates(rng["duplicates"], cust, n_dup, end_us)
    drafts.cust = split_orders(rng["split"], dups, n_main, drafts.cust, drafts.t_us)
    everyone = Customers.concat(cust, dups.records)
    del cust
    ids = customer_ids(rng["ids"], n_main, dups.n)
    facts = order_facts(rng["amounts"], everyone, drafts, plan, end_us)
    oid = order_ids(rng["order_ids"], drafts.t_us, utc_offset_us)

    # Parcels first, while the order table's strings do not exist yet (keeps the peak low).
    ship = np.flatnonzero(~plan.cancelled)
    deliver_us, experience = plan.deliver_us, plan.experience
    splan = plan.take(ship)
    del plan
    waybill = waybills(rng["waybills"], splan.carrier)
    shipments = render_shipments(
        splan, facts.delivered[ship], waybill, s.take(oid, ship), end_us, tz
    )
    events = render_events(rng["scans"], splan, waybill, end_us, tz)
    reviews, texts, review_ids = _reviews(
        rng["texts"], splan, ship, facts, everyone, drafts, waybill, oid, ids, end_us, tz
    )
    del splan, waybill

    refused = facts.status == REFUSED
    inv = draw_invoices(
        rng["invoices"],
        everyone,
        drafts.cust,
        drafts.t_us,
        drafts.cod,
        facts.delivered,
        facts.returned,
        refused,
        deliver_us,
        facts.amount,
        end_us,
        utc_offset_us,
    )
    invoice_ids = s.fixed_ids("INV", 1_000_000_000 + np.arange(len(inv.customer)) * 3, 10)
    invoices = pd.DataFrame(
        {
            "invoice_id": s.to_series(invoice_ids),
            "customer_id": s.to_series(s.take(ids, inv.customer)),
            "issued_at": timestamps(inv.issued_us, tz),
            "due_at": timestamps(inv.due_us, tz),
            "amount": inv.amount,
            "paid_at": timestamps(inv.paid_us, tz),
        }
    )

    labels = fraud.draw_labels(
        rng["labels"],
        everyone,
        drafts.cust,
        drafts.t_us,
        drafts.fraud,
        refused,
        ppl.is_virtual(everyone.phone),
        end_us,
    )
    by_time = np.argsort(labels.labeled_us, kind="stable")
    fraud_labels = pd.DataFrame(
        {
            "order_id": s.to_series(s.take(oid, labels.order[by_time])),
            "customer_id": s.to_series(s.take(ids, labels.customer[by_time])),
            "labeled_at": timestamps(labels.labeled_us[by_time], tz),
            "is_fraud": labels.is_fraud[by_time],
        }
    )

    del deliver_us, refused, labels, by_time
    customers, books = render_customers(
        rng["customer_table"], everyone, n_main, dups, rings, ids, tz
    )
    orders = render_orders(drafts, facts, books, oid, ids, tz)
    del books, ship
    drafts = drafts.slim()

    frames = {
        "customers": customers,
        "orders": orders,
        "shipments": shipments,
        "tracking_events": events,
        "reviews": reviews,
        "invoices": invoices,
        "fraud_labels": fraud_labels,
    }
    params = {
        "n_customers": n,
        "seed": seed,
        "start": start_ts,
        "end": end_ts,
        "tz": tz,
        "b_share": B_SHARE,
        "fraud_share": FRAUD_SHARE,
        "duplicate_share": DUPLICATE_SHARE,
        "rate_scale": RATE_SCALE,
        "n_duplicates": dups.n,
        "n_fraud_accounts": n_fraud,
        "n_rings": rings.n_rings,
        "churn_tau_days": churn_mod.TAU_DAYS,
        "churn_bump_weight": {EXPERIENCES[k]: w for k, w in churn_mod.BUMP_WEIGHT.items()},
        "growth_per_year": cal.GROWTH_PER_YEAR,
    }
    truth = truth_frames(
        everyone,
        n_main,
        ids,
        churn,
        dups,
        drafts,
        experience,
        oid,
        texts,
        review_ids,
        inv,
        invoice_ids,
        rings,
        end_us,
        tz,
        params,
    )
    return frames, truth


def _reviews(
    rng: np.random.Generator,
    splan: ParcelPlan,
    ship: np.ndarray,
    facts: OrderFacts,
    everyone: Customers,
    drafts: OrderDrafts,
    waybill: pa.Array,
    oid: pa.Array,
    ids: pa.Array,
    end_us: int,
    tz: str,
) -> tuple[pd.DataFrame, Texts, pa.Array]:
    """Draw the texts of the shipped orders; return the reviews table, texts and their ids."""
    status = facts.status[ship]
    refund = (status == RETURNED) | (status == REFUSED)
    refund_us = np.where(status == REFUSED, splan.deliver_us, facts.returned_us[ship])
    texts = draw_texts(
        rng,
        splan,
        refund,
        refund_us,
        facts.delivered[ship],
        everyone.engagement[drafts.cust[ship]],
        waybill,
        end_us,
    )
    texts = texts.take(np.argsort(texts.created_us, kind="stable"))
    review_ids = s.grouped_ids(texts.source, ("RV", "TK", "CL"), 10)
    about = ship[texts.order]
    reviews = render_reviews(
        texts, review_ids, s.take(ids, drafts.cust[about]), s.take(oid, about), tz
    )
    return reviews, texts, review_ids


def make_demo_dataset(
    n_customers: int = 5_000,
    seed: int = 0,
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2025-01-01",
    *,
    tz: str = DEFAULT_TZ,
) -> Dataset:
    """Generate a realistic demo dataset of a Chinese e-commerce logistics business.

    All seven tables of the data contract are filled: customers (consumers and businesses in
    31 provinces, with fake but realistic names, mobile numbers, e-mails, id numbers and
    addresses), orders (weekly rhythm, 618 and Double-11 peaks, a Spring Festival dip), parcels
    and their tracking scans (seven carriers, slower remote provinces, delays, damage, loss,
    refusals), Chinese reviews, tickets and call notes whose tone follows the delivery,
    pay-after-delivery invoices with late payment and default, and fraud labels. The data carry
    planted signal with known ground truth (``dataset.truth``, a :class:`DemoTruth`): churn that
    rises after bad deliveries, credit risk, fraud rings, duplicate identities and the intended
    sentiment and aspects of every text. No real person's data is used.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customer accounts (rows of ``customers``), at least 100. About 3% are a
        person's second record and about 1.2% belong to fraud rings. Orders average about ten
        per customer over two years.
    seed : int, default 0
        Random seed; the same seed gives the same data.
    start, end : str or pandas.Timestamp
        The window of activity, at least 28 days. Naive values are read in ``tz``. Nothing in
        the data lies at or after ``end`` except scheduled times (promised delivery, invoice due
        dates). Spring Festival effects need dates within 2015-2035 (the built-in calendar).
    tz : str, default "Asia/Shanghai"
        Time zone of the business.

    Returns
    -------
    Dataset
        The validated tables, with the ground truth attached as ``truth``.

    See Also
    --------
    generate_demo_frames : the same data as plain DataFrames, without validation.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=300, seed=1)
    >>> ds.truth.customers.columns[:3].tolist()
    ['customer_id', 'person_id', 'is_duplicate']
    """
    from custintel.data.dataset import Dataset

    frames, truth = generate_demo_frames(n_customers, seed, start, end, tz=tz)
    _, end_ts = _window(start, end, tz)
    return Dataset.from_frames(
        frames["customers"],
        frames["orders"],
        shipments=frames["shipments"],
        tracking_events=frames["tracking_events"],
        reviews=frames["reviews"],
        invoices=frames["invoices"],
        fraud_labels=frames["fraud_labels"],
        tz=tz,
        end=end_ts,
        truth=truth,
    )
