"""SHAP plots of per-feature contributions: summary (beeswarm), bar, dependence and waterfall.

Every function reads a contributions frame as :func:`custintel.explain.tree_contributions`
returns it (one column per feature plus ``"bias"``, in the model's raw-score space: log-odds
for a binary model) and the feature values it was computed from, and draws with ``shap.plots``.
Compute once, draw separately: nothing here fits or predicts. Each function returns the
matplotlib object it drew on and never saves or shows it; shap and matplotlib are imported
only when a plot is drawn.

Feature labels are the column names, or, with a ``catalog`` (as
:func:`custintel.features.feature_catalog`), its English or Chinese descriptions (Chinese
needs a CJK font in matplotlib).
"""

from __future__ import annotations

import reprlib
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from custintel.explain.reasons import _aligned
from custintel.explain.tree import BIAS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Lang = Literal["en", "zh"]


def plot_shap_summary(
    contributions: pd.DataFrame,
    X: pd.DataFrame,
    *,
    max_display: int = 20,
    catalog: pd.DataFrame | None = None,
    lang: Lang = "en",
    ax: Axes | None = None,
) -> Axes:
    """Beeswarm summary: each row's contribution per feature, coloured by the feature's value.

    Parameters
    ----------
    contributions : DataFrame
        Per-feature contributions plus an optional ``"bias"`` column, one row per prediction.
    X : DataFrame
        The feature values of the same rows (matched by index label), for the colours;
        categorical columns are coloured by level code.
    max_display : int
        Features shown, by mean absolute contribution; the rest are summed in one line.
    catalog : DataFrame, optional
        Feature catalog for readable labels (``en``/``zh`` columns, indexed by name).
    lang : {"en", "zh"}
        Language of the labels when ``catalog`` is given.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (sized to the number of features) by default.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> contrib = pd.DataFrame({"a": [0.5, -0.2, 0.1], "b": [0.0, 0.3, -0.1], "bias": -1.0})
    >>> X = pd.DataFrame({"a": [3.0, 1.0, 2.0], "b": [0.0, 1.0, 0.0]})
    >>> ax = plot_shap_summary(contrib, X)
    >>> ax.get_xlabel()
    'SHAP value (impact on model output)'
    """
    import shap

    explanation = _explanation(contributions, X, catalog, lang)
    ax, fig = _axes(ax)
    shap.plots.beeswarm(
        explanation, max_display=max_display, ax=ax, show=False, plot_size=None, color_bar=True
    )
    if fig is not None:
        fig.set_size_inches(8, min(explanation.shape[1], max_display) * 0.4 + 1.5)
    ax.set_xlabel("SHAP value (impact on model output)")
    return ax


