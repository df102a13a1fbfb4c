"""Helpers the tracking tests call directly."""

from __future__ import annotations

import pandas as pd
from sklearn.metrics import roc_auc_score


def roc_auc(model, holdout):
    """ROC AUC of ``model`` on ``holdout`` (the ``score_holdout`` of a churn result)."""
    return float(roc_auc_score(holdout.y, model.predict_proba(holdout.X)[:, 1]))


def customer_index(n: int) -> pd.Index:
    """Customer ids ``C0000`` .. for ``n`` customers."""
    return pd.Index([f"C{i:04d}" for i in range(n)], name="customer_id")
