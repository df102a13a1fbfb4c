"""Phone numbers: E.164 normalisation, validity, and coarse attributes safe to model on.

Formatting is normalised with vectorised Arrow string kernels (full-width digits, spaces, dashes,
brackets, ``+86`` / ``0086`` / ``86`` prefixes). The metadata comes from Google's libphonenumber
(the ``phonenumbers`` package): validity and line type, carrier, and the region a mobile number
was issued in. For a Chinese mobile number all of these are fixed by its first seven digits
(the "H code" block), so the library is called once per distinct seven-digit prefix and the
answers are mapped back; anything else (landlines, foreign numbers) is parsed once per distinct
string. A million numbers take seconds.

The virtual-operator flag marks the number segments the MIIT allocated to mobile virtual network
operators (移动转售): 162, 165, 167, 170 and 171. libphonenumber does not carry that distinction,
so it is the one prefix list kept here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from custintel.identity._text import as_text, from_arrow, objects, to_arrow

#: Columns returned by :func:`normalize_phones`.
PHONE_COLUMNS: tuple[str, ...] = (
    "e164",
    "is_valid",
    "line_type",
    "carrier",
    "is_virtual",
    "province",
    "city",
)

#: Three-digit segments of China's mobile virtual network operators (MIIT allocation).
VIRTUAL_SEGMENTS: frozenset[str] = frozenset({"162", "165", "167", "170", "171"})

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.VOIP: "voip",
}


def national_digits(phones: pd.Series) -> pd.Series:
    """Digits of each number with formatting and the Chinese country prefix removed.

    ``+86 138 1234 5678``, ``0086-138-1234-5678``, ``8613812345678`` and ``138-1234-5678`` all
    become ``13812345678``. Numbers of other countries keep a leading ``+``.

    Examples
    --------
    >>> import pandas as pd
    >>> national_digits(pd.Series(["+86 138 1234 5678", "0086-138-1234-5678", "(021) 6234-5678",
    ...                            "１３８１２３４５６７８", None])).tolist()
    ['13812345678', '13812345678', '02162345678', '13812345678', <NA>]
    """
    arr = pc.utf8_normalize(to_arrow(as_text(phones)), form="NFKC")
    arr = pc.replace_substring_regex(arr, r"\.0+$", "")
    arr = pc.replace_substring_regex(arr, r"[^0-9+]", "")
    arr = pc.replace_substring_regex(arr, r"^(?:\+|00)86", "")
    arr = pc.replace_substring_regex(arr, r"^(?:86|0)(1[0-9]{10})$", r"\1")
    arr = pc.replace_substring_regex(arr, r"^00", "+")
    return from_arrow(arr, phones.index)


def normalize_phones(phones: object, *, region: str = "CN") -> pd.DataFrame:
    """Normalise phone numbers to E.164 and derive coarse, model-safe attributes.

    Parameters
    ----------
    phones : Series or array-like
        Numbers in any common format (``+86 138 1234 5678``, ``0086-138...``, ``138-1234-5678``,
        landlines such as ``021-6234-5678``, full-width digits, numbers stored as integers).
    region : str
        Region assumed for numbers written without a country code.

    Returns
    -------
    DataFrame
        Aligned with the input, with columns

        - ``e164`` (string): ``+8613812345678``; missing when the number is not valid. This is
          still PII: compare or pseudonymise it, never use it as a feature.
        - ``is_valid`` (bool): a valid number (right length and an allocated range).
        - ``line_type`` (category): ``mobile``, ``fixed_line``, ``toll_free``, ``voip`` or
          ``other``.
        - ``carrier`` (category): 中国移动 / 中国联通 / 中国电信 / 中国广电, where
          libphonenumber knows it.
        - ``is_virtual`` (bool): on a virtual-operator segment (:data:`VIRTUAL_SEGMENTS`).
        - ``province``, ``city`` (category): where the number was issued (mobiles: the H-code
          block; landlines: the area code), as full official names.

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalize_phones(pd.Series(["+86 138 1234 5678", "170-1234-5678", "12345"]))
    >>> out[["e164", "is_valid", "carrier", "is_virtual", "province"]]
                 e164  is_valid carrier  is_virtual province
    0  +8613812345678      True    中国移动       False      江苏省
    1  +8617012345678      True    中国电信        True      NaN
    2            <NA>     False     NaN       False      NaN
    """
    return normalize_national(national_digits(as_text(phones)), region=region)


def normalize_national(national: pd.Series, *, region: str = "CN") -> pd.DataFrame:
    """Return :func:`normalize_phones` of numbers already reduced by :func:`national_digits`."""
    index = national.index
    arr = to_arrow(national)
    n = len(arr)
    shaped = pc.fill_null(pc.match_substring_regex(arr, r"^1[0-9]{10}$"), False)
    mobile = pc.fill_null(pc.match_substring_regex(arr, _mobile_pattern()), False)
    shaped_np = shaped.to_numpy(zero_copy_only=False)
    mobile_np = mobile.to_numpy(zero_copy_only=False)

    # Chinese mobiles: validity from libphonenumber's own mobile pattern, carrier and region
    # from its prefix tables per seven-digit block (vectorised longest-prefix lookups).
    block = pd.Series(pc.if_else(mobile, pc.utf8_slice_codeunits(arr, 0, 7), None).to_pandas())
    bcodes, blocks = pd.factorize(block, use_na_sentinel=True)
    block_carrier, block_where = mobile_blocks(np.asarray(blocks, dtype=object))
    rows = np.where(bcodes >= 0, bcodes, 0)
    valid = mobile_np.copy()
    line = np.full(n, None, dtype=object)
    line[mobile_np] = "mobile"
    carrier_name = np.full(n, None, dtype=object)
    where = np.full(n, None, dtype=object)
    if len(blocks):
        known = bcodes >= 0
        carrier_name[known] = block_carrier[rows[known]]
        where[known] = block_where[rows[known]]

    # Everything else: one full parse per distinct string.
    # (An 11-digit number starting with 1 that fails the mobile pattern is invalid: the library
    # gives such numbers no other type.)
    other = ~shaped_np & ~pd.isna(objects(national))
    if other.any():
        ocodes, ouniques = pd.factorize(national[other], use_na_sentinel=True)
        oinfo = [_other_number(str(u), region) for u in ouniques]
        pos = np.flatnonzero(other)
        otake = _taker(oinfo, ocodes, np.ones(len(ocodes), bool), len(ocodes))
        valid[pos] = otake(0, None) != None  # noqa: E711 - object array comparison
        line[pos] = otake(1, None)
        carrier_name[pos] = otake(2, None)
        where[pos] = otake(4, None)
        other_virtual = otake(3, False).astype(bool)
        other_e164 = otake(0, None)
    else:
        pos = np.empty(0, dtype=np.int64)
        other_virtual = np.empty(0, dtype=bool)
        other_e164 = np.empty(0, dtype=object)

    mobile_valid = mobile_np
    e164 = pc.if_else(
        pa.array(mobile_valid),
        pc.binary_join_element_wise(
            pa.scalar("+86", pa.large_string()), arr, pa.scalar("", pa.large_string())
        ),
        None,
    ).to_numpy(zero_copy_only=False)
    e164[pos] = other_e164
    segment = pc.utf8_slice_codeunits(arr, 0, 3)
    virtual = mobile_valid & pc.fill_null(
        pc.is_in(segment, pa.array(sorted(VIRTUAL_SEGMENTS), pa.large_string())), False
    ).to_numpy(zero_copy_only=False)
    virtual[pos] = other_virtual
    line[(~valid) & (shaped_np | other)] = "other"

    province, city = _places(where)
    return pd.DataFrame(
        {
            "e164": pd.Series(e164, index=index, dtype="string"),
            "is_valid": pd.Series(valid, index=index, dtype=bool),
            "line_type": pd.Series(line, index=index, dtype="category"),
            "carrier": pd.Series(carrier_name, index=index, dtype="category"),
            "is_virtual": pd.Series(virtual, index=index, dtype=bool),
            "province": pd.Series(province, index=index, dtype="category"),
            "city": pd.Series(city, index=index, dtype="category"),
        },
        index=index,
    )


def _taker(
    info: Sequence[tuple[Any, ...]], rows: np.ndarray, present: np.ndarray, n: int
) -> Callable[[int, object], np.ndarray]:
    """Spread field ``k`` of per-unique ``info`` tuples to ``n`` rows (absent rows get ``fill``)."""

    def take(k: int, fill: object) -> np.ndarray:
        values = np.empty(len(info) + 1, dtype=object)
        values[:-1] = [i[k] for i in info]
        values[-1] = fill
        return values[np.where(present, rows, len(info))] if n else np.empty(0, dtype=object)

    return take


@cache
def _lookups() -> tuple[Any, Any]:
    """Load libphonenumber's carrier and geocoding data (a few seconds, once per process)."""
    from phonenumbers import carrier, geocoder

    return carrier.name_for_valid_number, geocoder.description_for_valid_number


