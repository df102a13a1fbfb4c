"""Segmentation: K-means segments fitted at one cutoff, judged on the customers of the next.

Segments have no labels, so the promotion metric is the silhouette of the holdout customers'
assignment, measured in a space that belongs to neither model: every numeric feature replaced
by its percentile rank among the holdout customers (missing values at the median). A champion
and a challenger are therefore judged on the same rows in the same geometry, and a model cannot
win by rescaling its own space. The model's silhouette in its own scaled space is reported too.
"""

from __future__ import annotations

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

_SILHOUETTE_ROWS = 5_000


def build_holdout(spec: Any, ds: Dataset) -> tuple[_customer.Snapshots, Holdout]:
    """Features at the training cutoffs and the holdout cutoff(s)."""
    snaps = _customer.snapshots(ds, spec.features, spec.split, None)
    sample = _customer.sample_rows(snaps.X_holdout, _SILHOUETTE_ROWS, 0)
    description = (
        f"{len(snaps.X_holdout):,} customers at "
        f"{', '.join(str(t.date()) for t in snaps.holdout_cutoffs)} (silhouette on "
        f"{len(sample):,} of them)"
    )
    return snaps, Holdout(sample, None, description)


def rank_space(X: pd.DataFrame) -> np.ndarray:
    """Percentile rank of every numeric column (missing: 0.5): the neutral judging space.

    Examples
    --------
    >>> rank_space(pd.DataFrame({"a": [1.0, 5.0, None], "b": ["x", "y", "z"]})).tolist()
    [[0.5], [1.0], [0.5]]
    """
    numeric = X.select_dtypes(include=["number", "bool"]).astype("float64")
    ranks = numeric.rank(pct=True).fillna(0.5)
    keep = ranks.std() > 0
    return ranks.loc[:, keep].to_numpy()


def silhouette(labels: Any, space: np.ndarray) -> float:
    """Silhouette of ``labels`` in ``space`` (NaN with fewer than two segments)."""
    from sklearn.metrics import silhouette_score

    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2 or len(np.unique(labels)) >= len(labels):
        return float("nan")
    return float(silhouette_score(space, labels))


def holdout_metrics(model: Any, holdout: Holdout) -> dict[str, float]:
    """Silhouette in the neutral rank space, segment count and the largest segment's share."""
    labels = np.asarray(model.predict(holdout.X))
    shares = pd.Series(labels).value_counts(normalize=True)
    return {
        "silhouette": silhouette(labels, rank_space(holdout.X)),
        "n_segments": float(len(shares)),
        "largest_share": float(shares.max()),
    }


def latest_features(spec: Any, ds: Any) -> pd.DataFrame:
    """Return every customer's features as of the data's end (the serving snapshot)."""
    return _customer.latest_features(ds, spec.features)


