"""The reviewer's report: one self-contained HTML page per training run.

:func:`render_report` turns a :class:`~custintel.pipelines.result.TrainResult` (and, once it is
logged, its :class:`~custintel.pipelines.result.LoggedRun`) into a single HTML document a risk
reviewer can open offline: what was trained on which data, how it compares with simple
baselines, the plots, the top drivers, example customers with their reason codes, and how to
reproduce the run. Styles are inline and every figure is an embedded PNG, so the file makes no
network request. Headings are in Chinese and English.

Every frame shown passes :func:`custintel.identity.assert_no_pii` first: the report may show the
business's ``customer_id`` but never raw personal data.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from custintel._version import __version__
from custintel.identity import assert_no_pii
from custintel.pipelines._report_html import (
    LABELS,
    TASK_NAMES,
    esc,
    figure_uri,
    find,
    fmt,
    frame_table,
    heading,
    is_wide,
    kv_table,
    label_sentence,
    metric_help,
    not_applicable,
    page,
    pretty,
    row,
    safe_uri,
    split_parts,
)
from custintel.pipelines.result import LoggedRun, TrainResult

__all__ = ["SECTIONS", "render_report", "write_report"]

#: Section anchors and their (Chinese, English) headings, in page order.
SECTIONS: dict[str, tuple[str, str]] = {
    "data": ("训练数据", "What was trained on what data"),
    "metrics": ("模型指标", "Metrics"),
    "plots": ("图表", "Plots"),
    "drivers": ("主要驱动因素", "Top global drivers"),
    "examples": ("客户示例与原因", "Example customers with reason codes"),
    "notes": ("备注与耗时", "Notes and stage timings"),
    "reproduce": ("如何复现", "How to reproduce"),
}

_TIME_KEYS = ("trained_at", "started_at", "timestamp", "created_at")
_MAX_EXAMPLES = 5


def _header(result: TrainResult, run: LoggedRun | None) -> str:
    zh, en = TASK_NAMES.get(result.task, (result.task, result.task))
    trained = find([result.config, result.fingerprint, result.split], _TIME_KEYS)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows: list[tuple[str, object]] = [
        ("任务 Task", f"{zh} {en} ({result.task})"),
        ("模型 Model", type(result.model).__name__),
    ]
    if run is not None:
        rows += [
            ("运行编号 Run id", run.run_id),
            ("注册模型 Registered model", f"{run.registered_name} v{run.version}"),
        ]
    else:
        rows.append(("运行编号 Run id", "未记录 not logged"))
    rows += [
        ("训练时间 Trained at" if trained else "报告生成 Report generated", trained or now),
        ("custintel 版本 version", __version__),
    ]
    decision = run.decision if run is not None else None
    verdict = ""
    if decision is not None:
        badge = (
            '<span class="badge good">已晋升为冠军模型 Promoted to champion</span>'
            if decision.promoted
            else '<span class="badge bad">未晋升 Not promoted</span>'
        )
        champion = "—" if decision.champion_score is None else fmt(decision.champion_score)
        verdict = (
            heading(3, "冠军模型决策", "Champion decision")
            + badge
            + kv_table(
                [
                    ("原因 Reason", decision.reason),
                    (f"挑战者 Challenger ({decision.metric})", fmt(decision.challenger_score)),
                    (f"现任冠军 Champion ({decision.metric})", champion),
                    ("冠军版本 Champion version", decision.champion_version),
                ]
            )
        )
    title = f"<h1>{esc(zh)} · 训练报告<small>{esc(en)} training report</small></h1>"
    run_info = heading(3, "运行信息", "Run") + kv_table(rows)
    return f'<header class="top">{title}</header>{row(run_info, verdict)}'


def _data_section(result: TrainResult) -> str:
    fp = dict(result.fingerprint)
    sha = str(fp.pop("sha256", "") or "")
    tables = fp.pop("tables", None) or {}
    rows = [(LABELS.get(k, k), pretty(k, v)) for k, v in fp.items() if not isinstance(v, dict)]
    rows.append((LABELS["sha256"], sha[:12]))
    data = heading(3, "数据", "Data") + kv_table(rows)
    if tables:
        frame = pd.DataFrame({"行数 Rows": pd.Series(tables)})
        data += frame_table(frame, index_label="表 Table")
    split = result.split
    parts, scalars = split_parts(split)
    out = heading(3, "数据划分", "Split")
    if parts:
        keys = list(dict.fromkeys(k for part in parts.values() for k in part))
        frame = pd.DataFrame(
            {LABELS.get(p, p): [pretty(k, d.get(k)) for k in keys] for p, d in parts.items()},
            index=[LABELS.get(k, k) for k in keys],
            dtype=object,
        )
        out += frame_table(frame)
    if scalars:
        out += kv_table(scalars)
    if not split:
        out += not_applicable("未提供划分信息。", "No split information was given.")
    zh, en = label_sentence(result.task, find([result.config], ("horizon_days", "horizon")))
    if zh:
        out += f'<p class="label"><b>{esc(zh)}</b><br>{esc(en)}</p>'
    return row(data, out)


def _metrics_section(result: TrainResult) -> str:
    metric = result.promotion_metric
    table = result.baselines
    if table is None or table.empty:
        table = pd.DataFrame([result.metrics], index=pd.Index(["model"], name="model"))
    # The index holds model names ("model", "recency rule"), not people: check its values only.
    assert_no_pii(table.rename_axis(None), where="report baselines")
    headers = {str(c): (f"★ {c}" if c == metric else str(c)) for c in table.columns}
    direction = (
        "越高越好 higher is better" if result.greater_is_better else "越低越好 lower is better"
    )
    out = frame_table(
        table,
        index_label="模型 Model",
        highlight_row="model",
        highlight_col=metric,
        headers=headers,
    )
    out += (
        f"<p>★ 晋升指标 Promotion metric: <b>{esc(metric)}</b> ({esc(direction)})。"
        "蓝色行为本次训练的模型，其余为简单基准。 The blue row is this model; the others are "
        "simple baselines it must beat.</p>"
    )
    others = {k: v for k, v in result.metrics.items() if k not in table.columns}
    if others:
        out += heading(3, "其他指标", "Other model metrics")
        out += kv_table([(k, v) for k, v in others.items()])
    return out + metric_help(dict.fromkeys([*map(str, table.columns), *result.metrics]))


def _plots_section(result: TrainResult) -> str:
    if not result.figures:
        return not_applicable("本次运行没有图表。", "No plots for this run.")
    figures = []
    for key, fig in result.figures.items():
        caption = result.captions.get(key, "")
        wide = ' class="wide"' if is_wide(fig) else ""
        figures.append(
            f'<figure{wide}><img src="{figure_uri(fig)}" alt="{esc(key)}">'
            f"<figcaption><b>{esc(key)}</b> {esc(caption)}</figcaption></figure>"
        )
    return f'<div class="figs">{"".join(figures)}</div>'


def _drivers_section(result: TrainResult) -> str:
    drivers = result.drivers
    if drivers is None or drivers.empty:
        return not_applicable()
    assert_no_pii(drivers, where="report drivers")
    headers = {
        "importance": "重要性 Importance",
        "direction": "方向 Direction",
        "zh": "含义（中文）",
        "en": "Meaning (English)",
    }
    columns = [c for c in headers if c in drivers.columns]
    columns += [c for c in drivers.columns if c not in headers]
    return (
        "<p>对全体客户得分影响最大的特征（平均绝对贡献）。 The features that move scores the "
        "most across all customers (mean absolute contribution).</p>"
        + frame_table(drivers[columns], index_label="特征 Feature", headers=headers)
    )


def _examples_section(result: TrainResult) -> str:
    examples = result.examples
    if examples is None or examples.empty:
        return not_applicable()
    assert_no_pii(examples, where="report examples")
    if "customer_id" not in examples.columns:
        examples = examples.rename_axis("customer_id").reset_index()
    # One card per example: a task may show several texts of one customer.
    key = "example" if "example" in examples.columns else "customer_id"
    cards = []
    for _, rows in list(examples.groupby(key, sort=False))[:_MAX_EXAMPLES]:
        if "rank" in rows.columns:
            rows = rows.sort_values("rank")
        first = rows.iloc[0]
        if "title" in rows.columns:
            subtitle = f" · {first['title']}"
        elif "score" in rows.columns:
            subtitle = f" · 得分 Score {fmt(first['score'])}"
        else:
            subtitle = ""
        quote = ""
        if "text" in rows.columns and pd.notna(first["text"]):
            quote = f'<p class="quote">{esc(first["text"])}</p>'
        reasons = "".join(
            f"<li>{esc(r.get('zh', ''))}<span class='en'>{esc(r.get('en', ''))}</span></li>"
            for r in rows.to_dict("records")
        )
        cards.append(
            f'<div class="card"><h3>客户 Customer {esc(first["customer_id"])}{esc(subtitle)}</h3>'
            f"{quote}<ol>{reasons}</ol></div>"
        )
    if "segment" in examples.columns:
        legend = (
            "每位客户所在的客户群，以及最能区分该群的特征在该客户身上的取值。 Each customer's "
            "segment, and the customer's values of the features that set that segment apart."
        )
    else:
        legend = (
            "括号中的数字是该因素对所示得分的推动：正数推高得分，负数拉低得分。 The number in "
            "brackets is how much the factor pushed the score shown: positive raises it, "
            "negative lowers it."
        )
    return f'<p>{legend}</p><div class="cards">{"".join(cards)}</div>'


def _notes_section(result: TrainResult) -> str:
    out = heading(3, "备注", "Notes")
    if result.notes:
        assert_no_pii(pd.DataFrame({"note": result.notes}), where="report notes")
        out += '<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in result.notes)
        out += "</ul>"
    else:
        out += not_applicable("没有备注。", "No notes.")
    if result.stages:
        # Written before the run is logged: the logging (and this report) is not timed here.
        stages = {k: v for k, v in result.stages.items() if k != "log"}
        total = sum(stages.values())
        frame = pd.DataFrame(
            {"秒 Seconds": [*stages.values(), total]},
            index=[*stages, "合计（不含记录）total before logging"],
        )
        out += heading(3, "各阶段耗时（记录与报告之前）", "Stage timings, before logging")
        out += frame_table(frame, index_label="阶段 Stage")
        out += (
            "<p>记录到 MLflow 和生成本报告的时间不在此表中。 The time spent logging the run and "
            "writing this report is not included.</p>"
        )
    return out


def _reproduce_section(result: TrainResult, run: LoggedRun | None) -> str:
    config = json.loads(json.dumps(result.config, default=str))
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    command = f"custintel train {result.task} --config {result.task}.yaml"
    rows: list[tuple[str, object]] = [("命令 Command", command)]
    if run is not None:
        rows += [
            ("模型地址 Model URI", run.model_uri),
            ("实验 Experiment", run.experiment),
            ("跟踪服务 Tracking URI", safe_uri(run.tracking_uri)),
        ]
    rows.append(("数据指纹 Data SHA-256", result.fingerprint.get("sha256")))
    return (
        "<p>把下面的配置保存为 YAML 文件并运行命令；数据指纹相同即为同一份数据。 Save the config "
        "below as a YAML file and run the command; the same data has the same fingerprint.</p>"
        + kv_table(rows)
        + f"<details><summary>配置 Config (YAML)</summary><pre>{esc(text)}</pre></details>"
    )


def render_report(result: TrainResult, run: LoggedRun | None = None) -> str:
    """Render the reviewer's HTML report of one training run.

    Parameters
    ----------
    result : TrainResult
        What the run produced.
    run : LoggedRun, optional
        Where it was logged: adds the run id, registered model version and champion decision.

    Returns
    -------
    str
        A complete HTML document with inline styles and embedded PNG figures.

    Raises
    ------
    custintel.identity.PIIError
        When a frame to show (baselines, drivers, examples, notes) holds raw personal data.
    """
    bodies = {
        "data": _data_section(result),
        "metrics": _metrics_section(result),
        "plots": _plots_section(result),
        "drivers": _drivers_section(result),
        "examples": _examples_section(result),
        "notes": _notes_section(result),
        "reproduce": _reproduce_section(result, run),
    }
    sections = "".join(
        f"<section>{heading(2, *SECTIONS[key], anchor=key)}{body}</section>"
        for key, body in bodies.items()
    )
    footer = f"<footer>custintel {esc(__version__)} · {esc(result.task)}</footer>"
    zh, en = TASK_NAMES.get(result.task, (result.task, result.task))
    return page(f"{zh} {en} · custintel", _header(result, run) + sections + footer)


def write_report(
    result: TrainResult, run: LoggedRun | None = None, directory: str | os.PathLike[str] = "reports"
) -> Path:
    """Write :func:`render_report` to ``<directory>/<task>/<run id>.html``, atomically.

    The page is written to a temporary file next to the target and moved into place, so a
    reader never sees half a report. Without ``run`` the name is ``unlogged-<UTC timestamp>``.

    Parameters
    ----------
    result : TrainResult
    run : LoggedRun, optional
    directory : path-like
        Root folder of the reports; created when missing.

    Returns
    -------
    Path
        The written file.
    """
    if run is not None:
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", run.run_id)
    else:
        stem = "unlogged-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = Path(directory) / result.task / f"{stem}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(result, run)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
