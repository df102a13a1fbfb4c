"""Run specs: one YAML per task, strict keys, estimator parameters checked before any data."""

from __future__ import annotations

from pathlib import Path

import pytest

from custintel.config import ConfigError
from custintel.pipelines import TASKS, default_spec, load_spec, spec_from_dict
from custintel.pipelines.specs import METRIC_DIRECTIONS, SPECS, estimator_class

CONFIGS = Path(__file__).parents[2] / "configs"


@pytest.mark.parametrize("task", TASKS)
def test_every_task_has_a_valid_config_file(task):
    spec = load_spec(CONFIGS / f"{task}.yaml", task)
    assert spec.task == task
    assert spec.promotion.metric in SPECS[task].METRICS
    assert spec.data.path == Path("out/demo")
    estimator_class(task)(**spec.estimator)  # the parameters are the estimator's own


@pytest.mark.parametrize("task", TASKS)
def test_every_promotion_metric_has_a_direction(task):
    for metric in SPECS[task].METRICS:
        assert metric in METRIC_DIRECTIONS
    assert (
        default_spec(task).promotion.greater_is_better
        is METRIC_DIRECTIONS[default_spec(task).promotion.metric]
    )


def test_unknown_key_is_rejected_with_a_suggestion():
    with pytest.raises(ConfigError, match=r"splt: unknown key; did you mean 'split'\?"):
        spec_from_dict({"task": "churn", "splt": {}})


def test_unknown_estimator_parameter_is_rejected_before_any_data():
    with pytest.raises(ConfigError, match=r"estimator: ChurnModel has no parameter 'n_estimator'"):
        spec_from_dict({"task": "churn", "estimator": {"n_estimator": 5}})
    with pytest.raises(ConfigError, match="did you mean 'n_estimators'"):
        spec_from_dict({"task": "churn", "estimator": {"n_estimator": 5}})


def test_run_level_parameters_cannot_hide_in_the_estimator():
    with pytest.raises(ConfigError, match="top-level `seed`"):
        spec_from_dict({"task": "credit", "estimator": {"random_state": 3}})
    with pytest.raises(ConfigError, match="'horizon' is set by the run"):
        spec_from_dict({"task": "demand", "estimator": {"horizon": 7}})


def test_promotion_metric_must_be_one_the_task_computes():
    with pytest.raises(ConfigError, match="metric 'mase' is not computed for this task"):
        spec_from_dict({"task": "churn", "promotion": {"metric": "mase"}})


def test_wrong_values_name_their_key():
    with pytest.raises(ConfigError, match=r"split.n_cutoffs: Input should be greater than"):
        spec_from_dict({"task": "churn", "split": {"n_cutoffs": 1}})
    with pytest.raises(ConfigError, match=r"holdout_cutoffs .* must be smaller than n_cutoffs"):
        spec_from_dict({"task": "churn", "split": {"n_cutoffs": 2, "holdout_cutoffs": 2}})
    with pytest.raises(ConfigError, match=r"series\.freq"):
        spec_from_dict({"task": "demand", "series": {"freq": "H"}})


def test_unknown_task_is_named():
    with pytest.raises(ConfigError, match="`task` must be one of segmentation, churn"):
        spec_from_dict({"task": "upsell"})


def test_file_task_must_match_the_command(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("task: credit\n")
    with pytest.raises(ConfigError, match="configures task 'credit', not 'churn'"):
        load_spec(f, "churn")
    f.write_text("estimator:\n  n_estimators: 10\n")
    assert load_spec(f, "churn").estimator == {"n_estimators": 10}  # task from the command


def test_broken_yaml_and_missing_files_are_config_errors(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("task: [churn\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_spec(f)
    with pytest.raises(ConfigError, match="does not exist"):
        load_spec(tmp_path / "nope.yaml")


def test_overrides_beat_yaml_values():
    spec = load_spec(CONFIGS / "churn.yaml", "churn")
    spec = spec.with_overrides(seed=7, data=spec.data.with_overrides(path=Path("elsewhere")))
    assert spec.seed == 7 and spec.data.path == Path("elsewhere")
    assert spec.estimator["n_estimators"] == 400  # untouched keys keep their YAML value


def test_specs_are_immutable():
    spec = default_spec("churn")
    with pytest.raises(Exception, match="frozen"):
        spec.seed = 3  # type: ignore[misc]


def test_config_reference_is_up_to_date():
    from custintel.pipelines.docs import pipelines_document

    doc = (CONFIGS.parent / "docs" / "pipelines.md").read_text(encoding="utf-8")
    assert doc == pipelines_document(), "docs/pipelines.md is stale: run `make docs`"
    for task in SPECS:
        assert f"## {task}" in doc
        for key in ("seed", "promotion.metric", "report.directory"):
            assert f"| `{key}` |" in doc, (task, key)
