"""Fraud: every order scored as it was placed, judged on the investigators' verdicts.

Each order's features see only what was known when it was placed (the customer's earlier
orders, earlier uses of its recipient phone and address by other accounts, its account age
then; :func:`custintel.features.build_order_features`). Investigated cases are few and biased,
so by default the scorer learns without labels from the orders of ``train_days`` before the
holdout, and the verdicts only judge it; ``use_labels: true`` also fits LightGBM on the
training orders' verdicts. Orders placed in the last ``holdout_days`` with a verdict are the
holdout (unlabelled orders are not negatives).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custintel.pipelines import _customer
from custintel.pipelines._stages import make_result
from custintel.pipelines.result import Holdout, TrainResult

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.pipelines._stages import StageTimer
    from custintel.pipelines.data import PreparedData

_EXPLAIN_ROWS = 2_000


@dataclass
class OrderFrames:
    """Order features before and after the holdout cutoff."""

    X_train: pd.DataFrame
    y_train: pd.Series
    cutoff: pd.Timestamp
    start: pd.Timestamp
    catalog: pd.DataFrame


def build_holdout(spec: Any, ds: Dataset) -> tuple[OrderFrames, Holdout]:
    """Training orders, and the holdout: orders of the last ``holdout_days`` with a verdict."""
    from custintel.features import build_order_features, fraud_targets, order_feature_catalog

    if not ds.has("fraud_labels"):
        raise ValueError(
            "fraud: the dataset has no fraud_labels table, so the scorer cannot be judged; "
            "add investigated verdicts (order_id or customer_id, labeled_at, is_fraud)"
        )
    cutoff = (ds.end - pd.Timedelta(days=spec.holdout_days)).normalize()
    start = cutoff - pd.Timedelta(days=spec.train_days)
    X = build_order_features(ds, as_of=ds.end, since=start)
    placed = ds.orders.set_index("order_id")["ordered_at"].reindex(X.index)
    early = (placed < cutoff).to_numpy()
    y = fraud_targets(ds, cutoff, spec.holdout_days, level="order")
    y = y[y.index.isin(X.index)]
    if y.nunique() < 2:
        raise ValueError(
            f"fraud: the last {spec.holdout_days} days hold {len(y)} order verdicts of one "
            "class only; the holdout needs confirmed and cleared cases (raise holdout_days)"
        )
    y_train = fraud_targets(ds, start, spec.train_days, level="order")
    frames = OrderFrames(X[early], y_train, cutoff, start, order_feature_catalog())
    description = (
        f"{len(y):,} orders placed from {cutoff.date()} on with an investigator's verdict "
        f"({int(y.sum())} fraud)"
    )
    return frames, Holdout(X.loc[y.index], y.astype("int8"), description)


def holdout_metrics(model: Any, holdout: Holdout) -> dict[str, float]:
    """Ranking metrics of the fraud score against the holdout verdicts."""
    score = model.score_samples(holdout.X).to_numpy()
    m = _customer.binary_metrics(holdout.y, score, probability=False)
    flagged = model.predict(holdout.X).to_numpy().astype(bool)
    y = np.asarray(holdout.y).astype(bool)
    out = {k: m[k] for k in ("roc_auc", "pr_auc", "top_lift", "base_rate")}
    out["flag_precision"] = float(y[flagged].mean()) if flagged.any() else float("nan")
    out["flag_recall"] = float(flagged[y].mean()) if y.any() else float("nan")
    return out


def latest_features(spec: Any, ds: Dataset) -> pd.DataFrame:
    """Return the features of each customer's latest order (the serving snapshot).

    Only orders of the last ``holdout_days`` count; the index is ``customer_id``.
    """
    from custintel.features import build_order_features

    since = ds.end - pd.Timedelta(days=spec.holdout_days)
    X = build_order_features(ds, as_of=ds.end, since=since)
    orders = ds.orders.set_index("order_id").reindex(X.index)
    latest = orders["ordered_at"].reset_index().sort_values("ordered_at", kind="stable")
    owner = orders["customer_id"]
    keep = latest.groupby(owner.reindex(latest["order_id"]).to_numpy())["order_id"].last()
    frame = X.loc[keep.to_numpy()]
    frame.index = pd.Index(keep.index.astype(str), name="customer_id")
    return frame


def train(spec: Any, data: PreparedData, timer: StageTimer) -> TrainResult:
    """Fit a :class:`FraudScorer` on the training orders and judge it on the verdicts."""
    from custintel.models import FraudScorer

    with timer("features"):
        frames, holdout = build_holdout(spec, data.ds)
    with timer("split"):
        X_fit = frames.X_train
        y_fit = frames.y_train.reindex(X_fit.index) if spec.use_labels else None
        labelled = f" ({int(y_fit.notna().sum())} with a verdict)" if y_fit is not None else ""
        split = {
            "kind": "time split of orders",
            "train": f"{len(X_fit):,} orders placed {frames.start.date()} to "
            f"{frames.cutoff.date()}{labelled}",
            "holdout": holdout.description,
            "train_rows": len(X_fit),
            "holdout_rows": len(holdout.X),
            "n_features": X_fit.shape[1],
        }
    with timer("fit"):
        model = FraudScorer(random_state=spec.seed, **spec.estimator).fit(X_fit, y_fit)
    with timer("evaluate"):
        metrics = holdout_metrics(model, holdout)
        score = model.score_samples(holdout.X)
        flags = model.flags(holdout.X)
        rule = flags.sum(axis=1).to_numpy(dtype=float)
        rows = {"model": metrics}
        rows["rule flags count"] = _customer.binary_metrics(holdout.y, rule, probability=False)
        base = float(np.asarray(holdout.y).mean())
        rows["base rate"] = _customer.binary_metrics(holdout.y, np.full(len(rule), base))
        baselines = pd.DataFrame(rows).T.rename_axis("compared")
        baselines = baselines[[c for c in metrics if c in baselines.columns]]
        from custintel.pipelines.run_plots import binary_figures, confusion_figure

        figures, captions = binary_figures(
            holdout.y,
            score.to_numpy(),
            baselines={"rule flags count": rule},
            what="fraud",
            calibration=False,  # a percentile score is not a probability
        )
        flagged = model.predict(holdout.X).map({1: "flagged", 0: "not flagged"})
        truth = pd.Series(np.asarray(holdout.y), index=holdout.X.index).map(
            {1: "fraud", 0: "cleared"}
        )
        figures["confusion_matrix"] = confusion_figure(
            truth, flagged, labels=["fraud", "cleared"], title="Verdicts vs flags"
        )
        captions["confusion_matrix"] = (
            "Holdout orders with a verdict: rows are the investigators' verdicts, columns "
            "whether the scorer flagged them."
        )
    with timer("explain"):
        sample = _customer.sample_rows(holdout.X, _EXPLAIN_ROWS, spec.seed)
        contrib = model.contributions(sample)
        drivers = _customer.drivers(contrib, sample, frames.catalog, spec.report.top_drivers)
        picks = _customer.example_rows(score, spec.report.examples)
        reasons = model.explain(holdout.X.loc[picks], top_k=5, sign="positive")
        examples = _customer.examples_frame(reasons, score).rename(
            columns={"customer_id": "order_id"}
        )
        owner = data.ds.orders.set_index("order_id")["customer_id"]
        examples.insert(0, "customer_id", owner.reindex(examples["order_id"]).to_numpy())
        from custintel.pipelines.run_plots import shap_figures

        kind = "log-odds" if model.supervised_ else "tail score"
        shown = list(picks[:2])
        contrib = pd.concat([contrib, model.contributions(holdout.X.loc[shown])])
        sample = pd.concat([sample, holdout.X.loc[shown]])
        keep = ~contrib.index.duplicated()
        contrib, sample = contrib[keep], sample[~sample.index.duplicated()]
        more, more_captions = shap_figures(
            contrib, sample, frames.catalog, shown, score_name=kind, row_label="order"
        )
        figures |= more
        captions |= more_captions
    return make_result(
        spec,
        data,
        holdout_metrics,
        model=model,
        metrics=metrics,
        baselines=baselines,
        holdout=holdout,
        input_example=holdout.X.head(5),
        figures=figures,
        captions=captions,
        drivers=drivers,
        examples=examples,
        catalog=frames.catalog,
        split=split,
        notes=[
            "Fraud score = percentile of the anomaly score among the orders seen in training "
            "(0.99: riskier than 99% of them). Metrics use only holdout orders with an "
            "investigator's verdict; unlabelled orders are not negatives."
        ],
    )
