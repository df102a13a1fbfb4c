"""City tiers: the commercial classification of Chinese cities published every year.

Source: 第一财经·新一线城市研究所, 《2025新一线城市魅力排行榜》 (published 2025-05-28), which
ranks the 337 prefecture-level-and-above cities into 一线 (4), 新一线 (15), 二线 (30), 三线 (70),
四线 (90) and 五线 (128). custintel ships the first four groups by name; every other city of
mainland China is 四线及以下 (tier 5), the coarsest grouping that is still useful as a model
feature. Update the lists below when a new edition is published (and bump
:data:`TIER_SOURCE_YEAR`).
"""

from __future__ import annotations

#: Edition of the published classification the table follows.
TIER_SOURCE_YEAR = 2025

#: Tier labels by code (1 = 一线 ... 5 = 四线及以下).
TIER_LABELS: dict[int, str] = {1: "一线", 2: "新一线", 3: "二线", 4: "三线", 5: "四线及以下"}

# City names without 市, in the order of the published ranking.
_TIERS: dict[int, str] = {
    1: "上海 北京 深圳 广州",
    2: "成都 杭州 重庆 武汉 苏州 西安 南京 长沙 郑州 天津 合肥 青岛 东莞 宁波 佛山",
    3: (
        "济南 无锡 沈阳 昆明 福州 厦门 温州 石家庄 大连 哈尔滨 金华 泉州 南宁 长春 常州 南昌 "
        "南通 贵阳 嘉兴 徐州 惠州 太原 烟台 临沂 保定 台州 绍兴 珠海 洛阳 潍坊"
    ),
    4: (
        "乌鲁木齐 兰州 中山 盐城 海口 扬州 济宁 湖州 赣州 邯郸 南阳 唐山 芜湖 阜阳 廊坊 汕头 "
        "泰州 呼和浩特 镇江 江门 菏泽 连云港 沧州 淄博 新乡 周口 襄阳 淮安 商丘 桂林 咸阳 上饶 "
        "银川 宿迁 漳州 遵义 滁州 绵阳 宜昌 威海 湛江 九江 邢台 揭阳 三亚 衡阳 信阳 泰安 荆州 "
        "肇庆 蚌埠 安阳 安庆 德州 株洲 莆田 聊城 驻马店 岳阳 亳州 柳州 宜春 宿州 黄冈 六安 常德 "
        "宁德 茂名 马鞍山 衢州"
    ),
}

#: Short city name -> tier code, for the cities ranked 一线 to 三线.
CITY_TIERS: dict[str, int] = {
    name: tier for tier, names in _TIERS.items() for name in names.split()
}
