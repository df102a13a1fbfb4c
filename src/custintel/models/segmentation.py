"""Customer segmentation: K-means on robustly scaled features, with named business segments.

:class:`CustomerSegmenter` scales every numeric column robustly (signed ``log1p`` for heavily
skewed money and count columns, then median/IQR scaling), one-hot encodes categorical columns,
fits K-means on a sample and assigns every row. With ``n_clusters="auto"`` it picks the number
of segments from the silhouette and the bootstrap stability of each candidate. Each segment gets
a profile (size, share, feature means against the overall means) and a business name in Chinese
and English read from its recency, frequency, monetary value and tenure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import combinations
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import _check_feature_names, _check_n_features
from threadpoolctl import threadpool_limits

from custintel.models._frame import FrameEncoder

logger = logging.getLogger("custintel.models")

#: Scaled values are clipped to +-CLIP so that a few extreme customers cannot pull a centre.
CLIP = 5.0
#: Bytes of the largest matrix built per block in predict/transform. Blocks this small are
#: recycled by the allocator instead of being mapped afresh, which dominates the cost otherwise.
BLOCK_BYTES = 16 * 2**20
#: Business roles read from the profiles when naming segments.
ROLES = ("recency", "frequency", "monetary", "tenure")

#: Segment archetypes: Chinese name, English name, and the prototype role scores
#: (recency, frequency, monetary, tenure), where recency is negated so that positive means
#: more recent than average.
ARCHETYPES: tuple[tuple[str, str, tuple[float, float, float, float]], ...] = (
    ("高价值忠诚", "high-value loyal", (0.5, 1.0, 1.0, 0.5)),
    ("潜力成长", "growing potential", (0.5, 0.5, 0.5, -0.5)),
    ("新客", "new customers", (0.5, -0.5, -0.5, -1.0)),
    ("流失风险", "at risk of churn", (-1.0, 0.5, 0.5, 0.5)),
    ("低价值沉睡", "low-value dormant", (-1.0, -1.0, -1.0, 0.0)),
    ("低频偶购", "occasional low spenders", (0.0, -1.0, -1.0, 0.0)),
    ("一般维持", "steady regulars", (0.0, 0.0, 0.0, 0.0)),
)


class CustomerSegmenter(ClusterMixin, TransformerMixin, BaseEstimator):
    """Segment customers with K-means and name each segment from its profile.

    Parameters
    ----------
    n_clusters : "auto" or int, default="auto"
        Number of segments. ``"auto"`` picks it from ``k_range`` (see Notes); an int skips the
        search.
    k_range : tuple of (int, int), default=(3, 8)
        Smallest and largest number of segments tried by ``n_clusters="auto"`` (both included).
    sample_size : int, default=50_000
        Rows (drawn at random) on which the scaling is learned and K-means is fitted. Every row
        is then assigned to its nearest centre, so fitting on millions of customers costs one
        K-means fit on the sample plus one vectorised pass over the data.
    selection_size : int, default=4_000
        Rows of the sample used by the ``"auto"`` search (silhouette and bootstrap stability).
    n_bootstrap : int, default=8
        Bootstrap resamples per candidate ``k`` for the stability score.
    min_stability : float, default=0.8
        A candidate ``k`` counts as stable when its stability reaches this value.
    skew_threshold : float, default=1.0
        A numeric column whose sample skewness exceeds this in absolute value is transformed
        with ``sign(x) * log1p(|x|)`` before scaling.
    categorical : {"onehot", "drop"}, default="onehot"
        How categorical columns enter the distance: one indicator per level (a row of zeros
        when missing or unseen), or not at all. Either way they are not profiled.
    recency, frequency, monetary, tenure : str, sequence of str or None
        Column roles used to name segments: the first listed column present among the numeric
        columns of ``X`` is used; ``None`` disables a role. Lower recency means a more recent
        customer. Defaults match :func:`custintel.features.build_customer_features`:
        ``recency_days``; ``orders_total`` or ``orders_365d``; ``spend_total`` or
        ``spend_365d``; ``first_order_days`` or ``account_age_days``.
    n_init : int, default=4
        K-means restarts (each fit keeps the best one).
    random_state : int, RandomState instance or None, default=None
        Seeds the sampling, the bootstrap and K-means.

    Attributes
    ----------
    n_clusters_ : int
        Number of segments fitted.
    labels_ : ndarray of shape (n_samples,)
        Segment of each training row.
    cluster_centers_ : ndarray of shape (n_clusters_, n_embedded)
        Segment centres in the scaled space.
    selection_ : DataFrame
        One row per candidate ``k``: ``k``, ``silhouette``, ``stability`` and ``chosen``. With
        an int ``n_clusters`` it has one row, whose stability is NaN (not measured).
    profiles_ : DataFrame
        Indexed by ``segment``: ``name`` (Chinese), ``name_en``, ``size``, ``share``, then the
        mean of each numeric feature within the segment (raw units, missing values skipped).
    profile_z_ : DataFrame
        Segment means minus overall means of each numeric feature in the scaled space, divided
        by the overall standard deviation there (0 = average, +1 = one spread above).
    overall_means_ : Series
        Mean of each numeric feature over all training rows (raw units).
    scaling_ : DataFrame
        Per numeric column: ``fill`` (median used for missing values), ``skew``, ``log``
        (whether the signed ``log1p`` was applied), ``center`` and ``scale``.
    roles_ : dict of str to str or None
        The column used for each naming role, ``None`` when absent.
    naming_ : {"roles", "neutral"}
        ``"neutral"`` when no recency, frequency or monetary column was found, so segments are
        named 群体1 / Segment 1, ...
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (only when ``X`` had string column names).

    See Also
    --------
    custintel.models.rfm_tiers : the classic eight R/F/M tiers, by thresholds instead of
        clustering.

    Notes
    -----
    **Scaling.** Learned on the sample in ``fit``, per numeric column: missing values take the
    median; a column with ``|skewness| > skew_threshold`` is transformed with the signed
    ``log1p``; the result is centred on its median and divided by ``IQR / 1.349`` (its standard
    deviation when the IQR is 0, e.g. mostly-zero counts), then clipped to +-5. A categorical
    column becomes one 0/1 indicator per level, so two customers with different levels are as
    far apart as two customers about 1.4 spreads apart on one numeric column.

    **Choosing k.** For each ``k`` in ``k_range``, on ``selection_size`` rows of the sample:
    *silhouette* is the mean silhouette of K-means with ``k`` clusters; *stability* is the mean
    adjusted Rand index between the clusterings of ``n_bootstrap`` bootstrap resamples, each
    pair compared on the rows drawn in both. The chosen ``k`` has the highest silhouette among
    the stable ones (stability >= ``min_stability``); when none is stable, the most stable ``k``
    is chosen. Ties go to the smaller ``k``.

    **Labels and names.** Segments are numbered by decreasing value (standardised frequency
    plus monetary value; recency when neither is present), or by decreasing size when no role
    column is present, so labels do not depend on the order K-means found them in. A segment's
    role scores ``(r, f, m, t)`` are its entries in ``profile_z_`` for the role columns,
    recency negated so that positive means more recent; an absent role scores 0 (average).
    Each segment is named after the archetype whose prototype is nearest to its scores
    (clipped to +-1; squared distance) among the archetypes its scores allow, by an optimal
    assignment in which sharing an archetype with a segment that already holds it costs 1
    more; segments that share one get a numbered suffix, `` (1)``, `` (2)``, ... in label
    order. With ``v = (f + m) / 2``:

    ==========  =======================  =====================  ==========================
    name        English                  prototype (r,f,m,t)    allowed when
    ==========  =======================  =====================  ==========================
    高价值忠诚  high-value loyal         (0.5, 1, 1, 0.5)       v > 0.5, r > -0.5
    潜力成长    growing potential        (0.5, 0.5, 0.5, -0.5)  r > 0, -0.25 < v < 0.75
    新客        new customers            (0.5, -0.5, -0.5, -1)  r > 0, t < 0, v < 0.5
    流失风险    at risk of churn         (-1, 0.5, 0.5, 0.5)    r < -0.25, v > 0
    低价值沉睡  low-value dormant        (-1, -1, -1, 0)        r < -0.25, v < 0
    低频偶购    occasional low spenders  (0, -1, -1, 0)         v < -0.25
    一般维持    steady regulars          (0, 0, 0, 0)           always
    ==========  =======================  =====================  ==========================

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=600, centers=4, n_features=3, random_state=0)
    >>> seg = CustomerSegmenter(k_range=(2, 6), random_state=0).fit(X)
    >>> seg.n_clusters_
    4
    >>> seg.selection_.columns.tolist()
    ['k', 'silhouette', 'stability', 'chosen']
    >>> seg.profiles_["name_en"].tolist()
    ['Segment 1', 'Segment 2', 'Segment 3', 'Segment 4']
    >>> seg.predict(X[:3]).shape
    (3,)

    On a feature frame with RFM columns the segments get business names:

    >>> from custintel.data import make_demo_dataset
    >>> from custintel.features import build_customer_features
    >>> ds = make_demo_dataset(n_customers=400, seed=0)
    >>> F = build_customer_features(ds, as_of="2024-07-01")
    >>> seg = CustomerSegmenter(n_clusters=4, random_state=0).fit(F)
    >>> seg.naming_, int(seg.profiles_["size"].sum()) == len(F)
    ('roles', True)
    >>> seg.predict_names(F).index.equals(F.index)
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_clusters": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "k_range": [tuple, list],
        "sample_size": [Interval(Integral, 2, None, closed="left")],
        "selection_size": [Interval(Integral, 10, None, closed="left")],
        "n_bootstrap": [Interval(Integral, 2, None, closed="left")],
        "min_stability": [Interval(Real, 0, 1, closed="both")],
        "skew_threshold": [Interval(Real, 0, None, closed="left")],
        "categorical": [StrOptions({"onehot", "drop"})],
        "recency": [str, tuple, list, None],
        "frequency": [str, tuple, list, None],
        "monetary": [str, tuple, list, None],
        "tenure": [str, tuple, list, None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters: int | str = "auto",
        *,
        k_range: tuple[int, int] = (3, 8),
        sample_size: int = 50_000,
        selection_size: int = 4_000,
        n_bootstrap: int = 8,
        min_stability: float = 0.8,
        skew_threshold: float = 1.0,
        categorical: str = "onehot",
        recency: str | Sequence[str] | None = "recency_days",
        frequency: str | Sequence[str] | None = ("orders_total", "orders_365d"),
        monetary: str | Sequence[str] | None = ("spend_total", "spend_365d"),
        tenure: str | Sequence[str] | None = ("first_order_days", "account_age_days"),
        n_init: int = 4,
        random_state: int | np.random.RandomState | None = None,
    ):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.sample_size = sample_size
        self.selection_size = selection_size
        self.n_bootstrap = n_bootstrap
        self.min_stability = min_stability
        self.skew_threshold = skew_threshold
        self.categorical = categorical
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
        self.tenure = tenure
        self.n_init = n_init
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: object, y: object = None) -> CustomerSegmenter:
        """Learn the scaling, the segments and their profiles and names.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Customer features: numeric columns (missing values allowed) and categorical ones.
        y : None
            Ignored.

        Returns
        -------
        self : CustomerSegmenter
            The fitted segmenter.
        """
        _check_input(X)
        _check_feature_names(self, X, reset=True)
        _check_n_features(self, X, reset=True)
        self.encoder_ = FrameEncoder().fit(X)
        frame = self.encoder_.frame(X)
        n = len(frame)
        self._check_shape(n, frame.shape[1])
        rng = check_random_state(self.random_state)
        rows = (
            np.sort(rng.choice(n, self.sample_size, replace=False))
            if n > self.sample_size
            else None
        )
        sample = self._encode(frame if rows is None else frame.iloc[rows])
        self._learn_scaling(sample)
        Z = self._embed(sample)
        # small matrix products gain nothing from BLAS threads, and lose a lot when the
        # machine is busy
        with threadpool_limits(limits=1, user_api="blas"):
            k = self._choose_k(Z, rng)
            kmeans = KMeans(k, n_init=self.n_init, random_state=_seed(rng)).fit(Z)
        centers = kmeans.cluster_centers_
        labels, stats = self._assign(frame, centers)
        self._describe(centers, labels, stats)
        return self

    def predict(self, X: object) -> pd.Series | np.ndarray:
        """Return the segment of each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Frame with the columns seen in ``fit`` (matched by name for DataFrames).

        Returns
        -------
        Series or ndarray of int
            Segment labels (the index of ``profiles_``); a Series named ``segment`` indexed
            like ``X`` when ``X`` is a DataFrame.
        """
        check_is_fitted(self)
        frame = self._frame(X)
        labels = self._assign(frame, self.cluster_centers_, stats=False)[0]
        if isinstance(X, pd.DataFrame):
            return pd.Series(labels, index=X.index, name="segment")
        return labels

    def fit_predict(self, X: object, y: object = None, **kwargs: Any) -> pd.Series | np.ndarray:
        """Fit and return the segment of each training row (``labels_``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Customer features.
        y : None
            Ignored.
        **kwargs : dict
            Ignored; accepted for scikit-learn compatibility.

        Returns
        -------
        Series or ndarray of int
            Segment labels, as :meth:`predict` returns them.
        """
        labels = self.fit(X).labels_
        if isinstance(X, pd.DataFrame):
            return pd.Series(labels, index=X.index, name="segment")
        return labels

    def predict_names(self, X: object, lang: str = "zh") -> pd.Series:
        """Return the segment name of each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Frame with the columns seen in ``fit``.
        lang : {"zh", "en"}, default="zh"
            Chinese (``profiles_["name"]``) or English (``profiles_["name_en"]``) names.

        Returns
        -------
        Series
            Categorical names, indexed like ``X`` (a range index for arrays).
        """
        check_is_fitted(self)
        column = _name_column(lang)
        labels = np.asarray(self.predict(X))
        names = self.profiles_[column].to_numpy()
        index = X.index if isinstance(X, pd.DataFrame) else None
        values = pd.Categorical.from_codes(labels, categories=pd.Index(names, dtype=object))
        return pd.Series(values, index=index, name=column)

    def transform(self, X: object) -> pd.DataFrame | np.ndarray:
        """Return the distance of each row to each segment centre, in the scaled space.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Frame with the columns seen in ``fit``.

        Returns
        -------
        DataFrame or ndarray of shape (n_samples, n_clusters_)
            A DataFrame indexed like ``X`` with columns :meth:`get_feature_names_out` when ``X``
            is a DataFrame.
        """
        check_is_fitted(self)
        frame = self._frame(X)
        parts = [
            euclidean_distances(self._embed(self._encode(block)), self.cluster_centers_)
            for block in self._blocks(frame)
        ]
        out = np.vstack(parts) if parts else np.empty((0, self.n_clusters_))
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(out, index=X.index, columns=self.get_feature_names_out())
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Return the names of the :meth:`transform` columns: ``distance_0``, ``distance_1``, ...

        Parameters
        ----------
        input_features : array-like of str or None
            Ignored (the output columns are one per segment).

        Returns
        -------
        ndarray of str
            One name per segment.
        """
        check_is_fitted(self)
        return np.asarray([f"distance_{j}" for j in range(self.n_clusters_)], dtype=object)

    # ------------------------------------------------------------------ input handling

    def _frame(self, X: object) -> pd.DataFrame:
        _check_input(X)
        if not isinstance(X, pd.DataFrame):
            _check_n_features(self, X, reset=False)
        return self.encoder_.frame(X)

    def _check_shape(self, n_samples: int, n_features: int) -> None:
        if n_features == 0:
            raise ValueError(
                f"0 feature(s) (shape=({n_samples}, 0)) while a minimum of 1 is required; "
                "pass at least one numeric or categorical column."
            )
        if n_samples == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0, {n_features})) while a minimum of 1 "
                "is required; pass at least one customer."
            )
        used = min(n_samples, self.sample_size)
        if isinstance(self.n_clusters, Integral) and used < self.n_clusters:
            raise ValueError(
                f"n_samples={used} should be >= n_clusters={self.n_clusters} (rows used: the "
                f"smaller of {n_samples} rows and sample_size={self.sample_size}); lower "
                "n_clusters or pass more customers."
            )
        if not (
            isinstance(self.k_range, (tuple, list))
            and len(self.k_range) == 2
            and all(isinstance(k, Integral) for k in self.k_range)
            and 2 <= self.k_range[0] <= self.k_range[1]
        ):
            raise ValueError(
                f"k_range must be two integers (smallest, largest) with 2 <= smallest <= "
                f"largest, got {self.k_range!r}; e.g. k_range=(3, 8)."
            )

    def _encode(self, frame: pd.DataFrame) -> np.ndarray:
        M = self.encoder_.transform(frame)
        bad = np.isinf(M).any(axis=0)
        if bad.any():
            cols = [str(c) for c in self.encoder_.feature_names_in_[bad]]
            raise ValueError(
                f"Input contains infinity in column(s) {cols}; replace inf with NaN (missing "
                "values are imputed) or with a finite value."
            )
        return M

    def _blocks(self, frame: pd.DataFrame) -> list[pd.DataFrame]:
        width = max(frame.shape[1], len(self._numeric_pos) + sum(n for _, n in self._onehot))
        rows = _block_rows(width)
        return [frame.iloc[i : i + rows] for i in range(0, len(frame), rows)]

    # ------------------------------------------------------------------ scaling

    def _learn_scaling(self, M: np.ndarray) -> None:
        names = [str(c) for c in self.encoder_.feature_names_in_]
        cats = set(self.encoder_.categorical_)
        self._numeric_pos = np.asarray([j for j, c in enumerate(names) if c not in cats], int)
        numeric = [names[j] for j in self._numeric_pos]
        rows = [_column_scaling(M[:, j], self.skew_threshold) for j in self._numeric_pos]
        self.scaling_ = pd.DataFrame(
            rows, index=pd.Index(numeric, name="feature"), columns=_SCALING_COLUMNS
        ).astype({"log": bool})
        # the same numbers as plain arrays, for the hot loop in _embed
        self._fill = self.scaling_["fill"].to_numpy(dtype=np.float64)
        self._log_pos = np.flatnonzero(self.scaling_["log"].to_numpy())
        self._center = self.scaling_["center"].to_numpy(dtype=np.float64)
        self._scale = self.scaling_["scale"].to_numpy(dtype=np.float64)
        self._onehot: list[tuple[int, int]] = []
        if self.categorical == "onehot":
            for name in self.encoder_.categorical_:
                self._onehot.append((names.index(name), len(self.encoder_.levels_[name])))

    def _embed(self, M: np.ndarray) -> np.ndarray:
        """Impute, transform, scale and clip the numeric columns; one-hot the categorical ones."""
        n_num = len(self._numeric_pos)
        Z = np.zeros((len(M), n_num + sum(n for _, n in self._onehot)))
        X = Z[:, :n_num]
        X[...] = M[:, self._numeric_pos]
        missing = np.isnan(X)
        if missing.any():
            np.copyto(X, self._fill, where=missing)
        if self._log_pos.size:
            part = X[:, self._log_pos]
            logged = np.abs(part)
            np.log1p(logged, out=logged)
            np.copysign(logged, part, out=logged)
            X[:, self._log_pos] = logged
        X -= self._center
        X /= self._scale
        np.clip(X, -CLIP, CLIP, out=X)
        offset = n_num
        for j, n_levels in self._onehot:
            codes = M[:, j]
            seen = np.flatnonzero(~np.isnan(codes))
            Z[seen, offset + codes[seen].astype(np.intp)] = 1.0
            offset += n_levels
        return Z

    # ------------------------------------------------------------------ choosing k

    def _choose_k(self, Z: np.ndarray, rng: np.random.RandomState) -> int:
        n = len(Z)
        subset = Z if n <= self.selection_size else Z[rng.choice(n, self.selection_size, False)]
        if self.n_clusters != "auto":
            k = int(self.n_clusters)
            score = _silhouette(subset, k, self.n_init, _seed(rng))
            self.selection_ = pd.DataFrame(
                {"k": [k], "silhouette": [score], "stability": [np.nan], "chosen": [True]}
            )
            return k
        low, high = self.k_range
        ks = [k for k in range(low, high + 1) if k < len(subset)]
        if not ks:
            raise ValueError(
                f"k_range={tuple(self.k_range)} needs more than {low} customers in the search "
                f"sample, got {len(subset)}; lower k_range or pass more customers."
            )
        rows = []
        for k in ks:
            rows.append(
                {
                    "k": k,
                    "silhouette": _silhouette(subset, k, self.n_init, _seed(rng)),
                    "stability": _stability(subset, k, self.n_bootstrap, self.n_init, rng),
                }
            )
        table = pd.DataFrame(rows)
        silhouette = np.nan_to_num(table["silhouette"].to_numpy(), nan=-np.inf)
        stability = np.nan_to_num(table["stability"].to_numpy(), nan=-np.inf)
        stable = stability >= self.min_stability
        # argmax returns the first maximum, i.e. the smaller k on ties
        best = int(np.argmax(np.where(stable, silhouette, -np.inf) if stable.any() else stability))
        table["chosen"] = np.arange(len(table)) == best
        self.selection_ = table
        return ks[best]

    # ------------------------------------------------------------------ assignment, profiles

    def _assign(
        self, frame: pd.DataFrame, centers: np.ndarray, stats: bool = True
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Label every row block by block; optionally accumulate per-segment sums."""
        k, n_num = len(centers), len(self._numeric_pos)
        acc = {
            name: np.zeros((k, n_num))
            for name in ("raw_sum", "raw_count", "scaled_sum", "scaled_sq")
        }
        labels = []
        for block in self._blocks(frame):
            M = self._encode(block)
            Z = self._embed(M)
            lab = euclidean_distances(Z, centers, squared=True).argmin(axis=1)
            labels.append(lab)
            if stats:
                n = len(lab)
                members = sp.csr_matrix((np.ones(n), (lab, np.arange(n))), shape=(k, n))
                raw = M[:, self._numeric_pos]
                seen = ~np.isnan(raw)
                raw[~seen] = 0.0
                scaled = Z[:, :n_num]
                acc["raw_sum"] += members @ raw
                acc["raw_count"] += members @ seen.astype(np.float64)
                acc["scaled_sum"] += members @ scaled
                acc["scaled_sq"] += members @ (scaled * scaled)
        out = np.concatenate(labels) if labels else np.empty(0, dtype=np.int64)
        return out.astype(np.int64), acc

    def _describe(
        self, centers: np.ndarray, labels: np.ndarray, acc: dict[str, np.ndarray]
    ) -> None:
        numeric = list(self.scaling_.index)
        k = len(centers)
        sizes = np.bincount(labels, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = acc["raw_sum"] / acc["raw_count"]
            overall = acc["raw_sum"].sum(0) / acc["raw_count"].sum(0)
            n = sizes.sum()
            scaled_mean = acc["scaled_sum"] / sizes[:, None]
            grand = acc["scaled_sum"].sum(0) / n
            spread = np.sqrt(np.maximum(acc["scaled_sq"].sum(0) / n - grand**2, 0.0))
            z = (scaled_mean - grand) / np.where(spread > 0, spread, np.nan)
        z = np.nan_to_num(z, nan=0.0)
        self.roles_ = self._resolve_roles(numeric)
        scores = {
            role: (-1.0 if role == "recency" else 1.0) * z[:, numeric.index(col)]
            for role, col in self.roles_.items()
            if col is not None
        }
        has_roles = any(r in scores for r in ("recency", "frequency", "monetary"))
        self.naming_ = "roles" if has_roles else "neutral"
        if has_roles:
            worth = [scores[r] for r in ("frequency", "monetary") if r in scores]
            value = np.sum(worth, axis=0) if worth else scores["recency"]
            order = np.lexsort((-sizes, -np.round(value, 9)))
        else:
            logger.info(
                "no recency, frequency or monetary column found (looked for %s); segments get "
                "neutral names",
                {r: _candidates(getattr(self, r)) for r in ROLES[:3]},
            )
            order = np.lexsort((*centers.T[::-1], -sizes))
        relabel = np.empty(k, dtype=np.int64)
        relabel[order] = np.arange(k)
        self.n_clusters_ = k
        self.cluster_centers_ = centers[order]
        self.labels_ = relabel[labels]
        if has_roles:
            role_scores = np.column_stack([scores.get(r, np.zeros(k)) for r in ROLES])
            zh, en = _business_names(role_scores[order])
        else:
            zh = [f"群体{j + 1}" for j in range(k)]
            en = [f"Segment {j + 1}" for j in range(k)]
        index = pd.RangeIndex(k, name="segment")
        sizes = sizes[order]
        profiles = pd.DataFrame(
            {"name": zh, "name_en": en, "size": sizes, "share": sizes / max(sizes.sum(), 1)},
            index=index,
        )
        self.profiles_ = pd.concat(
            [profiles, pd.DataFrame(means[order], index=index, columns=numeric)], axis=1
        )
        self.profile_z_ = pd.DataFrame(z[order], index=index, columns=numeric)
        self.overall_means_ = pd.Series(overall, index=numeric, name="overall")

    def _resolve_roles(self, numeric: list[str]) -> dict[str, str | None]:
        present = set(numeric)
        roles: dict[str, str | None] = {}
        for role in ROLES:
            found = [c for c in _candidates(getattr(self, role)) if c in present]
            roles[role] = found[0] if found else None
        return roles


_SCALING_COLUMNS = ["fill", "skew", "log", "center", "scale"]


def _column_scaling(x: np.ndarray, skew_threshold: float) -> list[Any]:
    """Fill value, skewness, log choice, centre and scale of one numeric column."""
    seen = x[~np.isnan(x)]
    fill = float(np.median(seen)) if len(seen) else 0.0
    x = np.where(np.isnan(x), fill, x)
    sd = float(x.std())
    skew = float(np.mean(((x - x.mean()) / sd) ** 3)) if sd > 0 else 0.0
    log = abs(skew) > skew_threshold
    if log:
        x = np.sign(x) * np.log1p(np.abs(x))
    q25, center, q75 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    scale = (q75 - q25) / 1.349
    if scale <= 0:
        scale = float(x.std())
    if scale <= 0:
        scale = 1.0
    return [fill, skew, log, center, scale]


def _check_input(X: object) -> None:
    if sp.issparse(X):
        raise TypeError(
            "Sparse input is not supported: pass a dense array (X.toarray()) or a DataFrame."
        )
    if not isinstance(X, pd.DataFrame) and np.asarray(X).ndim != 2:
        raise ValueError(
            f"Expected a 2-D frame or array, got {np.asarray(X).ndim}-D input. Reshape your "
            "data with X.reshape(-1, 1) if it has a single feature or X.reshape(1, -1) if it is "
            "a single customer."
        )


def _block_rows(width: int) -> int:
    return int(np.clip(BLOCK_BYTES // (8 * max(width, 1)), 1024, 1_000_000))


def _seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int32).max))


