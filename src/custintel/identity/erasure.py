"""Erasure: remove customers from every stored snapshot (PIPL right to deletion).

:func:`erase_customer` walks the given files and directories, and rewrites every Parquet or CSV
table that refers to one of the customers: rows whose ``customer_id`` (or another id column)
is one of them, and, through the orders they placed, the rows of other tables that hang off those
orders (``shipments`` by ``order_id``, ``tracking_events`` by ``waybill_no``, reviews and fraud
labels of those orders, ground-truth frames of demo data). Each file is replaced atomically
(written to a temporary sibling, then renamed over the original), so a reader sees the old file
or the new one, never half of one. A saved dataset's manifest gets its row counts updated.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from custintel.identity.resolution import IdentityResolution

#: Columns holding a customer id in custintel's own files (tables, truth, resolutions).
ID_COLUMNS: tuple[str, ...] = ("customer_id", "canonical_id", "duplicate_id")
_SUFFIXES = (".parquet", ".csv", ".csv.gz")
_MANIFEST = "dataset.json"


@dataclass(frozen=True)
class ErasureReport:
    """What :func:`erase_customer` changed.

    Attributes
    ----------
    customer_ids : tuple of str
        The ids erased (the ones asked for, plus their linked records when a resolution was given).
    files : DataFrame
        One row per rewritten file: ``path``, ``rows_before``, ``rows_removed``.
    files_scanned : int
        Table files read.
    orders_removed, waybills_removed : int
        Distinct orders and waybills of the erased customers found in the files.
    """

    customer_ids: tuple[str, ...]
    files: pd.DataFrame
    files_scanned: int
    orders_removed: int
    waybills_removed: int

    @property
    def rows_removed(self) -> int:
        """Rows removed over all files."""
        return int(self.files["rows_removed"].sum()) if len(self.files) else 0

    def __repr__(self) -> str:
        return (
            f"ErasureReport(customers={len(self.customer_ids)}, files_changed={len(self.files)}, "
            f"rows_removed={self.rows_removed}, files_scanned={self.files_scanned})"
        )


def erase_customer(
    customer_ids: object | Iterable[object],
    paths: str | PathLike[str] | Iterable[str | PathLike[str]],
    *,
    resolution: IdentityResolution | pd.DataFrame | None = None,
    id_columns: Sequence[str] = ID_COLUMNS,
) -> ErasureReport:
    """Remove customers, and every record linked to them, from stored table files.

    Parameters
    ----------
    customer_ids : id or iterable of ids
        The customers to erase (compared as text, so ``123`` and ``"123"`` are the same).
    paths : path or iterable of paths
        Files or directories; directories are searched recursively for ``*.parquet``,
        ``*.csv`` and ``*.csv.gz`` (datasets written by ``Dataset.save``, feature snapshots,
        score tables, exports).
    resolution : IdentityResolution or DataFrame, optional
        Identity resolution (or its ``mapping`` frame, indexed by ``customer_id`` with a
        ``canonical_id`` column): every record of the same person is erased too.
    id_columns : sequence of str
        Columns that hold customer ids.

    Returns
    -------
    ErasureReport
        The ids erased and, per rewritten file, the rows before and removed.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"customer_id": ["C1", "C2"], "score": [0.1, 0.9]}).to_parquet(
    ...     f"{folder}/scores.parquet", index=False)
    >>> report = erase_customer("C2", folder)
    >>> report.rows_removed, pd.read_parquet(f"{folder}/scores.parquet")["customer_id"].tolist()
    (1, ['C1'])
    """
    wanted = _expand(customer_ids, resolution)
    files = _table_files(paths)
    id_set = pa.array(sorted(wanted), pa.string())

    # Orders of the customers, then the parcels of those orders, wherever they are stored.
    orders = _collect(
        files, "orders", "order_id", lambda t: _mask(t, id_columns, {"customer_id": id_set})
    )
    order_set = pa.array(sorted(orders), pa.string())
    waybills = _collect(
        files, "shipments", "waybill_no", lambda t: _mask(t, (), {"order_id": order_set})
    )
    keys = {c: id_set for c in id_columns}
    keys["order_id"] = order_set
    keys["waybill_no"] = pa.array(sorted(waybills), pa.string())

    changed = []
    manifests: dict[Path, dict[str, int]] = {}
    for file in files:
        table = _read(file)
        drop = _mask(table, (), keys)
        n_drop = int(pc.sum(drop).as_py() or 0)
        if n_drop == 0:
            continue
        _write_atomic(table.filter(pc.invert(drop)), file)
        changed.append({"path": str(file), "rows_before": table.num_rows, "rows_removed": n_drop})
        if (file.parent / _MANIFEST).is_file():
            manifests.setdefault(file.parent, {})[_table_name(file)] = table.num_rows - n_drop
    for folder, rows in manifests.items():
        _update_manifest(folder / _MANIFEST, rows)
    report = pd.DataFrame(changed, columns=["path", "rows_before", "rows_removed"])
    return ErasureReport(
        customer_ids=tuple(sorted(wanted)),
        files=report,
        files_scanned=len(files),
        orders_removed=len(orders),
        waybills_removed=len(waybills),
    )


def _expand(
    customer_ids: object | Iterable[object], resolution: IdentityResolution | pd.DataFrame | None
) -> set[str]:
    if isinstance(customer_ids, str | bytes) or not isinstance(customer_ids, Iterable):
        ids = [customer_ids]
    else:
        ids = list(customer_ids)
    wanted = {str(i) for i in ids}
    if resolution is not None:
        mapping = resolution.mapping if isinstance(resolution, IdentityResolution) else resolution
        canon = mapping["canonical_id"].astype(str)
        members = pd.Series(mapping.index.astype(str), index=mapping.index)
        groups = set(canon[members.isin(wanted).to_numpy()].tolist())
        wanted |= set(members[canon.isin(groups).to_numpy()].tolist())
    return wanted


def _table_files(paths: str | PathLike[str] | Iterable[str | PathLike[str]]) -> list[Path]:
    if isinstance(paths, str | PathLike):
        paths = [paths]
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found |= {f for f in p.rglob("*") if f.is_file() and f.name.endswith(_SUFFIXES)}
        elif p.is_file():
            found.add(p)
        else:
            raise FileNotFoundError(f"{p} does not exist; pass the files or folders to erase from")
    return sorted(f for f in found if not f.name.startswith("."))


def _table_name(file: Path) -> str:
    name = file.name
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _read(file: Path) -> pa.Table:
    if file.name.endswith(".parquet"):
        return pq.read_table(file)
    # CSV: every column as text, so values are written back exactly as they were.
    with pacsv.open_csv(file) as reader:
        names = reader.schema.names
    types = {name: pa.string() for name in names}
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False)
    return pacsv.read_csv(file, convert_options=convert)


def _mask(table: pa.Table, columns: Iterable[str], keys: dict[str, pa.Array]) -> pa.Array:
    """Rows whose value in any key column is in that column's set."""
    drop = pa.array([False] * table.num_rows, pa.bool_())
    for name, values in {**dict.fromkeys(columns), **keys}.items():
        if values is None or name not in table.column_names or len(values) == 0:
            continue
        col = pc.cast(table.column(name), pa.string())
        drop = pc.or_(drop, pc.fill_null(pc.is_in(col, value_set=values), False))
    return drop


def _collect(files: list[Path], table: str, column: str, mask: object) -> set[str]:
    found: set[str] = set()
    for file in files:
        if _table_name(file) != table:
            continue
        t = _read(file)
        if column not in t.column_names:
            continue
        rows = t.filter(mask(t))  # type: ignore[operator]
        found |= {str(v) for v in rows.column(column).to_pylist() if v is not None}
    return found


def _write_atomic(table: pa.Table, file: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if file.name.endswith(".parquet"):
            pq.write_table(table, tmp)
        else:
            frame = table.to_pandas()
            compression = "gzip" if file.name.endswith(".gz") else None
            frame.to_csv(tmp, index=False, compression=compression)
        os.replace(tmp, file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _update_manifest(path: Path, rows: dict[str, int]) -> None:
    manifest = json.loads(path.read_text())
    for name, n in rows.items():
        if name in manifest.get("tables", {}):
            manifest["tables"][name]["rows"] = n
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(manifest, indent=2, ensure_ascii=False))
    os.replace(tmp_name, path)
