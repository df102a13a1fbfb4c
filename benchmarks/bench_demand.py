"""Benchmark: DemandForecaster on 1,000 daily series x 2 years, beside seasonal naive and ETS.

Usage::

    python benchmarks/bench_demand.py                  # 1,000 series x 730 days
    python benchmarks/bench_demand.py --series 200     # quicker

The series are synthetic parcel volumes with what real ones have: levels from 5 to 5,000 a
day (log-uniform), a weekly pattern, a yearly swing, the Spring Festival trough (volume falls
to a fraction for two weeks around the new year, dates from the lunar calendar), the 618 and
Double-11 peaks, a slow trend and over-dispersed noise. They run 2023-01-01 to 2024-12-30;
the last 28 days are held out.

Every method sees the same 702 days and forecasts the held-out 28, in the same process:

- ``seasonal_naive`` and ``ets`` (AutoETS, season 7): statsforecast alone, fit + forecast,
  then a 3-window rolling-origin ``cross_validation`` (28 days apart) like custintel's;
- ``custintel``: ``DemandForecaster(horizon=28, n_jobs=2)`` with every default: ``fit`` runs
  the 3-window backtest of all four candidates (seasonal naive, AutoETS, AutoTheta, global
  LightGBM), chooses the combination and makes the forecast; ``predict`` returns it.

Accuracy on the held-out 28 days: MASE (scaled per series by its in-sample seasonal naive
error, season 7), sMAPE and WAPE, and for custintel the 10-90% interval coverage. The table
is printed and written to ``benchmarks/results/bench_demand.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

from _forecast_scores import held_out_scores, markdown
from custintel.evaluation import coverage
from custintel.models.demand import DemandForecaster

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
HORIZON = 28
WINDOWS = 3
SPRING_FESTIVAL = pd.to_datetime(["2023-01-22", "2024-02-10", "2025-01-29"])


def make_series(n_series: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic daily parcel volumes, 2023-01-01 to 2024-12-30, one row per series and day."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-01", periods=730, freq="D")
    t = np.arange(len(ds))
    level = np.exp(rng.uniform(np.log(5), np.log(5_000), n_series))[:, None]
    week = rng.normal(0, 0.15, (n_series, 7))
    week[:, 5:] -= rng.uniform(0.1, 0.6, (n_series, 1))  # quieter weekends
    weekly = np.exp(week[:, ds.day_of_week])
    yearly = 1 + rng.uniform(0, 0.25, (n_series, 1)) * np.sin(
        2 * np.pi * (t - rng.uniform(0, 365, (n_series, 1))) / 365.25
    )
    to_sf = np.min(
        np.abs(
            (ds.to_numpy()[:, None] - SPRING_FESTIVAL.to_numpy()[None, :]) / np.timedelta64(1, "D")
        ),
        axis=1,
    )
    festival = np.where(to_sf <= 7, rng.uniform(0.15, 0.5, (n_series, 1)), 1.0)
    peak = ((ds.month == 6) & (ds.day <= 18)) | ((ds.month == 11) & (ds.day <= 11))
    promo = np.where(peak, rng.uniform(1.3, 2.5, (n_series, 1)), 1.0)
    trend = 1 + rng.uniform(-0.3, 0.4, (n_series, 1)) * t / len(t)
    mean = level * weekly * yearly * festival * promo * trend
    y = rng.negative_binomial(5, 5 / (5 + mean)).astype(np.float64)  # over-dispersed counts
    ids = np.array([f"s{i:04d}" for i in range(n_series)])
    return pd.DataFrame(
        {"series_id": np.repeat(ids, len(ds)), "ds": np.tile(ds, n_series), "y": y.ravel()}
    )


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def accuracy(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, column: str
) -> dict[str, float]:
    """Held-out MASE (season 7), sMAPE and WAPE of one forecast column."""
    s = held_out_scores(train, test, fc, column, 7)
    return {"MASE": s["mase"], "sMAPE": s["smape"], "WAPE": s["wape"]}


def statistical(train: pd.DataFrame, name: str) -> tuple[pd.DataFrame, float, float, pd.DataFrame]:
    """One statsforecast model: forecast, its seconds, backtest seconds and the backtest."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    model = SeasonalNaive(season_length=7) if name == "seasonal_naive" else AutoETS(season_length=7)
    frame = train.rename(columns={"series_id": "unique_id"})
    sf = StatsForecast(models=[model], freq="D", n_jobs=2)
    start = time.perf_counter()
    fc = sf.forecast(df=frame, h=HORIZON)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    cv = sf.cross_validation(df=frame, h=HORIZON, n_windows=WINDOWS, step_size=HORIZON)
    backtest = time.perf_counter() - start
    fc = fc.rename(columns={"unique_id": "series_id", model.alias: name})
    return fc, fit, backtest, cv.rename(columns={model.alias: name})


