"""The PII policy the feature layer enforces: no raw personal data in a feature frame.

:func:`assert_no_pii` fails on a frame that carries a raw-PII column (by name: the columns the
data contract flags ``pii``, plus common aliases such as ``mobile``, ``tel``, ``身份证``) or any
text that looks like a Chinese mobile number, an 18-digit resident id number or an e-mail
address, in any column or in the index. Its message names the column and shows a masked example,
never the raw value.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custintel.data.schema import pii_columns
from custintel.identity._text import to_arrow


class PIIError(ValueError):
    """A frame that must be free of raw personal data contains some."""


_ALIASES = """
    phone_number mobile mobile_phone mobile_number cellphone cell_phone tel telephone
    contact_phone contact_mobile customer_phone receiver_phone consignee_phone sender_phone
    email e_mail email_address mail_address id_no id_card idcard id_card_no identity_number
    resident_id national_id ssn passport customer_name full_name real_name contact_name
    receiver_name consignee_name sender_name contact_person street_address full_address
    home_address delivery_address shipping_address receiver_address consignee_address
    sender_address ip ip_address 姓名 名字 收件人 收货人 联系人 手机 手机号 手机号码 电话 电话号码
    联系电话 联系方式 邮箱 电子邮箱 身份证 身份证号 身份证号码 证件号 证件号码 地址 详细地址
    收货地址 收件地址 家庭住址
"""
#: Extra column names treated as raw PII (compared lower-case, spaces and dashes as ``_``).
PII_ALIASES: frozenset[str] = frozenset(_ALIASES.split())
# Name endings that make a column raw PII (customer_mobile, 收件人手机).
_PII_SUFFIXES = ("_phone", "_mobile", "_tel", "_email", "_id_number", "_id_card", "_address")
_PII_CHINESE = ("手机", "电话", "身份证", "姓名", "邮箱", "住址", "详细地址")

_MOBILE = r"(?:^|[^0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?:[^0-9]|$)"
_ID_NUMBER = (
    r"(?:^|[^0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{5}[0-9Xx](?:[^0-9]|$)"
)
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("a Chinese mobile number", _MOBILE),
    ("an 18-digit resident id number", _ID_NUMBER),
    ("an e-mail address", _EMAIL),
)


def pii_column_names() -> frozenset[str]:
    """All column names treated as raw PII: the contract's ``pii`` columns and the aliases."""
    contract = {c for cols in pii_columns().values() for c in cols}
    return frozenset(contract) | PII_ALIASES


def _normal_name(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _is_pii_name(name: object, names: frozenset[str]) -> bool:
    n = _normal_name(name)
    if n in names:
        return True
    if n.endswith(_PII_SUFFIXES):
        return True
    return any(word in n for word in _PII_CHINESE)


def _mask(text: str, kind: str) -> str:
    """Masked form of the first match of ``kind`` in ``text``: 138****5678, 330106********123X."""
    pattern = dict(_PATTERNS)[kind]
    m = re.search(pattern, text)
    found = m.group(0) if m else text
    if kind == "an e-mail address":
        local, _, domain = found.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"[^0-9Xx]", "", found)
    if kind == "a Chinese mobile number":
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    return f"{digits[:6]}********{digits[-4:]}"


def _scan(values: pd.Series | pd.Index, dtype: Any) -> tuple[str, str] | None:
    """First PII-looking value of a column (its kind and masked form), or None."""
    if pd.api.types.is_integer_dtype(dtype):
        arr = np.asarray(pd.Series(values).dropna().to_numpy(dtype=np.int64))
        hit = arr[(arr >= 13_000_000_000) & (arr < 20_000_000_000)]
        if hit.size:
            return "a Chinese mobile number", _mask(str(int(hit[0])), "a Chinese mobile number")
        return None
    if not (
        pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    ):
        return None
    series = pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = pd.Series(series.cat.categories)
    uniq = pd.unique(series.dropna())
    if len(uniq) == 0:
        return None
    text = pd.Series(uniq).map(str)
    strings: pa.Array = to_arrow(text)
    for kind, pattern in _PATTERNS:
        hits = pc.match_substring_regex(strings, pattern).to_numpy(zero_copy_only=False)
        if hits.any():
            first = str(text.iloc[int(np.flatnonzero(hits)[0])])
            return kind, _mask(first, kind)
    return None


