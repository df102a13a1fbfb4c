"""Benchmark: fit, predict and reason-code cost of every customer model on the demo features.

Usage::

    python benchmarks/bench_models.py                                # 1M customers
    python benchmarks/bench_models.py --customers 100000 --repeats 2
    python benchmarks/bench_models.py --fit-rows 200000              # cap the training rows

Data: the demo dataset of ``--customers`` customers (generated once and cached by
``bench_features.dataset_dir``), customer features as of 2024-07-01 and the labels that go with
them, built once in a child process and cached as Parquet in ``benchmarks/.cache/``
(``features_<n>_<seed>.parquet`` and ``labels_<n>_<seed>.parquet``), so the measuring process
holds only the feature frame. Labels, aligned on the feature rows (rows without one dropped):

- churn: :func:`custintel.features.churn_labels` at the cutoff, no order in the next 90 days
  (customers who bought before it);
- default: :func:`custintel.features.default_labels` at the cutoff, an invoice falling due in
  the next 90 days unpaid 30 days past due;
- fraud: the investigators' verdicts reached before the cutoff (customer verdicts, and order
  verdicts rolled up to their customer, as ``bench_fraud.known_verdicts``); every other
  customer is unlabelled. Planted ring membership (``ds.truth``) only checks the scores.

Measured, ``--repeats`` times each, model and baseline interleaved so both see the same machine
state (medians, and the median of the per-repeat ratios):

- **fit** on the training rows (every row for the segmenter and the fraud scorer, the labelled
  rows for churn and credit; ``--fit-rows`` draws a random subset instead) and **predict** on
  every row of the feature frame (``predict`` for the segmenter, ``predict_proba`` for churn and
  credit, ``score_samples`` for fraud). Baselines, from scikit-learn, on the numeric columns
  (median-imputed, standardised where the model needs it, preprocessing included in the time):
  ``KMeans`` with the same ``k`` and sample size for the segmenter, ``LogisticRegression`` for
  churn and credit, ``IsolationForest`` (100 trees) for fraud.
- **reason codes**, per row, at batch sizes 1, 100 and 10,000 (random rows; 30, 10 and
  ``max(3, repeats)`` calls; medians): the score alone, LightGBM's ``pred_contrib`` on the
  already-encoded matrix, ``contributions`` (encoding + ``pred_contrib`` + frame), and
  ``explain(X, top_k=5)`` (contributions + the Chinese and English sentences).

Peak RSS is the process high-water mark (``VmHWM``) during a stage, reset before each stage
(Linux ``clear_refs``), so it includes the feature frame. Sanity columns are in-sample (ROC-AUC
on the training rows; fraud: PR-AUC against ring membership, which no model sees). The table is
printed and written to ``benchmarks/results/bench_models.md``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
AS_OF = "2024-07-01"
HORIZON = 90
BATCHES = (1, 100, 10_000)
TOP_K = 5


# ---------------------------------------------------------------------------- data
def cache_paths(n: int, seed: int) -> tuple[Path, Path]:
    return CACHE / f"features_{n}_{seed}.parquet", CACHE / f"labels_{n}_{seed}.parquet"


def build(n: int, seed: int) -> None:
    """Load (or generate) the demo data, build features and labels, write them as Parquet."""
    sys.path.insert(0, str(HERE))
    from bench_features import dataset_dir
    from bench_fraud import known_verdicts
    from custintel.data import load_dataset
    from custintel.features import build_customer_features, churn_labels, default_labels

    started = time.perf_counter()
    ds = load_dataset(dataset_dir(n, seed))
    loaded = time.perf_counter()
    X = build_customer_features(ds, AS_OF)
    built = time.perf_counter()
    ring = ds.truth.customers.set_index("customer_id")["is_fraud"]
    labels = pd.DataFrame(
        {
            "churn": churn_labels(ds, AS_OF, HORIZON).reindex(X.index),
            "default": default_labels(ds, AS_OF, HORIZON).reindex(X.index),
            "fraud_verdict": known_verdicts(ds, AS_OF).reindex(X.index),
            "fraud_ring": ring.reindex(X.index).astype("float64"),
        },
        index=X.index,
    ).astype("float64")
    features_path, labels_path = cache_paths(n, seed)
    X.to_parquet(features_path)
    labels.to_parquet(labels_path)
    print(
        f"loaded the dataset in {loaded - started:.0f}s, built {X.shape[1]} features for "
        f"{len(X):,} customers in {built - loaded:.0f}s -> {features_path.name}"
    )


# ---------------------------------------------------------------------------- measuring
def _peak_gb() -> float:
    """Peak resident memory of this process since the last reset, GB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def _reset_peak() -> None:
    """Restart the peak-RSS counter (Linux >= 4.0), so each stage reports its own peak."""
    Path("/proc/self/clear_refs").write_text("5")


