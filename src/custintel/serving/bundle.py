"""A self-contained bundle of the champions, for a Bento that needs no MLflow server.

``custintel export-bento`` stages every champion of the registry (its estimator and registry
record), the feature snapshots and the pinned Python requirements under ``src/bento_bundle/``, then
``bentoml build`` packs them with the code (``bentofile.yaml``). Inside the Bento the service
reads the bundle (``CUSTINTEL_BUNDLE``) instead of the registry.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
from packaging.requirements import Requirement

from custintel.tracking import TASKS

logger = logging.getLogger("custintel.serving")

#: Environment variable naming a bundle folder; when set, champions are read from it.
BUNDLE_ENV = "CUSTINTEL_BUNDLE"


def stage_champions(target: str | os.PathLike[str], snapshots: str | os.PathLike[str]) -> list[str]:
    """Write every registered champion, the snapshots and requirements into ``target``.

    Returns
    -------
    list of str
        The tasks staged (tasks without a champion are skipped with a logged warning).
    """
    from custintel import tracking

    folder = Path(target)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "champions").mkdir(parents=True)
    tracking.configure()
    staged: list[str] = []
    for task in TASKS:
        try:
            estimator, info = tracking.load_estimator(task)
        except ValueError as err:
            logger.warning("no champion for %s: %s", task, err)
            continue
        where = folder / "champions" / task
        where.mkdir()
        joblib.dump(estimator, where / "estimator.joblib")
        (where / "info.json").write_text(json.dumps(info, default=str), "utf-8")
        staged.append(task)
    source = Path(snapshots)
    if source.is_dir():
        shutil.copytree(source, folder / "snapshots", ignore=shutil.ignore_patterns(".*"))
    (folder / "requirements.txt").write_text("\n".join(requirements()) + "\n", "utf-8")
    return staged


def load_bundled(bundle: str | os.PathLike[str], task: str) -> tuple[Any, dict[str, Any]]:
    """Load the estimator and registry record of ``task`` from a bundle.

    Raises
    ------
    FileNotFoundError
        When the bundle has no champion for ``task``.
    """
    where = Path(bundle) / "champions" / task
    if not (where / "estimator.joblib").is_file():
        raise FileNotFoundError(f"the bundle {bundle} has no champion for {task}")
    info = json.loads((where / "info.json").read_text("utf-8"))
    return joblib.load(where / "estimator.joblib"), info


def requirements() -> list[str]:
    """Return custintel's runtime dependencies pinned to the versions installed here."""
    pinned = []
    for spec in metadata.requires("custintel") or []:
        requirement = Requirement(spec)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        try:
            pinned.append(f"{requirement.name}=={metadata.version(requirement.name)}")
        except metadata.PackageNotFoundError:
            pinned.append(str(requirement))
    return sorted(pinned)
