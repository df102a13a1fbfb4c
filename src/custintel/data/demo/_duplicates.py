"""Identity duplicates: the same person registered again in a second source system.

About 3% of consumers also have an account in the mini-program member system (ids ``WX...``).
The second record spells things differently: phone formats (+86, 0086, spaces, dashes), a
homophone or look-alike character in the name, the province abbreviated or left out, another
building format, a different or missing e-mail and id number. From the second account's
registration on, the person's orders are split between the two accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from custintel.data.demo import _addresses as addr
from custintel.data.demo import _people as ppl
from custintel.data.demo._customers import Customers

_DAY_US = 24 * 3_600_000_000
#: How the second record's e-mail relates to the first: kept, a new one, or missing.
EMAIL_MODES: tuple[str, ...] = ("same", "other", "missing")


@dataclass(frozen=True)
class Duplicates:
    """The duplicate records and how each one differs from its original."""

    original: np.ndarray  # row of the original account
    records: Customers  # the second accounts (appended after the main accounts)
    name_changed: np.ndarray
    phone_style: np.ndarray  # index into PHONE_STYLES
    province_style: np.ndarray  # index into PROVINCE_STYLES
    building_changed: np.ndarray
    email_mode: np.ndarray  # index into EMAIL_MODES
    id_kept: np.ndarray

    @property
    def n(self) -> int:
        """Number of duplicate records."""
        return len(self.original)


def draw_duplicates(
    rng: np.random.Generator, cust: Customers, n_dup: int, end_us: int
) -> Duplicates:
    """Pick ``n_dup`` consumers and make their second-system records."""
    eligible = np.flatnonzero(~cust.is_b & ~cust.is_fraud & (cust.reg_us < end_us - 60 * _DAY_US))
    n_dup = min(n_dup, len(eligible))
    original = np.sort(rng.choice(eligible, size=n_dup, replace=False))
    rec = cust.take(original)
    reg0 = rec.reg_us
    reg = reg0 + _DAY_US + (rng.random(n_dup) * (end_us - 30 * _DAY_US - reg0)).astype(np.int64)
    order = np.argsort(reg, kind="stable")  # second-system ids follow their own sign-up order
    original, rec, reg = original[order], rec.take(order), reg[order]

    typo, changed = ppl.typo_names(rng, rec.name)
    name_changed = changed & (rng.random(n_dup) < 0.35)
    name = ppl.NameParts(
        np.where(name_changed, typo.surname, rec.name.surname),
        np.where(name_changed, typo.given1, rec.name.given1),
        np.where(name_changed, typo.given2, rec.name.given2),
    )
    building_changed = rng.random(n_dup) < 0.4
    restyled = addr.restyle_buildings(rng, rec.home)
    home = replace(rec.home, style=np.where(building_changed, restyled.style, rec.home.style))
    rec.reg_us = reg
    rec.name = name
    rec.contact = name
    rec.home = home
    rec.channel = np.where(rng.random(n_dup) < 0.6, 1, 0)
    return Duplicates(
        original=original,
        records=rec,
        name_changed=name_changed,
        phone_style=np.where(rng.random(n_dup) < 0.25, 0, rng.integers(1, 7, n_dup)),
        province_style=rng.choice(4, size=n_dup, p=[0.4, 0.3, 0.1, 0.2]),
        building_changed=building_changed,
        email_mode=rng.choice(3, size=n_dup, p=[0.4, 0.25, 0.35]),
        id_kept=rng.random(n_dup) < 0.5,
    )


def split_orders(
    rng: np.random.Generator,
    dups: Duplicates,
    n_main: int,
    order_cust: np.ndarray,
    order_t_us: np.ndarray,
) -> np.ndarray:
    """Move about half of each person's orders after the second sign-up to the second account."""
    dup_of = np.full(n_main, -1)
    dup_of[dups.original] = np.arange(dups.n)
    j = dup_of[order_cust]
    has = j >= 0
    move = has & (order_t_us > dups.records.reg_us[np.maximum(j, 0)])
    move &= rng.random(len(order_cust)) < 0.5
    return np.where(move, n_main + j, order_cust)