def _cpu_snapshot() -> tuple[float, float, float]:
    """Wall clock, busy CPU seconds of the whole machine, CPU seconds of this process."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    own = os.times()
    return time.perf_counter(), busy, own.user + own.system


def _others_share(start: tuple[float, float, float], end: tuple[float, float, float]) -> float:
    """Share of the machine's CPU capacity used by other processes between two snapshots."""
    wall, busy, own = (b - a for a, b in zip(start, end, strict=True))
    return max(0.0, busy - own) / (wall * (os.cpu_count() or 1))


def _code_version() -> str:
    """The commit under test, and whether ``src/`` differs from it (read-only git calls)."""
    try:
        run = {"cwd": HERE.parent, "capture_output": True, "text": True, "check": True}
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], **run).stdout
    except (OSError, subprocess.CalledProcessError):
        return "custintel (no git checkout)"
    return f"custintel at {commit}" + (" with uncommitted changes in src/" if dirty else "")


def _timed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    out = call(*args, **kwargs)
    return time.perf_counter() - started, out


@dataclass
class Baseline:
    """A scikit-learn model on the numeric columns, timed next to the custintel model."""

    name: str
    fit: Callable[[], Any]
    score: Callable[[Any], Any]
    sanity: Callable[[Any], str]


@dataclass
class Task:
    """One custintel model: how to fit it, score every row, check and describe it."""

    name: str
    fit: Callable[[], Any]
    score: Callable[[Any], Any]
    baseline: Baseline
    train_rows: int
    sanity: Callable[[Any], str]
    describe: Callable[[Any], str]


