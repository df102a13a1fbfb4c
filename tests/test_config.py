"""YAML configs: strict keys, clear errors, CLI overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from custintel.config import ConfigError, DemoConfig, load_config

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "c.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def test_shipped_demo_config_parses():
    cfg = load_config(CONFIGS / "demo.yaml", DemoConfig)
    assert cfg.data.n_customers >= 1_000 and cfg.data.start < cfg.data.end


def test_defaults_and_values(tmp_path):
    cfg = load_config(
        write(tmp_path, "data:\n  n_customers: 1234\n  start: 2022-01-01\n"), DemoConfig
    )
    assert cfg.data.n_customers == 1234 and cfg.data.start == date(2022, 1, 1)
    assert cfg.format == "parquet"


def test_unknown_key_is_rejected_with_a_suggestion(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"data\.n_customer: unknown key; did you mean 'n_customers'\? Known keys: n_customers, seed, start, end",
    ):
        load_config(write(tmp_path, "data:\n  n_customer: 10\n"), DemoConfig)


def test_unknown_top_level_key(tmp_path):
    with pytest.raises(ConfigError, match=r"outputdir: unknown key; did you mean 'output_dir'\?"):
        load_config(write(tmp_path, "outputdir: x\n"), DemoConfig)


def test_wrong_type_and_range(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"2 problem\(s\)[\s\S]*data\.n_customers: .*integer[\s\S]*data\.seed: .*greater than or equal to 0",
    ):
        load_config(write(tmp_path, "data:\n  n_customers: many\n  seed: -1\n"), DemoConfig)


def test_span_too_short(tmp_path):
    with pytest.raises(ConfigError, match="must be at least 90 days after start"):
        load_config(write(tmp_path, "data:\n  start: 2024-01-01\n  end: 2024-02-01\n"), DemoConfig)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("data: [1, 2\n", "is not valid YAML"),
        ("- a\n- b\n", "must hold a mapping of keys, got list"),
    ],
)
def test_not_a_config(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), DemoConfig)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml", DemoConfig)


def test_overrides_beat_yaml_and_are_validated(tmp_path):
    cfg = load_config(write(tmp_path, "data:\n  n_customers: 1000\n  seed: 3\n"), DemoConfig)
    new = cfg.with_overrides(data=cfg.data.with_overrides(n_customers=2000, seed=None))
    assert (new.data.n_customers, new.data.seed) == (2000, 3)
    assert cfg.data.n_customers == 1000
    with pytest.raises(ValueError, match="greater than or equal to 100"):
        cfg.data.with_overrides(n_customers=3)
