"""Read and write a `Dataset` as a directory of CSV or Parquet files.

Layout of a saved dataset::

    <dir>/dataset.json          manifest: format, time zone, end, row counts, key dtypes
    <dir>/<table>.parquet       one file per present table (or <table>.csv)
    <dir>/truth/...             ground truth of generated data, when there is any

A directory written by other tools works too: any ``<table>.parquet``, ``<table>.csv`` or
``<table>.csv.gz`` file whose name is a contract table is read.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import tempfile
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from custintel._version import __version__
from custintel.data.errors import Problem, SchemaError
from custintel.data.schema import TABLE_NAMES, TABLES

if TYPE_CHECKING:
    from custintel.data.dataset import Dataset

logger = logging.getLogger(__name__)

MANIFEST = "dataset.json"
_SUFFIXES = (".parquet", ".csv", ".csv.gz")


def save_dataset(
    ds: Dataset,
    path: str | PathLike[str],
    *,
    format: Literal["parquet", "csv"] = "parquet",
    overwrite: bool = False,
) -> Path:
    """Write ``ds`` to directory ``path`` atomically; see :meth:`Dataset.save`."""
    if format not in ("parquet", "csv"):
        raise ValueError(f"format={format!r} is not supported; use 'parquet' or 'csv'")
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a directory; choose another path")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{target} is not empty; pass overwrite=True (CLI: --overwrite) to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        manifest = _write_tables(ds, tmp, format)
        if ds.truth is not None:
            _save_truth(ds.truth, tmp / "truth")
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("saved %r to %s", ds, target)
    return target


def _write_tables(ds: Dataset, folder: Path, format: str) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name, df in ds.tables.items():
        file = f"{name}.{format}"
        if format == "parquet":
            _for_parquet(df).to_parquet(folder / file, index=False)
        else:
            df.to_csv(folder / file, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        id_dtypes = {
            c.name: str(df[c.name].dtype)
            for c in TABLES[name].columns
            if c.kind == "id" and c.name in df.columns
        }
        tables[name] = {"file": file, "rows": len(df), "id_dtypes": id_dtypes}
    return {
        "format": format,
        "tz": ds.tz,
        "end": ds.end.isoformat(),
        "tables": tables,
        "custintel_version": __version__,
    }


def _for_parquet(df: pd.DataFrame) -> pd.DataFrame:
    """Store high-cardinality categoricals (waybill numbers on 65M scans) as plain text.

    Parquet's dictionary encoding gives up on millions of distinct values, and reading such a
    column back as a category costs minutes and many GB; as text it reads in seconds.
    """
    wide = [
        c
        for c in df.columns
        if isinstance(df[c].dtype, pd.CategoricalDtype) and len(df[c].cat.categories) > 100_000
    ]
    return df.astype(dict.fromkeys(wide, "str")) if wide else df


def _swap_in(tmp: Path, target: Path) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.rename(old)
    try:
        tmp.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def load_dataset(
    path: str | PathLike[str],
    *,
    tz: str | None = None,
    end: object = None,
) -> Dataset:
    """Load and validate a dataset from a directory with one CSV or Parquet file per table.

    Parameters
    ----------
    path : str or path-like
        Directory holding ``customers.csv`` / ``customers.parquet``, ``orders.*`` and any of the
        optional tables (``shipments``, ``tracking_events``, ``reviews``, ``invoices``,
        ``fraud_labels``). Gzipped CSV (``.csv.gz``) works too.
    tz : str, optional
        Time zone of timestamps stored without one. Defaults to the manifest's zone for
        directories written by :meth:`Dataset.save`; otherwise such timestamps are an error.
    end : str or Timestamp, optional
        When the data was extracted; defaults to the manifest's ``end``, else now.

    Returns
    -------
    Dataset

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a directory.
    SchemaError
        If a required table is missing, a table is present twice, or any contract rule fails.

    Examples
    --------
    >>> import tempfile
    >>> from custintel.data import load_dataset, make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=200, seed=1)
    >>> folder = tempfile.mkdtemp()
    >>> ds.save(folder, format="csv", overwrite=True)
    >>> load_dataset(folder).orders.shape == ds.orders.shape
    True
    """
    from custintel.data.dataset import Dataset

    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a directory; point load_dataset at a folder with one file per "
            f"table ({', '.join(f'{t}.csv' for t in TABLE_NAMES[:2])}, ...)"
        )
    manifest = _read_manifest(folder)
    files = _find_table_files(folder)
    missing = [t for t in ("customers", "orders") if t not in files]
    if missing:
        present = sorted(p.name for p in folder.iterdir() if p.is_file())
        raise SchemaError(
            [
                Problem(
                    t,
                    None,
                    "missing_table",
                    f"no {t}.csv or {t}.parquet in {folder}",
                    examples=tuple(present[:8]),
                    fix=f"add {t}.csv or {t}.parquet (file names are the table names)",
                )
                for t in missing
            ]
        )
    id_dtypes = {n: t.get("id_dtypes", {}) for n, t in manifest.get("tables", {}).items()}
    frames = {
        name: _read_table(name, file, id_dtypes.get(name, {})) for name, file in files.items()
    }
    tz = tz if tz is not None else manifest.get("tz")
    end = end if end is not None else manifest.get("end")
    truth = None
    if (folder / "truth").is_dir():
        truth = _load_truth(folder / "truth")
    ds = Dataset.from_frames(**frames, tz=tz, end=end, truth=truth)
    logger.info("loaded %r from %s", ds, folder)
    return ds


def _save_truth(truth: Any, folder: Path) -> None:
    """Write each DataFrame field of a truth dataclass to Parquet, the rest to JSON."""
    folder.mkdir()
    other: dict[str, Any] = {}
    for f in dataclasses.fields(truth):
        value = getattr(truth, f.name)
        if isinstance(value, pd.DataFrame):
            value.to_parquet(folder / f"{f.name}.parquet")
        else:
            other[f.name] = value
    (folder / "fields.json").write_text(
        json.dumps(other, indent=2, ensure_ascii=False, default=str)
    )


def _load_truth(folder: Path) -> Any:
    from custintel.data.demo import DemoTruth

    values: dict[str, Any] = json.loads((folder / "fields.json").read_text())
    for f in dataclasses.fields(DemoTruth):
        file = folder / f"{f.name}.parquet"
        if file.exists():
            values[f.name] = pd.read_parquet(file)
    return DemoTruth(**values)


def _read_manifest(folder: Path) -> dict[str, Any]:
    file = folder / MANIFEST
    if not file.exists():
        return {}
    try:
        manifest: dict[str, Any] = json.loads(file.read_text())
    except json.JSONDecodeError as err:
        raise SchemaError(
            Problem(
                "dataset",
                None,
                "bad_manifest",
                f"{file} is not valid JSON ({err})",
                fix=f"repair or delete {file}",
            )
        ) from err
    return manifest


def _find_table_files(folder: Path) -> dict[str, Path]:
    found: dict[str, list[Path]] = {}
    for name in TABLE_NAMES:
        for suffix in _SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                found.setdefault(name, []).append(candidate)
    twice = {n: ps for n, ps in found.items() if len(ps) > 1}
    if twice:
        raise SchemaError(
            [
                Problem(
                    n,
                    None,
                    "ambiguous_table",
                    "is present in more than one file",
                    examples=tuple(p.name for p in ps),
                    fix="keep one file per table",
                )
                for n, ps in twice.items()
            ]
        )
    return {n: ps[0] for n, ps in found.items()}


def _read_table(name: str, file: Path, id_dtypes: dict[str, str]) -> pd.DataFrame:
    if file.suffix == ".parquet":
        return pd.read_parquet(file)
    # Text columns (ids, names, phone numbers, enums) are read as text: "000123" must stay
    # "000123" and a phone number must not become a float. Integer ids saved by custintel
    # come back as integers, as the manifest recorded them.
    dtypes: dict[str, str] = {}
    for col in TABLES[name].columns:
        if col.kind in ("text", "category"):
            dtypes[col.name] = "string"
        elif col.kind == "id":
            dtypes[col.name] = (
                "Int64" if id_dtypes.get(col.name, "").startswith("int") else "string"
            )
    try:
        return pd.read_csv(file, dtype=dtypes, keep_default_na=False, na_values=[""])
    except (ValueError, pd.errors.ParserError) as err:
        raise SchemaError(
            Problem(
                name,
                None,
                "unreadable_file",
                f"{file.name} could not be read as CSV: {err}",
                fix="check the file's delimiter, quoting and encoding (UTF-8)",
            )
        ) from err
