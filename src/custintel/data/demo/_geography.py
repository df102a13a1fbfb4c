"""Where the demo customers live: provinces, cities with their tier, districts and sorting hubs.

A compact fact table of the 31 mainland provinces, each with a few real cities and districts,
the two-digit administrative code (used as the first digits of resident id numbers), the
one-character abbreviation, the capital's coordinates, a remoteness level that drives delivery
times, a rough share of e-commerce orders and the name of its main sorting hub. Cities carry their
commercial tier (1 = 一线 ... 5 = 四线及以下). The hub names describe plausible sites; they are
labels for the demo, not claims about any carrier's network.
"""

from __future__ import annotations

import numpy as np

#: Labels of the city tiers (index = tier code - 1).
TIER_LABELS: tuple[str, ...] = ("一线", "新一线", "二线", "三线", "四线及以下")

# full name | short | abbreviation | admin code | remoteness | lat,lon | order share | hub | cities
# cities: "name:tier:district,district,...[:own hub]" separated by ";"
_TABLE = """
北京市|北京|京|11|0|39.9,116.4|3.5|北京顺义分拨中心|北京市:1:朝阳区,海淀区,丰台区,东城区,西城区,通州区,昌平区,大兴区
天津市|天津|津|12|0|39.1,117.2|1.5|天津武清转运中心|天津市:2:和平区,河西区,南开区,滨海新区,河东区,西青区
河北省|河北|冀|13|1|38.0,114.5|4.5|石家庄正定转运中心|石家庄市:3:长安区,桥西区,裕华区;保定市:3:竞秀区,莲池区;唐山市:3:路北区,路南区;邯郸市:4:丛台区,邯山区;衡水市:5:桃城区
山西省|山西|晋|14|1|37.9,112.5|1.9|太原小店分拨中心|太原市:3:小店区,迎泽区,杏花岭区;大同市:4:平城区;运城市:5:盐湖区;长治市:5:潞州区;临汾市:5:尧都区
内蒙古自治区|内蒙古|蒙|15|2|40.8,111.7|1.1|呼和浩特赛罕转运中心|呼和浩特市:4:新城区,赛罕区,回民区;包头市:4:昆都仑区,青山区;鄂尔多斯市:4:东胜区;赤峰市:5:红山区;呼伦贝尔市:5:海拉尔区
辽宁省|辽宁|辽|21|1|41.8,123.4|2.6|沈阳于洪分拨中心|沈阳市:2:和平区,沈河区,皇姑区,铁西区;大连市:3:中山区,沙河口区,甘井子区;鞍山市:4:铁东区;锦州市:5:古塔区;丹东市:5:振兴区
吉林省|吉林|吉|22|1|43.9,125.3|1.2|长春绿园转运中心|长春市:3:朝阳区,南关区,绿园区;吉林市:4:船营区,丰满区;四平市:5:铁西区;松原市:5:宁江区
黑龙江省|黑龙江|黑|23|1|45.8,126.6|1.7|哈尔滨道外分拨中心|哈尔滨市:3:南岗区,道里区,香坊区;大庆市:4:萨尔图区;齐齐哈尔市:5:建华区;牡丹江市:5:东安区;佳木斯市:5:前进区
上海市|上海|沪|31|0|31.2,121.5|4.0|上海青浦转运中心|上海市:1:浦东新区,闵行区,徐汇区,静安区,杨浦区,宝山区,松江区,青浦区
江苏省|江苏|苏|32|0|32.1,118.8|8.5|南京江宁转运中心|南京市:2:玄武区,鼓楼区,秦淮区,建邺区,江宁区;苏州市:2:姑苏区,吴中区,相城区,虎丘区:苏州吴中分拨中心;无锡市:3:梁溪区,滨湖区;常州市:3:天宁区,武进区;徐州市:3:鼓楼区,云龙区;南通市:3:崇川区;盐城市:4:亭湖区;宿迁市:5:宿城区
浙江省|浙江|浙|33|0|30.3,120.2|8.0|杭州萧山转运中心|杭州市:2:西湖区,上城区,拱墅区,滨江区,余杭区;宁波市:2:海曙区,鄞州区,江北区:宁波北仑转运中心;温州市:3:鹿城区,瓯海区;金华市:3:婺城区,金东区,义乌市:义乌转运中心;绍兴市:3:越城区,柯桥区;丽水市:5:莲都区
安徽省|安徽|皖|34|1|31.8,117.2|3.8|合肥肥西分拨中心|合肥市:2:蜀山区,庐阳区,包河区,瑶海区;芜湖市:4:镜湖区,鸠江区;阜阳市:4:颍州区;安庆市:5:迎江区;六安市:5:金安区
福建省|福建|闽|35|0|26.1,119.3|4.0|福州闽侯转运中心|福州市:3:鼓楼区,台江区,仓山区;厦门市:3:思明区,湖里区,集美区:厦门同安分拨中心;泉州市:3:丰泽区,鲤城区,晋江市;漳州市:4:芗城区;莆田市:4:城厢区
江西省|江西|赣|36|1|28.7,115.9|2.5|南昌昌北分拨中心|南昌市:3:东湖区,西湖区,青山湖区,红谷滩区;赣州市:4:章贡区;九江市:4:浔阳区;上饶市:5:信州区;宜春市:5:袁州区
山东省|山东|鲁|37|0|36.7,117.0|6.5|济南章丘转运中心|济南市:3:历下区,市中区,槐荫区;青岛市:2:市南区,市北区,崂山区,黄岛区:青岛胶州转运中心;烟台市:3:芝罘区,莱山区;潍坊市:3:奎文区,潍城区;临沂市:4:兰山区,罗庄区;菏泽市:5:牡丹区
河南省|河南|豫|41|1|34.8,113.7|5.5|郑州航空港转运中心|郑州市:2:金水区,中原区,二七区,管城回族区;洛阳市:3:西工区,洛龙区;南阳市:4:卧龙区,宛城区;周口市:5:川汇区;信阳市:5:浉河区
湖北省|湖北|鄂|42|1|30.6,114.3|4.0|武汉东西湖分拨中心|武汉市:2:江汉区,武昌区,洪山区,汉阳区,江岸区;宜昌市:4:西陵区,伍家岗区;襄阳市:4:襄城区,樊城区;荆州市:4:沙市区,荆州区;黄冈市:5:黄州区
湖南省|湖南|湘|43|1|28.2,112.9|4.0|长沙望城转运中心|长沙市:2:岳麓区,芙蓉区,天心区,开福区,雨花区;株洲市:4:天元区,芦淞区;衡阳市:4:蒸湘区,石鼓区;岳阳市:4:岳阳楼区;常德市:4:武陵区;怀化市:5:鹤城区
广东省|广东|粤|44|0|23.1,113.3|12.0|广州白云分拨中心|广州市:1:天河区,越秀区,海珠区,白云区,番禺区;深圳市:1:南山区,福田区,罗湖区,宝安区,龙岗区:深圳宝安转运中心;东莞市:2:南城街道,东城街道,长安镇,虎门镇:东莞虎门转运中心;佛山市:2:禅城区,南海区,顺德区;惠州市:3:惠城区,惠阳区;汕头市:4:金平区,龙湖区;湛江市:4:赤坎区,霞山区;梅州市:5:梅江区,梅县区
广西壮族自治区|广西|桂|45|2|22.8,108.4|2.6|南宁江南分拨中心|南宁市:3:青秀区,兴宁区,西乡塘区;柳州市:4:城中区,鱼峰区;桂林市:4:秀峰区,七星区;玉林市:5:玉州区;百色市:5:右江区
海南省|海南|琼|46|2|20.0,110.3|0.8|海口美兰转运中心|海口市:4:美兰区,龙华区,秀英区;三亚市:4:吉阳区,天涯区;儋州市:5:那大镇
重庆市|重庆|渝|50|1|29.6,106.5|2.4|重庆渝北转运中心|重庆市:2:渝中区,江北区,南岸区,渝北区,沙坪坝区,九龙坡区
四川省|四川|川|51|1|30.7,104.1|5.0|成都双流转运中心|成都市:2:锦江区,青羊区,武侯区,成华区,金牛区,双流区;绵阳市:4:涪城区,游仙区;南充市:4:顺庆区;宜宾市:4:翠屏区;达州市:5:通川区
贵州省|贵州|黔|52|2|26.6,106.7|1.7|贵阳白云分拨中心|贵阳市:3:云岩区,南明区,观山湖区;遵义市:4:红花岗区,汇川区;毕节市:5:七星关区;六盘水市:5:钟山区
云南省|云南|滇|53|2|25.0,102.7|2.3|昆明官渡转运中心|昆明市:3:五华区,盘龙区,官渡区,西山区;曲靖市:4:麒麟区;玉溪市:5:红塔区;保山市:5:隆阳区;昭通市:5:昭阳区
西藏自治区|西藏|藏|54|3|29.7,91.1|0.2|拉萨堆龙分拨中心|拉萨市:5:城关区,堆龙德庆区;日喀则市:5:桑珠孜区;林芝市:5:巴宜区
陕西省|陕西|陕|61|1|34.3,108.9|2.6|西安咸阳转运中心|西安市:2:雁塔区,碑林区,莲湖区,未央区,长安区;宝鸡市:4:渭滨区,金台区;咸阳市:4:秦都区;汉中市:5:汉台区;榆林市:5:榆阳区
甘肃省|甘肃|甘|62|2|36.1,103.8|1.0|兰州七里河分拨中心|兰州市:4:城关区,七里河区,安宁区;天水市:5:秦州区;酒泉市:5:肃州区;庆阳市:5:西峰区
青海省|青海|青|63|3|36.6,101.8|0.3|西宁城北转运中心|西宁市:4:城中区,城西区,城东区;海东市:5:乐都区
宁夏回族自治区|宁夏|宁|64|2|38.5,106.3|0.4|银川兴庆分拨中心|银川市:4:兴庆区,金凤区,西夏区;石嘴山市:5:大武口区;吴忠市:5:利通区
新疆维吾尔自治区|新疆|新|65|3|43.8,87.6|1.1|乌鲁木齐头屯河转运中心|乌鲁木齐市:4:天山区,沙依巴克区,新市区;克拉玛依市:5:克拉玛依区;哈密市:5:伊州区;吐鲁番市:5:高昌区
"""

