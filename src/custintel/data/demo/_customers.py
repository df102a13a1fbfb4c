"""The customer base: who they are, where they live and the latent traits that drive behaviour.

Every customer gets hidden traits (value, engagement, credit risk, order rate, churn hazard and
sensitivity to bad deliveries, payment and category preferences) and fake personal data (names,
phones, addresses of home, office and family). The traits are what later model work has to
recover; they are returned in ``DemoTruth.customers``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from custintel.data.demo import _addresses as addr
from custintel.data.demo import _calendar as cal
from custintel.data.demo import _geography as geo
from custintel.data.demo import _people as ppl

CHANNELS: tuple[str, ...] = ("app", "mini_program", "web", "store")
_YEAR_US = int(365.25 * 24 * 3600 * 1_000_000)
# Base share of pay-after-delivery orders by city tier (1 .. 5).
_COD_BY_TIER = np.array([0.03, 0.05, 0.08, 0.14, 0.22])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Customers:
    """Column arrays of the customer base (one row per account, in table order)."""

    reg_us: np.ndarray
    is_b: np.ndarray
    is_fraud: np.ndarray
    ring: np.ndarray
    person: np.ndarray
    gender: np.ndarray  # 0 = M, 1 = F, -1 = business
    birth_year: np.ndarray  # 0 = unknown / business
    channel: np.ndarray
    home: addr.AddressParts
    office: addr.AddressParts
    family: addr.AddressParts
    name: ppl.NameParts
    contact: ppl.NameParts
    family_name: ppl.NameParts
    phone: np.ndarray
    family_phone: np.ndarray
    value: np.ndarray
    engagement: np.ndarray
    credit_risk: np.ndarray
    rate: np.ndarray  # expected orders per average year
    hazard: np.ndarray  # baseline churn hazard per year
    sensitivity: np.ndarray  # multiplier of the churn hazard added by a bad delivery
    cod_propensity: np.ndarray
    credit_account: np.ndarray  # business account on monthly statements
    cat_pref: np.ndarray  # (n, 6) category preferences
    p_office: np.ndarray
    p_family: np.ndarray

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.reg_us)

    @property
    def city(self) -> np.ndarray:
        """City index of the main address."""
        return self.home.city

    @property
    def tier(self) -> np.ndarray:
        """City tier (1 = 一线 ... 5 = 四线及以下) of the main address."""
        return geo.CITY_TIER[self.home.city]

    def take(self, idx: np.ndarray) -> Customers:
        """Rows ``idx`` of every column."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, addr.AddressParts | ppl.NameParts):
                out[f.name] = v.take(idx)
            else:
                out[f.name] = v[idx]
        return Customers(**out)

    @staticmethod
    def concat(a: Customers, b: Customers) -> Customers:
        """Stack two customer sets."""
        out: dict[str, Any] = {}
        for f in fields(a):
            va, vb = getattr(a, f.name), getattr(b, f.name)
            if isinstance(va, addr.AddressParts):
                out[f.name] = addr.AddressParts.concat([va, vb])
            elif isinstance(va, ppl.NameParts):
                out[f.name] = ppl.NameParts(
                    *(
                        np.concatenate([x, y])
                        for x, y in zip(va.__dict__.values(), vb.__dict__.values(), strict=True)
                    )
                )
            else:
                out[f.name] = np.concatenate([va, vb])
        return Customers(**out)


def _registration(
    rng: np.random.Generator, n: int, grid: cal.HourGrid, existing_share: float
) -> np.ndarray:
    """Registration times: an existing base before ``start``, then growth inside the window."""
    existing = rng.random(n) < existing_share
    back = (4 * _YEAR_US * rng.random(n) ** 1.5).astype(np.int64)
    w = np.cumsum(grid.intensity[0] ** 0.7)
    hour = np.searchsorted(w, rng.random(n) * w[-1])
    inside = grid.start_us + hour * 3_600_000_000 + rng.integers(0, 3_600_000_000, n)
    return np.where(existing, grid.start_us - 1 - back, inside).astype(np.int64)


