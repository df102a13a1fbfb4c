"""Exact per-feature contributions of a LightGBM model's predictions (tree SHAP values).

LightGBM computes, for each prediction, the SHAP values of every feature with the exact
path-dependent tree algorithm (``Booster.predict(..., pred_contrib=True)``), the same numbers
``shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")`` returns. They add up,
with the bias (the expected raw score over the training data as the trees saw it), to the raw
score of the row: for a binary model that is the **log-odds**, not the probability. So the
contributions say by how much each feature moved the log-odds; the probability is
``1 / (1 + exp(-(bias + sum of contributions)))``.

lightgbm is imported only when a model is given, so ``import custintel.explain`` stays light.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Name of the column holding the bias (expected raw score) in a contributions frame.
BIAS = "bias"


def tree_contributions(
    model: Any,
    X: Any,
    feature_names: Sequence[str] | None = None,
    *,
    index: Sequence[object] | pd.Index | None = None,
) -> pd.DataFrame:
    """Per-feature contributions (tree SHAP values) of each prediction, plus the bias.

    Parameters
    ----------
    model : lightgbm.Booster or lightgbm.LGBMModel
        A fitted single-output model: binary classifier (raw score = log-odds) or regressor.
        A scikit-learn style ``LGBMClassifier``/``LGBMRegressor`` is read through its
        ``booster_``.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The rows to explain, encoded exactly as the model was trained on (for categorical
        features, the same integer codes or pandas categories).
    feature_names : sequence of str, optional
        Column names of the result; by default the columns of ``X`` when it is a DataFrame,
        else the model's feature names.
    index : sequence or Index, optional
        Row labels of the result; by default the index of ``X`` when it is a DataFrame, else
        ``0 .. n-1``.

    Returns
    -------
    DataFrame
        One row per row of ``X``, one column per feature, plus a last column ``"bias"``.
        Each row sums to the model's raw score (``model.predict(X, raw_score=True)``): the
        log-odds for a binary model. Feed it to :func:`custintel.explain.reason_codes`.

    Raises
    ------
    TypeError
        If ``model`` is not a LightGBM model.
    ValueError
        If the model has several outputs (multiclass), or the names do not fit ``X``.

    Examples
    --------
    >>> import lightgbm as lgb
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    >>> y = (X["a"] + 0.5 * rng.normal(size=200) > 0).astype(int)
    >>> booster = lgb.train(
    ...     {"objective": "binary", "verbose": -1}, lgb.Dataset(X, y), num_boost_round=10
    ... )
    >>> contrib = tree_contributions(booster, X)
    >>> contrib.columns.tolist()
    ['a', 'b', 'bias']
    >>> bool(np.allclose(contrib.sum(axis=1), booster.predict(X, raw_score=True)))
    True
    """
    booster = _booster(model)
    if booster.num_model_per_iteration() != 1:
        raise ValueError(
            f"The model has {booster.num_model_per_iteration()} outputs per row (multiclass); "
            "tree_contributions explains single-output models (binary or regression). Fit one "
            "binary model per class (one-vs-rest) to explain each class."
        )
    n_features = booster.num_feature()
    if feature_names is None:
        feature_names = (
            [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else booster.feature_name()
        )
    names = [str(n) for n in feature_names]
    if len(names) != n_features:
        raise ValueError(
            f"feature_names has {len(names)} names but the model reads {n_features} features; "
            f"got {reprlib.repr(names)}."
        )
    if BIAS in names or len(set(names)) != len(names):
        raise ValueError(
            f"feature_names must be unique and must not contain {BIAS!r} (the bias column); "
            f"got {reprlib.repr(names)}."
        )
    if index is None:
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(_n_rows(X))
    values = np.asarray(booster.predict(X, pred_contrib=True), dtype=np.float64)
    if values.shape[1] != n_features + 1:  # pragma: no cover - guarded by the multiclass check
        raise ValueError(f"unexpected pred_contrib shape {values.shape}")
    return pd.DataFrame(values, columns=[*names, BIAS], index=pd.Index(index))


def _booster(model: Any) -> Any:
    import lightgbm as lgb

    if isinstance(model, lgb.Booster):
        return model
    if isinstance(model, lgb.LGBMModel):
        return model.booster_
    raise TypeError(
        f"model must be a lightgbm.Booster or a fitted LGBMClassifier/LGBMRegressor, got "
        f"{type(model).__name__}."
    )


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)
