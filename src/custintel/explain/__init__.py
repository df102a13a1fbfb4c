"""Explanations of tree-model predictions: reason codes and SHAP plots.

Contributions are in the model's raw-score space: log-odds for the binary LightGBM models
(churn, credit, supervised fraud), so they add up, with the bias, to the logit of the
uncalibrated probability.
"""

from custintel.explain.reasons import REASON_COLUMNS, format_value, reason_codes

__all__ = ["REASON_COLUMNS", "format_value", "reason_codes"]