def _describe(num: phonenumbers.PhoneNumber) -> tuple[str | None, str | None]:
    """Return the carrier and region text of a valid number."""
    carrier_of, region_of = _lookups()
    return carrier_of(num, "zh") or None, region_of(num, "zh") or None


@cache
def _mobile_pattern() -> str:
    """Return the anchored pattern of Chinese mobile numbers from the library metadata."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    pattern = getattr(getattr(metadata, "mobile", None), "national_number_pattern", None)
    if not pattern:  # pragma: no cover - the library always ships CN metadata
        raise RuntimeError("phonenumbers has no mobile pattern for CN; reinstall phonenumbers")
    return "^(?:" + str(pattern) + ")$"


def mobile_blocks(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Carrier and region (Chinese text, None if unknown) of valid seven-digit mobile blocks.

    The same answers as libphonenumber's ``carrier`` and ``geocoder`` give for any number of
    the block (their prefix tables are at most nine digits long, ``86`` plus the block), found
    by longest-prefix lookups over all blocks at once, on integers, instead of one library
    call per block.
    """
    from phonenumbers import carrierdata, geodata

    if max(carrierdata.CARRIER_LONGEST_PREFIX, geodata.GEOCODE_LONGEST_PREFIX) > 9:
        info = [_mobile_block(str(b)) for b in blocks]  # pragma: no cover - longer tables
        return np.array([i[0] for i in info], object), np.array([i[1] for i in info], object)
    numbers = np.asarray(pd.to_numeric(pd.Series(blocks, dtype=object)), dtype=np.int64)
    answers = []
    for kind in ("carrier", "region"):
        found = np.full(len(numbers), -1, dtype=np.int64)
        names, tables = _prefix_tables(kind)
        for digits in range(7, 0, -1):  # longest prefix first, as the library looks them up
            keys = tables.get(digits)
            todo = found < 0
            if keys is None or not todo.any():
                continue
            hit = keys.get_indexer(numbers[todo] // 10 ** (7 - digits))
            found[np.flatnonzero(todo)[hit >= 0]] = _name_positions(kind, digits)[hit[hit >= 0]]
        values = np.full(len(numbers), None, dtype=object)
        values[found >= 0] = names[found[found >= 0]]
        answers.append(values)
    carrier_name, region = answers
    # Without a geographic prefix the library names the number's country (one country for
    # +86), the same text for every such block: ask it once.
    missing = np.flatnonzero(pd.isna(region))
    if len(missing):
        region[missing] = _mobile_block(str(blocks[missing[0]]))[1]
    return carrier_name, region


@cache
def _prefix_entries(kind: str) -> dict[int, list[tuple[int, str]]]:
    """Return the library's Chinese prefix entries with a Chinese name, by digits after 86."""
    from phonenumbers import carrierdata, geodata

    data = carrierdata.CARRIER_DATA if kind == "carrier" else geodata.GEOCODE_DATA
    by_length: dict[int, list[tuple[int, str]]] = {}
    for key, langs in data.items():
        # The library's lookup for "zh" takes the "zh" entry and, lacking one, a shorter prefix.
        if key.startswith("86") and len(key) > 2 and langs.get("zh"):
            by_length.setdefault(len(key) - 2, []).append((int(key[2:]), langs["zh"]))
    return by_length


@cache
def _prefix_tables(kind: str) -> tuple[np.ndarray, dict[int, pd.Index]]:
    entries = _prefix_entries(kind)
    names = np.array(sorted({name for items in entries.values() for _, name in items}), object)
    tables = {d: pd.Index([k for k, _ in items]) for d, items in entries.items()}
    return names, tables


@cache
def _name_positions(kind: str, digits: int) -> np.ndarray:
    names, _ = _prefix_tables(kind)
    lookup = {name: i for i, name in enumerate(names)}
    return np.array([lookup[name] for _, name in _prefix_entries(kind)[digits]], dtype=np.int64)


@lru_cache(maxsize=1 << 16)
def _mobile_block(block: str) -> tuple[str | None, str | None]:
    """Carrier and region of a valid seven-digit mobile block (libphonenumber lookups)."""
    num = phonenumbers.PhoneNumber(country_code=86, national_number=int(block + "0000"))
    name, where = _describe(num)
    return name, where


def _other_number(digits: str, region: str) -> tuple[str | None, str, str | None, bool, str | None]:
    """Landlines, service numbers and foreign numbers: one full parse per distinct string."""
    num = _parse(digits, region)
    if num is None and digits.startswith("86"):  # 86 21 6234 5678: country code without "+"
        num = _parse("+" + digits, region)
    if num is None:
        return None, "other", None, False, None
    kind = phonenumbers.number_type(num)
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    name, where = _describe(num)
    if num.country_code != 86:
        where = None
    national = str(num.national_number)
    virtual = num.country_code == 86 and kind in _MOBILE_TYPES and national[:3] in VIRTUAL_SEGMENTS
    return e164, _LINE_TYPES.get(kind, "other"), name, virtual, where


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_valid_number(num) else None


def _places(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Province and city of libphonenumber's region texts (江苏省连云港市, 广西南宁市, 中国)."""
    from custintel.identity.addresses import parse_addresses

    codes, distinct = pd.factorize(pd.Series(texts, dtype=object), use_na_sentinel=True)
    parsed = parse_addresses(pd.Series(distinct, dtype="string"))
    out = []
    for col in ("province", "city"):
        values = np.empty(len(distinct) + 1, dtype=object)
        values[:-1] = [_or_none(v) for v in parsed[col]]
        values[-1] = None
        out.append(values[np.where(codes >= 0, codes, len(distinct))])
    return out[0], out[1]


def _or_none(value: object) -> str | None:
    return None if value is pd.NA or value is None else str(value)
