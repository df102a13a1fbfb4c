"""Metrics of binary risk scores: ranking, calibration, lift, KS, Gini and population stability.

Every function takes the true 0/1 labels ``y`` and the scores ``p`` (probabilities of the
positive class, or any score where higher means riskier, for the ranking metrics) as array-likes
of one value per row.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
    roc_curve,
)

__all__ = ["binary_report", "gini", "ks_statistic", "lift_table", "psi"]


def _labels_and_scores(y: Any, p: Any) -> tuple[np.ndarray, np.ndarray]:
    y_arr = np.asarray(y).ravel()
    p_arr = np.asarray(p, dtype=np.float64).ravel()
    if y_arr.shape != p_arr.shape:
        raise ValueError(f"y has {y_arr.size} values but p has {p_arr.size}; pass one per row.")
    if p_arr.size == 0:
        raise ValueError("y and p are empty; pass at least one row of each class.")
    if not np.all(np.isfinite(p_arr)):
        raise ValueError("p holds NaN or infinite scores; score every row before evaluating.")
    values = set(np.unique(y_arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(
            f"y must hold 0/1 labels, got values {sorted(values, key=str)[:5]}; "
            "encode the positive class as 1."
        )
    return y_arr.astype(np.int64), p_arr


def _top_rows(n: int, top: float) -> int:
    if not 0 < top <= 1:
        raise ValueError(f"top must be a share in (0, 1], got {top}.")
    return max(1, round(top * n))


def binary_report(y: Any, p: Any, *, top: float = 0.10) -> pd.Series:
    """Summarise a probability score: ranking, calibration and lift at the top.

    Parameters
    ----------
    y : array-like of 0/1
        True labels.
    p : array-like of float
        Predicted probabilities of the positive class.
    top : float
        Share of rows with the highest scores for ``lift`` and ``capture``.

    Returns
    -------
    Series
        ``n``, ``positives``, ``base_rate``, ``roc_auc``, ``pr_auc`` (average precision),
        ``log_loss``, ``brier``, ``ks``, ``gini``, ``lift`` (positive rate in the top share
        over the base rate) and ``capture`` (share of all positives found in the top share).
        The ranking metrics are NaN when ``y`` holds one class only.

    Examples
    --------
    >>> r = binary_report([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], top=0.25)
    >>> float(r["roc_auc"]), float(r["lift"]), float(r["capture"])
    (0.75, 2.0, 0.5)
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    n, positives = len(y_arr), int(y_arr.sum())
    both = 0 < positives < n
    k = _top_rows(n, top)
    first = np.argsort(-p_arr, kind="stable")[:k]
    top_rate = float(y_arr[first].mean())
    base = positives / n
    nan = float("nan")
    clipped = np.clip(p_arr, 1e-15, 1 - 1e-15)
    auc = float(roc_auc_score(y_arr, p_arr)) if both else nan
    return pd.Series(
        {
            "n": float(n),
            "positives": float(positives),
            "base_rate": base,
            "roc_auc": auc,
            "pr_auc": float(average_precision_score(y_arr, p_arr)) if both else nan,
            "log_loss": float(log_loss(y_arr, clipped, labels=[0, 1])),
            "brier": float(brier_score_loss(y_arr, p_arr, pos_label=1)) if both else nan,
            "ks": ks_statistic(y_arr, p_arr) if both else nan,
            "gini": 2 * auc - 1,
            "lift": top_rate / base if positives else nan,
            "capture": float(y_arr[first].sum()) / positives if positives else nan,
        },
        name="binary_report",
    )


def ks_statistic(y: Any, p: Any) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score CDFs of the classes.

    Equals ``max(TPR - FPR)`` over all thresholds; 0 for a useless score, 1 for a perfect one.

    Examples
    --------
    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.5
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    if y_arr.min() == y_arr.max():
        raise ValueError("ks_statistic needs both classes in y.")
    fpr, tpr, _ = roc_curve(y_arr, p_arr)
    return float(np.max(tpr - fpr))


