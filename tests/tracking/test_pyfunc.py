"""Logged models: every task loads back through mlflow.pyfunc and predicts as before."""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from custintel.data import make_demo_dataset
from custintel.features import build_customer_features, churn_labels
from custintel.models import (
    ChurnModel,
    CreditRiskModel,
    CustomerSegmenter,
    DemandForecaster,
    FraudScorer,
    SentimentClassifier,
)
from custintel.models.demand import make_demand_series
from custintel.tracking import (
    TASKS,
    Holdout,
    TrainResult,
    model_output,
    serving_frame,
    start_run,
)
from custintel.tracking.pyfunc import pip_requirements

TEXTS = ["快递很快，包装完好", "催了三天还没到，客服也不理人", "箱子压坏了，水果烂了一半", "还行"]


@pytest.fixture(scope="module")
def features():
    ds = make_demo_dataset(n_customers=400, seed=0)
    X = build_customer_features(ds, as_of="2024-07-01")
    y = churn_labels(ds, as_of="2024-07-01", horizon_days=90)
    return X.loc[y.index], y


@pytest.fixture(scope="module")
def fitted(features):
    """Task -> (fitted estimator, input frame as used in training)."""
    X, y = features
    ts = make_demand_series(n_series=3, n_periods=40, seed=0)
    demand = DemandForecaster(horizon=7, models=("seasonal_naive", "theta"), n_windows=1)
    return {
        "churn": (ChurnModel(n_estimators=30, random_state=0).fit(X, y), X),
        "credit": (CreditRiskModel(n_estimators=30, random_state=0).fit(X, y), X),
        "fraud": (FraudScorer(n_estimators=50, random_state=0).fit(X), X),
        "segmentation": (CustomerSegmenter(n_clusters=4, n_init=1, random_state=0).fit(X), X),
        "demand": (demand.fit(ts), pd.DataFrame({"series_id": ["s2", "s0"]})),
        "sentiment": (SentimentClassifier.pretrained(), pd.DataFrame({"text": TEXTS})),
    }


def result_for(task, model, frame):
    holdout = Holdout(X=frame, y=None, description=f"{len(frame)} rows")
    return TrainResult(
        task=task,
        config={},
        fingerprint={},
        model=model,
        metrics={"score": 1.0},
        baselines=pd.DataFrame(),
        promotion_metric="score",
        greater_is_better=True,
        score_holdout=lambda model, holdout: 1.0,
        holdout=holdout,
        input_example=frame.head(5),
    )


@pytest.fixture(scope="module")
def logged_churn(fitted, tmp_path_factory, template_db):
    """One churn model logged to a store of its own (for the read-only checks)."""
    root = tmp_path_factory.mktemp("churn-store")
    shutil.copy(template_db, root / "mlflow.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        model, X = fitted["churn"]
        with start_run("churn") as run:
            uri, _ = run.log_model(result_for("churn", model, X))
        yield uri, mlflow.pyfunc.load_model(uri)


@pytest.mark.parametrize("task", TASKS)
def test_every_task_loads_back_and_predicts_the_same(store, fitted, task):
    model, frame = fitted[task]
    with start_run(task) as run:
        uri, version = run.log_model(result_for(task, model, frame))
    assert uri == f"models:/custintel-{task}/{version}"
    assert version == "1"
    loaded = mlflow.pyfunc.load_model(uri)
    got = loaded.predict(serving_frame(frame))
    expected = model_output(task, model, frame)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )
    assert len(got) == (14 if task == "demand" else len(frame))


def test_categorical_inputs_work_through_the_pyfunc(fitted, logged_churn):
    model, X = fitted["churn"]
    assert (X.dtypes == "category").any()
    _, loaded = logged_churn
    served = serving_frame(X)
    assert not (served.dtypes == "category").any()
    got = loaded.predict(served)["churn_probability"].to_numpy()
    assert np.allclose(got, model.predict_proba(X)[:, 1], atol=1e-9)
    unseen = served.head(3).copy()
    unseen["province"] = "未知省"
    assert loaded.predict(unseen)["churn_probability"].between(0, 1).all()