# Relative weight of a city inside its province, by tier.
_TIER_WEIGHT = {1: 10.0, 2: 6.0, 3: 3.5, 4: 2.0, 5: 1.2}


def _parse() -> dict[str, list]:
    cols: dict[str, list] = {k: [] for k in (
        "prov", "prov_short", "prov_abbr", "prov_code", "prov_remote", "prov_lat", "prov_lon",
        "prov_weight", "prov_hub", "city", "city_prov", "city_tier", "city_hub", "city_weight",
        "district", "district_city",
    )}  # fmt: skip
    for line in _TABLE.strip().splitlines():
        name, short, abbr, code, remote, latlon, weight, hub, cities = line.split("|")
        p = len(cols["prov"])
        lat, lon = (float(x) for x in latlon.split(","))
        for key, val in (
            ("prov", name),
            ("prov_short", short),
            ("prov_abbr", abbr),
            ("prov_code", int(code)),
            ("prov_remote", int(remote)),
            ("prov_lat", lat),
            ("prov_lon", lon),
            ("prov_weight", float(weight)),
            ("prov_hub", hub),
        ):
            cols[key].append(val)
        specs = [c.split(":") for c in cities.split(";")]
        total = sum(_TIER_WEIGHT[int(s[1])] for s in specs)
        for spec in specs:
            c = len(cols["city"])
            cols["city"].append(spec[0])
            cols["city_prov"].append(p)
            cols["city_tier"].append(int(spec[1]))
            cols["city_hub"].append(spec[3] if len(spec) > 3 else hub)
            cols["city_weight"].append(float(weight) * _TIER_WEIGHT[int(spec[1])] / total)
            for district in spec[2].split(","):
                cols["district"].append(district)
                cols["district_city"].append(c)
    return cols


