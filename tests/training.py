"""Light training settings shared by the pipeline and serving tests (one run of all six tasks)."""

from __future__ import annotations

import os
from pathlib import Path

from custintel.pipelines import spec_from_dict, train_all

#: Light settings so the six runs take about a minute; the quality floors still hold.
LIGHT = {
    "churn": {"estimator": {"n_estimators": 120}},
    "credit": {"estimator": {"n_estimators": 120}},
    "fraud": {"estimator": {"n_estimators": 100}},
    "segmentation": {"estimator": {"k_range": [3, 6], "n_bootstrap": 3}},
    "demand": {
        "horizon": 14,
        "series": {"history_days": 300},
        "estimator": {"n_windows": 2, "models": ["seasonal_naive", "ets", "lgbm"]},
    },
    "sentiment": {},
}


def light_spec(task: str, tmp_dir: Path, **extra: object):
    raw = {
        "task": task,
        **LIGHT[task],
        "report": {"directory": str(tmp_dir / "reports")},
        "snapshots": str(tmp_dir / "snapshots"),
    }
    raw.update(extra)
    return spec_from_dict(raw)


def train_everything(where: Path, ds):
    """Train the six tasks in ``where`` (its ./mlflow.db); return the outcomes by task."""
    before, env = os.getcwd(), os.environ.pop("MLFLOW_TRACKING_URI", None)
    os.chdir(where)
    try:
        specs = [light_spec(t, where) for t in LIGHT]
        return {o.result.task: o for o in train_all(specs, dataset=ds)}
    finally:
        os.chdir(before)
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        if env is not None:
            os.environ["MLFLOW_TRACKING_URI"] = env
