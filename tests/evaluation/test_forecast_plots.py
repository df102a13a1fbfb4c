"""Forecast fans draw the history, the forecast and one band per symmetric quantile pair."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from custintel.evaluation.forecast_plots import plot_forecast, plot_forecasts


@pytest.fixture(scope="module")
def frames():
    ds = pd.date_range("2024-01-01", periods=40)
    history = pd.DataFrame(
        {"series_id": np.repeat(["a", "b"], 40), "ds": np.tile(ds, 2), "y": np.arange(80.0)}
    )
    future = pd.date_range("2024-02-10", periods=5)
    forecast = pd.DataFrame(
        {
            "series_id": np.repeat(["a", "b"], 5),
            "ds": np.tile(future, 2),
            "yhat": np.r_[np.full(5, 40.0), np.full(5, 90.0)],
        }
    )
    for q, shift in ((5, -8), (25, -3), (50, 0), (75, 3), (95, 8)):
        forecast[f"yhat_q{q:02d}"] = forecast["yhat"] + shift
    return history, forecast


def test_fan_draws_history_bands_and_forecast(frames):
    history, forecast = frames
    actual = forecast[["series_id", "ds"]].assign(y=41.0)
    ax = plot_forecast(history, forecast, "b", actual=actual, last=10)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(lines["history"].get_xdata()) == 10
    np.testing.assert_array_equal(lines["history"].get_ydata(), np.arange(70.0, 80.0))
    np.testing.assert_array_equal(lines["forecast"].get_ydata(), np.full(5, 90.0))
    assert len(lines["actual"].get_xdata()) == 5
    bands = [c.get_label() for c in ax.collections]
    assert bands == ["90% interval", "50% interval"]  # widest first; the median is no band
    lo, hi = (
        ax.collections[0].get_paths()[0].vertices[:, 1].min(),
        ax.collections[0].get_paths()[0].vertices[:, 1].max(),
    )
    assert (lo, hi) == (82.0, 98.0)
    assert ax.get_title() == "b"
    plt.close(ax.figure)


def test_grid_defaults_to_largest_series(frames):
    history, forecast = frames
    axes = plot_forecasts(history, forecast, n=1, ncols=1)
    assert axes.shape == (1, 1) and axes[0, 0].get_title() == "b"
    plt.close(axes[0, 0].figure)
    axes = plot_forecasts(history, forecast, ["a", "b", "a"], ncols=2)
    assert len(axes[0, 0].figure.axes) == 3  # the fourth panel is removed
    plt.close(axes[0, 0].figure)


def test_errors_name_what_is_wrong(frames):
    history, forecast = frames
    with pytest.raises(
        ValueError, match=r"series 'z' is not in the forecast \(it has e.g. \['a', 'b'\]\)"
    ):
        plot_forecast(history, forecast, "z")
    with pytest.raises(ValueError, match=r"history lacks columns \['y'\]"):
        plot_forecast(history.drop(columns="y"), forecast)
    with pytest.raises(ValueError, match="forecast is empty"):
        plot_forecast(history, forecast.iloc[:0])
