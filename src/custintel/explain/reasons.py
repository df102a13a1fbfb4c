"""Per-prediction reason codes: the features that pushed one score up or down, in words.

Tree models give each prediction an additive split of its raw score into one contribution per
feature plus a bias: the SHAP values of the tree ensemble, computed exactly (LightGBM's
``pred_contrib``, see :func:`custintel.explain.tree_contributions`, or
``shap.TreeExplainer``). For a binary LightGBM model the raw score is the log-odds, not the
probability: a contribution of +0.7 multiplies the odds by about 2, whatever the row's
probability. :func:`reason_codes` turns such a matrix into the top-k sentences a reviewer reads,
using the feature catalog for the Chinese and English wording: ``近90天配送异常次数: 3 次 (+0.21)``.
Any other additive split works the same way (e.g. the per-feature tail scores of
:class:`custintel.models.FraudScorer`).
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
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
    "hour": ("点", "h"),
}

REASON_COLUMNS = ["rank", "feature", "value", "contribution", "zh", "en"]


def format_value(value: object, unit: str) -> tuple[str, str]:
    """Write one feature value with its unit, in Chinese and English.

    Parameters
    ----------
    value : object
        The feature value (a number, a category label, a flag, or missing).
    unit : str
        Its catalog unit (see :data:`UNITS`); ``share`` prints as a percentage and ``flag`` as
        yes/no. Unknown units are written after the value as given.

    Returns
    -------
    tuple of (str, str)
        The Chinese and the English text.

    Examples
    --------
    >>> format_value(0.25, "share")
    ('25%', '25%')
    >>> format_value(1234.5, "CNY")
    ('1,234.50 元', '1,234.50 CNY')
    >>> format_value(1.0, "flag")
    ('是', 'yes')
    >>> format_value(float("nan"), "days")
    ('缺失', 'missing')
    """
    zh_unit, en_unit = UNITS.get(unit, ("", unit))
    if _is_missing(value):
        return "缺失", "missing"
    if unit == "flag" and isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return ("是", "yes") if bool(value) else ("否", "no")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if unit == "share":
            text = f"{number:.0%}"
        elif number.is_integer():
            text = f"{int(number):,d}"
        else:
            text = f"{number:,.2f}" if abs(number) < 1e6 else f"{number:,.0f}"
    else:
        text = str(value)
    zh = f"{text} {zh_unit}".strip()
    en = f"{text} {en_unit}".strip()
    return zh, en


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


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
        named ``"bias"`` are ignored), values in the model's raw-score space: log-odds for a
        binary LightGBM model (see :func:`custintel.explain.tree_contributions`), not
        probability.
    X : DataFrame
        The feature values the contributions were computed from. Rows are matched to
        ``contributions`` by index label (X may hold them in another order, or more rows);
        when both indexes are equal they are matched by position.
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
        Long format, columns :data:`REASON_COLUMNS`: the row's index label repeated, ``rank``
        (1 = strongest), ``feature``, ``value`` (as in ``X``), ``contribution``, and the
        ``zh`` and ``en`` sentences ``<description>: <value> <unit> (<contribution>)``. A
        feature whose contribution is exactly 0 is never a reason, so a row may have fewer
        than ``top_k`` reasons, or none (and then no line).

    Raises
    ------
    ValueError
        If ``top_k`` or ``sign`` is invalid, if ``contributions`` and ``X`` share no feature
        column, or if ``X`` lacks rows of ``contributions``.

    Examples
    --------
    >>> contrib = pd.DataFrame(
    ...     {"recency_days": [0.8], "orders_90d": [-0.1], "bias": [-2.0]}, index=["C1"]
    ... )
    >>> X = pd.DataFrame({"recency_days": [120.0], "orders_90d": [1.0]}, index=["C1"])
    >>> r = reason_codes(contrib, X, top_k=1)
    >>> r.loc["C1", "en"]
    'recency_days: 120 (+0.80)'
    >>> from custintel.features import feature_catalog
    >>> reason_codes(contrib, X, top_k=2, catalog=feature_catalog())["zh"].tolist()
    ['距最近一次下单的天数: 120 天 (+0.80)', '近90天下单数: 1 次 (-0.10)']
    """
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be a positive integer, got {top_k!r}.")
    if sign not in ("both", "positive", "negative"):
        raise ValueError(f"sign must be 'both', 'positive' or 'negative', got {sign!r}.")
    located = _located(contributions, X)
    if located is None:
        features = [c for c in contributions.columns if c in X.columns and c != "bias"]
    else:
        features = [c for c, _, _ in located]
    if not features:
        raise ValueError(
            "contributions and X share no feature columns; pass the frame the contributions "
            f"were computed from (contributions has {reprlib.repr(list(contributions.columns))}, "
            f"X has {reprlib.repr(list(X.columns))})."
        )
    if located is None:
        x_frame = _aligned(X[features], contributions.index)
        values = contributions[features].to_numpy(dtype=np.float64)

        def column(c: int) -> np.ndarray:
            return np.asarray(x_frame.iloc[:, c].to_numpy(dtype=object))

    else:
        # same rows, unique columns: read the needed columns of X and contributions in place
        values = _float_columns(contributions, [at for _, at, _ in located])
        x_at = [at for _, _, at in located]
        by_label = not isinstance(X.columns, pd.MultiIndex)

        def column(c: int) -> np.ndarray:
            # unique flat labels: X[label] is the column at its position
            series = X[features[c]] if by_label else X.iloc[:, x_at[c]]
            return np.asarray(series.to_numpy(dtype=object))

    order_key = np.abs(values)
    if sign == "positive":
        order_key = np.where(values > 0, order_key, -np.inf)
    elif sign == "negative":
        order_key = np.where(values < 0, order_key, -np.inf)
    order_key = np.where(np.isnan(order_key), -np.inf, order_key)
    k = min(int(top_k), len(features))
    top = np.argsort(-order_key, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(values)), k)
    cols = top.ravel()
    keep = np.isfinite(order_key[rows, cols]) & (order_key[rows, cols] > 0)
    rows, cols = rows[keep], cols[keep]
    ranks = (np.tile(np.arange(1, k + 1), len(values)))[keep]
    names = np.asarray(features, dtype=object)[cols]
    contrib = values[rows, cols]
    x_values = np.empty(len(rows), dtype=object)
    for c in np.unique(cols):
        at = cols == c
        x_values[at] = column(int(c))[rows[at]]
    describe = _describer(catalog)
    labels = {name: describe(name) for name in set(names)}
    zh_texts, en_texts = [], []
    for name, value, c in zip(names, x_values, contrib, strict=True):
        zh_label, en_label, unit = labels[name]
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
    )
    out.index = contributions.index[rows]
    return out


