"""Segment plots: each returns its Axes with one artist per segment or feature."""

from __future__ import annotations

import logging
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError

from custintel.evaluation import segment_plots
from custintel.evaluation.segment_plots import (
    plot_segment_profiles,
    plot_segment_radar,
    plot_segment_sizes,
)
from custintel.models.segmentation import CustomerSegmenter

ROLES = ["recency_days", "orders_total", "spend_total", "first_order_days"]


@pytest.fixture(scope="module")
def seg() -> CustomerSegmenter:
    X, _ = make_blobs(n_samples=400, centers=4, n_features=7, random_state=0)
    frame = pd.DataFrame(X, columns=[*ROLES, "late_share", "tickets", "coupon_share"])
    frame["channel"] = np.where(X[:, 0] > 0, "app", "web")
    return CustomerSegmenter(n_clusters=4, random_state=0).fit(frame)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_profile_heatmap_has_one_row_per_segment_and_roles_first(seg):
    ax = plot_segment_profiles(seg, max_features=5)
    assert [t.get_text() for t in ax.get_yticklabels()] == seg.profiles_["name_en"].tolist()
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert columns[:4] == ROLES and len(columns) == 5
    assert len(ax.images) == 1 and ax.images[0].get_array().shape == (4, 5)
    np.testing.assert_allclose(ax.images[0].get_array(), seg.profile_z_[columns].to_numpy())
    assert len(ax.texts) == 20  # one annotation per cell
    assert len(ax.figure.axes) == 2  # heatmap and colorbar


def test_profile_heatmap_takes_features_and_an_axes(seg):
    _, given = plt.subplots()
    ax = plot_segment_profiles(seg, features=["tickets", "spend_total"], ax=given)
    assert ax is given
    assert [t.get_text() for t in ax.get_xticklabels()] == ["tickets", "spend_total"]
    with pytest.raises(ValueError, match=r"features \['nope'\] were not profiled"):
        plot_segment_profiles(seg, features=["nope"])


def test_radar_draws_one_closed_line_per_segment(seg):
    ax = plot_segment_radar(seg)
    assert ax.name == "polar"
    lines = ax.get_lines()
    assert len(lines) == 4
    assert all(len(line.get_xdata()) == len(ax.get_xticks()) + 1 for line in lines)
    assert [t.get_text() for t in ax.get_xticklabels()][:4] == ROLES
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == seg.profiles_["name_en"].tolist()
    _, flat = plt.subplots()
    with pytest.raises(ValueError, match="needs a polar Axes"):
        plot_segment_radar(seg, ax=flat)
    with pytest.raises(ValueError, match="at least 3 features"):
        plot_segment_radar(seg, features=["tickets", "spend_total"])


def test_sizes_are_bars_labelled_with_shares(seg):
    ax = plot_segment_sizes(seg)
    assert len(ax.patches) == 4
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == sorted(seg.profiles_["size"].tolist())
    shares = {t.get_text() for t in ax.texts}
    assert shares == {f"{s:.1%}" for s in seg.profiles_["share"]}
    # first segment on top
    top = max(ax.patches, key=lambda p: p.get_y())
    assert top.get_width() == seg.profiles_["size"].iloc[0]


def test_chinese_labels_without_a_cjk_font_fall_back_to_english(seg, monkeypatch, caplog):
    monkeypatch.setattr(segment_plots, "_cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING, logger="custintel.evaluation"):
        ax = plot_segment_sizes(seg, lang="zh")
    assert "no installed font has Chinese glyphs" in caplog.text
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == seg.profiles_["name_en"].tolist()
    assert list(ax.get_yticks()) == [3, 2, 1, 0]  # first segment on top
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph ... missing from font" on drawing
        ax.figure.canvas.draw()


def test_chinese_labels_with_a_cjk_font(seg, monkeypatch):
    monkeypatch.setattr(segment_plots, "_cjk_font", lambda: "DejaVu Sans")
    ax = plot_segment_profiles(seg, lang="zh")
    labels = ax.get_yticklabels()
    assert [t.get_text() for t in labels] == seg.profiles_["name"].tolist()
    assert labels[0].get_fontfamily() == ["DejaVu Sans"]
    with pytest.raises(ValueError, match="lang must be 'en' or 'zh'"):
        plot_segment_sizes(seg, lang="de")


def test_unfitted_segmenter_is_refused():
    with pytest.raises(NotFittedError):
        plot_segment_sizes(CustomerSegmenter())
