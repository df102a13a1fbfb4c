"""Demand: forecast every series ``horizon`` periods ahead; the last ``horizon`` periods judge.

The holdout is the last ``horizon`` periods of every series; the model is fitted on what came
before. A champion is judged on the same holdout by refitting its recipe (its parameters) on
the same history, since a forecaster's fitted state is tied to the end of its history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from custintel.pipelines._stages import make_result
from custintel.pipelines.result import Holdout, TrainResult

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.pipelines._stages import StageTimer
    from custintel.pipelines.data import PreparedData


def build_holdout(spec: Any, ds: Dataset) -> tuple[pd.DataFrame, Holdout]:
    """All series, and the holdout: the last ``horizon`` periods of each, with the history."""
    from custintel.features import demand_series
    from custintel.models import aggregate_series

    if not ds.has("shipments") and spec.series.target == "parcels":
        raise ValueError("demand: target 'parcels' needs the shipments table; use 'orders'")
    ts = demand_series(ds, freq=spec.series.freq, by=spec.series.by, target=spec.series.target)
    tree = pd.DataFrame(columns=["series_id", "parent"])
    if spec.series.total is not None and spec.series.by:
        tree = pd.DataFrame({"series_id": ts["series_id"].unique(), "parent": spec.series.total})
        ts = aggregate_series(ts, dict(zip(tree["series_id"], tree["parent"], strict=True)))
    if spec.series.history_days is not None:
        first = ts["ds"].max() - pd.Timedelta(days=spec.series.history_days)
        ts = ts[ts["ds"] > first]
    periods = sorted(ts["ds"].unique())
    if len(periods) <= 2 * spec.horizon:
        raise ValueError(
            f"demand: {len(periods)} periods of history cannot hold out {spec.horizon} and "
            "still fit; lower `horizon` or use more history"
        )
    cutoff = periods[-spec.horizon]
    history = ts[ts["ds"] < cutoff].reset_index(drop=True)
    actual = ts[ts["ds"] >= cutoff].reset_index(drop=True)
    description = (
        f"last {spec.horizon} periods ({pd.Timestamp(cutoff).date()} to "
        f"{pd.Timestamp(periods[-1]).date()}) of {actual['series_id'].nunique()} series"
    )
    extra = {"history": history, "tree": tree, "settings": _settings(spec)}
    return ts, Holdout(actual, None, description, extra)


def _settings(spec: Any) -> pd.DataFrame:
    return pd.DataFrame({"reconcile": [spec.reconcile]})


def forecast_for(model: Any, holdout: Holdout) -> pd.DataFrame:
    """Return the model's forecast of the holdout periods (refitting its recipe when needed)."""
    from sklearn.base import clone

    from custintel.models import reconcile

    history = holdout.extra["history"]
    first = holdout.X["ds"].min()
    forecast = model.predict()
    if forecast["ds"].min() != first or not set(holdout.X["series_id"]) <= set(
        forecast["series_id"]
    ):
        forecast = clone(model).fit(history).predict()
    tree = holdout.extra.get("tree")
    settings = holdout.extra.get("settings")
    method = "none" if settings is None else str(settings["reconcile"].iloc[0])
    if tree is not None and len(tree) and method != "none":
        hierarchy = dict(zip(tree["series_id"], tree["parent"], strict=True))
        forecast = reconcile(forecast, hierarchy, method=method)
    return forecast


def holdout_metrics(model: Any, holdout: Holdout) -> dict[str, float]:
    """MASE, sMAPE, WAPE and 10-90% coverage of the model's forecast on the holdout."""
    return _metrics(forecast_for(model, holdout), holdout, season=model.season_length_)


def _metrics(forecast: pd.DataFrame, holdout: Holdout, *, season: int) -> dict[str, float]:
    from custintel.evaluation import forecast_report

    frame = holdout.X.merge(forecast, on=["series_id", "ds"], how="left")
    lower = "yhat_q10" if "yhat_q10" in frame.columns else None
    upper = "yhat_q90" if "yhat_q90" in frame.columns else None
    report = forecast_report(
        frame, train=holdout.extra["history"], season=season, lower_col=lower, upper_col=upper
    )
    keys = ["mase", "smape", "wape"] + (["coverage"] if lower and upper else [])
    pooled = report.loc["(pooled)", keys].to_numpy(dtype=float)
    return dict(zip(keys, pooled.tolist(), strict=True))


def latest_features(spec: Any, ds: Any) -> None:
    """Return nothing: this task is not scored by customer id."""
    return None


def train(spec: Any, data: PreparedData, timer: StageTimer) -> TrainResult:
    """Fit a :class:`DemandForecaster` on everything before the holdout periods."""
    from custintel.models import DemandForecaster

    with timer("features"):
        series, holdout = build_holdout(spec, data.ds)
        history = holdout.extra["history"]
    with timer("fit"):
        params = {"n_jobs": 2, **spec.estimator}
        model = DemandForecaster(
            horizon=spec.horizon, freq=spec.series.freq, random_state=spec.seed, **params
        ).fit(history)
    with timer("evaluate"):
        forecast = forecast_for(model, holdout)
        metrics = _metrics(forecast, holdout, season=model.season_length_)
        rows = {"model": metrics}
        naive = DemandForecaster(
            horizon=spec.horizon,
            freq=spec.series.freq,
            models=("seasonal_naive",),
            n_windows=1,
            random_state=spec.seed,
        ).fit(history)
        rows["seasonal naive"] = _metrics(naive.predict(), holdout, season=model.season_length_)
        baselines = pd.DataFrame(rows).T.rename_axis("compared")
        from custintel.pipelines.run_plots import forecast_figures

        volume = holdout.X.groupby("series_id")["y"].sum().nlargest(4).index.tolist()
        figures, captions = forecast_figures(history, forecast, holdout.X, volume)
    backtest = model.mase_.mean().to_dict()
    choice = model.choice_.value_counts().idxmax()
    coverage = model.interval_coverage_
    if spec.refit:
        with timer("fit"):  # the served model forecasts from the data's end
            from sklearn.base import clone

            model = clone(model).fit(series)
    notes = [
        "Backtest MASE per candidate (rolling origin, before the holdout): "
        + ", ".join(f"{k} {v:.3f}" for k, v in backtest.items()),
        f"Combination chosen: {choice}; backtest 10-90% coverage {coverage:.0%}.",
        "The registered model is refitted on every period, holdout included, so it forecasts "
        "from the data's end."
        if spec.refit
        else "The registered model is the one judged (fitted before the holdout).",
        "MASE < 1 means the forecast beats the seasonal naive forecast of the history.",
    ]
    example = pd.DataFrame({"series_id": sorted(holdout.X["series_id"].unique())[:3]})
    return make_result(
        spec,
        data,
        holdout_metrics,
        model=model,
        metrics=metrics,
        baselines=baselines,
        holdout=holdout,
        input_example=example,
        figures=figures,
        captions=captions,
        split={
            "kind": "last periods of every series",
            "train": f"{len(history):,} series-periods up to {history['ds'].max().date()}",
            "holdout": holdout.description,
            "train_rows": len(history),
            "holdout_rows": len(holdout.X),
        },
        notes=notes,
    )
