"""``custintel train | evaluate | promote | models``: tracked training runs from the shell."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from custintel.cli._console import console, err_console, frame_table, progress, user_errors

if TYPE_CHECKING:
    from custintel.data import Dataset
    from custintel.pipelines import RunOutcome

TASK_NAMES = ("segmentation", "churn", "credit", "fraud", "demand", "sentiment")
_PERCENT = ()

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Run config (configs/<task>.yaml; for `all`, a folder of them). Default: "
        "configs/<task>.yaml when it exists, else the built-in defaults.",
    ),
]
DataOption = Annotated[
    Path | None, typer.Option("--data", "-d", help="Dataset folder; overrides data.path.")
]
SeedOption = Annotated[int | None, typer.Option(min=0, help="Override the config's seed.")]


def _check_task(task: str, *, allow_all: bool) -> None:
    names = (*TASK_NAMES, "all") if allow_all else TASK_NAMES
    if task not in names:
        raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(names)}")


def resolve_spec(
    task: str, config: Path | None, data: Path | None = None, seed: int | None = None
) -> Any:
    """Load the spec of ``task`` (file, folder or defaults) and apply the CLI overrides."""
    from custintel.pipelines import default_spec, load_spec

    if config is not None and config.is_dir():
        config = config / f"{task}.yaml"
        if not config.is_file():
            raise FileNotFoundError(f"{config} does not exist; every task needs its YAML there")
    elif config is None and Path("configs", f"{task}.yaml").is_file():
        config = Path("configs", f"{task}.yaml")
    spec = load_spec(config, task) if config is not None else default_spec(task)
    if data is not None:
        spec = spec.with_overrides(data=spec.data.with_overrides(path=data))
    return spec.with_overrides(seed=seed)


@contextmanager
def stage_progress(label: str) -> Iterator[Callable[[str, str, float | None], None]]:
    """Show a rich progress display with one line per stage of a run."""
    with progress() as bar:
        lines: dict[str, Any] = {}

        def on_stage(event: str, stage: str, seconds: float | None) -> None:
            if event == "start":
                lines[stage] = bar.add_task(f"{label}: {stage}", total=1)
            elif stage in lines:
                bar.update(lines.pop(stage), completed=1)

        yield on_stage


def train(
    task: Annotated[str, typer.Argument(help=f"One of {', '.join(TASK_NAMES)}, or `all`.")],
    config: ConfigOption = None,
    data: DataOption = None,
    seed: SeedOption = None,
    track: Annotated[
        bool, typer.Option(help="Log to MLflow and register the model (--no-track: only fit).")
    ] = True,
    promote: Annotated[
        bool, typer.Option(help="Move the `champion` alias when the new model is better.")
    ] = True,
    force: Annotated[bool, typer.Option(help="Promote even when it is not better.")] = False,
) -> None:
    """Train a task (or all six): data -> identities -> features -> split -> fit -> evaluate.

    Each run is logged to MLflow (a local SQLite store, ./mlflow.db, unless
    MLFLOW_TRACKING_URI says otherwise), registered as a new model version, compared with the
    champion on the same holdout, and described in an HTML report for reviewers.
    """
    with user_errors():
        _check_task(task, allow_all=True)
        tasks = TASK_NAMES if task == "all" else (task,)
        specs = [resolve_spec(t, config, data, seed) for t in tasks]
        outcomes = run_specs(specs, track=track, promote=promote, force=force)
        print_outcomes(outcomes)


def run_specs(
    specs: list[Any],
    *,
    dataset: Dataset | None = None,
    keep_going: bool = False,
    **kwargs: Any,
) -> list[RunOutcome]:
    """Train each spec with a progress display, loading each data source once.

    With ``keep_going``, a task whose data cannot support it (a ``ValueError`` such as too
    few labels) is reported and skipped instead of stopping the others.
    """
    from custintel.pipelines import PreparedData, load_data
    from custintel.pipelines import train as train_one

    cache: dict[str, PreparedData] = {}
    outcomes: list[RunOutcome] = []
    for spec in specs:
        with stage_progress(spec.task) as on_stage:
            data = load_data(spec, dataset=dataset, on_stage=on_stage, cache=cache)
            try:
                outcomes.append(train_one(spec, data=data, on_stage=on_stage, **kwargs))
            except ValueError as err:
                if not keep_going:
                    raise
                err_console.print(f"[yellow]{spec.task}: skipped:[/] {err}", soft_wrap=True)
    return outcomes


def print_outcomes(outcomes: list[RunOutcome]) -> None:
    """Print the metrics of every run, where the reports are, and what to do next."""
    from custintel.pipelines import metrics_table

    if not outcomes:
        return
    for o in outcomes:
        r = o.result
        table = r.baselines.reset_index()
        console.print(
            frame_table(table, f"{r.task}: holdout metrics ({r.split.get('holdout', '')})")
        )
    table = metrics_table(outcomes)
    decisions = table.pop("champion")
    table.insert(4, "champion", [d.split(":")[0] for d in decisions])
    console.print(frame_table(table, "Training runs"))
    console.print("[bold]Champion decisions[/] (on the same holdout):")
    for task, version, decision in zip(table["task"], table["version"], decisions, strict=True):
        console.print(f"  {task} v{version}: {decision}", soft_wrap=True)
    reports = [str(o.report_path) for o in outcomes if o.report_path is not None]
    if reports:
        console.print("[bold]Reviewer reports[/] (open in a browser):")
        for path in reports:
            console.print(f"  {path}", soft_wrap=True)
    if any(o.logged is not None for o in outcomes):
        from custintel import tracking

        uri = tracking.tracking_uri()
        console.print(f"[bold]MLflow[/] runs and registered models are in {uri}", soft_wrap=True)
        console.print(
            f"  browse them:  [cyan]mlflow ui --backend-store-uri {uri}[/]", soft_wrap=True
        )
        logged = [o for o in outcomes if o.logged is not None]
        first = next((o for o in logged if o.result.task == "churn"), logged[0])
        bin_dir = Path(sys.executable).parent  # mlflow and uvicorn of this environment
        console.print(
            f"  serve a champion:  [cyan]PATH={bin_dir}:$PATH MLFLOW_TRACKING_URI={uri} "
            f"mlflow models serve -m 'models:/{first.logged.registered_name}@champion' "  # type: ignore[union-attr]
            "--env-manager local -h 127.0.0.1 -p 5001[/]",
            soft_wrap=True,
        )


def evaluate(
    task: Annotated[str, typer.Argument(help=f"One of {', '.join(TASK_NAMES)}.")],
    config: ConfigOption = None,
    data: DataOption = None,
    version: Annotated[
        str | None, typer.Option(help="Registered version to score (default: the champion).")
    ] = None,
) -> None:
    """Score a registered model (the champion by default) on the holdout of today's data."""
    import pandas as pd

    from custintel import pipelines

    with user_errors():
        _check_task(task, allow_all=False)
        spec = resolve_spec(task, config, data)
        with stage_progress(f"evaluate {task}") as on_stage:
            metrics, info, holdout = pipelines.evaluate(spec, version=version, on_stage=on_stage)
        title = (
            f"{info.get('name')} version {info.get('version')} on {holdout.description} "
            f"(promotion metric: {spec.promotion.metric})"
        )
        console.print(frame_table(pd.DataFrame([metrics]), title))


