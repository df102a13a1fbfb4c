"""The command line: exit codes, readable errors without tracebacks, and the main job."""

from __future__ import annotations

import os
import re
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from custintel import __version__
from custintel.cli import app
from custintel.data import Dataset, load_dataset
from tests.conftest import END, TZ

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"custintel {__version__}"


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    assert "demo" in result.stdout and "data" in result.stdout


@pytest.fixture
def valid_dir(raw_tables, tmp_path):
    Dataset.from_frames(**raw_tables, tz=TZ, end=END).save(tmp_path / "ok", format="csv")
    return tmp_path / "ok"


def test_validate_valid_dir(valid_dir):
    result = run("data", "validate", str(valid_dir), "--full")
    assert result.exit_code == 0, result.output
    assert "Valid:" in result.stdout and "Logistics by carrier" in result.stdout


def test_validate_invalid_dir_lists_problems_without_traceback(raw_tables, tmp_path):
    raw_tables["customers"].to_csv(tmp_path / "customers.csv", index=False)
    raw_tables["orders"].assign(amount=[1, -5, 3, 4]).to_csv(tmp_path / "orders.csv", index=False)
    result = run("data", "validate", str(tmp_path), "--tz", TZ, "--end", END)
    assert result.exit_code == 1
    assert "negative amounts" in result.output and "O2" in result.output
    assert "Traceback" not in result.output


def test_validate_naive_timestamps_suggests_tz(raw_tables, tmp_path):
    raw_tables["customers"].to_csv(tmp_path / "customers.csv", index=False)
    raw_tables["orders"].to_csv(tmp_path / "orders.csv", index=False)
    result = run("data", "validate", str(tmp_path))
    assert result.exit_code == 1 and "without a time zone" in result.output


