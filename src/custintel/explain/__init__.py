"""Explanations of model predictions: reason codes, tree contributions and SHAP plots.

Tree models split each prediction's raw score into one contribution per feature plus a bias
(exact tree SHAP values, :func:`tree_contributions`). For the binary LightGBM models (churn,
credit, supervised fraud) the raw score is the **log-odds, not the probability**: the
contributions add up, with the bias, to the logit of the model's uncalibrated probability, and
a contribution says how much a feature moved the log-odds. :func:`reason_codes` turns any such
additive split into the top-k Chinese and English sentences a reviewer reads; the
``plot_shap_*`` functions draw it (shap and matplotlib are imported only when a plot is drawn,
so importing this package stays light).

>>> import pandas as pd
>>> contrib = pd.DataFrame({"recency_days": [0.8], "orders_90d": [-0.1], "bias": [-2.0]})
>>> X = pd.DataFrame({"recency_days": [120.0], "orders_90d": [1.0]})
>>> reason_codes(contrib, X, top_k=1)["en"].tolist()
['recency_days: 120 (+0.80)']
"""

from custintel.explain.reasons import REASON_COLUMNS, UNITS, format_value, reason_codes
from custintel.explain.shap_plots import (
    plot_shap_bar,
    plot_shap_dependence,
    plot_shap_summary,
    plot_shap_waterfall,
)
from custintel.explain.tree import BIAS, tree_contributions

__all__ = [
    "BIAS",
    "REASON_COLUMNS",
    "UNITS",
    "format_value",
    "plot_shap_bar",
    "plot_shap_dependence",
    "plot_shap_summary",
    "plot_shap_waterfall",
    "reason_codes",
    "tree_contributions",
]
