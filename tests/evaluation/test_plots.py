"""Plots draw what the metrics compute, on the Axes given, and return it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from custintel.evaluation.metrics import lift_table
from custintel.evaluation.plots import (
    plot_confusion_matrix,
    plot_gain,
    plot_lift,
    plot_pr,
    plot_reliability,
    plot_roc,
)


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=2_000)
    y = (rng.uniform(size=2_000) < p).astype(int)  # calibrated by construction
    return y, p


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_every_plot_draws_on_the_given_axes(scores, ax):
    y, p = scores
    for plot in (plot_reliability, plot_roc, plot_pr, plot_gain, plot_lift):
        ax.clear()
        assert plot(y, p, ax=ax) is ax
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_plots_make_their_own_axes(scores):
    y, p = scores
    ax = plot_roc(y, p, label="churn")
    try:
        assert (
            ax.get_legend().get_texts()[-1].get_text() == f"churn (AUC {roc_auc_score(y, p):.3f})"
        )
    finally:
        plt.close(ax.figure)


def test_reliability_of_a_calibrated_score_hugs_the_diagonal(scores, ax):
    y, p = scores
    plot_reliability(y, p, n_bins=5, ax=ax)
    x_line, y_line = ax.lines[-1].get_data()
    assert len(x_line) == 5
    np.testing.assert_allclose(y_line, x_line, atol=0.06)


def test_gain_and_lift_match_the_lift_table(scores, ax):
    y, p = scores
    plot_gain(y, p, ax=ax)
    share, found = ax.lines[-1].get_data()
    assert found[0] == 0 and found[-1] == pytest.approx(1.0)
    table = lift_table(y, p, bins=10)
    decile = np.searchsorted(share, 0.1)
    assert found[decile] == pytest.approx(table.loc[1, "cum_capture"])
    ax.clear()
    plot_lift(y, p, bins=10, ax=ax)
    np.testing.assert_allclose([b.get_height() for b in ax.patches], table["lift"])


def test_pr_curve_starts_at_full_precision_for_a_perfect_score(ax):
    y = np.r_[np.ones(5), np.zeros(5)]
    plot_pr(y, np.linspace(1, 0, 10), ax=ax)
    recall, precision = ax.lines[-1].get_data()
    assert ((recall == 1.0) & (precision == 1.0)).any()  # every positive found, no false alarm
    assert "AP 1.000" in ax.get_legend().get_texts()[-1].get_text()


def test_confusion_matrix_counts_and_normalises(ax):
    y_true = ["churn", "churn", "churn", "stay", "stay"]
    y_pred = ["churn", "churn", "stay", "stay", "churn"]
    assert plot_confusion_matrix(y_true, y_pred, ax=ax) is ax
    assert [t.get_text() for t in ax.texts] == ["2", "1", "1", "1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["churn", "stay"]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    ax.clear()
    plot_confusion_matrix(y_true, y_pred, labels=["stay", "churn"], normalize="true", ax=ax)
    assert [t.get_text() for t in ax.texts] == ["0.50", "0.50", "0.33", "0.67"]


def test_confusion_matrix_rejects_an_unknown_normalisation(ax):
    with pytest.raises(ValueError, match="normalize must be None, 'true', 'pred' or 'all'"):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows", ax=ax)
