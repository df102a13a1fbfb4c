"""What a logged model returns for a frame of input, per task, and the form input takes.

:func:`model_output` is the one place that says what each task's served model answers; the
MLflow pyfunc (:class:`custintel.tracking.pyfunc.CustintelPyfunc`) and the signature logged with
the model both come from it. :func:`serving_frame` turns a training-time frame into the form
a request has after JSON and MLflow's schema enforcement: no pandas ``category`` columns,
integer columns as float (so missing values are allowed).
"""

from __future__ import annotations

import reprlib
from typing import Any

import numpy as np
import pandas as pd

from custintel.tracking.result import TASKS

#: Column of the demand model's input that selects series.
SERIES_COLUMN = "series_id"
#: Column of the sentiment model's input holding the texts.
TEXT_COLUMN = "text"


def serving_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as a request carries it: plain strings, floats and booleans.

    Parameters
    ----------
    frame : DataFrame
        Model input as used in training (``category``, ``string``, integer columns...).

    Returns
    -------
    DataFrame
        A copy, same index and columns: ``category``, ``object`` and ``string`` columns hold
        ``str`` values (``None`` where missing, object dtype), integer columns are float64,
        boolean columns without missing values stay ``bool`` (with missing values they become
        float64), everything else is unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [1, 2], "city": pd.Categorical(["上海", None])})
    >>> serving_frame(frame).dtypes.astype(str).tolist()
    ['float64', 'object']
    >>> serving_frame(frame)["city"].tolist()
    ['上海', None]
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_bool_dtype(col.dtype):
            if col.isna().any():
                out[name] = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            else:
                out[name] = col.astype(bool)
        elif pd.api.types.is_integer_dtype(col.dtype) or pd.api.types.is_float_dtype(col.dtype):
            out[name] = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        elif isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(col.dtype):
            values = col.astype(object).to_numpy()
            missing = pd.isna(values)
            out[name] = pd.Series(
                [None if m else str(v) for v, m in zip(values, missing, strict=True)],
                index=col.index,
                dtype=object,
            )
    return out


def model_output(task: str, estimator: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Return what the served model of ``task`` answers for ``frame``.

    Parameters
    ----------
    task : str
        One of :data:`custintel.tracking.TASKS`.
    estimator : estimator
        The fitted custintel estimator of the task.
    frame : DataFrame
        Model input. Customer tasks: feature rows. ``"demand"``: a column ``series_id`` naming
        the series to return (no rows or no column: every fitted series). ``"sentiment"``: a
        column ``text``.

    Returns
    -------
    DataFrame
        ``"churn"``: ``churn_probability``; ``"credit"``: ``default_probability`` and
        ``credit_score``; ``"fraud"``: ``fraud_score`` and ``is_flagged`` (1 or 0);
        ``"segmentation"``: ``segment``, ``segment_name`` (Chinese) and ``segment_name_en``;
        ``"sentiment"``: ``label``, ``negative_probability`` and one boolean column per
        complaint aspect. These are indexed like ``frame``. ``"demand"``: the forecast rows
        of the selected series (``series_id``, ``ds``, ``yhat`` and quantile columns).

    Raises
    ------
    ValueError
        For an unknown task, a missing ``text`` column or unknown series ids.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}, got {task!r}.")
    if task == "demand":
        return _demand(estimator, frame)
    if task == "sentiment":
        return _sentiment(estimator, frame)
    index = frame.index
    if task == "churn":
        return pd.DataFrame({"churn_probability": estimator.predict_proba(frame)[:, 1]}, index)
    if task == "credit":
        return pd.DataFrame(
            {
                "default_probability": estimator.predict_proba(frame)[:, 1],
                "credit_score": np.asarray(estimator.credit_score(frame), dtype=float),
            },
            index,
        )
    if task == "fraud":
        return pd.DataFrame(
            {
                "fraud_score": np.asarray(estimator.score_samples(frame), dtype=float),
                "is_flagged": np.asarray(estimator.predict(frame), dtype=np.int64),
            },
            index,
        )
    segment = np.asarray(estimator.predict(frame), dtype=np.int64)
    return pd.DataFrame(
        {
            "segment": segment,
            "segment_name": _names(estimator, frame, "zh"),
            "segment_name_en": _names(estimator, frame, "en"),
        },
        index,
    )


def _names(estimator: Any, frame: pd.DataFrame, lang: str) -> np.ndarray:
    names = estimator.predict_names(frame, lang=lang)
    return np.asarray(names.astype(object), dtype=object)


def _sentiment(estimator: Any, frame: pd.DataFrame) -> pd.DataFrame:
    if TEXT_COLUMN not in frame.columns:
        raise ValueError(
            f"The sentiment model reads a column {TEXT_COLUMN!r} of review texts; got columns "
            f"{reprlib.repr(list(frame.columns))}. Rename the text column to {TEXT_COLUMN!r}."
        )
    texts = frame[TEXT_COLUMN].tolist()
    out = pd.DataFrame(
        {
            "label": np.asarray(estimator.predict(texts)),
            "negative_probability": np.asarray(estimator.negative_proba(texts), dtype=float),
        },
        index=frame.index,
    )
    flags = estimator.aspect_flags(texts)
    for name in flags.columns:
        out[str(name)] = flags[name].to_numpy(dtype=bool)
    return out


def _demand(estimator: Any, frame: pd.DataFrame) -> pd.DataFrame:
    forecast = estimator.predict()
    id_col = estimator.id_col
    if SERIES_COLUMN not in frame.columns or frame.empty:
        return forecast.reset_index(drop=True)
    wanted = pd.unique(frame[SERIES_COLUMN].dropna().astype(str))
    known = forecast[id_col].astype(str)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValueError(
            f"Unknown series_id {reprlib.repr(unknown)}: the demand model forecasts "
            f"{known.nunique()} series, e.g. {reprlib.repr(sorted(set(known)))}. Ask for "
            "fitted series, or leave series_id out to get all of them."
        )
    order = {name: i for i, name in enumerate(wanted)}
    rows = forecast[known.isin(order)]
    rank = rows[id_col].astype(str).map(order)
    return (
        rows.assign(_order=rank.to_numpy())
        .sort_values("_order", kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
