from __future__ import annotations

import pytest

from custintel.data import Dataset, make_demo_dataset
from tests.conftest import END, TZ

AS_OF = "2024-07-01"


@pytest.fixture(scope="package")
def demo() -> Dataset:
    """One small demo business shared by the feature tests."""
    return make_demo_dataset(n_customers=1_500, seed=7)


@pytest.fixture
def tiny(raw_tables) -> Dataset:
    return Dataset.from_frames(**raw_tables, tz=TZ, end=END)
