"""Reviews, service tickets and call notes whose tone follows each order's delivery.

For every order the customer may write a review (more likely after a bad delivery), open a
ticket or call the hotline. The intended polarity depends on what actually happened (on time,
delayed, damaged, lost, refused or returned) with noise, the main aspect follows the experience
(a delay is about speed, a lost parcel about loss), and a second clause may add another aspect,
agreeing or contrasting (东西很好，就是物流太慢了). Texts are composed from the phrase banks, so
there are thousands of distinct texts. The intended labels go to ``DemoTruth.reviews``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _phrases as ph
from custintel.data.demo import _strings as s
from custintel.data.demo._customer_table import timestamps
from custintel.data.demo._orders import HOUR_US
from custintel.data.demo._shipping import DAMAGED, DELAYED, LOST, ParcelPlan
from custintel.data.schema import REVIEW_SOURCES

_DAY_US = 24 * HOUR_US
#: Experience classes of the text model (the order's delivery seen by the customer).
TEXT_EXPERIENCES: tuple[str, ...] = ("on_time", "delayed", "damaged", "lost", "refund")
# P(primary aspect | experience, polarity) over ASPECTS
# (speed, damage, lost, courier, service, refund, quality).
_ASPECT_P = np.array([
    [[0, 0, 0, 0.3, 0.2, 0, 0.5], [0.3, 0.15, 0, 0.15, 0.1, 0, 0.3],
     [0.35, 0.1, 0, 0.2, 0.1, 0, 0.25]],
    [[0.8, 0, 0, 0.1, 0.1, 0, 0], [0.7, 0, 0, 0, 0.3, 0, 0], [0, 0, 0, 0.4, 0.2, 0, 0.4]],
    [[0, 0.8, 0, 0, 0.1, 0, 0.1], [0, 0.6, 0, 0, 0.4, 0, 0], [0.3, 0, 0, 0.2, 0.5, 0, 0]],
    [[0, 0, 0.75, 0, 0.25, 0, 0], [0, 0, 0.6, 0, 0.4, 0, 0], [0, 0, 0, 0, 1.0, 0, 0]],
    [[0, 0, 0, 0, 0.1, 0.6, 0.3], [0, 0, 0, 0, 0.3, 0.7, 0], [0, 0, 0, 0, 0.4, 0.6, 0]],
])  # fmt: skip
_POLARITY_P = {
    "review": np.array([[0.07, 0.15, 0.78], [0.8, 0.12, 0.08], [0.8, 0.12, 0.08],
                        [0.8, 0.12, 0.08], [0.55, 0.25, 0.2]]),
    "ticket": np.array([[0.1, 0.75, 0.15], [0.88, 0.12, 0.0], [0.88, 0.12, 0.0],
                        [0.88, 0.12, 0.0], [0.6, 0.3, 0.1]]),
}  # fmt: skip
# Star rating given the polarity of a review.
_STARS = np.array([[0.65, 0.35, 0, 0, 0], [0, 0.2, 0.6, 0.2, 0], [0, 0, 0, 0.25, 0.75]])
# Chance that an order gets a ticket, by experience class; calls are half as likely.
_TICKET_P = np.array([0.012, 0.15, 0.35, 0.55, 0.08])


def _bank(bank: dict) -> tuple[pa.Array, pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    pre, post, has_w, start, size = ph.flatten(bank)
    return s.vocab(pre), s.vocab(post), np.array(has_w), np.array(start), np.array(size)


_REVIEW_BANK = _bank(ph.REVIEW)
_TICKET_BANK = _bank(ph.TICKET)
_SERVICE = ph.ASPECTS.index("service")


@dataclass(frozen=True)
class Texts:
    """Generated texts with their intended labels."""

    order: np.ndarray
    created_us: np.ndarray
    source: np.ndarray  # index into REVIEW_SOURCES
    text: pa.Array
    rating: np.ndarray  # 0 = none
    experience: np.ndarray
    polarity: np.ndarray
    aspect1: np.ndarray
    polarity1: np.ndarray
    aspect2: np.ndarray  # -1 = none
    polarity2: np.ndarray

    def take(self, idx: np.ndarray) -> Texts:
        """Rows ``idx`` of every column."""
        return Texts(
            **{
                k: s.take(v, idx) if isinstance(v, pa.Array) else v[idx]
                for k, v in self.__dict__.items()
            }
        )


def _pick(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One categorical draw per row of probability matrix ``p``."""
    cum = np.cumsum(p, axis=1)
    return (rng.random(len(p))[:, None] * cum[:, -1:] > cum).sum(axis=1)


