"""Run specs of the training pipelines: one YAML file per task in ``configs/``.

Each task has a pydantic model that rejects unknown keys (with a "did you mean" hint), checks
every value, and checks the ``estimator`` keys against the estimator's own parameters, so a typo
in a hyperparameter fails before any data is read. Explicit CLI options override YAML values
(:meth:`~custintel.config.ConfigModel.with_overrides`).

>>> spec = spec_from_dict({"task": "churn", "estimator": {"n_estimators": 200}})
>>> spec.promotion.metric, spec.split.horizon_days
('roc_auc', 90)
>>> spec_from_dict({"task": "churn", "estimator": {"n_estimator": 200}})
Traceback (most recent call last):
...
custintel.config.ConfigError: churn config: 1 problem(s)
  - estimator: ChurnModel has no parameter 'n_estimator'; did you mean 'n_estimators'? ...
"""

from __future__ import annotations

import difflib
from os import PathLike
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from custintel.config import (
    ConfigError,
    ConfigModel,
    DemoDataConfig,
    format_validation_error,
    load_config,
)
from custintel.pipelines.result import TASKS, Task

#: Direction of every metric a task may be promoted on (True: higher is better).
METRIC_DIRECTIONS: dict[str, bool] = {
    "roc_auc": True,
    "pr_auc": True,
    "ks": True,
    "gini": True,
    "brier": False,
    "log_loss": False,
    "top_lift": True,
    "silhouette": True,
    "mase": False,
    "smape": False,
    "wape": False,
    "accuracy": True,
    "f1_negative": True,
    "balanced_accuracy": True,
}

FAMILIES = ("static", "rfm", "behaviour", "logistics", "voice", "credit", "fraud")
Family = Literal["static", "rfm", "behaviour", "logistics", "voice", "credit", "fraud"]


class DataSpec(ConfigModel):
    """Where the data comes from: a dataset folder, or generated demo data."""

    path: Path | None = Field(
        None,
        description="dataset folder (one CSV/Parquet file per table, e.g. written by "
        "`custintel data demo`); when absent, demo data is generated from `demo`",
    )
    tz: str | None = Field(None, description="time zone of timestamps stored without one")
    demo: DemoDataConfig = DemoDataConfig()
    resolve_identities: bool = Field(
        True, description="link duplicate customer records before building features"
    )


class FeatureSelection(ConfigModel):
    """Which feature families the model sees (all by default)."""

    families: list[Family] | None = Field(None, description=f"subset of {', '.join(FAMILIES)}")
    exclude: list[str] = Field(default_factory=list, description="feature columns to drop")


class SnapshotSplit(ConfigModel):
    """Rolling cutoffs for customer tasks; the last ``holdout_cutoffs`` judge the model."""

    n_cutoffs: int = Field(4, ge=2, le=24, description="number of snapshot dates")
    every_days: int = Field(90, ge=7, description="days between snapshot dates")
    horizon_days: int = Field(90, ge=7, description="label window after each cutoff")
    holdout_cutoffs: int = Field(1, ge=1, description="latest cutoffs kept for the holdout")

    @model_validator(mode="after")
    def _room(self) -> Self:
        if self.holdout_cutoffs >= self.n_cutoffs:
            raise ValueError(
                f"holdout_cutoffs ({self.holdout_cutoffs}) must be smaller than n_cutoffs "
                f"({self.n_cutoffs}): at least one cutoff has to train"
            )
        return self


class ReportSpec(ConfigModel):
    """The reviewer's HTML report."""

    directory: Path = Field(Path("reports"), description="reports go to <directory>/<task>/")
    examples: int = Field(5, ge=0, le=50, description="example customers with reason codes")
    top_drivers: int = Field(15, ge=1, le=100, description="global drivers listed")


class PromotionSpec(ConfigModel):
    """Which holdout metric decides whether a new model becomes the champion."""

    metric: str = Field(description="holdout metric a new model must beat the champion on")

    @property
    def greater_is_better(self) -> bool:
        """Direction of :attr:`metric`."""
        return METRIC_DIRECTIONS[self.metric]


