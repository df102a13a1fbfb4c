"""Training pipelines end to end: every task trained, tracked, promoted and reported.

One module-scoped run of all six tasks on 5,000 demo customers (the smallest size whose last
quarter holds fraud verdicts of both classes) in a fresh MLflow store; the tests read it.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from custintel.pipelines import (
    evaluate,
    load_data,
    metrics_table,
    promote,
    train,
)
from tests.training import LIGHT, light_spec


@pytest.fixture(scope="module")
def store(trained):
    """The directory the six runs were trained in: its MLflow store, reports and snapshots."""
    where, _ = trained
    before, env = os.getcwd(), os.environ.pop("MLFLOW_TRACKING_URI", None)
    os.chdir(where)
    yield where
    os.chdir(before)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    if env is not None:
        os.environ["MLFLOW_TRACKING_URI"] = env


@pytest.fixture(scope="module")
def ds(trained_data):
    return trained_data


@pytest.fixture(scope="module")
def runs(store, trained):
    return trained[1]


def test_default_store_is_a_sqlite_file_in_the_working_directory(runs, store):
    assert (store / "mlflow.db").is_file()
    assert runs["churn"].logged.tracking_uri == f"sqlite:///{store / 'mlflow.db'}"


@pytest.mark.parametrize(
    ("task", "floor"),
    [
        (
            "churn",
            lambda m, b: m["roc_auc"] > 0.8 and m["roc_auc"] > b.loc["recency rule", "roc_auc"],
        ),
        ("credit", lambda m, b: m["roc_auc"] > 0.6 and m["ks"] > b.loc["base rate", "ks"] + 0.15),
        ("fraud", lambda m, b: m["pr_auc"] > 2 * m["base_rate"] and m["roc_auc"] > 0.85),
        (
            "segmentation",
            lambda m, b: m["silhouette"] > b.loc["RFM tiers (8 classic)", "silhouette"],
        ),
        ("demand", lambda m, b: m["mase"] < 0.95 * b.loc["seasonal naive", "mase"]),
        ("sentiment", lambda m, b: m["balanced_accuracy"] > 0.85),
    ],
)
def test_every_task_beats_its_baseline_on_the_time_holdout(runs, task, floor):
    r = runs[task].result
    assert floor(r.metrics, r.baselines), (r.metrics, r.baselines)
    assert r.baselines.loc["model", r.promotion_metric] == pytest.approx(
        r.metrics[r.promotion_metric], nan_ok=True
    )


def test_first_version_of_every_task_becomes_champion(runs):
    for task, o in runs.items():
        assert o.logged.version == "1", task
        assert o.decision.promoted and o.decision.reason == "first version of the model", task


def test_splits_are_by_time(runs):
    for task in ("churn", "credit", "segmentation"):
        split = runs[task].result.split
        assert max(split["train_cutoffs"]) < min(split["holdout_cutoffs"]), task
    demand = runs["demand"].result
    history = demand.holdout.extra["history"]
    assert history["ds"].max() < demand.holdout.X["ds"].min()


def test_every_run_has_a_report_figures_drivers_and_examples(runs, store):
    for task, o in runs.items():
        assert o.report_path is not None and o.report_path.is_file(), task
        assert o.report_path.parent == store / "reports" / task
        assert o.report_path.stem == o.logged.run_id
        assert o.result.figures, task
        if task != "demand":
            assert o.result.drivers is not None and len(o.result.drivers) >= 5, task
            assert set(o.result.drivers.columns) >= {"importance", "zh", "en"}, task
            assert o.result.examples["customer_id"].nunique() == 5, task
    expected = {"roc_pr", "calibration", "lift", "shap_summary", "waterfall_1"}
    assert expected <= set(runs["churn"].result.figures)
    assert {"segment_profiles", "segment_sizes"} <= set(runs["segmentation"].result.figures)
    assert "forecast_fans" in runs["demand"].result.figures
    assert "confusion_matrix" in runs["sentiment"].result.figures
    assert "confusion_matrix" in runs["fraud"].result.figures


def test_drivers_carry_catalog_descriptions_in_both_languages(runs):
    drivers = runs["churn"].result.drivers
    assert drivers.loc["recency_days", "zh"] == "距最近一次下单的天数"
    assert drivers.loc["recency_days", "en"] == "days since the last order"
    assert drivers.loc["recency_days", "direction"] == "higher raises"


def test_a_retrained_identical_model_ties_and_keeps_the_champion(runs, store, ds):
    again = train(light_spec("churn", store), dataset=ds)
    first = runs["churn"].result
    assert again.result.metrics == first.metrics  # deterministic for a seed
    assert again.logged.version == "2"
    assert not again.decision.promoted
    assert again.decision.reason.startswith("not better")
    assert again.decision.champion_version == "1"
    assert again.decision.champion_score == pytest.approx(first.metrics["roc_auc"])
    from custintel.pipelines.snapshots import read_snapshot

    _, info = read_snapshot(store / "snapshots", "churn")  # still the champion's snapshot
    assert info["run_id"] == runs["churn"].logged.run_id


def test_a_worse_challenger_is_not_promoted_unless_forced(runs, store, ds):
    from custintel.pipelines.snapshots import read_snapshot

    weak = light_spec("churn", store, estimator={"n_estimators": 2, "num_leaves": 2})
    outcome = train(weak, dataset=ds, report=False)
    assert not outcome.decision.promoted
    assert outcome.decision.challenger_score < outcome.decision.champion_score
    forced = promote(weak, outcome.logged.version, force=True, dataset=ds)
    assert forced.promoted and forced.reason == "forced"
    assert read_snapshot(store / "snapshots", "churn")[1]["run_id"] == outcome.logged.run_id
    back = promote(weak, "1", dataset=ds)  # version 1 beats the forced weak champion
    assert back.promoted, back.reason
    assert read_snapshot(store / "snapshots", "churn")[1]["run_id"] == runs["churn"].logged.run_id


def test_promoting_a_version_with_other_features_rebuilds_the_snapshot(runs, store, ds):
    from custintel.pipelines.snapshots import read_snapshot

    fewer = light_spec("churn", store, features={"exclude": ["recency_days"]})
    outcome = train(fewer, dataset=ds, report=False)
    assert not outcome.decision.promoted  # the champion cannot score a holdout without it
    assert "could not score this holdout" in outcome.decision.reason
    assert promote(fewer, outcome.logged.version, force=True, dataset=ds).promoted
    X, info = read_snapshot(store / "snapshots", "churn")  # what the service looks ids up in
    assert list(X.columns) == list(outcome.result.model.feature_names_in_)
    assert "recency_days" not in X.columns and info["run_id"] == outcome.logged.run_id
    back = promote(fewer, "1", dataset=ds)  # built as version 1's own config says
    assert back.promoted, back.reason
    X, info = read_snapshot(store / "snapshots", "churn")
    assert list(X.columns) == list(runs["churn"].result.model.feature_names_in_)
    assert info["run_id"] == runs["churn"].logged.run_id


def test_evaluate_scores_the_champion_on_the_holdout_of_the_data(runs, store, ds):
    spec = light_spec("credit", store)
    metrics, info, holdout = evaluate(spec, dataset=ds)
    assert info["version"] == runs["credit"].logged.version
    assert metrics["ks"] == pytest.approx(runs["credit"].result.metrics["ks"])
    assert len(holdout.X) == len(runs["credit"].result.holdout.X)


def test_champions_load_back_through_mlflow_and_predict_the_same(runs):
    import mlflow

    from custintel.tracking import model_output, serving_frame

    for task in ("churn", "fraud", "segmentation"):
        r = runs[task].result
        pyfunc = mlflow.pyfunc.load_model(f"models:/custintel-{task}@champion")
        X = r.holdout.X.head(50)
        X = X.droplevel("as_of") if "as_of" in X.index.names else X
        got = pyfunc.predict(serving_frame(X))
        want = model_output(task, r.model, X)
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
        )


def test_metrics_table_summarises_every_run(runs):
    table = metrics_table(list(runs.values()))
    assert list(table["task"]) == list(LIGHT)
    assert (table["version"] == "1").all()
    row = table.set_index("task").loc["demand"]
    assert row["metric"] == "mase" and "seasonal naive" in row["best baseline"]


def test_nothing_personal_reaches_the_holdouts(runs):
    from custintel.identity import assert_no_pii

    for task, o in runs.items():
        assert_no_pii(o.result.holdout.X, where=f"{task} holdout")
        assert_no_pii(o.result.input_example, where=f"{task} input example")


def test_sentiment_masks_phone_numbers_typed_into_reviews(store, ds):
    reviews = ds.reviews.copy()
    late = reviews.index[reviews["created_at"] >= ds.end - pd.Timedelta(days=30)][:3]
    reviews["text"] = reviews["text"].astype("string")
    reviews.loc[late, "text"] = "快递员态度很差，打13812345678也不接"
    reviews.loc[late, "rating"] = 1
    leaky = ds.replace(reviews=reviews)
    spec = light_spec("sentiment", store, start_from="pretrained")
    outcome = train(spec, dataset=leaky, track=False, report=False)
    texts = outcome.result.holdout.X["text"]
    assert texts.str.contains("[手机号]", regex=False).sum() == 3
    assert not texts.str.contains("13812345678", regex=False).any()


def test_data_is_loaded_once_per_source(store, ds):
    cache = {}
    a = load_data(light_spec("churn", store), dataset=ds, cache=cache)
    b = load_data(light_spec("credit", store), dataset=ds, cache=cache)
    assert a is b and len(cache) == 1
    assert a.fingerprint["tables"]["customers"] == len(ds.customers)
    assert a.fingerprint["merged_customers"] > 0


def test_a_task_without_its_data_fails_with_a_clear_message(store, ds):
    spec = light_spec("fraud", store)
    with pytest.raises(ValueError, match="no fraud_labels table"):
        train(spec, dataset=ds.replace(fraud_labels=None), track=False, report=False)
    spec = light_spec("sentiment", store)
    with pytest.raises(ValueError, match="reviews table with `text` and `rating`"):
        train(spec, dataset=ds.replace(reviews=None), track=False, report=False)


def test_the_same_seed_gives_the_same_model(store, ds):
    a = train(light_spec("segmentation", store, seed=1), dataset=ds, track=False, report=False)
    b = train(light_spec("segmentation", store, seed=1), dataset=ds, track=False, report=False)
    assert np.array_equal(a.result.model.cluster_centers_, b.result.model.cluster_centers_)


def test_training_writes_the_serving_snapshot(runs, store):
    from custintel.pipelines.snapshots import read_snapshot

    for task in ("churn", "credit", "fraud", "segmentation"):
        X, info = read_snapshot(store / "snapshots", task)
        model = runs[task].result.model
        assert X.index.name == "customer_id" and X.index.is_unique, task
        assert list(X.columns) == list(model.feature_names_in_), task
        assert info["run_id"] == runs[task].logged.run_id and info["rows"] == len(X), task
    assert not (store / "snapshots" / "demand.parquet").exists()
