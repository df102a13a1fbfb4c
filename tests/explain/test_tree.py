"""tree_contributions: LightGBM's pred_contrib equals shap's TreeExplainer and sums to the raw score."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from custintel.explain import BIAS, reason_codes, tree_contributions


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame(
        {
            "recency_days": rng.exponential(60, n),
            "orders_90d": rng.poisson(3, n).astype(float),
            "channel": pd.Categorical(rng.choice(["app", "web", "store", "mini_program"], n)),
            "spend_90d": rng.gamma(2.0, 200.0, n),
        }
    )
    X.loc[rng.random(n) < 0.1, "spend_90d"] = np.nan
    logit = (
        0.02 * (X["recency_days"] - 60)
        - 0.3 * (X["orders_90d"] - 3)
        + X["channel"]
        .map({"app": -0.5, "web": 0.5, "store": 1.0, "mini_program": 0.0})
        .astype(float)
    )
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int))
    return X, y


@pytest.fixture(scope="module")
def booster(data) -> lgb.Booster:
    X, y = data
    params = {
        "objective": "binary",
        "num_leaves": 8,
        "learning_rate": 0.1,
        "verbose": -1,
        "seed": 0,
    }
    return lgb.train(params, lgb.Dataset(X, y, categorical_feature=["channel"]), num_boost_round=40)


def test_matches_shap_tree_explainer(data, booster):
    shap = pytest.importorskip("shap")
    X, _ = data
    assert booster.dump_model()["tree_info"], "model has trees"
    assert any(
        node.get("decision_type") == "=="
        for tree in booster.dump_model()["tree_info"]
        for node in _nodes(tree["tree_structure"])
    ), "the model must use a categorical split for the test to mean something"
    contrib = tree_contributions(booster, X)
    explainer = shap.TreeExplainer(booster, feature_perturbation="tree_path_dependent")
    expected = explainer.shap_values(X)
    expected = expected[1] if isinstance(expected, list) else expected
    np.testing.assert_allclose(contrib.drop(columns=BIAS).to_numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(
        contrib[BIAS].to_numpy(), np.ravel(explainer.expected_value)[-1], atol=1e-6
    )


def test_sums_to_the_raw_score_log_odds(data, booster):
    X, _ = data
    contrib = tree_contributions(booster, X)
    raw = booster.predict(X, raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1).to_numpy(), raw, atol=1e-9)
    proba = booster.predict(X)
    np.testing.assert_allclose(1 / (1 + np.exp(-contrib.sum(axis=1).to_numpy())), proba, atol=1e-9)


def test_names_index_and_reason_codes(data, booster):
    X, _ = data
    X = X.set_axis(pd.Index([f"C{i}" for i in range(len(X))], name="customer_id"))
    contrib = tree_contributions(booster, X)
    assert contrib.columns.tolist() == [*X.columns, BIAS]
    assert contrib.index.equals(X.index)
    r = reason_codes(contrib, X, top_k=2)
    assert r.index.name == "customer_id"
    assert set(r["feature"]) <= set(X.columns)


def test_numpy_input_with_names_and_sklearn_wrapper(data):
    X, y = data
    numeric = X.drop(columns="channel").to_numpy()
    model = lgb.LGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1, random_state=0).fit(
        numeric, y
    )
    contrib = tree_contributions(
        model, numeric, ["recency_days", "orders_90d", "spend_90d"], index=X.index
    )
    assert contrib.columns.tolist() == ["recency_days", "orders_90d", "spend_90d", BIAS]
    np.testing.assert_allclose(
        contrib.sum(axis=1), model.predict(numeric, raw_score=True), atol=1e-9
    )
    default = tree_contributions(model, numeric)
    assert default.columns.tolist() == [*model.booster_.feature_name(), BIAS]
    assert isinstance(default.index, pd.RangeIndex)


def test_errors(data, booster):
    X, _ = data
    with pytest.raises(TypeError, match=r"lightgbm\.Booster"):
        tree_contributions(object(), X)
    with pytest.raises(ValueError, match="feature_names has 2 names but the model reads 4"):
        tree_contributions(booster, X, ["a", "b"])
    with pytest.raises(ValueError, match="must not contain 'bias'"):
        tree_contributions(booster, X, ["a", "b", "c", "bias"])
    multi = lgb.train(
        {"objective": "multiclass", "num_class": 3, "verbose": -1},
        lgb.Dataset(X.drop(columns="channel"), np.arange(len(X)) % 3),
        num_boost_round=2,
    )
    with pytest.raises(ValueError, match="multiclass"):
        tree_contributions(multi, X.drop(columns="channel"))


def _nodes(node: dict):
    yield node
    for side in ("left_child", "right_child"):
        if side in node:
            yield from _nodes(node[side])
