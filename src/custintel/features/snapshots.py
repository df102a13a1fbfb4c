"""Training frames over several cutoffs (rolling snapshots) and time-based splits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

import pandas as pd

from custintel.data import Dataset, to_timestamp
from custintel.features._base import FeatureBuilder
from custintel.features.build import build_customer_features
from custintel.features.labels import churn_labels, default_labels

logger = logging.getLogger("custintel.features")

LabelFn = Callable[..., pd.Series]
_LABELS: dict[str, LabelFn] = {"churn": churn_labels, "default": default_labels}


def rolling_cutoffs(
    ds: Dataset, n: int = 4, *, every_days: int = 90, horizon_days: int = 90
) -> list[pd.Timestamp]:
    """Return ``n`` cutoffs ``every_days`` apart, the last one leaving room for the label window.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=200, seed=0)
    >>> [str(t.date()) for t in rolling_cutoffs(ds, n=3)]
    ['2024-04-06', '2024-07-05', '2024-10-03']
    """
    last = (ds.end - pd.Timedelta(days=horizon_days)).normalize()
    return [last - pd.Timedelta(days=every_days * k) for k in range(n - 1, -1, -1)]


def build_training_frame(
    ds: Dataset,
    cutoffs: Sequence[object],
    label: Literal["churn", "default"] | LabelFn = "churn",
    *,
    horizon_days: int = 90,
    builders: Sequence[FeatureBuilder] | None = None,
    **label_kwargs: object,
) -> tuple[pd.DataFrame, pd.Series]:
    """Stack features and labels over several cutoffs.

    Each row is one customer at one cutoff: features from before the cutoff, the label from
    the window after it.

    Parameters
    ----------
    ds : Dataset
        The data.
    cutoffs : sequence of str or Timestamp
        The snapshot dates, e.g. from :func:`rolling_cutoffs`.
    label : {"churn", "default"} or callable
        Which label; a callable takes ``(ds, as_of, horizon_days, **label_kwargs)``.
    horizon_days : int
        Label window length.
    builders : sequence of FeatureBuilder, optional
        Feature families; defaults to all.

    Returns
    -------
    X : DataFrame
        Indexed by (``as_of``, ``customer_id``); ``X.attrs["horizon_days"]`` is kept for
        :func:`time_split`.
    y : Series
        Labels on the same index.
    """
    label_fn = _LABELS.get(label) if isinstance(label, str) else label
    if label_fn is None:
        raise ValueError(f"label must be one of {sorted(_LABELS)} or a callable, got {label!r}")
    times = sorted(to_timestamp(t, ds.tz, name="cutoffs") for t in cutoffs)
    if not times:
        raise ValueError("cutoffs is empty; pass at least one date, e.g. rolling_cutoffs(ds)")
    xs, ys = [], []
    for as_of in times:
        y = label_fn(ds, as_of, horizon_days, **label_kwargs)
        X = build_customer_features(ds, as_of, builders)
        X = X.loc[X.index.isin(y.index)]
        y = y.reindex(X.index)
        idx = pd.MultiIndex.from_arrays([pd.Index([as_of] * len(X), name="as_of"), X.index])
        xs.append(X.set_axis(idx))
        ys.append(y.set_axis(idx))
    X_all = pd.concat(xs)
    X_all.attrs["horizon_days"] = horizon_days
    return X_all, pd.concat(ys)


def time_split(
    X: pd.DataFrame, y: pd.Series, *, valid_cutoffs: int = 1
) -> tuple[tuple[pd.DataFrame, pd.Series], tuple[pd.DataFrame, pd.Series]]:
    """Split a stacked frame by time: the last ``valid_cutoffs`` cutoffs validate.

    Training cutoffs whose label window reaches past the first validation cutoff are dropped
    (with a logged notice): their labels would describe a period the validation features
    already see, which flatters the validation score.

    Returns
    -------
    (X_train, y_train), (X_valid, y_valid)
    """
    times = sorted(X.index.get_level_values("as_of").unique())
    if len(times) <= valid_cutoffs:
        raise ValueError(
            f"need more than {valid_cutoffs} cutoff(s) to split by time, got {len(times)}; "
            "add earlier cutoffs"
        )
    first_valid = times[-valid_cutoffs]
    horizon = pd.Timedelta(days=int(X.attrs.get("horizon_days", 0)))
    train_times = [t for t in times[:-valid_cutoffs] if t + horizon <= first_valid]
    dropped = [t for t in times[:-valid_cutoffs] if t not in train_times]
    if dropped:
        logger.info(
            "time_split: dropped training cutoffs %s whose label window overlaps %s",
            [str(t.date()) for t in dropped],
            first_valid.date(),
        )
    if not train_times:
        raise ValueError(
            "every training cutoff's label window overlaps the validation cutoff; space the "
            "cutoffs at least horizon_days apart"
        )
    when = X.index.get_level_values("as_of")
    tr, va = when.isin(train_times), when >= first_valid
    return (X.loc[tr], y.loc[tr]), (X.loc[va], y.loc[va])
