"""log_result: parameters, metrics, artifacts and the holdout of a run; no personal data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from mlflow import MlflowClient

from custintel.identity import PIIError
from custintel.models import ChurnModel
from custintel.tracking import Holdout, TrainResult, load_holdout, start_run, tracking_uri
from tests.tracking._helpers import customer_index, roc_auc


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame(
        {
            "spend_90d": rng.gamma(2.0, 100.0, n),
            "orders_90d": rng.integers(0, 8, n),
            "city": pd.Categorical(rng.choice(["上海", "北京", "成都"], n)),
            "coupon": rng.random(n) < 0.3,
        },
        index=customer_index(n),
    )
    signal = -0.6 * X["orders_90d"] + (X["city"] == "成都") + rng.normal(0, 1, n)
    y = pd.Series((signal > -1.5).astype(int), index=X.index, name="churned")
    return X, y


@pytest.fixture(scope="module")
def result(data):
    X, y = data
    model = ChurnModel(n_estimators=30, random_state=0).fit(X.iloc[:300], y.iloc[:300])
    history = pd.DataFrame({"series_id": ["s0", "s0"], "y": [1.0, 2.0]})
    holdout = Holdout(
        X=X.iloc[300:],
        y=y.iloc[300:],
        description="100 customers at 2024-07-01",
        extra={"history": history, "weights": y.iloc[300:] * 0.5, "as_of": "2024-07-01"},
    )
    figure = Figure()
    figure.subplots().plot([0, 1], [0, 1])
    auc = roc_auc(model, holdout)
    return TrainResult(
        task="churn",
        config={
            "model": {"n_estimators": 30, "features": ["a", "b"]},
            "seed": 0,
            "long": "x" * 7000,
        },
        fingerprint={"tables": {"customers": 400}, "sha256": "abc"},
        model=model,
        metrics={"roc_auc": auc, "pr_auc": 0.5},
        baselines=pd.DataFrame(
            {"roc_auc": [auc, 0.61], "pr_auc": [0.5, 0.4]},
            index=pd.Index(["model", "recency rule (90 天)"], name="name"),
        ),
        promotion_metric="roc_auc",
        greater_is_better=True,
        score_holdout=roc_auc,
        holdout=holdout,
        input_example=X.head(5),
        figures={"roc_pr": figure},
        captions={"roc_pr": "Higher is better."},
        drivers=pd.DataFrame({"importance": [0.4]}, index=pd.Index(["orders_90d"], name="feature")),
        examples=pd.DataFrame({"customer_id": ["C0300"], "score": [0.9], "rank": [1]}),
        catalog=pd.DataFrame(
            {"family": ["behaviour"]}, index=pd.Index(["orders_90d"], name="name")
        ),
        split={"train": "300 customers", "holdout": "100 customers"},
        stages={"fit": 1.5, "explain": 0.25},
        notes=["small sample"],
    )


def artifact_paths(client, run_id, path=None):
    out = []
    for info in client.list_artifacts(run_id, path):
        out += artifact_paths(client, run_id, info.path) if info.is_dir else [info.path]
    return out


def test_log_result_logs_params_metrics_tags_and_artifacts(store, result, tmp_path):
    with start_run("churn") as run:
        run.log_result(result)
    client = MlflowClient(tracking_uri())
    logged = client.get_run(run.run_id).data
    assert logged.params["model.n_estimators"] == "30"
    assert json.loads(logged.params["model.features"]) == ["a", "b"]
    assert len(logged.params["long"]) == 6000
    assert logged.metrics["roc_auc"] == pytest.approx(result.metrics["roc_auc"])
    assert logged.metrics["baseline.recency_rule_90_.roc_auc"] == pytest.approx(0.61)
    assert logged.metrics["seconds.explain"] == 0.25
    assert logged.tags["promotion_metric"] == "roc_auc"
    assert logged.tags["greater_is_better"] == "true"
    assert logged.tags["custintel.version"]
    paths = set(artifact_paths(client, run.run_id))
    assert {
        "config.yaml",
        "fingerprint.json",
        "feature_catalog.csv",
        "baselines.csv",
        "drivers.csv",
        "examples.csv",
        "split.json",
        "notes.txt",
        "plots/roc_pr.png",
        "plots/captions.json",
        "holdout/X.parquet",
        "holdout/y.parquet",
        "holdout/extra_history.parquet",
        "holdout/extra_weights.parquet",
        "holdout/description.json",
    } <= paths
    local = client.download_artifacts(run.run_id, "config.yaml", str(tmp_path))
    with open(local, encoding="utf-8") as fh:
        assert yaml.safe_load(fh)["model"]["n_estimators"] == 30
    png = client.download_artifacts(run.run_id, "plots/roc_pr.png", str(tmp_path))
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_report_and_logged_run(store, result):
    report = store / "churn.html"
    report.write_text("<html>report</html>", encoding="utf-8")
    with start_run("churn") as run:
        before = run.logged()
        run.log_report(report)
    assert before.model_uri == "" and before.version == ""
    assert before.experiment == "custintel-churn" and before.registered_name == "custintel-churn"
    assert before.tracking_uri == tracking_uri()
    client = MlflowClient(tracking_uri())
    assert [a.path for a in client.list_artifacts(run.run_id, "report")] == ["report/churn.html"]
    logged = run.logged(report_path=report)
    assert logged.run_id == run.run_id and logged.report_path == report


def test_holdout_round_trip(store, result):
    with start_run("churn") as run:
        run.log_result(result)
    back = load_holdout(run.run_id)
    pd.testing.assert_frame_equal(back.X, result.holdout.X)
    pd.testing.assert_series_equal(back.y, result.holdout.y)
    assert back.description == result.holdout.description
    pd.testing.assert_frame_equal(back.extra["history"], result.holdout.extra["history"])
    pd.testing.assert_series_equal(
        back.extra["weights"], result.holdout.extra["weights"], check_names=False
    )
    assert back.extra["as_of"] == "2024-07-01"
    assert result.score_holdout(result.model, back) == pytest.approx(result.metrics["roc_auc"])


def test_run_without_holdout_is_reported(store):
    with start_run("churn") as run:
        pass
    with pytest.raises(ValueError, match="has no holdout"):
        load_holdout(run.run_id)


def test_personal_data_never_reaches_an_artifact(store, result):
    leaky = result.input_example.assign(contact=["13812345678"] + ["-"] * 4)
    bad = TrainResult(**{**result.__dict__, "input_example": leaky})
    with start_run("churn") as run, pytest.raises(PIIError, match="input example"):
        run.log_result(bad)
    client = MlflowClient(tracking_uri())
    assert client.list_artifacts(run.run_id) == []
    texts = Holdout(X=pd.DataFrame({"text": ["请打 13812345678 联系我"]}), y=None, description="1")
    with start_run("sentiment") as run, pytest.raises(PIIError, match="holdout X"):
        run.log_result(TrainResult(**{**result.__dict__, "task": "sentiment", "holdout": texts}))
    assert client.list_artifacts(run.run_id) == []


def test_pipelines_result_reexports_the_same_classes():
    from custintel.pipelines import result as pipelines_result
    from custintel.tracking import result as tracking_result

    for name in ("Holdout", "LoggedRun", "PromotionDecision", "TrainResult", "TASKS"):
        assert getattr(pipelines_result, name) is getattr(tracking_result, name)


def test_promote_needs_a_logged_model_and_a_known_metric(store, result):
    with start_run("churn") as run:
        with pytest.raises(RuntimeError, match="log_model"):
            run.promote(result)
        run.log_model(result)
        bad = TrainResult(**{**result.__dict__, "promotion_metric": "f1"})
        with pytest.raises(ValueError, match="promotion_metric 'f1'"):
            run.promote(bad)
