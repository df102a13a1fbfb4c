"""The MLflow pyfunc wrapper of every custintel model, its signature and its requirements.

A logged model is a :class:`CustintelPyfunc` plus one artifact, ``estimator``: the fitted
custintel estimator saved with joblib. ``mlflow.pyfunc.load_model(uri).predict(frame)`` returns
:func:`custintel.tracking.outputs.model_output` of it, and so does ``mlflow.pyfunc.spark_udf``.

Requirements are pinned to the versions installed when the model was logged. custintel itself
is not on PyPI, so it is not among them: load the model where custintel is installed (the
serving image is built from the custintel repository, which installs it).
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

import joblib
import pandas as pd
from mlflow.pyfunc.model import PythonModel

from custintel.tracking.outputs import SERIES_COLUMN, model_output, serving_frame

if TYPE_CHECKING:
    from mlflow.models import ModelSignature

#: Name of the estimator artifact inside the logged model.
ESTIMATOR_ARTIFACT = "estimator"
ESTIMATOR_FILE = "estimator.joblib"

#: Distributions a loaded model needs, for every task and per task.
BASE_REQUIREMENTS = (
    "mlflow",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "lightgbm",
    "joblib",
    "cloudpickle",
)
TASK_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "sentiment": ("jieba", "rjieba"),
    "demand": ("statsforecast", "chinese-calendar"),
}


class CustintelPyfunc(PythonModel):
    """Serve a fitted custintel estimator of one task through MLflow's pyfunc interface.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`; decides what :meth:`predict` returns.
    """

    def __init__(self, task: str) -> None:
        self.task = task

    def load_context(self, context: Any) -> None:
        """Load the estimator from the model's ``estimator`` artifact."""
        self.estimator = joblib.load(context.artifacts[ESTIMATOR_ARTIFACT])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Return :func:`~custintel.tracking.outputs.model_output` of ``model_input``.

        Parameters
        ----------
        context : PythonModelContext
            Unused (the estimator was loaded by :meth:`load_context`).
        model_input : DataFrame
            Model input, as described by the logged signature.
        params : dict, optional
            Unused.

        Returns
        -------
        DataFrame
            The task's answer.
        """
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        return model_output(self.task, self.estimator, frame)


def pip_requirements(task: str) -> list[str]:
    """Return the pinned requirements of a logged model of ``task``.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.

    Returns
    -------
    list of str
        ``name==version`` of each installed distribution the model needs at load time
        (custintel excluded, see the module docstring); distributions not installed are left
        out.
    """
    names = [*BASE_REQUIREMENTS, *TASK_REQUIREMENTS.get(task, ())]
    pinned = []
    for name in names:
        try:
            pinned.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return pinned


def serving_example(task: str, estimator: Any, input_example: pd.DataFrame) -> pd.DataFrame:
    """Return the input example as logged: in serving form, and for demand series ids only.

    Parameters
    ----------
    task : str
        The task.
    estimator : estimator
        The fitted estimator (demand: its series ids fill a missing ``series_id`` column).
    input_example : DataFrame
        A few rows of model input from the training run.

    Returns
    -------
    DataFrame
        See :func:`~custintel.tracking.outputs.serving_frame`.
    """
    if task == "demand":
        if SERIES_COLUMN in input_example.columns and len(input_example):
            ids = pd.unique(input_example[SERIES_COLUMN].dropna().astype(str))
        else:
            ids = pd.unique(estimator.predict()[estimator.id_col].astype(str))
        return pd.DataFrame({SERIES_COLUMN: pd.Series(ids[:3], dtype=object)})
    return serving_frame(input_example)


def model_signature(task: str, estimator: Any, example: pd.DataFrame) -> ModelSignature:
    """Return the signature of the logged model: ``example``'s schema and its output's.

    Parameters
    ----------
    task : str
        The task.
    estimator : estimator
        The fitted estimator.
    example : DataFrame
        Output of :func:`serving_example`.

    Returns
    -------
    ModelSignature
        For demand, ``series_id`` is optional (leave it out to get every series).
    """
    from mlflow.models import infer_signature
    from mlflow.types import ColSpec, Schema

    signature = infer_signature(example, model_output(task, estimator, example))
    if task == "demand":
        signature.inputs = Schema([ColSpec("string", SERIES_COLUMN, required=False)])
    return signature
