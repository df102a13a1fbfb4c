"""Chinese address parsing: province, city, district and city tier of free-text addresses.

The parser reads the administrative head of an address from left to right, always taking the
longest name that fits what it has read so far, and infers the levels that are left out:

- full names and short forms: 广西壮族自治区 / 广西, 杭州市 / 杭州, 鄞州区 / 鄞州;
- one-character province abbreviations (沪, 粤, 桂), accepted only when a city or district of that
  province follows (so 宁波 is not 宁夏 + 波);
- municipalities (北京/上海/天津/重庆): province == city;
- a missing province or city is inferred from the city or district when that is unambiguous
  (西湖区 alone is not: Hangzhou and Nanchang both have one);
- cities without districts (东莞, 中山, 儋州, 嘉峪关): the town or sub-district (长安镇, 南城街道)
  is reported as the district;
- separators and spaces anywhere (``广东省, 深圳市 / 南山区``), full-width characters, a leading
  中国 or postcode.

Each address is reduced to its head (normalised, cut at the first digit) and every distinct head
is parsed once, so a million addresses cost as much as their distinct heads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
import pyarrow.compute as pc

from custintel.identity._city_tiers import CITY_TIERS, TIER_LABELS
from custintel.identity._divisions import (
    _CITY_SUFFIX,
    MUNICIPALITIES,
    PROVINCE_ABBREVIATIONS,
    Divisions,
    _short,
    divisions,
)
from custintel.identity._text import (
    as_text,
    factorize_text,
    from_arrow,
    normalize,
    take_column,
    to_arrow,
)

#: Columns returned by :func:`parse_addresses`.
ADDRESS_COLUMNS: tuple[str, ...] = (
    "province",
    "city",
    "district",
    "city_tier",
    "city_tier_label",
    "adcode",
)
_HEAD_CHARS = 40
_TOWN = re.compile(r"(.{1,8}?(?:街道|镇|乡))")
_NOT_MAINLAND = frozenset({"71", "81", "82"})


class _Hit(NamedTuple):
    codes: tuple[str, ...]
    end: int


@dataclass
class _Parsed:
    province: str | None = None
    city: str | None = None
    district: str | None = None
    district_name: str | None = None


def _lengths_by_first_char(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for name in table:
        lengths.setdefault(name[0], set()).add(len(name))
    return {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}


class AddressParser:
    """Parse the administrative head of one address (see :func:`parse_addresses`).

    Examples
    --------
    >>> AddressParser().parse("沪浦东新区张杨路500号")
    ('上海市', '上海市', '浦东新区', 1, '一线', '310115')
    """

    def __init__(self, table: Divisions | None = None):
        self.d = d = table or divisions()
        self._province: dict[str, tuple[str, ...]] = {
            name: (code,) for name, code in d.province_by_name.items()
        }
        # Nationwide, only full district names of 3+ characters count (城区, 郊区 are everywhere).
        self._district_nationwide = {k: v for k, v in d.district_by_name.items() if len(k) >= 3}
        # Per table: first character -> lengths of the names starting with it, longest first.
        self._len = {
            id(t): _lengths_by_first_char(t)
            for t in (
                self._province,
                d.city_by_name,
                d.district_by_name,
                d.district_by_short,
                self._district_nationwide,
            )
        }

    def _match(
        self, table: dict[str, tuple[str, ...]], s: str, i: int, prefix: str | None = None
    ) -> _Hit | None:
        """Find the longest name of ``table`` at ``s[i:]`` (codes starting with ``prefix``)."""
        if i >= len(s):
            return None
        room = len(s) - i
        for n in self._len[id(table)].get(s[i], ()):
            if n > room:
                continue
            codes = table.get(s[i : i + n])
            if codes is None:
                continue
            if prefix is not None:
                codes = tuple(c for c in codes if c.startswith(prefix))
                if not codes:
                    continue
            return _Hit(codes, i + n)
        return None

    def _city_codes(self, hit: _Hit, province: str | None) -> tuple[str, ...]:
        if province is None:
            return hit.codes
        return tuple(c for c in hit.codes if self.d.city_province[c] == province)

    def _first_level(self, s: str, i: int, out: _Parsed) -> int:
        """Province, city or district at the start; returns the position after it."""
        p = self._match(self._province, s, i)
        c = self._match(self.d.city_by_name, s, i)
        dist = self._match(self._district_nationwide, s, i)
        best = max(
            (h for h in ((p, 3), (c, 2), (dist, 1)) if h[0] is not None),
            key=lambda h: (h[0].end, h[1]),  # type: ignore[union-attr]
            default=None,
        )
        if best is None:
            return self._abbreviation(s, i, out)
        hit, level = best
        assert hit is not None
        if level == 3:
            out.province = hit.codes[0]
        elif level == 2:
            self._set_city(hit.codes, out)
        else:
            self._set_district(hit.codes, s[i : hit.end], out)
        return hit.end

    def _abbreviation(self, s: str, i: int, out: _Parsed) -> int:
        """沪浦东新区, 粤东莞市: a one-character province followed by one of its places."""
        prov = PROVINCE_ABBREVIATIONS.get(s[i : i + 1])
        if prov is None:
            return i
        j = i + 1
        if prov in MUNICIPALITIES:
            if self._match(self.d.district_by_name, s, j, prov) or self._match(
                self.d.city_by_name, s, j, prov
            ):
                out.province = prov
                return j
            return i
        c = self._match(self.d.city_by_name, s, j)
        if c is not None and self._city_codes(c, prov):
            out.province = prov
            return j
        if self._match(self.d.district_by_name, s, j, prov):
            out.province = prov
            return j
        return i

    def _set_city(self, codes: tuple[str, ...], out: _Parsed) -> None:
        if len(codes) == 1:
            out.city = codes[0]
            out.province = self.d.city_province[codes[0]]
        else:
            provinces = {self.d.city_province[c] for c in codes}
            if len(provinces) == 1:
                out.province = provinces.pop()

    def _set_district(self, codes: tuple[str, ...], name: str, out: _Parsed) -> None:
        if len(codes) == 1:
            out.district = codes[0]
            out.city = self.d.district_city[codes[0]]
            out.province = codes[0][:2]
            return
        out.district_name = self.d.district_name[codes[0]] if codes else name
        cities = {self.d.district_city[c] for c in codes}
        if len(cities) == 1:
            out.city = cities.pop()
        provinces = {c[:2] for c in codes}
        if out.province is None and len(provinces) == 1:
            out.province = provinces.pop()

    def _city_level(self, s: str, i: int, out: _Parsed) -> int:
        prov = out.province
        assert prov is not None
        if prov in MUNICIPALITIES:
            out.city = prov + "0100"
            again = self._match(self.d.city_by_name, s, i, prov)
            i = again.end if again is not None else i
            return i + 3 if s.startswith("市辖区", i) else i
        c = self._match(self.d.city_by_name, s, i, prov)
        dist = self._match(self.d.district_by_name, s, i, prov)
        if c is not None and (dist is None or c.end >= dist.end):
            codes = self._city_codes(c, prov)
            if len(codes) == 1:
                out.city = codes[0]
            return c.end
        return i

    def _district_level(self, s: str, i: int, out: _Parsed) -> int:
        city = out.city
        if city is None:
            hit = self._match(self.d.district_by_name, s, i, out.province)
            if hit is not None:
                self._set_district(hit.codes, s[i : hit.end], out)
                return hit.end
            return i
        if city not in self.d.cities_with_districts:
            m = _TOWN.match(s, i)
            if m is not None:
                out.district_name = m.group(1)
                return m.end()
            return i
        # 青岛市南区 / 济南市中区: the 市 read as the end of the city may begin the district.
        starts = (i, i - 1) if i > 0 and s[i - 1] == "市" else (i,)
        for start in starts:
            full = self._match(self.d.district_by_name, s, start, city[:2])
            short = self._match(self.d.district_by_short, s, start, city[:2])
            for hit in sorted((h for h in (full, short) if h is not None), key=lambda h: -h.end):
                codes = tuple(c for c in hit.codes if self.d.district_city[c] == city)
                if len(codes) == 1:
                    out.district = codes[0]
                    return hit.end
        return i

    def parse(
        self, text: str
    ) -> tuple[str | None, str | None, str | None, int | None, str | None, str | None]:
        """Parse one normalised address head.

        Returns
        -------
        tuple
            ``(province, city, district, city_tier, city_tier_label, adcode)``; ``None`` where
            a level cannot be read or inferred.
        """
        s = text
        start = 7 if s.startswith("中华人民共和国") else 2 if s.startswith("中国") else 0
        out = _Parsed()
        self._below(s, self._first_level(s, start, out), out)
        if out.province is not None and out.district is None and out.district_name is None:
            # 陕西安未央区 is 陕 + 西安, not 陕西 + 安; 琼海口美兰区 is 琼 + 海口, not 琼海市.
            again = _Parsed()
            j = self._abbreviation(s, start, again)
            if j > start and again.province == out.province:
                self._below(s, j, again)
                deeper = again.district is not None or again.district_name is not None
                if deeper or (out.city is None and again.city is not None):
                    out = again
        return self._render(out)

    def _below(self, s: str, i: int, out: _Parsed) -> None:
        """Read the city and district levels after position ``i``."""
        if out.province is not None and out.city is None and out.district_name is None:
            i = self._city_level(s, i, out)
        if out.district is None and out.district_name is None:
            self._district_level(s, i, out)

    def _render(
        self, out: _Parsed
    ) -> tuple[str | None, str | None, str | None, int | None, str | None, str | None]:
        d = self.d
        province = d.province_name.get(out.province) if out.province else None
        city = d.city_name.get(out.city) if out.city else None
        district = d.district_name[out.district] if out.district else out.district_name
        tier: int | None = None
        if city is not None and out.province not in _NOT_MAINLAND:
            tier = CITY_TIERS.get(_short(city, _CITY_SUFFIX), 5)
        adcode = out.district or out.city or (out.province + "0000" if out.province else None)
        return province, city, district, tier, TIER_LABELS.get(tier or 0), adcode


def address_heads(addresses: pd.Series) -> pd.Series:
    """Normalised administrative heads of addresses: what :func:`parse_addresses` parses.

    NFKC, separators and spaces removed, a leading postcode dropped, cut at the first digit
    (house numbers never name a division) and at 40 characters.

    Examples
    --------
    >>> import pandas as pd
    >>> address_heads(pd.Series(["广东省, 深圳市 南山区 科技园 8栋", None])).tolist()
    ['广东省深圳市南山区科技园', <NA>]
    """
    arr = normalize(to_arrow(as_text(addresses)))
    arr = pc.replace_substring_regex(arr, r"^[0-9]+", "")
    arr = pc.replace_substring_regex(arr, r"[0-9].*$", "")
    arr = pc.utf8_slice_codeunits(arr, 0, _HEAD_CHARS)
    return from_arrow(arr, addresses.index)


def parse_addresses(addresses: object) -> pd.DataFrame:
    """Split Chinese addresses into province, city, district and city tier.

    Parameters
    ----------
    addresses : Series or array-like of str
        Free-text addresses in any common spelling (see the module notes). Missing values give
        missing parts.

    Returns
    -------
    DataFrame
        Aligned with the input, with columns ``province``, ``city``, ``district`` (full official
        names; a municipality is its own city), ``city_tier`` (1 = 一线, 2 = 新一线, 3 = 二线,
        4 = 三线, 5 = 四线及以下, following the 2025 edition of the 新一线城市研究所 ranking),
        ``city_tier_label`` and ``adcode`` (the six-digit code of the most precise level found).
        Province, city and tier are coarse attributes that may be used as model features; the
        district is finer and the address itself is PII.

    Examples
    --------
    >>> import pandas as pd
    >>> parsed = parse_addresses(pd.Series(
    ...     ["沪浦东新区张杨路500号", "广西南宁市青秀区民族大道100号", "杭州西湖区文三路90号"]))
    >>> parsed[["province", "city", "district", "city_tier"]]
      province city district  city_tier
    0      上海市  上海市     浦东新区          1
    1  广西壮族自治区  南宁市      青秀区          3
    2      浙江省  杭州市      西湖区          2
    """
    text = as_text(addresses)
    heads = address_heads(text)
    codes, uniques = factorize_text(heads)
    parser = _parser()
    rows = [parser.parse(u) for u in uniques]
    cols: list[tuple[Any, ...]] = (
        list(zip(*rows, strict=True)) if rows else [() for _ in ADDRESS_COLUMNS]
    )
    dtypes = ("string", "string", "string", "Int64", "string", "string")
    data = {
        name: take_column(list(col), codes, text.index, dtype)
        for name, col, dtype in zip(ADDRESS_COLUMNS, cols, dtypes, strict=True)
    }
    return pd.DataFrame(data, index=text.index)


_PARSER: list[AddressParser] = []


def _parser() -> AddressParser:
    if not _PARSER:
        _PARSER.append(AddressParser())
    return _PARSER[0]


def province_of_city(cities: pd.Series) -> pd.Series:
    """Full province name of each full city name (missing when unknown)."""
    d = divisions()
    by_name = {name: d.province_name[d.city_province[code]] for code, name in d.city_name.items()}
    return cities.astype("string").map(by_name).astype("string")
