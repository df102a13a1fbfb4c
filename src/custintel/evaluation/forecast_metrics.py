"""Metrics of demand forecasts: scaled, percentage, volume-weighted, interval and quantile errors.

Every metric takes the actual values ``y_true`` and the forecasts as array-likes of one value per
period, checks that they have the same length and hold finite numbers, and returns a float.
:func:`forecast_report` applies them per series and pooled to a long frame of actuals and
forecasts (``series_id, ds, y, yhat``), the shape :func:`custintel.features.demand_series` returns.

Division by zero follows one rule: a zero denominator gives ``inf`` when there is some error and
``nan`` when there is none (0/0), without a warning. :func:`smape` is the exception: a period
where actual and forecast are both 0 counts as a perfect forecast (0).
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["coverage", "forecast_report", "mase", "pinball_loss", "smape", "wape"]

#: Index label of the pooled row of :func:`forecast_report`.
POOLED = "(pooled)"

_short = reprlib.Repr()
_short.maxlist = 5
_short.maxstring = 40
_short.maxother = 40


def _arrays(**named: Any) -> list[np.ndarray]:
    """Convert named array-likes to 1-D float arrays of one common, non-zero length."""
    out: list[np.ndarray] = []
    for name, values in named.items():
        try:
            arr = np.asarray(values, dtype=np.float64).ravel()
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers; could not convert it: {exc}") from exc
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        if bad:
            raise ValueError(
                f"{name} holds {bad} NaN or infinite value{'s' if bad != 1 else ''}; "
                "drop those periods or fill them before evaluating."
            )
        out.append(arr)
    sizes = {name: arr.size for name, arr in zip(named, out, strict=True)}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in sizes.items())
        raise ValueError(f"Lengths differ: {listed}; pass one value per period to each.")
    if out and out[0].size == 0:
        raise ValueError(f"{', '.join(named)} are empty; pass at least one period.")
    return out


def _ratio(num: float, den: float) -> float:
    """``num / den`` with ``inf`` for x/0 and ``nan`` for 0/0, without warnings."""
    if den == 0:
        return math.inf if num > 0 else math.nan
    return num / den


def mase(y_true: Any, y_pred: Any, y_train: Any, *, season: int = 1) -> float:
    """Mean absolute scaled error: forecast MAE over the in-sample seasonal-naive MAE.

    The scale is ``mean(|y_train[t] - y_train[t - season]|)``, the error of forecasting each
    training period with the value one season earlier. Below 1 the forecast beats that naive
    forecast (in sample); above 1 it does worse.

    Parameters
    ----------
    y_true : array-like of float
        Actual values of the forecast periods.
    y_pred : array-like of float
        Forecasts of the same periods.
    y_train : array-like of float
        The training history, oldest first; at least ``season + 1`` values.
    season : int
        Season length in periods: 1 for the naive forecast, 7 for day-of-week, 52 for weekly
        data with a yearly season.

    Returns
    -------
    float
        ``inf`` when the history is constant (scale 0) and the forecast has some error, ``nan``
        when both are 0.

    Examples
    --------
    >>> mase([3, 5], [4, 4], [1, 2, 4])  # MAE 1 over naive MAE (1 + 2) / 2
    0.6666666666666666
    >>> mase([5, 5], [4, 6], [5, 5, 5])  # constant history: the scale is 0
    inf
    """
    true, pred = _arrays(y_true=y_true, y_pred=y_pred)
    (train,) = _arrays(y_train=y_train)
    if isinstance(season, bool) or not isinstance(season, int | np.integer) or season < 1:
        raise ValueError(f"season must be a positive integer, got {season!r}.")
    if train.size <= season:
        raise ValueError(
            f"y_train has {train.size} value{'s' if train.size != 1 else ''} but MASE with "
            f"season={season} needs at least {season + 1}; pass a longer history or a "
            "smaller season."
        )
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    return _ratio(float(np.mean(np.abs(true - pred))), scale)


def smape(y_true: Any, y_pred: Any) -> float:
    """Symmetric mean absolute percentage error, on a 0 to 200 scale.

    ``200 / n * sum(|y - yhat| / (|y| + |yhat|))``; a period where both are 0 counts as 0.

    Parameters
    ----------
    y_true : array-like of float
        Actual values.
    y_pred : array-like of float
        Forecasts.

    Returns
    -------
    float

    Examples
    --------
    >>> smape([100, 0, 0], [50, 10, 0])  # 200/3 * (50/150 + 10/10 + 0)
    88.88888888888889
    """
    true, pred = _arrays(y_true=y_true, y_pred=y_pred)
    den = np.abs(true) + np.abs(pred)
    err = np.abs(true - pred)
    terms = np.divide(err, den, out=np.zeros_like(err), where=den > 0)
    return float(200.0 * np.mean(terms))


def wape(y_true: Any, y_pred: Any) -> float:
    """Weighted absolute percentage error: ``sum(|y - yhat|) / sum(|y|)``.

    A share (0.1 is 10 %), dominated by the high-volume periods; unlike MAPE it stays finite
    when some actuals are 0.

    Parameters
    ----------
    y_true : array-like of float
        Actual values.
    y_pred : array-like of float
        Forecasts.

    Returns
    -------
    float
        ``inf`` when every actual is 0 and some forecast is not, ``nan`` when all are 0.

    Examples
    --------
    >>> wape([10, 0, 30], [12, 1, 27])  # (2 + 1 + 3) / 40
    0.15
    """
    true, pred = _arrays(y_true=y_true, y_pred=y_pred)
    return _ratio(float(np.sum(np.abs(true - pred))), float(np.sum(np.abs(true))))


def coverage(y_true: Any, lower: Any, upper: Any) -> float:
    """Share of actual values inside their prediction interval, bounds included.

    Parameters
    ----------
    y_true : array-like of float
        Actual values.
    lower, upper : array-like of float
        Interval bounds per period, ``lower <= upper``.

    Returns
    -------
    float
        Between 0 and 1; compare with the nominal level (0.8 for an 80 % interval).

    Examples
    --------
    >>> coverage([1, 5, 9, 4], [0, 0, 0, 4], [2, 4, 10, 6])
    0.75
    """
    true, lo, hi = _arrays(y_true=y_true, lower=lower, upper=upper)
    crossed = np.flatnonzero(lo > hi)
    if crossed.size:
        raise ValueError(
            f"lower is above upper at {crossed.size} position(s), e.g. "
            f"{_short.repr(crossed.tolist())}; swap the bounds or sort the quantiles."
        )
    return float(np.mean((true >= lo) & (true <= hi)))


def pinball_loss(y_true: Any, y_quantile: Any, q: float) -> float:
    """Mean pinball (quantile) loss of a forecast of the ``q`` quantile.

    Per period ``q * (y - yhat)`` when the actual is above the forecast and
    ``(1 - q) * (yhat - y)`` when below; at ``q = 0.5`` it is half the MAE.

    Parameters
    ----------
    y_true : array-like of float
        Actual values.
    y_quantile : array-like of float
        Forecasts of the ``q`` quantile.
    q : float
        The quantile level, strictly between 0 and 1.

    Returns
    -------
    float

    Examples
    --------
    >>> pinball_loss([10, 10], [8, 13], q=0.9)  # (0.9 * 2 + 0.1 * 3) / 2
    1.05
    """
    if isinstance(q, bool) or not isinstance(q, int | float | np.number) or not 0 < q < 1:
        raise ValueError(f"q must be a quantile level strictly between 0 and 1, got {q!r}.")
    true, pred = _arrays(y_true=y_true, y_quantile=y_quantile)
    diff = true - pred
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))


def forecast_report(
    frame: pd.DataFrame,
    *,
    train: pd.DataFrame | None = None,
    season: int = 7,
    id_col: str = "series_id",
    time_col: str = "ds",
    target_col: str = "y",
    pred_col: str = "yhat",
    lower_col: str | None = None,
    upper_col: str | None = None,
) -> pd.DataFrame:
    """Compute forecast metrics per series and pooled over all series.

    Parameters
    ----------
    frame : DataFrame
        Long frame of the evaluated periods: one row per series and period with the actual
        value and the forecast.
    train : DataFrame, optional
        Long frame of the training history with ``id_col``, ``time_col`` and ``target_col``.
        Given, each series' MASE is scaled by its own history, using only the rows before its
        first evaluated period (so passing the full history does not leak). Series with at
        most ``season`` such rows get a NaN MASE.
    season : int
        Season length of the MASE scale (7: day of week for daily data).
    id_col, time_col, target_col, pred_col : str
        Column names of the series id, the period (needed only with ``train``), the actual
        value and the forecast.
    lower_col, upper_col : str, optional
        Columns of a prediction interval; both given add a ``coverage`` column.

    Returns
    -------
    DataFrame
        Indexed by series id, one row per series (sorted) and a last row ``"(pooled)"``, with
        columns ``n`` (periods), ``mae``, ``bias`` (mean forecast minus actual), ``wape``,
        ``smape``, and ``mase`` with ``train`` and ``coverage`` with an interval. The pooled
        row computes each metric over all rows, except ``mase``: the mean of the finite
        per-series values (the scale differs per series).

    Examples
    --------
    >>> test = pd.DataFrame({"series_id": ["a", "a", "b", "b"],
    ...                      "ds": pd.to_datetime(["2024-01-04", "2024-01-05"] * 2),
    ...                      "y": [3, 5, 10, 10], "yhat": [4, 4, 10, 12]})
    >>> hist = pd.DataFrame({"series_id": ["a"] * 3 + ["b"] * 3,
    ...                      "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"] * 2),
    ...                      "y": [1, 2, 4, 8, 10, 12]})
    >>> forecast_report(test, train=hist, season=1)[["n", "mae", "wape", "mase"]]
                 n  mae      wape      mase
    series_id
    a          2.0  1.0  0.250000  0.666667
    b          2.0  1.0  0.100000  0.500000
    (pooled)   4.0  1.0  0.142857  0.583333
    """
    if (lower_col is None) != (upper_col is None):
        raise ValueError(
            "Pass both lower_col and upper_col for interval coverage, or neither; got "
            f"lower_col={lower_col!r}, upper_col={upper_col!r}."
        )
    needed = [id_col, target_col, pred_col]
    if train is not None:
        needed.insert(1, time_col)
    if lower_col is not None and upper_col is not None:
        needed += [lower_col, upper_col]
    _require(frame, needed, "frame")
    if frame.empty:
        raise ValueError("frame is empty; pass at least one evaluated period.")
    if frame[id_col].isna().any():
        raise ValueError(f"frame column {id_col!r} holds missing ids; drop or name those rows.")
    if (frame[id_col] == POOLED).any():
        raise ValueError(
            f"{POOLED!r} is reserved for the pooled row; rename that series in {id_col!r}."
        )
    # checks lengths and finiteness of every column at once, naming the column
    _arrays(**{c: frame[c] for c in needed if c not in (id_col, time_col)})
    cutoffs: pd.Series | None = None
    history: dict[Any, np.ndarray] = {}
    if train is not None:
        _require(train, [id_col, time_col, target_col], "train")
        cutoffs = frame.groupby(id_col, sort=True)[time_col].min()
        missing = cutoffs.index.difference(pd.Index(train[id_col].unique()))
        if len(missing):
            raise ValueError(
                f"train has no history for {len(missing)} series of frame, e.g. "
                f"{_short.repr(missing.tolist())}; pass the training rows of every series."
            )
        past = train.loc[
            (train[time_col] < train[id_col].map(cutoffs)).to_numpy(dtype=bool)
        ].sort_values([id_col, time_col], kind="stable")
        history = {k: g[target_col].to_numpy(np.float64) for k, g in past.groupby(id_col)}

    rows: dict[Any, dict[str, float]] = {}
    for key, group in frame.groupby(id_col, sort=True):
        rows[key] = _metrics(group, target_col, pred_col, lower_col, upper_col)
        if train is not None:
            hist = history.get(key, np.empty(0))
            rows[key]["mase"] = (
                mase(group[target_col], group[pred_col], hist, season=season)
                if hist.size > season
                else math.nan
            )
    pooled = _metrics(frame, target_col, pred_col, lower_col, upper_col)
    if train is not None:
        finite = [r["mase"] for r in rows.values() if math.isfinite(r["mase"])]
        pooled["mase"] = float(np.mean(finite)) if finite else math.nan
    rows[POOLED] = pooled
    report = pd.DataFrame.from_dict(rows, orient="index")
    return report.rename_axis(id_col)


def _metrics(
    rows: pd.DataFrame, target: str, pred: str, lower: str | None, upper: str | None
) -> dict[str, float]:
    true = rows[target].to_numpy(np.float64)
    yhat = rows[pred].to_numpy(np.float64)
    out = {
        "n": float(len(rows)),
        "mae": float(np.mean(np.abs(true - yhat))),
        "bias": float(np.mean(yhat - true)),
        "wape": wape(true, yhat),
        "smape": smape(true, yhat),
    }
    if lower is not None and upper is not None:
        out["coverage"] = coverage(true, rows[lower], rows[upper])
    return out


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {missing}; it has {_short.repr(list(frame.columns))}. "
            "Rename the columns or pass id_col=, time_col=, target_col=, pred_col=."
        )
