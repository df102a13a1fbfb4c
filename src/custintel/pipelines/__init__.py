"""Training pipelines: config -> data -> identities -> features -> split -> fit -> evaluate -> log.

One YAML file per task in ``configs/`` describes a run (:func:`load_spec`); :func:`train` runs
it, logs it to MLflow through :mod:`custintel.tracking`, moves the registry alias ``champion``
when the new model beats the current one on the same holdout, and writes the reviewer's HTML
report. The command line (``custintel train <task>``) is a thin layer over these functions.

>>> from custintel.pipelines import default_spec
>>> default_spec("credit").promotion.metric
'ks'
"""

from custintel.pipelines.data import PreparedData, data_fingerprint, prepare_data
from custintel.pipelines.result import TASKS, Holdout, LoggedRun, PromotionDecision, TrainResult
from custintel.pipelines.specs import default_spec, load_spec, spec_from_dict
from custintel.pipelines.train import (
    RunOutcome,
    evaluate,
    load_data,
    metrics_table,
    promote,
    train,
    train_all,
)

__all__ = [
    "TASKS",
    "Holdout",
    "LoggedRun",
    "PreparedData",
    "PromotionDecision",
    "RunOutcome",
    "TrainResult",
    "data_fingerprint",
    "default_spec",
    "evaluate",
    "load_data",
    "load_spec",
    "metrics_table",
    "prepare_data",
    "promote",
    "spec_from_dict",
    "train",
    "train_all",
]
