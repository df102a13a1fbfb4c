"""Stage 1 and 2 of every run: load and validate the data, resolve identities, fingerprint it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from custintel.pipelines._stages import StageTimer

if TYPE_CHECKING:
    from custintel.config import DemoDataConfig
    from custintel.data import Dataset
    from custintel.pipelines._stages import StageCallback
    from custintel.pipelines.specs import DataSpec


@dataclass
class PreparedData:
    """A validated dataset with duplicate customers merged, and what identifies it.

    Attributes
    ----------
    ds : Dataset
        The data after identity resolution (``customer_id`` is the canonical key).
    fingerprint : dict
        ``source``, ``tables`` (rows per table of the raw data), ``start``, ``end``,
        ``sha256`` (hash of every table's content) and ``merged_customers``.
    seconds : dict
        Seconds spent loading and resolving.
    """

    ds: Dataset
    fingerprint: dict[str, Any]
    seconds: dict[str, float]


def prepare_data(
    spec: DataSpec,
    *,
    dataset: Dataset | None = None,
    source: str | None = None,
    on_stage: StageCallback | None = None,
) -> PreparedData:
    """Load (or generate) the data a run trains on, resolve identities and fingerprint it.

    Parameters
    ----------
    spec : DataSpec
        ``path`` to a dataset folder, or ``demo`` settings when ``path`` is absent.
    dataset : Dataset, optional
        Data already in memory (``custintel demo`` passes the dataset it generated); ``spec``
        then only decides whether identities are resolved.
    source : str, optional
        What ``dataset`` is, for the fingerprint and the report (e.g. ``"demo dataset, 20,000
        customers, seed 0"``); default ``"in-memory dataset"``. Ignored without ``dataset``.
    on_stage : callable, optional
        ``on_stage(event, stage, seconds)`` for the stages ``load`` (read or generate, and
        validate) and ``identities`` (only when identities are resolved).

    Returns
    -------
    PreparedData
    """
    from custintel.data import load_dataset, make_demo_dataset

    timer = StageTimer(on_stage)
    with timer("load"):
        if dataset is not None:
            ds, source = dataset, source or "in-memory dataset"
        elif spec.path is not None:
            ds, source = load_dataset(spec.path, tz=spec.tz), str(spec.path)
        else:
            demo = spec.demo
            ds = make_demo_dataset(
                n_customers=demo.n_customers,
                seed=demo.seed,
                start=str(demo.start),
                end=str(demo.end),
            )
            source = describe_demo(demo, "generated for this run")
        fingerprint = data_fingerprint(ds)
    fingerprint["source"] = source
    merged = 0
    if spec.resolve_identities:
        from custintel.identity import apply_resolution, resolve_customers

        with timer("identities"):
            resolution = resolve_customers(ds)
            merged = int(len(resolution.mapping) - resolution.mapping["canonical_id"].nunique())
            ds = apply_resolution(ds, resolution)
    fingerprint["merged_customers"] = merged
    return PreparedData(ds, fingerprint, dict(timer.seconds))


def describe_demo(demo: DemoDataConfig, where: str) -> str:
    """Describe generated demo data for a run's fingerprint and report.

    Examples
    --------
    >>> from custintel.config import DemoDataConfig
    >>> describe_demo(DemoDataConfig(), "written to out/demo")
    'demo dataset, 5,000 customers, seed 0, 2023-01-01 until 2025-01-01, written to out/demo'
    """
    return (
        f"demo dataset, {demo.n_customers:,} customers, seed {demo.seed}, {demo.start} until "
        f"{demo.end}, {where}"
    )


def data_fingerprint(ds: Dataset) -> dict[str, Any]:
    """Row counts, time span and a content hash of every table of ``ds``.

    The hash covers every value and column name (pandas' vectorised row hashing, then
    SHA-256 over the row hashes), so the same data gives the same fingerprint on any machine.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=200, seed=0)
    >>> fp = data_fingerprint(ds)
    >>> fp["tables"]["customers"] >= 200, len(fp["sha256"])
    (True, 64)
    >>> data_fingerprint(ds)["sha256"] == fp["sha256"]
    True
    """
    digest = hashlib.sha256()
    tables: dict[str, int] = {}
    for name in sorted(ds.tables):
        frame = ds[name]
        tables[name] = len(frame)
        digest.update(json.dumps([name, [str(c) for c in frame.columns]]).encode())
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(rows.tobytes())
    start = pd.Timestamp(ds.orders["ordered_at"].min()) if len(ds.orders) else ds.end
    return {
        "tables": tables,
        "start": start.isoformat(),
        "end": pd.Timestamp(ds.end).isoformat(),
        "tz": str(ds.tz),
        "sha256": digest.hexdigest(),
    }
