"""Assemble customer features from the builders, as of a cutoff."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd

from custintel.data import Dataset
from custintel.features._base import FeatureBuilder, FeatureContext, FeatureSpec, logger
from custintel.features.behaviour import OrderMixFeatures
from custintel.features.credit import CreditFeatures
from custintel.features.fraud import FraudSignalFeatures
from custintel.features.logistics import DeliveryFeatures, ExceptionFeatures
from custintel.features.rfm import RFMFeatures
from custintel.features.static import CustomerStaticFeatures
from custintel.features.voice import VoiceFeatures
from custintel.identity import IdentityResolution, apply_resolution, assert_no_pii


def default_builders() -> list[FeatureBuilder]:
    """Return one builder of every family with its default parameters."""
    return [
        CustomerStaticFeatures(),
        RFMFeatures(),
        OrderMixFeatures(),
        DeliveryFeatures(),
        ExceptionFeatures(),
        VoiceFeatures(),
        CreditFeatures(),
        FraudSignalFeatures(),
    ]


def feature_catalog(
    builders: Sequence[FeatureBuilder] | None = None, ds: Dataset | None = None
) -> pd.DataFrame:
    """Return the catalog of every feature the builders emit.

    Parameters
    ----------
    builders : sequence of FeatureBuilder, optional
        Defaults to :func:`default_builders`.
    ds : Dataset, optional
        When given, builders whose tables ``ds`` lacks are left out, as
        :func:`build_customer_features` would skip them.

    Returns
    -------
    DataFrame
        Indexed by feature name, with columns ``family``, ``en``, ``zh``, ``unit`` and
        ``direction``.

    Examples
    --------
    >>> cat = feature_catalog()
    >>> cat.loc["recency_days", "zh"]
    '距最近一次下单的天数'
    """
    builders = default_builders() if builders is None else list(builders)
    specs: list[FeatureSpec] = []
    for b in builders:
        if ds is None or not b.missing_tables(ds):
            specs += b.catalog()
    frame = pd.DataFrame([vars(s) for s in specs])
    return frame.set_index("name") if len(frame) else frame


def build_customer_features(
    ds: Dataset,
    as_of: object,
    builders: Sequence[FeatureBuilder] | None = None,
    *,
    resolution: IdentityResolution | None = None,
    dtype: str = "float32",
) -> pd.DataFrame:
    """Compute point-in-time features for every customer registered before ``as_of``.

    Each builder sees only events strictly before ``as_of``; adding, removing or changing any
    event at or after it leaves every value unchanged. Builders whose tables are absent are
    skipped with a logged notice, so a plain order history works.

    Parameters
    ----------
    ds : Dataset
        The data (after identity resolution, its ``customer_id`` is the canonical key).
    as_of : str or Timestamp
        The cutoff. Text without a time zone is read in the dataset's zone.
    builders : sequence of FeatureBuilder, optional
        Which families to compute; defaults to :func:`default_builders`.
    resolution : IdentityResolution, optional
        From :func:`custintel.identity.resolve_customers`: merge the records of one person
        first, so rows are indexed by the canonical ``customer_id``. Omit it when ``ds`` is
        already resolved (``apply_resolution``) or has one record per person.
    dtype : str
        Numeric columns are stored in this float type (``float32`` halves memory).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, one column per catalog entry
        (see :func:`feature_catalog`). Categorical columns use the pandas ``category`` dtype;
        missing values mean "no such event yet" (e.g. no order for ``recency_days``).

    Raises
    ------
    PIIError
        If a builder would emit raw personal data (a programming error, never silent).

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=300, seed=0)
    >>> X = build_customer_features(ds, as_of="2024-07-01")
    >>> X.index.name, X.shape[1] > 80
    ('customer_id', True)
    """
    builders = default_builders() if builders is None else list(builders)
    _check_builders(builders)
    if resolution is not None:
        ds = apply_resolution(ds, resolution)
    ctx = FeatureContext(ds, as_of)
    parts = []
    for i, b in enumerate(builders):
        missing = b.missing_tables(ds)
        if missing:
            logger.info(
                "skipping %s: the dataset has no %s table", type(b).__name__, ", ".join(missing)
            )
            continue
        started = time.perf_counter()
        part = b.build(ctx)
        expected = [s.name for s in b.catalog()]
        if list(part.columns) != expected:
            raise RuntimeError(
                f"{type(b).__name__} emitted columns {list(part.columns)} but its catalog lists "
                f"{expected}; keep build() and catalog() in step"
            )
        # Narrow each part as it comes, so the full frame is never held in float64.
        parts.append(part.astype({c: dtype for c in part.columns if part[c].dtype.kind in "fiub"}))
        # Free the cuts of event tables no later builder reads (shipments after logistics).
        later = {t for other in builders[i + 1 :] for t in other.requires}
        for table in {t for t in b.requires if t not in later and t != "orders"}:
            ctx.release(table)
        logger.debug(
            "%s: %d columns in %.2fs",
            type(b).__name__,
            part.shape[1],
            time.perf_counter() - started,
        )
    if not parts:
        return pd.DataFrame(index=ctx.index)
    X = pd.concat(parts, axis=1)
    X = X.astype({c: dtype for c in X.columns if X[c].dtype.kind in "fiub"})
    assert_no_pii(X, where="customer feature frame")
    return X


def _check_builders(builders: list[FeatureBuilder]) -> None:
    for b in builders:
        if not isinstance(b, FeatureBuilder):
            raise TypeError(
                f"builders must be FeatureBuilder instances, got {type(b).__name__}; "
                "e.g. builders=[RFMFeatures(windows=(30, 90))]"
            )
    names = [s.name for b in builders for s in b.catalog()]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"two builders emit the same columns {dupes}; keep one builder per family")
