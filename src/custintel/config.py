"""Run configuration: YAML files in ``configs/`` parsed into strict pydantic models.

Unknown keys are rejected (a typo in a config must not be silently ignored), every value is
type-checked, and errors name the file, the key path and what was expected. Explicit arguments
(CLI options) override values read from YAML via :meth:`ConfigModel.with_overrides`.
"""

from __future__ import annotations

import difflib
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ConfigError(ValueError):
    """A configuration file that cannot be read or does not fit its model."""


class ConfigModel(BaseModel):
    """Base of every config model: strict keys, immutable, overridable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    def with_overrides(self, **overrides: Any) -> Self:
        """Return a copy with the given fields replaced (``None`` values are ignored)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return type(self).model_validate({**self.model_dump(), **given})


class DemoDataConfig(ConfigModel):
    """Size and time span of the generated demo data."""

    n_customers: int = Field(5_000, ge=100, le=5_000_000, description="number of customers")
    seed: int = Field(0, ge=0, description="random seed; the same seed gives the same data")
    start: date = Field(date(2023, 1, 1), description="first day of the history")
    end: date = Field(date(2025, 1, 1), description="day the history ends (exclusive)")

    @model_validator(mode="after")
    def _span(self) -> Self:
        if (self.end - self.start).days < 90:
            raise ValueError(
                f"end ({self.end}) must be at least 90 days after start ({self.start})"
            )
        return self


TaskName = Literal["segmentation", "churn", "credit", "fraud", "demand", "sentiment"]
TASK_NAMES: tuple[TaskName, ...] = (
    "segmentation",
    "churn",
    "credit",
    "fraud",
    "demand",
    "sentiment",
)


class DemoConfig(ConfigModel):
    """The main job (``custintel demo``): generate demo data, then train, track and report."""

    data: DemoDataConfig = DemoDataConfig()
    output_dir: Path = Field(Path("out/demo"), description="where the dataset is written")
    format: Literal["parquet", "csv"] = "parquet"
    train: list[TaskName] = Field(
        default_factory=lambda: list(TASK_NAMES),
        description="tasks trained on the demo data (empty: none)",
    )
    configs_dir: Path = Field(
        Path("configs"), description="folder of the per-task YAML run configs"
    )


M = TypeVar("M", bound=ConfigModel)


def load_config(path: str | PathLike[str], model: type[M]) -> M:
    r"""Read a YAML file into ``model``.

    Parameters
    ----------
    path : str or path-like
        YAML file.
    model : type
        A :class:`ConfigModel` subclass.

    Returns
    -------
    ConfigModel
        The validated configuration.

    Raises
    ------
    ConfigError
        If the file is missing, is not YAML, or does not fit ``model`` (unknown key, wrong type,
        value out of range); the message names the file and the key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "demo.yaml"
    >>> _ = f.write_text("data:\n  n_customers: 1000\n")
    >>> load_config(f, DemoConfig).data.n_customers
    1000
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file {file} does not exist; see configs/ for examples")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"{file} is not valid YAML: {err}") from err
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file} must hold a mapping of keys, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, model, source=str(file))) from err


def format_validation_error(err: ValidationError, model: type[BaseModel], *, source: str) -> str:
    """Turn a pydantic error into lines naming each key path, the problem and a hint."""
    lines = [f"{source}: {err.error_count()} problem(s)"]
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            known = _known_keys(model, e["loc"][:-1])
            close = difflib.get_close_matches(str(e["loc"][-1]), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            lines.append(f"  - {where}: unknown key{hint} Known keys: {', '.join(known)}")
        elif e["type"] == "value_error":
            lines.append(f"  - {where}: {e['msg'].removeprefix('Value error, ')}")
        else:
            lines.append(f"  - {where}: {e['msg']} (got {e.get('input')!r})")
    return "\n".join(lines)


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None or not isinstance(field.annotation, type):
            return []
        current = field.annotation
    return list(getattr(current, "model_fields", {}))
