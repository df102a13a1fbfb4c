"""Keep a run's holdout rows with the run, so a later champion is judged on the same rows.

Layout under the run's artifacts: ``holdout/X.parquet``, ``holdout/y.parquet`` (when there is
truth), ``holdout/extra_<key>.parquet`` per frame or series in ``Holdout.extra`` and
``holdout/description.json`` (the description, the name of ``y`` and the JSON-serialisable
extras). Every frame passes :func:`custintel.identity.assert_no_pii` first.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from custintel.identity import assert_no_pii
from custintel.tracking.result import Holdout
from custintel.tracking.store import client, quiet

FOLDER = "holdout"


def write_holdout(holdout: Holdout, directory: Path) -> None:
    """Write ``holdout`` as Parquet files and a JSON description into ``directory``.

    Parameters
    ----------
    holdout : Holdout
        The rows a model is judged on.
    directory : Path
        An existing folder (the ``holdout`` folder of the run's artifacts).

    Raises
    ------
    PIIError
        When a frame holds raw personal data (nothing is written then).
    """
    assert_no_pii(holdout.X, where="holdout X")
    frames: dict[str, pd.DataFrame] = {"X": holdout.X}
    if holdout.y is not None:
        y_frame = holdout.y.to_frame(name="y")
        assert_no_pii(y_frame, where="holdout y")
        frames["y"] = y_frame
    series: list[str] = []
    values: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in holdout.extra.items():
        if isinstance(value, pd.Series):
            series.append(key)
            value = value.to_frame(name="value")
        if isinstance(value, pd.DataFrame):
            assert_no_pii(value, where=f"holdout extra {key!r}")
            frames[f"extra_{key}"] = value
        elif _jsonable(value):
            values[key] = value
        else:
            skipped.append(key)
    for stem, frame in frames.items():
        frame.to_parquet(directory / f"{stem}.parquet")
    description = {
        "description": holdout.description,
        "y_name": None if holdout.y is None else holdout.y.name,
        "extra_series": series,
        "extra_values": values,
        "extra_skipped": skipped,
    }
    (directory / "description.json").write_text(
        json.dumps(description, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )


def read_holdout(directory: Path) -> Holdout:
    """Read a holdout written by :func:`write_holdout` from ``directory``.

    Parameters
    ----------
    directory : Path
        The folder holding ``X.parquet`` and ``description.json``.

    Returns
    -------
    Holdout
        Extras that were neither frames, series nor JSON values are missing.
    """
    meta = json.loads((directory / "description.json").read_text(encoding="utf-8"))
    X = pd.read_parquet(directory / "X.parquet")
    y = None
    if (directory / "y.parquet").exists():
        y = pd.read_parquet(directory / "y.parquet")["y"].rename(meta.get("y_name"))
    extra: dict[str, Any] = dict(meta.get("extra_values", {}))
    for path in sorted(directory.glob("extra_*.parquet")):
        key = path.stem.removeprefix("extra_")
        frame = pd.read_parquet(path)
        extra[key] = frame["value"] if key in meta.get("extra_series", []) else frame
    return Holdout(X=X, y=y, description=meta["description"], extra=extra)


def load_holdout(run_id: str) -> Holdout:
    """Return the holdout logged with the run ``run_id``.

    Parameters
    ----------
    run_id : str
        MLflow run id of a training run.

    Returns
    -------
    Holdout
        The rows, truth and extras as the run logged them.

    Raises
    ------
    ValueError
        When the run logged no holdout.
    """
    mlflow_client = client()
    names = {info.path for info in mlflow_client.list_artifacts(run_id, FOLDER)}
    if f"{FOLDER}/description.json" not in names:
        raise ValueError(
            f"Run {run_id} has no holdout under its artifacts ({FOLDER}/description.json is "
            "missing): it was not logged by custintel's log_result. Retrain the model with "
            "`custintel train <task>` to get a version that can be compared."
        )
    with tempfile.TemporaryDirectory(prefix="custintel-holdout-") as tmp, quiet():
        local = mlflow_client.download_artifacts(run_id, FOLDER, dst_path=tmp)
        return read_holdout(Path(local))


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