def find_pii(frame: pd.DataFrame) -> list[str]:
    """Describe every raw-PII finding of ``frame`` (empty list = clean). Messages are masked."""
    names = pii_column_names()
    problems: list[str] = []
    for col in frame.columns:
        if _is_pii_name(col, names):
            problems.append(f"column {col!r} is a raw-PII field")
    for col in frame.columns:
        values = frame[col]
        if isinstance(values, pd.DataFrame):  # duplicated column names
            continue
        found = _scan(values, values.dtype)
        if found:
            problems.append(
                f"column {col!r} holds values that look like {found[0]} (e.g. {found[1]})"
            )
    index = frame.index
    levels = [index.get_level_values(i) for i in range(index.nlevels)]
    for i, level in enumerate(levels):
        label = index.names[i] if index.names[i] is not None else f"level {i}"
        if index.names[i] is not None and _is_pii_name(index.names[i], names):
            problems.append(f"index {label!r} is a raw-PII field")
        found = _scan(level, level.dtype)
        if found:
            problems.append(
                f"index {label!r} holds values that look like {found[0]} (e.g. {found[1]})"
            )
    return problems


def assert_no_pii(frame: pd.DataFrame, *, where: str = "feature frame") -> None:
    """Raise :class:`PIIError` if ``frame`` holds raw personal data.

    Checks column names (the data contract's PII columns and common aliases such as ``mobile``,
    ``tel``, ``身份证``) and the values of every text, categorical and integer column and of the
    index, with vectorised regular expressions (once per distinct value) for Chinese mobile
    numbers, 18-digit id numbers and e-mail addresses.

    Parameters
    ----------
    frame : DataFrame
        The frame to check (a feature matrix, a label frame, a score table, ...).
    where : str
        What the frame is, for the message.

    Raises
    ------
    PIIError
        Naming each offending column with a masked example (never the raw value).

    Examples
    --------
    >>> import pandas as pd
    >>> assert_no_pii(pd.DataFrame({"orders_90d": [3, 1]}, index=["C1", "C2"]))
    >>> assert_no_pii(pd.DataFrame({"note": ["call 13812345678"]}))
    Traceback (most recent call last):
    ...
    custintel.identity.policy.PIIError: feature frame contains raw personal data: column 'note' ...
    """
    problems = find_pii(frame)
    if problems:
        raise PIIError(
            f"{where} contains raw personal data: {'; '.join(problems)}. Drop these columns, or "
            "replace them with coarse attributes (normalize_phones, parse_addresses) or keyed "
            "pseudonyms (Pseudonymizer) from custintel.identity before building features."
        )


_SCRUB = (
    (r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])", "[手机号]"),
    (
        r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{5}[0-9Xx](?![0-9])",
        "[证件号]",
    ),
    (_EMAIL, "[邮箱]"),
)  # fmt: skip


def scrub_text(texts: pd.Series) -> pd.Series:
    """Replace mobile numbers, resident id numbers and e-mail addresses inside free text.

    Reviews and tickets are written by customers, who sometimes type their phone number into
    them. Text that is stored or logged (a model's holdout, a report) passes through this
    first; :func:`assert_no_pii` then holds for it.

    Parameters
    ----------
    texts : Series of str
        Free text; missing values stay missing.

    Returns
    -------
    Series
        The texts with each match replaced by a placeholder (``[手机号]``, ``[证件号]``,
        ``[邮箱]``), same index.

    Examples
    --------
    >>> scrub_text(pd.Series(["快递员很好，有事打13812345678", "ok"])).tolist()
    ['快递员很好，有事打[手机号]', 'ok']
    """
    out = texts.astype("string")
    for pattern, placeholder in _SCRUB:
        out = out.str.replace(pattern, placeholder, regex=True)
    return out
