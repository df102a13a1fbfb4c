"""Registered models: one per task (``custintel-<task>``), the alias ``champion`` on one version.

Each version carries tags read back without opening its run: ``run_id``, ``task``,
``trained_at``, ``promotion_metric``, ``greater_is_better``, ``custintel_version`` and
``metric.<name>`` per holdout metric.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import pandas as pd

from custintel._version import __version__
from custintel.identity import assert_no_pii
from custintel.tracking.result import TASKS
from custintel.tracking.store import client, quiet, registered_model_name, tracking_uri

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion

    from custintel.tracking.result import TrainResult

CHAMPION = "champion"
#: Error codes of the registry for a missing model, version or alias.
MISSING = ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND")
METRIC_TAG = "metric."
LIST_COLUMNS = [
    "task",
    "name",
    "champion_version",
    "latest_version",
    "run_id",
    "trained_at",
    "promotion_metric",
    "score",
]


def log_model(run_id: str, result: TrainResult) -> tuple[str, str]:
    """Log ``result.model`` as a pyfunc in the active run ``run_id`` and register it.

    Parameters
    ----------
    run_id : str
        The active MLflow run (see :func:`custintel.tracking.start_run`).
    result : TrainResult
        The training run's result.

    Returns
    -------
    tuple of str
        ``models:/custintel-<task>/<version>`` and the new version.
    """
    import mlflow.pyfunc
    from mlflow.exceptions import MlflowException

    from custintel.tracking.pyfunc import (
        ESTIMATOR_ARTIFACT,
        ESTIMATOR_FILE,
        CustintelPyfunc,
        model_signature,
        pip_requirements,
        serving_example,
    )

    task = result.task
    example = serving_example(task, result.model, result.input_example)
    assert_no_pii(example, where="input example")
    mlflow_client = client()
    name = registered_model_name(task)
    with tempfile.TemporaryDirectory(prefix="custintel-model-") as tmp, quiet():
        path = Path(tmp) / ESTIMATOR_FILE
        joblib.dump(result.model, path)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=CustintelPyfunc(task),
            artifacts={ESTIMATOR_ARTIFACT: str(path)},
            signature=model_signature(task, result.model, example),
            input_example=example,
            pip_requirements=pip_requirements(task),
        )
        try:
            mlflow_client.create_registered_model(name, tags={"task": task})
        except MlflowException as error:
            if error.error_code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
                raise
        version = mlflow_client.create_model_version(
            name,
            source=info.model_uri,
            run_id=run_id,
            tags=version_tags(run_id, result),
            model_id=info.model_id,
        )
    return f"models:/{name}/{version.version}", str(version.version)


def version_tags(run_id: str, result: TrainResult) -> dict[str, str]:
    """Return the tags of a new model version of ``result``."""
    tags = {
        "run_id": run_id,
        "task": result.task,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "promotion_metric": result.promotion_metric,
        "greater_is_better": str(bool(result.greater_is_better)).lower(),
        "custintel_version": __version__,
    }
    for key, value in result.metrics.items():
        tags[f"{METRIC_TAG}{key}"] = repr(float(value))
    return tags


def get_version(task: str, *, version: str | None = None, alias: str = CHAMPION) -> ModelVersion:
    """Return the registered version ``version`` (or the one under ``alias``) of ``task``.

    Raises
    ------
    ValueError
        Naming the task, the tracking store and how to train a model, when there is none.
    """
    from mlflow.exceptions import MlflowException

    name = registered_model_name(task)
    mlflow_client = client()
    try:
        if version is not None:
            return mlflow_client.get_model_version(name, str(version))
        return mlflow_client.get_model_version_by_alias(name, alias)
    except MlflowException as error:
        if error.error_code not in MISSING:
            raise
        what = f"version {version}" if version is not None else f"{alias!r} version"
        raise ValueError(
            f"The {task} model has no {what} (registered model {name!r}) in the tracking store "
            f"{tracking_uri()}. Train one with `custintel train {task}`, or point "
            "MLFLOW_TRACKING_URI at the store that holds it."
        ) from error


def load_estimator(
    task: str, *, version: str | None = None, alias: str = CHAMPION
) -> tuple[Any, dict[str, Any]]:
    """Load the fitted custintel estimator of a registered version of ``task``.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.
    version : str, optional
        Registry version; by default the one under ``alias``.
    alias : str
        Registry alias used when ``version`` is None.

    Returns
    -------
    estimator : object
        The estimator as it was fitted.
    info : dict
        ``name``, ``version``, ``run_id``, ``trained_at``, ``metrics`` (dict),
        ``promotion_metric``, ``greater_is_better``, ``aliases`` and ``model_uri``.

    Raises
    ------
    ValueError
        When there is no such model, version or alias.
    """
    from custintel.tracking.pyfunc import ESTIMATOR_FILE

    model_version = get_version(task, version=version, alias=alias)
    name = registered_model_name(task)
    with tempfile.TemporaryDirectory(prefix="custintel-load-") as tmp, quiet():
        local = Path(_download(f"models:/{name}/{model_version.version}", tmp))
        found = sorted(local.rglob(ESTIMATOR_FILE))
        if not found:
            raise ValueError(
                f"Version {model_version.version} of {name!r} has no {ESTIMATOR_FILE}: it was "
                f"not logged by custintel. Retrain with `custintel train {task}`."
            )
        estimator = joblib.load(found[0])
    return estimator, version_info(model_version)


def load_version_config(task: str, version: str) -> tuple[str, dict[str, Any]]:
    """Return the run id and the resolved config (``config.yaml``) behind a registered version.

    Raises
    ------
    ValueError
        When the version's run logged no config.
    """
    import yaml

    run_id = get_version(task, version=str(version)).run_id
    if not run_id:
        raise ValueError(f"version {version} of the {task} model has no training run")
    mlflow_client = client()
    if "config.yaml" not in {info.path for info in mlflow_client.list_artifacts(run_id)}:
        raise ValueError(
            f"run {run_id} (version {version} of the {task} model) logged no config.yaml; "
            f"retrain with `custintel train {task}`"
        )
    with tempfile.TemporaryDirectory(prefix="custintel-config-") as tmp, quiet():
        local = mlflow_client.download_artifacts(run_id, "config.yaml", dst_path=tmp)
        return run_id, yaml.safe_load(Path(local).read_text(encoding="utf-8"))


def version_info(model_version: ModelVersion) -> dict[str, Any]:
    """Return what :func:`load_estimator` reports about ``model_version``."""
    tags = dict(model_version.tags or {})
    metrics = {
        key.removeprefix(METRIC_TAG): float(value)
        for key, value in tags.items()
        if key.startswith(METRIC_TAG)
    }
    return {
        "name": model_version.name,
        "version": str(model_version.version),
        "run_id": model_version.run_id,
        "trained_at": tags.get("trained_at"),
        "metrics": metrics,
        "promotion_metric": tags.get("promotion_metric"),
        "greater_is_better": tags.get("greater_is_better", "true") == "true",
        "aliases": list(model_version.aliases or []),
        "model_uri": f"models:/{model_version.name}/{model_version.version}",
    }


def list_models() -> pd.DataFrame:
    """Return one row per task with a registered model.

    Returns
    -------
    DataFrame
        Columns ``task``, ``name``, ``champion_version``, ``latest_version``, ``run_id``,
        ``trained_at``, ``promotion_metric`` and ``score`` (the champion's promotion metric);
        the champion columns are missing values for a model without a champion.
    """
    mlflow_client = client()
    registered = {
        model.name: model
        for model in mlflow_client.search_registered_models(filter_string="name LIKE 'custintel-%'")
    }
    rows = []
    for task in TASKS:
        name = registered_model_name(task)
        if name not in registered:
            continue
        versions = mlflow_client.search_model_versions(f"name = '{name}'")
        latest = max((int(v.version) for v in versions), default=None)
        row: dict[str, Any] = dict.fromkeys(LIST_COLUMNS)
        row.update(task=task, name=name, latest_version=None if latest is None else str(latest))
        champion = (registered[name].aliases or {}).get(CHAMPION)
        if champion is not None:
            info = version_info(mlflow_client.get_model_version(name, str(champion)))
            metric = info["promotion_metric"]
            row.update(
                champion_version=info["version"],
                run_id=info["run_id"],
                trained_at=info["trained_at"],
                promotion_metric=metric,
                score=info["metrics"].get(metric),
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def _download(uri: str, directory: str) -> str:
    import mlflow.artifacts

    return str(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=directory))
