"""HTML building blocks of the reviewer report: wording, styles, tables and embedded images.

Everything here returns escaped HTML strings; :mod:`custintel.pipelines.report` assembles them.
Figures are only asked to ``savefig`` themselves, so this module needs no plotting library.
"""

from __future__ import annotations

import base64
import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

TASK_NAMES: dict[str, tuple[str, str]] = {
    "segmentation": ("客户分群", "Customer segmentation"),
    "churn": ("流失预警", "Churn risk"),
    "credit": ("信用风险", "Credit risk"),
    "fraud": ("欺诈识别", "Fraud risk"),
    "demand": ("需求预测", "Demand forecast"),
    "sentiment": ("评论情感", "Review sentiment"),
}

# metric -> (zh, en, True when higher is better / False when lower / None when neither)
METRIC_HELP: dict[str, tuple[str, str, bool | None]] = {
    "roc_auc": (
        "随机取一个正例和一个负例，模型给正例打分更高的概率；0.5 为随机，1 为完美。",
        "Chance the model ranks a random positive above a random negative; 0.5 = coin flip.",
        True,
    ),
    "pr_auc": (
        "精确率-召回率曲线下面积；随机打分约等于正例比例。",
        "Area under the precision-recall curve; a random score gets the positive rate.",
        True,
    ),
    "average_precision": ("同 PR-AUC。", "Same as PR-AUC.", True),
    "brier": (
        "预测概率与实际结果 (0/1) 的均方误差。",
        "Mean squared gap between the predicted probability and the 0/1 outcome.",
        False,
    ),
    "log_loss": (
        "对数损失：对自信但错误的预测惩罚很重。",
        "Log loss: punishes confident wrong predictions hard.",
        False,
    ),
    "ks": (
        "正负样本得分分布的最大差距 (KS)；越大区分越好。",
        "Largest gap between the score distributions of positives and negatives.",
        True,
    ),
    "gini": ("基尼系数 = 2×AUC − 1；0 为随机。", "Gini = 2 × AUC − 1; 0 = random.", True),
    "lift": (
        "得分最高 10% 客户中的正例率是整体正例率的几倍。",
        "Positive rate in the top 10% of scores divided by the overall positive rate.",
        True,
    ),
    "top_decile_lift": (
        "得分最高 10% 客户中的正例率是整体正例率的几倍。",
        "Positive rate in the top 10% of scores divided by the overall positive rate.",
        True,
    ),
    "top_lift": (
        "得分最高 10% 客户中的正例率是整体正例率的几倍。",
        "Positive rate in the top 10% of scores divided by the overall positive rate.",
        True,
    ),
    "balanced_accuracy": (
        "各类别召回率的平均，不受类别比例影响。",
        "Recall averaged over the classes, so a majority-class guess scores 0.5.",
        True,
    ),
    "f1_negative": ("负面评论这一类的 F1。", "F1 of the negative class.", True),
    "n_segments": ("客户群数量。", "Number of segments.", None),
    "largest_share": (
        "最大客户群占全部客户的比例。",
        "Share of customers in the largest segment.",
        None,
    ),
    "silhouette_own_space": (
        "在各模型自身特征空间中计算的轮廓系数。",
        "Silhouette measured in each model's own feature space.",
        True,
    ),
    "capture": (
        "得分最高 10% 客户覆盖了全部正例的比例。",
        "Share of all positives found in the top 10% of scores.",
        True,
    ),
    "base_rate": ("验证集中正例的比例。", "Share of positives in the holdout.", None),
    "accuracy": ("预测正确的比例。", "Share of predictions that are right.", True),
    "precision": (
        "被判为正例中真正为正例的比例。",
        "Share of flagged rows that are positive.",
        True,
    ),
    "recall": ("全部正例中被找出的比例。", "Share of all positives that were flagged.", True),
    "f1": ("精确率与召回率的调和平均。", "Harmonic mean of precision and recall.", True),
    "macro_f1": ("各类别 F1 的平均。", "F1 averaged over the classes.", True),
    "silhouette": (
        "轮廓系数 (−1 到 1)：客户与本群的相似程度高于与其他群的程度。",
        "Silhouette (−1 to 1): how much closer customers are to their segment than to others.",
        True,
    ),
    "davies_bouldin": ("群之间的重叠程度。", "How much segments overlap.", False),
    "calinski_harabasz": ("群间差异与群内差异之比。", "Spread between vs within segments.", True),
    "mase": (
        "平均绝对误差除以“用上期值预测”的误差；小于 1 即优于朴素预测。",
        "Mean absolute error relative to a naive forecast; below 1 beats it.",
        False,
    ),
    "smape": (
        "对称平均绝对百分比误差 (0–200%)。",
        "Symmetric mean absolute percentage error (0–200%).",
        False,
    ),
    "wape": (
        "加权绝对百分比误差：总绝对误差 ÷ 总实际量。",
        "Weighted absolute percentage error: total absolute error ÷ total actual volume.",
        False,
    ),
    "coverage": (
        "实际值落在预测区间内的比例；应接近区间的名义水平。",
        "Share of actuals inside the forecast interval; should match its nominal level.",
        None,
    ),
    "mae": ("平均绝对误差。", "Mean absolute error.", False),
    "rmse": ("均方根误差。", "Root mean squared error.", False),
    "pinball": ("分位数损失。", "Quantile (pinball) loss.", False),
}

