"""Fraud scoring: an unsupervised ring detector, LightGBM on investigated cases, rule flags.

:class:`FraudScorer` scores customers (or orders) for fraud risk from any feature frame.

**Without labels** it is an unsupervised detector over the *risk-signal columns* of the frame
(``features="auto"``: the columns of :data:`RISK_DIRECTIONS` that are present, such as
``phone_shared_accounts``, ``virtual_recipient_share``, ``orders_first_7d`` or
``first_cod_account_age_days``; every column when none is). Each column becomes a *tail
score*, ``-ln`` of the share of fitted rows at least as extreme in the risky direction: the
empirical-CDF tail probabilities of ECOD (Li et al., 2022), taken one-sided because the risky
direction of these columns is known; other numeric columns take the tail on the side of their
skew, as ECOD does, and categorical columns score the rarity of their level. Missing values
score 0. Then, by ``detector``:

- ``"iforest"`` (default): an IsolationForest grown on the tail scores, so that only values
  unusual in the risky direction isolate a row (a forest on the raw columns also isolates
  very old, very loyal or very big customers).
- ``"ecod"``: the sum of the tail scores; exactly additive, so its reason codes add up to it.
- ``"ensemble"``: the average of the two, each as its percentile among the fitted rows.

**With labels** (investigators' verdicts for some rows) LightGBM is trained on the labelled
rows and combined with the detector, which is fitted on every row, labelled or not: by the
average of the two percentiles (``combine="rank_average"``, default) or with the detector's
percentile as one more LightGBM input (``combine="feature"``).

**How the defaults were chosen.** ``benchmarks/bench_fraud.py`` on the demo data (20,000
customers, features as of 2024-07-01; target = membership of a planted fraud ring, base rate
1.15%; mean PR-AUC over demo seeds 0-2; ``benchmarks/results/bench_fraud.md`` has precision
at 1%, ranges, timings and a 5,000-customer run). "No link columns" drops
``phone_shared_accounts`` and ``address_shared_accounts``, which alone separate the demo's
rings; "orders" scores the order features of the first half of 2024.

===============================================  =========  ===============  ========
unsupervised detector                            customers  no link columns   orders
===============================================  =========  ===============  ========
IsolationForest, all 92 columns (baseline)           0.179            0.115     0.466
IsolationForest, raw risk-signal columns             0.985            0.853     0.728
ECOD as in PyOD (two-sided), risk-signal columns     0.990            0.870     0.777
``"ecod"``                                           0.979            0.808     0.797
``"iforest"`` (default)                              0.989            0.884     0.815
``"ensemble"``                                       0.987            0.850     0.812
===============================================  =========  ===============  ========

Precision among the top 1% of customers: 0.986 for the default, 0.248 for the baseline. Most
of the gain comes from reading the risk-signal columns instead of all of them; on top of that
the forest on one-sided tails is the most accurate in every setting. ECOD is computed here in
numpy (identical to PyOD's to 1e-13); PyOD itself would add numba, llvmlite and matplotlib at
import for one small function.

With the verdicts of the demo's ``fraud_labels`` table (customer verdicts, and order verdicts
rolled up to their customer), PR-AUC over all customers, at 20,000 / 5,000 customers. "6
months before": fitted on the features and verdicts as of 2024-01-01, scored as of
2024-07-01, so that rings launched in between are new to the model.

============================  ===========  ===============  ===============  =============
supervised (labels known at)  cutoff       cutoff, no link  6 months before  same, no link
============================  ===========  ===============  ===============  =============
detector alone, no labels     0.989/0.988  0.884/0.899      0.974/0.975      0.858/0.854
LightGBM alone                0.994/0.992  0.993/0.889      0.997/0.889      0.818/0.811
``combine="feature"``         0.998/0.995  0.993/0.933      1.000/0.895      0.814/0.765
``combine="rank_average"``    0.999/0.993  0.990/0.981      0.996/0.975      0.936/0.914
============================  ===========  ===============  ===============  =============

Investigated cases are not a random sample (cleared cases were suspicious to begin with), so
a model that leans on them alone can rank the wider population worse than the detector does
when labels are few; the rank average never fell far below the better of its two parts.

**Scores.** :meth:`FraudScorer.decision_function` is the raw score (higher = riskier):
the detector's score, the LightGBM log-odds (``combine="feature"``) or the average percentile
(``combine="rank_average"``). :meth:`FraudScorer.score_samples` maps it monotonically to
[0, 1], as its percentile among the fitted rows (0.99 = riskier than 99% of them,
interpolated between about 2,000 stored quantiles). :meth:`FraudScorer.predict` flags the
top ``contamination`` share. Note the sign: higher means riskier, unlike scikit-learn's
outlier detectors.

**Flags.** :meth:`FraudScorer.flags` evaluates readable rules (:data:`FLAG_RULES`) on the
columns a frame has, with thresholds that ``flag_thresholds`` overrides by column name;
:meth:`FraudScorer.describe_flags` gives their wording in Chinese and English.
"""

