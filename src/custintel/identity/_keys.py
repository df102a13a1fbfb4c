"""Comparison keys of customer records for record linkage (all vectorised)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custintel.identity._text import SEPARATORS, as_text, from_arrow, objects, to_arrow
from custintel.identity.addresses import parse_addresses
from custintel.identity.phones import national_digits, normalize_national

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


@dataclass
class RecordKeys:
    """Normalised fields of each record, aligned with the customer rows (NumPy object arrays)."""

    customer_id: np.ndarray
    registered_at: np.ndarray  # int64 ns
    phone: np.ndarray  # +86... (None = no usable number)
    email: np.ndarray
    id_number: np.ndarray  # 18 characters, valid check digit
    name: np.ndarray
    birth_year: np.ndarray  # float, NaN = unknown
    gender: np.ndarray  # "M" / "F" / None
    city: np.ndarray  # adcode of the city (None = unknown)
    district: np.ndarray  # adcode or town name (None = unknown)
    house: np.ndarray  # digit groups of the address ("548-22-4-1304"), None = none
    timings: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.customer_id.shape[0])


def _objects(values: pd.Series | pa.Array) -> np.ndarray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return np.asarray(values.to_pylist(), dtype=object)
    return objects(values)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return as_text(frame[name])
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def phone_keys(phones: pd.Series) -> pd.Series:
    """E.164 for valid numbers, ``+86`` + digits for other 11-digit mobile-shaped numbers.

    Linkage compares numbers, it does not judge them: a number libphonenumber does not list
    (a new segment such as 149) still identifies its owner.
    """
    national = national_digits(phones)
    e164 = normalize_national(national)["e164"]
    shaped = national.str.fullmatch(r"1[0-9]{10}").fillna(False).astype(bool)
    fallback = ("+86" + national).mask(~shaped)
    return e164.fillna(fallback).astype("string")


def email_keys(emails: pd.Series) -> pd.Series:
    """Lower-case, NFKC, no spaces; values without ``@`` and a dot in the domain are dropped."""
    arr = pc.utf8_lower(pc.utf8_normalize(to_arrow(as_text(emails)), form="NFKC"))
    arr = pc.replace_substring_regex(arr, r"\s+", "")
    ok = pc.fill_null(pc.match_substring_regex(arr, r"^[^@]+@[^@]+\.[^@]+$"), False)
    return from_arrow(pc.if_else(ok, arr, None), emails.index)


def id_number_keys(ids: pd.Series) -> pd.Series:
    """18-character resident id numbers whose ISO 7064 check character is right; else missing."""
    arr = pc.utf8_upper(pc.utf8_normalize(to_arrow(as_text(ids)), form="NFKC"))
    arr = pc.replace_substring_regex(arr, r"\s+", "")
    shaped = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{17}[0-9X]$"), False)
    text = pc.if_else(shaped, arr, pa.scalar("0" * 18, pa.large_string()))
    digits = _fixed_width(text, 18)
    check = _ID_CHECK[((digits[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS) % 11]
    ok = shaped.to_numpy(zero_copy_only=False) & (check == digits[:, 17])
    out = from_arrow(arr, ids.index)
    return out.where(ok, pd.NA)


def _fixed_width(arr: pa.Array | pa.ChunkedArray, width: int) -> np.ndarray:
    """Bytes of a null-free ASCII string array whose values all have ``width`` characters."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    if len(arr) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(-1, width)


def name_keys(names: pd.Series) -> pd.Series:
    """NFKC, no spaces or separators (张 三 -> 张三, 买买提·艾力 -> 买买提艾力)."""
    arr = pc.replace_substring_regex(
        pc.utf8_normalize(to_arrow(as_text(names)), form="NFKC"), SEPARATORS, ""
    )
    out = from_arrow(arr, names.index)
    return out.where(out.str.len() > 0, pd.NA)


def house_keys(addresses: pd.Series) -> pd.Series:
    """Digit groups of an address in order: 22栋4单元1304室 and 22-4-1304 give the same key."""
    arr = pc.utf8_normalize(to_arrow(as_text(addresses)), form="NFKC")
    arr = pc.replace_substring_regex(arr, r"[^0-9]+", "-")
    arr = pc.utf8_trim(arr, "-")
    out = from_arrow(arr, addresses.index)
    return out.where(out.str.len() > 0, pd.NA)


def _places(customers: pd.DataFrame) -> pd.DataFrame:
    """Province, city and district: from the coarse columns, else from the address text."""
    address = _column(customers, "address")
    coarse = pd.Series("", index=customers.index, dtype="string")
    for col in ("province", "city", "district"):
        if col in customers.columns:
            coarse = coarse + _column(customers, col).fillna("")
    parsed = parse_addresses(coarse)
    # Distinct coarse values are few; the address is parsed only where they fall short.
    need = (parsed["district"].isna() & address.notna()).to_numpy()
    if need.any():
        parsed.loc[need] = parse_addresses(coarse[need] + address[need]).to_numpy()
    return parsed


def record_keys(customers: pd.DataFrame) -> RecordKeys:
    """Normalise the identifying fields of a customers table (timings per stage in ``timings``)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    phone = phone_keys(_column(customers, "phone"))
    timings["phones"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    parsed = _places(customers)
    city = parsed["adcode"].str.slice(0, 4).where(parsed["city"].notna(), pd.NA)
    district = (
        parsed["adcode"]
        .where(parsed["adcode"].str.slice(4, 6) != "00", parsed["district"])
        .where(parsed["district"].notna(), pd.NA)
    )
    house = house_keys(_column(customers, "address"))
    timings["addresses"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    reg = pd.to_datetime(customers["registered_at"], utc=True)
    birth = (
        pd.to_numeric(customers["birth_year"], errors="coerce").astype("float64")
        if "birth_year" in customers.columns
        else pd.Series(np.nan, index=customers.index)
    )
    keys = RecordKeys(
        customer_id=customers["customer_id"].to_numpy(dtype=object),
        registered_at=reg.to_numpy(dtype="datetime64[ns]").astype(np.int64),
        phone=_objects(phone),
        email=_objects(email_keys(_column(customers, "email"))),
        id_number=_objects(id_number_keys(_column(customers, "id_number"))),
        name=_objects(name_keys(_column(customers, "name"))),
        birth_year=birth.to_numpy(dtype=np.float64, na_value=np.nan),
        gender=_objects(_column(customers, "gender")),
        city=_objects(city),
        district=_objects(district),
        house=_objects(house),
        timings=timings,
    )
    timings["other_keys"] = time.perf_counter() - t0
    return keys
