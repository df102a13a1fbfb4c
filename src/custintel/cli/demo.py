"""``custintel demo``: the main job on the embedded demo data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from custintel.cli._console import console, user_errors
from custintel.cli._report import print_profile
from custintel.cli.data import generate, save
from custintel.config import DemoConfig, load_config


def demo(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML run config (configs/demo.yaml).")
    ] = None,
    customers: Annotated[
        int | None, typer.Option("--customers", "-n", min=100, help="Override data.n_customers.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override data.seed.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Override output_dir.")] = None,
) -> None:
    """Run the main job: generate the demo data, validate it, save it and print its profile."""
    with user_errors():
        cfg = load_config(config, DemoConfig) if config is not None else DemoConfig()
        cfg = cfg.with_overrides(
            data=cfg.data.with_overrides(n_customers=customers, seed=seed), output_dir=out
        )
        started = time.perf_counter()
        ds = generate(cfg.data.n_customers, cfg.data.seed, cfg.data.start, cfg.data.end)
        save(ds, cfg.output_dir, cfg.format, overwrite=True)
        print_profile(ds)
        elapsed = time.perf_counter() - started
        console.print(
            f"[bold green]Done[/] in {elapsed:.1f}s: {ds!r} passed every data-contract check "
            f"and was written to [bold]{cfg.output_dir}[/].",
            soft_wrap=True,
        )
        console.print(
            f"Next: [cyan]custintel data validate {cfg.output_dir} --full[/] re-checks it from "
            "disk; [cyan]custintel --help[/] lists every command.",
            soft_wrap=True,
        )