def _candidates(spec: str | Sequence[str] | None) -> list[str]:
    if spec is None:
        return []
    if isinstance(spec, str):
        return [spec]
    return [str(c) for c in spec]


def _name_column(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}.")
    return "name" if lang == "zh" else "name_en"


def _silhouette(Z: np.ndarray, k: int, n_init: int, seed: int) -> float:
    if not 2 <= k < len(Z):
        return float("nan")
    labels = KMeans(k, n_init=n_init, random_state=seed).fit_predict(Z)
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(silhouette_score(Z, labels))


def _stability(
    Z: np.ndarray, k: int, n_bootstrap: int, n_init: int, rng: np.random.RandomState
) -> float:
    """Mean adjusted Rand index between bootstrap clusterings, on the rows they share."""
    n = len(Z)
    fits = []
    for _ in range(n_bootstrap):
        drawn = np.unique(rng.randint(n, size=n))
        if len(drawn) <= k:
            return float("nan")
        model = KMeans(k, n_init=n_init, random_state=_seed(rng)).fit(Z[drawn])
        labels = np.full(n, -1)
        labels[drawn] = model.labels_
        fits.append(labels)
    scores = []
    for a, b in combinations(fits, 2):
        shared = (a >= 0) & (b >= 0)
        scores.append(adjusted_rand_score(a[shared], b[shared]))
    return float(np.mean(scores))


