"""Benchmark: FraudScorer against IsolationForest on the demo data's planted fraud rings.

Usage::

    python benchmarks/bench_fraud.py                       # 20,000 then 5,000 customers
    python benchmarks/bench_fraud.py --customers 5000 --seeds 0

For each demo seed: customer features as of ``--as-of``; the target is membership of a planted
fraud ring (``ds.truth.customers.is_fraud``, which the features never see). Three settings:

- ``customers``: the full customer feature frame;
- ``customers, no link columns``: without ``phone_shared_accounts`` and
  ``address_shared_accounts`` (as when recipient phones and addresses are not recorded), the
  columns that alone separate the demo's rings;
- ``orders``: order features of the orders placed from ``--orders-since`` to ``--as-of``,
  target = the order was placed by a ring account.

Unsupervised detectors, then the supervised variant with the investigators' verdicts of the
``fraud_labels`` table known at the cutoff (customer verdicts, and order verdicts rolled up to
their customer), scored on every customer and on the customers without a verdict, plus a time
split (fitted at ``--train-as-of`` with the verdicts known then, scored at ``--as-of``).
Metrics: PR-AUC (average precision) and precision among the top 1% of scores. Means over the
seeds, with the range. The table is printed and written to ``benchmarks/results/bench_fraud.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score

from custintel.data import Dataset, make_demo_dataset
from custintel.features import build_customer_features, build_order_features
from custintel.models._frame import FrameEncoder
from custintel.models.fraud import GBM_DEFAULTS, FraudScorer, _direction

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LINK_COLUMNS = ["phone_shared_accounts", "address_shared_accounts"]
BASELINE = "IsolationForest, all columns (baseline)"

Scores = dict[str, list[float]]


def precision_at(y: np.ndarray, score: np.ndarray, share: float = 0.01) -> float:
    """Precision among the top ``share`` of rows (ties broken by row order)."""
    k = max(1, round(share * len(y)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(y[top].mean())


def risk_columns(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if _direction(str(c), None, default=None) is not None]


def imputed(X: pd.DataFrame) -> np.ndarray:
    """The encoded frame with missing values replaced by the column median (for the forest)."""
    M = FrameEncoder().fit(X).transform(X)
    med = np.nanmedian(np.where(np.isnan(M).all(axis=0), 0.0, M), axis=0)
    return np.where(np.isnan(M), np.where(np.isnan(med), 0.0, med), M)


def ecod_two_sided(X: pd.DataFrame) -> np.ndarray:
    """ECOD as PyOD 3.x computes it (sum over features of the larger tail's -log probability).

    Checked against ``pyod.models.ecod.ECOD().fit(A).decision_scores_``: identical to 1e-13.
    """
    A = imputed(X)
    n = len(A)
    out = np.zeros(n)
    for j in range(A.shape[1]):
        x = A[:, j]
        xs = np.sort(x)
        left = np.searchsorted(xs, x, side="right") / n
        right = (n - np.searchsorted(xs, x, side="left")) / n
        out += np.maximum(-np.log(left), -np.log(right))
    return out


def iforest(X: pd.DataFrame, seed: int) -> np.ndarray:
    A = imputed(X)
    return -IsolationForest(random_state=seed).fit(A).score_samples(A)


def scorer(detector: str, seed: int) -> Callable[[pd.DataFrame], np.ndarray]:
    def run(X: pd.DataFrame) -> np.ndarray:
        model = FraudScorer(detector, random_state=seed).fit(X)
        return model.decision_function(X).to_numpy()

    return run


def marked(name: str, value: str, default: object) -> str:
    return f"{name} (default)" if value == default else name


DEFAULT = FraudScorer()


def detectors(seed: int) -> dict[str, Callable[[pd.DataFrame], np.ndarray]]:
    out: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
        BASELINE: lambda X: iforest(X, seed),
        "IsolationForest, raw risk-signal columns": lambda X: iforest(X[risk_columns(X)], seed),
        "ECOD as PyOD (two-sided), all columns": ecod_two_sided,
        "ECOD as PyOD (two-sided), risk-signal columns": lambda X: ecod_two_sided(
            X[risk_columns(X)]
        ),
    }
    for detector in ("ecod", "iforest", "ensemble"):
        name = marked(f'FraudScorer("{detector}")', detector, DEFAULT.detector)
        out[name] = scorer(detector, seed)
    return out


def supervised(seed: int, labels: pd.Series) -> dict[str, Callable[[pd.DataFrame], np.ndarray]]:
    out: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
        "LightGBM alone on the verdicts": lambda f: lightgbm_alone(f, labels, seed),
    }
    for combine in ("feature", "rank_average"):
        name = marked(f'FraudScorer(combine="{combine}")', combine, DEFAULT.combine)
        out[name] = lambda f, c=combine: (
            FraudScorer(combine=c, random_state=seed).fit(f, labels).decision_function(f)
        ).to_numpy()
    return out


def known_verdicts(ds: Dataset, as_of: str) -> pd.Series:
    """Verdicts reached before ``as_of``: customer verdicts and order verdicts per customer."""
    fl = ds["fraud_labels"]
    fl = fl.loc[(fl["labeled_at"] < pd.Timestamp(as_of, tz=ds.tz)).to_numpy()]
    owner = ds.orders.set_index("order_id")["customer_id"]
    customer = fl["customer_id"].where(fl["customer_id"].notna(), fl["order_id"].map(owner))
    verdict = fl["is_fraud"].astype(int).groupby(customer.to_numpy()).max()
    verdict.index.name = "customer_id"
    return verdict


def lightgbm_alone(
    X: pd.DataFrame, labels: pd.Series, seed: int, score: pd.DataFrame | None = None
) -> np.ndarray:
    """LightGBM with FraudScorer's settings on the labelled rows of ``X``; scores ``score``."""
    encoder = FrameEncoder().fit(X)
    M = encoder.transform(X)
    mask = X.index.isin(labels.index)
    params = {**GBM_DEFAULTS, "seed": seed, "deterministic": True}
    rounds = int(params.pop("num_boost_round"))
    data = lgb.Dataset(
        M[mask],
        labels.reindex(X.index[mask]).to_numpy(),
        categorical_feature=encoder.categorical_indices_,
        params={"verbose": -1},
    )
    booster = lgb.train(params, data, num_boost_round=rounds)
    target = M if score is None else encoder.transform(score)
    return np.asarray(booster.predict(target, raw_score=True))


def add(results: dict[str, Scores], key: str, y: np.ndarray, s: np.ndarray) -> None:
    results[key]["pr_auc"].append(float(average_precision_score(y, s)))
    results[key]["p_at_1"].append(precision_at(y, s))


def run_seed(
    args: argparse.Namespace, n: int, seed: int, out: dict[str, dict[str, Scores]]
) -> dict:
    started = time.perf_counter()
    ds = make_demo_dataset(n_customers=n, seed=seed)
    truth = ds.truth.customers.set_index("customer_id")["is_fraud"].astype(int)
    X = build_customer_features(ds, as_of=args.as_of)
    Xo = build_order_features(ds, as_of=args.as_of, since=args.orders_since)
    yo = ds.truth.orders.set_index("order_id")["is_fraud"].astype(int).loc[Xo.index].to_numpy()
    y = truth.loc[X.index].to_numpy()
    info = {
        "seed": seed,
        "customers": len(X),
        "ring members": int(y.sum()),
        "orders": len(Xo),
        "ring orders": int(yo.sum()),
        "data + features s": round(time.perf_counter() - started, 1),
    }
    settings = {
        "customers": (X, y),
        "customers, no link columns": (X.drop(columns=LINK_COLUMNS), y),
        "orders": (Xo, yo),
    }
    for setting, (frame, target) in settings.items():
        for name, detect in detectors(seed).items():
            t0 = time.perf_counter()
            s = detect(frame)
            out[setting][name]["seconds"].append(time.perf_counter() - t0)
            add(out[setting], name, target, s)
        if "phone_shared_accounts" in frame:
            degree = frame["phone_shared_accounts"].fillna(-1).to_numpy(np.float64)
            add(out[setting], "link degree alone (phone_shared_accounts)", target, degree)

    # supervised: verdicts known at the cutoff
    verdicts = known_verdicts(ds, args.as_of)
    verdicts = verdicts.loc[verdicts.index.isin(X.index)]
    info["labelled customers"] = len(verdicts)
    info["labelled fraud"] = int(verdicts.sum())
    unlabelled = ~X.index.isin(verdicts.index)
    for setting in ("customers", "customers, no link columns"):
        frame = X if setting == "customers" else X.drop(columns=LINK_COLUMNS)
        key = f"{setting} (supervised)"
        runs = {"unsupervised default (no labels)": scorer(DEFAULT.detector, seed)}
        runs |= supervised(seed, verdicts)
        for name, run in runs.items():
            t0 = time.perf_counter()
            s = run(frame)
            out[key][name]["seconds"].append(time.perf_counter() - t0)
            add(out[key], name, y, s)
            out[key][name]["pr_auc_unlabelled"].append(
                float(average_precision_score(y[unlabelled], s[unlabelled]))
            )

    # time split: fit on an earlier cutoff with the verdicts known then, score at --as-of
    X_train = build_customer_features(ds, as_of=args.train_as_of)
    early = known_verdicts(ds, args.train_as_of)
    early = early.loc[early.index.isin(X_train.index)]
    new = ~X.index.isin(X_train.index)
    info["time split: labelled"] = len(early)
    for setting, drop in (("time split", []), ("time split, no link columns", LINK_COLUMNS)):
        train, test = X_train.drop(columns=drop), X.drop(columns=drop)
        unsup = FraudScorer(random_state=seed).fit(train)
        models: dict[str, Callable[[], np.ndarray]] = {
            "unsupervised default": lambda m=unsup, t=test: m.decision_function(t).to_numpy(),
            "LightGBM alone on the verdicts": lambda t=test, tr=train: lightgbm_alone(
                tr, early, seed, score=t
            ),
        }
        for combine in ("feature", "rank_average"):
            name = marked(f'FraudScorer(combine="{combine}")', combine, DEFAULT.combine)
            models[name] = lambda c=combine, t=test, tr=train: (
                FraudScorer(combine=c, random_state=seed).fit(tr, early).decision_function(t)
            ).to_numpy()
        for name, run in models.items():
            s = run()
            add(out[setting], name, y, s)
            out[setting][name]["pr_auc_new"].append(float(average_precision_score(y[new], s[new])))

    if seed == args.seeds[0]:
        info["flags"] = flag_table(X, y)
        info["timing"] = timing(X, y, verdicts)
    return info


def flag_table(X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    flags = FraudScorer().flags(X)
    rows = []
    for name in flags.columns:
        hit = flags[name].to_numpy()
        rows.append(
            {
                "flag": name,
                "flagged": int(hit.sum()),
                "precision": float(y[hit].mean()) if hit.any() else float("nan"),
                "recall": float(hit[y == 1].mean()),
            }
        )
    return pd.DataFrame(rows)


def timing(X: pd.DataFrame, y: np.ndarray, verdicts: pd.Series) -> dict[str, float]:
    out = {}
    for detector in ("ecod", "iforest", "ensemble"):
        t0 = time.perf_counter()
        model = FraudScorer(detector, random_state=0).fit(X)
        out[f"fit {detector}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.score_samples(X)
        out[f"score {detector}"] = time.perf_counter() - t0
    model = FraudScorer(random_state=0).fit(X)
    t0 = time.perf_counter()
    model.explain(X, top_k=5)
    out["explain, unsupervised default, all rows, top 5"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = FraudScorer(random_state=0).fit(X, verdicts)
    out["fit, supervised default"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.explain(X, top_k=5)
    out["explain, supervised default (pred_contrib), all rows, top 5"] = time.perf_counter() - t0
    return out


def fmt(values: list[float]) -> str:
    if not values:
        return ""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.3f}"
    return f"{mean:.3f} ({min(values):.3f}-{max(values):.3f})"


def report(
    args: argparse.Namespace, n: int, out: dict[str, dict[str, Scores]], infos: list[dict]
) -> str:
    lines = [
        f"# bench_fraud: {n:,} demo customers, as of {args.as_of}, "
        f"seeds {' '.join(map(str, args.seeds))}",
        "",
        "Target: membership of a planted fraud ring (hidden from the features). Cells: mean "
        "over the seeds (min-max). PR-AUC = average precision; P@1% = precision among the top 1% "
        f"of scores. Supervised: verdicts known at the cutoff ({args.as_of}); time split: fitted "
        f"on features and verdicts as of {args.train_as_of}, scored as of {args.as_of}. "
        f"{os.cpu_count()}-core machine, Python {platform.python_version()}.",
        "",
        "| seed | customers | ring members | orders | ring orders | labelled customers "
        "(fraud) | time split: labelled |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for i in infos:
        lines.append(
            f"| {i['seed']} | {i['customers']:,} | {i['ring members']} | {i['orders']:,} | "
            f"{i['ring orders']} | {i['labelled customers']} ({i['labelled fraud']}) | "
            f"{i['time split: labelled']} |"
        )
    for setting, rows in out.items():
        extra = next(
            (k for k in ("pr_auc_unlabelled", "pr_auc_new") if any(k in r for r in rows.values())),
            None,
        )
        title = {
            "pr_auc_unlabelled": "PR-AUC, customers without a verdict",
            "pr_auc_new": "PR-AUC, customers registered after the training cutoff",
        }
        base = statistics.fmean(
            i["ring members"] / i["customers"]
            if setting != "orders"
            else i["ring orders"] / i["orders"]
            for i in infos
        )
        lines += ["", f"## {setting} (base rate {base:.2%})", ""]
        header = "| detector | PR-AUC | P@1% |"
        rule = "| --- | ---: | ---: |"
        if extra:
            header += f" {title[extra]} |"
            rule += " ---: |"
        timed = any("seconds" in r for r in rows.values())
        if timed:
            header += " fit + score s |"
            rule += " ---: |"
        lines += [header, rule]
        for name, r in rows.items():
            cells = [name, fmt(r["pr_auc"]), fmt(r["p_at_1"])]
            if extra:
                cells.append(fmt(r.get(extra, [])))
            if timed:
                cells.append(f"{statistics.fmean(r['seconds']):.2f}" if "seconds" in r else "")
            lines.append("| " + " | ".join(cells) + " |")
    baseline = out["customers"][BASELINE]["pr_auc"]
    default = out["customers"][f'FraudScorer("{DEFAULT.detector}") (default)']["pr_auc"]
    lines += [
        "",
        f"Default / IsolationForest-alone PR-AUC on customers: "
        f"{statistics.fmean(default) / statistics.fmean(baseline):.1f}x (goal >= 2x).",
    ]
    first = infos[0]
    lines += ["", f"## Rule flags (seed {first['seed']}, customers)", ""]
    lines += ["| flag | flagged | precision | recall |", "| --- | ---: | ---: | ---: |"]
    for row in first["flags"].itertuples():
        lines.append(f"| {row.flag} | {row.flagged} | {row.precision:.3f} | {row.recall:.3f} |")
    lines += ["", f"## Timing (seed {first['seed']}, {first['customers']:,} customers)", ""]
    lines += ["| step | seconds |", "| --- | ---: |"]
    lines += [f"| {k} | {v:.2f} |" for k, v in first["timing"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 5_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--as-of", default="2024-07-01")
    parser.add_argument("--train-as-of", default="2024-01-01")
    parser.add_argument("--orders-since", default="2024-01-01")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    texts = []
    for n in args.customers:
        out: dict[str, dict[str, Scores]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        infos = []
        for seed in args.seeds:
            print(f"{n:,} customers, seed {seed} ...", flush=True)
            infos.append(run_seed(args, n, seed, out))
        texts.append(report(args, n, out, infos))
        print(texts[-1], flush=True)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "bench_fraud.md").write_text("\n".join(texts), encoding="utf-8")


if __name__ == "__main__":
    main()