from __future__ import annotations

import fnmatch
import logging
import reprlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest
from sklearn.utils import ClassifierTags, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import _check_feature_names, _check_n_features

from custintel.explain import BIAS, reason_codes, tree_contributions
from custintel.features import feature_catalog, order_feature_catalog
from custintel.models._frame import FrameEncoder
from custintel.models._fraud_flags import FLAG_RULES, OPS, number, resolve
from custintel.models._tails import Percentile, fit_tail, skew_side

logger = logging.getLogger("custintel.models")

#: Risky direction of the fraud-relevant columns this library builds: +1 when a higher value is
#: riskier, -1 when a lower one is. Customer frames (:class:`custintel.features.
#: FraudSignalFeatures` and a few static/behaviour columns) and order frames
#: (:func:`custintel.features.build_order_features`). Names may use ``*`` as a wildcard.
RISK_DIRECTIONS: Mapping[str, int] = {
    # customer frame: FraudSignalFeatures
    "n_recipient_phones": 1,
    "n_recipient_names": 1,
    "n_recipient_addresses": 1,
    "phone_shared_accounts": 1,
    "address_shared_accounts": 1,
    "own_phone_shared_accounts": 1,
    "virtual_recipient_share": 1,
    "first_cod_account_age_days": -1,
    "orders_first_7d": 1,
    "max_orders_24h": 1,
    "refused_cod_*d": 1,
    # customer frame: static and behaviour
    "phone_virtual": 1,
    "refusal_rate": 1,
    "account_age_days": -1,
    # order frame
    "recipient_phone_accounts": 1,
    "recipient_address_accounts": 1,
    "recipient_virtual": 1,
    "orders_prev_24h": 1,
    "orders_prev_7d": 1,
    "prior_refused_cod": 1,
    "first_cod": 1,
    "amount_vs_prior_mean": 1,
    "recipient_is_self": -1,
    "is_cod": 1,
    "coupon_used": 1,
}

#: Name of the unsupervised score when it is an input of the supervised model.
ANOMALY_SCORE = "anomaly_score"

#: LightGBM settings of the supervised part; ``gbm_params`` overrides any of them.
GBM_DEFAULTS: Mapping[str, Any] = {
    "objective": "binary",
    "num_boost_round": 200,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 10,
    "feature_fraction": 0.9,
    "verbose": -1,
}


