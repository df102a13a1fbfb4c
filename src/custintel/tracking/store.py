"""Where runs and registered models live: the tracking store and its names.

Without ``MLFLOW_TRACKING_URI`` the store is an embedded SQLite file, ``mlflow.db`` in the
working directory, with artifacts under ``mlartifacts/`` beside it: nothing to start, and the
database is created (and migrated) on first use. Point ``MLFLOW_TRACKING_URI`` at a team server
(``http://mlflow.internal:5000``) or a database to share runs; the server then decides where
artifacts go.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow import MlflowClient

#: Loggers whose INFO lines (database migrations, "registered model ... created") are noise
#: around a training run; raised to WARNING by :func:`configure`.
QUIET_LOGGERS = (
    "alembic",
    "mlflow.store.db.utils",
    "mlflow.tracking._model_registry.fluent",
    "mlflow.tracking._model_registry.client",
    "mlflow.tracking._tracking_service.client",
    "mlflow.models.model",
)
PREFIX = "custintel-"
PROGRESS_BAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


def tracking_uri() -> str:
    """Return the tracking store URI: ``MLFLOW_TRACKING_URI``, else ``./mlflow.db``.

    Returns
    -------
    str
        The environment variable when set, otherwise ``sqlite:///<cwd>/mlflow.db`` with the
        absolute working directory.

    Examples
    --------
    >>> import os
    >>> uri = tracking_uri()
    >>> uri == os.environ.get("MLFLOW_TRACKING_URI", uri)
    True
    """
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    return uri or _local_uri()


def _local_uri() -> str:
    return f"sqlite:///{Path.cwd().resolve() / 'mlflow.db'}"


def artifact_location(task: str, uri: str) -> str | None:
    """Return where the experiment of ``task`` keeps artifacts in the store ``uri``.

    ``<cwd>/mlartifacts/custintel-<task>`` (a file URI) for the local default store; ``None``
    (the server's default) for any other store.
    """
    if uri != _local_uri():  # mlflow.set_tracking_uri exports MLFLOW_TRACKING_URI too
        return None
    return (Path.cwd().resolve() / "mlartifacts" / experiment_name(task)).as_uri()


def configure() -> str:
    """Point MLflow's tracking and model registry at :func:`tracking_uri`.

    Also lowers MLflow's and alembic's INFO chatter (database migrations, registry notices) to
    warnings.

    Returns
    -------
    str
        The tracking URI now in use.
    """
    import mlflow

    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def client() -> MlflowClient:
    """Return an MLflow client of the configured store (calls :func:`configure`)."""
    from mlflow import MlflowClient

    uri = configure()
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_name(task: str) -> str:
    """Return the MLflow experiment of ``task``.

    Examples
    --------
    >>> experiment_name("churn")
    'custintel-churn'
    """
    return f"{PREFIX}{task}"


def registered_model_name(task: str) -> str:
    """Return the registered model name of ``task``.

    Examples
    --------
    >>> registered_model_name("demand")
    'custintel-demand'
    """
    return f"{PREFIX}{task}"


def ensure_experiment(task: str) -> str:
    """Return the id of the task's experiment, creating it on first use.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.

    Returns
    -------
    str
        The experiment id.
    """
    from mlflow.exceptions import MlflowException

    uri = configure()
    mlflow_client = client()
    name = experiment_name(task)
    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            mlflow_client.restore_experiment(found.experiment_id)
        return str(found.experiment_id)
    try:
        return str(
            mlflow_client.create_experiment(
                name, artifact_location=artifact_location(task, uri), tags={"task": task}
            )
        )
    except MlflowException:  # created meanwhile by another process
        found = mlflow_client.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)


@contextmanager
def quiet() -> Iterator[None]:
    """Silence MLflow's notices and progress bars for the duration of a block.

    Logging a pyfunc model validates the input example (with a download progress bar) and
    warns about cloudpickle; registering prints to stderr. Errors still show.
    """
    names = ("mlflow", *QUIET_LOGGERS)
    levels = {name: logging.getLogger(name).level for name in names}
    bar = os.environ.get(PROGRESS_BAR)
    os.environ[PROGRESS_BAR] = "false"
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"mlflow(\..*)?$")
            for name in names:
                logging.getLogger(name).setLevel(logging.ERROR)
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        if bar is None:
            os.environ.pop(PROGRESS_BAR, None)
        else:
            os.environ[PROGRESS_BAR] = bar