_COLS = _parse()

#: Full province names (省 / 市 / 自治区).
PROVINCES: tuple[str, ...] = tuple(_COLS["prov"])
#: Province names without the administrative suffix (广西 for 广西壮族自治区).
PROVINCE_SHORT: tuple[str, ...] = tuple(_COLS["prov_short"])
#: One-character abbreviations (沪, 粤, 桂, ...).
PROVINCE_ABBR: tuple[str, ...] = tuple(_COLS["prov_abbr"])
PROVINCE_CODE = np.array(_COLS["prov_code"], dtype=np.int64)
#: 0 = eastern seaboard, 1 = centre and north-east, 2 = west and south-west, 3 = remote west.
PROVINCE_REMOTE = np.array(_COLS["prov_remote"], dtype=np.int64)
PROVINCE_WEIGHT = np.array(_COLS["prov_weight"]) / sum(_COLS["prov_weight"])
PROVINCE_HUB: tuple[str, ...] = tuple(_COLS["prov_hub"])
_LAT = np.radians(np.array(_COLS["prov_lat"]))
_LON = np.radians(np.array(_COLS["prov_lon"]))

#: Full city names (杭州市).
CITIES: tuple[str, ...] = tuple(_COLS["city"])
#: City names without 市, as used in site names.
CITY_SHORT: tuple[str, ...] = tuple(c.removesuffix("市") for c in _COLS["city"])
CITY_PROVINCE = np.array(_COLS["city_prov"], dtype=np.int64)
CITY_TIER = np.array(_COLS["city_tier"], dtype=np.int64)
CITY_HUB: tuple[str, ...] = tuple(_COLS["city_hub"])
CITY_WEIGHT = np.array(_COLS["city_weight"]) / sum(_COLS["city_weight"])
#: Whether the city is a municipality (its province is the city itself).
CITY_IS_MUNICIPALITY = np.array(
    [PROVINCES[p] == c for c, p in zip(CITIES, CITY_PROVINCE, strict=True)]
)

