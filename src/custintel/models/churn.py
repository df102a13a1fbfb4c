"""Churn risk: the probability that a customer places no order in the next horizon."""

from __future__ import annotations

from custintel.models._gbm import BinaryGBM


class ChurnModel(BinaryGBM):
    """Calibrated LightGBM churn model with reason codes.

    Fit it on a stacked training frame from :func:`custintel.features.build_training_frame`
    (rows indexed by ``as_of`` and ``customer_id``, label from
    :func:`custintel.features.churn_labels`): the last cutoff then chooses the number of trees,
    calibrates the probabilities and sets the decision threshold, and the final model is refit
    on every cutoff. Any other feature frame works too, its rows in time order (the last
    ``validation_fraction`` validates). See :class:`~custintel.models._gbm.BinaryGBM` for the
    parameters.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_child_samples, subsample, \
colsample_bytree, reg_lambda, max_bin, extra_trees, max_cat_to_onehot, class_weight, \
early_stopping_rounds, validation_fraction, crossfit_folds, refit, calibration, \
threshold_objective, capacity, cost_ratio, n_jobs, random_state
        As in :class:`~custintel.models._gbm.BinaryGBM`.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, encoder_, booster_, best_iteration_, \
n_estimators_, calibration_, decision_threshold_, validation_
        As in :class:`~custintel.models._gbm.BinaryGBM`.

    Notes
    -----
    Measured with the defaults (``benchmarks/bench_models_public.py`` and the tests): on the
    3,000-customer demo data, trained on three quarterly cutoffs and scored on the next, ROC-AUC
    0.874 against 0.852 for recency alone; on CDNOW's public purchase history, ROC-AUC 0.840,
    Brier 0.088, against 0.830 and 0.089 for a BG/NBD model's probability of no purchase.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from custintel.models.churn import ChurnModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({
    ...     "recency_days": rng.exponential(60, 2_000),
    ...     "orders_365d": rng.poisson(4, 2_000).astype(float),
    ...     "channel": rng.choice(["app", "web", "wechat"], 2_000),
    ... })
    >>> logit = X["recency_days"] / 40 - X["orders_365d"] / 2
    >>> y = (rng.random(2_000) < 1 / (1 + np.exp(-logit))).astype(int)
    >>> model = ChurnModel(threshold_objective="top_k", capacity=0.2).fit(X, y)
    >>> p = model.predict_proba(X)[:, 1]
    >>> bool(p[y == 1].mean() > p[y == 0].mean() + 0.3)
    True
    >>> round(float(model.predict(X).mean()), 1)
    0.2
    >>> model.explain(X.head(1), top_k=2).columns.tolist()
    ['rank', 'feature', 'value', 'contribution', 'zh', 'en']
    """
