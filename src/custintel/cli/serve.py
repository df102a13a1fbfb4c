"""``custintel serve``, ``custintel keys ...`` and ``custintel export-bento``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from custintel.cli._console import console, err_console, frame_table, user_errors

SERVICE = "custintel.serving.service:CustintelService"
keys_app = typer.Typer(help="Create, list and revoke API keys of the HTTP service.")


def _env(snapshots: Path | None, workers: int | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("BENTOML_HOME", str(Path(".custintel/bentoml").resolve()))
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if snapshots is not None:
        env["CUSTINTEL_SNAPSHOT_DIR"] = str(snapshots.resolve())
    if workers is not None:
        env["CUSTINTEL_WORKERS"] = str(workers)
    from custintel import tracking

    env.setdefault("MLFLOW_TRACKING_URI", tracking.tracking_uri())
    return env


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 3000,
    host: Annotated[
        str, typer.Option(help="Interface to bind; 127.0.0.1 keeps the service local.")
    ] = "127.0.0.1",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (each loads every champion).")
    ] = None,
    snapshots: Annotated[
        Path | None, typer.Option(help="Folder of the feature snapshots (default ./snapshots).")
    ] = None,
) -> None:
    """Serve every champion over HTTP (BentoML): /v1/<task>/predict, /explain, /v1/models.

    API keys come from `custintel keys add`; the OpenAPI document is at /docs.json.
    """
    from custintel.serving.auth import KeyStore

    with user_errors():
        keys = KeyStore()
        if not keys.list():
            err_console.print(
                f"[yellow]No API keys in {keys.path}[/]: every /v1 route will answer 401. "
                "Create one with `custintel keys add --role reviewer`."
            )
        bentoml = Path(sys.executable).parent / "bentoml"
        command = [str(bentoml), "serve", SERVICE, "--host", host, "--port", str(port)]
        console.print(f"Serving on http://{host}:{port} (OpenAPI: /docs.json); Ctrl-C stops it.")
        try:
            code = subprocess.call(command, env=_env(snapshots, workers))
        except KeyboardInterrupt:
            code = 0
        raise typer.Exit(code)


@keys_app.command("add")
def add_key(
    role: Annotated[
        Literal["scorer", "reviewer", "admin"],
        typer.Option(help="scorer: predict; reviewer: + explain; admin: + /v1/models."),
    ] = "scorer",
) -> None:
    """Create an API key; it is printed once and only its hash is stored."""
    from custintel.serving.auth import KeyStore

    with user_errors():
        store = KeyStore()
        key = store.add(role)
        console.print(f"New {role} key (store it now; it is not shown again):")
        console.print(key, soft_wrap=True, markup=False)
        err_console.print(f"hash stored in {escape(str(store.path))}")


@keys_app.command("list")
def list_keys() -> None:
    """List key ids and roles (never the keys)."""
    import pandas as pd

    from custintel.serving.auth import KeyStore

    with user_errors():
        store = KeyStore()
        console.print(
            frame_table(pd.DataFrame(store.list(), columns=["key_id", "role"]), str(store.path))
        )


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key id (ci_<key_id>_...).")],
) -> None:
    """Revoke a key by its id."""
    from custintel.serving.auth import KeyStore

    with user_errors():
        if not KeyStore().revoke(key_id):
            raise ValueError(f"no key with id {key_id!r}; `custintel keys list` shows them")
        console.print(f"Revoked {escape(key_id)}.")


def export_bento(
    snapshots: Annotated[
        Path, typer.Option(help="Folder of the feature snapshots written by training.")
    ] = Path("snapshots"),
) -> None:
    """Build a Bento (bentofile.yaml) of the service with the champions of the MLflow registry.

    Stages every champion, the feature snapshots and the pinned requirements in src/bento_bundle/ of
    the source tree, then runs `bentoml build`; serve the result with
    `bentoml serve custintel:latest`.
    """
    import custintel
    from custintel.serving.bundle import stage_champions

    with user_errors():
        root = Path(custintel.__file__).resolve().parents[2]
        bentofile = root / "bentofile.yaml"
        if not bentofile.is_file():
            raise FileNotFoundError(
                f"{bentofile} does not exist: export-bento runs from a source checkout of "
                "custintel (pip install -e .)"
            )
        staged = stage_champions(root / "src" / "bento_bundle", snapshots)
        if not staged:
            raise ValueError("no champion in the registry; run `custintel train all` first")
        console.print(f"Staged champions: {', '.join(staged)}")
        bentoml = Path(sys.executable).parent / "bentoml"
        command = [str(bentoml), "build", "-f", str(bentofile), str(root / "src")]
        raise typer.Exit(subprocess.call(command, env=_env(None, None)))