def plot_shap_bar(
    contributions: pd.DataFrame,
    *,
    max_display: int = 20,
    catalog: pd.DataFrame | None = None,
    lang: Lang = "en",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of the mean absolute contribution of each feature (global importance).

    Parameters
    ----------
    contributions : DataFrame
        Per-feature contributions plus an optional ``"bias"`` column.
    max_display : int
        Features shown; the rest are summed in one bar.
    catalog : DataFrame, optional
        Feature catalog for readable labels.
    lang : {"en", "zh"}
        Language of the labels when ``catalog`` is given.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> contrib = pd.DataFrame({"a": [0.5, -0.2, 0.1], "b": [0.0, 0.3, -0.1], "bias": -1.0})
    >>> ax = plot_shap_bar(contrib)
    >>> [round(float(bar.get_width()), 3) for bar in ax.patches]  # mean |contribution|: a, then b
    [0.267, 0.133]
    """
    import shap

    explanation = _explanation(contributions, None, catalog, lang)
    ax, fig = _axes(ax)
    shap.plots.bar(explanation, max_display=max_display, ax=ax, show=False)
    if fig is not None:
        fig.set_size_inches(8, min(explanation.shape[1], max_display) * 0.4 + 1.5)
    return ax


def plot_shap_dependence(
    contributions: pd.DataFrame,
    X: pd.DataFrame,
    feature: str,
    *,
    color_by: str | None = None,
    catalog: pd.DataFrame | None = None,
    lang: Lang = "en",
    ax: Axes | None = None,
) -> Axes:
    """Dependence plot: one feature's contribution against its value, one dot per row.

    Parameters
    ----------
    contributions : DataFrame
        Per-feature contributions plus an optional ``"bias"`` column.
    X : DataFrame
        The feature values of the same rows (matched by index label).
    feature : str
        The feature on the x axis.
    color_by : str, optional
        Colour the dots by this feature's value (e.g. to see an interaction).
    catalog : DataFrame, optional
        Feature catalog for readable labels.
    lang : {"en", "zh"}
        Language of the labels when ``catalog`` is given.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> contrib = pd.DataFrame({"a": [0.5, -0.2, 0.1], "b": [0.0, 0.3, -0.1], "bias": -1.0})
    >>> X = pd.DataFrame({"a": [3.0, 1.0, 2.0], "b": [0.0, 1.0, 0.0]})
    >>> ax = plot_shap_dependence(contrib, X, "a", color_by="b")
    >>> ax.get_xlabel()
    'a'
    """
    import shap

    explanation = _explanation(contributions, X, catalog, lang)
    names = _features(contributions)
    j = _position(names, feature, "feature")
    color: Any = "#1E88E5"
    if color_by is not None:
        color = explanation[:, _position(names, color_by, "color_by")]
    ax, _ = _axes(ax)
    shap.plots.scatter(explanation[:, j], color=color, ax=ax, show=False)
    return ax


def plot_shap_waterfall(
    contributions: pd.DataFrame,
    X: pd.DataFrame,
    row: object,
    *,
    max_display: int = 10,
    catalog: pd.DataFrame | None = None,
    lang: Lang = "en",
) -> Figure:
    """Waterfall of one prediction: from the bias, feature by feature, to its raw score.

    Parameters
    ----------
    contributions : DataFrame
        Per-feature contributions plus ``"bias"`` (the starting point of the waterfall).
    X : DataFrame
        The feature values of the same rows (matched by index label), shown next to the
        feature names.
    row : object
        Index label of the row to draw.
    max_display : int
        Features shown; the rest are summed in one bar.
    catalog : DataFrame, optional
        Feature catalog for readable labels.
    lang : {"en", "zh"}
        Language of the labels when ``catalog`` is given.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure: shap draws a waterfall over a whole figure (its value labels use twin
        axes), so this plot takes no ``ax``.

    Examples
    --------
    >>> contrib = pd.DataFrame(
    ...     {"a": [0.5, -0.2], "b": [0.0, 0.3], "bias": -1.0}, index=["C1", "C2"]
    ... )
    >>> X = pd.DataFrame({"a": [3.0, 1.0], "b": [0.0, 1.0]}, index=["C1", "C2"])
    >>> fig = plot_shap_waterfall(contrib, X, "C2")
    >>> len(fig.axes) >= 1
    True
    """
    import matplotlib.pyplot as plt
    import shap

    if row not in contributions.index:
        raise KeyError(f"row {row!r} is not in the index of contributions.")
    position = int(np.flatnonzero(contributions.index == row)[0])
    explanation = _explanation(contributions, X, catalog, lang, display=True)
    fig = plt.figure()
    shap.plots.waterfall(explanation[position], max_display=max_display, show=False)
    return fig


def _features(contributions: pd.DataFrame) -> list[str]:
    names = [str(c) for c in contributions.columns if c != BIAS]
    if not names:
        raise ValueError("contributions has no feature columns (only 'bias').")
    return names


def _position(names: list[str], feature: str, what: str) -> int:
    if feature not in names:
        raise ValueError(
            f"{what}={feature!r} is not a column of contributions; choose one of "
            f"{reprlib.repr(names)}."
        )
    return names.index(feature)


def _explanation(
    contributions: pd.DataFrame,
    X: pd.DataFrame | None,
    catalog: pd.DataFrame | None,
    lang: Lang,
    *,
    display: bool = False,
) -> Any:
    import shap

    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}.")
    names = _features(contributions)
    values = contributions[names].to_numpy(dtype=np.float64)
    base = (
        contributions[BIAS].to_numpy(dtype=np.float64)
        if BIAS in contributions
        else np.zeros(len(contributions))
    )
    data = display_data = None
    if X is not None:
        missing = [n for n in names if n not in X.columns]
        if missing:
            raise ValueError(
                f"X lacks {len(missing)} feature column(s) of contributions: "
                f"{reprlib.repr(missing)}; pass the frame the contributions were computed from."
            )
        frame = _aligned(X[names], contributions.index)
        data = np.column_stack([_numeric(frame[n]) for n in names])
        if display:
            display_data = frame.to_numpy(dtype=object)
    labels = [_label(n, catalog, lang) for n in names]
    return shap.Explanation(
        values=values,
        base_values=base,
        data=data,
        display_data=display_data,
        feature_names=labels,
    )


def _numeric(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
        return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))
    codes = column.astype("category").cat.codes.to_numpy().astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


def _label(name: str, catalog: pd.DataFrame | None, lang: Lang) -> str:
    if catalog is not None and name in catalog.index:
        return str(catalog.loc[name, lang])
    return name


def _axes(ax: Axes | None) -> tuple[Axes, Figure | None]:
    if ax is not None:
        return ax, None
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots()
    return new_ax, fig
