"""Forecast fans: a series' recent history, its forecast and the forecast's quantile bands.

:func:`plot_forecast` draws one series; :func:`plot_forecasts` a grid of several. Both read
the frames :class:`custintel.models.DemandForecaster` uses (``series_id, ds, y`` history and
``series_id, ds, yhat, yhat_qNN`` forecasts) and return the Axes; saving is left to the
caller (``fig.savefig(...)``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["plot_forecast", "plot_forecasts"]

_QUANTILE = re.compile(r"^yhat_q(\d{2})$")


def _bands(forecast: pd.DataFrame) -> list[tuple[str, str, int]]:
    """Pairs of quantile columns symmetric around the median, widest first (lo, hi, level)."""
    found = {int(m.group(1)): c for c in forecast.columns if (m := _QUANTILE.match(str(c)))}
    pairs = [
        (found[q], found[100 - q], 100 - 2 * q)
        for q in sorted(found)
        if q < 50 and 100 - q in found
    ]
    return pairs


def plot_forecast(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    series_id: Any = None,
    *,
    actual: pd.DataFrame | None = None,
    last: int | None = 90,
    id_col: str = "series_id",
    time_col: str = "ds",
    target_col: str = "y",
    ax: Axes | None = None,
) -> Axes:
    """Draw one series' history, point forecast and quantile bands (the fan).

    Parameters
    ----------
    history : DataFrame
        ``id_col``, ``time_col``, ``target_col``: what the forecaster was trained on.
    forecast : DataFrame
        Output of :meth:`DemandForecaster.predict`: ``yhat`` and ``yhat_qNN`` columns. Each
        pair of quantiles symmetric around the median (``q10``/``q90``) becomes a band.
    series_id : optional
        The series to draw; defaults to the first series of ``forecast``.
    actual : DataFrame, optional
        What really happened over the forecast periods (same columns as ``history``), drawn
        as points so a backtest can be judged by eye.
    last : int, optional
        Periods of history to show; ``None`` shows it all.
    id_col, time_col, target_col : str
        Column roles.
    ax : Axes, optional
        Where to draw; a new figure when ``None``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({"series_id": "a", "ds": pd.date_range("2024-01-01", periods=5),
    ...                         "y": [3.0, 4, 5, 4, 6]})
    >>> fc = pd.DataFrame({"series_id": "a", "ds": pd.date_range("2024-01-06", periods=2),
    ...                    "yhat": [5.0, 5.5], "yhat_q10": [4.0, 4.0], "yhat_q90": [6.0, 7.0]})
    >>> ax = plot_forecast(history, fc)
    >>> len(ax.collections)  # one band
    1
    """
    for name, frame, cols in (
        ("history", history, (id_col, time_col, target_col)),
        ("forecast", forecast, (id_col, time_col, "yhat")),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks columns {missing}; it needs {list(cols)}.")
    if series_id is None:
        if forecast.empty:
            raise ValueError("forecast is empty: there is no series to draw.")
        series_id = forecast[id_col].iloc[0]
    fc = forecast[forecast[id_col] == series_id].sort_values(time_col)
    if fc.empty:
        known = forecast[id_col].drop_duplicates().head(5).tolist()
        raise ValueError(f"series {series_id!r} is not in the forecast (it has e.g. {known}).")
    past = history[history[id_col] == series_id].sort_values(time_col)
    if last is not None:
        past = past.tail(last)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(past[time_col], past[target_col], color="0.25", lw=1.2, label="history")
    for lo, hi, level in _bands(fc):
        alpha = 0.15 + 0.25 * (1 - level / 100)
        ax.fill_between(
            fc[time_col],
            fc[lo],
            fc[hi],
            color="tab:blue",
            alpha=alpha,
            lw=0,
            label=f"{level}% interval",
        )
    ax.plot(fc[time_col], fc["yhat"], color="tab:blue", lw=1.6, label="forecast")
    if actual is not None:
        seen = actual[(actual[id_col] == series_id) & actual[time_col].isin(fc[time_col])]
        ax.plot(seen[time_col], seen[target_col], "o", ms=3, color="tab:red", label="actual")
    if len(past):
        ax.axvline(past[time_col].iloc[-1], color="0.6", lw=0.8, ls="--")
    ax.set_title(str(series_id))
    ax.set_ylabel(target_col)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    ax.figure.autofmt_xdate()
    return ax


def plot_forecasts(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    series_ids: Sequence[Any] | None = None,
    *,
    n: int = 6,
    ncols: int = 2,
    **kwargs: Any,
) -> np.ndarray:
    """Draw a grid of forecast fans, one panel per series.

    Parameters
    ----------
    history, forecast : DataFrame
        As in :func:`plot_forecast`.
    series_ids : sequence, optional
        Series to draw; defaults to the ``n`` series with the largest forecast volume.
    n, ncols : int
        Panels when ``series_ids`` is not given, and panels per row.
    **kwargs
        Passed to :func:`plot_forecast` (``actual``, ``last``, column roles).

    Returns
    -------
    ndarray of Axes
        The grid's axes (unused panels removed).

    Examples
    --------
    >>> from custintel.models.demand import DemandForecaster, make_demand_series
    >>> ts = make_demand_series(n_series=3, n_periods=60)
    >>> fc = DemandForecaster(horizon=7, models=("seasonal_naive",), n_windows=1).fit(ts).predict()
    >>> plot_forecasts(ts, fc).shape
    (2, 2)
    """
    id_col = kwargs.get("id_col", "series_id")
    if series_ids is None:
        volume = forecast.groupby(id_col, sort=False)["yhat"].sum()
        series_ids = volume.nlargest(n).index.tolist()
    ids = list(series_ids)
    if not ids:
        raise ValueError("no series to draw: series_ids is empty.")
    nrows = -(-len(ids) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3 * nrows), squeeze=False)
    for ax, sid in zip(axes.ravel(), ids, strict=False):
        plot_forecast(history, forecast, sid, ax=ax, **kwargs)
    for ax in axes.ravel()[len(ids) :]:
        ax.remove()
    fig.tight_layout()
    return axes