def _located(contributions: pd.DataFrame, X: pd.DataFrame) -> list[tuple[str, int, int]] | None:
    """``(feature, position in contributions, position in X)`` of each shared feature column.

    Only for frames that need no realignment (same index, unique column names); None
    otherwise, and the caller selects and aligns the frames by label.
    """
    c_columns, x_columns = contributions.columns, X.columns
    if not (c_columns.is_unique and x_columns.is_unique):
        return None
    if not X.index.equals(contributions.index):
        return None
    c_labels, x_labels = c_columns.tolist(), x_columns.tolist()
    if all(type(c) is str for c in c_labels) and all(type(c) is str for c in x_labels):
        # text labels: a dict finds them as the index does
        where = {c: p for p, c in enumerate(x_labels)}
        return [
            (name, i, where[name])
            for i, name in enumerate(c_labels)
            if name != "bias" and name in where
        ]
    located = []
    for i, name in enumerate(c_columns):
        if name != "bias" and name in x_columns:
            at = x_columns.get_loc(name)
            if not isinstance(at, int):
                return None
            located.append((name, i, at))
    return located


def _float_columns(frame: pd.DataFrame, positions: list[int]) -> np.ndarray:
    """``frame.iloc[:, positions].to_numpy(dtype=np.float64)``, without copying the frame."""
    dtypes = frame.dtypes.tolist()
    if all(isinstance(d, np.dtype) and d.kind == "f" for d in dtypes):
        # numpy float columns: one array of the whole frame, then the columns
        return np.asarray(frame.to_numpy()[:, positions], dtype=np.float64)
    return frame.iloc[:, positions].to_numpy(dtype=np.float64)


def _aligned(X: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """``X`` with one row per label of ``index``, in that order."""
    if X.index.equals(index):
        return X
    if not X.index.is_unique:
        raise ValueError(
            "X has a different index from contributions and repeated index labels, so its "
            "rows cannot be matched; pass the frame the contributions were computed from."
        )
    missing = index.difference(X.index)
    if len(missing):
        raise ValueError(
            f"X lacks {len(missing)} row(s) of contributions, e.g. "
            f"{reprlib.repr(list(missing[:5]))}; pass the frame the contributions were "
            "computed from."
        )
    return X.reindex(index)


def _describer(catalog: pd.DataFrame | None) -> Callable[[str], tuple[str, str, str]]:
    """:func:`_describe` with ``catalog`` bound, its columns read once when they are text."""
    if catalog is None or not (catalog.index.is_unique and catalog.columns.is_unique):
        return lambda name: _describe(name, catalog)
    if not all(c in catalog.columns for c in ("zh", "en", "unit")) or not all(
        (isinstance(d, np.dtype) and d.kind == "O") or isinstance(d, pd.StringDtype)
        for d in catalog.dtypes.tolist()
    ):
        return lambda name: _describe(name, catalog)
    # text columns only: a catalog row holds the column values unchanged
    index = catalog.index
    zh, en, unit = (catalog[c].to_numpy(dtype=object) for c in ("zh", "en", "unit"))

    def describe(name: str) -> tuple[str, str, str]:
        if name in index:
            at = index.get_loc(name)
            if isinstance(at, int):
                return str(zh[at]), str(en[at]), str(unit[at])
        return _describe(name, catalog)

    return describe


def _describe(name: str, catalog: pd.DataFrame | None) -> tuple[str, str, str]:
    if catalog is not None and name in catalog.index:
        entry = catalog.loc[name]
        return str(entry["zh"]), str(entry["en"]), str(entry["unit"])
    return name, name, ""
