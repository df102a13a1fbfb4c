"""Shared fixtures of the tracking tests: a fresh working directory and a migrated MLflow store."""

from __future__ import annotations

import shutil

import pytest
from mlflow import MlflowClient


@pytest.fixture
def fresh_dir(tmp_path, monkeypatch):
    """An empty working directory with no MLFLOW_TRACKING_URI set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def template_db(tmp_path_factory):
    """An empty, migrated store shared by the session: copies skip MLflow's migrations."""
    path = tmp_path_factory.getbasetemp() / "mlflow-template.db"
    if not path.exists():
        MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def store(fresh_dir, template_db):
    """The working directory holding a copy of the migrated store as ``mlflow.db``."""
    shutil.copy(template_db, fresh_dir / "mlflow.db")
    return fresh_dir
