"""``custintel data ...``: generate, validate and describe datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from custintel.cli._console import console, progress, user_errors
from custintel.cli._report import print_profile

if TYPE_CHECKING:
    from custintel.data import Dataset

app = typer.Typer(help="Generate, validate and describe datasets.", no_args_is_help=True)


@app.command("demo")
def demo_data(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the tables to.")],
    customers: Annotated[
        int, typer.Option("--customers", "-n", min=100, help="Number of customers.")
    ] = 5_000,
    seed: Annotated[int, typer.Option(min=0, help="Random seed; same seed, same data.")] = 0,
    start: Annotated[str, typer.Option(help="First day of the history.")] = "2023-01-01",
    end: Annotated[str, typer.Option(help="Day the history ends (exclusive).")] = "2025-01-01",
    format: Annotated[
        Literal["parquet", "csv"], typer.Option("--format", "-f", help="File format.")
    ] = "parquet",
    overwrite: Annotated[bool, typer.Option(help="Replace a non-empty output directory.")] = False,
) -> None:
    """Generate the realistic demo dataset and write it to a directory."""
    with user_errors():
        ds = generate(customers, seed, start, end)
        save(ds, out, format, overwrite)
        print_profile(ds, sections=("tables",))


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="Directory with one CSV or Parquet file per table.")],
    tz: Annotated[
        str | None,
        typer.Option(help="Time zone of timestamps stored without one, e.g. Asia/Shanghai."),
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="When the data was extracted (default: manifest, else now).")
    ] = None,
    full: Annotated[
        bool, typer.Option(help="Print the business profile, not only the tables.")
    ] = False,
) -> None:
    """Check a dataset directory against the data contract.

    Exits 0 when the data is valid, 1 with a table of problems when it is not.
    """
    from custintel.data import load_dataset

    with user_errors():
        with progress() as bar:
            task = bar.add_task(f"Validating {path}", total=None)
            ds = load_dataset(path, tz=tz, end=end)
            bar.update(task, total=1, completed=1)
        print_profile(ds, sections=None if full else ("tables",))
        console.print(f"[bold green]Valid:[/] {escape(repr(ds))}")


def generate(n_customers: int, seed: int, start: object, end: object) -> Dataset:
    """Generate demo data with a progress display."""
    from custintel.data import make_demo_dataset

    with progress() as bar:
        task = bar.add_task(
            f"Generating demo data for {n_customers:,} customers (seed {seed})", total=None
        )
        ds = make_demo_dataset(n_customers=n_customers, seed=seed, start=str(start), end=str(end))
        bar.update(task, total=1, completed=1)
    return ds


def save(ds: Dataset, out: Path, format: Literal["parquet", "csv"], overwrite: bool) -> None:
    """Save a dataset with a progress display."""
    with progress() as bar:
        task = bar.add_task(f"Writing {format} files to {out}", total=None)
        ds.save(out, format=format, overwrite=overwrite)
        bar.update(task, total=1, completed=1)