class _TaskSpec(ConfigModel):
    task: Task
    seed: int = Field(0, ge=0, description="random seed of the estimator and any sampling")
    data: DataSpec = DataSpec()
    estimator: dict[str, Any] = Field(default_factory=dict, description="estimator parameters")
    promotion: PromotionSpec
    report: ReportSpec = ReportSpec()
    snapshots: Path = Field(
        Path("snapshots"),
        description="folder of the champion's feature snapshot (<task>.parquet, features as of "
        "the data's end, written by each run that becomes the champion) that the HTTP service "
        "looks customer_ids up in",
    )

    #: Metrics this task computes on its holdout.
    METRICS: ClassVar[tuple[str, ...]] = ()

    @field_validator("promotion")
    @classmethod
    def _known_metric(cls, promotion: PromotionSpec) -> PromotionSpec:
        if promotion.metric not in cls.METRICS:
            close = difflib.get_close_matches(promotion.metric, cls.METRICS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"metric {promotion.metric!r} is not computed for this task{hint} Choose one "
                f"of: {', '.join(cls.METRICS)}"
            )
        return promotion

    @field_validator("estimator")
    @classmethod
    def _known_params(cls, params: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        task = info.data.get("task")
        if task is None:
            return params
        estimator = estimator_class(task)
        reserved = {"random_state"} | ({"horizon", "freq"} if task == "demand" else set())
        known = sorted(set(estimator().get_params(deep=False)) - reserved)
        for key in params:
            if key in reserved:
                raise ValueError(
                    f"{key!r} is set by the run, not the estimator: use the top-level `seed`, "
                    "`horizon` or `series.freq` keys"
                )
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"{estimator.__name__} has no parameter {key!r}{hint} Known: {', '.join(known)}"
                )
        return params


class _CustomerTaskSpec(_TaskSpec):
    features: FeatureSelection = FeatureSelection()
    split: SnapshotSplit = SnapshotSplit()


class ChurnSpec(_CustomerTaskSpec):
    """``custintel train churn``: 1 = no order in the ``horizon_days`` after a cutoff."""

    task: Literal["churn"] = "churn"
    promotion: PromotionSpec = PromotionSpec(metric="roc_auc")
    METRICS = ("roc_auc", "pr_auc", "ks", "gini", "brier", "log_loss", "top_lift")


class CreditSpec(_CustomerTaskSpec):
    """``custintel train credit``: 1 = an invoice due in the window unpaid after the grace."""

    task: Literal["credit"] = "credit"
    split: SnapshotSplit = SnapshotSplit(n_cutoffs=6)
    grace_days: int = Field(30, ge=0, le=365, description="days after due before a default")
    promotion: PromotionSpec = PromotionSpec(metric="ks")
    METRICS = ("roc_auc", "pr_auc", "ks", "gini", "brier", "log_loss", "top_lift")


class FraudSpec(_TaskSpec):
    """``custintel train fraud``: orders scored as placed, judged on investigators' verdicts."""

    task: Literal["fraud"] = "fraud"
    train_days: int = Field(
        180, ge=14, description="orders placed in these days before the holdout train the scorer"
    )
    holdout_days: int = Field(
        90, ge=7, description="orders placed in the last days of the data judge the scorer"
    )
    use_labels: bool = Field(
        False,
        description="also fit LightGBM on the verdicts of the training orders (supervised); "
        "by default the scorer learns without labels and the verdicts only judge it",
    )
    promotion: PromotionSpec = PromotionSpec(metric="pr_auc")
    METRICS = ("roc_auc", "pr_auc", "top_lift")


class SegmentationSpec(_CustomerTaskSpec):
    """``custintel train segmentation``: segments fitted at one cutoff, judged at the next."""

    task: Literal["segmentation"] = "segmentation"
    split: SnapshotSplit = SnapshotSplit(n_cutoffs=2)
    sample_size: int | None = Field(
        50_000, ge=1_000, description="rows the silhouette is measured on (None: all)"
    )
    promotion: PromotionSpec = PromotionSpec(metric="silhouette")
    METRICS = ("silhouette",)


class SeriesSpec(ConfigModel):
    """Which demand series to forecast (see :func:`custintel.features.demand_series`)."""

    freq: Literal["D", "W", "M"] = "D"
    by: list[str] = Field(default_factory=lambda: ["dest_province"])
    target: Literal["orders", "parcels", "amount"] = "parcels"
    total: str | None = Field(
        "全国", description="name of a total series reconciled with the others (None: none)"
    )
    history_days: int | None = Field(
        None, ge=60, description="keep only this many days of history (None: all)"
    )


