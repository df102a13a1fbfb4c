"""Every public estimator runs scikit-learn's common checks somewhere in tests/models."""

from __future__ import annotations

import inspect
from pathlib import Path

from sklearn.base import BaseEstimator

import custintel.models as models

#: Estimators outside the X, y contract the common checks assume, with the reason.
NOT_X_Y = {
    "DemandForecaster": "fits a long frame of series (series_id, ds, y) and forecasts ahead; "
    "its clone/get_params contract is tested in test_demand.py",
    "SentimentClassifier": "takes a 1-D sequence of Chinese texts, not a 2-D numeric X; its "
    "fit/predict, clone/get_params and bad-input contract is tested in test_sentiment.py",
}


def test_every_public_estimator_runs_sklearns_checks():
    estimators = {
        name
        for name in models.__all__
        if inspect.isclass(getattr(models, name))
        and issubclass(getattr(models, name), BaseEstimator)
        and name not in NOT_X_Y
    }
    assert {"ChurnModel", "CreditRiskModel", "CustomerSegmenter", "FraudScorer"} <= estimators
    covered: set[str] = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        if "@parametrize_with_checks" in text:
            covered |= {name for name in estimators if f"{name}(" in text or f"({name})" in text}
    assert estimators <= covered, f"no parametrize_with_checks for {estimators - covered}"