def test_validate_missing_dir(tmp_path):
    result = run("data", "validate", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "is not a directory" in result.output
    assert "Traceback" not in result.output


def test_demo_with_a_broken_config(tmp_path):
    cfg = tmp_path / "demo.yaml"
    cfg.write_text("data:\n  customers: 10\n")
    result = run("demo", "--config", str(cfg))
    assert result.exit_code == 1
    assert "unknown key" in result.output and "n_customers" in result.output


def test_data_demo_writes_a_valid_dataset(tmp_path):
    out = tmp_path / "demo"
    result = run(
        "data", "demo", "--customers", "300", "--seed", "3", "--out", str(out), "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    ds = load_dataset(out)
    assert len(ds.customers) >= 300 and ds.truth is not None
    again = run("data", "demo", "--customers", "300", "--out", str(out))
    assert again.exit_code == 2 and "overwrite" in again.output


CONFIGS = Path(__file__).parents[2] / "configs"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in a fresh directory: the MLflow store (./mlflow.db) and reports/ are made there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    yield tmp_path
    os.environ.pop("MLFLOW_TRACKING_URI", None)  # set by mlflow.set_tracking_uri


def test_main_job_runs_end_to_end(workdir):
    cfg = workdir / "demo.yaml"
    text = (CONFIGS / "demo.yaml").read_text(encoding="utf-8")
    cfg.write_text(text.replace("configs_dir: configs", f"configs_dir: {CONFIGS}"), "utf-8")
    result = run(
        "demo", "--config", str(cfg), "--customers", "600", "--out", "main",
        "--train", "churn,segmentation",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "passed every data-contract check" in result.stdout
    assert "Identity resolution" in result.stdout and "Feature families" in result.stdout
    assert "Voice of the customer" in result.stdout and "Complaint aspects" in result.stdout
    for title in (
        "Tables",
        "Orders by month",
        "Logistics by carrier",
        "Reviews, tickets and calls",
        "Cash-on-delivery and credit invoices",
        "Fraud labels",
        "churn: holdout metrics",
        "segmentation: holdout metrics",
        "Training runs",
        "Reviewer reports",
        "mlflow ui --backend-store-uri",
    ):
        assert title in result.stdout, title
    assert "first version of the model" in result.stdout
    assert (workdir / "main" / "dataset.json").is_file()
    reports = list((workdir / "reports" / "churn").glob("*.html"))
    assert len(reports) == 1
    page = reports[0].read_text(encoding="utf-8")
    assert "demo dataset, 600 customers, seed 0" in page and "in-memory" not in page
    assert "n_customers: 600" in page and "n_customers: 5000" not in page
    assert (workdir / "mlflow.db").is_file()


def test_train_models_promote_evaluate(workdir):
    data = workdir / "data"
    assert run("data", "demo", "--customers", "600", "--out", str(data)).exit_code == 0
    cfg = workdir / "churn.yaml"
    cfg.write_text("estimator:\n  n_estimators: 60\n", "utf-8")
    first = run("train", "churn", "--config", str(cfg), "--data", str(data))
    assert first.exit_code == 0, first.output
    assert "Training runs" in first.stdout and "first version" in first.stdout
    cfg.write_text("estimator:\n  n_estimators: 2\n  num_leaves: 2\n", "utf-8")
    weak = run("train", "churn", "--config", str(cfg), "--data", str(data))
    assert weak.exit_code == 0, weak.output
    assert "no: not better" in weak.stdout
    listed = run("models")
    assert listed.exit_code == 0 and "custintel-churn" in listed.stdout
    kept = run("promote", "churn", "--config", str(cfg), "--data", str(data))
    assert kept.exit_code == 0 and "Not promoted" in kept.stdout
    forced = run("promote", "churn", "--config", str(cfg), "--data", str(data), "--force")
    assert forced.exit_code == 0 and "Promoted" in forced.stdout and "forced" in forced.stdout
    assert "Serving snapshot rebuilt for version 2" in forced.stdout
    scored = run("evaluate", "churn", "--config", str(cfg), "--data", str(data), "--version", "1")
    assert scored.exit_code == 0, scored.output
    assert "custintel-churn version 1" in scored.stdout and "roc_auc" in scored.stdout


def test_train_usage_errors_are_readable(workdir):
    unknown = run("train", "upsell")
    assert unknown.exit_code == 2 and "unknown task 'upsell'" in unknown.output
    cfg = workdir / "churn.yaml"
    cfg.write_text("estimator:\n  n_estimator: 60\n", "utf-8")
    bad = run("train", "churn", "--config", str(cfg), "--data", str(workdir))
    assert bad.exit_code == 1 and "did you mean 'n_estimators'" in bad.output
    assert "Traceback" not in bad.output
    missing = run("train", "churn", "--config", str(CONFIGS / "churn.yaml"), "--data", "nope")
    assert missing.exit_code == 2 and "nope" in missing.output
    none = run("evaluate", "credit", "--data", str(workdir))
    assert none.exit_code != 0 and "Traceback" not in none.output


def test_config_errors_render_markup_and_escape_user_text(tmp_path):
    cfg = tmp_path / "demo.yaml"
    cfg.write_text("data:\n  '[bold]n_customer[/bold]': 10\n", "utf-8")
    result = run("demo", "--config", str(cfg))
    assert result.exit_code == 1
    assert "Invalid configuration:" in result.output
    assert "[bold red]" not in result.output and "[/]" not in result.output
    assert "[bold]n_customer[/bold]" in result.output  # the user's text, shown as typed


def test_train_without_data_says_how_to_get_it(workdir):
    result = run("train", "churn", "--config", str(CONFIGS / "churn.yaml"))
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "'out/demo'" in text and "is not a directory" in text
    assert "custintel data demo --out out/demo" in text and "make demo" in text
    assert "--data DIR" in text and "Traceback" not in text


def test_mlflow_commands_use_this_environment(tmp_path):
    import shlex
    import sys

    from custintel.cli.train import mlflow_commands

    uri = f"sqlite:///{tmp_path / 'my runs' / 'mlflow.db'}"
    (_, browse), (_, service), (_, serve) = mlflow_commands(uri, "custintel-churn")
    prefix = f"PATH={shlex.quote(str(Path(sys.executable).parent))}:$PATH "
    assert browse == f"{prefix}mlflow ui --backend-store-uri {shlex.quote(uri)}"
    assert service.endswith(f"&& {prefix}custintel serve --port 3000")
    assert serve.startswith(f"{prefix}MLFLOW_TRACKING_URI={shlex.quote(uri)} mlflow models serve")
    assert shlex.split(browse)[-1] == uri


def test_promote_compares_on_the_configs_metric_in_its_direction(monkeypatch):
    from custintel import pipelines, tracking

    seen = {}

    decision = types.SimpleNamespace(promoted=False)

    def fake_promote(task, version, **kwargs):
        seen.update(kwargs, task=task, version=version)
        return decision

    monkeypatch.setattr(tracking, "configure", lambda: None)
    monkeypatch.setattr(tracking, "promote_version", fake_promote)
    spec = pipelines.spec_from_dict({"task": "churn", "promotion": {"metric": "brier"}})
    assert pipelines.promote(spec, "3") is decision
    assert seen["metric"] == "brier" and seen["greater_is_better"] is False
    assert seen["score_holdout"].args[1] == "brier"


@pytest.mark.slow
def test_train_all_on_a_small_dataset(workdir):
    """Every task from one command, on 600 customers with light settings (about 30 s)."""
    import yaml

    from tests.training import LIGHT

    data = workdir / "data"
    assert run("data", "demo", "--customers", "600", "--out", str(data)).exit_code == 0
    configs = workdir / "configs"
    configs.mkdir()
    light = {
        **LIGHT,
        "fraud": {**LIGHT["fraud"], "holdout_days": 240},  # verdicts of both kinds
        "demand": {**LIGHT["demand"], "estimator": {"n_windows": 1, "models": ["seasonal_naive"]}},
    }
    for task, raw in light.items():
        (configs / f"{task}.yaml").write_text(yaml.safe_dump(raw), "utf-8")
    result = run("train", "all", "--config", str(configs), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # Progress lines read "<task>: <stage> 0:00:01"; keep "<task>: <stage>".
    lines = [
        re.sub(r" \d+:\d\d:\d\d$", "", " ".join(x.split())) for x in result.output.splitlines()
    ]
    for task in light:
        assert f"{task}: holdout metrics" in result.stdout, task
        for stage in ("build features and holdout", "log the run and write the report"):
            assert lines.count(f"{task}: {stage}") == 1, (task, stage)
    # The data is loaded and resolved once, before the first task.
    assert lines.count("segmentation: load and validate data") == 1
    assert lines.count("segmentation: resolve customer identities") == 1
    assert not any(line.endswith(": load") for line in lines)
    assert result.stdout.count("first version of the model") == len(light)
    assert len(list((workdir / "reports").glob("*/*.html"))) == len(light)
    assert f"PATH={Path(sys.executable).parent}:$PATH mlflow ui --backend-store-uri" in (
        " ".join(result.stdout.split())
    )