DISTRICTS: tuple[str, ...] = tuple(_COLS["district"])
DISTRICT_CITY = np.array(_COLS["district_city"], dtype=np.int64)
#: Distinct district names (鼓楼区 exists in several cities) and the name index of each district.
DISTRICT_NAMES: tuple[str, ...] = tuple(dict.fromkeys(DISTRICTS))
DISTRICT_NAME_CODE = np.array([DISTRICT_NAMES.index(d) for d in DISTRICTS], dtype=np.int64)
_DISTRICT_START = np.searchsorted(DISTRICT_CITY, np.arange(len(CITIES)))
_DISTRICT_COUNT = np.bincount(DISTRICT_CITY, minlength=len(CITIES))

#: Hub sites (one per distinct hub name) and the hub index of every city.
HUBS: tuple[str, ...] = tuple(dict.fromkeys(CITY_HUB))
CITY_HUB_INDEX = np.array([HUBS.index(h) for h in CITY_HUB], dtype=np.int64)


def city_index(name: str) -> int:
    """Return the index of city ``name`` (full name, e.g. ``"杭州市"``)."""
    return CITIES.index(name)


def capital_city(province: np.ndarray) -> np.ndarray:
    """Index of the first-listed (capital) city of each province index."""
    first = np.searchsorted(CITY_PROVINCE, np.arange(len(PROVINCES)))
    return first[np.asarray(province)]


def draw_cities(rng: np.random.Generator, n: int, tier_tilt: float = 0.0) -> np.ndarray:
    """Draw ``n`` city indices by order share; ``tier_tilt`` > 0 favours lower-tier cities."""
    w = CITY_WEIGHT * np.exp(tier_tilt * (CITY_TIER - 3))
    return rng.choice(len(CITIES), size=n, p=w / w.sum())


def draw_districts(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """Draw one district index inside each city."""
    city = np.asarray(city)
    offset = (rng.random(len(city)) * _DISTRICT_COUNT[city]).astype(np.int64)
    return _DISTRICT_START[city] + offset


def distance_km(prov_a: np.ndarray, prov_b: np.ndarray) -> np.ndarray:
    """Great-circle distance between the capitals of two provinces (vectorised)."""
    a, b = np.asarray(prov_a), np.asarray(prov_b)
    dlat, dlon = _LAT[b] - _LAT[a], _LON[b] - _LON[a]
    h = np.sin(dlat / 2) ** 2 + np.cos(_LAT[a]) * np.cos(_LAT[b]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))
