"""SHAP plots return matplotlib objects; shap and matplotlib load only when a plot is drawn."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from custintel.explain import (
    plot_shap_bar,
    plot_shap_dependence,
    plot_shap_summary,
    plot_shap_waterfall,
)


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 80
    index = pd.Index([f"C{i}" for i in range(n)], name="customer_id")
    X = pd.DataFrame(
        {
            "recency_days": rng.exponential(30, n),
            "orders_90d": rng.poisson(2, n).astype("float32"),
            "channel": pd.Categorical(rng.choice(["app", "web"], n)),
        },
        index=index,
    )
    X.iloc[:5, 0] = np.nan
    contrib = pd.DataFrame(
        {
            "recency_days": 0.01 * np.nan_to_num(X["recency_days"].to_numpy(), nan=30.0) - 0.3,
            "orders_90d": -0.2 * (X["orders_90d"].to_numpy() - 2),
            "channel": np.where(X["channel"] == "app", -0.1, 0.1),
            "bias": -1.5,
        },
        index=index,
    )
    return contrib, X


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_summary_beeswarm(frames):
    contrib, X = frames
    ax = plot_shap_summary(contrib, X)
    assert isinstance(ax, Axes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(labels) >= {"recency_days", "orders_90d", "channel"}
    assert labels[-1] == "recency_days"  # largest mean |contribution| on top
    assert len(ax.collections) >= 3  # one swarm per feature


def test_summary_on_given_axes_and_catalog_labels(frames):
    contrib, X = frames
    catalog = pd.DataFrame(
        {"en": ["days since last order"], "zh": ["距最近一次下单的天数"], "unit": ["days"]},
        index=["recency_days"],
    )
    _, ax = plt.subplots()
    out = plot_shap_summary(contrib, X.iloc[::-1], catalog=catalog, ax=ax)
    assert out is ax
    assert "days since last order" in [t.get_text() for t in ax.get_yticklabels()]


def test_bar_is_mean_absolute_contribution(frames):
    contrib, _ = frames
    ax = plot_shap_bar(contrib)
    assert isinstance(ax, Axes)
    widths = sorted(round(float(p.get_width()), 6) for p in ax.patches)
    expected = sorted(round(float(v), 6) for v in contrib.drop(columns="bias").abs().mean())
    assert widths == expected


def test_dependence(frames):
    contrib, X = frames
    _, ax = plt.subplots()
    out = plot_shap_dependence(contrib, X, "orders_90d", color_by="channel", ax=ax)
    assert out is ax
    assert ax.get_xlabel() == "orders_90d"
    offsets = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    assert len(offsets) == len(X)
    with pytest.raises(ValueError, match="feature='nope' is not a column"):
        plot_shap_dependence(contrib, X, "nope")


def test_waterfall_returns_a_figure(frames):
    contrib, X = frames
    fig = plot_shap_waterfall(contrib, X, "C7", max_display=3)
    assert isinstance(fig, Figure)
    text = " ".join(t.get_text() for ax in fig.axes for t in ax.get_yticklabels())
    assert "orders_90d" in text or "recency_days" in text
    with pytest.raises(KeyError, match="not in the index"):
        plot_shap_waterfall(contrib, X, "nobody")


def test_errors(frames):
    contrib, X = frames
    with pytest.raises(ValueError, match="X lacks 1 feature column"):
        plot_shap_summary(contrib, X.drop(columns="channel"))
    with pytest.raises(ValueError, match="lang must be"):
        plot_shap_bar(contrib, lang="fr")
    with pytest.raises(ValueError, match="no feature columns"):
        plot_shap_bar(contrib[["bias"]])


def test_import_explain_does_not_load_shap_or_matplotlib():
    code = (
        "import sys, custintel.explain; "
        "print(sorted(m for m in ('shap', 'matplotlib', 'lightgbm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
