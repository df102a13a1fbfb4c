"""Shared fixtures: a tiny hand-made set of valid raw tables to break one rule at a time."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

settings.register_profile(
    "custintel",
    deadline=None,
    max_examples=25,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("custintel")

TZ = "Asia/Shanghai"
END = "2024-07-01"


@pytest.fixture
def raw_tables() -> dict[str, pd.DataFrame]:
    """All seven tables, valid, with naive text timestamps (so they need tz=TZ)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "registered_at": ["2023-01-05 09:00", "2023-03-01 12:30", "2024-02-10 08:00"],
            "name": ["王小明", "李华", "张伟"],
            "phone": ["13812345678", "+86 139 0000 1111", "170-1234-5678"],
            "province": ["上海市", "广东省", "四川省"],
            "city": ["上海市", "广州市", "成都市"],
            "customer_type": ["C", "B", "C"],
            "birth_year": [1990, None, 1985],
            "gender": ["M", "F", None],
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4"],
            "customer_id": ["C1", "C1", "C2", "C3"],
            "ordered_at": [
                "2024-03-01 10:00",
                "2024-05-02 20:15",
                "2024-06-18 00:05",
                "2024-06-20 09:00",
            ],
            "amount": [99.0, 15.5, 1200.0, 0.0],
            "quantity": [1, 2, 10, 1],
            "payment_method": ["online", "cod", "online", "cod"],
            "coupon_used": [True, False, True, False],
            "status": ["completed", "refused", "completed", "returned"],
            "category": ["fresh", "books", "electronics", "apparel"],
        }
    )
    shipments = pd.DataFrame(
        {
            "waybill_no": ["SF1", "SF2", "ZTO3"],
            "order_id": ["O1", "O2", "O3"],
            "carrier": ["SF", "SF", "ZTO"],
            "shipped_at": ["2024-03-01 18:00", "2024-05-03 09:00", "2024-06-18 10:00"],
            "promised_at": ["2024-03-03 18:00", "2024-05-05 09:00", "2024-06-21 10:00"],
            "delivered_at": ["2024-03-02 15:00", None, "2024-06-22 11:00"],
        }
    )
    tracking_events = pd.DataFrame(
        {
            "waybill_no": ["SF1", "SF1", "SF2", "ZTO3", "ZTO3"],
            "event_time": [
                "2024-03-01 18:00",
                "2024-03-02 15:00",
                "2024-05-03 09:00",
                "2024-06-18 10:00",
                "2024-06-20 10:00",
            ],
            "event": ["collected", "delivered", "collected", "collected", "exception"],
            "site": ["上海青浦", "上海徐汇站", "上海青浦", "广州白云", "广州白云"],
            "exception_type": [None, None, None, None, "delayed"],
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": ["R1", "R2"],
            "customer_id": ["C1", "C2"],
            "created_at": ["2024-03-03 10:00", "2024-06-23 10:00"],
            "text": ["快递很快，包装完好", "催了三天还没到，太慢了"],
            "rating": [5, None],
            "source": ["review", "ticket"],
            "order_id": ["O1", "O3"],
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C2", "C2"],
            "issued_at": ["2024-05-01", "2024-06-01"],
            "due_at": ["2024-05-31", "2024-06-30"],
            "amount": [5000.0, 3000.0],
            "paid_at": ["2024-06-05", None],
        }
    )
    fraud_labels = pd.DataFrame(
        {
            "order_id": ["O2", None],
            "customer_id": [None, "C3"],
            "labeled_at": ["2024-05-20", "2024-06-25"],
            "is_fraud": [True, False],
        }
    )
    return {
        "customers": customers,
        "orders": orders,
        "shipments": shipments,
        "tracking_events": tracking_events,
        "reviews": reviews,
        "invoices": invoices,
        "fraud_labels": fraud_labels,
    }


@pytest.fixture(scope="session")
def trained_data():
    """5,000 demo customers: the smallest size whose last quarter has fraud verdicts of both
    classes."""
    from custintel.data import make_demo_dataset

    return make_demo_dataset(n_customers=5_000, seed=0)


@pytest.fixture(scope="session")
def trained(tmp_path_factory, trained_data):
    """All six tasks trained once, tracked in a fresh MLflow store: (directory, outcomes)."""
    from tests.training import train_everything

    where = tmp_path_factory.mktemp("trained")
    return where, train_everything(where, trained_data)
