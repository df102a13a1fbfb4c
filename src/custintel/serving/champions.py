"""The champions the service answers with, and the feature snapshots it looks customers up in.

Each task's champion is loaded on its own: a missing or corrupted model leaves that task
unavailable (``/readyz`` says which and why, with one log line) while the others keep serving.
"""

from __future__ import annotations

import logging
import os
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from custintel.tracking import TASKS

logger = logging.getLogger("custintel.serving")

#: Where training writes the feature snapshots (``custintel train``'s ``snapshots`` key).
SNAPSHOT_DIR_ENV = "CUSTINTEL_SNAPSHOT_DIR"


@dataclass
class Champion:
    """A loaded champion: the estimator, its registry record and its input features.

    With a ``snapshot``, what the champion answers for every snapshot row is computed once,
    here, in one vectorised call (:func:`custintel.tracking.model_output`): a request by
    ``customer_ids`` then costs a hash lookup, not a model call. Both the estimator and the
    snapshot are fixed for the life of the process, so the answers are the same as scoring
    the rows on each request (tested).
    """

    task: str
    estimator: Any
    info: dict[str, Any]
    features: list[str]
    snapshot: pd.DataFrame | None = None
    snapshot_info: dict[str, Any] = field(default_factory=dict)
    #: Why customer ids cannot be looked up although a snapshot exists (None when they can).
    snapshot_problem: str | None = field(default=None, init=False)
    #: Output column -> its values for every snapshot row, in snapshot order.
    snapshot_output: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    #: Features that take text (not numbers) in ``records``: the model's categorical ones
    #: (else the snapshot's non-numeric columns).
    text_features: frozenset[str] = field(default=frozenset(), init=False)
    #: ``features`` split into the numeric and the text ones, as column labels built once
    #: (a request's frame reuses them instead of building an Index from strings each time).
    numeric_columns: pd.Index = field(default_factory=lambda: pd.Index([]), init=False)
    text_columns: pd.Index = field(default_factory=lambda: pd.Index([]), init=False)
    _positions: dict[str, int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        levels = getattr(getattr(self.estimator, "encoder_", None), "levels_", None)
        if isinstance(levels, dict):
            self.text_features = frozenset(map(str, levels))
        elif self.snapshot is not None:
            self.text_features = frozenset(
                str(c) for c, kind in self.snapshot.dtypes.items() if kind.kind not in "fiub"
            )
        self.numeric_columns, self.text_columns = split_features(self.features, self.text_features)
        if self.snapshot is None:
            return
        snapshot = self.snapshot
        snapshot.index = pd.Index(
            snapshot.index.astype(str).to_numpy(dtype=object), name="customer_id"
        )
        out, self.snapshot_problem = _score_snapshot(self, snapshot)
        if out is None:
            logger.error(
                "%s: customer_ids cannot be looked up: %s", self.task, self.snapshot_problem
            )
            return
        self.snapshot_output = {str(c): out[c].to_numpy() for c in out.columns}
        if self.features and list(snapshot.columns) != self.features:
            self.snapshot = snapshot.loc[:, self.features]  # rows are taken as model input
        # a dict, not Index.get_indexer: one id costs ~0.1 us instead of ~50 us of pandas
        # overhead; its keys are the index's own str objects (~70 MB per 1M customers)
        self._positions = dict(zip(snapshot.index, range(len(snapshot)), strict=True))

    def positions(self, ids: list[str]) -> np.ndarray:
        """Return the snapshot row of each id (``-1`` where the snapshot does not hold it)."""
        if self._positions is None:
            return np.full(len(ids), -1, dtype=np.intp)
        get = self._positions.get
        return np.fromiter((get(i, -1) for i in ids), dtype=np.intp, count=len(ids))


def split_features(columns: list[str], text: frozenset[str]) -> tuple[pd.Index, pd.Index]:
    """Return ``columns`` split into the numeric and the ``text`` ones, in order."""
    return (
        pd.Index([c for c in columns if c not in text], dtype=object),
        pd.Index([c for c in columns if c in text], dtype=object),
    )


def _score_snapshot(
    champion: Champion, snapshot: pd.DataFrame
) -> tuple[pd.DataFrame | None, str | None]:
    """Score every snapshot row: ``(model output, None)``, or ``(None, why it cannot be)``."""
    from custintel.tracking import model_output

    task = champion.task
    missing = [c for c in champion.features if c not in snapshot.columns]
    if missing:
        return None, (
            f"the {task} snapshot lacks {len(missing)} feature(s) the champion needs "
            f"({reprlib.repr(missing)}); retrain to refresh it"
        )
    if not snapshot.index.is_unique:
        return None, f"the {task} snapshot repeats customer ids; retrain to rewrite it"
    try:
        columns = champion.features or list(snapshot.columns)
        return model_output(task, champion.estimator, snapshot.loc[:, columns]), None
    except Exception as err:  # a snapshot the model cannot read must not stop the service
        return None, (
            f"the {task} champion cannot score its snapshot ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''}); retrain to refresh it"
        )


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
                snapshot, snapshot_info = (
                    (None, {})
                    if task in ("demand", "sentiment")
                    else _snapshot(self.snapshot_dir, task)
                )
                self.champions[task] = Champion(
                    task, estimator, info, _features(estimator), snapshot, snapshot_info
                )
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
    return frame, info
