"""Plots of a fitted :class:`~custintel.models.CustomerSegmenter`: profiles, radar and sizes.

Each function draws on an existing Axes (or a new figure) and returns the Axes; saving is left
to the caller (``ax.figure.savefig(...)``). Labels are English by default; ``lang="zh"`` uses
the Chinese segment names when a font with Chinese glyphs is installed, and otherwise falls back
to English with a logged notice instead of drawing empty boxes.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from sklearn.utils.validation import check_is_fitted

from custintel.models.segmentation import CustomerSegmenter

logger = logging.getLogger("custintel.evaluation")

#: Fonts tried, in order, for Chinese labels.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)


def plot_segment_profiles(
    segmenter: CustomerSegmenter,
    *,
    features: list[str] | None = None,
    max_features: int = 20,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of each segment's feature means against the overall means.

    Cells show ``segmenter.profile_z_``: the segment mean minus the overall mean, in overall
    standard deviations of the scaled feature (red above average, blue below).

    Parameters
    ----------
    segmenter : CustomerSegmenter
        A fitted segmenter.
    features : list of str, optional
        Columns to show, in this order. By default the role columns (recency, frequency,
        monetary, tenure) and then the features that differ most between segments, up to
        ``max_features``.
    max_features : int, default=20
        Most columns shown when ``features`` is not given.
    lang : {"en", "zh"}, default="en"
        Language of the segment names.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        The heatmap, one row per segment and one column per feature.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from custintel.models.segmentation import CustomerSegmenter
    >>> X, _ = make_blobs(n_samples=300, centers=3, n_features=4, random_state=0)
    >>> seg = CustomerSegmenter(n_clusters=3, random_state=0).fit(X)
    >>> ax = plot_segment_profiles(seg)
    >>> len(ax.get_yticklabels()), len(ax.get_xticklabels())
    (3, 4)
    >>> plt.close("all")
    """
    check_is_fitted(segmenter)
    z = segmenter.profile_z_
    columns = _pick_features(segmenter, features, max_features)
    values = z[columns].to_numpy(dtype=float)
    names, font = _segment_names(segmenter, lang)
    if ax is None:
        width = max(6.0, 0.45 * len(columns) + 3.0)
        _, ax = plt.subplots(figsize=(width, 0.5 * len(z) + 2.5))
    limit = max(float(np.nanmax(np.abs(values))) if values.size else 1.0, 1e-9)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(np.arange(len(columns)), labels=columns, rotation=60, ha="right")
    ax.set_yticks(np.arange(len(names)), labels=names, **font)
    if values.size <= 200:
        for (i, j), v in np.ndenumerate(values):
            color = "white" if abs(v) > 0.6 * limit else "black"
            ax.text(j, i, f"{v:+.1f}", ha="center", va="center", fontsize=7, color=color)
    ax.figure.colorbar(image, ax=ax, label="segment mean vs overall (standardised)")
    ax.set_title("Segment profiles")
    return ax


def plot_segment_radar(
    segmenter: CustomerSegmenter,
    *,
    features: list[str] | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Axes:
    """Radar chart: one closed line per segment over a few standardised feature means.

    Parameters
    ----------
    segmenter : CustomerSegmenter
        A fitted segmenter.
    features : list of str, optional
        Spokes of the radar (at least three). By default the role columns found in ``fit``
        (recency, frequency, monetary, tenure), completed with the most varying features.
    lang : {"en", "zh"}, default="en"
        Language of the legend.
    ax : Axes, optional
        A polar Axes (``subplot_kw={"projection": "polar"}``); a new figure when omitted.

    Returns
    -------
    Axes
        The polar Axes, with one line per segment and a legend naming them.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from custintel.models.segmentation import CustomerSegmenter
    >>> X, _ = make_blobs(n_samples=300, centers=3, n_features=4, random_state=0)
    >>> seg = CustomerSegmenter(n_clusters=3, random_state=0).fit(X)
    >>> ax = plot_segment_radar(seg)
    >>> len(ax.get_lines()), len(ax.get_legend().get_texts())
    (3, 3)
    >>> plt.close("all")
    """
    check_is_fitted(segmenter)
    z = segmenter.profile_z_
    if features is None:
        columns = _pick_features(segmenter, None, max(4, min(6, z.shape[1])))
    else:
        columns = _pick_features(segmenter, features, len(features))
    if len(columns) < 3:
        raise ValueError(
            f"A radar needs at least 3 features, got {columns}; pass features=[...] with three "
            "or more numeric columns, or use plot_segment_profiles."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6), subplot_kw={"projection": "polar"})
    elif ax.name != "polar":
        raise ValueError(
            "plot_segment_radar needs a polar Axes; create it with "
            'plt.subplots(subplot_kw={"projection": "polar"}).'
        )
    names, font = _segment_names(segmenter, lang)
    angles = np.linspace(0, 2 * np.pi, len(columns), endpoint=False)
    closed = np.append(angles, angles[0])
    for name, (_, row) in zip(names, z[columns].iterrows(), strict=True):
        values = row.to_numpy(dtype=float)
        ax.plot(closed, np.append(values, values[0]), linewidth=1.5, label=name)
        ax.fill(closed, np.append(values, values[0]), alpha=0.08)
    ax.set_xticks(angles, labels=columns)
    ax.set_title("Segment profiles (standardised means)")
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), fontsize=8, prop=_prop(font))
    return ax