def _clause(
    rng: np.random.Generator, bank: tuple, aspect: np.ndarray, pol: np.ndarray
) -> np.ndarray:
    """Index of a random clause of (aspect, polarity), falling back to ``service``."""
    _, _, _, start, size = bank
    group = aspect * 3 + pol
    group = np.where(size[group] > 0, group, _SERVICE * 3 + pol)
    return start[group] + (rng.random(len(group)) * size[group]).astype(np.int64)


def _labels(rng: np.random.Generator, exp: np.ndarray, kind: str, second: float) -> tuple:
    m = len(exp)
    pol = _pick(rng, _POLARITY_P[kind][exp])
    a1 = _pick(rng, _ASPECT_P[exp, pol])
    opposite = (rng.random(m) < 0.25) & (pol != 1)
    pol2 = np.where(opposite, 2 - pol, pol)
    a2 = _pick(rng, _ASPECT_P[exp, pol2])
    a2 = np.where((rng.random(m) < second) & (a2 != a1), a2, -1)
    return pol, a1, pol2, a2


def _review_text(
    rng: np.random.Generator, pol: np.ndarray, a1: np.ndarray, pol2: np.ndarray, a2: np.ndarray
) -> pa.Array:
    m = len(pol)
    pre = _REVIEW_BANK[0]
    c1 = s.take(pre, _clause(rng, _REVIEW_BANK, a1, pol))
    has2 = a2 >= 0
    c2 = s.choose(has2, s.take(pre, _clause(rng, _REVIEW_BANK, np.maximum(a2, 0), pol2)), "")
    contrast = has2 & (pol2 != pol)
    same_join = s.take(ph.SAME, rng.integers(0, len(ph.SAME), m))
    contrast_join = _by_polarity(rng, ph.CONTRAST, np.where(contrast, pol, 0))
    joiner = s.choose(contrast, contrast_join, s.choose(has2, same_join, ""))
    body = s.choose(contrast, s.join(c2, joiner, c1), s.join(c1, joiner, c2))
    return s.join(
        _by_polarity(rng, ph.OPENERS, pol),
        body,
        _by_polarity(rng, ph.CLOSERS, pol),
        _by_polarity(rng, ph.EMOJI, pol),
    )


def _by_polarity(
    rng: np.random.Generator, options: tuple[tuple[str, ...], ...], pol: np.ndarray
) -> pa.Array:
    """One random phrase per row from ``options[polarity]``."""
    flat = [w for ws in options for w in ws]
    offs = np.cumsum([0] + [len(ws) for ws in options])
    size = offs[pol + 1] - offs[pol]
    return s.take(flat, offs[pol] + (rng.random(len(pol)) * size).astype(np.int64))


def _ticket_text(
    rng: np.random.Generator, pol: np.ndarray, a1: np.ndarray, waybill: pa.Array, call: bool
) -> pa.Array:
    m = len(pol)
    pre, post, has_w, _, _ = _TICKET_BANK
    k = _clause(rng, _TICKET_BANK, a1, pol)
    w = s.choose(has_w[k], waybill, "")
    req = _by_polarity(rng, ph.TICKET_REQUESTS, pol)
    body = s.join(s.take(pre, k), w, s.take(post, k), req)
    if call:
        return s.join(
            s.take(ph.CALL_OPENERS, rng.integers(0, len(ph.CALL_OPENERS), m)),
            body,
            s.take(ph.CALL_NOTES, rng.integers(0, len(ph.CALL_NOTES), m)),
        )
    return s.join(_by_polarity(rng, ph.TICKET_OPENERS, pol), body)


