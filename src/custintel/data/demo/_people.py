"""Fake but realistic personal data: names, mobile numbers, e-mails and resident id numbers.

Names combine common surnames (weighted by frequency) with given-name characters drawn at random,
so they look real without being anyone's. Mobile numbers use the carriers' number ranges
(including the virtual-operator ranges 162/165/167/170/171) with random suffixes. Id numbers
follow the GB 11643 layout (province code, birth date, sequence with the gender parity and an
ISO 7064 MOD 11-2 check digit) around a random body.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from custintel.data.demo import _strings as s

# Surnames with pinyin and a rough frequency weight (percent of the population).
_SURNAMES = """王wang7.1 李li7.0 张zhang6.8 刘liu5.4 陈chen4.6 杨yang3.1 黄huang2.5 赵zhao2.3
吴wu2.1 周zhou2.0 徐xu1.3 孙sun1.3 马ma1.2 朱zhu1.2 胡hu1.1 郭guo1.1 何he1.1 林lin1.1 罗luo0.9
高gao0.9 郑zheng0.8 梁liang0.8 谢xie0.7 宋song0.6 唐tang0.6 许xu0.6 韩han0.6 冯feng0.6 邓deng0.6
曹cao0.5 彭peng0.5 曾zeng0.5 肖xiao0.5 田tian0.5 董dong0.5 袁yuan0.4 潘pan0.4 于yu0.4 蒋jiang0.4
蔡cai0.4 余yu0.4 杜du0.4 叶ye0.4 程cheng0.4 苏su0.4 魏wei0.4 吕lv0.3 丁ding0.3 任ren0.3 沈shen0.3
姚yao0.3 卢lu0.3 姜jiang0.3 崔cui0.3 钟zhong0.3 谭tan0.3 陆lu0.3 汪wang0.3 范fan0.3 金jin0.3
石shi0.3 廖liao0.3 贾jia0.3 夏xia0.2 韦wei0.2 付fu0.2 方fang0.2 白bai0.2 邹zou0.2 孟meng0.2
熊xiong0.2 秦qin0.2 邱qiu0.2 江jiang0.2 尹yin0.2 薛xue0.2 闫yan0.2 段duan0.2 雷lei0.2 侯hou0.2
龙long0.2 史shi0.2 陶tao0.2 黎li0.2 贺he0.2 顾gu0.2 毛mao0.2 郝hao0.2 龚gong0.2 邵shao0.2
万wan0.2 钱qian0.2 严yan0.2 覃qin0.1 武wu0.2 戴dai0.2 莫mo0.1 孔kong0.1 向xiang0.1 汤tang0.1
章zhang0.05 柳liu0.05 伍wu0.05 阳yang0.03 欧阳ouyang0.05 司马sima0.01 上官shangguan0.01
诸葛zhuge0.01"""
# Confusable surnames (homophones or dialect mix-ups) used for typos in duplicate records.
_SURNAME_TYPOS = "张章 王汪 李黎 刘柳 杨阳 黄王 吴伍 徐许 许徐 陈程 程陈 周邹 章张 汪王"

_GIVEN_M = """伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 明ming 超chao 刚gang 平ping 辉hui
鹏peng 华hua 飞fei 鑫xin 波bo 斌bin 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 帅shuai 旭xu 宁ning
龙long 林lin 欢huan 阳yang 建jian 国guo 志zhi 文wen 博bo 晨chen 轩xuan 子zi 睿rui 泽ze 航hang
天tian 毅yi 峰feng 亮liang 成cheng 东dong 海hai 新xin"""
_GIVEN_F = """芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 霞xia 秀xiu 英ying 玲ling 燕yan 红hong
梅mei 婷ting 雪xue 慧hui 琳lin 丹dan 莉li 倩qian 颖ying 洁jie 晶jing 欣xin 怡yi 佳jia 悦yue
萍ping 琴qin 蓉rong 璐lu 雯wen 思si 涵han 梓zi 诗shi 雨yu 可ke 萱xuan 月yue 露lu 瑶yao 佩pei
晓xiao 春chun 云yun 珊shan 薇wei 妍yan"""
# Homophone / look-alike replacements for given-name characters, with the new pinyin.
_GIVEN_TYPOS = """伟玮wei 磊蕾lei 军君jun 勇永yong 杰洁jie 涛韬tao 明铭ming 超朝chao 刚钢gang
平萍ping 辉晖hui 鹏朋peng 华桦hua 飞菲fei 鑫欣xin 波博bo 斌彬bin 宇雨yu 浩昊hao 凯恺kai
健建jian 俊骏jun 帆凡fan 旭煦xu 宁凝ning 龙隆long 林琳lin 欢环huan 阳扬yang 建健jian 志智zhi
文雯wen 博波bo 晨辰chen 轩萱xuan 子梓zi 睿瑞rui 泽则ze 航杭hang 天田tian 毅义yi 峰锋feng
成诚cheng 东冬dong 新欣xin 芳方fang 娜纳na 敏珉min 静婧jing 丽莉li 艳燕yan 娟鹃juan 霞侠xia
秀绣xiu 英瑛ying 玲铃ling 燕艳yan 红虹hong 梅玫mei 婷亭ting 慧惠hui 琳林lin 莉丽li 倩茜qian
颖莹ying 洁杰jie 晶菁jing 欣馨xin 怡宜yi 佳嘉jia 悦月yue 萍平ping 琴勤qin 蓉荣rong 璐露lu
雯文wen 思斯si 涵含han 梓子zi 雨宇yu 可珂ke 萱轩xuan 月悦yue 露璐lu 瑶遥yao 佩珮pei 晓小xiao
云芸yun 珊姗shan 薇微wei 妍研yan"""


def _split(entry: str) -> tuple[str, str]:
    i = next(k for k, ch in enumerate(entry) if ch.isascii())
    return entry[:i], entry[i:]


@dataclass(frozen=True)
class _Vocab:
    sur_char: list[str]
    sur_pinyin: list[str]
    sur_p: np.ndarray
    sur_typo: np.ndarray
    given_char: list[str]
    given_pinyin: list[str]
    given_gender: np.ndarray
    given_typo: np.ndarray


def _build() -> _Vocab:
    sur = [_split(e) for e in _SURNAMES.split()]
    sur_char = [c for c, _ in sur]
    sur_pinyin = ["".join(ch for ch in p if ch.isalpha()) for _, p in sur]
    sur_w = np.array([float("".join(ch for ch in p if not ch.isalpha())) for _, p in sur])
    sur_typo = np.full(len(sur_char), -1, dtype=np.int64)
    for pair in _SURNAME_TYPOS.split():
        sur_typo[sur_char.index(pair[0])] = sur_char.index(pair[1])
    chars: list[str] = []
    pinyin: list[str] = []
    gender: list[int] = []
    for g, text in ((0, _GIVEN_M), (1, _GIVEN_F)):
        for entry in text.split():
            c, p = _split(entry)
            chars.append(c)
            pinyin.append(p)
            gender.append(g)
    typo_pairs = [(e[0], e[1], e[2:]) for e in _GIVEN_TYPOS.split()]
    for _, new, p in typo_pairs:
        if new not in chars:
            chars.append(new)
            pinyin.append(p)
            gender.append(2)  # only reachable through a typo
    given_typo = np.full(len(chars), -1, dtype=np.int64)
    for old, new, _ in typo_pairs:
        given_typo[chars.index(old)] = chars.index(new)
    return _Vocab(
        sur_char=[*sur_char, ""],
        sur_pinyin=[*sur_pinyin, ""],
        sur_p=sur_w / sur_w.sum(),
        sur_typo=sur_typo,
        given_char=[*chars, ""],
        given_pinyin=[*pinyin, ""],
        given_gender=np.array(gender),
        given_typo=given_typo,
    )


_V = _build()
_SUR_CHAR = s.vocab(_V.sur_char)
_SUR_PINYIN = s.vocab(_V.sur_pinyin)
_GIVEN_CHAR = s.vocab(_V.given_char)
_GIVEN_PINYIN = s.vocab(_V.given_pinyin)
_GIVEN_GENDER = _V.given_gender
_EMPTY_GIVEN = len(_V.given_char) - 1  # code of the empty string

#: Mobile prefixes of the three network operators and China Broadnet, with rough weights.
MOBILE_PREFIXES = np.array([134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 157, 158, 159, 178,
                            182, 183, 184, 187, 188, 195, 198, 130, 131, 132, 145, 155, 156, 166,
                            175, 176, 185, 186, 196, 133, 149, 153, 173, 177, 180, 181, 189, 190,
                            191, 193, 199, 192])  # fmt: skip
_MOBILE_W = np.r_[np.full(21, 2.9), np.full(12, 1.7), np.full(12, 1.5), 0.8]
#: Virtual-operator (MVNO) prefixes: cheap numbers, popular with fraudsters.
VIRTUAL_PREFIXES = np.array([170, 171, 162, 165, 167])

#: Formats of a mobile number in the wild: ``render_phones(style=k)``.
PHONE_STYLES: tuple[str, ...] = (
    "plain", "+86 space", "+86", "0086 dash", "spaces", "dashes", "0086 space",
)  # fmt: skip


@dataclass(frozen=True)
class NameParts:
    """A person name as codes: surname, first and (optional, -1) second given character."""

    surname: np.ndarray
    given1: np.ndarray
    given2: np.ndarray

    def take(self, idx: np.ndarray | slice) -> NameParts:
        """Rows ``idx`` of the names."""
        return NameParts(self.surname[idx], self.given1[idx], self.given2[idx])


def draw_names(rng: np.random.Generator, gender: np.ndarray) -> NameParts:
    """Draw names for people of ``gender`` (0 = male, 1 = female)."""
    gender = np.asarray(gender)
    n = len(gender)
    surname = rng.choice(len(_V.sur_p), size=n, p=_V.sur_p)
    pools = [np.flatnonzero(g == _GIVEN_GENDER) for g in (0, 1)]
    given = np.empty((2, n), dtype=np.int64)
    for g, pool in enumerate(pools):
        m = gender == g
        given[:, m] = pool[rng.integers(0, len(pool), size=(2, int(m.sum())))]
    given[1, rng.random(n) < 0.3] = -1  # 30% have a one-character given name
    return NameParts(surname, given[0], given[1])


def typo_names(rng: np.random.Generator, parts: NameParts) -> tuple[NameParts, np.ndarray]:
    """Swap one character for a homophone or look-alike; return new parts and a changed mask."""
    n = len(parts.surname)
    g_typo, s_typo = _V.given_typo, _V.sur_typo
    g1, g2, sur = parts.given1.copy(), parts.given2.copy(), parts.surname.copy()
    has2 = g2 >= 0
    t2 = np.where(has2, g_typo[np.maximum(g2, 0)], -1)
    t1 = g_typo[g1]
    ts = s_typo[sur]
    pick = rng.random(n)
    use2 = (t2 >= 0) & ((pick < 0.5) | (t1 < 0))
    use1 = ~use2 & (t1 >= 0) & (pick < 0.85)
    uses = ~use2 & ~use1 & (ts >= 0)
    g2[use2] = t2[use2]
    g1[use1] = t1[use1]
    sur[uses] = ts[uses]
    return NameParts(sur, g1, g2), use1 | use2 | uses


def render_names(parts: NameParts) -> pa.Array:
    """Render name codes as Chinese names."""
    return s.join(
        s.take(_SUR_CHAR, parts.surname),
        s.take(_GIVEN_CHAR, parts.given1),
        s.take(_GIVEN_CHAR, np.where(parts.given2 < 0, _EMPTY_GIVEN, parts.given2)),
    )


def render_titles(parts: NameParts, gender: np.ndarray) -> pa.Array:
    """Render surname + 先生/女士 (how a parcel is addressed by someone hiding their name)."""
    return s.join(s.take(_SUR_CHAR, parts.surname), s.take(("先生", "女士"), gender))


def draw_phones(
    rng: np.random.Generator, n: int, virtual_share: np.ndarray | float, taken: np.ndarray
) -> np.ndarray:
    """Draw ``n`` distinct mobile numbers as int64, avoiding the numbers in ``taken``."""
    virtual = rng.random(n) < virtual_share
    prefix = np.where(
        virtual,
        VIRTUAL_PREFIXES[rng.integers(0, len(VIRTUAL_PREFIXES), n)],
        rng.choice(MOBILE_PREFIXES, size=n, p=_MOBILE_W / _MOBILE_W.sum()),
    )
    numbers = prefix * 100_000_000 + rng.integers(0, 100_000_000, n)
    taken = np.asarray(taken, dtype=np.int64)
    for _ in range(20):  # redraw the rare collisions
        pool = np.concatenate([taken, numbers])
        order = np.argsort(pool, kind="stable")
        same = pool[order][1:] == pool[order][:-1]
        clash_pos = order[1:][same] - len(taken)  # the later copy of each repeated number
        clash_pos = clash_pos[clash_pos >= 0]
        if len(clash_pos) == 0:
            break
        numbers[clash_pos] = prefix[clash_pos] * 100_000_000 + rng.integers(
            0, 100_000_000, len(clash_pos)
        )
    return numbers


def is_virtual(numbers: np.ndarray) -> np.ndarray:
    """Whether each number is on a virtual-operator prefix."""
    return np.isin(np.asarray(numbers) // 100_000_000, VIRTUAL_PREFIXES)


def render_phones(numbers: np.ndarray, style: np.ndarray | int = 0) -> pa.Array:
    """Render numbers in the formats of :data:`PHONE_STYLES` (one style per row)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    style = np.broadcast_to(np.asarray(style), (n,))
    d = s.digit_matrix(numbers, 11)
    out = s.ascii_matrix(d)
    for k in np.unique(style[style > 0]):
        rows = np.flatnonzero(style == k)
        dk = d[rows]
        sp = np.full((len(rows), 1), ord(" "), dtype=np.uint8)
        da = np.full((len(rows), 1), ord("-"), dtype=np.uint8)

        def lit(text: str, m: int = len(rows)) -> np.ndarray:
            return np.tile(np.frombuffer(text.encode(), dtype=np.uint8), (m, 1))

        blocks = {
            1: [lit("+86 "), dk[:, :3], sp, dk[:, 3:7], sp, dk[:, 7:]],
            2: [lit("+86"), dk],
            3: [lit("0086-"), dk[:, :3], da, dk[:, 3:7], da, dk[:, 7:]],
            4: [dk[:, :3], sp, dk[:, 3:7], sp, dk[:, 7:]],
            5: [dk[:, :3], da, dk[:, 3:7], da, dk[:, 7:]],
            6: [lit("0086 "), dk],
        }[int(k)]
        variant = s.ascii_matrix(np.hstack(blocks))
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        spread = np.zeros(n, dtype=np.int64)
        spread[rows] = np.arange(len(rows))
        out = s.choose(mask, s.take(variant, spread), out)
    return out


