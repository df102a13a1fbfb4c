"""MLflow tracking of custintel training runs, and the registry of served models.

The only package of custintel that imports mlflow (lazily: importing it stays cheap). One
experiment and one registered model per task, both named ``custintel-<task>``; the registry
alias ``champion`` marks the version to serve and moves only when a challenger beats it on the
same holdout rows. The store is ``MLFLOW_TRACKING_URI``, by default ``./mlflow.db`` (SQLite,
created on first use) with artifacts in ``./mlartifacts``.

>>> from custintel.tracking import experiment_name, registered_model_name
>>> experiment_name("churn"), registered_model_name("churn")
('custintel-churn', 'custintel-churn')

A training pipeline logs a :class:`TrainResult` like this::

    with start_run(result.task) as run:
        run.log_result(result)
        model_uri, version = run.log_model(result)
        decision = run.promote(result)
        logged = run.logged(decision)
"""

from __future__ import annotations

from typing import Any

from custintel.tracking.holdout import load_holdout
from custintel.tracking.outputs import model_output, serving_frame
from custintel.tracking.promotion import promote_version
from custintel.tracking.registry import list_models, load_estimator, load_version_config
from custintel.tracking.result import (
    TASKS,
    Holdout,
    LoggedRun,
    PromotionDecision,
    Task,
    TrainResult,
)
from custintel.tracking.runs import TrainingRun, start_run
from custintel.tracking.store import (
    configure,
    experiment_name,
    registered_model_name,
    tracking_uri,
)

__all__ = [
    "TASKS",
    "CustintelPyfunc",
    "Holdout",
    "LoggedRun",
    "PromotionDecision",
    "Task",
    "TrainResult",
    "TrainingRun",
    "configure",
    "experiment_name",
    "list_models",
    "load_estimator",
    "load_holdout",
    "load_version_config",
    "model_output",
    "promote_version",
    "registered_model_name",
    "serving_frame",
    "start_run",
    "tracking_uri",
]


def __getattr__(name: str) -> Any:
    # CustintelPyfunc subclasses an mlflow class: import mlflow only when it is asked for.
    if name == "CustintelPyfunc":
        from custintel.tracking.pyfunc import CustintelPyfunc

        return CustintelPyfunc
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
