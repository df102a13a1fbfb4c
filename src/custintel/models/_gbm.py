"""Shared base of the binary LightGBM classifiers (churn and credit risk).

How :meth:`BinaryGBM.fit` works, in order:

1. **Validation rows, by time.** When ``X`` has an index level named ``"as_of"`` (frames from
   :func:`custintel.features.build_training_frame`) the last cutoff validates a booster grown on
   the earlier cutoffs whose label window ends by it (as :func:`custintel.features.time_split`
   splits). While the validation rows hold fewer than 100 rows of either class, the cutoff
   before it is added as a second fold (validated by the cutoffs before *it*), and so on:
   expanding-window folds, newest first. Otherwise an explicit ``eval_set=(X_valid, y_valid)``
   validates, or else the **last** ``validation_fraction`` of the rows *in the order given* does
   (sort rows by time before calling ``fit``). When that holdout would hold fewer than 100 rows
   of either class, ``crossfit_folds`` contiguous blocks of rows (in the given order) take turns
   to validate instead: cross-fitting, which suits data without time such as a table of loan
   applications, and is not a time-based evaluation. No split is random.
2. **Number of trees.** One booster per fold grows in step; the trees stop when the log loss
   over all validation rows has not improved for ``early_stopping_rounds`` rounds, and
   ``best_iteration_`` keeps the best count.
3. **Calibration.** A monotone map from the booster's raw score (log-odds) to a probability is
   fitted on the validation rows' out-of-fold raw scores: Platt's sigmoid, or isotonic
   regression when there are at least 50,000 validation rows with 1,000 of each class
   (``calibration="auto"``; on CDNOW, a 23,000-row validation part, isotonic still lost to the
   sigmoid on log loss). Sample weights count; class weights do not, so the probabilities
   describe the real prevalence even when training reweights the classes.
4. **Decision threshold.** ``decision_threshold_`` is chosen on the calibrated out-of-fold
   probabilities for ``threshold_objective``; :meth:`~BinaryGBM.predict` flags rows above it.
5. **Refit.** With ``refit=True`` (the default) the final booster is grown on *all* rows of
   ``X`` with the chosen number of trees, so the most recent cutoff, the one that validated,
   also trains the model that is served; the calibration map and threshold are kept. Measured
   on the demo data and on CDNOW, the refit model ranked as well or better (ROC-AUC +0.000 to
   +0.03) than the validated one. With ``eval_set`` the validated booster is kept (``X`` is
   all it trained on), and so it is with ``refit=False`` and a single validation fold.

Without usable validation rows (``validation_fraction=None``, or fewer than five rows of each
class) the model grows ``min(n_estimators, 100)`` trees (all ``n_estimators`` when
``validation_fraction=None``) on all rows, is not calibrated and chooses its threshold on its
training predictions; a warning says so.

Defaults (``num_leaves=7``, ``reg_lambda=10``, ``extra_trees=True``, ``max_cat_to_onehot=32``,
learning rate 0.05, 80% row and feature sampling, no class weights) were chosen on the demo
data, CDNOW and German credit, from 500 to 94,000 training rows and 5% to 83% positives (see
``benchmarks/bench_models_public.py``), against LightGBM's usual 31 or 15 leaves with little L2:
the small, imbalanced sets gained most (German credit at 5% bad: mean ROC-AUC 0.68 to 0.72) and
no set lost more than 0.002.
"""

from __future__ import annotations

import logging
import math
import os
import reprlib
from collections.abc import Mapping
from functools import cache
from numbers import Integral, Real
from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_consistent_length
from sklearn.utils._param_validation import Interval, StrOptions  # not in sklearn-compat
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, column_or_1d
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from custintel.explain import reason_codes
from custintel.features import feature_catalog
from custintel.models._calibration import Sigmoid, calibrate
from custintel.models._frame import FrameEncoder

logger = logging.getLogger("custintel.models")