def test_signature_has_no_category_types(logged_churn, fitted):
    uri, _ = logged_churn
    _, X = fitted["churn"]
    inputs = mlflow.models.get_model_info(uri).signature.inputs.to_dict()
    types = {spec["name"]: spec["type"] for spec in inputs}
    assert set(types) == set(X.columns)
    assert set(types.values()) <= {"double", "string", "boolean"}
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    assert categorical and all(types[c] == "string" for c in categorical)


def test_pip_requirements_are_pinned_and_free_of_test_tools(logged_churn):
    uri, _ = logged_churn
    path = Path(mlflow.pyfunc.get_model_dependencies(uri))
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    names = {line.split("==")[0].lower() for line in lines}
    assert all("==" in line for line in lines)
    assert f"lightgbm=={metadata.version('lightgbm')}" in lines
    assert {"mlflow", "pandas", "scikit-learn", "numpy", "joblib", "cloudpickle"} <= names
    assert not names & {"pytest", "hypothesis", "ruff", "mypy", "import-linter", "custintel"}
    assert "jieba" not in names  # per-task extras only
    assert {"jieba", "rjieba"} <= {r.split("==")[0] for r in pip_requirements("sentiment")}
    assert "statsforecast" in {r.split("==")[0] for r in pip_requirements("demand")}


def test_serving_frame_turns_categories_into_strings_and_integers_into_floats():
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None], dtype="Int64"),
            "city": pd.Categorical(["上海", None]),
            "vip": [True, False],
            "note": pd.array(["a", None], dtype="string"),
        },
        index=pd.Index(["C1", "C2"], name="customer_id"),
    )
    served = serving_frame(frame)
    assert served.dtypes.astype(str).tolist() == ["float64", "object", "bool", "object"]
    assert np.isnan(served.loc["C2", "n"])
    assert served["city"].tolist() == ["上海", None]
    assert served["note"].tolist() == ["a", None]
    assert served.index.equals(frame.index)
    assert isinstance(frame["city"].dtype, pd.CategoricalDtype)  # input untouched


def test_demand_output_selects_series_in_request_order(fitted):
    model, _ = fitted["demand"]
    out = model_output("demand", model, pd.DataFrame({"series_id": ["s2", "s0"]}))
    assert out["series_id"].drop_duplicates().tolist() == ["s2", "s0"]
    assert {"ds", "yhat", "yhat_q10", "yhat_q90"} <= set(out.columns)
    everything = model_output("demand", model, pd.DataFrame({"series_id": []}))
    assert sorted(everything["series_id"].unique()) == ["s0", "s1", "s2"]
    with pytest.raises(ValueError, match=r"Unknown series_id \['nope'\]"):
        model_output("demand", model, pd.DataFrame({"series_id": ["s0", "nope"]}))


def test_sentiment_output_has_labels_probabilities_and_aspects(fitted):
    model, frame = fitted["sentiment"]
    out = model_output("sentiment", model, frame)
    assert out.columns[:2].tolist() == ["label", "negative_probability"]
    assert out["negative_probability"].iloc[1] > out["negative_probability"].iloc[0]
    assert out.drop(columns=["label", "negative_probability"]).dtypes.eq(bool).all()
    with pytest.raises(ValueError, match="column 'text'"):
        model_output("sentiment", model, frame.rename(columns={"text": "review"}))


def test_segment_names_are_plain_strings(fitted):
    model, X = fitted["segmentation"]
    out = model_output("segmentation", model, X.head(20))
    assert out["segment"].dtype == np.int64
    assert out["segment_name"].map(type).eq(str).all()
    assert out["segment_name_en"].map(type).eq(str).all()
    assert out.index.equals(X.head(20).index)


def test_unknown_task_is_rejected(fitted):
    model, X = fitted["churn"]
    with pytest.raises(ValueError, match="task must be one of"):
        model_output("ltv", model, X)