_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com",
                 "outlook.com", "gmail.com", "yeah.net", "sohu.com")  # fmt: skip
_MAIL_W = np.array([0.40, 0.25, 0.10, 0.04, 0.05, 0.03, 0.05, 0.03, 0.03, 0.02])


def render_emails(
    rng: np.random.Generator,
    parts: NameParts,
    phones: np.ndarray,
    birth_year: np.ndarray,
    missing_share: float,
) -> pa.Array:
    """Render plausible e-mail addresses (QQ numbers, pinyin, phone numbers); some missing."""
    n = len(parts.surname)
    kind = rng.choice(4, size=n, p=[0.35, 0.35, 0.15, 0.15])
    domain = rng.choice(len(_MAIL_DOMAINS), size=n, p=_MAIL_W)
    domain = np.where(kind == 0, np.where(rng.random(n) < 0.9, 0, 4), domain)  # QQ mail
    g2 = np.where(parts.given2 < 0, _EMPTY_GIVEN, parts.given2)
    pinyin_name = s.join(
        s.take(_SUR_PINYIN, parts.surname),
        s.take(_GIVEN_PINYIN, parts.given1),
        s.take(_GIVEN_PINYIN, g2),
    )
    year = np.where(birth_year > 0, birth_year % 100, rng.integers(0, 100, n))
    qq = s.int_text(10 ** rng.uniform(7.0, 9.6, n))
    suffix = s.fixed_ids("", np.where(rng.random(n) < 0.5, year, rng.integers(0, 10_000, n)), 2)
    local = s.choose(
        kind == 0,
        qq,
        s.choose(
            kind == 1,
            s.join(pinyin_name, suffix),
            s.choose(
                kind == 2,
                s.join(
                    s.take(_GIVEN_PINYIN, parts.given1), ".", s.take(_SUR_PINYIN, parts.surname)
                ),
                render_phones(phones),
            ),
        ),
    )
    email = s.join(local, "@", s.take(_MAIL_DOMAINS, domain))
    missing = rng.random(n) < missing_share
    return s.choose(missing, pa.nulls(n, pa.large_string()), email)


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def id_check_char(body17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters (as ASCII codes) of 17-digit bodies, shape ``(n, 17)``."""
    return _ID_CHECK[(body17.astype(np.int64) - 48) @ _ID_WEIGHTS % 11]


def render_id_numbers(
    rng: np.random.Generator, prov_code: np.ndarray, birth_year: np.ndarray, gender: np.ndarray
) -> pa.Array:
    """Render 18-digit resident id numbers with a random body and a correct check digit."""
    n = len(prov_code)
    area = prov_code * 10_000 + rng.integers(1, 21, n) * 100 + rng.integers(1, 31, n)
    year0 = (np.asarray(birth_year) - 1970).astype("datetime64[Y]")
    leap = ((birth_year % 4 == 0) & (birth_year % 100 != 0)) | (birth_year % 400 == 0)
    day = year0.astype("datetime64[D]") + (rng.random(n) * (365 + leap)).astype(np.int64)
    month = day.astype("datetime64[M]")
    ymd = (
        birth_year * 10_000
        + (month - day.astype("datetime64[Y]").astype("datetime64[M]")).astype(np.int64) * 100
        + 100
        + (day - month.astype("datetime64[D]")).astype(np.int64)
        + 1
    )
    seq = rng.integers(0, 50, n) * 20 + rng.integers(0, 5, n) * 2 + np.where(gender == 0, 1, 0)
    body = np.hstack([s.digit_matrix(area, 6), s.digit_matrix(ymd, 8), s.digit_matrix(seq, 3)])
    return s.ascii_matrix(np.hstack([body, id_check_char(body)[:, None]]))


_FIRM_WORDS = "鑫达华盛宏恒泰源兴创联瑞丰嘉德诚信佳安顺锦天海通新元金美汇博"
_FIRM_TRADES = ("商贸", "贸易", "电子", "科技", "餐饮管理", "食品", "服饰", "文化传媒", "日用品",
                "供应链管理", "超市", "母婴用品", "图书", "生鲜配送")  # fmt: skip
_FIRM_FORMS = ("有限公司", "有限公司", "有限责任公司", "商行", "经营部")


def render_company_names(rng: np.random.Generator, city_short: pa.Array) -> pa.Array:
    """Render company names such as 杭州鑫达商贸有限公司."""
    n = len(city_short)
    w = rng.integers(0, len(_FIRM_WORDS), size=(2, n))
    return s.join(
        city_short,
        s.take(list(_FIRM_WORDS), w[0]),
        s.take(list(_FIRM_WORDS), w[1]),
        s.take(_FIRM_TRADES, rng.integers(0, len(_FIRM_TRADES), n)),
        s.take(_FIRM_FORMS, rng.integers(0, len(_FIRM_FORMS), n)),
    )
