"""Shared steps of the customer-level tasks: snapshots, time split, metrics, drivers, examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.features import FeatureBuilder
    from custintel.pipelines.specs import FeatureSelection, SnapshotSplit


@dataclass
class Snapshots:
    """Features (and labels) stacked over rolling cutoffs, split by time.

    ``X_*`` are indexed by (``as_of``, ``customer_id``); ``y_*`` are ``None`` for
    unsupervised tasks.
    """

    X_train: pd.DataFrame
    y_train: pd.Series | None
    X_holdout: pd.DataFrame
    y_holdout: pd.Series | None
    train_cutoffs: list[pd.Timestamp]
    holdout_cutoffs: list[pd.Timestamp]
    catalog: pd.DataFrame

    def describe(self) -> dict[str, Any]:
        """Plain description of the split for the run record and the report."""

        def part(X: pd.DataFrame, y: pd.Series | None, cutoffs: list[pd.Timestamp]) -> str:
            dates = ", ".join(str(t.date()) for t in cutoffs)
            rate = f"; positive rate {float(y.mean()):.1%}" if y is not None and len(y) else ""
            return f"{len(X):,} customer snapshots at {dates}{rate}"

        return {
            "kind": "time split over rolling cutoffs",
            "train": part(self.X_train, self.y_train, self.train_cutoffs),
            "holdout": part(self.X_holdout, self.y_holdout, self.holdout_cutoffs),
            "train_cutoffs": [str(t.date()) for t in self.train_cutoffs],
            "holdout_cutoffs": [str(t.date()) for t in self.holdout_cutoffs],
            "train_rows": len(self.X_train),
            "holdout_rows": len(self.X_holdout),
            "n_features": self.X_train.shape[1],
        }


def builders_for(selection: FeatureSelection) -> list[FeatureBuilder]:
    """Return the default builders of the selected families (all when none are selected)."""
    from custintel.features import default_builders

    builders = default_builders()
    if selection.families is None:
        return builders
    return [b for b in builders if b.family in selection.families]


def snapshots(
    ds: Dataset,
    selection: FeatureSelection,
    split: SnapshotSplit,
    label: Callable[..., pd.Series] | None,
    **label_kwargs: Any,
) -> Snapshots:
    """Build features (and labels) at rolling cutoffs and split them by time.

    Without ``label`` every customer registered before a cutoff is a row (unsupervised tasks);
    with one, only customers the label defines are.
    """
    from custintel.features import (
        build_customer_features,
        build_training_frame,
        feature_catalog,
        rolling_cutoffs,
        time_split,
    )

    builders = builders_for(selection)
    # the last cutoff leaves room for the label window (and the grace after it)
    room = split.horizon_days + int(label_kwargs.get("grace_days", 0))
    cutoffs = rolling_cutoffs(ds, n=split.n_cutoffs, every_days=split.every_days, horizon_days=room)
    if label is not None:
        X, y = build_training_frame(
            ds, cutoffs, label, horizon_days=split.horizon_days, builders=builders, **label_kwargs
        )
    else:
        frames = []
        for as_of in cutoffs:
            Xc = build_customer_features(ds, as_of, builders)
            idx = pd.MultiIndex.from_arrays([pd.Index([as_of] * len(Xc), name="as_of"), Xc.index])
            frames.append(Xc.set_axis(idx))
        X = pd.concat(frames)
        X.attrs["horizon_days"] = 0
        y = pd.Series(0, index=X.index)
    drop = [c for c in selection.exclude if c in X.columns]
    unknown = sorted(set(selection.exclude) - set(X.columns))
    if unknown:
        raise ValueError(
            f"features.exclude names columns the builders do not emit: {unknown}; see "
            "`custintel.features.feature_catalog()` for the column names"
        )
    X = X.drop(columns=drop)
    (X_tr, y_tr), (X_ho, y_ho) = time_split(X, y, valid_cutoffs=split.holdout_cutoffs)
    when = X.index.get_level_values("as_of")
    train_times = sorted(set(X_tr.index.get_level_values("as_of")))
    holdout_times = sorted(set(when[when >= min(X_ho.index.get_level_values("as_of"))]))
    catalog = feature_catalog(builders, ds=ds)
    catalog = catalog.loc[catalog.index.isin(X.columns)]
    supervised = label is not None
    return Snapshots(
        X_tr,
        y_tr if supervised else None,
        X_ho,
        y_ho if supervised else None,
        train_times,
        holdout_times,
        catalog,
    )


def binary_metrics(y: Any, p: Any, *, probability: bool = True) -> dict[str, float]:
    """Return the holdout metrics of a score (see :func:`binary_report`).

    With ``probability=False`` (a rule's score, not a probability) only the ranking metrics
    are computed; ``brier`` and ``log_loss`` are NaN.
    """
    from custintel.evaluation import binary_report

    score = np.asarray(p, dtype=float)
    if not probability:
        score = pd.Series(score).rank(pct=True).fillna(0.0).to_numpy()
    report = binary_report(y, score)
    keys = ("roc_auc", "pr_auc", "ks", "gini", "brier", "log_loss")
    out = {k: float(report[k]) for k in keys}
    if not probability:
        out["brier"] = out["log_loss"] = float("nan")
    out["top_lift"] = float(report["lift"])
    out["base_rate"] = float(report["base_rate"])
    return out


def drivers(
    contributions: pd.DataFrame, X: pd.DataFrame, catalog: pd.DataFrame, top: int
) -> pd.DataFrame:
    """Top global drivers: mean absolute contribution, direction and catalog descriptions.

    ``direction`` says how a higher value moves the score (from the correlation of the
    feature's value with its contribution): "higher raises", "higher lowers" or "mixed"
    (categorical columns: "by level").
    """
    contrib = contributions.drop(columns=["bias"], errors="ignore")
    importance = contrib.abs().mean().sort_values(ascending=False).head(top)
    rows = []
    for feature, value in importance.items():
        direction = "by level"
        column = X[feature] if feature in X.columns else None
        if column is not None and column.dtype.kind in "fiub":
            x = column.to_numpy(dtype=float)
            c = contrib[feature].to_numpy(dtype=float)
            ok = np.isfinite(x)
            corr = np.nan
            if ok.sum() > 2 and np.std(x[ok]) > 0 and np.std(c[ok]) > 0:
                corr = float(np.corrcoef(x[ok], c[ok])[0, 1])
            direction = (
                "higher raises" if corr > 0.2 else "higher lowers" if corr < -0.2 else "mixed"
            )
        info = catalog.loc[str(feature)] if feature in catalog.index else None
        rows.append(
            {
                "feature": feature,
                "importance": float(value),
                "direction": direction,
                "zh": str(info["zh"]) if info is not None else str(feature),
                "en": str(info["en"]) if info is not None else str(feature),
            }
        )
    return pd.DataFrame(rows).set_index("feature")


def example_rows(scores: pd.Series, n: int) -> pd.Index:
    """Rows to show a reviewer: the highest scores, then one from the middle and the bottom."""
    if n <= 0 or len(scores) == 0:
        return scores.index[:0]
    order = scores.sort_values(ascending=False, kind="stable")
    high = max(n - 2, 1) if n >= 3 else n
    picks = list(order.index[:high])
    for q in (0.5, 0.95)[: n - high]:
        label = order.index[min(int(q * len(order)), len(order) - 1)]
        if label not in picks:
            picks.append(label)
    return pd.Index(picks)


def examples_frame(reasons: pd.DataFrame, scores: pd.Series) -> pd.DataFrame:
    """Reason codes in long format with ``customer_id`` and the row's ``score``."""
    frame = reasons.copy()
    frame["score"] = scores.reindex(frame.index).to_numpy()
    frame = frame.reset_index()
    if "customer_id" not in frame.columns:
        frame = frame.rename(columns={frame.columns[0]: "customer_id"})
    keep = ["customer_id", "score", "rank", "feature", "value", "zh", "en"]
    return frame[[c for c in keep if c in frame.columns]]


def sample_rows(X: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """At most ``n`` rows of ``X`` (a seeded random sample), for plots and SHAP summaries."""
    if len(X) <= n:
        return X
    return X.sample(n=n, random_state=seed)


def latest_features(ds: Dataset, selection: FeatureSelection) -> pd.DataFrame:
    """Features of every customer as of the data's end: what the service scores today."""
    from custintel.features import build_customer_features

    X = build_customer_features(ds, ds.end, builders_for(selection))
    return X.drop(columns=[c for c in selection.exclude if c in X.columns])
