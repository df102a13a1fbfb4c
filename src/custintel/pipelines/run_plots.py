"""The figures each training run logs and puts in its report.

Figures are built with pyplot (matplotlib picks a non-interactive backend on a machine without
a display) and closed by :func:`close_all` once logged and rendered.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import matplotlib.pyplot as plt
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

F = TypeVar("F", bound=Callable[..., Any])


def _chinese_text(draw: F) -> F:
    """Draw with a CJK font as fallback, so province and segment names are not boxes."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from custintel.evaluation.segment_plots import _cjk_font

        family = _cjk_font()
        if family is None:
            return draw(*args, **kwargs)
        with plt.rc_context({"font.family": ["DejaVu Sans", family]}):
            return draw(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@_chinese_text
def binary_figures(
    y: Any,
    p: Any,
    *,
    baselines: dict[str, Any] | None = None,
    what: str = "positive",
    calibration: bool = True,
) -> tuple[dict[str, Figure], dict[str, str]]:
    """ROC and PR curves (with baselines), reliability diagram and lift of a probability."""
    from custintel.evaluation.plots import plot_lift, plot_pr, plot_reliability, plot_roc

    figures: dict[str, Figure] = {}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    plot_roc(y, p, label="model", ax=left)
    plot_pr(y, p, label="model", ax=right)
    for name, score in (baselines or {}).items():
        plot_roc(y, score, label=name, ax=left)
        plot_pr(y, score, label=name, ax=right)
    for ax in (left, right):  # each curve draws its own reference line; list it once
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), loc="lower right" if ax is left else "best")
    fig.tight_layout()
    figures["roc_pr"] = fig
    if calibration:
        fig, ax = plt.subplots(figsize=(5, 4.2))
        plot_reliability(y, p, label="model", ax=ax)
        fig.tight_layout()
        figures["calibration"] = fig
    fig, ax = plt.subplots(figsize=(7, 4.2))
    plot_lift(y, p, ax=ax)
    fig.tight_layout()
    figures["lift"] = fig
    captions = {
        key: text
        for key, text in {
            "roc_pr": f"Left: ROC curve, how well the score ranks {what} cases above the others "
            "(area 0.5 = chance, 1 = perfect). Right: precision-recall, the share of flagged cases "
            "that are truly " + what + " at each recall. Baselines are drawn for comparison.",
            "calibration": "Reliability: predicted probability against the observed rate in "
            "holdout bins; a calibrated model lies on the diagonal.",
            "lift": "Lift by score band: how many times the base rate the top bands hold.",
        }.items()
        if key in figures
    }
    return figures, captions


@_chinese_text
def shap_figures(
    contributions: pd.DataFrame,
    X: pd.DataFrame,
    catalog: pd.DataFrame | None,
    rows: list[Any],
    *,
    score_name: str = "log-odds",
    row_label: str = "customer",
) -> tuple[dict[str, Figure], dict[str, str]]:
    """SHAP summary (beeswarm) and a waterfall for each of ``rows``."""
    from custintel.explain import plot_shap_summary, plot_shap_waterfall

    figures: dict[str, Figure] = {}
    captions: dict[str, str] = {}
    ax = plot_shap_summary(contributions, X, max_display=15, catalog=catalog, lang="en")
    figures["shap_summary"] = ax.figure  # type: ignore[assignment]
    captions["shap_summary"] = (
        f"SHAP summary: each dot is one holdout {row_label}; its position is how much the feature "
        f"moved that customer's score ({score_name}); its colour is the feature's value "
        "(red high, blue low)."
    )
    for i, row in enumerate(rows, start=1):
        key = f"waterfall_{i}"
        figures[key] = plot_shap_waterfall(contributions, X, row, max_display=10, catalog=catalog)
        who = row[-1] if isinstance(row, tuple) else row
        captions[key] = (
            f"Why {row_label} {who} scored as it did: from the average ({score_name}) feature "
            f"by feature to the {row_label}'s own score."
        )
    return figures, captions


@_chinese_text
def confusion_figure(y_true: Any, y_pred: Any, *, labels: list[Any], title: str) -> Figure:
    """Return a confusion matrix with counts and row shares."""
    from custintel.evaluation.plots import plot_confusion_matrix

    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    plot_confusion_matrix(y_true, y_pred, labels=labels, ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    return fig


@_chinese_text
def segment_figures(segmenter: Any, X: pd.DataFrame) -> tuple[dict[str, Figure], dict[str, str]]:
    """Segment profiles (heat map of standardised means) and sizes."""
    from custintel.evaluation.segment_plots import plot_segment_profiles, plot_segment_sizes

    fig, ax = plt.subplots(figsize=(10, 5.5))
    plot_segment_profiles(segmenter, ax=ax)
    fig.tight_layout()
    fig2, ax2 = plt.subplots(figsize=(7, 4))
    plot_segment_sizes(segmenter, ax=ax2)
    fig2.tight_layout()
    return {"segment_profiles": fig, "segment_sizes": fig2}, {
        "segment_profiles": "How each segment differs from the average customer on the features "
        "that separate segments most (standardised: 0 = average, +1 = one spread above).",
        "segment_sizes": "Customers per segment at the training cutoff.",
    }


@_chinese_text
def forecast_figures(
    history: pd.DataFrame, forecast: pd.DataFrame, actual: pd.DataFrame, series: list[str]
) -> tuple[dict[str, Figure], dict[str, str]]:
    """Forecast fans of ``series`` against what really happened in the holdout."""
    from custintel.evaluation.forecast_plots import plot_forecasts

    axes = plot_forecasts(history, forecast, series, actual=actual, last=120)
    fig = axes.flat[0].figure
    return {"forecast_fans": fig}, {
        "forecast_fans": "Forecasts (line) with their 10-90% band against the held-out actual "
        "values (dots), for the largest series; the last 120 days of history are shown.",
    }


def close_all(figures: dict[str, Figure]) -> None:
    """Release the memory of figures once they are logged and rendered."""
    for fig in figures.values():
        plt.close(fig)
