"""Churn and credit risk: LightGBM on rolling customer snapshots, judged on the latest cutoff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from custintel.pipelines import _customer
from custintel.pipelines._stages import make_result
from custintel.pipelines.result import Holdout, TrainResult

if TYPE_CHECKING:
    from custintel.pipelines._stages import StageTimer
    from custintel.pipelines.data import PreparedData

#: Holdout rows explained by SHAP for the summary plot and the drivers table.
_EXPLAIN_ROWS = 2_000


def label_function(spec: Any) -> tuple[Any, dict[str, Any]]:
    """Return the label builder of the task and its keyword arguments."""
    from custintel.features import churn_labels, default_labels

    if spec.task == "churn":
        return churn_labels, {}
    return default_labels, {"grace_days": spec.grace_days}


def holdout_metrics(model: Any, holdout: Holdout) -> dict[str, float]:
    """Binary metrics of ``model`` on ``holdout`` (any fitted churn or credit model)."""
    p = model.predict_proba(holdout.X)[:, 1]
    return _customer.binary_metrics(holdout.y, p)


def build_holdout(spec: Any, ds: Any) -> tuple[_customer.Snapshots, Holdout]:
    """Snapshots and the holdout of the run described by ``spec``."""
    label, kwargs = label_function(spec)
    snaps = _customer.snapshots(ds, spec.features, spec.split, label, **kwargs)
    assert snaps.y_holdout is not None
    split = snaps.describe()
    holdout = Holdout(snaps.X_holdout, snaps.y_holdout, split["holdout"])
    return snaps, holdout


def latest_features(spec: Any, ds: Any) -> pd.DataFrame:
    """Return every customer's features as of the data's end (the serving snapshot)."""
    return _customer.latest_features(ds, spec.features)


def train(spec: Any, data: PreparedData, timer: StageTimer) -> TrainResult:
    """Fit a :class:`ChurnModel` or :class:`CreditRiskModel` as ``spec`` says."""
    from custintel.pipelines.specs import estimator_class

    with timer("features"):
        snaps, holdout = build_holdout(spec, data.ds)
    with timer("split"):
        assert snaps.y_train is not None
        assert snaps.y_holdout is not None
        for name, y in (("training", snaps.y_train), ("holdout", snaps.y_holdout)):
            if y.nunique() < 2:
                raise ValueError(
                    f"{spec.task}: the {name} snapshots hold one class only ({len(y):,} rows); "
                    "use more or earlier cutoffs (split.n_cutoffs, split.every_days) or more data"
                )
        split = snaps.describe()
    with timer("fit"):
        model = estimator_class(spec.task)(random_state=spec.seed, **spec.estimator)
        model.fit(snaps.X_train, snaps.y_train)
    with timer("evaluate"):
        p = pd.Series(model.predict_proba(snaps.X_holdout)[:, 1], index=snaps.X_holdout.index)
        metrics = _customer.binary_metrics(snaps.y_holdout, p)
        rules = _baseline_scores(spec.task, snaps.X_holdout)
        rows = {"model": metrics}
        for name, score in rules.items():
            rows[name] = _customer.binary_metrics(snaps.y_holdout, score, probability=False)
        base = float(snaps.y_train.mean())
        rows["base rate"] = _customer.binary_metrics(
            snaps.y_holdout, np.full(len(snaps.y_holdout), base)
        )
        baselines = pd.DataFrame(rows).T.rename_axis("compared")
        from custintel.pipelines.run_plots import binary_figures

        what = "churned" if spec.task == "churn" else "defaulted"
        figures, captions = binary_figures(snaps.y_holdout, p, baselines=rules, what=what)
    with timer("explain"):
        sample = _customer.sample_rows(snaps.X_holdout, _EXPLAIN_ROWS, spec.seed)
        contrib = model.contributions(sample)
        drivers = _customer.drivers(contrib, sample, snaps.catalog, spec.report.top_drivers)
        picks = _customer.example_rows(p, spec.report.examples)
        reasons = model.explain(snaps.X_holdout.loc[picks], top_k=5, catalog=snaps.catalog)
        examples = _customer.examples_frame(reasons, p)
        from custintel.pipelines.run_plots import shap_figures

        contrib_picks = model.contributions(snaps.X_holdout.loc[picks[:2]])
        shap_contrib = pd.concat([contrib, contrib_picks])
        shap_X = pd.concat([sample, snaps.X_holdout.loc[picks[:2]]])
        shap_contrib = shap_contrib[~shap_contrib.index.duplicated()]
        shap_X = shap_X[~shap_X.index.duplicated()]
        more, more_captions = shap_figures(shap_contrib, shap_X, snaps.catalog, list(picks[:2]))
        figures |= more
        captions |= more_captions
    notes = []
    if spec.task == "credit":
        notes.append(
            f"Default = an invoice due in the {spec.split.horizon_days} days after the cutoff "
            f"still unpaid {spec.grace_days} days after its due date."
        )
    else:
        notes.append(
            f"Churn = no order in the {spec.split.horizon_days} days after the cutoff, among "
            "customers who had ordered before it."
        )
    return make_result(
        spec,
        data,
        holdout_metrics,
        model=model,
        metrics=metrics,
        baselines=baselines,
        holdout=holdout,
        input_example=snaps.X_holdout.head(5).droplevel("as_of"),
        figures=figures,
        captions=captions,
        drivers=drivers,
        examples=examples,
        catalog=snaps.catalog,
        split=split,
        notes=notes,
    )


def _baseline_scores(task: str, X: pd.DataFrame) -> dict[str, np.ndarray]:
    """Score simple rules a reviewer knows on the holdout, for comparison."""
    rules: dict[str, np.ndarray] = {}
    if task == "churn" and "recency_days" in X.columns:
        recency = X["recency_days"].astype("float64")
        rules["recency rule"] = recency.fillna(recency.max()).to_numpy()
    if task == "credit":
        for column in ("late_payment_ratio", "dpd_max"):
            if column in X.columns:
                rules[f"{column} rule"] = X[column].astype("float64").fillna(0).to_numpy()
                break
    return rules
