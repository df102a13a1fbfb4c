"""Metrics and plots for evaluating fitted models.

Metrics live here; plots live in :mod:`custintel.evaluation.plots` (ROC, PR, reliability,
gain and lift), :mod:`custintel.evaluation.segment_plots` (segment profiles and sizes) and
:mod:`custintel.evaluation.forecast_plots` (forecast fans), so importing this package does not
load matplotlib.

>>> from custintel.evaluation import binary_report
>>> report = binary_report([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> round(float(report["roc_auc"]), 2)
0.75
"""

from custintel.evaluation.forecast_metrics import (
    coverage,
    forecast_report,
    mase,
    pinball_loss,
    smape,
    wape,
)
from custintel.evaluation.metrics import binary_report, gini, ks_statistic, lift_table, psi

__all__ = [
    "binary_report",
    "coverage",
    "forecast_report",
    "gini",
    "ks_statistic",
    "lift_table",
    "mase",
    "pinball_loss",
    "psi",
    "smape",
    "wape",
]
