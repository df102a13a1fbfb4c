"""``custintel train | evaluate | promote | models``: tracked training runs from the shell."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

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


def check_data(spec: Any) -> None:
    """Fail early, saying how to get data, when the run's dataset folder does not exist."""
    path = spec.data.path
    if path is None or Path(path).is_dir():
        return
    raise NotADirectoryError(
        f"data.path {str(path)!r} ({spec.task} config) is not a directory. Create demo data "
        f"there with `custintel data demo --out {shlex.quote(str(path))}` (`make demo` writes "
        "out/demo), or pass --data DIR with your own dataset folder."
    )


@contextmanager
def stage_progress(label: str) -> Iterator[Callable[[str, str, float | None], None]]:
    """Show a rich progress display with one line per stage of a run."""
    from custintel.pipelines._stages import STAGE_LABELS

    with progress() as bar:
        lines: dict[str, Any] = {}

        def on_stage(event: str, stage: str, seconds: float | None) -> None:
            if event == "start":
                what = STAGE_LABELS.get(stage, stage)
                lines[stage] = bar.add_task(escape(f"{label}: {what}"), total=1)
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
        for spec in specs:
            check_data(spec)
        outcomes = run_specs(specs, track=track, promote=promote, force=force)
        print_outcomes(outcomes)


def run_specs(
    specs: list[Any],
    *,
    dataset: Dataset | None = None,
    source: str | None = None,
    keep_going: bool = False,
    **kwargs: Any,
) -> list[RunOutcome]:
    """Train each spec with a progress display, loading each data source once.

    ``source`` says what ``dataset`` is, for the reports (e.g. the demo data's size and seed).

    With ``keep_going``, a task whose data cannot support it (a ``ValueError`` such as too
    few labels) is reported and skipped instead of stopping the others.
    """
    from custintel.pipelines import PreparedData, load_data
    from custintel.pipelines import train as train_one

    cache: dict[str, PreparedData] = {}
    outcomes: list[RunOutcome] = []
    for spec in specs:
        with stage_progress(spec.task) as on_stage:
            data = load_data(spec, dataset=dataset, source=source, on_stage=on_stage, cache=cache)
            try:
                outcomes.append(train_one(spec, data=data, on_stage=on_stage, **kwargs))
            except ValueError as err:
                if not keep_going:
                    raise
                err_console.print(
                    f"[yellow]{spec.task}: skipped:[/] {escape(str(err))}", soft_wrap=True
                )
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
        console.print(escape(f"  {task} v{version}: {decision}"), soft_wrap=True)
    reports = [str(o.report_path) for o in outcomes if o.report_path is not None]
    if reports:
        console.print("[bold]Reviewer reports[/] (open in a browser):")
        for path in reports:
            console.print(f"  {escape(path)}", soft_wrap=True)
    if any(o.logged is not None for o in outcomes):
        from custintel import tracking

        uri = tracking.tracking_uri()
        console.print(
            f"[bold]MLflow[/] runs and registered models are in {escape(uri)}", soft_wrap=True
        )
        logged = [o for o in outcomes if o.logged is not None]
        first = next((o for o in logged if o.result.task == "churn"), logged[0])
        for what, command in mlflow_commands(uri, first.logged.registered_name):  # type: ignore[union-attr]
            console.print(f"  {what}:  [cyan]{escape(command)}[/]", soft_wrap=True)


def mlflow_commands(uri: str, registered_name: str) -> list[tuple[str, str]]:
    """Shell commands that browse the runs and serve the champions, with this environment's tools.

    Each puts the ``bin`` folder of the running Python first on ``PATH`` (``mlflow models
    serve`` also needs its ``uvicorn``), so they work pasted into any shell, venv active or not.

    Examples
    --------
    >>> browse, service, serve = mlflow_commands("sqlite:///tmp/mlflow.db", "custintel-churn")
    >>> browse[1].endswith("mlflow ui --backend-store-uri sqlite:///tmp/mlflow.db")
    True
    """
    path = "PATH=" + shlex.quote(str(Path(sys.executable).parent)) + ":$PATH"
    store = shlex.quote(uri)
    return [
        ("browse them", f"{path} mlflow ui --backend-store-uri {store}"),
        (
            "serve every champion over HTTP (from this folder; see README, Online scoring)",
            f"{path} custintel keys add --role reviewer && {path} custintel serve --port 3000",
        ),
        (
            "or one champion with MLflow",
            f"{path} MLFLOW_TRACKING_URI={store} mlflow models serve -m "
            f"{shlex.quote(f'models:/{registered_name}@champion')} "
            "--env-manager local -h 127.0.0.1 -p 5001",
        ),
    ]


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
        check_data(spec)
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
    data: DataOption = None,
    force: Annotated[bool, typer.Option(help="Promote even when it is not better.")] = False,
) -> None:
    """Make a registered version the champion if it beats the current one on the same holdout.

    A new champion of a customer task gets a new serving snapshot: today's features of the
    config's data (or --data), as the version's own config chose them.
    """
    from custintel import pipelines, tracking

    with user_errors():
        _check_task(task, allow_all=False)
        spec = resolve_spec(task, config, data)
        snapshots = task not in ("demand", "sentiment")
        if snapshots:
            check_data(spec)  # the new champion's snapshot is built from it
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
        if decision.promoted and snapshots:
            console.print(
                f"Serving snapshot rebuilt for version {escape(str(version))} in "
                f"{escape(str(spec.snapshots))}; restart `custintel serve` to load both.",
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
