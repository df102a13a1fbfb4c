"""What one training run produces, before anything is logged.

A :class:`TrainResult` is plain data (pandas frames, matplotlib figures, the fitted estimator):
:mod:`custintel.tracking` logs it to MLflow and :mod:`custintel.pipelines.report` renders it as
the reviewer's HTML report, so neither needs to know how a task was trained. The classes live in
the tracking layer because tracking builds :class:`PromotionDecision` and :class:`LoggedRun`;
:mod:`custintel.pipelines.result` re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Task = Literal["segmentation", "churn", "credit", "fraud", "demand", "sentiment"]
TASKS: tuple[Task, ...] = ("segmentation", "churn", "credit", "fraud", "demand", "sentiment")


@dataclass
class Holdout:
    """The rows a model is judged on, kept so a champion can be scored on the same rows.

    Attributes
    ----------
    X : DataFrame
        Model input of the holdout rows (features, series history or texts, see ``kind``).
    y : Series or None
        Truth for the rows (``None`` for unsupervised tasks).
    description : str
        One line for people: ``"4,120 customers at 2024-10-03"``.
    extra : dict
        Task-specific data the scorer needs (for demand: the training history).
    """

    X: pd.DataFrame
    y: pd.Series | None
    description: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainResult:
    """Everything a training run produced.

    Attributes
    ----------
    task : str
        One of :data:`TASKS`.
    config : dict
        The resolved run config (JSON-serialisable; what the YAML said after CLI overrides).
    fingerprint : dict
        What data the model saw: ``tables`` (rows per table), ``start`` and ``end`` (ISO
        strings), ``sha256`` (hash of the tables' content), ``source`` (path or "demo ...").
    model : estimator
        The fitted custintel estimator.
    metrics : dict of str to float
        Holdout metrics of the model (the promotion metric among them).
    baselines : DataFrame
        One row per model compared on the holdout (index: name, e.g. ``"model"``,
        ``"recency rule"``), one column per metric; the model's own row is ``"model"``.
    promotion_metric : str
        Key of ``metrics`` that decides promotion.
    greater_is_better : bool
        Direction of the promotion metric.
    score_holdout : callable
        ``score_holdout(model, holdout) -> float``: the promotion metric of *any* fitted model
        of this task (the champion too) on ``holdout``.
    holdout : Holdout
        The holdout rows.
    input_example : DataFrame
        A few rows of model input (no personal data), for the MLflow signature and example.
    figures : dict of str to Figure
        Plots for reviewers (matplotlib figures), keyed by a file stem (``"roc_pr"``,
        ``"shap_summary"``, ...). Typed ``Any``: matplotlib is imported by plotting modules only.
    captions : dict of str to str
        One sentence per figure saying how to read it (same keys as ``figures``).
    drivers : DataFrame or None
        Top global drivers: index ``feature``; columns ``importance``, ``direction``, ``zh``,
        ``en`` (catalog descriptions).
    examples : DataFrame or None
        Reason codes of example rows: ``customer_id``, ``score``, ``rank``, ``zh``, ``en``.
    catalog : DataFrame or None
        Feature catalog of the model's input columns (index name; ``family``, ``en``, ``zh``...).
    split : dict
        How the data was split, for people: ``train`` and ``holdout`` descriptions, cutoffs,
        row counts and label rates.
    stages : dict of str to float
        Seconds spent per stage (load, identities, features, fit, evaluate, explain).
    notes : list of str
        Anything a reviewer should know (skipped parts, small samples, warnings).
    """

    task: Task
    config: dict[str, Any]
    fingerprint: dict[str, Any]
    model: Any
    metrics: dict[str, float]
    baselines: pd.DataFrame
    promotion_metric: str
    greater_is_better: bool
    score_holdout: Callable[[Any, Holdout], float]
    holdout: Holdout
    input_example: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)
    drivers: pd.DataFrame | None = None
    examples: pd.DataFrame | None = None
    catalog: pd.DataFrame | None = None
    split: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class PromotionDecision:
    """Whether the challenger became the champion, and why.

    Attributes
    ----------
    promoted : bool
        The alias ``champion`` now points at the challenger.
    reason : str
        One sentence: ``"first version of the model"``, ``"0.842 > 0.836 (roc_auc)"``,
        ``"forced"``, ``"not better: 0.830 <= 0.836 (roc_auc)"``, ...
    metric : str
        The promotion metric.
    challenger_score : float
        The challenger's score on the holdout.
    champion_score : float or None
        The current champion's score on the same holdout (``None`` without a champion or when
        it could not score the holdout).
    champion_version : str or None
        Registry version of the champion before the decision.
    challenger_version : str or None
        Registry version of the challenger.
    """

    promoted: bool
    reason: str
    metric: str
    challenger_score: float
    champion_score: float | None = None
    champion_version: str | None = None
    challenger_version: str | None = None


@dataclass
class LoggedRun:
    """Where a training run was recorded.

    Attributes
    ----------
    run_id : str
        MLflow run id.
    experiment : str
        MLflow experiment name (``custintel-<task>``).
    model_uri : str
        ``models:/<name>/<version>`` of the registered model version.
    registered_name : str
        Registered model name (``custintel-<task>``).
    version : str
        Registered model version.
    tracking_uri : str
        Where the run lives.
    decision : PromotionDecision or None
        The champion decision, when one was taken.
    report_path : Path-like or None
        The HTML report written for the run.
    """

    run_id: str
    experiment: str
    model_uri: str
    registered_name: str
    version: str
    tracking_uri: str
    decision: PromotionDecision | None = None
    report_path: Any = None