def train(spec: Any, data: PreparedData, timer: StageTimer) -> TrainResult:
    """Fit a :class:`CustomerSegmenter` at the latest training cutoff."""
    from custintel.models import CustomerSegmenter, rfm_tiers

    with timer("features"):
        snaps, holdout = build_holdout(spec, data.ds)
    with timer("split"):
        last = snaps.train_cutoffs[-1]
        X_fit = pd.DataFrame(snaps.X_train.xs(last, level="as_of"))
        split = snaps.describe()
        split["train"] = f"{len(X_fit):,} customers at {last.date()}"
        split["holdout"] = holdout.description
    with timer("fit"):
        model = CustomerSegmenter(random_state=spec.seed, **spec.estimator).fit(X_fit)
    with timer("evaluate"):
        metrics = holdout_metrics(model, holdout)
        own = model.transform(holdout.X)
        metrics["silhouette_own_space"] = silhouette(model.predict(holdout.X), np.asarray(own))
        rows = {"model": metrics}
        space = rank_space(holdout.X)
        if {"recency_days", "orders_total", "spend_total"} <= set(holdout.X.columns):
            tiers = rfm_tiers(holdout.X)["tier"].cat.codes.to_numpy()
            shares = pd.Series(tiers).value_counts(normalize=True)
            rows["RFM tiers (8 classic)"] = {
                "silhouette": silhouette(tiers, space),
                "n_segments": float(len(shares)),
                "largest_share": float(shares.max()),
            }
        baselines = pd.DataFrame(rows).T.rename_axis("compared")
        from custintel.pipelines.run_plots import segment_figures

        figures, captions = segment_figures(model, X_fit)
    with timer("explain"):
        profiles = model.profiles_
        drivers = _segment_drivers(model, snaps.catalog, spec.report.top_drivers)
        names = model.predict_names(holdout.X, lang="en")
        examples = _examples(model, holdout.X, names, snaps.catalog, spec.report.examples)
    return make_result(
        spec,
        data,
        holdout_metrics,
        model=model,
        metrics=metrics,
        baselines=baselines,
        holdout=holdout,
        input_example=holdout.X.head(5).droplevel("as_of"),
        figures=figures,
        captions=captions,
        drivers=drivers,
        examples=examples,
        catalog=snaps.catalog,
        split=split,
        notes=[
            f"{model.n_clusters_} segments: "
            + "; ".join(
                f"{row.name} / {row.name_en} ({row.share:.0%})" for row in profiles.itertuples()
            ),
            "Silhouette (-1..1, higher = tighter, better separated segments) is measured on "
            "holdout customers in percentile-rank space, the same for every model compared.",
        ],
    )


def _segment_drivers(model: Any, catalog: pd.DataFrame, top: int) -> pd.DataFrame:
    """Features that separate segments most: the spread of segment means (z units)."""
    z = model.profile_z_
    spread = z.abs().max().sort_values(ascending=False).head(top)
    rows = []
    for feature, value in spread.items():
        info = catalog.loc[feature] if feature in catalog.index else None
        high = z[feature].idxmax()
        rows.append(
            {
                "feature": feature,
                "importance": float(value),
                "direction": f"highest in {model.profiles_.loc[high, 'name_en']}",
                "zh": str(info["zh"]) if info is not None else str(feature),
                "en": str(info["en"]) if info is not None else str(feature),
            }
        )
    return pd.DataFrame(rows).set_index("feature")


def _examples(
    model: Any, X: pd.DataFrame, names: pd.Series, catalog: pd.DataFrame, n: int
) -> pd.DataFrame:
    """``n`` customers spread over the segments, with the features that set each segment apart.

    Customers are taken in turn from each segment (the first of every segment, then the
    second, ...), so there are ``n`` examples whenever there are ``n`` customers.
    """
    labels = pd.Series(np.asarray(model.predict(X)), index=X.index)
    members = {s: list(labels.index[labels.to_numpy() == s]) for s in model.profiles_.index}
    picks: list[tuple[Any, Any]] = []
    depth = 0
    while len(picks) < n and any(len(m) > depth for m in members.values()):
        picks += [(s, m[depth]) for s, m in members.items() if len(m) > depth]
        depth += 1
    names_of_levels = list(X.index.names)
    at = names_of_levels.index("customer_id") if "customer_id" in names_of_levels else -1
    rows = []
    for segment, who in picks[:n]:
        profile = model.profiles_.loc[segment]
        title = f"客户群 Segment {segment}：{profile['name']} / {profile['name_en']}"
        z = model.profile_z_.loc[segment].abs().sort_values(ascending=False).head(3)
        for rank, feature in enumerate(z.index, start=1):
            value = X.loc[who, feature] if feature in X.columns else None
            shown = "missing" if value is None or pd.isna(value) else f"{value:,.4g}"
            zh = catalog.loc[feature, "zh"] if feature in catalog.index else feature
            en = catalog.loc[feature, "en"] if feature in catalog.index else feature
            rows.append(
                {
                    "customer_id": who[at] if isinstance(who, tuple) else who,
                    "segment": int(segment),
                    "title": title,
                    "rank": rank,
                    "feature": feature,
                    "value": value,
                    "zh": f"{profile['name']}：{zh} = {shown}",
                    "en": f"{names.loc[who]}: {en} = {shown}",
                }
            )
    return pd.DataFrame(rows)
