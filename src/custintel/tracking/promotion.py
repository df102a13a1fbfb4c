"""Move the ``champion`` alias only to a challenger that beats the champion on the same rows.

The champion is loaded from the registry and scored with the challenger's ``score_holdout`` on
the challenger's holdout; the challenger is promoted when its score is strictly better in the
direction of the promotion metric. Without a champion the first version is promoted. A champion
that cannot score the holdout (other feature columns, an estimator that no longer loads) blocks
the promotion unless it is forced. Every decision is logged to the challenger's run
(``promotion.json``, metrics ``promotion.*``, tags ``promotion.*``) and to its version's tags.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from custintel.tracking.holdout import load_holdout
from custintel.tracking.registry import CHAMPION, MISSING, get_version, load_estimator
from custintel.tracking.result import Holdout, PromotionDecision
from custintel.tracking.store import client, registered_model_name

if TYPE_CHECKING:
    from custintel.tracking.result import TrainResult

Scorer = Callable[[Any, Holdout], float]


def promote_result(
    run_id: str, version: str, result: TrainResult, *, force: bool = False
) -> PromotionDecision:
    """Decide on the version ``version`` just logged from ``result`` (see the module doc).

    Parameters
    ----------
    run_id : str
        The challenger's run.
    version : str
        The challenger's registered version.
    result : TrainResult
        Gives the challenger's score (``metrics[promotion_metric]``), the holdout and the
        scorer of the champion.
    force : bool
        Promote whatever the scores.

    Returns
    -------
    PromotionDecision
        The decision, already applied and logged.
    """
    if result.promotion_metric not in result.metrics:
        raise ValueError(
            f"promotion_metric {result.promotion_metric!r} is not among the run's metrics "
            f"{sorted(result.metrics)}; add it to TrainResult.metrics or pick one of them."
        )
    challenger = float(result.metrics[result.promotion_metric])
    return _promote(
        result.task,
        run_id,
        version,
        challenger,
        result.holdout,
        result.score_holdout,
        result.promotion_metric,
        greater_is_better=result.greater_is_better,
        force=force,
    )


def promote_version(
    task: str,
    version: str,
    *,
    score_holdout: Scorer,
    metric: str | None = None,
    greater_is_better: bool | None = None,
    force: bool = False,
) -> PromotionDecision:
    """Decide whether the registered ``version`` of ``task`` becomes the champion.

    Both the version and the champion are scored with ``score_holdout`` on the holdout
    logged with the version's run, and compared in the direction of the metric it computes.
    When that metric is not the one the version was trained with (a config changed since),
    both are still compared on ``metric``, and the reason says so.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.
    version : str
        The challenger's registered version.
    score_holdout : callable
        ``score_holdout(model, holdout) -> float``, the value of ``metric``.
    metric : str, optional
        The metric ``score_holdout`` computes. Default: the promotion metric the version was
        trained with (its ``promotion_metric`` tag), which ``score_holdout`` must then compute.
    greater_is_better : bool, optional
        Direction of ``metric``; required with ``metric``.
    force : bool
        Promote whatever the scores.

    Returns
    -------
    PromotionDecision
        The decision, already applied and logged to the version's run.

    Raises
    ------
    ValueError
        When the version does not exist or its run has no holdout, or ``metric`` is given
        without ``greater_is_better``.
    """
    if metric is not None and greater_is_better is None:
        raise ValueError(
            f"promote_version: metric={metric!r} needs greater_is_better (True when a higher "
            f"{metric} is better), so the two versions are compared in its direction"
        )
    model_version = get_version(task, version=str(version))
    run_id = model_version.run_id
    if not run_id:
        raise ValueError(
            f"Version {version} of the {task} model has no run, so no holdout to compare on; "
            f"retrain with `custintel train {task}`."
        )
    tags = dict(model_version.tags or {})
    if "promotion_metric" not in tags:
        tags = {**client().get_run(run_id).data.tags, **tags}
    trained_with = tags.get("promotion_metric")
    note = ""
    if metric is None or greater_is_better is None:
        metric = trained_with or "score"
        greater_is_better = tags.get("greater_is_better", "true") == "true"
    elif trained_with is not None and trained_with != metric:
        note = (
            f"; both versions compared on {metric} (the promotion metric asked for), while "
            f"version {model_version.version} was trained with promotion metric {trained_with}"
        )
    holdout = load_holdout(run_id)
    estimator, _ = load_estimator(task, version=str(model_version.version))
    challenger = float(score_holdout(estimator, holdout))
    return _promote(
        task,
        run_id,
        str(model_version.version),
        challenger,
        holdout,
        score_holdout,
        metric,
        greater_is_better=greater_is_better,
        force=force,
        note=note,
    )


def decide(
    challenger: float,
    champion: float | None,
    metric: str,
    *,
    greater_is_better: bool,
) -> tuple[bool, str]:
    """Compare two scores of ``metric``: promote only when the challenger is strictly better.

    Examples
    --------
    >>> decide(0.842, 0.836, "roc_auc", greater_is_better=True)
    (True, '0.842 > 0.836 (roc_auc)')
    >>> decide(0.91, 0.88, "mase", greater_is_better=False)
    (False, 'not better: 0.91 >= 0.88 (mase)')
    """
    if champion is None:
        return True, "first version of the model"
    if not math.isfinite(challenger):
        return False, f"challenger score is {challenger} ({metric}); it cannot be compared"
    if not math.isfinite(champion):
        return False, f"the champion scored {champion} ({metric}); pass --force to promote"
    better = challenger > champion if greater_is_better else challenger < champion
    a, b = _pair(challenger, champion)
    if better:
        return True, f"{a} {'>' if greater_is_better else '<'} {b} ({metric})"
    return False, f"not better: {a} {'<=' if greater_is_better else '>='} {b} ({metric})"


def _promote(
    task: str,
    run_id: str,
    version: str,
    challenger: float,
    holdout: Holdout,
    score_holdout: Scorer,
    metric: str,
    *,
    greater_is_better: bool,
    force: bool,
    note: str = "",
) -> PromotionDecision:
    from mlflow.exceptions import MlflowException

    mlflow_client = client()
    name = registered_model_name(task)
    try:
        champion_version: str | None = str(
            mlflow_client.get_model_version_by_alias(name, CHAMPION).version
        )
    except MlflowException as error:
        if error.error_code not in MISSING:
            raise
        champion_version = None
    champion_score: float | None = None
    problem = None
    if champion_version is not None and champion_version != version:
        try:
            champion, _ = load_estimator(task, version=champion_version)
            champion_score = float(score_holdout(champion, holdout))
        except Exception as error:  # any failure of the old model blocks, unless forced
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            problem = f"{type(error).__name__}: {first}"
    if champion_version == version:
        promoted, reason = True, f"version {version} is already the champion"
    elif force:
        promoted, reason = True, "forced"
    elif problem is not None:
        promoted, reason = (
            False,
            f"the champion (version {champion_version}) could not score this holdout "
            f"({problem}); pass --force to promote anyway",
        )
    else:
        promoted, reason = decide(
            challenger,
            None if champion_version is None else champion_score,
            metric,
            greater_is_better=greater_is_better,
        )
    if champion_score is not None:  # the note is about a comparison that took place
        reason += note
    decision = PromotionDecision(
        promoted=promoted,
        reason=reason,
        metric=metric,
        challenger_score=challenger,
        champion_score=champion_score,
        champion_version=champion_version,
        challenger_version=version,
    )
    if promoted and champion_version != version:
        mlflow_client.set_registered_model_alias(name, CHAMPION, version)
    _log(run_id, name, decision)
    return decision


def _log(run_id: str, name: str, decision: PromotionDecision) -> None:
    mlflow_client = client()
    mlflow_client.log_dict(run_id, asdict(decision), "promotion.json")
    mlflow_client.log_metric(run_id, "promotion.challenger_score", decision.challenger_score)
    if decision.champion_score is not None:
        mlflow_client.log_metric(run_id, "promotion.champion_score", decision.champion_score)
    tags = {
        "promotion.promoted": str(decision.promoted).lower(),
        "promotion.reason": decision.reason[:5000],
        "promotion.champion_version": str(decision.champion_version),
    }
    for key, value in tags.items():
        mlflow_client.set_tag(run_id, key, value)
        if decision.challenger_version is not None:
            mlflow_client.set_model_version_tag(name, decision.challenger_version, key, value)


def _pair(a: float, b: float) -> tuple[str, str]:
    """Format two scores with the fewest significant digits (3 to 8) that tell them apart."""
    if a == b:
        return f"{a:.4g}", f"{b:.4g}"
    for digits in range(3, 9):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            return left, right
    return f"{a:.8g}", f"{b:.8g}"
