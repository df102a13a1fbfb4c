"""Run a training pipeline: data -> identities -> features -> split -> fit -> evaluate -> log.

>>> from custintel.pipelines import spec_from_dict, train
>>> spec = spec_from_dict({"task": "churn", "data": {"demo": {"n_customers": 600}},
...                        "estimator": {"n_estimators": 40}})
>>> outcome = train(spec, track=False, report=False)
>>> outcome.result.metrics["roc_auc"] > 0.6
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from custintel.pipelines._stages import StageCallback, StageTimer, score_with
from custintel.pipelines.data import PreparedData, prepare_data

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.pipelines.result import Holdout, LoggedRun, PromotionDecision, TrainResult


@dataclass
class RunOutcome:
    """A finished training run: what was trained, and where it was recorded.

    Attributes
    ----------
    result : TrainResult
        Model, metrics, baselines, figures, drivers and examples.
    logged : LoggedRun or None
        The MLflow run, registered version and champion decision (``None`` when not tracked).
    report_path : Path or None
        The reviewer's HTML report.
    """

    result: TrainResult
    logged: LoggedRun | None
    report_path: Path | None

    @property
    def decision(self) -> PromotionDecision | None:
        """The champion decision, when one was taken."""
        return None if self.logged is None else self.logged.decision


def task_module(task: str) -> ModuleType:
    """Return the module of ``task`` (``train``, ``build_holdout``, ``holdout_metrics``)."""
    from custintel.pipelines import binary, demand, fraud, segmentation, sentiment

    modules = {
        "churn": binary,
        "credit": binary,
        "fraud": fraud,
        "segmentation": segmentation,
        "demand": demand,
        "sentiment": sentiment,
    }
    if task not in modules:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(modules)}")
    return modules[task]


def train(
    spec: Any,
    *,
    dataset: Dataset | None = None,
    data: PreparedData | None = None,
    track: bool = True,
    promote: bool = True,
    force: bool = False,
    report: bool = True,
    on_stage: StageCallback | None = None,
) -> RunOutcome:
    """Train one task as its spec says, evaluate it on the time holdout, explain and log it.

    Parameters
    ----------
    spec : ChurnSpec, CreditSpec, FraudSpec, SegmentationSpec, DemandSpec or SentimentSpec
        The run config (:func:`custintel.pipelines.load_spec`).
    dataset : Dataset, optional
        Data already in memory instead of ``spec.data``'s source.
    data : PreparedData, optional
        Data already loaded and resolved (shared by :func:`train_all`).
    track : bool
        Log the run, register the model and take the champion decision in MLflow.
    promote : bool
        With ``track``: move the ``champion`` alias when the new model beats the champion on
        the same holdout.
    force : bool
        Promote even when it does not beat the champion.
    report : bool
        Write the reviewer's HTML report (``<report.directory>/<task>/<run_id>.html``).
    on_stage : callable, optional
        ``on_stage(event, stage, seconds)`` for progress displays.

    Returns
    -------
    RunOutcome
    """
    timer = StageTimer(on_stage)
    if data is None:
        data = _load(spec, dataset, timer)
    result: TrainResult = task_module(spec.task).train(spec, data, timer)
    with timer("snapshot"):  # what the service scores today, by customer id
        snapshot = task_module(spec.task).latest_features(spec, data.ds)
    # The report and the run's metrics cannot include the time spent writing them; the
    # ``log`` stage is added once it is over (see :func:`metrics_table`).
    result.stages = {**data.seconds, **timer.seconds}
    result.split.setdefault("trained_at", pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"))
    logged, path = None, None
    try:
        with timer("log"):
            if track:
                logged, path = _track(result, spec, promote=promote, force=force, report=report)
            elif report:
                from custintel.pipelines.report import write_report

                path = write_report(result, None, directory=spec.report.directory)
            # The snapshot is what the champion scores by id: only a run that became the
            # champion replaces it (a losing challenger's columns may differ).
            decision = None if logged is None else logged.decision
            if snapshot is not None and decision is not None and decision.promoted:
                assert logged is not None
                _write_snapshot(snapshot, spec, data, logged.run_id)
    finally:
        from custintel.pipelines.run_plots import close_all

        close_all(result.figures)
    result.stages = {**data.seconds, **timer.seconds}
    return RunOutcome(result, logged, path)


def train_all(
    specs: list[Any],
    *,
    dataset: Dataset | None = None,
    source: str | None = None,
    on_stage: StageCallback | None = None,
    on_done: Any = None,
    **kwargs: Any,
) -> list[RunOutcome]:
    """Train several tasks, loading and resolving each distinct data source once.

    ``source`` says what ``dataset`` is (see :func:`~custintel.pipelines.prepare_data`);
    ``on_done(outcome)`` is called after each task; ``kwargs`` go to :func:`train`.
    """
    cache: dict[str, PreparedData] = {}
    outcomes = []
    for spec in specs:
        data = load_data(spec, dataset=dataset, source=source, on_stage=on_stage, cache=cache)
        outcome = train(spec, data=data, on_stage=on_stage, **kwargs)
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def load_data(
    spec: Any,
    *,
    dataset: Dataset | None = None,
    source: str | None = None,
    on_stage: StageCallback | None = None,
    cache: dict[str, PreparedData] | None = None,
) -> PreparedData:
    """Load, validate and resolve the data of ``spec`` (once per source when given a cache).

    ``source`` says what ``dataset`` is (see :func:`~custintel.pipelines.prepare_data`).
    """
    key = json.dumps(spec.data.model_dump(mode="json"), sort_keys=True)
    if cache is not None and key in cache:
        return cache[key]
    data = _load(spec, dataset, StageTimer(on_stage), source=source)
    if cache is not None:
        cache[key] = data
    return data


def evaluate(
    spec: Any,
    *,
    version: str | None = None,
    dataset: Dataset | None = None,
    on_stage: StageCallback | None = None,
) -> tuple[dict[str, float], dict[str, Any], Holdout]:
    """Score a registered model (the champion by default) on the holdout ``spec`` describes.

    Returns
    -------
    metrics : dict
        The task's holdout metrics.
    info : dict
        The registered model version that was scored.
    holdout : Holdout
        The rows it was scored on.
    """
    from custintel import tracking

    timer = StageTimer(on_stage)
    data = _load(spec, dataset, timer)
    module = task_module(spec.task)
    with timer("features"):
        _, holdout = module.build_holdout(spec, data.ds)
    tracking.configure()
    model, info = tracking.load_estimator(spec.task, version=version)
    with timer("evaluate"):
        metrics = module.holdout_metrics(model, holdout)
    return metrics, info, holdout


def promote(
    spec: Any, version: str, *, force: bool = False, dataset: Dataset | None = None
) -> PromotionDecision:
    """Make registered ``version`` of ``spec.task`` the champion if it beats the current one.

    Both are scored on the holdout stored with the version's training run, on
    ``spec.promotion.metric`` and in its direction (also when the version was trained with
    another promotion metric; the decision's reason then says so).

    When the version becomes the champion, the serving snapshot of the task is rebuilt for it:
    today's features of ``spec.data`` (or ``dataset``), chosen as the version's own config
    chose them, so its columns are the ones the version was trained on.
    """
    from custintel import tracking

    tracking.configure()
    module = task_module(spec.task)
    metric = spec.promotion.metric
    scorer = partial(score_with, module.holdout_metrics, metric)
    decision: PromotionDecision = tracking.promote_version(
        spec.task,
        version,
        score_holdout=scorer,
        metric=metric,
        greater_is_better=spec.promotion.greater_is_better,
        force=force,
    )
    if decision.promoted:
        _snapshot_for_version(spec, version, dataset)
    return decision


def _snapshot_for_version(spec: Any, version: str, dataset: Dataset | None) -> None:
    from custintel import tracking
    from custintel.pipelines.specs import spec_from_dict

    run_id, logged = tracking.load_version_config(spec.task, version)
    trained = spec_from_dict(
        {**logged, "data": spec.data.model_dump()}, source=f"config of {spec.task} v{version}"
    )
    data = prepare_data(trained.data, dataset=dataset)
    snapshot = task_module(spec.task).latest_features(trained, data.ds)
    if snapshot is not None:
        _write_snapshot(snapshot, spec, data, run_id)


def _write_snapshot(snapshot: pd.DataFrame, spec: Any, data: PreparedData, run_id: str) -> None:
    """Replace the task's serving snapshot with ``snapshot``, from the champion's ``run_id``."""
    from custintel.pipelines.snapshots import write_snapshot

    write_snapshot(
        snapshot,
        spec.snapshots,
        spec.task,
        as_of=str(data.ds.end),
        run_id=run_id,
        data_sha256=data.fingerprint.get("sha256"),
    )


def _load(
    spec: Any, dataset: Dataset | None, timer: StageTimer, *, source: str | None = None
) -> PreparedData:
    data = prepare_data(spec.data, dataset=dataset, source=source, on_stage=timer.callback)
    timer.seconds.update(data.seconds)
    return data


def _track(
    result: TrainResult, spec: Any, *, promote: bool, force: bool, report: bool
) -> tuple[LoggedRun, Path | None]:
    from custintel import tracking

    tracking.configure()
    path = None
    with tracking.start_run(result.task) as run:
        run.log_result(result)
        run.log_model(result)
        decision = run.promote(result, force=force) if promote else None
        logged: LoggedRun = run.logged(decision=decision)
        if report:
            from custintel.pipelines.report import write_report

            path = write_report(result, logged, directory=spec.report.directory)
            run.log_report(path)
            logged = run.logged(decision=decision, report_path=path)
    return logged, path


def metrics_table(outcomes: list[RunOutcome]) -> pd.DataFrame:
    """One row per run: task, promotion metric and score, baseline, champion decision, seconds.

    ``seconds`` covers every stage of the run, logging and the report included.
    """
    rows = []
    for o in outcomes:
        r = o.result
        best_baseline = r.baselines.drop(index="model", errors="ignore")[r.promotion_metric]
        best_baseline = best_baseline.dropna()
        if len(best_baseline):
            pick = best_baseline.idxmax() if r.greater_is_better else best_baseline.idxmin()
            baseline = f"{best_baseline.loc[str(pick)]:.3f} ({pick})"
        else:
            baseline = "-"
        decision = o.decision
        rows.append(
            {
                "task": r.task,
                "metric": r.promotion_metric,
                "holdout": r.metrics[r.promotion_metric],
                "best baseline": baseline,
                "version": o.logged.version if o.logged else "-",
                "champion": ("yes: " if decision.promoted else "no: ") + decision.reason
                if decision
                else "-",
                "seconds": sum(r.stages.values()),  # every stage, logging included
            }
        )
    return pd.DataFrame(rows)
