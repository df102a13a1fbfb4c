"""Data layer: the data contract, validation, loading and saving, and realistic demo data.

>>> from custintel.data import make_demo_dataset
>>> ds = make_demo_dataset(n_customers=300, seed=0)
>>> sorted(ds.tables)[:3]
['customers', 'fraud_labels', 'invoices']
"""

from custintel.data.dataset import Dataset, to_timestamp
from custintel.data.demo import DemoTruth, make_demo_dataset
from custintel.data.errors import Problem, SchemaError
from custintel.data.io import load_dataset
from custintel.data.schema import TABLES, ColumnSpec, TableSpec
from custintel.data.snapshot import snapshot

__all__ = [
    "TABLES",
    "ColumnSpec",
    "Dataset",
    "DemoTruth",
    "Problem",
    "SchemaError",
    "TableSpec",
    "load_dataset",
    "make_demo_dataset",
    "snapshot",
    "to_timestamp",
]