def promote(
    task: Annotated[str, typer.Argument(help=f"One of {', '.join(TASK_NAMES)}.")],
    version: Annotated[
        str | None, typer.Option(help="Registered version to promote (default: the latest).")
    ] = None,
    config: ConfigOption = None,
    force: Annotated[bool, typer.Option(help="Promote even when it is not better.")] = False,
) -> None:
    """Make a registered version the champion if it beats the current one on the same holdout."""
    from custintel import pipelines, tracking

    with user_errors():
        _check_task(task, allow_all=False)
        spec = resolve_spec(task, config)
        if version is None:
            tracking.configure()
            listed = tracking.list_models()
            row = listed[listed["task"] == task]
            if row.empty:
                raise ValueError(f"no registered model for {task}; run `custintel train {task}`")
            version = str(row["latest_version"].iloc[0])
        decision = pipelines.promote(spec, version, force=force)
        colour = "green" if decision.promoted else "yellow"
        console.print(
            f"[bold {colour}]{'Promoted' if decision.promoted else 'Not promoted'}[/] "
            f"{task} version {version}: {decision.reason}",
            soft_wrap=True,
        )


def models() -> None:
    """List the registered models: champion and latest version, metric and score."""
    from custintel import tracking

    with user_errors():
        tracking.configure()
        listed = tracking.list_models()
        if listed.empty:
            err_console.print("No registered models yet; run `custintel train all`.")
            raise typer.Exit(0)
        console.print(frame_table(listed, f"Registered models in {tracking.tracking_uri()}"))
