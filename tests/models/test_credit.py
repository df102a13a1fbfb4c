"""CreditRiskModel: scikit-learn contract, monotone constraints, scores and demo quality."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from custintel.features import CreditFeatures, build_training_frame, rolling_cutoffs, time_split
from custintel.models.credit import CREDIT_MONOTONE, CreditRiskModel
from tests.models.test_churn import (
    EXPECTED_FAILED_CHECKS,
    behaviour_builders,
    demo_dataset,
    sklearn_instance,
)


@parametrize_with_checks(
    [sklearn_instance(CreditRiskModel)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def credit_split():
    ds = demo_dataset()
    # default labels need 30 days of grace after the 90-day window
    cutoffs = rolling_cutoffs(ds, n=6, every_days=60, horizon_days=120)
    X, y = build_training_frame(
        ds, cutoffs, "default", horizon_days=90, builders=behaviour_builders()
    )
    return time_split(X, y, valid_cutoffs=2)


@pytest.fixture(scope="module")
def fitted(credit_split):
    (X_tr, y_tr), _ = credit_split
    return CreditRiskModel().fit(X_tr, y_tr)


@pytest.fixture(scope="module")
def synthetic():
    """Known signal: the log-odds of default rise with dpd_max and fall with paid_share."""
    rng = np.random.default_rng(0)
    n = 4_000
    X = pd.DataFrame(
        {
            "dpd_max": rng.exponential(6.0, n),
            "paid_share": rng.uniform(0, 1, n),
            "invoices_365d": rng.poisson(6, n).astype(float),
            "segment": rng.choice(["retail", "sme", "corporate"], n),
        }
    )
    logit = -2.5 + X["dpd_max"] / 6 - 1.5 * X["paid_share"] + (X["segment"] == "sme") * 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, logit


def test_demo_default_risk_is_learned(credit_split, fitted):
    _, (X_te, y_te) = credit_split
    pd_ = fitted.predict_proba(X_te)[:, 1]
    # 445 loans, 32 defaults: a model without signal scores 0.5 +- 0.05
    assert roc_auc_score(y_te, pd_) > 0.56  # measured 0.58
    base = np.full(len(y_te), y_te.mean())
    assert brier_score_loss(y_te, pd_) < brier_score_loss(y_te, base) + 0.002
    assert pd_.mean() == pytest.approx(y_te.mean(), abs=0.03)  # calibrated to the prevalence
    assert fitted.monotone_ == dict(CREDIT_MONOTONE)


def test_learns_known_signal(synthetic):
    X, y, logit = synthetic
    model = CreditRiskModel().fit(X.iloc[:3_000], y[:3_000])
    p = model.predict_proba(X.iloc[3_000:])[:, 1]
    best = roc_auc_score(y[3_000:], logit[3_000:])  # the true log-odds
    assert roc_auc_score(y[3_000:], p) > best - 0.02
    assert model.monotone_ == {"dpd_max": 1, "paid_share": -1}


def test_monotone_constraints_hold_on_the_demo_model(credit_split, fitted):
    _, (X_te, _) = credit_split
    rows = X_te.iloc[:200]
    moved = []
    for feature, direction in CREDIT_MONOTONE.items():
        grid = np.quantile(X_te[feature].dropna(), np.linspace(0, 1, 25))
        grid = np.r_[grid, grid[-1] * 2 + 1]
        raw = np.column_stack(
            [fitted.contributions(rows.assign(**{feature: value})).sum(axis=1) for value in grid]
        )
        steps = np.diff(raw, axis=1) * direction
        assert (steps >= -1e-9).all(), f"{feature} moves the score against {direction:+d}"
        if (steps > 1e-9).any():
            moved.append(feature)
    assert len(moved) >= 3, moved  # the constraints bind on features the trees use


def test_monotone_constraints_hold_for_declared_columns(synthetic):
    X, y, _ = synthetic
    model = CreditRiskModel(monotone={"dpd_max": +1, "invoices_365d": -1}).fit(X, y)
    rows = X.iloc[:300]
    for feature, direction in model.monotone_.items():
        grid = np.linspace(0, X[feature].max() * 1.2, 40)
        p = np.column_stack([model.predict_proba(rows.assign(**{feature: v}))[:, 1] for v in grid])
        assert (np.diff(p, axis=1) * direction >= -1e-12).all(), feature


def test_monotone_errors_and_notices(synthetic, caplog):
    X, y, _ = synthetic
    small = X.iloc[:500]
    with pytest.raises(ValueError, match=r"monotone values must be \+1 .* got \{'dpd_max': 2\}"):
        CreditRiskModel(monotone={"dpd_max": 2}).fit(small, y[:500])
    with pytest.raises(ValueError, match=r"categorical column\(s\) \['segment'\]"):
        CreditRiskModel(monotone={"segment": 1}).fit(small, y[:500])
    with pytest.raises(ValueError, match="monotone"):
        CreditRiskModel(monotone="yes").fit(small, y[:500])
    with caplog.at_level(logging.INFO, logger="custintel.models"):
        model = CreditRiskModel(n_estimators=20).fit(small, y[:500])
    assert "ignoring constraints on columns absent from X" in caplog.text
    assert "dpd_mean" in caplog.text and model.monotone_ == {"dpd_max": 1, "paid_share": -1}
    none = CreditRiskModel(monotone=None, n_estimators=20).fit(small, y[:500])
    assert none.monotone_ == {}


def test_default_constraints_name_credit_feature_columns():
    names = {spec.name for spec in CreditFeatures().catalog()}
    assert set(CREDIT_MONOTONE) <= names


def test_credit_score_scale(credit_split, fitted):
    _, (X_te, _) = credit_split
    score = fitted.credit_score(X_te)
    assert score.name == "credit_score" and score.index.equals(X_te.index)
    p = fitted.predict_proba(X_te)[:, 1]
    factor = 20 / math.log(2)
    expected = 600 - factor * math.log(50) + factor * np.log((1 - p) / p)
    np.testing.assert_allclose(score.to_numpy(), expected)
    # higher PD, lower score
    assert np.corrcoef(score, p)[0, 1] < -0.9
    # the anchor points: odds 50:1 -> 600, 100:1 -> 620 (+pdo), 25:1 -> 580
    known = np.array([[50 / 51, 1 / 51], [100 / 101, 1 / 101], [25 / 26, 1 / 26]])
    stub = CreditRiskModel()
    stub.predict_proba = lambda X: known  # type: ignore[method-assign]
    stub.booster_ = fitted.booster_  # only to pass check_is_fitted
    np.testing.assert_allclose(stub.credit_score(np.zeros((3, 2))), [600, 620, 580])
    np.testing.assert_allclose(
        stub.credit_score(np.zeros((3, 2)), base_score=500, base_odds=25, pdo=40),
        [540, 580, 500],
    )
    with pytest.raises(ValueError, match="pdo must be positive"):
        fitted.credit_score(X_te, pdo=0)


def test_explain_and_round_trip(credit_split, fitted):
    import pickle

    _, (X_te, _) = credit_split
    reasons = fitted.explain(X_te.head(3), top_k=2)
    assert len(reasons) == 6 and set(reasons.index) <= set(X_te.index[:3])
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X_te), fitted.predict_proba(X_te))
    pd.testing.assert_series_equal(again.credit_score(X_te), fitted.credit_score(X_te))
