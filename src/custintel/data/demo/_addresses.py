"""Street addresses: homes, offices and parcel drop points, and their spelling variants.

An address is kept as codes (province, city, district, road, number, compound, building, unit,
room, format) and rendered to text on demand, so the same place can be written several ways:
full province name or its short form (广西 / 广西壮族自治区) or one-character abbreviation (沪),
the province left out, or another building format (5栋2单元301室 / 5-2-301).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from custintel.data.demo import _geography as geo
from custintel.data.demo import _strings as s


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ROADS = _words(
    "人民 解放 中山 建设 和平 新华 文化 胜利 长江 黄河 东风 朝阳 光明 青年 幸福 复兴 民主 "
    "北京 南京 延安 学院 科技 滨江 花园 工业 友谊 团结 振兴 迎宾 府前 健康 体育 育才 金融 "
    "创业 世纪 湖滨 环城 江南 新城"
)
_ROAD_DIR = ("", "东", "西", "南", "北", "中")
_ROAD_KIND = ("路", "街", "大道")
_ESTATE = _words(
    "阳光 锦绣 金色 翠苑 幸福 和谐 春天 丽景 名都 世纪 东方 碧水 绿洲 滨江 书香 紫荆 桂花 "
    "枫林 星河 银座 金地 华庭 御景 康乐 明珠 新城 悦府 天韵 海棠 云栖"
)
_ESTATE_KIND = ("小区", "花园", "家园", "公寓", "新村", "苑", "府", "华庭", "名苑", "雅居")
_DROP_KIND = ("菜鸟驿站", "快递代收点", "便利店", "仓库", "快递超市")
# Building formats: 5栋2单元301室 / 5幢2单元301 / 5号楼2单元301室 / 5-2-301.
_BLDG_SEP = (("栋", "单元", "室"), ("幢", "单元", ""), ("号楼", "单元", "室"), ("-", "-", ""))
N_BUILDING_STYLES = len(_BLDG_SEP)

#: Address kinds.
HOME, OFFICE, DROP = 0, 1, 2

_NUM = s.numbers_text(0, 4_000)
_PROV_FULL = s.vocab(geo.PROVINCES)
_PROV_SHORT = s.vocab(geo.PROVINCE_SHORT)
_PROV_ABBR = s.vocab(geo.PROVINCE_ABBR)
_CITY_FULL = s.vocab(geo.CITIES)
_CITY_SHORT = s.vocab(geo.CITY_SHORT)
_DISTRICT = s.vocab(geo.DISTRICTS)


@dataclass(frozen=True)
class AddressParts:
    """An address as codes; ``render_addresses`` turns it into text."""

    kind: np.ndarray
    district: np.ndarray
    road: np.ndarray
    road_dir: np.ndarray
    road_kind: np.ndarray
    number: np.ndarray
    estate: np.ndarray
    estate_kind: np.ndarray
    building: np.ndarray
    unit: np.ndarray
    room: np.ndarray
    style: np.ndarray

    @property
    def city(self) -> np.ndarray:
        """City index of each address."""
        return geo.DISTRICT_CITY[self.district]

    @property
    def province(self) -> np.ndarray:
        """Province index of each address."""
        return geo.CITY_PROVINCE[self.city]

    def take(self, idx: np.ndarray) -> AddressParts:
        """Return the addresses at positions ``idx``."""
        return AddressParts(**{k: v[idx] for k, v in self.__dict__.items()})

    @staticmethod
    def concat(parts: list[AddressParts]) -> AddressParts:
        """Stack several address sets end to end."""
        keys = parts[0].__dict__
        return AddressParts(**{k: np.concatenate([p.__dict__[k] for p in parts]) for k in keys})


def draw_addresses(rng: np.random.Generator, city: np.ndarray, kind: int) -> AddressParts:
    """Draw one address of ``kind`` (HOME, OFFICE or DROP) inside each city."""
    n = len(city)
    floor = rng.integers(1, 33 if kind == OFFICE else 19, n)
    i8, i16 = np.int8, np.int16
    return AddressParts(
        kind=np.full(n, kind, dtype=i8),
        district=geo.draw_districts(rng, city).astype(i16),
        road=rng.integers(0, len(_ROADS), n).astype(i8),
        road_dir=np.where(rng.random(n) < 0.5, 0, rng.integers(1, len(_ROAD_DIR), n)).astype(i8),
        road_kind=rng.choice(len(_ROAD_KIND), size=n, p=[0.7, 0.15, 0.15]).astype(i8),
        number=rng.integers(1, 900, n).astype(i16),
        estate=rng.integers(0, len(_ESTATE), n).astype(i8),
        estate_kind=rng.integers(0, len(_ESTATE_KIND), n).astype(i8),
        building=rng.integers(1, 37, n).astype(i8),
        unit=rng.integers(1, 7, n).astype(i8),
        room=(floor * 100 + rng.integers(1, 5, n)).astype(i16),
        style=rng.choice(N_BUILDING_STYLES, size=n, p=[0.45, 0.15, 0.25, 0.15]).astype(i8),
    )


def _tail(p: AddressParts) -> pa.Array:
    """Render the part after the district, by address kind."""
    road = s.join(
        s.take(_ROADS, p.road), s.take(_ROAD_DIR, p.road_dir), s.take(_ROAD_KIND, p.road_kind)
    )
    number = s.join(road, s.take(_NUM, p.number), "号")
    estate = s.join(s.take(_ESTATE, p.estate), s.take(_ESTATE_KIND, p.estate_kind))
    sep = np.asarray(_BLDG_SEP)
    home = s.join(
        number,
        estate,
        s.take(_NUM, p.building),
        s.take(sep[:, 0], p.style),
        s.take(_NUM, p.unit),
        s.take(sep[:, 1], p.style),
        s.take(_NUM, p.room),
        s.take(sep[:, 2], p.style),
    )
    office = s.choose(
        p.style % 2 == 0,
        s.join(
            number,
            s.take(_ESTATE, p.estate),
            "大厦",
            s.take(_NUM, p.room // 100),
            "楼",
            s.take(_NUM, p.room),
            "室",
        ),
        s.join(
            s.take(_ESTATE, p.estate),
            "科技园",
            s.take(list("ABCDEF"), p.unit - 1),
            "座",
            s.take(_NUM, p.room // 100),
            "层",
        ),
    )
    drop = s.choose(
        p.style % 2 == 0,
        s.join(estate, s.take(_DROP_KIND, p.estate_kind % 2)),
        s.join(number, s.take(_DROP_KIND, 2 + p.estate_kind % 3)),
    )
    return s.choose(p.kind == HOME, home, s.choose(p.kind == OFFICE, office, drop))


#: Province spellings: full name, short name, one-character abbreviation, left out.
PROVINCE_STYLES: tuple[str, ...] = ("full", "short", "abbreviation", "missing")


def render_addresses(p: AddressParts, province_style: np.ndarray | int = 0) -> pa.Array:
    """Render addresses; ``province_style`` indexes :data:`PROVINCE_STYLES` (per row or one)."""
    n = len(p.kind)
    ps = np.broadcast_to(np.asarray(province_style), (n,))
    prov, city = p.province, p.city
    muni = geo.CITY_IS_MUNICIPALITY[city]
    prov_text = s.choose(
        ps == 0,
        s.take(_PROV_FULL, prov),
        s.choose(
            ps == 1, s.take(_PROV_SHORT, prov), s.choose(ps == 2, s.take(_PROV_ABBR, prov), "")
        ),
    )
    # 上海市浦东新区: a municipality is written once, unless the province was left out.
    city_text = s.choose(
        muni & (ps != 3),
        "",
        s.choose(ps == 0, s.take(_CITY_FULL, city), s.take(_CITY_SHORT, city)),
    )
    return s.join(prov_text, city_text, s.take(_DISTRICT, p.district), _tail(p))


def restyle_buildings(rng: np.random.Generator, p: AddressParts) -> AddressParts:
    """Return the same places with another building format (for duplicate records)."""
    shift = rng.integers(1, N_BUILDING_STYLES, len(p.kind))
    return replace(p, style=((p.style + shift) % N_BUILDING_STYLES).astype(np.int8))
