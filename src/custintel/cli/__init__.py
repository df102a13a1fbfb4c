"""The ``custintel`` command line (typer + rich).

``custintel demo`` runs the main job; ``custintel data ...`` generates and validates datasets;
``custintel train | evaluate | promote | models`` run tracked training and manage champions.
"""

from __future__ import annotations

from typing import Annotated

import typer

from custintel._version import __version__
from custintel.cli import data
from custintel.cli.demo import demo
from custintel.cli.serve import export_bento, keys_app, serve
from custintel.cli.train import evaluate, models, promote, train

app = typer.Typer(
    name="custintel",
    help="Customer intelligence for e-commerce logistics: data, features, models, serving.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(data.app, name="data")
app.command("demo")(demo)
app.command("train")(train)
app.command("evaluate")(evaluate)
app.command("promote")(promote)
app.command("models")(models)
app.command("serve")(serve)
app.command("export-bento")(export_bento)
app.add_typer(keys_app, name="keys")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"custintel {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Run custintel: customer intelligence for e-commerce logistics and delivery."""


def main() -> None:
    """Entry point of the ``custintel`` console script."""
    app()


__all__ = ["app", "main"]
