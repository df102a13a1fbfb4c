"""What a run logs besides the model: parameters, metrics, tags and files of a TrainResult."""

from __future__ import annotations

import json
import math
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from custintel._version import __version__
from custintel.tracking.result import TrainResult

if TYPE_CHECKING:
    from mlflow.entities import Metric

MAX_PARAM_VALUE = 6000  # MLflow's limit on a parameter value
MAX_KEY = 250  # ... and on a parameter or metric name
FIGURE_DPI = 110


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a nested config into MLflow parameters: ``a.b.c`` keys, string values.

    Lists and other non-scalar values become JSON; values are cut to MLflow's 6,000
    characters and keys to its 250.

    Examples
    --------
    >>> flatten({"model": {"n_estimators": 300, "features": ["a", "b"]}, "seed": None})
    {'model.n_estimators': '300', 'model.features': '["a", "b"]', 'seed': 'None'}
    """
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, prefix=f"{name}."))
            continue
        if isinstance(value, list | tuple | dict):
            text = json.dumps(value, ensure_ascii=False, default=str)
        else:
            text = str(value)
        out[metric_key(name)] = text[:MAX_PARAM_VALUE]
    return out


def metric_key(name: str) -> str:
    """Return ``name`` with characters MLflow rejects in keys replaced by ``_``.

    Examples
    --------
    >>> metric_key("baseline.recency rule.roc_auc")
    'baseline.recency_rule.roc_auc'
    """
    key = re.sub(r"[^A-Za-z0-9_.\-/]+", "_", str(name)).strip("/")
    return re.sub(r"/{2,}", "/", key)[:MAX_KEY] or "_"


def run_tags(result: TrainResult) -> dict[str, str]:
    """Return the tags a run carries for :func:`custintel.tracking.promote_version`."""
    return {
        "task": result.task,
        "custintel.version": __version__,
        "promotion_metric": result.promotion_metric,
        "greater_is_better": str(bool(result.greater_is_better)).lower(),
        "holdout": result.holdout.description[:5000],
    }


def metrics(result: TrainResult, metric: type[Metric]) -> list[Metric]:
    """Return the run's metrics: holdout metrics, baselines and stage timings."""
    values: dict[str, float] = {}
    for name, value in result.metrics.items():
        _put(values, metric_key(name), value)
    baselines = result.baselines
    if baselines is not None:
        for row, scores in baselines.iterrows():
            for column, value in scores.items():
                _put(values, metric_key(f"baseline.{row}.{column}"), value)
    for stage, seconds in result.stages.items():
        _put(values, metric_key(f"seconds.{stage}"), seconds)
    now = _now_ms()
    return [metric(key, value, now, 0) for key, value in values.items()]


def _put(values: dict[str, float], key: str, value: Any) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return
    if not isinstance(value, bool) and not math.isinf(number):
        values[key] = number


def write_files(result: TrainResult, root: Path) -> None:
    """Write the run's files (config, fingerprint, tables, plots, notes) into ``root``."""
    (root / "config.yaml").write_text(
        yaml.safe_dump(
            json.loads(json.dumps(result.config, default=str)), allow_unicode=True, sort_keys=False
        ),
        encoding="utf-8",
    )
    _dump_json(root / "fingerprint.json", result.fingerprint)
    _dump_json(root / "split.json", result.split)
    frames = {
        "feature_catalog": result.catalog,
        "baselines": result.baselines,
        "drivers": result.drivers,
        "examples": result.examples,
    }
    for stem, frame in frames.items():
        if frame is not None:
            frame.to_csv(root / f"{stem}.csv", encoding="utf-8")
    if result.notes:
        (root / "notes.txt").write_text("\n".join(result.notes) + "\n", encoding="utf-8")
    if result.figures:
        (root / "plots").mkdir()
        for name, figure in result.figures.items():
            figure.savefig(root / "plots" / f"{name}.png", dpi=FIGURE_DPI, bbox_inches="tight")
    if result.captions:
        _dump_json(root / "plots" / "captions.json", result.captions)


def _dump_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def close_figures(figures: dict[str, Any]) -> None:
    """Release the figures from pyplot (they can still be saved, e.g. by the report)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        for figure in figures.values():
            pyplot.close(figure)


def _now_ms() -> int:
    return int(time.time() * 1000)
