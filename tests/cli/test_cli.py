"""The command line: exit codes, readable errors without tracebacks, and the main job."""

from __future__ import annotations

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


def test_main_job_runs_end_to_end(tmp_path):
    out = tmp_path / "main"
    result = run("demo", "--config", "configs/demo.yaml", "--customers", "400", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "passed every data-contract check" in result.stdout
    assert "Identity resolution" in result.stdout and "Feature families" in result.stdout
    assert "Models (time-split holdout)" in result.stdout and "ChurnModel" in result.stdout
    assert "Customer segments" in result.stdout and "likely to churn" in result.stdout
    assert "rolling-origin backtest" in result.stdout and "National parcels" in result.stdout
    assert "Voice of the customer" in result.stdout and "Complaint aspects" in result.stdout
    for title in (
        "Tables",
        "Orders by month",
        "Logistics by carrier",
        "Reviews, tickets and calls",
        "Cash-on-delivery and credit invoices",
        "Fraud labels",
    ):
        assert title in result.stdout, title
    assert (out / "dataset.json").is_file()