#: A validation part needs at least this many rows of each class to be used.
MIN_VALID_CLASS = 5
#: A validation part with this many rows of each class is enough; with fewer, more folds.
ENOUGH_CLASS = 100
#: Trees grown when there is no validation part to choose the number.
FALLBACK_TREES = 100


class BinaryGBM(ClassifierMixin, BaseEstimator):
    """Binary LightGBM classifier: time-aware early stopping, calibration and a threshold.

    The base of :class:`~custintel.models.ChurnModel` and
    :class:`~custintel.models.CreditRiskModel`; see the module docstring for the fitting
    recipe. Categorical columns (``category``, ``object`` or ``string``) are encoded inside the
    model, so a frame of plain text labels works at predict time and unseen levels are read as
    missing.

    Parameters
    ----------
    n_estimators : int
        Most trees to grow; early stopping usually stops well before.
    learning_rate : float
        Shrinkage per tree.
    num_leaves : int
        Leaves per tree.
    max_depth : int
        Depth limit per tree, -1 for none (``num_leaves`` already limits the size).
    min_child_samples : int or "auto"
        Fewest training rows in a leaf; ``"auto"`` uses 0.5% of the training rows, within
        [10, 200] (10 at 1,000 rows, 200 from 40,000 rows on).
    subsample : float
        Share of rows drawn (without replacement) for each tree.
    colsample_bytree : float
        Share of features drawn for each tree.
    reg_lambda : float
        L2 penalty on leaf values.
    max_bin : int
        Most histogram bins per numeric feature.
    extra_trees : bool
        Draw one random threshold per feature at each split (LightGBM's ``extra_trees``), a
        strong regulariser on small data that costs more trees on large data.
    max_cat_to_onehot : int
        Categorical columns with at most this many levels split one level against the rest;
        columns with more use LightGBM's partition of the levels sorted by gradient, which
        overfits small data more easily (German credit at 5% bad: ROC-AUC 0.72 against 0.70
        with LightGBM's default of 4).
    class_weight : dict, "balanced" or None
        Weights of the classes while growing trees (not while calibrating). ``None`` (the
        default) keeps the data's prevalence: on German credit and CDNOW, ``"balanced"`` ranked
        no better, and without calibration its log loss was far worse (0.54 against 0.50 on
        German credit); calibration repairs that.
    early_stopping_rounds : int or None
        Stop after this many rounds without a better validation log loss; ``None`` grows
        ``n_estimators`` trees.
    validation_fraction : float or None
        Without an ``as_of`` index level or ``eval_set``: the last share of the rows, in the
        order given, that validates. ``None``: no validation part (no early stopping, no
        calibration).
    crossfit_folds : int or None
        Blocks of rows for cross-fitting when the holdout would hold fewer than 100 rows of a
        class (no ``as_of`` level); ``None`` always uses the holdout.
    refit : bool
        Grow the final booster on all rows with the chosen number of trees.
    calibration : {"auto", "isotonic", "sigmoid"} or None
        How raw scores become probabilities; ``None`` keeps LightGBM's sigmoid of the raw score.
    threshold_objective : {"f1", "top_k", "cost"}
        How ``decision_threshold_`` is chosen: the best F1 on the validation rows; flag the
        ``capacity`` share of rows with the highest probability; or the threshold that
        minimises expected cost when a missed positive costs ``cost_ratio`` times a false alarm
        (``1 / (1 + cost_ratio)`` on calibrated probabilities).
    capacity : float
        Share of rows to flag for ``threshold_objective="top_k"``.
    cost_ratio : float
        Cost of a missed positive over the cost of a false alarm, for ``"cost"``.
    n_jobs : int or None
        Threads; ``None`` means 1, ``-1`` all cores.
    random_state : int, RandomState or None
        Seed of row and feature sampling and of the random thresholds. With an int (the
        default, 0), fits are reproducible, whatever ``n_jobs``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (only when ``X`` was a DataFrame with text column names).
    encoder_ : FrameEncoder
        Columns, categorical levels and encoding learned in ``fit``.
    booster_ : lightgbm.Booster
        The final booster.
    best_iteration_ : int
        Number of trees chosen on the validation rows.
    n_estimators_ : int
        Trees in ``booster_``.
    calibration_ : str
        ``"isotonic"``, ``"sigmoid"`` or ``"none"``.
    decision_threshold_ : float
        Calibrated probability above which :meth:`predict` returns the positive class.
    validation_ : dict
        How the validation rows were chosen (``method``, ``folds``), how many (``n_valid``,
        ``valid_positives``) and their log loss before and after calibration.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "num_leaves": [Interval(Integral, 2, None, closed="left")],
        "max_depth": [Interval(Integral, -1, None, closed="left")],
        "min_child_samples": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "max_bin": [Interval(Integral, 2, None, closed="left")],
        "extra_trees": ["boolean"],
        "max_cat_to_onehot": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "early_stopping_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "crossfit_folds": [Interval(Integral, 2, None, closed="left"), None],
        "refit": ["boolean"],
        "calibration": [StrOptions({"auto", "isotonic", "sigmoid"}), None],
        "threshold_objective": [StrOptions({"f1", "top_k", "cost"})],
        "capacity": [Interval(Real, 0, 1, closed="neither")],
        "cost_ratio": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        *,
        num_leaves: int = 7,
        max_depth: int = -1,
        min_child_samples: int | str = "auto",
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 10.0,
        max_bin: int = 255,
        extra_trees: bool = True,
        max_cat_to_onehot: int = 32,
        class_weight: dict[Any, float] | str | None = None,
        early_stopping_rounds: int | None = 100,
        validation_fraction: float | None = 0.2,
        crossfit_folds: int | None = 5,
        refit: bool = True,
        calibration: str | None = "auto",
        threshold_objective: str = "f1",
        capacity: float = 0.1,
        cost_ratio: float = 5.0,
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | None = 0,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.max_bin = max_bin
        self.extra_trees = extra_trees
        self.max_cat_to_onehot = max_cat_to_onehot
        self.class_weight = class_weight
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.crossfit_folds = crossfit_folds
        self.refit = refit
        self.calibration = calibration
        self.threshold_objective = threshold_objective
        self.capacity = capacity
        self.cost_ratio = cost_ratio
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        eval_set: tuple[Any, Any] | None = None,
    ) -> BinaryGBM:
        """Fit the booster, the calibration map and the decision threshold.

        Parameters
        ----------
        X : DataFrame or array of shape (n_samples, n_features)
            Features; numeric, boolean and categorical columns. An index level named
            ``"as_of"`` makes the latest cutoffs the validation part.
        y : array-like of shape (n_samples,)
            Two classes; the larger label (``classes_[1]``) is the positive one.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights, used while growing trees, calibrating and choosing the threshold.
        eval_set : tuple (X_valid, y_valid), optional
            An explicit validation part (later in time than ``X``, its rows weighing 1); then
            all of ``X`` trains and the booster validated on it is kept.

        Returns
        -------
        self
        """
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        encoder = FrameEncoder().fit(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        matrix = encoder.transform(X)
        self.classes_, target = _binary_target(y, name)
        check_consistent_length(matrix, target)
        weight = _sample_weight(sample_weight, len(target))
        self.encoder_ = encoder
        params = self._booster_params(encoder)
        n = len(target)

        if eval_set is not None:
            m_ev, y_ev = self._eval_set(eval_set)
            matrix = np.vstack([matrix, m_ev])
            target = np.r_[target, y_ev]
            weight = np.r_[weight, np.ones(len(y_ev))]
            folds, method = [(np.arange(n), np.arange(n, len(target)))], "eval_set"
        else:
            folds, method = self._folds(X, target)
        fit_weight = weight * self._class_weights(target)
        valid = np.concatenate([va for _, va in folds]) if folds else np.arange(0)
        if not _usable(target[valid]):
            if folds:
                self._warn_no_validation(method)
            return self._fit_without_validation(params, matrix[:n], target[:n], weight[:n])

        params["min_data_in_leaf"] = self._min_leaf(int(np.mean([len(t) for t, _ in folds])))
        boosters, best = _cross_fit(
            params,
            matrix,
            target,
            fit_weight,
            encoder.categorical_indices_,
            folds,
            rounds=self.n_estimators,
            stopping=self.early_stopping_rounds,
        )
        raw = np.concatenate(
            [
                b.predict(matrix[va], raw_score=True, num_iteration=best)
                for b, (_, va) in zip(boosters, folds, strict=True)
            ]
        )
        y_va, w_va = target[valid], weight[valid]
        self.calibration_, self.calibrator_ = calibrate(self.calibration, raw, y_va, w_va)
        p_va = self.calibrator_(raw)
        self.decision_threshold_ = self._threshold(p_va, y_va, w_va)
        self.best_iteration_ = self.n_estimators_ = int(best)
        self.validation_ = {
            "method": method,
            "folds": len(folds),
            "n_valid": len(valid),
            "valid_positives": int(y_va.sum()),
            "log_loss_raw": _log_loss(y_va, expit(raw), w_va),
            "log_loss_calibrated": _log_loss(y_va, p_va, w_va),
        }
        if method == "eval_set" or (len(folds) == 1 and not self.refit):
            # keep the validated booster, without the trees grown after the best one
            model = boosters[0].model_to_string(num_iteration=best)
            self.booster_ = lgb.Booster(model_str=model)
        else:
            params["min_data_in_leaf"] = self._min_leaf(n)
            self.booster_ = _train(
                params, matrix[:n], target[:n], fit_weight[:n], encoder.categorical_indices_, best
            )
        return self

    def _fit_without_validation(
        self, params: dict[str, Any], matrix: np.ndarray, target: np.ndarray, weight: np.ndarray
    ) -> BinaryGBM:
        rounds = self.n_estimators if self.validation_fraction is None else FALLBACK_TREES
        rounds = min(rounds, self.n_estimators)
        params["min_data_in_leaf"] = self._min_leaf(len(target))
        fit_weight = weight * self._class_weights(target)
        self.booster_ = _train(
            params, matrix, target, fit_weight, self.encoder_.categorical_indices_, rounds
        )
        self.best_iteration_ = self.n_estimators_ = rounds
        self.calibration_ = "none"
        self.calibrator_ = Sigmoid(1.0, 0.0)
        raw = self.booster_.predict(matrix, raw_score=True)
        self.decision_threshold_ = self._threshold(expit(raw), target, weight)
        self.validation_ = {"method": "none", "folds": 0, "n_valid": 0}
        return self

    def _eval_set(self, eval_set: Any) -> tuple[np.ndarray, np.ndarray]:
        if not (isinstance(eval_set, tuple | list) and len(eval_set) == 2):
            raise ValueError(
                "eval_set must be a pair (X_valid, y_valid) of data later in time than X, "
                f"got {type(eval_set).__name__}."
            )
        m_ev = self.encoder_.transform(eval_set[0])
        y_ev = _as_labels(eval_set[1], self.classes_, "eval_set[1]")
        check_consistent_length(m_ev, y_ev)
        return m_ev, y_ev

    def _warn_no_validation(self, method: str) -> None:
        logger.warning(
            "%s: the validation rows (%s) lack %d rows of each class; growing %d trees "
            "without early stopping or calibration",
            type(self).__name__,
            method,
            MIN_VALID_CLASS,
            min(FALLBACK_TREES, self.n_estimators),
        )

    def _folds(self, X: Any, target: np.ndarray) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
        """Training and validation positions, and how they were chosen."""
        n = len(target)
        when = _as_of(X)
        if when is not None and len(when.unique()) > 1:
            horizon = pd.Timedelta(days=int(X.attrs.get("horizon_days", 0)))
            folds = _time_folds(when, target, horizon)
            if folds:
                return folds, f"as_of cutoffs, {len(folds)} validating"
            logger.info(
                "every training cutoff's label window overlaps a later cutoff; validating on "
                "the last rows in as_of order instead"
            )
        if self.validation_fraction is None:
            return [], "none"
        order = np.arange(n) if when is None else np.argsort(when.to_numpy(), kind="stable")
        n_valid = max(1, math.ceil(n * float(self.validation_fraction)))
        holdout = [(np.sort(order[:-n_valid]), np.sort(order[-n_valid:]))]
        k = self.crossfit_folds
        if _enough(target[order[-n_valid:]]) or k is None or n < 2 * k:
            return holdout, "last rows"
        blocks = np.array_split(order, k)
        folds = [
            (np.sort(np.concatenate(blocks[:i] + blocks[i + 1 :])), np.sort(blocks[i]))
            for i in range(k)
        ]
        return folds, f"{k}-fold cross-fitting over row blocks"

    # ------------------------------------------------------------------ pieces
    def _class_weights(self, target: np.ndarray) -> np.ndarray:
        if self.class_weight is None:
            return np.ones(len(target))
        if self.class_weight == "balanced":
            counts = np.bincount(target, minlength=2).astype(np.float64)
            per_class = len(target) / (2.0 * np.maximum(counts, 1.0))
        else:
            assert isinstance(self.class_weight, Mapping)
            unknown = [k for k in self.class_weight if k not in self.classes_]
            if unknown:
                raise ValueError(
                    f"class_weight names labels {unknown} that are not in y's classes "
                    f"{list(self.classes_)}; key the weights by the labels in y."
                )
            per_class = np.array([float(self.class_weight.get(c, 1.0)) for c in self.classes_])
        return np.asarray(per_class[target], dtype=np.float64)

    def _min_leaf(self, n_train: int) -> int:
        if self.min_child_samples == "auto":
            return int(np.clip(round(0.005 * n_train), 10, 200))
        return int(self.min_child_samples)

    def _booster_params(self, encoder: FrameEncoder) -> dict[str, Any]:
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        params: dict[str, Any] = {
            "objective": "binary",
            "metric": "binary_logloss",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_sum_hessian_in_leaf": 1e-3,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1 else 0,
            "feature_fraction": self.colsample_bytree,
            "lambda_l2": self.reg_lambda,
            "max_bin": self.max_bin,
            "extra_trees": bool(self.extra_trees),
            "max_cat_to_onehot": self.max_cat_to_onehot,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": _threads(self.n_jobs),
            "verbosity": -1,
        }
        params.update(self._extra_booster_params(encoder))
        return params

    def _extra_booster_params(self, encoder: FrameEncoder) -> dict[str, Any]:
        """Subclass hook: more LightGBM parameters (e.g. monotone constraints)."""
        return {}

    def _threshold(self, p: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
        objective = self.threshold_objective
        if objective == "cost":
            return 1.0 / (1.0 + float(self.cost_ratio))
        order = np.argsort(-p, kind="stable")
        p_sorted = p[order]
        if objective == "top_k":
            k = round(float(self.capacity) * len(p))
            if k >= len(p):
                return float(np.nextafter(p_sorted[-1], -np.inf))
            return float(p_sorted[k])
        # F1 when flagging the top j rows: 2 TP / (flagged + positives), weighted
        wy = (w * y)[order]
        tp = np.cumsum(wy)
        flagged = np.cumsum(w[order])
        f1 = 2 * tp / np.maximum(flagged + tp[-1], 1e-12)
        cut = np.r_[p_sorted[1:] < p_sorted[:-1], True]  # cut only between distinct values
        j = int(np.argmax(np.where(cut, f1, -1.0)))
        return float(p_sorted[j + 1]) if j + 1 < len(p) else float(np.nextafter(p_sorted[-1], -1))

    # ------------------------------------------------------------------ predict
    def _encode(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        by_name = isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_")
        if not by_name and (isinstance(X, pd.DataFrame) or np.asarray(X).ndim == 2):
            # counts the features; warns when names were seen in fit but X has none, or the
            # reverse (frames with the fitted names are matched by name, in any order)
            validate_data(self, X, reset=False, skip_check_array=True)
        return self.encoder_.transform(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return calibrated class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : DataFrame or array of shape (n_samples, n_features)
            Columns as in ``fit`` (matched by name for DataFrames, any order).

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        matrix = self._encode(X)
        raw = self.booster_.predict(matrix, raw_score=True, num_threads=_threads(self.n_jobs))
        p = np.clip(self.calibrator_(np.asarray(raw, dtype=np.float64)), 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Return ``classes_[1]`` where the probability exceeds ``decision_threshold_``."""
        p = self.predict_proba(X)[:, 1]
        return np.asarray(self.classes_[(p > self.decision_threshold_).astype(np.int64)])

    def contributions(self, X: Any) -> pd.DataFrame:
        """Split each raw score (log-odds) into per-feature contributions plus a bias.

        The values are LightGBM's exact tree SHAP values (``pred_contrib``) of the final
        booster, before calibration: each row sums to the raw score whose calibrated
        probability :meth:`predict_proba` returns.

        Parameters
        ----------
        X : DataFrame or array of shape (n_samples, n_features)

        Returns
        -------
        DataFrame
            Same index as ``X``; one column per fitted feature and a ``bias`` column.
        """
        matrix = self._encode(X)
        contrib = self.booster_.predict(
            matrix, pred_contrib=True, num_threads=_threads(self.n_jobs)
        )
        columns = self.encoder_.feature_index("bias")
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(matrix))
        return pd.DataFrame(np.asarray(contrib), index=index, columns=columns)

    def explain(self, X: Any, top_k: int = 5, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return the ``top_k`` reason codes of each row's score.

        Parameters
        ----------
        X : DataFrame or array of shape (n_samples, n_features)
        top_k : int
            Reasons per row, strongest first (by absolute log-odds contribution).
        catalog : DataFrame, optional
            Feature wording (``zh``, ``en``, ``unit``); defaults to
            :func:`custintel.features.feature_catalog` when it names any fitted column.

        Returns
        -------
        DataFrame
            Long format, as :func:`custintel.explain.reason_codes`: ``rank``, ``feature``,
            ``value``, ``contribution`` (log-odds), ``zh`` and ``en``.
        """
        contrib = self.contributions(X)
        encoder = self.encoder_
        if (
            isinstance(X, pd.DataFrame)
            and not encoder.from_array_
            and all(isinstance(c, str) for c in X.columns.tolist())
        ):
            # X holds every fitted column by name (contributions read them) and has the index
            # of contrib: reason_codes picks the fitted columns out of it as they are
            frame = X
        else:
            frame = encoder.frame(X).set_axis(contrib.index)
        if catalog is None:
            default = _default_catalog()
            if any(name in default.index for name in encoder.feature_names_in_):
                catalog = default
        return reason_codes(contrib, frame, top_k=top_k, catalog=catalog)


# ---------------------------------------------------------------------- helpers
@cache
def _default_catalog() -> pd.DataFrame:
    """Return the default builders' feature catalog, built once per process (read-only)."""
    return feature_catalog()


def _dataset(
    params: dict[str, Any],
    matrix: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    categorical: list[int],
    reference: lgb.Dataset | None = None,
) -> lgb.Dataset:
    return lgb.Dataset(
        matrix,
        label=target,
        weight=weight,
        categorical_feature=categorical,
        params={"max_bin": params["max_bin"], "verbosity": -1},
        reference=reference,
        free_raw_data=True,
    )


def _train(
    params: dict[str, Any],
    matrix: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    categorical: list[int],
    rounds: int,
) -> lgb.Booster:
    dtrain = _dataset(params, matrix, target, weight, categorical)
    return lgb.train(params, dtrain, num_boost_round=rounds)


def _cross_fit(
    params: dict[str, Any],
    matrix: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    categorical: list[int],
    folds: list[tuple[np.ndarray, np.ndarray]],
    *,
    rounds: int,
    stopping: int | None,
) -> tuple[list[lgb.Booster], int]:
    """Grow one booster per fold in step; stop on the pooled validation log loss.

    Returns the boosters and the number of trees with the lowest log loss over all validation
    rows together (each fold's loss weighted by its rows' total weight).
    """
    boosters, sizes = [], []
    for tr, va in folds:
        dtrain = _dataset(params, matrix[tr], target[tr], weight[tr], categorical)
        booster = lgb.Booster(params=params, train_set=dtrain)
        dvalid = _dataset(params, matrix[va], target[va], weight[va], categorical, dtrain)
        booster.add_valid(dvalid, "valid")
        boosters.append(booster)
        sizes.append(float(weight[va].sum()))
    share = np.asarray(sizes) / max(sum(sizes), 1e-12)
    best, best_loss = 1, math.inf
    for it in range(1, rounds + 1):
        loss, finished = 0.0, True
        for booster, s in zip(boosters, share, strict=True):
            finished &= bool(booster.update())
            loss += s * float(booster.eval_valid()[0][2])
        if loss < best_loss:
            best, best_loss = it, loss
        elif stopping is not None and it - best >= stopping:
            break
        if finished:  # no booster can split any more
            break
    for booster in boosters:
        booster.free_dataset()
    return boosters, best


def _time_folds(
    when: pd.Index, target: np.ndarray, horizon: pd.Timedelta
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Expanding-window folds: validate on the latest cutoffs, newest first, until enough.

    Each fold validates one cutoff with the earlier cutoffs whose label window ends by it (as
    :func:`custintel.features.time_split`). Folds are added until the validation rows hold
    ``ENOUGH_CLASS`` rows of each class or no earlier cutoff is left.
    """
    times = sorted(when.unique())
    folds: list[tuple[np.ndarray, np.ndarray]] = []
    for k in range(len(times) - 1, 0, -1):
        train_times = [t for t in times[:k] if t + horizon <= times[k]]
        if not train_times:
            break
        va = np.flatnonzero(when == times[k])
        folds.append((np.flatnonzero(when.isin(train_times)), va))
        if _enough(target[np.concatenate([v for _, v in folds])]):
            break
    return folds


def _enough(y: np.ndarray) -> bool:
    return bool(len(y) and min(int(y.sum()), int(len(y) - y.sum())) >= ENOUGH_CLASS)


def _usable(y: np.ndarray) -> bool:
    return bool(len(y) and min(int(y.sum()), int(len(y) - y.sum())) >= MIN_VALID_CLASS)


def _as_of(X: Any) -> pd.Index | None:
    if isinstance(X, pd.DataFrame) and "as_of" in (X.index.names or []):
        return X.index.get_level_values("as_of")
    return None


def _threads(n_jobs: int | None) -> int:
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


def _binary_target(y: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    classes, target = np.unique(y, return_inverse=True)
    if len(classes) > 2:
        raise ValueError(
            f"Only binary classification is supported. {name} got y with {len(classes)} "
            f"classes: {reprlib.repr(list(classes))}; pass 0/1 labels (e.g. churn_labels)."
        )
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs both classes in y, but y has 1 class ({classes[0]!r}); choose a "
            "wider time range or population so that both outcomes occur."
        )
    return classes, target.astype(np.int64)


def _as_labels(y: Any, classes: np.ndarray, what: str) -> np.ndarray:
    y = column_or_1d(y)
    pos = np.searchsorted(classes, y)
    pos = np.clip(pos, 0, len(classes) - 1)
    if not np.all(classes[pos] == y):
        raise ValueError(f"{what} has labels outside the classes {list(classes)} of y.")
    return pos.astype(np.int64)


def _sample_weight(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(
            f"sample_weight.shape == {w.shape}, expected ({n},): one weight per row of X."
        )
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    if not (w > 0).any():
        raise ValueError("sample_weight is zero for every row; give some rows a weight above 0.")
    return w


def _log_loss(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log1p(-p))) / np.sum(w))
