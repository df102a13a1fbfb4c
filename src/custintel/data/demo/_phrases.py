"""Chinese phrase banks for reviews, service tickets and call notes.

Each bank holds short clauses for one aspect and polarity. Placeholders are expanded when the
module loads: ``{i}`` positive intensifiers, ``{n}`` negative intensifiers, ``{d}`` long waits,
``{g}`` short waits, ``{item}`` breakable goods, ``{food}`` fresh food. ``{w}`` (the waybill
number) stays a slot that is filled per ticket. Aspect and polarity stay recoverable from the
words, including negated forms (不是很快, 一点都不慢).
"""

from __future__ import annotations

import itertools
import re

#: Aspects a text can be about.
ASPECTS: tuple[str, ...] = ("speed", "damage", "lost", "courier", "service", "refund", "quality")
#: Polarity labels, index 0 .. 2.
POLARITIES: tuple[str, ...] = ("negative", "neutral", "positive")

_FILL = {
    "i": ("很", "非常", "特别", "超级", "挺", "真的很", "相当", "蛮"),
    "n": ("太", "非常", "特别", "真的太", "实在太", "超级", "有点"),
    "d": ("三天", "四天", "五天", "一个星期", "十来天", "半个月"),
    "g": ("第二天", "隔天", "当天", "一天", "两天"),
    "item": ("杯子", "屏幕", "鸡蛋", "瓶子", "面膜", "零件", "盘子"),
    "food": ("水果", "蔬菜", "海鲜", "牛肉", "牛奶", "草莓"),
}

# Review clauses: REVIEW[aspect][polarity] (polarity 0 = negative, 1 = neutral, 2 = positive).
REVIEW: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "speed": (
        ("物流{n}慢了", "等了{d}才到", "物流不是很快", "发货{n}慢", "快递一点都不快",
         "说好的次日达结果等了{d}", "物流信息{d}都没更新", "配送速度{n}慢，耽误事",
         "催了好几次才送到", "比承诺的时间晚了{d}"),
        ("物流速度一般", "到货时间还行", "速度中规中矩", "物流不算快也不算慢",
         "配送时间跟预期差不多", "{g}到的，还可以"),
        ("物流{i}快", "{g}就到了", "发货{i}快", "配送速度{i}快", "比预计的早到了",
         "下单{g}就收到了", "快递{i}给力，{g}就送到了", "物流速度一点都不慢", "速度{i}快，超出预期",
         "没想到这么快就到了"),
    ),
    "damage": (
        ("包装{n}简陋了，东西都压坏了", "外箱破损严重", "收到的时候箱子都烂了", "东西摔坏了",
         "里面的{item}碎了", "包装破了，{item}摔坏了", "冰袋都化了，{food}已经坏了",
         "外包装被压扁了，里面也坏了"),
        ("包装一般般", "包装比较简单", "外包装有点旧但东西没事", "包装还行吧"),
        ("包装{i}严实", "包装完好无损", "一点都没有破损", "外箱完整，东西完好", "包装得{i}仔细",
         "没有任何磕碰"),
    ),
    "lost": (
        ("包裹丢了", "快递显示签收了但我根本没收到", "丢件了也没人管", "快递丢了{d}都没个说法",
         "东西寄丢了，{n}气人", "物流{d}没更新，估计是丢了", "说是丢件了，让我自己等"),
        ("物流显示已丢失，还在等处理", "包裹说是丢件了，在等赔付"),
        (),
    ),
    "courier": (
        ("快递员态度{n}差", "不送上门，直接扔驿站", "快递员{n}不耐烦", "打电话不接，也不送货",
         "快递员把东西随手扔门口", "没经过我同意就签收了", "快递员说话{n}冲"),
        ("快递员态度一般", "放驿站了，也没说一声", "快递员没打电话，不过也送到了"),
        ("快递小哥{i}热情", "快递员态度{i}好", "送货上门，{i}贴心", "快递员{i}负责，还提前打电话",
         "小哥{i}辛苦，服务态度好", "快递员{i}有礼貌"),
    ),
    "service": (
        ("客服{n}敷衍", "客服一直不回消息", "找客服没用，互相踢皮球", "客服态度{n}差",
         "投诉了也没人处理", "售后{n}不负责"),
        ("客服回复一般", "服务还行", "客服处理得中规中矩", "售后流程有点复杂，不过还算解决了"),
        ("客服{i}耐心", "客服回复{i}及时", "售后{i}给力", "客服态度{i}好，问题很快解决了",
         "服务{i}周到"),
    ),
    "refund": (
        ("退款{d}了还没到账", "申请退货一直不处理", "退款{n}慢", "拒收了还不给退款",
         "退货运费还要自己出，{n}坑", "退款被拒，理由莫名其妙"),
        ("退款还在处理中", "退货退款花了几天，还算正常", "退款到账时间一般"),
        ("退款{i}快", "退货流程{i}方便", "退款很快就到账了", "退换货{i}顺利"),
    ),
    "quality": (
        ("质量{n}差了", "和描述的不一样", "东西是坏的", "用了两天就坏了", "{food}不新鲜",
         "做工{n}粗糙", "感觉是假货"),
        ("质量一般般", "东西还行，对得起价格", "和图片有点差别，凑合用", "东西中规中矩"),
        ("东西{i}好", "质量{i}不错", "做工{i}精细", "{food}{i}新鲜", "和描述的一样，{i}满意",
         "性价比{i}高", "用着{i}舒服"),
    ),
}  # fmt: skip