def draw_customers(
    rng: np.random.Generator,
    n: int,
    grid: cal.HourGrid,
    *,
    b_share: float,
    rate_scale: float,
    fraud_reg_us: np.ndarray,
    fraud_ring: np.ndarray,
    fraud_city: np.ndarray,
    taken_phones: np.ndarray,
) -> Customers:
    """Draw ``n`` accounts, the last ``len(fraud_reg_us)`` of them fraud-ring accounts.

    The rows come back sorted by registration time (the order of the customer table).
    """
    n_fraud = len(fraud_reg_us)
    n_legit = n - n_fraud
    is_fraud = np.r_[np.zeros(n_legit, bool), np.ones(n_fraud, bool)]
    is_b = (rng.random(n) < b_share) & ~is_fraud
    reg = np.r_[_registration(rng, n_legit, grid, 0.5), fraud_reg_us]
    ring = np.r_[np.full(n_legit, -1), fraud_ring]

    city = np.where(is_b, geo.draw_cities(rng, n, -0.25), geo.draw_cities(rng, n, 0.0))
    fake_city = rng.random(n) < 0.5
    city[n_legit:] = np.where(fake_city[n_legit:], city[n_legit:], fraud_city)
    tier = geo.CITY_TIER[city]

    gender = np.where(is_b, -1, (rng.random(n) < 0.53).astype(np.int64))
    start_year = int(grid.dates[0].year)
    age = np.clip(rng.normal(33, 10, n), 18, 75)
    age[n_legit:] = np.clip(rng.normal(27, 6, n_fraud), 18, 60)
    birth_year = np.where(is_b, 0, start_year - age.astype(np.int64))

    ch_c = np.stack([np.full(n, 0.42), np.full(n, 0.33), np.full(n, 0.10), 0.05 + 0.03 * tier])
    ch_b = np.array([0.30, 0.10, 0.45, 0.15])[:, None]
    ch = np.where(is_b[None, :], ch_b, ch_c)
    ch[:, n_legit:] = np.array([0.6, 0.4, 0.0, 0.0])[:, None]
    channel = (rng.random(n)[None, :] > np.cumsum(ch / ch.sum(0), axis=0)).sum(0)

    z = rng.standard_normal((5, n))
    value = z[0]
    engagement = 0.3 * value + np.sqrt(1 - 0.09) * z[1] + np.array([0.2, 0.1, -0.1, -0.2])[channel]
    credit_risk = 0.8 * z[2] - 0.3 * value + 0.15 * (tier - 3) + 0.4 * (age < 24) + 1.0 * is_fraud
    log_rate = np.log(rate_scale) + 0.85 * value + 0.35 * engagement - 0.08 * (tier - 3)
    rate = np.exp(log_rate + 0.4 * z[3] + np.where(is_b, np.log(6.0), 0.0))
    hazard = 0.25 * np.exp(-0.5 * engagement - 0.2 * value) * np.where(is_b, 0.5, 1.0)
    sensitivity = np.exp(0.45 * z[4] - 0.25 * engagement)
    cod_base = np.log(_COD_BY_TIER[tier - 1] / (1 - _COD_BY_TIER[tier - 1]))
    cod_propensity = _sigmoid(
        cod_base + 0.5 * rng.standard_normal(n) + 0.3 * credit_risk + 0.4 * (age > 50)
    )
    credit_account = is_b & (rng.random(n) < 0.3)

    alpha = cal.CATEGORY_SHARES * np.where(is_b, 0.4, 1.5)[:, None]
    alpha[:, 0] *= np.array([1.6, 1.4, 1.0, 0.7, 0.5])[tier - 1]  # fresh needs a cold chain
    pref = rng.gamma(alpha).astype(np.float32)
    pref /= pref.sum(axis=1, keepdims=True)

    p_office = np.where(is_b, 0.05, 0.06 + 0.10 * ((age >= 25) & (age < 45)))
    p_family = np.where(is_b, 0.0, 0.07)

    home = addr.draw_addresses(rng, city, addr.HOME)
    home_b = addr.draw_addresses(rng, city, addr.OFFICE)
    home = _where(is_b, home_b, home)
    office = addr.draw_addresses(rng, city, addr.OFFICE)
    where = rng.random(n)
    fam_city = np.where(
        where < 0.4,
        city,
        np.where(
            where < 0.6,
            geo.capital_city(geo.CITY_PROVINCE[city]),
            geo.draw_cities(rng, n, 0.3),
        ),
    )
    family = addr.draw_addresses(rng, fam_city, addr.HOME)

    name = ppl.draw_names(rng, np.maximum(gender, 0))
    contact_g = (rng.random(n) < 0.5).astype(np.int64)
    contact = ppl.draw_names(rng, contact_g)
    contact = ppl.NameParts(
        np.where(is_b, contact.surname, name.surname),
        np.where(is_b, contact.given1, name.given1),
        np.where(is_b, contact.given2, name.given2),
    )
    fam = ppl.draw_names(rng, 1 - np.maximum(gender, 0))
    family_name = ppl.NameParts(name.surname, fam.given1, fam.given2)
    virtual = np.where(is_fraud, 0.55, 0.025)
    phone = ppl.draw_phones(rng, n, virtual, taken_phones)
    family_phone = ppl.draw_phones(rng, n, 0.02, np.concatenate([taken_phones, phone]))

    cust = Customers(
        reg_us=reg,
        is_b=is_b,
        is_fraud=is_fraud,
        ring=ring,
        person=np.zeros(n, np.int64),
        gender=gender,
        birth_year=birth_year,
        channel=channel,
        home=home,
        office=office,
        family=family,
        name=name,
        contact=contact,
        family_name=family_name,
        phone=phone,
        family_phone=family_phone,
        value=value,
        engagement=engagement,
        credit_risk=credit_risk,
        rate=rate,
        hazard=hazard,
        sensitivity=sensitivity,
        cod_propensity=cod_propensity,
        credit_account=credit_account,
        cat_pref=pref,
        p_office=p_office,
        p_family=p_family,
    )
    cust = cust.take(np.argsort(reg, kind="stable"))
    cust.person = np.arange(n)
    return cust


def _where(mask: np.ndarray, a: addr.AddressParts, b: addr.AddressParts) -> addr.AddressParts:
    return addr.AddressParts(**{k: np.where(mask, v, b.__dict__[k]) for k, v in a.__dict__.items()})
