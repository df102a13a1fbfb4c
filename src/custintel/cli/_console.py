"""Shared console, error rendering and table helpers of the command-line interface."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from custintel.config import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from custintel.data import SchemaError

console = Console()
err_console = Console(stderr=True)

#: Exit codes: 0 success, 1 the data or config is invalid, 2 a usage mistake (missing file, ...).
EXIT_INVALID = 1
EXIT_USAGE = 2


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a readable message and an exit code, no traceback."""
    try:
        yield
    except ConfigError as err:
        err_console.print(f"[bold red]Invalid configuration:[/] {escape(str(err))}")
        raise typer.Exit(EXIT_INVALID) from None
    except (FileNotFoundError, FileExistsError, NotADirectoryError, ValueError) as err:
        from custintel.data import SchemaError  # imported late: keeps `custintel --help` fast

        if isinstance(err, SchemaError):
            err_console.print(problems_table(err))
            err_console.print(
                f"[bold red]Invalid data:[/] {len(err.problems)} problem(s); see above."
            )
            raise typer.Exit(EXIT_INVALID) from None
        err_console.print(f"[bold red]Error:[/] {escape(str(err))}")
        raise typer.Exit(EXIT_USAGE) from None


def problems_table(err: SchemaError) -> Table:
    """Render the problems of a :class:`SchemaError` as a table."""
    table = Table(title="Data contract problems", show_lines=True, title_style="bold red")
    for col in ("table", "column", "problem", "rows", "examples", "fix"):
        table.add_column(col, overflow="fold")
    for p in err.problems:
        examples = ", ".join(map(str, p.examples[:5]))
        cells = (p.table, p.column or "", p.message, f"{p.n_rows:,}" if p.n_rows else "")
        table.add_row(*map(escape, (*cells, examples, p.fix)))
    return table


def frame_table(df: pd.DataFrame, title: str, *, percent: tuple[str, ...] = ()) -> Table:
    """Render a small DataFrame as a rich table (floats rounded, shares as percentages)."""
    import pandas as pd

    table = Table(title=escape(title), title_justify="left", title_style="bold")
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        cells = (_cell(v, name in percent) for name, v in zip(df.columns, row, strict=True))
        table.add_row(*map(escape, cells))
    return table


def _cell(value: object, as_percent: bool) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "-"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        if as_percent:
            return f"{value:.1%}"
        return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def progress() -> Progress:
    """Return a progress display for command stages (spinner, description, elapsed time)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