# Ticket and call bodies: TICKET[aspect][polarity]; {w} is the waybill number.
TICKET: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "speed": (
        ("催件，单号{w}，{d}没更新了", "快递单号{w}一直显示运输中，{d}没动了",
         "{w}这个件到底什么时候到", "单号{w}超过承诺时效还没送到", "催一下{w}，急用"),
        ("查询一下{w}的物流进度", "请问{w}大概什么时候能到"),
        ("单号{w}送得很快，表扬一下",),
    ),
    "damage": (
        ("收到的包裹外箱破损，{item}坏了，单号{w}", "单号{w}的货物损坏，要求退换",
         "{food}到手已经变质了，单号{w}", "包裹{w}被压坏了，要求赔偿"),
        ("单号{w}外包装有点破，东西还没检查",),
        (),
    ),
    "lost": (
        ("包裹{w}显示已签收但本人没收到", "单号{w}物流停了{d}，是不是丢了",
         "{w}丢件了，要求赔偿", "查件：{w}一直没有物流信息"),
        ("单号{w}已确认丢失，询问赔付进度",),
        (),
    ),
    "courier": (
        ("投诉快递员态度恶劣，单号{w}", "快递员没送货就点了签收，单号{w}",
         "快递员不送上门还骂人", "投诉快递员乱扔包裹"),
        ("单号{w}想改一下派送时间", "请快递员送货前先打电话"),
        ("表扬一下快递员，服务很好，单号{w}", "快递员很负责，特此表扬"),
    ),
    "service": (
        ("客服一直不回复", "投诉了三次都没人处理", "客服答应回电一直没回"),
        ("单号{w}想改一下收货地址", "请问能不能改成自提", "咨询一下发票怎么开"),
        ("感谢客服帮忙解决问题",),
    ),
    "refund": (
        ("申请退款{d}了还没到账", "退货单号{w}已经寄回，退款还没到", "拒收的件{w}什么时候退款",
         "退款申请被驳回，要求说明原因"),
        ("咨询退货流程", "单号{w}申请退货，请问运费谁出"),
        ("退款已收到，谢谢",),
    ),
    "quality": (
        ("收到的商品和描述不符，要求退货", "商品有质量问题，要求换货", "{food}不新鲜，要求退款"),
        ("咨询一下商品保修",),
        (),
    ),
}  # fmt: skip

OPENERS = (
    ("", "差评！", "无语了，", "太失望了，", "吐槽一下，", "真的服了，"),
    ("", "一般吧，", "说实话，", "总体来说，"),
    ("", "好评！", "第二次买了，", "非常满意，", "给五星，", "很满意，"),
)
CLOSERS = (
    ("", "，再也不买了", "，给个差评", "，希望改进", "，非常失望", "，太糟心了"),
    ("", "，凑合吧", "，再观察观察", "，还可以"),
    ("", "，下次还来", "，推荐购买", "，五星好评", "，会回购的", "，点赞"),
)
EMOJI = (
    ("", "", "😡", "[怒]", "🙄", "无语", "服了", "真的会谢", "！！！", "👎"),
    ("", "", "。", "[思考]", "…"),
    ("", "", "👍", "😊", "yyds", "绝绝子", "[赞]", "～", "！！", "❤️"),
)
#: Joining a second clause of the same polarity, and contrasts before the main clause.
SAME = ("，", "，而且", "，另外", "，")
CONTRAST = (("，但是", "，不过", "，可惜", "，就是"), (), ("，但是", "，不过", "，好在"))
TICKET_OPENERS = (
    ("", "", "【投诉】", "紧急！", "你好，"),
    ("", "你好，", "您好，"),
    ("", "你好，"),
)
TICKET_REQUESTS = (
    ("，麻烦尽快处理", "，请给个说法", "，要求赔偿", "，请尽快核实", "，急用！", ""),
    ("，谢谢", "", "，麻烦回复一下"),
    ("", "，谢谢"),
)
CALL_OPENERS = ("客户来电：", "来电反映：", "客户致电，", "电话回访：")
CALL_NOTES = ("。已登记，转网点核实", "。已安抚客户，承诺24小时内回复", "。已为客户申请补偿",
              "。客户情绪激动，已升级处理", "。已告知处理进度")  # fmt: skip

_SLOT = re.compile(r"\{(i|n|d|g|item|food)\}")


def expand(template: str) -> list[str]:
    """All fillings of the placeholders of ``template`` (``{w}`` is kept)."""
    keys = _SLOT.findall(template)
    if not keys:
        return [template]
    out = []
    for combo in itertools.product(*(_FILL[k] for k in keys)):
        text = template
        for k, v in zip(keys, combo, strict=True):
            text = text.replace("{" + k + "}", v, 1)
        out.append(text)
    return out


def flatten(
    bank: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]],
) -> tuple[list[str], list[str], list[bool], list[int], list[int]]:
    """Expand a bank into flat lists: (before {w}, after {w}, has {w}, group start, group size).

    Group ``aspect_index * 3 + polarity`` holds the clauses of that aspect and polarity.
    """
    pre: list[str] = []
    post: list[str] = []
    has_w: list[bool] = []
    start: list[int] = []
    size: list[int] = []
    for aspect in ASPECTS:
        for pol in range(3):
            start.append(len(pre))
            for template in bank[aspect][pol]:
                for text in expand(template):
                    a, sep, b = text.partition("{w}")
                    pre.append(a)
                    post.append(b)
                    has_w.append(bool(sep))
            size.append(len(pre) - start[-1])
    return pre, post, has_w, start, size
