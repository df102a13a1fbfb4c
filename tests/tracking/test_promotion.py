"""The champion alias: moved only to a better challenger on the same holdout, or when forced."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from custintel.models import ChurnModel
from custintel.tracking import (
    Holdout,
    TrainResult,
    list_models,
    load_estimator,
    promote_version,
    start_run,
    tracking_uri,
)
from custintel.tracking.promotion import decide
from tests.tracking._helpers import customer_index, roc_auc


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    n = 500
    X = pd.DataFrame(
        {
            "orders_90d": rng.integers(0, 8, n),
            "spend_90d": rng.gamma(2.0, 100.0, n),
            "city": pd.Categorical(rng.choice(["上海", "北京", "成都"], n)),
        },
        index=customer_index(n),
    )
    y = pd.Series((-0.8 * X["orders_90d"] + rng.normal(0, 1, n) > -2.5).astype(int), index=X.index)
    return X, y


@pytest.fixture(scope="module")
def models(data):
    """A good model, a useless one (shuffled labels) and one trained on other columns."""
    X, y = data
    train_X, train_y = X.iloc[:400], y.iloc[:400]
    shuffled = pd.Series(np.random.default_rng(2).permutation(train_y.to_numpy()), train_y.index)
    other = train_X.assign(tenure_days=np.arange(400.0))
    return {
        "good": ChurnModel(n_estimators=30, random_state=0).fit(train_X, train_y),
        "useless": ChurnModel(n_estimators=30, random_state=0).fit(train_X, shuffled),
        "other_columns": ChurnModel(n_estimators=30, random_state=0).fit(other, train_y),
    }


def make_result(model, data):
    X, y = data
    holdout = Holdout(X=X.iloc[400:], y=y.iloc[400:], description="100 customers")
    if "tenure_days" in model.feature_names_in_:
        holdout.X = holdout.X.assign(tenure_days=np.arange(100.0))
    score = roc_auc(model, holdout)
    return TrainResult(
        task="churn",
        config={"n_estimators": 30},
        fingerprint={},
        model=model,
        metrics={"roc_auc": score},
        baselines=pd.DataFrame({"roc_auc": [score]}, index=["model"]),
        promotion_metric="roc_auc",
        greater_is_better=True,
        score_holdout=roc_auc,
        holdout=holdout,
        input_example=holdout.X.head(3),
    )


def train(model, data, force=False):
    result = make_result(model, data)
    with start_run("churn") as run:
        run.log_result(result)
        run.log_model(result)
        decision = run.promote(result, force=force)
    return run, decision


def champion():
    return str(
        MlflowClient(tracking_uri())
        .get_model_version_by_alias("custintel-churn", "champion")
        .version
    )


def test_champion_moves_only_to_a_better_challenger(store, models, data):
    _, first = train(models["useless"], data)
    assert first.promoted and first.reason == "first version of the model"
    assert first.champion_version is None and first.challenger_version == "1"

    _, better = train(models["good"], data)
    assert better.promoted and better.champion_version == "1"
    assert better.challenger_score > better.champion_score
    assert better.reason.endswith("(roc_auc)") and " > " in better.reason
    assert champion() == "2"

    run, worse = train(models["useless"], data)
    assert not worse.promoted
    assert worse.reason.startswith("not better: ")
    assert worse.champion_score == pytest.approx(better.challenger_score)
    assert champion() == "2"
    client = MlflowClient(tracking_uri())
    logged = client.get_run(run.run_id).data
    assert logged.tags["promotion.promoted"] == "false"
    assert logged.metrics["promotion.champion_score"] == pytest.approx(worse.champion_score)
    assert logged.metrics["promotion.challenger_score"] == pytest.approx(worse.challenger_score)
    path = client.download_artifacts(run.run_id, "promotion.json", str(store))
    with open(path, encoding="utf-8") as fh:
        assert json.load(fh)["reason"] == worse.reason
    assert client.get_model_version("custintel-churn", "3").tags["promotion.promoted"] == "false"

    _, forced = train(models["useless"], data, force=True)
    assert forced.promoted and forced.reason == "forced"
    assert champion() == "4"


def test_incompatible_champion_blocks_unless_forced(store, models, data):
    train(models["other_columns"], data)
    _, blocked = train(models["good"], data)
    assert not blocked.promoted
    assert blocked.champion_score is None
    assert "could not score this holdout" in blocked.reason and "--force" in blocked.reason
    assert champion() == "1"
    decision = promote_version("churn", "2", score_holdout=roc_auc, force=True)
    assert decision.promoted and champion() == "2"


def test_promote_version_rescores_on_the_versions_own_holdout(store, models, data):
    train(models["good"], data)
    train(models["useless"], data)
    decision = promote_version("churn", "2", score_holdout=roc_auc)
    assert not decision.promoted
    assert decision.challenger_version == "2" and decision.champion_version == "1"
    assert decision.challenger_score == pytest.approx(
        make_result(models["useless"], data).metrics["roc_auc"]
    )
    assert champion() == "1"
    again = promote_version("churn", "1", score_holdout=roc_auc)
    assert again.promoted and "already the champion" in again.reason


def test_load_estimator_and_list_models(store, models, data):
    assert list_models().empty
    assert list(list_models().columns) == [
        "task",
        "name",
        "champion_version",
        "latest_version",
        "run_id",
        "trained_at",
        "promotion_metric",
        "score",
    ]
    with pytest.raises(ValueError, match=r"custintel train churn") as error:
        load_estimator("churn")
    assert tracking_uri() in str(error.value)
    run, _ = train(models["good"], data)
    train(models["useless"], data)
    estimator, info = load_estimator("churn")
    X, _ = data
    assert np.allclose(estimator.predict_proba(X)[:, 1], models["good"].predict_proba(X)[:, 1])
    assert info["version"] == "1" and info["run_id"] == run.run_id
    assert info["promotion_metric"] == "roc_auc" and "roc_auc" in info["metrics"]
    assert load_estimator("churn", version="2")[1]["version"] == "2"
    with pytest.raises(ValueError, match="no version 9"):
        load_estimator("churn", version="9")
    table = list_models()
    assert table["task"].tolist() == ["churn"]
    row = table.iloc[0]
    assert (row["champion_version"], row["latest_version"]) == ("1", "2")
    assert row["run_id"] == run.run_id and row["promotion_metric"] == "roc_auc"
    assert row["score"] == pytest.approx(info["metrics"]["roc_auc"])


def test_decide_compares_in_the_metrics_direction():
    assert decide(0.5, None, "mase", greater_is_better=False) == (
        True,
        "first version of the model",
    )
    assert decide(0.8, 0.9, "mase", greater_is_better=False) == (True, "0.8 < 0.9 (mase)")
    assert decide(0.9, 0.9, "roc_auc", greater_is_better=True) == (
        False,
        "not better: 0.9 <= 0.9 (roc_auc)",
    )
    assert decide(0.84213, 0.84211, "roc_auc", greater_is_better=True)[1] == (
        "0.84213 > 0.84211 (roc_auc)"
    )
    assert not decide(float("nan"), 0.5, "roc_auc", greater_is_better=True)[0]


def _log_loss(model, holdout):
    from sklearn.metrics import log_loss

    return float(log_loss(holdout.y, model.predict_proba(holdout.X)[:, 1]))


def test_promote_version_compares_on_the_metric_asked_in_its_direction(store, models, data):
    train(models["useless"], data)
    train(models["good"], data)  # version 2, champion on roc_auc
    train(models["useless"], data)  # version 3, trained with promotion metric roc_auc
    assert champion() == "2"
    kept = promote_version(
        "churn", "3", score_holdout=_log_loss, metric="log_loss", greater_is_better=False
    )
    assert not kept.promoted and champion() == "2"
    assert kept.metric == "log_loss" and kept.challenger_score > kept.champion_score
    assert kept.reason.startswith("not better: ") and " >= " in kept.reason
    assert "compared on log_loss" in kept.reason and "promotion metric roc_auc" in kept.reason
    back = promote_version(
        "churn", "2", score_holdout=_log_loss, metric="log_loss", greater_is_better=False
    )
    assert back.promoted and "already the champion" in back.reason
    assert champion() == "2"
    with pytest.raises(ValueError, match="greater_is_better"):
        promote_version("churn", "3", score_holdout=_log_loss, metric="log_loss")


def test_promote_version_on_the_trained_metric_says_nothing_more(store, models, data):
    train(models["good"], data)
    train(models["useless"], data)
    decision = promote_version(
        "churn", "2", score_holdout=roc_auc, metric="roc_auc", greater_is_better=True
    )
    assert not decision.promoted and decision.reason.endswith("(roc_auc)")