def make_tasks(X: pd.DataFrame, labels: pd.DataFrame, args: argparse.Namespace) -> list[Task]:
    from sklearn.cluster import KMeans
    from sklearn.ensemble import IsolationForest
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from custintel.models import ChurnModel, CreditRiskModel, CustomerSegmenter, FraudScorer

    rng = np.random.default_rng(args.seed)
    numeric = X.select_dtypes("number")
    sample_size = CustomerSegmenter().sample_size
    k = args.k
    ring = labels["fraud_ring"].to_numpy()

    def rows_of(mask: np.ndarray) -> np.ndarray:
        """Positions of the training rows: ``mask``, or ``--fit-rows`` of them at random."""
        pos = np.flatnonzero(mask)
        if args.fit_rows is not None and len(pos) > args.fit_rows:
            pos = np.sort(rng.choice(pos, args.fit_rows, replace=False))
        return pos

    every = rows_of(np.ones(len(X), dtype=bool))
    churn = rows_of(labels["churn"].notna().to_numpy())
    credit = rows_of(labels["default"].notna().to_numpy())
    X_all = X if len(every) == len(X) else X.iloc[every]
    X_churn, y_churn = X.iloc[churn], labels["churn"].iloc[churn].astype("int64")
    X_credit, y_credit = X.iloc[credit], labels["default"].iloc[credit].astype("int64")
    verdicts = labels["fraud_verdict"].iloc[every]  # NaN = not investigated

    def auc(pos: np.ndarray, y: pd.Series) -> Callable[[Any], str]:
        return lambda proba: f"ROC-AUC {roc_auc_score(y, np.asarray(proba)[pos, 1]):.3f}"

    def fraud_pr(score: Any) -> str:
        return f"PR-AUC vs rings {average_precision_score(ring, np.asarray(score)):.3f}"

    def segment_share(labels_: Any) -> str:
        counts = np.bincount(np.asarray(labels_))
        return f"largest segment {counts.max() / counts.sum():.0%}"

    def logistic(pos: np.ndarray, y: pd.Series) -> Baseline:
        def fit() -> Any:
            model = make_pipeline(
                SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=300)
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # non-convergence shows in the note (n_iter_)
                return model.fit(numeric.iloc[pos], y)

        return Baseline("LogisticRegression", fit, lambda m: m.predict_proba(numeric), auc(pos, y))

    def kmeans() -> Any:
        take = np.sort(rng.choice(len(numeric), min(sample_size, len(numeric)), replace=False))
        model = make_pipeline(
            SimpleImputer(strategy="median"),
            StandardScaler(),
            KMeans(k, n_init=4, random_state=args.seed),
        )
        return model.fit(numeric.iloc[take])

    def iforest() -> Any:
        model = make_pipeline(
            SimpleImputer(strategy="median"),
            IsolationForest(random_state=args.seed, n_jobs=args.n_jobs),
        )
        return model.fit(numeric.iloc[every])

    kmeans_baseline = Baseline(
        f"KMeans(k={k}) on {sample_size:,} rows",
        kmeans,
        lambda m: m.predict(numeric),
        segment_share,
    )
    iforest_baseline = Baseline(
        "IsolationForest (100 trees)", iforest, lambda m: -m.score_samples(numeric), fraud_pr
    )
    gbm = {"random_state": args.seed, "n_jobs": args.n_jobs}

    def describe_gbm(m: Any) -> str:
        v = m.validation_
        return (
            f"{m.n_estimators_} trees ({m.calibration_}; validated on {v['method']}, "
            f"{v['n_valid']:,} rows)"
        )

    def describe_segmenter(m: Any) -> str:
        return f"k={m.n_clusters_} (of {', '.join(map(str, m.selection_['k']))})"

    def describe_fraud(m: Any) -> str:
        return f"{len(m.detector_features_)} detector columns, {m.n_labelled_:,} labelled rows"

    return [
        Task(
            'CustomerSegmenter(n_clusters="auto")',
            lambda: CustomerSegmenter(random_state=args.seed).fit(X_all),
            lambda m: m.predict(X),
            kmeans_baseline,
            len(every),
            segment_share,
            describe_segmenter,
        ),
        Task(
            f"CustomerSegmenter(n_clusters={k})",
            lambda: CustomerSegmenter(k, random_state=args.seed).fit(X_all),
            lambda m: m.predict(X),
            kmeans_baseline,
            len(every),
            segment_share,
            describe_segmenter,
        ),
        Task(
            "ChurnModel",
            lambda: ChurnModel(**gbm).fit(X_churn, y_churn),
            lambda m: m.predict_proba(X),
            logistic(churn, y_churn),
            len(churn),
            auc(churn, y_churn),
            describe_gbm,
        ),
        Task(
            "CreditRiskModel",
            lambda: CreditRiskModel(**gbm).fit(X_credit, y_credit),
            lambda m: m.predict_proba(X),
            logistic(credit, y_credit),
            len(credit),
            auc(credit, y_credit),
            describe_gbm,
        ),
        Task(
            "FraudScorer (unsupervised)",
            lambda: FraudScorer(random_state=args.seed, n_jobs=args.n_jobs).fit(X_all),
            lambda m: m.score_samples(X),
            iforest_baseline,
            len(every),
            fraud_pr,
            describe_fraud,
        ),
        Task(
            "FraudScorer (supervised)",
            lambda: FraudScorer(random_state=args.seed, n_jobs=args.n_jobs).fit(X_all, verdicts),
            lambda m: m.score_samples(X),
            iforest_baseline,
            len(every),
            fraud_pr,
            describe_fraud,
        ),
    ]


def _baseline_note(model: Any) -> str:
    last = model[-1]
    if hasattr(last, "n_iter_"):
        return f"{int(np.max(last.n_iter_))} iterations"
    return ""