def plot_segment_sizes(
    segmenter: CustomerSegmenter, *, lang: str = "en", ax: Axes | None = None
) -> Axes:
    """Horizontal bars of segment sizes, labelled with their shares.

    Parameters
    ----------
    segmenter : CustomerSegmenter
        A fitted segmenter.
    lang : {"en", "zh"}, default="en"
        Language of the segment names.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        One bar per segment (first segment on top).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from custintel.models.segmentation import CustomerSegmenter
    >>> X, _ = make_blobs(n_samples=300, centers=3, n_features=4, random_state=0)
    >>> seg = CustomerSegmenter(n_clusters=3, random_state=0).fit(X)
    >>> ax = plot_segment_sizes(seg)
    >>> len(ax.patches)
    3
    >>> plt.close("all")
    """
    check_is_fitted(segmenter)
    profiles = segmenter.profiles_
    names, font = _segment_names(segmenter, lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(profiles) + 1.5))
    positions = np.arange(len(profiles))[::-1]
    bars = ax.barh(positions, profiles["size"].to_numpy(), color="tab:blue")
    ax.bar_label(bars, labels=[f"{s:.1%}" for s in profiles["share"]], padding=3, fontsize=8)
    ax.set_yticks(positions, labels=names, **font)
    ax.set_xlabel("customers")
    ax.set_title("Segment sizes")
    ax.margins(x=0.12)
    return ax


def _pick_features(
    segmenter: CustomerSegmenter, features: list[str] | None, limit: int
) -> list[str]:
    z = segmenter.profile_z_
    if features is not None:
        unknown = [f for f in features if f not in z.columns]
        if unknown:
            raise ValueError(
                f"features {unknown} were not profiled; choose among the numeric columns seen "
                f"in fit, e.g. {list(z.columns[:5])}."
            )
        return list(features)
    roles = [c for c in segmenter.roles_.values() if c is not None]
    spread = z.abs().max().drop(roles, errors="ignore").sort_values(ascending=False)
    rest = [c for c in spread.index if c not in roles]
    return (roles + rest)[: max(limit, 0)]


def _segment_names(segmenter: CustomerSegmenter, lang: str) -> tuple[list[str], dict[str, Any]]:
    """Segment names in ``lang`` and the font keywords to draw them with."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}.")
    profiles = segmenter.profiles_
    if lang == "zh":
        family = _cjk_font()
        if family is not None:
            return [str(n) for n in profiles["name"]], {"fontfamily": family}
        logger.warning(
            "no installed font has Chinese glyphs (tried %s); segment names are drawn in "
            "English. Install one, e.g. `apt install fonts-noto-cjk`.",
            ", ".join(CJK_FONTS),
        )
    return [str(n) for n in profiles["name_en"]], {}


def _prop(font: dict[str, Any]) -> dict[str, Any] | None:
    return {"family": font["fontfamily"], "size": 8} if font else None


@lru_cache(maxsize=1)
def _cjk_font() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        if family in installed:
            return family
    return None
