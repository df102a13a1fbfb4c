"""Per-prediction reason codes: the features that pushed one score up or down, in words.

Tree models give each prediction an additive split of its raw score (log-odds for a binary
LightGBM model) into one contribution per feature plus a bias; SHAP values of a tree ensemble
computed exactly (LightGBM's ``pred_contrib``, ``shap.TreeExplainer``). :func:`reason_codes`
turns such a matrix into the top-k sentences a reviewer reads, using the feature catalog for the
Chinese and English wording: ``近90天配送异常次数: 3 次 (+0.21)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

#: How each catalog unit is written after a value.
UNITS: Mapping[str, tuple[str, str]] = {
    "days": ("天", "days"),
    "hours": ("小时", "hours"),
    "count": ("次", ""),
    "CNY": ("元", "CNY"),
    "share": ("", ""),
    "ratio": ("", ""),
    "flag": ("", ""),
    "tier": ("", ""),
    "stars": ("星", "stars"),
    "category": ("", ""),
}

REASON_COLUMNS = ["rank", "feature", "value", "contribution", "zh", "en"]


def format_value(value: object, unit: str) -> tuple[str, str]:
    """Write one feature value with its unit, in Chinese and English."""
    zh_unit, en_unit = UNITS.get(unit, ("", unit))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "缺失", "missing"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if unit == "share":
            text = f"{number:.0%}"
        elif number.is_integer():
            text = f"{int(number):d}"
        else:
            text = f"{number:,.2f}" if abs(number) < 1e6 else f"{number:,.0f}"
    else:
        text = str(value)
    zh = f"{text} {zh_unit}".strip()
    en = f"{text} {en_unit}".strip()
    return zh, en


def reason_codes(
    contributions: pd.DataFrame,
    X: pd.DataFrame,
    *,
    top_k: int = 5,
    catalog: pd.DataFrame | None = None,
    sign: Literal["both", "positive", "negative"] = "both",
) -> pd.DataFrame:
    """Turn per-feature contributions into the top-k readable reasons per row.

    Parameters
    ----------
    contributions : DataFrame
        One row per prediction, one column per feature (extra columns such as a bias term
        named ``"bias"`` are ignored), values in the model's raw-score space.
    X : DataFrame
        The feature values the contributions were computed from, same index.
    top_k : int
        Reasons per row, by absolute contribution.
    catalog : DataFrame, optional
        Indexed by feature name with ``zh``, ``en`` and ``unit`` columns, as
        :func:`custintel.features.feature_catalog`. Features not in it are named by column.
    sign : {"both", "positive", "negative"}
        Keep only reasons that raise (``positive``) or lower (``negative``) the score.

    Returns
    -------
    DataFrame
        Long format: the row's index label repeated, and columns ``rank`` (1 = strongest),
        ``feature``, ``value``, ``contribution``, ``zh`` and ``en`` sentences.

    Examples
    --------
    >>> contrib = pd.DataFrame({"recency_days": [0.8], "orders_90d": [-0.1]}, index=["C1"])
    >>> X = pd.DataFrame({"recency_days": [120.0], "orders_90d": [1.0]}, index=["C1"])
    >>> r = reason_codes(contrib, X, top_k=1)
    >>> r.loc["C1", "en"]
    'recency_days: 120 (+0.80)'
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}.")
    if sign not in ("both", "positive", "negative"):
        raise ValueError(f"sign must be 'both', 'positive' or 'negative', got {sign!r}.")
    features = [c for c in contributions.columns if c in X.columns]
    if not features:
        raise ValueError("contributions and X share no feature columns.")
    values = contributions[features].to_numpy(dtype=np.float64)
    order_key = np.abs(values)
    if sign == "positive":
        order_key = np.where(values > 0, order_key, -np.inf)
    elif sign == "negative":
        order_key = np.where(values < 0, order_key, -np.inf)
    k = min(top_k, len(features))
    top = np.argsort(-order_key, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(values)), k)
    cols = top.ravel()
    keep = np.isfinite(order_key[rows, cols]) & (order_key[rows, cols] > 0)
    rows, cols = rows[keep], cols[keep]
    ranks = (np.tile(np.arange(1, k + 1), len(values)))[keep]
    names = np.asarray(features, dtype=object)[cols]
    contrib = values[rows, cols]
    x_frame = X[features]
    x_values = [x_frame.iat[r, c] for r, c in zip(rows, cols, strict=True)]
    zh_texts, en_texts = [], []
    for name, value, c in zip(names, x_values, contrib, strict=True):
        zh_label, en_label, unit = _describe(name, catalog)
        zh_value, en_value = format_value(value, unit)
        zh_texts.append(f"{zh_label}: {zh_value} ({c:+.2f})")
        en_texts.append(f"{en_label}: {en_value} ({c:+.2f})")
    out = pd.DataFrame(
        {
            "rank": ranks.astype(np.int64),
            "feature": names,
            "value": x_values,
            "contribution": contrib,
            "zh": zh_texts,
            "en": en_texts,
        },
        index=contributions.index[rows],
    )
    return out


def _describe(name: str, catalog: pd.DataFrame | None) -> tuple[str, str, str]:
    if catalog is not None and name in catalog.index:
        entry = catalog.loc[name]
        return str(entry["zh"]), str(entry["en"]), str(entry["unit"])
    return name, name, ""
