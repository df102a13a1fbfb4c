"""What every task pipeline shares: stage timing, and the common fields of its result."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from custintel.pipelines.result import Holdout, TrainResult

if TYPE_CHECKING:
    from custintel.pipelines.data import PreparedData

#: The stages of a run, in order (the CLI shows one progress line per stage).
STAGES = (
    "load",
    "identities",
    "features",
    "split",
    "fit",
    "evaluate",
    "explain",
    "snapshot",
    "log",
)

#: What each stage does, for progress displays.
STAGE_LABELS: dict[str, str] = {
    "load": "load and validate data",
    "identities": "resolve customer identities",
    "features": "build features and holdout",
    "split": "split by time",
    "fit": "fit",
    "evaluate": "evaluate on the holdout",
    "explain": "explain",
    "snapshot": "serving snapshot of today's features",
    "log": "log the run and write the report",
}

#: ``callback(event, stage, seconds)``: event is "start" or "end"; seconds is None at start.
StageCallback = Callable[[str, str, float | None], None]


class StageTimer:
    """Time the stages of a run and tell a progress display when each starts and ends.

    Examples
    --------
    >>> timer = StageTimer()
    >>> with timer("fit"):
    ...     pass
    >>> list(timer.seconds)
    ['fit']
    """

    def __init__(self, callback: StageCallback | None = None) -> None:
        self.callback = callback
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        """Time ``stage`` (the time adds up when a stage is entered twice)."""
        if self.callback is not None:
            self.callback("start", stage, None)
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.seconds[stage] = self.seconds.get(stage, 0.0) + spent
            if self.callback is not None:
                self.callback("end", stage, spent)


def score_with(
    metrics: Callable[[Any, Holdout], dict[str, float]], metric: str, model: Any, holdout: Holdout
) -> float:
    """Return one metric of ``model`` on ``holdout``, from a task's ``holdout_metrics``."""
    return metrics(model, holdout)[metric]


def make_result(
    spec: Any,
    data: PreparedData,
    metrics_of: Callable[[Any, Holdout], dict[str, float]],
    **fields: Any,
) -> TrainResult:
    """Build a :class:`TrainResult` with the fields every task fills the same way.

    ``metrics_of`` is the task's ``holdout_metrics``: a champion is scored with it on the
    same holdout. ``fields`` are the task's own (model, metrics, baselines, holdout, ...).
    """
    return TrainResult(
        task=spec.task,
        config=spec.model_dump(mode="json"),
        fingerprint=data.fingerprint,
        promotion_metric=spec.promotion.metric,
        greater_is_better=spec.promotion.greater_is_better,
        score_holdout=partial(score_with, metrics_of, spec.promotion.metric),
        **fields,
    )