def _admissible(scores: np.ndarray) -> np.ndarray:
    """Which archetypes (columns, ARCHETYPES order) a segment's role scores allow (rows)."""
    r, f, m, t = scores.T
    v = (f + m) / 2
    return np.column_stack(
        [
            (v > 0.5) & (r > -0.5),  # high-value loyal: clearly valuable, not silent
            (r > 0) & (v > -0.25) & (v < 0.75),  # growing potential: recent, middling value
            (r > 0) & (t < 0) & (v < 0.5),  # new customers: recent, short history
            (r < -0.25) & (v > 0),  # at risk of churn: valuable but silent
            (r < -0.25) & (v < 0),  # low-value dormant
            v < -0.25,  # occasional low spenders
            np.ones(len(scores), dtype=bool),  # steady regulars
        ]
    )


def _business_names(scores: np.ndarray) -> tuple[list[str], list[str]]:
    """Name segments (rows of role scores) after their nearest admissible archetype.

    Each archetype is used once where possible (an optimal assignment of segments to
    archetypes); a segment that must share an archetype gets a numbered suffix.
    """
    k, a = len(scores), len(ARCHETYPES)
    prototypes = np.asarray([p for _, _, p in ARCHETYPES])
    clipped = np.clip(scores, -1.0, 1.0)
    cost = ((clipped[:, None, :] - prototypes[None, :, :]) ** 2).sum(-1)
    cost[~_admissible(scores)] += _INADMISSIBLE
    # k copies of every archetype: sharing a name costs _SHARED per earlier holder
    copies = np.concatenate([cost + _SHARED * c for c in range(k)], axis=1)
    rows, cols = linear_sum_assignment(copies)
    chosen = np.empty(k, dtype=np.int64)
    chosen[rows] = cols % a
    zh, en = [], []
    for j in range(k):
        name_zh, name_en, _ = ARCHETYPES[chosen[j]]
        same = np.flatnonzero(chosen == chosen[j])
        if len(same) > 1:
            suffix = f" ({int(np.searchsorted(same, j)) + 1})"
            name_zh, name_en = name_zh + suffix, name_en + suffix
        zh.append(name_zh)
        en.append(name_en)
    return zh, en


_SHARED = 1.0
_INADMISSIBLE = 1e6