def backtest_mase(cv: pd.DataFrame, train: pd.DataFrame, column: str, id_col: str) -> float:
    diff = train.groupby("series_id")["y"].diff(7).abs()
    scale = diff.groupby(train["series_id"]).mean()
    scale = scale.where(scale > 0, 1.0)
    err = (cv[column] - cv["y"]).abs().groupby(cv[id_col]).mean()
    return float((err / scale.loc[err.index].to_numpy()).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    data = make_series(args.series)
    cut = data["ds"].max() - pd.Timedelta(days=HORIZON)
    train, test = data[data["ds"] <= cut], data[data["ds"] > cut]
    print(
        f"{args.series} series x {data['ds'].nunique()} days; train {len(train):,} rows", flush=True
    )
    rows = []
    for name in ("seasonal_naive", "ets"):
        fc, fit, backtest, cv = statistical(train, name)
        rows.append(
            {
                "method": name,
                "fit+forecast s": fit,
                "3-window backtest s": backtest,
                "total s": fit + backtest,
                "backtest MASE": backtest_mase(cv, train, name, "unique_id"),
                **accuracy(train, test, fc, name),
                "80% coverage": float("nan"),
            }
        )
        print(rows[-1], flush=True)
    model = DemandForecaster(horizon=HORIZON, n_windows=WINDOWS, n_jobs=2)
    start = time.perf_counter()
    model.fit(train)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    fc = model.predict()
    predict = time.perf_counter() - start
    joined = test.merge(fc, on=["series_id", "ds"])
    rows.append(
        {
            "method": "custintel",
            "fit+forecast s": fit + predict,
            "3-window backtest s": float("nan"),  # inside fit
            "total s": fit + predict,
            "backtest MASE": float(model.mase_["combined"].mean()),
            **accuracy(train, test, fc, "yhat"),
            "80% coverage": coverage(joined["y"], joined["yhat_q10"], joined["yhat_q90"]),
        }
    )
    print(rows[-1], flush=True)
    for m in model.mase_.columns.drop("combined"):  # backtest only: unused ones make no forecast
        rows.append(
            {"method": f"  custintel candidate {m}", "backtest MASE": float(model.mase_[m].mean())}
        )
    table = pd.DataFrame(rows)
    ets = table.loc[table["method"] == "ets"].iloc[0]
    table["MASE vs ETS"] = table["MASE"] / ets["MASE"]
    choice = model.choice_.value_counts().head(6).to_dict()
    text = "\n".join(
        [
            "# DemandForecaster: 1,000 daily series x 2 years"
            if args.series == 1_000
            else f"# DemandForecaster: {args.series} daily series x 2 years",
            "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores; statsforecast and "
            "LightGBM on 2 jobs. Held-out: the last 28 days. custintel's fit includes its "
            f"{WINDOWS}-window backtest of four candidates (their backtest MASE below).",
            "",
            markdown(table.round(4)),
            "",
            f"custintel choices per series (most common): {choice}",
            f"Backtest interval coverage (10-90%): {model.interval_coverage_:.3f}; "
            f"peak RSS {peak_gb():.2f} GB.",
            "",
        ]
    )
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_demand.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
