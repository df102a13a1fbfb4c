"""The champions the service answers with, and the feature snapshots it looks customers up in.

Each task's champion is loaded on its own: a missing or corrupted model leaves that task
unavailable (``/readyz`` says which and why, with one log line) while the others keep serving.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from custintel.tracking import TASKS

logger = logging.getLogger("custintel.serving")

#: Where training writes the feature snapshots (``custintel train``'s ``snapshots`` key).
SNAPSHOT_DIR_ENV = "CUSTINTEL_SNAPSHOT_DIR"


@dataclass
class Champion:
    """A loaded champion: the estimator, its registry record and its input features."""

    task: str
    estimator: Any
    info: dict[str, Any]
    features: list[str]
    snapshot: pd.DataFrame | None = None
    snapshot_info: dict[str, Any] = field(default_factory=dict)


class ServiceUnavailable(RuntimeError):
    """The champion of a task is not loaded (HTTP 503)."""


class ChampionStore:
    """Load every task's champion from the MLflow registry, each on its own.

    Parameters
    ----------
    snapshot_dir : path, optional
        Folder of the feature snapshots; defaults to ``$CUSTINTEL_SNAPSHOT_DIR``, else the
        bundle's, else ``./snapshots``.
    tasks : sequence of str
        Tasks to load (all six by default).
    bundle : path, optional
        Read champions from a bundle (``custintel export-bento``) instead of the MLflow
        registry; defaults to ``$CUSTINTEL_BUNDLE``.
    """

    def __init__(
        self,
        snapshot_dir: str | os.PathLike[str] | None = None,
        tasks: tuple[str, ...] = TASKS,
        *,
        bundle: str | os.PathLike[str] | None = None,
    ) -> None:
        from custintel.serving.bundle import BUNDLE_ENV

        bundled = bundle or os.environ.get(BUNDLE_ENV) or _packed_bundle()
        self.bundle = Path(bundled) if bundled else None
        default = self.bundle / "snapshots" if self.bundle else Path("snapshots")
        self.snapshot_dir = Path(snapshot_dir or os.environ.get(SNAPSHOT_DIR_ENV) or default)
        self.tasks = tuple(tasks)
        self.champions: dict[str, Champion] = {}
        self.errors: dict[str, str] = {}

    def load(self) -> ChampionStore:
        """(Re)load every champion; failures are recorded per task, never raised."""
        from custintel import tracking
        from custintel.serving.bundle import load_bundled

        if self.bundle is None:
            tracking.configure()
        for task in self.tasks:
            try:
                if self.bundle is not None:
                    estimator, info = load_bundled(self.bundle, task)
                else:
                    estimator, info = tracking.load_estimator(task)
                champion = Champion(task, estimator, info, _features(estimator))
                if task not in ("demand", "sentiment"):
                    champion.snapshot, champion.snapshot_info = _snapshot(self.snapshot_dir, task)
                self.champions[task] = champion
                self.errors.pop(task, None)
            except Exception as err:  # one bad model must not stop the others
                message = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
                self.errors[task] = message
                self.champions.pop(task, None)
                logger.error("champion of %s not loaded: %s", task, message)
        return self

    @property
    def ready(self) -> bool:
        """Whether every task's champion is loaded."""
        return all(t in self.champions for t in self.tasks)

    def missing(self) -> dict[str, str]:
        """Tasks without a loaded champion, and why."""
        return {
            t: self.errors.get(t, "not loaded yet") for t in self.tasks if t not in self.champions
        }

    def get(self, task: str) -> Champion:
        """Return the champion of ``task``.

        Raises
        ------
        ServiceUnavailable
            When it is not loaded, saying why.
        """
        if task not in self.champions:
            reason = self.errors.get(task, "not loaded yet")
            raise ServiceUnavailable(
                f"the {task} model is not available ({reason}); train and promote one with "
                f"`custintel train {task}`"
            )
        return self.champions[task]


def _packed_bundle() -> Path | None:
    """Return the bundle packed next to the package inside a Bento, if this is one.

    In a Bento, ``src/`` holds ``custintel/`` and ``bento_bundle/`` and no ``pyproject.toml``
    above it; in a source checkout the staged bundle is ignored (the registry is the truth).
    """
    import custintel

    here = Path.cwd()  # `bentoml serve <bento>` works in the Bento's src/
    if (here / "bento_bundle").is_dir() and (here.parent / "bento.yaml").is_file():
        return here / "bento_bundle"
    src = Path(custintel.__file__).resolve().parents[1]
    packed = src / "bento_bundle"
    if packed.is_dir() and not (src.parent / "pyproject.toml").is_file():
        return packed
    return None


def _features(estimator: Any) -> list[str]:
    names = getattr(estimator, "feature_names_in_", None)
    return [] if names is None else [str(n) for n in names]


def _snapshot(directory: Path, task: str) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    from custintel.pipelines.snapshots import read_snapshot

    try:
        frame, info = read_snapshot(directory, task)
    except FileNotFoundError as err:
        logger.warning("%s: customer_ids cannot be looked up: %s", task, err)
        return None, {}
    frame.index = frame.index.astype(str)
    return frame, info
