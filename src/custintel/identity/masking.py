"""Masked display forms of personal data, for review screens and reports.

A masked value is for a person who needs to recognise a record (a reviewer confirming a match),
not for analysis: 138****5678, 张*, 欧阳**, 浙江省杭州市西湖区***. Masked values are still
personal data under PIPL when combined with other fields; they are never model features.
"""

from __future__ import annotations

from typing import overload

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custintel.identity._text import as_text, from_arrow, to_arrow
from custintel.identity.phones import national_digits

_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 "
    "西门 百里 呼延 澹台 公冶 太史 申屠 闻人 钟离 赫连 东郭 万俟 拓跋 司空 第五 耶律 鲜于 "
    "闾丘 淳于 单于 濮阳 公羊 仲孙 左丘 梁丘 羊舌 微生 谷梁 宰父 乐正"
)
#: Two-character (复姓) surnames recognised by :func:`mask_name`.
COMPOUND_SURNAMES: frozenset[str] = frozenset(_COMPOUND.split())


@overload
def mask_phone(phones: str) -> str: ...
@overload
def mask_phone(phones: pd.Series) -> pd.Series: ...
def mask_phone(phones: str | pd.Series) -> str | pd.Series:
    """Mask the middle digits of phone numbers: ``138****5678``.

    Formatting and the ``+86`` / ``0086`` prefix are dropped first; the first three and last four
    digits stay. Numbers shorter than eight digits become ``****``.

    Examples
    --------
    >>> mask_phone("+86 138-1234-5678")
    '138****5678'
    >>> import pandas as pd
    >>> mask_phone(pd.Series(["021-6234-5678", "110", None])).tolist()
    ['021****5678', '****', <NA>]
    """
    if isinstance(phones, str):
        return str(mask_phone(pd.Series([phones])).iloc[0])
    digits = to_arrow(national_digits(as_text(phones)))
    digits = pc.replace_substring(digits, "+", "")
    n = pc.utf8_length(digits)
    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(digits, 0, 3),
        pc.utf8_slice_codeunits(digits, -4),
        pa.scalar("****", pa.large_string()),
    )
    out = pc.if_else(pc.less(n, 8), pa.scalar("****", pa.large_string()), masked)
    return from_arrow(out, phones.index, phones.name)


@overload
def mask_name(names: str) -> str: ...
@overload
def mask_name(names: pd.Series) -> pd.Series: ...
def mask_name(names: str | pd.Series) -> str | pd.Series:
    """Keep the surname, mask the given name: 张三 -> 张*, 欧阳娜娜 -> 欧阳**.

    Two-character surnames of :data:`COMPOUND_SURNAMES` are kept whole when the name is longer
    than two characters. Latin names keep their first letter (``Li Lei`` -> ``L*****``).

    Examples
    --------
    >>> mask_name("张三"), mask_name("欧阳娜娜"), mask_name("张伟强")
    ('张*', '欧阳**', '张**')
    """
    if isinstance(names, str):
        return str(mask_name(pd.Series([names])).iloc[0])
    text = as_text(names).str.strip()
    compound = text.str.slice(0, 2).isin(COMPOUND_SURNAMES) & (text.str.len() > 2)
    keep = compound.astype("int64") + 1
    length = text.str.len()
    out = pd.Series(pd.NA, index=text.index, name=names.name, dtype="string")
    for k in (1, 2):
        rows = (keep == k) & text.notna()
        stars = (length[rows] - k).clip(lower=1)
        out[rows] = text[rows].str.slice(0, k) + stars.map(lambda m: "*" * int(m)).astype("string")
    return out


@overload
def mask_address(addresses: str) -> str: ...
@overload
def mask_address(addresses: pd.Series) -> pd.Series: ...
def mask_address(addresses: str | pd.Series) -> str | pd.Series:
    """Cut addresses to their district: 浙江省杭州市西湖区文三路90号 -> 浙江省杭州市西湖区***.

    The administrative part is rewritten from the parsed province, city and district (see
    :func:`~custintel.identity.parse_addresses`), so a street that is not understood never
    leaks; an address with no recognisable division becomes ``***``.

    Examples
    --------
    >>> mask_address("杭州西湖区文三路90号3栋")
    '浙江省杭州市西湖区***'
    >>> mask_address("上海市浦东新区张杨路500号")
    '上海市浦东新区***'
    """
    if isinstance(addresses, str):
        return str(mask_address(pd.Series([addresses])).iloc[0])
    from custintel.identity.addresses import parse_addresses

    text = as_text(addresses)
    parts = parse_addresses(text)
    province = parts["province"].fillna("")
    city = parts["city"].fillna("").where(parts["city"] != parts["province"], "")
    head = province + city + parts["district"].fillna("")
    out = head + "***"
    out = out.astype("string")
    out = out.mask(text.isna())
    out.name = addresses.name
    return out