def measure_fits(tasks: list[Task], repeats: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit and score each model and its baseline ``repeats`` times, interleaved.

    A baseline shared by several models (the same object) runs once per repeat, right after
    the first of them. Results: ``models`` keyed by name, ``baselines`` by ``id(baseline)``.
    """
    out: dict[str, dict[str, Any]] = {t.name: defaultdict(list) for t in tasks}
    base: dict[int, dict[str, Any]] = {id(t.baseline): defaultdict(list) for t in tasks}
    fitted: dict[str, Any] = {}
    for r in range(repeats):
        done: set[int] = set()
        for task in tasks:
            res = out[task.name]
            fitted.pop(task.name, None)
            gc.collect()
            _reset_peak()
            fit_s, model = _timed(task.fit)
            score_s, score = _timed(task.score, model)
            res["peak_gb"].append(_peak_gb())
            res["fit_s"].append(fit_s)
            res["score_s"].append(score_s)
            res["sanity"], res["note"] = task.sanity(score), task.describe(model)
            fitted[task.name] = model
            del model, score
            b, b_res = task.baseline, base[id(task.baseline)]
            if id(b) not in done:
                done.add(id(b))
                gc.collect()
                _reset_peak()
                b_fit_s, b_model = _timed(b.fit)
                b_score_s, b_score = _timed(b.score, b_model)
                b_res["peak_gb"].append(_peak_gb())
                b_res["fit_s"].append(b_fit_s)
                b_res["score_s"].append(b_score_s)
                b_res["sanity"], b_res["note"] = b.sanity(b_score), _baseline_note(b_model)
                del b_model, b_score
            res["ratio_fit"].append(fit_s / b_res["fit_s"][-1])
            res["ratio_score"].append(score_s / b_res["score_s"][-1])
            print(
                f"  repeat {r + 1}/{repeats} {task.name}: fit {fit_s:.1f} s, predict "
                f"{score_s:.1f} s, peak {res['peak_gb'][-1]:.2f} GB | {b.name}: fit "
                f"{b_res['fit_s'][-1]:.1f} s, predict {b_res['score_s'][-1]:.1f} s",
                flush=True,
            )
    return {"models": out, "baselines": base}, fitted


def _threads(n_jobs: int | None) -> int:
    """Threads the binary LightGBM models use for ``n_jobs`` (their default is 1)."""
    if not n_jobs:
        return 1
    return max(1, (os.cpu_count() or 1) + 1 + n_jobs) if n_jobs < 0 else n_jobs


def measure_explain(
    X: pd.DataFrame, fitted: dict[str, Any], repeats: int, seed: int, n_jobs: int | None
) -> list[dict[str, Any]]:
    """Per-row cost of scores, contributions and reason codes at each batch size (medians)."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    for name, model in fitted.items():
        if not hasattr(model, "explain"):
            continue
        if hasattr(model, "predict_proba"):
            score: Callable[[pd.DataFrame], Any] = model.predict_proba
            threads: dict[str, int] = {"num_threads": _threads(n_jobs)}
        else:
            score, threads = model.score_samples, {}
        booster = getattr(model, "booster_", None)
        model.explain(X.iloc[:10], top_k=TOP_K)  # warm up caches and lazy imports
        for batch in BATCHES:
            calls = {1: 30, 100: 10}.get(batch, max(3, repeats))
            times: dict[str, list[float]] = defaultdict(list)
            for _ in range(calls):
                Xb = X.iloc[np.sort(rng.choice(len(X), batch, replace=False))]
                times["score"].append(_timed(score, Xb)[0])
                if booster is not None:
                    M = model.encoder_.transform(Xb)
                    times["pred_contrib"].append(
                        _timed(booster.predict, M, pred_contrib=True, **threads)[0]
                    )
                times["contributions"].append(_timed(model.contributions, Xb)[0])
                times["explain"].append(_timed(model.explain, Xb, top_k=TOP_K)[0])
            row = {"model": name, "batch": batch, "calls": calls}
            for key, values in times.items():
                row[key] = statistics.median(values) / batch * 1e6
            rows.append(row)
            print(
                f"  {name}, batch {batch:,}: "
                + ", ".join(f"{k} {v:,.1f} us/row" for k, v in row.items() if k in times),
                flush=True,
            )
    return rows


# ---------------------------------------------------------------------------- report
def _med(values: list[float]) -> float:
    return statistics.median(values)


def report(
    args: argparse.Namespace,
    shape: tuple[int, int],
    labels: pd.DataFrame,
    setup: dict[str, float],
    tasks: list[Task],
    fits: dict[str, Any],
    explain: list[dict[str, Any]],
    overall_peak: float,
) -> str:
    import lightgbm
    import sklearn

    churn, default = labels["churn"].dropna(), labels["default"].dropna()
    verdicts, ring = labels["fraud_verdict"].dropna(), labels["fraud_ring"]
    cap = f", training rows capped at {args.fit_rows:,} (random)" if args.fit_rows else ""
    threads = "library defaults" if args.n_jobs is None else f"n_jobs={args.n_jobs}"
    lines = [
        f"# bench_models: {args.customers:,} demo customers (seed {args.seed}), features as of "
        f"{AS_OF}",
        "",
        f"Feature frame: {shape[0]:,} rows x {shape[1]} columns (Parquet cache read in "
        f"{setup['read_s']:.1f} s, resident after reading {setup['resident_gb']:.2f} GB). "
        f"Labels: churn {len(churn):,} rows ({churn.mean():.1%} churned), default "
        f"{len(default):,} rows ({default.mean():.1%} bad), fraud verdicts before the cutoff "
        f"{len(verdicts):,} rows ({verdicts.mean():.1%} fraud), planted ring members "
        f"{int(ring.sum()):,} ({ring.mean():.2%}).",
        "",
        f"One process; {args.repeats} repeat(s), model and baseline interleaved; medians "
        f"(ratio: median of the per-repeat ratios){cap}. Predict scores every row of the frame. "
        f"Threads: {threads} (the churn and credit models default to 1 thread; FraudScorer's "
        f"forest to 1 job and its LightGBM to all cores). Peak RSS: the process high-water "
        f"mark during fit + predict, reset before each model, so it includes the frame; whole "
        f"run {overall_peak:.2f} GB. Sanity columns are in-sample checks, not evaluations. "
        f"Other processes used {setup['others'][0]:.0%} of the machine's CPU during the fits "
        f"and {setup['others'][1]:.0%} during the reason codes (from /proc/stat; on a shared "
        f"machine, prefer the ratios). "
        f"{setup['code']}, {os.cpu_count()}-core machine, Python "
        f"{platform.python_version()}, lightgbm "
        f"{lightgbm.__version__}, scikit-learn {sklearn.__version__}, pandas {pd.__version__}.",
        "",
        "| model | training rows | fit s | predict s | peak RSS GB | baseline | baseline fit s "
        "| baseline predict s | fit ratio | predict ratio | sanity (model / baseline) | fitted |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for task in tasks:
        m, b = fits["models"][task.name], fits["baselines"][id(task.baseline)]
        sanity = f"{m['sanity']} / {b['sanity']}" if m["sanity"] else ""
        note = m["note"] + (f"; baseline {b['note']}" if b["note"] else "")
        lines.append(
            f"| {task.name} | {task.train_rows:,} | {_med(m['fit_s']):.1f} "
            f"| {_med(m['score_s']):.1f} | {max(m['peak_gb']):.2f} | {task.baseline.name} "
            f"| {_med(b['fit_s']):.1f} | {_med(b['score_s']):.1f} "
            f"| {_med(m['ratio_fit']):.2f}x | {_med(m['ratio_score']):.2f}x | {sanity} | {note} |"
        )
    lines += [
        "",
        f"Reason codes: microseconds per row, median over the calls (batch 1: 30 calls, 100: "
        f"10, 10,000: {max(3, args.repeats)}), random rows. *score*: predict_proba or "
        f"score_samples; *pred_contrib*: LightGBM's tree SHAP on the already-encoded matrix "
        f"(the floor); *contributions*: the model's method (encoding + pred_contrib, or the "
        f"tail scores for the unsupervised fraud detector); *explain*: "
        f"`explain(X, top_k={TOP_K})`, contributions plus the Chinese and English sentences; "
        f"*text share*: (explain - contributions) / explain.",
        "",
        "| model | batch rows | score | pred_contrib | contributions | explain | text share |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in explain:
        floor = f"{row['pred_contrib']:,.1f}" if "pred_contrib" in row else "n/a"
        share = (row["explain"] - row["contributions"]) / row["explain"]
        lines.append(
            f"| {row['model']} | {row['batch']:,} | {row['score']:,.1f} | {floor} "
            f"| {row['contributions']:,.1f} | {row['explain']:,.1f} | {share:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--k", type=int, default=5, help="fixed number of segments (default 5)")
    parser.add_argument(
        "--fit-rows",
        type=int,
        default=None,
        help="fit on at most this many training rows, drawn at random (default: all)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="n_jobs of the models (default: theirs)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "bench_models.md")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.customers, args.seed)
        return

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    features_path, labels_path = cache_paths(args.customers, args.seed)
    if not (features_path.exists() and labels_path.exists()):
        # a child process, so that the loaded dataset does not stay in this one's memory
        CACHE.mkdir(exist_ok=True)
        command = [sys.executable, __file__, "--build", "--customers", str(args.customers)]
        subprocess.run([*command, "--seed", str(args.seed)], check=True)

    read_s, X = _timed(pd.read_parquet, features_path)
    labels = pd.read_parquet(labels_path)
    if not labels.index.equals(X.index):
        raise SystemExit(f"{labels_path.name} does not match {features_path.name}; delete both")
    setup: dict[str, Any] = {"read_s": read_s, "resident_gb": _peak_gb(), "code": _code_version()}
    print(f"features: {X.shape[0]:,} rows x {X.shape[1]} columns, read in {read_s:.1f} s")
    overall = _peak_gb()

    tasks = make_tasks(X, labels, args)
    started = _cpu_snapshot()
    fits, fitted = measure_fits(tasks, args.repeats)
    fitted_at = _cpu_snapshot()
    overall = max(overall, *(max(r["peak_gb"]) for part in fits.values() for r in part.values()))
    _reset_peak()
    explain = measure_explain(X, fitted, args.repeats, args.seed, args.n_jobs)
    overall = max(overall, _peak_gb())
    setup["others"] = (_others_share(started, fitted_at), _others_share(fitted_at, _cpu_snapshot()))

    text = report(args, X.shape, labels, setup, tasks, fits, explain, overall)
    print(text)
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(text)


if __name__ == "__main__":
    main()