class DemandSpec(_TaskSpec):
    """``custintel train demand``: the last ``horizon`` periods are the holdout."""

    task: Literal["demand"] = "demand"
    series: SeriesSpec = SeriesSpec()
    horizon: int = Field(28, ge=1, le=366, description="periods forecast and held out")
    reconcile: Literal["wls_struct", "ols", "bottom_up", "none"] = "wls_struct"
    refit: bool = Field(
        True,
        description="after judging, refit on every period (holdout included) so the "
        "registered model forecasts from the data's end",
    )
    promotion: PromotionSpec = PromotionSpec(metric="mase")
    METRICS = ("mase", "smape", "wape")


class LabelRule(ConfigModel):
    """Weak labels from star ratings: low ratings negative, high ratings positive."""

    negative_max: int = Field(2, ge=1, le=4, description="ratings <= this are negative")
    positive_min: int = Field(4, ge=2, le=5, description="ratings >= this are positive")

    @model_validator(mode="after")
    def _gap(self) -> Self:
        if self.negative_max >= self.positive_min:
            raise ValueError("negative_max must be below positive_min")
        return self


class SentimentSpec(_TaskSpec):
    """``custintel train sentiment``: reviews after ``holdout_days`` before the end judge it."""

    task: Literal["sentiment"] = "sentiment"
    labels: LabelRule = LabelRule()
    holdout_days: int = Field(90, ge=7, description="the latest days of texts held out")
    start_from: Literal["scratch", "pretrained"] = Field(
        "scratch",
        description="'scratch': fit on the business's rated texts; 'pretrained': register the "
        "pretrained model as is (no fit), judged on the same holdout",
    )
    promotion: PromotionSpec = PromotionSpec(metric="balanced_accuracy")
    METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "f1_negative")


TaskSpec = Annotated[
    ChurnSpec | CreditSpec | FraudSpec | SegmentationSpec | DemandSpec | SentimentSpec,
    Field(discriminator="task"),
]
SPECS: dict[str, type[_TaskSpec]] = {
    "churn": ChurnSpec,
    "credit": CreditSpec,
    "fraud": FraudSpec,
    "segmentation": SegmentationSpec,
    "demand": DemandSpec,
    "sentiment": SentimentSpec,
}


def estimator_class(task: str) -> type[Any]:
    """Return the custintel estimator class trained by ``task``."""
    from custintel import models

    classes = {
        "churn": models.ChurnModel,
        "credit": models.CreditRiskModel,
        "fraud": models.FraudScorer,
        "segmentation": models.CustomerSegmenter,
        "demand": models.DemandForecaster,
        "sentiment": models.SentimentClassifier,
    }
    return classes[task]


def spec_from_dict(raw: dict[str, Any], *, source: str | None = None) -> Any:
    """Validate a mapping (e.g. parsed YAML) into the spec of its ``task``.

    Raises
    ------
    ConfigError
        Naming every problem with its key path.
    """
    task = raw.get("task")
    if task not in SPECS:
        raise ConfigError(
            f"{source or 'config'}: `task` must be one of {', '.join(TASKS)}, got {task!r}"
        )
    model = SPECS[str(task)]
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        message = format_validation_error(err, model, source=source or f"{task} config")
        raise ConfigError(message) from None


def load_spec(path: str | PathLike[str], task: str | None = None) -> Any:
    """Read ``configs/<task>.yaml``; ``task`` (from the command line) must match the file's."""
    import yaml

    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file {file} does not exist; see configs/ for one per task")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{file} is not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{file} must hold a mapping of keys, got {type(raw).__name__}")
    if task is not None and raw.setdefault("task", task) != task:
        raise ConfigError(f"{file} configures task {raw['task']!r}, not {task!r}")
    return spec_from_dict(raw, source=str(file))


def default_spec(task: str) -> Any:
    """Return the spec of ``task`` with every default (what ``configs/<task>.yaml`` starts from)."""
    return spec_from_dict({"task": task})


__all__ = [
    "FAMILIES",
    "METRIC_DIRECTIONS",
    "SPECS",
    "ChurnSpec",
    "CreditSpec",
    "DataSpec",
    "DemandSpec",
    "FraudSpec",
    "SegmentationSpec",
    "SentimentSpec",
    "TaskSpec",
    "default_spec",
    "estimator_class",
    "load_config",
    "load_spec",
    "spec_from_dict",
]
