"""Data layer: the data contract, validation, loading and saving, and realistic demo data.

>>> from custintel.data import make_demo_dataset
>>> ds = make_demo_dataset(n_customers=300, seed=0)
>>> sorted(ds.tables)[:3]
['customers', 'fraud_labels', 'invoices']
"""

from custintel.data.dataset import Dataset, to_timestamp
from custintel.data.errors import Problem, SchemaError
from custintel.data.io import load_dataset
from custintel.data.schema import TABLES, ColumnSpec, TableSpec
from custintel.data.snapshot import snapshot


def make_demo_dataset(
    n_customers: int = 5_000,
    seed: int = 0,
    start: object = "2023-01-01",
    end: object = "2025-01-01",
    *,
    tz: str = "Asia/Shanghai",
) -> Dataset:
    """Generate the realistic demo dataset (see :mod:`custintel.data.demo`)."""
    from custintel.data.demo import make_demo_dataset as _make

    return _make(n_customers=n_customers, seed=seed, start=start, end=end, tz=tz)


__all__ = [
    "TABLES",
    "ColumnSpec",
    "Dataset",
    "Problem",
    "SchemaError",
    "TableSpec",
    "load_dataset",
    "make_demo_dataset",
    "snapshot",
    "to_timestamp",
]
