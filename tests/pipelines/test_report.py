"""The reviewer report: self-contained, escaped, private, written atomically, and it renders."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from custintel.data import make_demo_dataset
from custintel.evaluation import binary_report
from custintel.evaluation.plots import plot_lift, plot_pr, plot_reliability, plot_roc
from custintel.explain import plot_shap_summary, plot_shap_waterfall
from custintel.features import build_customer_features, churn_labels, feature_catalog
from custintel.identity import PIIError
from custintel.models import ChurnModel
from custintel.pipelines.report import SECTIONS, render_report, write_report
from custintel.pipelines.result import Holdout, LoggedRun, PromotionDecision, TrainResult

WINDOW = (1280, 4000)


def _figures(y, p, contrib, X):
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    plot_roc(y, p, ax=left)
    plot_pr(y, p, ax=right)
    figures = {
        "roc_pr": fig,
        "reliability": plot_reliability(y, p).figure,
        "lift": plot_lift(y, p).figure,
        "shap_summary": plot_shap_summary(contrib, X, max_display=10).figure,
        "shap_waterfall": plot_shap_waterfall(contrib, X, X.index[0]),
    }
    captions = {
        "roc_pr": "The further the curves bend to the top, the better the ranking.",
        "reliability": "Points on the diagonal mean the probabilities can be taken literally.",
        "lift": "Bars above 1 mean the band holds more churners than average.",
        "shap_summary": "Each dot is a customer; right of zero pushes churn risk up.",
        "shap_waterfall": "How one customer's score is built, feature by feature.",
    }
    return figures, captions


@pytest.fixture(scope="module")
def result() -> TrainResult:
    ds = make_demo_dataset(n_customers=400, seed=0)
    y_train = churn_labels(ds, as_of="2024-04-01", horizon_days=90)
    X_train = build_customer_features(ds, as_of="2024-04-01").loc[y_train.index]
    y = churn_labels(ds, as_of="2024-07-01", horizon_days=90)
    X = build_customer_features(ds, as_of="2024-07-01").loc[y.index]
    model = ChurnModel(n_estimators=30, random_state=0).fit(X_train, y_train)
    p = model.predict_proba(X)[:, 1]
    rule = X["recency_days"].fillna(X["recency_days"].max()).to_numpy(dtype=float)
    columns = ["roc_auc", "pr_auc", "brier", "ks", "lift"]
    baselines = pd.DataFrame(
        {
            "model": binary_report(y, p)[columns],
            "recency rule": binary_report(y, rule / rule.max())[columns],
        }
    ).T.rename_axis("name")
    contrib = model.contributions(X)
    catalog = feature_catalog()
    importance = contrib.drop(columns="bias").abs().mean().nlargest(8)
    sign = np.sign(
        [np.corrcoef(X[f].astype(float).fillna(0), contrib[f])[0, 1] for f in importance.index]
    )
    drivers = pd.DataFrame(
        {
            "importance": importance,
            "direction": np.where(sign >= 0, "higher → more risk", "higher → less risk"),
        }
    ).join(catalog[["zh", "en"]])
    drivers.index.name = "feature"
    head = X.head(5)
    examples = model.explain(head, top_k=3).join(
        pd.Series(model.predict_proba(head)[:, 1], index=head.index, name="score")
    )
    examples = examples.rename_axis("customer_id").reset_index()
    figures, captions = _figures(y, p, contrib, X)
    config = {
        "task": "churn",
        "data": {"source": "demo", "n_customers": 400, "seed": 0},
        "labels": {"horizon_days": 90},
        "split": {"train_as_of": "2024-04-01", "holdout_as_of": "2024-07-01"},
        "model": {"n_estimators": 30, "random_state": 0},
    }
    yield TrainResult(
        task="churn",
        config=config,
        fingerprint={
            "source": "demo (400 customers, seed 0)",
            "tables": {name: len(frame) for name, frame in ds.tables.items()},
            "start": "2023-01-01T00:00:00+08:00",
            "end": "2025-01-01T00:00:00+08:00",
            "sha256": "9f2c4e1ab37d" + "0" * 52,
        },
        model=model,
        metrics={**baselines.loc["model"].to_dict(), "base_rate": float(y.mean())},
        baselines=baselines,
        promotion_metric="roc_auc",
        greater_is_better=True,
        score_holdout=lambda m, h: 0.0,
        holdout=Holdout(X=X, y=y, description=f"{len(X):,} customers at 2024-07-01"),
        input_example=X.head(3),
        figures=figures,
        captions=captions,
        drivers=drivers,
        examples=examples,
        catalog=catalog,
        split={
            "train": {"cutoff": "2024-04-01", "rows": len(X_train), "label_rate": y_train.mean()},
            "holdout": {"cutoff": "2024-07-01", "rows": len(X), "label_rate": float(y.mean())},
        },
        stages={"load": 0.41, "features": 1.83, "fit": 0.62, "evaluate": 0.2, "explain": 0.35},
        notes=["shipments table present: logistics features included"],
    )
    plt.close("all")


@pytest.fixture(scope="module")
def run() -> LoggedRun:
    decision = PromotionDecision(
        promoted=True,
        reason="0.842 > 0.836 (roc_auc)",
        metric="roc_auc",
        challenger_score=0.842,
        champion_score=0.836,
        champion_version="3",
        challenger_version="4",
    )
    return LoggedRun(
        run_id="3f1c0a9be2d64f0c9a51c7e2d8b40a11",
        experiment="custintel-churn",
        model_uri="models:/custintel-churn/4",
        registered_name="custintel-churn",
        version="4",
        tracking_uri="sqlite:///mlruns.db",
        decision=decision,
    )


@pytest.fixture(scope="module")
def page(result, run) -> str:
    return render_report(result, run)


def test_page_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert "Noto Sans CJK SC" in page


def test_every_section_and_figure_is_there(result, page):
    for zh, en in SECTIONS.values():
        assert zh in page and en in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(result.figures)
    assert all(len(b) > 5_000 for b in images)
    for caption in result.captions.values():
        assert html.escape(caption) in page


def test_header_names_the_run_and_the_decision(page):
    for text in (
        "流失预警",
        "ChurnModel",
        "3f1c0a9be2d64f0c9a51c7e2d8b40a11",
        "custintel-churn v4",
    ):
        assert text in page
    assert "Promoted to champion" in page and "0.842 &gt; 0.836 (roc_auc)" in page


def test_data_section_reads_fingerprint_split_and_horizon(result, page):
    data = page.split('id="data"')[1].split('id="metrics"')[0]
    assert "9f2c4e1ab37d" in data and "9f2c4e1ab37d0" not in data  # short hash for people
    assert "tracking_events" in page
    assert "no order in 90 days after the cutoff" in page
    assert f"{result.split['holdout']['label_rate']:.1%}" in page


def test_metrics_table_marks_model_row_and_promotion_metric(result, page):
    assert '<tr class="model"><th>model</th>' in page
    assert '<th class="promo">★ roc_auc</th>' in page
    assert "recency rule" in page
    assert "Chance the model ranks a random positive above a random negative" in page


def test_drivers_and_examples_are_bilingual(result, page):
    for _, row in result.drivers.iterrows():
        assert row["zh"] in page and row["en"] in page
    for customer in result.examples["customer_id"].unique():
        assert f"客户 Customer {customer}" in page
    first = result.examples.iloc[0]
    assert first["zh"] in page and first["en"] in page


def test_notes_are_escaped(result, run):
    hostile = dataclasses.replace(result, notes=['<script>alert("x")</script> & more'])
    page = render_report(hostile, run)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page


def test_raw_phone_numbers_are_refused(result):
    leaky = result.examples.copy()
    leaky.loc[0, "zh"] = "联系电话 13812345678"
    with pytest.raises(PIIError, match="report examples"):
        render_report(dataclasses.replace(result, examples=leaky))


def test_missing_optional_parts_are_skipped(result):
    bare = dataclasses.replace(result, drivers=None, examples=None, figures={}, notes=[])
    page = render_report(bare)
    assert "<img" not in page
    assert page.count("Not applicable for this task.") == 2
    assert "No plots for this run." in page and "未记录 not logged" in page


def test_write_report_is_atomic_and_named_by_run(result, run, tmp_path):
    path = write_report(result, run, directory=tmp_path / "reports")
    assert path == tmp_path / "reports" / "churn" / f"{run.run_id}.html"
    assert path.read_text(encoding="utf-8") == render_report(result, run)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    unlogged = write_report(result, directory=tmp_path / "reports")
    assert unlogged.name.startswith("unlogged-") and unlogged.parent == path.parent


def _chromium() -> str | None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI to check that the report renders")
        pytest.skip("chromium is not installed")
    return exe


def _headless(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _screenshot(exe: str, report: Path, tmp: Path, name: str) -> np.ndarray:
    shot = tmp / f"{name}.png"
    done = _headless(exe, tmp / f"profile-{name}", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), done.stderr[-2000:]
    return mpimg.imread(shot)


def test_report_renders_in_headless_chromium(result, run, tmp_path):
    exe = _chromium()
    full = write_report(result, run, directory=tmp_path / "full")
    bare = write_report(dataclasses.replace(result, figures={}), run, directory=tmp_path / "bare")
    pixels = _screenshot(exe, full, tmp_path, "full")
    assert pixels.shape[:2] == (WINDOW[1], WINDOW[0])
    rgb = pixels[..., :3]
    assert rgb.std() > 0.05
    assert len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 500
    without_figures = _screenshot(exe, bare, tmp_path, "bare")[..., :3]
    assert np.abs(rgb - without_figures).mean() > 0.01  # the embedded PNGs were drawn
    dom = _headless(exe, tmp_path / "profile-dom", "--dump-dom", full.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for zh, en in SECTIONS.values():
        assert zh in dom.stdout and en in dom.stdout
