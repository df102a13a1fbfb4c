"""Plots of risk scores and labels: reliability, ROC, precision-recall, gain, lift, confusion.

Each ``plot_*`` function computes what it draws from the labels ``y`` and the scores ``p``,
draws it on ``ax`` (a new figure when ``None``) and returns the Axes; saving is left to the
caller (``ax.figure.savefig(...)``). This is the only evaluation module that imports matplotlib.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_curve,
)

from custintel.evaluation.metrics import _labels_and_scores, lift_table

__all__ = [
    "plot_confusion_matrix",
    "plot_gain",
    "plot_lift",
    "plot_pr",
    "plot_reliability",
    "plot_roc",
]


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    return ax


def plot_reliability(
    y: Any,
    p: Any,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    label: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Reliability diagram: observed positive rate against mean predicted probability.

    A calibrated model lies on the diagonal.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float
        Predicted probabilities.
    n_bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        Bins of equal size (``quantile``) or equal width.
    label : str, optional
        Legend entry of the curve.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_reliability([0, 0, 1, 1, 0, 1], [.1, .3, .6, .8, .2, .9], n_bins=2)
    >>> ax.get_xlabel()
    'mean predicted probability'
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    observed, predicted = calibration_curve(y_arr, p_arr, n_bins=n_bins, strategy=strategy)
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    ax.plot(predicted, observed, marker="o", label=label or "model")
    ax.set(xlabel="mean predicted probability", ylabel="observed positive rate", xlim=(0, 1))
    ax.set_ylim(0, 1)
    ax.set_title("Reliability")
    ax.legend(loc="upper left")
    return ax


def plot_roc(y: Any, p: Any, *, label: str | None = None, ax: Axes | None = None) -> Axes:
    """ROC curve with its area in the legend.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.get_legend().get_texts()[-1].get_text()
    'model (AUC 0.750)'
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    fpr, tpr, _ = roc_curve(y_arr, p_arr)
    auc = float(np.trapezoid(tpr, fpr))
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.plot(fpr, tpr, label=f"{label or 'model'} (AUC {auc:.3f})")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    return ax


def plot_pr(y: Any, p: Any, *, label: str | None = None, ax: Axes | None = None) -> Axes:
    """Precision-recall curve, with the base rate (a useless score) for reference.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_pr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.get_ylabel()
    'precision'
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    precision, recall, _ = precision_recall_curve(y_arr, p_arr)
    ap = float(average_precision_score(y_arr, p_arr))
    ax = _axes(ax)
    base = float(y_arr.mean())
    ax.axhline(base, linestyle=":", color="grey", label=f"base rate {base:.3f}")
    ax.step(recall, precision, where="post", label=f"{label or 'model'} (AP {ap:.3f})")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper right")
    return ax


def plot_gain(y: Any, p: Any, *, label: str | None = None, ax: Axes | None = None) -> Axes:
    """Cumulative gain: share of all positives found in the top share of scores.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_gain([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> ax.lines[-1].get_ydata().tolist()
    [0.0, 0.5, 0.5, 1.0, 1.0]
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    order = np.argsort(-p_arr, kind="stable")
    share = np.arange(len(y_arr) + 1) / len(y_arr)
    found = np.r_[0.0, np.cumsum(y_arr[order])] / max(y_arr.sum(), 1)
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="random")
    ax.plot(share, found, label=label or "model")
    ax.set(xlabel="share of rows, highest scores first", ylabel="share of positives found")
    ax.set_title("Cumulative gain")
    ax.legend(loc="lower right")
    return ax


def plot_lift(
    y: Any, p: Any, *, bins: int = 10, label: str | None = None, ax: Axes | None = None
) -> Axes:
    """Lift by score band (bars) and cumulative lift (line), from :func:`lift_table`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_lift([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], bins=2)
    >>> [float(b.get_height()) for b in ax.patches]
    [1.0, 1.0]
    """
    table = lift_table(y, p, bins=bins)
    ax = _axes(ax)
    ax.bar(table.index, table["lift"], color="C0", alpha=0.6, label=f"{label or 'model'} lift")
    ax.plot(table.index, table["cum_lift"], marker="o", color="C1", label="cumulative lift")
    ax.axhline(1.0, linestyle=":", color="grey")
    ax.set(xlabel="score band (1 = highest scores)", ylabel="lift over the base rate")
    ax.set_xticks(table.index)
    ax.set_title("Lift")
    ax.legend(loc="upper right")
    return ax


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    normalize: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Confusion matrix of predicted labels: true labels down, predicted labels across.

    Parameters
    ----------
    y_true : array-like
        True labels.
    y_pred : array-like
        Predicted labels (for a score, apply the decision threshold first).
    labels : array-like, optional
        Labels to show, in order; defaults to every label seen in ``y_true`` or ``y_pred``.
    normalize : {"true", "pred", "all"}, optional
        Show shares of each true row, each predicted column or of all rows instead of counts.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1])
    >>> [t.get_text() for t in ax.texts]
    ['1', '1', '0', '2']
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize must be None, 'true', 'pred' or 'all'; got {normalize!r}. Pass "
            "normalize='true' for the share of each true label."
        )
    true = np.asarray(y_true)
    pred = np.asarray(y_pred)
    names = np.unique(np.r_[true, pred]) if labels is None else np.asarray(labels)
    matrix = confusion_matrix(true, pred, labels=names, normalize=normalize)
    ax = _axes(ax)
    image = ax.imshow(matrix, cmap="Blues", vmin=0)
    threshold = (matrix.max() + matrix.min()) / 2
    for (i, j), value in np.ndenumerate(matrix):
        text = f"{value:.2f}" if normalize else f"{value:,.0f}"
        colour = "white" if value > threshold else "black"
        ax.text(j, i, text, ha="center", va="center", color=colour)
    ticks = np.arange(len(names))
    ax.set_xticks(ticks, [str(n) for n in names])
    ax.set_yticks(ticks, [str(n) for n in names])
    ax.set(xlabel="predicted label", ylabel="true label", title="Confusion matrix")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax
