"""The champion's feature snapshot of each customer task, written by training, read by serving.

``<directory>/<task>.parquet`` holds one row per customer (index ``customer_id``) with the
features as of the data's end, the inputs the champion scores when a caller sends only
``customer_ids``. A tracked run writes it when it becomes the champion, and
:func:`custintel.pipelines.promote` rebuilds it for a version it makes champion (as that
version's config chose its features), so its columns match the model the service loads;
``<task>.json`` beside it says as of when, from which run, and how many rows.
Both are replaced atomically, so a reader never sees half a snapshot. No raw personal data:
the frames pass :func:`custintel.identity.assert_no_pii` before they are written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd


def write_snapshot(
    frame: pd.DataFrame, directory: str | os.PathLike[str], task: str, **meta: Any
) -> Path:
    """Write ``frame`` as the latest snapshot of ``task``; return the Parquet path."""
    from custintel.identity import assert_no_pii

    assert_no_pii(frame, where=f"{task} feature snapshot")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{task}.parquet"
    info = {"task": task, "rows": len(frame), "columns": list(map(str, frame.columns)), **meta}
    for suffix, write in (
        (".parquet", lambda f: frame.to_parquet(f)),
        (".json", lambda f: Path(f).write_text(json.dumps(info, default=str), "utf-8")),
    ):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{task}", suffix=suffix)
        os.close(fd)
        try:
            write(tmp)
            os.replace(tmp, folder / f"{task}{suffix}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return target


def read_snapshot(directory: str | os.PathLike[str], task: str) -> tuple[pd.DataFrame, dict]:
    """Read the latest snapshot of ``task`` and its description.

    Raises
    ------
    FileNotFoundError
        Naming the file and the command that writes it.
    """
    target = Path(directory) / f"{task}.parquet"
    if not target.is_file():
        raise FileNotFoundError(
            f"no feature snapshot for {task} at {target}; `custintel train {task}` writes it"
        )
    info_file = target.with_suffix(".json")
    info = json.loads(info_file.read_text("utf-8")) if info_file.is_file() else {}
    return pd.read_parquet(target), info