def gini(y: Any, p: Any) -> float:
    """Gini coefficient (accuracy ratio) of a score: ``2 * ROC-AUC - 1``.

    Examples
    --------
    >>> gini([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.5
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    if y_arr.min() == y_arr.max():
        raise ValueError("gini needs both classes in y.")
    return 2.0 * float(roc_auc_score(y_arr, p_arr)) - 1.0


def psi(expected_scores: Any, actual_scores: Any, bins: int = 10) -> float:
    """Compute the population stability index of a score between two populations.

    The bins are the quantiles of ``expected_scores`` (the reference, e.g. the training
    period); ``PSI = sum((a - e) * ln(a / e))`` over the bins' shares ``e`` and ``a``. Empty
    bins count as a share of 0.0001 so the index stays finite. Rule of thumb: below 0.1
    stable, 0.1 to 0.25 a shift worth watching, above 0.25 a major shift.

    Parameters
    ----------
    expected_scores : array-like of float
        Scores of the reference population.
    actual_scores : array-like of float
        Scores of the population to compare.
    bins : int
        Number of quantile bins (fewer when the reference has ties at the edges).

    Returns
    -------
    float

    Examples
    --------
    >>> expected = [1, 2, 3, 4]
    >>> round(psi(expected, [1, 2, 3, 4], bins=2), 6)
    0.0
    >>> round(psi(expected, [1, 1, 1, 4], bins=2), 4)  # halves: 0.5/0.5 -> 0.75/0.25
    0.2747
    """
    e = np.asarray(expected_scores, dtype=np.float64).ravel()
    a = np.asarray(actual_scores, dtype=np.float64).ravel()
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}.")
    if e.size == 0 or a.size == 0:
        raise ValueError("psi needs scores in both populations.")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(a))):
        raise ValueError("psi scores must be finite; drop or impute missing scores first.")
    inner = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)[1:-1]))
    # bin i holds scores in (edge[i-1], edge[i]]: right-closed, so quantile ties stay together
    e_share = np.bincount(np.searchsorted(inner, e, side="left"), minlength=len(inner) + 1)
    a_share = np.bincount(np.searchsorted(inner, a, side="left"), minlength=len(inner) + 1)
    floor = 1e-4
    e_frac = np.maximum(e_share / e.size, floor)
    a_frac = np.maximum(a_share / a.size, floor)
    return float(np.sum((a_frac - e_frac) * np.log(a_frac / e_frac)))


def lift_table(y: Any, p: Any, bins: int = 10) -> pd.DataFrame:
    """Positives, rate, lift and cumulative capture by score band, highest scores first.

    Rows are sorted by score (descending, ties in input order) and cut into ``bins`` bands of
    equal size (the first bands get the extra row when ``n`` is not a multiple).

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float
    bins : int
        Number of bands (10: deciles).

    Returns
    -------
    DataFrame
        Indexed by ``band`` (1 = highest scores), with ``n``, ``positives``, ``min_score``,
        ``max_score``, ``rate``, ``lift`` (rate over the base rate), ``cum_share`` (share of
        rows so far), ``cum_capture`` (share of all positives so far) and ``cum_lift``.

    Examples
    --------
    >>> t = lift_table([1, 0, 1, 0, 0, 0, 0, 0, 0, 1], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0],
    ...                bins=5)
    >>> t[["n", "positives", "lift", "cum_capture"]].round(2)
            n  positives  lift  cum_capture
    band
    1     2.0        1.0  1.67         0.33
    2     2.0        1.0  1.67         0.67
    3     2.0        0.0  0.00         0.67
    4     2.0        0.0  0.00         0.67
    5     2.0        1.0  1.67         1.00
    """
    y_arr, p_arr = _labels_and_scores(y, p)
    n = len(y_arr)
    if not 1 <= bins <= n:
        raise ValueError(f"bins must be between 1 and the number of rows ({n}), got {bins}.")
    order = np.argsort(-p_arr, kind="stable")
    band = np.empty(n, dtype=np.int64)
    band[order] = np.arange(n) * bins // n + 1
    frame = pd.DataFrame({"band": band, "y": y_arr, "p": p_arr})
    table = frame.groupby("band").agg(
        n=("y", "size"), positives=("y", "sum"), min_score=("p", "min"), max_score=("p", "max")
    )
    table = table.astype({"n": np.float64, "positives": np.float64})
    base = y_arr.mean()
    table["rate"] = table["positives"] / table["n"]
    table["lift"] = table["rate"] / base if base > 0 else math.nan
    table["cum_share"] = table["n"].cumsum() / n
    total = y_arr.sum()
    table["cum_capture"] = table["positives"].cumsum() / total if total else math.nan
    table["cum_lift"] = table["cum_capture"] / table["cum_share"]
    return table
