"""The tracking store: embedded SQLite by default, MLFLOW_TRACKING_URI overrides, runs end."""

from __future__ import annotations

import shutil

import mlflow
import pytest
from mlflow import MlflowClient

from custintel.tracking import (
    configure,
    experiment_name,
    registered_model_name,
    start_run,
    tracking_uri,
)


def test_names():
    assert experiment_name("churn") == "custintel-churn"
    assert registered_model_name("sentiment") == "custintel-sentiment"


def test_default_store_is_a_sqlite_file_in_the_working_directory(fresh_dir, capfd):
    expected = f"sqlite:///{fresh_dir.resolve() / 'mlflow.db'}"
    assert tracking_uri() == expected
    assert configure() == expected
    assert mlflow.get_tracking_uri() == expected
    with start_run("churn", run_name="first") as run:
        pass
    assert (fresh_dir / "mlflow.db").is_file()
    client = MlflowClient(expected)
    experiment = client.get_experiment_by_name("custintel-churn")
    assert experiment.artifact_location == (fresh_dir / "mlartifacts" / "custintel-churn").as_uri()
    finished = client.get_run(run.run_id)
    assert finished.info.status == "FINISHED"
    assert finished.info.run_name == "first"
    assert finished.data.tags["task"] == "churn"
    assert mlflow.active_run() is None
    err = capfd.readouterr().err
    assert "alembic" not in err and "Creating initial MLflow database" not in err


def test_environment_variable_overrides_the_default(fresh_dir, template_db, monkeypatch):
    other = fresh_dir / "team" / "store.db"
    other.parent.mkdir()
    shutil.copy(template_db, other)
    uri = f"sqlite:///{other}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert tracking_uri() == uri
    with start_run("fraud") as run:
        pass
    assert other.is_file()
    assert not (fresh_dir / "mlflow.db").exists()
    experiment = MlflowClient(uri).get_experiment_by_name("custintel-fraud")
    assert "mlartifacts" not in experiment.artifact_location  # the store's own default
    assert MlflowClient(uri).get_run(run.run_id).info.status == "FINISHED"


def test_run_fails_on_exception_and_leaves_no_active_run(store):
    with pytest.raises(RuntimeError, match="boom"), start_run("churn") as run:
        raise RuntimeError("boom")
    assert MlflowClient(tracking_uri()).get_run(run.run_id).info.status == "FAILED"
    assert mlflow.active_run() is None


def test_run_nests_under_an_active_run(store):
    configure()
    with mlflow.start_run() as outer:
        with start_run("demand") as run:
            assert mlflow.active_run().info.run_id == run.run_id
        assert mlflow.active_run().info.run_id == outer.info.run_id
    assert mlflow.active_run() is None