class FraudScorer(BaseEstimator):
    """Score fraud risk: an unsupervised detector, supervised LightGBM when labels exist.

    See the module documentation for how the detector works and how it was chosen.

    Parameters
    ----------
    detector : {"iforest", "ecod", "ensemble"}, default="iforest"
        Unsupervised detector over the tail scores: an IsolationForest grown on them
        (``"iforest"``), their sum (``"ecod"``), or the average percentile of both.
    features : "auto", "all" or list of str, default="auto"
        Columns the detector reads. ``"auto"``: the columns of ``X`` with a known risky
        direction (:data:`RISK_DIRECTIONS` and the keys of ``directions``), or every column
        when there is none; ``"all"``: every column. The supervised model reads every column
        either way.
    directions : dict of str to int, optional
        Risky direction per column, overriding :data:`RISK_DIRECTIONS`: ``1`` (higher is
        riskier), ``-1`` (lower is riskier) or ``0`` (unknown: the tail on the side of the
        skew, as ECOD). Columns without a direction use the skewness rule; categorical
        columns score their level's rarity.
    contamination : float in (0, 0.5], default=0.01
        Share of the fitted rows :meth:`predict` flags (the threshold is the matching
        quantile of their scores).
    combine : {"rank_average", "feature"}, default="rank_average"
        With labels: average the percentiles of LightGBM's score and of the unsupervised
        score (``"rank_average"``), or give the unsupervised percentile to LightGBM as one
        more input (``"feature"``; its reason codes then cover the whole score, but the model
        leans on the investigated cases, which are not a random sample).
    n_estimators : int, default=300
        Trees of the IsolationForest (``detector`` ``"iforest"`` or ``"ensemble"``).
    gbm_params : dict, optional
        Overrides of :data:`GBM_DEFAULTS` for the supervised LightGBM model (any LightGBM
        parameter, and ``num_boost_round``).
    flag_thresholds : dict of str to float, optional
        Thresholds of the rule flags by column name, overriding those in :data:`FLAG_RULES`
        (e.g. ``{"phone_shared_accounts": 3}``).
    n_jobs : int, optional
        Threads of the forest and of LightGBM (default: the libraries' defaults).
    random_state : int, RandomState instance or None, default=None
        Seeds the forest and LightGBM.

    Attributes
    ----------
    detector_features_ : list of str
        The columns the detector reads.
    directions_ : Series
        Side of each detector column: 1 (right tail), -1 (left tail), 0 (categorical rarity).
    forest_ : IsolationForest
        The forest on the tail scores (``detector`` ``"iforest"`` or ``"ensemble"``).
    booster_ : lightgbm.Booster
        The supervised model (only when fitted with labels).
    gbm_features_ : list of str
        Inputs of ``booster_``, in order (the columns of ``X``, then ``"anomaly_score"`` when
        ``combine="feature"``).
    supervised_ : bool
        Whether labels were used.
    n_labelled_ : int
        Labelled rows used to train ``booster_`` (0 when unsupervised).
    threshold_ : float
        Raw score above which :meth:`predict` flags a row.
    percentile_ : callable
        Maps a raw score to its percentile among the fitted rows (:meth:`score_samples`).
    unsupervised_percentile_ : callable
        The same for the detector's score (the ``anomaly_score`` input of LightGBM).
    component_percentiles_ : dict of str to callable
        The same for each part that is averaged (``"ecod"``, ``"iforest"``, ``"gbm"``).
    tails_ : list
        Each detector column's stored tail function (at most 2,048 points).
    detector_positions_ : list of int
        Positions of the detector columns among the fitted columns.
    encoder_ : FrameEncoder
        Columns and category levels of the fitted frame.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (only when ``X`` had string column names).

    Notes
    -----
    **Labels** (``y`` in :meth:`fit`): 1 = fraud, 0 = cleared by an investigation, and NaN or
    -1 = not investigated (unlabelled). Give either one label per row of ``X`` (a Series
    indexed like ``X`` or any array, by position), or a Series indexed by the labelled rows
    only (e.g. :func:`custintel.features.fraud_targets`), which is aligned on ``X.index``; the
    rows it does not name are unlabelled. Both classes must be among the labels; ``y=None``
    or only unlabelled rows fit the unsupervised detector alone.

    **Reason codes.** :meth:`explain` splits a score into per-feature contributions, for one
    part of the model (``part``). The ``"supervised"`` part (the default once fitted with
    labels): LightGBM's exact tree SHAP values, in log-odds, which add up with the bias to
    LightGBM's raw score (with ``combine="feature"`` the ``anomaly_score`` input is one of the
    features; with ``"rank_average"`` they explain LightGBM's half of the average). The
    ``"unsupervised"`` part: the tail scores, ``-ln`` of the share of fitted rows at least as
    extreme in the risky direction (4.6 = only 1% are). They add up to the ``"ecod"`` score
    exactly; for ``"iforest"`` and ``"ensemble"`` they are the inputs the forest isolated a
    row on, not its path lengths.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> from custintel.features import build_customer_features
    >>> ds = make_demo_dataset(n_customers=2_000, seed=0)
    >>> X = build_customer_features(ds, as_of="2024-07-01")
    >>> scorer = FraudScorer(n_estimators=50, random_state=0).fit(X)
    >>> score = scorer.score_samples(X)
    >>> bool(score.between(0, 1).all()), score.name
    (True, 'fraud_score')

    The ten riskiest customers all belong to the planted fraud ring:

    >>> ring = ds.truth.customers.set_index("customer_id")["is_fraud"]
    >>> ring.loc[score.nlargest(10).index].tolist() == [True] * 10
    True

    Why the riskiest one scores high, and which rules it breaks:

    >>> reasons = scorer.explain(X.loc[[score.idxmax()]], top_k=3)
    >>> reasons.columns.tolist()
    ['rank', 'feature', 'value', 'contribution', 'zh', 'en']
    >>> flags = scorer.flags(X.loc[[score.idxmax()]]).iloc[0]
    >>> bool(flags["shared_recipient_phone"]), bool(flags["new_account_cod_burst"])
    (True, True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "detector": [StrOptions({"iforest", "ecod", "ensemble"})],
        "features": [StrOptions({"auto", "all"}), list, tuple],
        "directions": [dict, None],
        "contamination": [Interval(Real, 0, 0.5, closed="right")],
        "combine": [StrOptions({"rank_average", "feature"})],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "gbm_params": [dict, None],
        "flag_thresholds": [dict, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        detector: Literal["iforest", "ecod", "ensemble"] = "iforest",
        *,
        features: Literal["auto", "all"] | Sequence[str] = "auto",
        directions: dict[str, int] | None = None,
        contamination: float = 0.01,
        combine: Literal["rank_average", "feature"] = "rank_average",
        n_estimators: int = 300,
        gbm_params: dict[str, Any] | None = None,
        flag_thresholds: dict[str, float] | None = None,
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | None = None,
    ):
        self.detector = detector
        self.features = features
        self.directions = directions
        self.contamination = contamination
        self.combine = combine
        self.n_estimators = n_estimators
        self.gbm_params = gbm_params
        self.flag_thresholds = flag_thresholds
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.target_tags.required = False
        # labels, when given, are binary (fraud or cleared); it is not a classifier otherwise
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: object, y: object = None) -> FraudScorer:
        """Fit the detector on every row, and LightGBM on the labelled rows when ``y`` has any.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Customer (or order) features: numeric columns, missing values allowed, and
            categorical ones.
        y : Series or array-like, optional
            Fraud labels: 1 fraud, 0 cleared, NaN or -1 unlabelled; per row of ``X``, or a
            Series of the labelled rows only (see Notes).

        Returns
        -------
        self : FraudScorer
            The fitted scorer.
        """
        _check_input(X)
        _check_feature_names(self, X, reset=True)
        _check_n_features(self, X, reset=True)
        self.encoder_ = FrameEncoder().fit(X)
        frame = self.encoder_.frame(X)
        matrix = self.encoder_.transform(frame)
        labels = _labels(y, X, len(frame))
        rng = check_random_state(self.random_state)
        self._fit_detector(matrix, rng)
        unsupervised = self._unsupervised(matrix)
        self.unsupervised_percentile_ = Percentile.fit(unsupervised)
        labelled = ~np.isnan(labels)
        self.supervised_ = bool(labelled.any())
        self.n_labelled_ = int(labelled.sum())
        if self.supervised_:
            raw = self._fit_supervised(matrix, unsupervised, labels, labelled, rng)
        else:
            raw = unsupervised
        self.percentile_ = Percentile.fit(raw)
        self.threshold_ = float(np.quantile(raw, 1 - self.contamination))
        return self

    def _fit_detector(self, matrix: np.ndarray, rng: np.random.RandomState) -> None:
        names = [str(c) for c in self.encoder_.feature_names_in_]
        chosen = self._detector_columns(names)
        positions = [names.index(c) for c in chosen]
        sides, tails = [], []
        for name, j in zip(chosen, positions, strict=True):
            if name in self.encoder_.levels_:
                side = 0  # categorical: the rarity of the level
            else:  # known direction, else the side of the skew
                side = _direction(name, self.directions) or skew_side(matrix[:, j])
            sides.append(side)
            tails.append(fit_tail(matrix[:, j], side, len(self.encoder_.levels_.get(name, []))))
        self.detector_features_ = chosen
        self.directions_ = pd.Series(sides, index=pd.Index(chosen, name="feature"), name="side")
        self.tails_ = tails
        self.detector_positions_ = positions
        T = self._tail_matrix(matrix)
        parts = {}
        if self.detector in ("ecod", "ensemble"):
            parts["ecod"] = T.sum(axis=1)
        if self.detector in ("iforest", "ensemble"):
            self.forest_ = IsolationForest(
                n_estimators=self.n_estimators,
                random_state=rng.randint(np.iinfo(np.int32).max),
                n_jobs=self.n_jobs,
            ).fit(T)
            parts["iforest"] = -self.forest_.score_samples(T)
        self.component_percentiles_ = {k: Percentile.fit(v) for k, v in parts.items()}

    def _detector_columns(self, names: list[str]) -> list[str]:
        if isinstance(self.features, str):
            if self.features == "all":
                return names
            known = [n for n in names if _direction(n, self.directions, default=None) is not None]
            if not known:
                logger.info(
                    "FraudScorer: no column with a known risky direction; the detector reads "
                    "all %d columns",
                    len(names),
                )
            return known or names
        chosen = [str(c) for c in self.features]
        missing = [c for c in chosen if c not in names]
        if missing or not chosen:
            raise ValueError(
                f"features lists {len(missing)} column(s) X does not have: "
                f"{reprlib.repr(missing)}; choose among {reprlib.repr(names)}, or pass "
                "features='auto'."
            )
        return chosen

    def _fit_supervised(
        self,
        matrix: np.ndarray,
        unsupervised: np.ndarray,
        labels: np.ndarray,
        labelled: np.ndarray,
        rng: np.random.RandomState,
    ) -> np.ndarray:
        import lightgbm as lgb

        classes = np.unique(labels[labelled])
        if len(classes) < 2:
            raise ValueError(
                f"The labelled rows of y hold only one class ({int(classes[0])}); the "
                "supervised part needs both fraud (1) and cleared (0) cases. Pass y=None to "
                "fit the unsupervised detector alone."
            )
        params = {**GBM_DEFAULTS, **(self.gbm_params or {})}
        rounds = int(params.pop("num_boost_round"))
        params.setdefault("seed", int(rng.randint(np.iinfo(np.int32).max)))
        params.setdefault("deterministic", True)
        if self.n_jobs is not None:
            params.setdefault("num_threads", int(self.n_jobs))
        inputs = self._gbm_inputs(matrix, self.unsupervised_percentile_(unsupervised))
        self.gbm_features_ = [str(c) for c in self.encoder_.feature_names_in_]
        if self.combine == "feature":
            self.gbm_features_.append(ANOMALY_SCORE)
        data = lgb.Dataset(
            inputs[labelled],
            labels[labelled],
            feature_name=[f"f{j}" for j in range(inputs.shape[1])],
            categorical_feature=self.encoder_.categorical_indices_,
            params={"verbose": -1},
            free_raw_data=True,
        )
        self.booster_ = lgb.train(params, data, num_boost_round=rounds)
        gbm = np.asarray(self.booster_.predict(inputs, raw_score=True), dtype=np.float64)
        if self.combine == "feature":
            return gbm
        self.component_percentiles_["gbm"] = Percentile.fit(gbm)
        return 0.5 * (
            self.component_percentiles_["gbm"](gbm) + self.unsupervised_percentile_(unsupervised)
        )

    # ------------------------------------------------------------ scoring
    def decision_function(self, X: object) -> pd.Series:
        """Raw fraud score of each row; higher is riskier.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit`` (matched by name for DataFrames).

        Returns
        -------
        Series
            ``fraud_raw``, indexed like ``X``: the detector's score (unsupervised), the
            LightGBM log-odds (``combine="feature"``) or the average percentile
            (``combine="rank_average"``).
        """
        check_is_fitted(self)
        matrix, index = self._encode(X)
        return pd.Series(self._raw(matrix), index=index, name="fraud_raw")

    def score_samples(self, X: object) -> pd.Series:
        """Fraud score in [0, 1]: the raw score's percentile among the fitted rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit``.

        Returns
        -------
        Series
            ``fraud_score``, indexed like ``X``; 0.99 means riskier than 99% of the rows seen
            in ``fit``. Higher is riskier (unlike scikit-learn's outlier detectors).
        """
        check_is_fitted(self)
        matrix, index = self._encode(X)
        return pd.Series(self.percentile_(self._raw(matrix)), index=index, name="fraud_score")

    def predict(self, X: object) -> pd.Series:
        """Flag the rows scored above the top ``contamination`` share of the fitted rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit``.

        Returns
        -------
        Series
            ``is_flagged``: 1 for a flagged row, 0 otherwise, indexed like ``X``.
        """
        check_is_fitted(self)
        matrix, index = self._encode(X)
        flagged = (self._raw(matrix) > self.threshold_).astype(np.int64)
        return pd.Series(flagged, index=index, name="is_flagged")

    # ------------------------------------------------------------ explain
    def contributions(
        self, X: object, *, part: Literal["supervised", "unsupervised"] | None = None
    ) -> pd.DataFrame:
        """Per-feature contributions to each row's score, plus ``"bias"``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit``.
        part : {"supervised", "unsupervised"}, optional
            Which part to split: LightGBM (the default when fitted with labels) or the
            detector (the default otherwise).

        Returns
        -------
        DataFrame
            Indexed like ``X``. ``"supervised"``: one column per input of ``booster_``
            (``gbm_features_``) and ``bias``, in log-odds, summing to LightGBM's raw score.
            ``"unsupervised"``: one column per detector column with its tail score, and
            ``bias`` = 0 (they sum to the ``"ecod"`` score).
        """
        check_is_fitted(self)
        matrix, index = self._encode(X)
        return self._contributions(matrix, index, self._part(part))[0]

    def explain(
        self,
        X: object,
        top_k: int = 5,
        *,
        part: Literal["supervised", "unsupervised"] | None = None,
        sign: Literal["both", "positive", "negative"] = "both",
        catalog: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Reason codes: the ``top_k`` features behind each row's score, in words.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit``.
        top_k : int, default=5
            Reasons per row, strongest first.
        part : {"supervised", "unsupervised"}, optional
            Which part of the model to explain (see :meth:`contributions`).
        sign : {"both", "positive", "negative"}, default="both"
            Keep only reasons that raise (or lower) the score. Unsupervised contributions are
            never negative.
        catalog : DataFrame, optional
            Feature wording (``zh``, ``en``, ``unit``, indexed by name); defaults to the
            customer and order feature catalogs.

        Returns
        -------
        DataFrame
            As :func:`custintel.explain.reason_codes`: indexed by the row labels of ``X``,
            columns ``rank``, ``feature``, ``value``, ``contribution`` (log-odds for the
            supervised part, tail score for the unsupervised one), ``zh`` and ``en``.
        """
        check_is_fitted(self)
        matrix, index = self._encode(X)
        contrib, percentile = self._contributions(matrix, index, self._part(part))
        frame = self.encoder_.frame(X).set_axis(index)
        if percentile is not None:
            frame = frame.assign(**{ANOMALY_SCORE: percentile})
        if catalog is None:
            catalog = _default_catalog().copy()
        return reason_codes(contrib, frame, top_k=top_k, sign=sign, catalog=catalog)

    def _part(self, part: str | None) -> str:
        if part is None:
            return "supervised" if self.supervised_ else "unsupervised"
        if part not in ("supervised", "unsupervised"):
            raise ValueError(f"part must be 'supervised' or 'unsupervised', got {part!r}.")
        if part == "supervised" and not self.supervised_:
            raise ValueError(
                "part='supervised' needs a scorer fitted with labels; this one was fitted "
                "without (use part='unsupervised')."
            )
        return part

    def _contributions(
        self, matrix: np.ndarray, index: pd.Index, part: str
    ) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Contributions, and the anomaly-score input when it is one of them."""
        if part == "supervised":
            if self.combine != "feature":  # the trees never read the detector's score
                contrib = tree_contributions(self.booster_, matrix, self.gbm_features_, index=index)
                return contrib, None
            percentile = self.unsupervised_percentile_(self._unsupervised(matrix))
            inputs = self._gbm_inputs(matrix, percentile)
            contrib = tree_contributions(self.booster_, inputs, self.gbm_features_, index=index)
            return contrib, percentile
        tails = pd.DataFrame(
            self._tail_matrix(matrix), index=index, columns=self.detector_features_
        )
        tails[BIAS] = 0.0
        return tails, None

    # -------------------------------------------------------------- flags
    def flags(self, X: pd.DataFrame) -> pd.DataFrame:
        """Evaluate the readable rule flags on a feature frame (no fitting needed).

        Parameters
        ----------
        X : DataFrame
            Customer or order features; each rule of :data:`FLAG_RULES` whose columns are
            present is evaluated (a missing value never raises a flag).

        Returns
        -------
        DataFrame
            Boolean, indexed like ``X``, one column per evaluated rule. Their wording and
            thresholds: :meth:`describe_flags`.

        Examples
        --------
        >>> X = pd.DataFrame({"phone_shared_accounts": [0.0, 5.0], "phone_virtual": [1, 0]})
        >>> FraudScorer().flags(X)
           shared_recipient_phone  virtual_own_phone
        0                   False               True
        1                    True              False
        """
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"flags reads columns by name; pass a DataFrame, got {type(X).__name__}."
            )
        thresholds = self._flag_thresholds()
        out = {}
        for rule in FLAG_RULES:
            conditions = resolve(rule, X.columns)
            if conditions is None:
                continue
            hit = np.ones(len(X), dtype=bool)
            for column, pattern, op, default in conditions:
                limit = thresholds.get(column, thresholds.get(pattern, default))
                values = pd.to_numeric(X[column], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
                with np.errstate(invalid="ignore"):
                    hit &= OPS[op](values, limit)
            out[rule.name] = hit
        return pd.DataFrame(out, index=X.index, dtype=bool)

    def describe_flags(self) -> pd.DataFrame:
        """Wording and rule of every flag, with this scorer's thresholds.

        Returns
        -------
        DataFrame
            Indexed by flag name: ``zh``, ``en`` and ``rule`` (alternatives separated by
            ``" | "``: the customer-frame rule first, then the order-frame rule).

        Examples
        --------
        >>> d = FraudScorer(flag_thresholds={"phone_shared_accounts": 3}).describe_flags()
        >>> d.loc["shared_recipient_phone", "rule"]
        'phone_shared_accounts >= 3 | recipient_phone_accounts >= 2'
        """
        thresholds = self._flag_thresholds()
        rows = []
        for rule in FLAG_RULES:
            text = " | ".join(
                " & ".join(f"{c} {op} {number(thresholds.get(c, t))}" for c, op, t in alternative)
                for alternative in rule.alternatives
            )
            rows.append({"flag": rule.name, "zh": rule.zh, "en": rule.en, "rule": text})
        return pd.DataFrame(rows).set_index("flag")

    def _flag_thresholds(self) -> dict[str, float]:
        thresholds = dict(self.flag_thresholds or {})
        known = {c for rule in FLAG_RULES for alt in rule.alternatives for c, _, _ in alt}
        unknown = [
            k
            for k in thresholds
            if k not in known and not any(fnmatch.fnmatchcase(k, p) for p in known)
        ]
        if unknown:
            raise ValueError(
                f"flag_thresholds names column(s) no flag reads: {reprlib.repr(unknown)}; "
                f"choose among {sorted(known)}."
            )
        return thresholds

    # ------------------------------------------------------------ helpers
    def _encode(self, X: object) -> tuple[np.ndarray, pd.Index]:
        _check_input(X)
        if not isinstance(X, pd.DataFrame):
            _check_n_features(self, X, reset=False)
        frame = self.encoder_.frame(X)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(frame))
        return self.encoder_.transform(frame), index

    def _tail_matrix(self, matrix: np.ndarray) -> np.ndarray:
        out = np.empty((len(matrix), len(self.tails_)))
        for k, (tail, j) in enumerate(zip(self.tails_, self.detector_positions_, strict=True)):
            out[:, k] = tail.score(matrix[:, j])
        return out

    def _unsupervised(self, matrix: np.ndarray) -> np.ndarray:
        T = self._tail_matrix(matrix)
        if self.detector == "ecod":
            return T.sum(axis=1)
        forest = -self.forest_.score_samples(T)
        if self.detector == "iforest":
            return forest
        ranks = self.component_percentiles_
        return 0.5 * (ranks["ecod"](T.sum(axis=1)) + ranks["iforest"](forest))

    def _gbm_inputs(self, matrix: np.ndarray, percentile: np.ndarray) -> np.ndarray:
        if self.combine == "feature":
            return np.column_stack([matrix, percentile])
        return matrix

    def _raw(self, matrix: np.ndarray) -> np.ndarray:
        unsupervised = self._unsupervised(matrix)
        if not self.supervised_:
            return unsupervised
        percentile = self.unsupervised_percentile_(unsupervised)
        gbm = np.asarray(
            self.booster_.predict(self._gbm_inputs(matrix, percentile), raw_score=True),
            dtype=np.float64,
        )
        if self.combine == "feature":
            return gbm
        return 0.5 * (self.component_percentiles_["gbm"](gbm) + percentile)


# ---------------------------------------------------------------------- helpers
def _check_input(X: object) -> None:
    if sparse.issparse(X):
        raise TypeError(
            "Sparse input is not supported; pass a DataFrame or a dense array (X.toarray())."
        )
    if not isinstance(X, pd.DataFrame) and np.ndim(X) == 1:  # type: ignore[arg-type]
        raise ValueError(
            "Expected a 2-D frame or array, got a 1-D one. Reshape your data with "
            "X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single row."
        )


def _direction(
    name: str, overrides: Mapping[str, int] | None, default: int | None = 0
) -> int | None:
    """Risky direction of a column: the user's, else :data:`RISK_DIRECTIONS`, else default."""
    if overrides and name in overrides:
        value = overrides[name]
        if value not in (-1, 0, 1):
            raise ValueError(
                f"directions[{name!r}] must be 1 (higher is riskier), -1 (lower is riskier) or "
                f"0 (unknown), got {value!r}."
            )
        return int(value)
    if name in RISK_DIRECTIONS:
        return RISK_DIRECTIONS[name]
    for pattern, value in RISK_DIRECTIONS.items():
        if "*" in pattern and fnmatch.fnmatchcase(name, pattern):
            return value
    return default


def _labels(y: object, X: object, n: int) -> np.ndarray:
    """Labels per row of ``X`` as floats: 1, 0 or NaN (unlabelled)."""
    if y is None:
        return np.full(n, np.nan)
    if isinstance(y, pd.Series) and isinstance(X, pd.DataFrame) and not y.index.equals(X.index):
        if not y.index.is_unique:
            raise ValueError("y has repeated index labels; give one label per row of X.")
        extra = y.index.difference(X.index)
        if len(extra):
            raise ValueError(
                f"y names {len(extra)} row(s) that X does not have, e.g. "
                f"{reprlib.repr(list(extra[:5]))}; keep the labels of rows in X "
                "(y.loc[y.index.intersection(X.index)])."
            )
        y = y.reindex(X.index)
    raw = np.asarray(y, dtype=object)
    if raw.ndim != 1 or len(raw) != n:
        raise ValueError(
            f"y must be one label per row of X ({n} rows), got shape {raw.shape}; or a Series "
            "indexed by the labelled rows of X."
        )
    given = pd.notna(raw)
    numbers = pd.to_numeric(pd.Series(np.where(given, raw, np.nan)), errors="coerce")
    labels = numbers.to_numpy(dtype=np.float64, na_value=np.nan).copy()
    bad = given & ~np.isin(labels, (0.0, 1.0, -1.0))
    if bad.any():
        examples = list(pd.unique(pd.Series(raw[bad]).astype(str)))[:5]
        raise ValueError(
            f"y must hold fraud labels: 1 (fraud), 0 (cleared), NaN or -1 (unlabelled); got "
            f"{int(bad.sum())} other value(s) such as {reprlib.repr(examples)}."
        )
    labels[labels == -1] = np.nan
    return labels


@lru_cache(maxsize=1)
def _default_catalog() -> pd.DataFrame:
    customer = feature_catalog()
    orders = order_feature_catalog()
    extra = pd.DataFrame(
        {
            "family": ["fraud"],
            "en": ["unsupervised anomaly score (share of fitted rows scored lower)"],
            "zh": ["无监督异常分数（低于该分数的样本占比）"],
            "unit": ["share"],
            "direction": ["higher means more unusual"],
        },
        index=pd.Index([ANOMALY_SCORE], name="name"),
    )
    catalog = pd.concat([customer, orders.loc[~orders.index.isin(customer.index)], extra])
    return catalog
