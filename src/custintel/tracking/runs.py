"""One training run in MLflow: what it logs and how it ends.

>>> from custintel.tracking import start_run
>>> with start_run("churn") as run:  # doctest: +SKIP
...     run.log_result(result)
...     model_uri, version = run.log_model(result)
...     decision = run.promote(result)
...     run.log_report(report_path)
...     logged = run.logged(decision, report_path)
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from custintel._version import __version__
from custintel.identity import assert_no_pii
from custintel.tracking.artifacts import close_figures, flatten, metrics, run_tags, write_files
from custintel.tracking.holdout import FOLDER, write_holdout
from custintel.tracking.promotion import promote_result
from custintel.tracking.registry import log_model
from custintel.tracking.result import LoggedRun, PromotionDecision, TrainResult
from custintel.tracking.store import (
    client,
    ensure_experiment,
    experiment_name,
    quiet,
    registered_model_name,
    tracking_uri,
)

BATCH = 100  # parameters per log_batch call (MLflow's limit)


class TrainingRun:
    """An MLflow run of one training of ``task``; use :func:`start_run` to open one.

    As a context manager the run ends ``FINISHED``, or ``FAILED`` when the block raises.

    Attributes
    ----------
    task : str
        The task.
    run_id : str
        MLflow run id.
    experiment : str
        Experiment name, ``custintel-<task>``.
    tracking_uri : str
        The tracking store.
    model_uri, version : str or None
        The registered model version, once :meth:`log_model` ran.
    """

    def __init__(self, task: str, run_id: str, tracking_uri: str) -> None:
        self.task = task
        self.run_id = run_id
        self.experiment = experiment_name(task)
        self.tracking_uri = tracking_uri
        self.model_uri: str | None = None
        self.version: str | None = None

    def __enter__(self) -> TrainingRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end("FINISHED" if exc_type is None else "FAILED")

    def end(self, status: str = "FINISHED") -> None:
        """End the run with ``status`` (``"FINISHED"``, ``"FAILED"`` or ``"KILLED"``)."""
        import mlflow

        active = mlflow.active_run()
        if active is not None and active.info.run_id == self.run_id:
            mlflow.end_run(status)
        else:
            client().set_terminated(self.run_id, status)

    def log_result(self, result: TrainResult) -> None:
        """Log everything of ``result`` except the model (see :meth:`log_model`).

        Parameters: the flattened config (``a.b.c`` keys). Metrics: the holdout metrics,
        ``baseline.<name>.<metric>`` per baseline row and ``seconds.<stage>`` per stage.
        Artifacts: ``config.yaml``, ``fingerprint.json``, ``feature_catalog.csv``,
        ``baselines.csv``, ``plots/<name>.png``, ``drivers.csv``, ``examples.csv``,
        ``split.json``, ``notes.txt`` and the holdout under ``holdout/``. Tags: task,
        custintel version, promotion metric and its direction.

        Parameters
        ----------
        result : TrainResult
            The training run's result.

        Raises
        ------
        PIIError
            When the input example, the examples or the holdout hold raw personal data;
            nothing is logged then.
        """
        from mlflow.entities import Metric, Param, RunTag

        assert_no_pii(result.input_example, where="input example")
        if result.examples is not None:
            assert_no_pii(result.examples, where="reason-code examples")
        mlflow_client = client()
        with tempfile.TemporaryDirectory(prefix="custintel-run-") as tmp:
            root = Path(tmp)
            (root / FOLDER).mkdir()
            write_holdout(result.holdout, root / FOLDER)
            write_files(result, root)
            with quiet():
                mlflow_client.log_artifacts(self.run_id, str(root))
        close_figures(result.figures)
        params = [Param(key, value) for key, value in flatten(result.config).items()]
        for start in range(0, len(params), BATCH):
            mlflow_client.log_batch(self.run_id, params=params[start : start + BATCH])
        values = metrics(result, Metric)
        for start in range(0, len(values), 1000):
            mlflow_client.log_batch(self.run_id, metrics=values[start : start + 1000])
        tags = [RunTag(key, value) for key, value in run_tags(result).items()]
        mlflow_client.log_batch(self.run_id, tags=tags)

    def log_model(self, result: TrainResult) -> tuple[str, str]:
        """Log ``result.model`` as an MLflow pyfunc and register it as a new version.

        Parameters
        ----------
        result : TrainResult
            The training run's result (model, input example, metrics).

        Returns
        -------
        tuple of str
            ``models:/custintel-<task>/<version>`` and the version.
        """
        self.model_uri, self.version = log_model(self.run_id, result)
        return self.model_uri, self.version

    def promote(self, result: TrainResult, *, force: bool = False) -> PromotionDecision:
        """Make this run's version the champion if it beats the champion on the same holdout.

        Parameters
        ----------
        result : TrainResult
            The result whose model :meth:`log_model` registered.
        force : bool
            Promote whatever the scores.

        Returns
        -------
        PromotionDecision
            Also logged to the run (``promotion.json``, metrics and tags).
        """
        if self.version is None:
            raise RuntimeError(
                "Call log_model(result) before promote(result): nothing is registered."
            )
        return promote_result(self.run_id, self.version, result, force=force)

    def log_report(self, path: str | Path) -> None:
        """Log the HTML report at ``path`` under ``report/``."""
        client().log_artifact(self.run_id, str(path), "report")

    def logged(
        self, decision: PromotionDecision | None = None, report_path: Any = None
    ) -> LoggedRun:
        """Return where the run was recorded.

        Parameters
        ----------
        decision : PromotionDecision, optional
            The champion decision, when one was taken.
        report_path : path-like, optional
            The HTML report written for the run.

        Returns
        -------
        LoggedRun
            ``model_uri`` and ``version`` are empty strings before :meth:`log_model`.
        """
        return LoggedRun(
            run_id=self.run_id,
            experiment=self.experiment,
            model_uri=self.model_uri or "",
            registered_name=registered_model_name(self.task),
            version=self.version or "",
            tracking_uri=self.tracking_uri,
            decision=decision,
            report_path=report_path,
        )


def start_run(
    task: str, *, run_name: str | None = None, tags: dict[str, str] | None = None
) -> TrainingRun:
    """Start an MLflow run of ``task`` in the experiment ``custintel-<task>``.

    The run becomes MLflow's active run (nested under an active run, if any) until it ends.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.
    run_name : str, optional
        Name shown in the MLflow UI; MLflow picks one by default.
    tags : dict, optional
        Extra run tags.

    Returns
    -------
    TrainingRun
        Use it as a context manager so that the run always ends.
    """
    import mlflow

    experiment_id = ensure_experiment(task)
    run_tags = {"task": task, "custintel.version": __version__, **(tags or {})}
    run = mlflow.start_run(
        experiment_id=experiment_id,
        run_name=run_name,
        tags=run_tags,
        nested=mlflow.active_run() is not None,
    )
    return TrainingRun(task, run.info.run_id, tracking_uri())
