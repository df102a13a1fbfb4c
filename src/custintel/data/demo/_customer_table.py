"""Render the ``customers`` table and the recipient books that orders pick their labels from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from custintel.data.demo import _addresses as addr
from custintel.data.demo import _geography as geo
from custintel.data.demo import _people as ppl
from custintel.data.demo import _strings as s
from custintel.data.demo._customers import CHANNELS, Customers
from custintel.data.demo._duplicates import Duplicates
from custintel.data.demo._fraud import RingPlan
from custintel.data.schema import CUSTOMER_TYPES, GENDERS


@dataclass(frozen=True)
class RecipientBooks:
    """Lookup arrays for the recipient fields of orders (see ``_order_table``)."""

    names: pa.Array  # [contact names (n), family names (n), ring aliases]
    phones: pa.Array  # [own numbers (n), family numbers (n), ring phones], plain 11 digits
    addresses: pa.Array  # [home as written (n), office (n), family (n), ring drop points]
    n: int


def timestamps(t_us: np.ndarray, tz: str, name: str | None = None) -> pd.Series:
    """Microseconds since the epoch (int64 min = missing) as a tz-aware Series."""
    dtype = pd.DatetimeTZDtype(unit="us", tz=tz)
    return pd.Series(np.asarray(t_us, dtype=np.int64), dtype=dtype, name=name)


def customer_ids(rng: np.random.Generator, n_main: int, n_dup: int) -> pa.Array:
    """``C`` + 8 digits for the main system (sign-up order), ``WX`` + 10 digits for the second."""
    main = 10_000_000 + np.cumsum(rng.integers(1, 3, n_main))
    width = max(8, len(str(int(main[-1])))) if n_main else 8
    dup = 2_000_000_000 + np.cumsum(rng.integers(1, 40, n_dup))
    return s.concat([s.fixed_ids("C", main, width), s.fixed_ids("WX", dup, 10)])


def render_customers(
    rng: np.random.Generator,
    cust: Customers,
    n_main: int,
    dups: Duplicates,
    rings: RingPlan,
    ids: pa.Array,
    tz: str,
) -> tuple[pd.DataFrame, RecipientBooks]:
    """Return the customers table (main accounts then second-system accounts) and the books."""
    n = cust.n
    person = cust.name
    names = ppl.render_names(person)
    company = ppl.render_company_names(rng, s.take(geo.CITY_SHORT, cust.city))
    names = s.choose(cust.is_b, company, names)

    phone_style = np.zeros(n, dtype=np.int64)
    phone_style[n_main:] = dups.phone_style
    prov_style = np.where(rng.random(n) < 0.12, 1, 0)
    prov_style[n_main:] = dups.province_style

    main_email = ppl.render_emails(
        rng,
        person.take(slice(0, n_main)),
        cust.phone[:n_main],
        cust.birth_year[:n_main],
        0.3,
    )
    new_email = ppl.render_emails(
        rng, person.take(slice(n_main, n)), cust.phone[n_main:], cust.birth_year[n_main:], 0.0
    )
    dup_email = s.choose(
        dups.email_mode == 0,
        s.take(main_email, dups.original),
        s.choose(dups.email_mode == 1, new_email, pa.nulls(dups.n, pa.large_string())),
    )
    main_id = ppl.render_id_numbers(
        rng,
        geo.PROVINCE_CODE[cust.home.province[:n_main]],
        np.where(cust.is_b[:n_main], 1990, cust.birth_year[:n_main]),
        np.maximum(cust.gender[:n_main], 0),
    )
    main_id = s.choose(
        cust.is_b[:n_main] | (rng.random(n_main) < 0.05),
        pa.nulls(n_main, pa.large_string()),
        main_id,
    )
    dup_id = s.choose(
        dups.id_kept, s.take(main_id, dups.original), pa.nulls(dups.n, pa.large_string())
    )

    home_text = addr.render_addresses(cust.home, prov_style)
    province = np.where(prov_style == 3, -1, cust.home.province)
    prov_labels = list(geo.PROVINCES) + list(geo.PROVINCE_SHORT)
    prov_code = np.where(
        (prov_style == 1) | (prov_style == 2),
        province + len(geo.PROVINCES),  # the province field holds the short name (广西)
        province,
    )
    used = np.unique(prov_code[prov_code >= 0])
    remap = np.full(len(prov_labels), -1)
    remap[used] = np.arange(len(used))
    birth = pd.array(np.where(cust.birth_year > 0, cust.birth_year, 0), dtype="Int64")
    birth[cust.birth_year <= 0] = pd.NA
    frame = pd.DataFrame(
        {
            "customer_id": s.to_series(ids),
            "registered_at": timestamps(cust.reg_us, tz),
            "name": s.to_series(names),
            "phone": s.to_series(ppl.render_phones(cust.phone, phone_style)),
            "email": s.to_series(s.concat([main_email, dup_email])),
            "id_number": s.to_series(s.concat([main_id, dup_id])),
            "province": s.categorical(
                np.where(prov_code >= 0, remap[np.maximum(prov_code, 0)], -1),
                [prov_labels[k] for k in used],
            ),
            "city": s.categorical(cust.city, geo.CITIES),
            "district": s.categorical(
                geo.DISTRICT_NAME_CODE[cust.home.district], geo.DISTRICT_NAMES
            ),
            "address": s.to_series(home_text),
            "channel": s.categorical(cust.channel, CHANNELS),
            "customer_type": s.categorical(np.where(cust.is_b, 0, 1), CUSTOMER_TYPES),
            "birth_year": birth,
            "gender": s.categorical(np.where(cust.is_b, -1, cust.gender), GENDERS),
        }
    )
    books = RecipientBooks(
        names=s.concat(
            [
                ppl.render_names(cust.contact),
                ppl.render_names(cust.family_name),
                ppl.render_titles(rings.alias_book, rings.alias_gender),
            ]
        ),
        phones=s.concat(
            [
                ppl.render_phones(cust.phone),
                ppl.render_phones(cust.family_phone),
                ppl.render_phones(rings.phone_book),
            ]
        ),
        addresses=s.concat(
            [
                home_text,
                addr.render_addresses(cust.office),
                addr.render_addresses(cust.family),
                addr.render_addresses(rings.drop_book),
            ]
        ),
        n=n,
    )
    return frame, books
