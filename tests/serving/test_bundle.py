"""The Bento bundle: champions staged from the registry load without MLflow."""

from __future__ import annotations

import numpy as np

from custintel.serving.bundle import load_bundled, requirements, stage_champions
from custintel.serving.champions import ChampionStore


def test_champions_staged_from_the_registry_serve_without_it(trained, tmp_path, monkeypatch):
    where, outcomes = trained
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{where / 'mlflow.db'}")
    staged = stage_champions(tmp_path / "bundle", where / "snapshots")
    assert sorted(staged) == sorted(outcomes)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    store = ChampionStore(bundle=tmp_path / "bundle").load()
    assert store.ready, store.missing()
    churn = store.champions["churn"]
    assert churn.snapshot is not None and churn.info["name"] == "custintel-churn"
    X = churn.snapshot.head(20)[churn.features]
    model, info = load_bundled(tmp_path / "bundle", "churn")
    np.testing.assert_allclose(model.predict_proba(X), churn.estimator.predict_proba(X))
    assert info["version"] == churn.info["version"]


def test_bundle_requirements_are_pinned_runtime_dependencies():
    pinned = requirements()
    names = {line.split("==")[0].lower() for line in pinned}
    assert {"lightgbm", "mlflow", "bentoml", "pandas", "scikit-learn", "jieba"} <= names
    assert all("==" in line for line in pinned)
    assert not names & {"pytest", "hypothesis", "ruff", "mypy", "schemathesis", "nbclient"}