_ARROWS: dict[bool | None, str] = {
    True: " ↑ 越高越好 higher is better",
    False: " ↓ 越低越好 lower is better",
    None: "",
}

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --band:#f5f7fa; --accent:#0b6bcb;
  --good:#1e7b34; --bad:#a61b1b; }
* { box-sizing:border-box; }
body { margin:0; background:#eef2f6; color:var(--ink); line-height:1.55; font-size:15px;
  font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC",
  "Microsoft YaHei","Helvetica Neue",Arial,sans-serif; }
main { max-width:1180px; margin:0 auto; padding:24px 28px 48px; background:#fff; }
header.top { border-bottom:3px solid var(--accent); padding-bottom:12px; margin-bottom:8px; }
h1 { font-size:26px; margin:0 0 4px; }
h1 small, h2 small, h3 small { color:var(--muted); font-weight:normal; margin-left:8px; }
h2 { font-size:20px; margin:34px 0 12px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:16px; margin:18px 0 8px; }
p.lead { color:var(--muted); margin:4px 0 0; }
p.label { max-width:520px; padding:8px 12px; background:#fff8e6; border-left:3px solid #e0a800; }
p.na { color:var(--muted); font-style:italic; }
table { border-collapse:collapse; margin:8px 0 14px; font-size:14px; }
th, td { border:1px solid var(--line); padding:5px 10px; text-align:left; vertical-align:top; }
th { background:var(--band); font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
table.kv th { width:210px; } table.kv td.num { text-align:left; }
tr.model td { background:#e6f0fb; font-weight:600; }
th.promo, td.promo { border-left:2px solid var(--accent); border-right:2px solid var(--accent); }
.badge { display:inline-block; padding:2px 10px; border-radius:10px; font-size:13px;
  color:#fff; background:var(--muted); }
.badge.good { background:var(--good); } .badge.bad { background:var(--bad); }
dl.help { display:grid; grid-template-columns:max-content 1fr; gap:4px 14px; font-size:13px; }
dl.help dt { font-weight:600; } dl.help dd { margin:0; color:var(--muted); }
.row { display:flex; flex-wrap:wrap; gap:0 36px; align-items:flex-start; }
.row > div { min-width:300px; }
.figs { display:grid; grid-template-columns:repeat(auto-fill,minmax(520px,1fr)); gap:18px; }
figure { margin:0; border:1px solid var(--line); border-radius:6px; padding:10px; background:#fff; }
figure.wide { grid-column:1 / -1; }
figure img { display:block; max-width:100%; height:auto; margin:0 auto; }
figcaption { font-size:13px; color:var(--muted); margin-top:6px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(540px,1fr)); gap:14px; }
.card { border:1px solid var(--line); border-radius:6px; padding:10px 14px; }
.card h3 { margin:0 0 6px; }
p.quote { margin:0 0 6px; padding:4px 10px; border-left:3px solid var(--line);
  color:var(--muted); }
.card ol { margin:0; padding-left:22px; } .card li { margin-bottom:4px; }
.en { color:var(--muted); font-size:13px; display:block; }
ul.notes li { margin-bottom:4px; }
details { border:1px solid var(--line); border-radius:6px; padding:8px 12px;
  background:var(--band); }
summary { cursor:pointer; font-weight:600; }
pre { white-space:pre-wrap; font-size:13px; margin:8px 0 0; }
footer { margin-top:40px; font-size:13px; color:var(--muted); }
"""


def esc(value: object) -> str:
    """Escape any value for HTML text or attributes.

    Examples
    --------
    >>> esc('<b class="x">')
    '&lt;b class=&quot;x&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


def fmt(value: object) -> str:
    """Format a number for people; other values as text.

    Examples
    --------
    >>> [fmt(x) for x in (0.84217, 1204, 12.5, 3.0, float("nan"), None, "C1")]
    ['0.842', '1,204', '12.50', '3', '—', '—', 'C1']
    """
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "—"
        if x.is_integer() and abs(x) >= 1:
            return f"{x:,.0f}"
        return f"{x:.3f}" if abs(x) < 10 else f"{x:,.2f}"
    return str(value)


def cell(value: object, cls: str = "") -> str:
    """Return one ``<td>``, right-aligned for numbers."""
    num = isinstance(value, numbers.Real) and not isinstance(value, bool)
    classes = " ".join(c for c in (cls, "num" if num else "") if c)
    attr = f' class="{classes}"' if classes else ""
    return f"<td{attr}>{esc(fmt(value))}</td>"


def heading(level: int, zh: str, en: str, anchor: str | None = None) -> str:
    """Return a bilingual heading: Chinese first, English in small type."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<h{level}{ident}>{esc(zh)}<small>{esc(en)}</small></h{level}>"


def not_applicable(zh: str = "本任务不适用。", en: str = "Not applicable for this task.") -> str:
    """Return the line a section shows when it has nothing to show."""
    return f'<p class="na">{esc(zh)} {esc(en)}</p>'


def kv_table(rows: list[tuple[str, object]]) -> str:
    """Return a two-column table of (label, value) pairs, skipping empty values."""
    body = "".join(
        f"<tr><th>{esc(k)}</th>{cell(v)}</tr>" for k, v in rows if v is not None and v != ""
    )
    return f'<table class="kv">{body}</table>'


def frame_table(
    frame: pd.DataFrame,
    *,
    index_label: str | None = None,
    highlight_row: object = None,
    highlight_col: object = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Render a DataFrame (index as the first column) as an escaped HTML table."""
    headers = headers or {}
    label = index_label or str(frame.index.name or "")

    def th(col: object) -> str:
        cls = ' class="promo"' if col == highlight_col else ""
        return f"<th{cls}>{esc(headers.get(str(col), col))}</th>"

    head = f"<tr><th>{esc(label)}</th>" + "".join(th(c) for c in frame.columns) + "</tr>"
    rows = []
    for key, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cls = ' class="model"' if key == highlight_row else ""
        cells = "".join(
            cell(v, "promo" if c == highlight_col else "")
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f"<tr{cls}><th>{esc(key)}</th>{cells}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def row(*blocks: str) -> str:
    """Place blocks side by side, wrapping on narrow screens."""
    return '<div class="row">' + "".join(f"<div>{b}</div>" for b in blocks if b) + "</div>"


def is_wide(fig: Any) -> bool:
    """Whether a figure is wide enough (at least 7:4) to take a full row."""
    width, height = fig.get_size_inches()
    return bool(width >= 1.75 * height)


def figure_uri(fig: Any, dpi: int = 100) -> str:
    """Encode a matplotlib figure as a ``data:image/png;base64`` URI."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def page(title: str, body: str) -> str:
    """Return the complete, self-contained HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


LABELS = {
    "train": "训练集 Train",
    "holdout": "验证集 Holdout",
    "validation": "验证集 Validation",
    "test": "测试集 Test",
    "description": "说明 Description",
    "cutoff": "截止日 Cutoff",
    "cutoffs": "截止日 Cutoffs",
    "as_of": "截止日 Cutoff",
    "rows": "行数 Rows",
    "n_rows": "行数 Rows",
    "label_rate": "正例比例 Label rate",
    "positive_rate": "正例比例 Positive rate",
    "start": "起始 Start",
    "end": "结束 End",
    "source": "数据来源 Source",
    "sha256": "数据指纹 SHA-256",
    "method": "方法 Method",
    "kind": "方法 Method",
    "tz": "时区 Time zone",
    "merged_customers": "合并的重复客户 Merged duplicate customers",
    "n_features": "特征数 Features",
}


_PARTS = ("train", "validation", "holdout", "test")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\s*(\S*)$")


def find(mappings: Iterable[Mapping[str, Any]], keys: Iterable[str]) -> Any:
    """First value of any of ``keys`` in the (nested) mappings, or ``None``."""
    keys = tuple(keys)
    stack = list(mappings)
    while stack:
        current = stack.pop(0)
        for key in keys:
            if current.get(key) not in (None, ""):
                return current[key]
        stack += [v for v in current.values() if isinstance(v, Mapping)]
    return None


def split_parts(
    split: Mapping[str, Any],
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, Any]]]:
    """Group a split description into per-part columns and the remaining (label, value) rows.

    Nested mappings (``{"train": {"rows": 10}}``), flat prefixed keys (``train_rows``) and a
    part's one-line description (``{"train": "10 customers at ..."}``) all become a column.

    Examples
    --------
    >>> parts, rest = split_parts({"kind": "time", "train": "10 rows", "train_rows": 10})
    >>> parts, rest
    ({'train': {'description': '10 rows', 'rows': 10}}, [('方法 Method', 'time')])
    """
    parts: dict[str, dict[str, Any]] = {}
    rest: list[tuple[str, Any]] = []
    for key, value in split.items():
        prefix, _, field = key.partition("_")
        if key in _PARTS:
            update = dict(value) if isinstance(value, Mapping) else {"description": value}
            parts.setdefault(key, {}).update(update)
        elif prefix in _PARTS and field:
            parts.setdefault(prefix, {})[field] = value
        else:
            rest.append((LABELS.get(key, key), pretty(key, value)))
    return parts, rest


def pretty(key: str, value: Any) -> Any:
    """Show rates as percentages, timestamps to the minute and lists as text.

    Examples
    --------
    >>> pretty("label_rate", 0.5362), pretty("start", "2023-01-01T09:18:13.558+08:00")
    ('53.6%', '2023-01-01 09:18 +08:00')
    """
    if isinstance(value, str) and (stamp := _ISO.match(value)):
        return " ".join(part for part in stamp.groups() if part)
    if isinstance(value, float) and "rate" in key and 0 <= value <= 1:
        return f"{value:.1%}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return value


def safe_uri(uri: str) -> str:
    """Drop any user:password part of a tracking URI."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def label_sentence(task: str, horizon: object) -> tuple[str, str]:
    """Return what the label of ``task`` means, in Chinese and English."""
    h_zh = f"{horizon} 天" if horizon else "一段时间"
    h_en = f"{horizon} days" if horizon else "the label window"
    sentences = {
        "churn": (
            f"流失 = 客户在截止日之后 {h_zh}内没有下单。",
            f"Churn = the customer placed no order in {h_en} after the cutoff.",
        ),
        "credit": (
            f"违约 = 截止日之后 {h_zh}内到期的货到付款账单未在宽限期内付清。",
            f"Default = an invoice falling due within {h_en} after the cutoff was not paid "
            "within the grace period.",
        ),
        "fraud": (
            "欺诈 = 订单或客户被人工标记为欺诈；没有标签时，得分表示与常见行为的偏离程度。",
            "Fraud = an order or customer confirmed as fraud; without labels the score says "
            "how unusual the behaviour is.",
        ),
        "segmentation": (
            "没有标签：按截止日之前的行为把客户分成若干群。",
            "No label: customers are grouped by their behaviour before the cutoff.",
        ),
        "demand": (
            f"目标 = 每条序列每期的订单量；预测未来 {horizon or '若干'} 期。",
            f"Target = orders per period of each series; forecast {horizon or 'several'} "
            "periods ahead.",
        ),
        "sentiment": (
            "标签 = 评论或工单文本的情感（正面 / 负面）。",
            "Label = the sentiment (positive / negative) of a review or ticket text.",
        ),
    }
    return sentences.get(task, ("", ""))


def metric_help(names: Iterable[str]) -> str:
    """Return the explanations of the known metrics among ``names``."""
    items = []
    for name in names:
        if name in METRIC_HELP:
            zh, en, better = METRIC_HELP[name]
            items.append(f"<dt>{esc(name)}</dt><dd>{esc(zh)} {esc(en)}{esc(_ARROWS[better])}</dd>")
    return f'<dl class="help">{"".join(items)}</dl>' if items else ""