def draw_texts(
    rng: np.random.Generator,
    plan: ParcelPlan,
    refund: np.ndarray,
    refund_us: np.ndarray,
    delivered: np.ndarray,
    engagement: np.ndarray,
    waybill: pa.Array,
    end_us: int,
) -> Texts:
    """Draw the reviews, tickets and calls of shipped orders (rows of ``plan``).

    ``refund``/``refund_us`` say whether and when an order was refused or returned,
    ``engagement`` is the ordering customer's engagement, ``waybill`` the parcels' numbers.
    """
    exp = np.where(refund & (plan.experience == 0), 4, plan.experience).astype(np.int64)
    m = len(exp)
    bad = (exp == DELAYED) | (exp == DAMAGED) | (exp == LOST)
    p_review = np.clip(
        0.06 * np.exp(0.4 * engagement) * np.where(bad | (exp == 4), 2.5, 1.0), 0, 0.6
    )
    can_review = delivered | (exp == LOST) | refund
    sources = {
        "review": p_review * can_review,
        "ticket": _TICKET_P[exp],
        "call": _TICKET_P[exp] / 2,
    }
    out = []
    for src, p in sources.items():
        rows = np.flatnonzero(rng.random(m) < p)
        e = exp[rows]
        after = _written_at(rng, plan, rows, e, refund_us, review=src == "review")
        keep = after < end_us
        rows, e, after = rows[keep], e[keep], after[keep]
        kind = "review" if src == "review" else "ticket"
        pol, a1, pol2, a2 = _labels(rng, e, kind, 0.5 if src == "review" else 0.0)
        if src == "review":
            text = _review_text(rng, pol, a1, pol2, a2)
            rating = _pick(rng, _STARS[pol]) + 1
            noisy = rng.random(len(rows)) < 0.04
            rating[noisy] = rng.integers(1, 6, noisy.sum())
        else:
            text = _ticket_text(rng, pol, a1, s.take(waybill, rows), src == "call")
            rating = np.zeros(len(rows), dtype=np.int64)
        out.append(
            Texts(
                order=rows,
                created_us=after,
                source=np.full(len(rows), REVIEW_SOURCES.index(src)),
                text=text,
                rating=rating,
                experience=e,
                polarity=pol,
                aspect1=a1,
                polarity1=pol,
                aspect2=a2,
                polarity2=np.where(a2 >= 0, pol2, -1),
            )
        )
    return Texts(
        **{
            f: s.concat([t.text for t in out])
            if f == "text"
            else np.concatenate([getattr(t, f) for t in out])
            for f in Texts.__dataclass_fields__
        }
    )


def _written_at(
    rng: np.random.Generator,
    plan: ParcelPlan,
    rows: np.ndarray,
    e: np.ndarray,
    refund_us: np.ndarray,
    *,
    review: bool,
) -> np.ndarray:
    """When a text about each order is written, given what happened to it."""
    n = len(rows)

    def days(lo: float, hi: float) -> np.ndarray:
        return (rng.uniform(lo, hi, n) * _DAY_US).astype(np.int64)

    ordinary = plan.deliver_us[rows] + (rng.exponential(1.5, n) * _DAY_US).astype(np.int64)
    if not review:  # questions about an ordinary parcel come while it travels
        ordinary = plan.ship_us[rows] + days(0.1, 2.0)
    return np.select(
        [e == DELAYED, e == DAMAGED, e == LOST, e == 4],
        [
            plan.promise_us[rows] + days(0.2, 3.0),
            plan.deliver_us[rows] + days(0.1, 2.0),
            plan.noticed_us[rows] - days(0.0, 1.5),
            np.maximum(refund_us[rows], plan.deliver_us[rows]) + days(0.5, 6.0),
        ],
        default=ordinary,
    )


def render_reviews(
    t: Texts, ids: pa.Array, customer_ids: pa.Array, order_ids: pa.Array, tz: str
) -> pd.DataFrame:
    """Return the reviews table (rows already in the wanted order)."""
    rating = pd.array(t.rating, dtype="Int64")
    rating[t.rating == 0] = pd.NA
    return pd.DataFrame(
        {
            "review_id": s.to_series(ids),
            "customer_id": s.to_series(customer_ids),
            "created_at": timestamps(t.created_us, tz),
            "text": s.to_series(t.text),
            "rating": rating,
            "source": s.categorical(t.source, REVIEW_SOURCES),
            "order_id": s.to_series(order_ids),
        }
    )
