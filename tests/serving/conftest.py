"""Fixtures: champions fitted small in a ChampionStore without MLflow, and one live server
(``bentoml serve`` on 127.0.0.1 over the champions the pipeline tests trained, stopped by its
process id)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from custintel.data import make_demo_dataset
from custintel.features import (
    build_customer_features,
    build_order_features,
    churn_labels,
    default_labels,
)
from custintel.models import (
    ChurnModel,
    CreditRiskModel,
    CustomerSegmenter,
    DemandForecaster,
    FraudScorer,
    SentimentClassifier,
)
from custintel.models.demand import make_demand_series
from custintel.serving.auth import KeyStore
from custintel.serving.champions import Champion, ChampionStore


@pytest.fixture(scope="session")
def demo():
    return make_demo_dataset(n_customers=1_500, seed=0)


@pytest.fixture(scope="session")
def champions(demo):
    as_of = "2024-07-01"
    X = build_customer_features(demo, as_of)
    now = build_customer_features(demo, demo.end)
    y = churn_labels(demo, as_of, horizon_days=90)
    d = default_labels(demo, "2024-06-01", horizon_days=90)
    orders = build_order_features(demo, demo.end, since="2024-10-01")
    latest = demo.orders.set_index("order_id").loc[orders.index].groupby("customer_id")
    last_order = orders.loc[latest["ordered_at"].idxmax().to_numpy()]
    last_order.index = pd.Index(latest["ordered_at"].idxmax().index.astype(str), name="customer_id")
    series = make_demand_series(n_series=3, n_periods=120, seed=0)
    fitted = {
        "churn": (ChurnModel(n_estimators=40, random_state=0).fit(X.loc[y.index], y), now),
        "credit": (CreditRiskModel(n_estimators=40, random_state=0).fit(X.loc[d.index], d), now),
        "fraud": (FraudScorer(n_estimators=50, random_state=0).fit(orders), last_order),
        "segmentation": (CustomerSegmenter(n_clusters=4, random_state=0).fit(X), now),
        "demand": (
            DemandForecaster(horizon=14, models=("seasonal_naive", "ets"), n_windows=1).fit(series),
            None,
        ),
        "sentiment": (SentimentClassifier.pretrained(), None),
    }
    return fitted


@pytest.fixture
def store(champions):
    store = ChampionStore(snapshot_dir="unused")
    for task, (model, snapshot) in champions.items():
        names = getattr(model, "feature_names_in_", None)
        store.champions[task] = Champion(
            task,
            model,
            {"name": f"custintel-{task}", "version": "7", "metrics": {"roc_auc": 0.9}},
            [] if names is None else [str(n) for n in names],
            snapshot,
            {"as_of": "2025-01-01"} if snapshot is not None else {},
        )
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(trained, tmp_path_factory):
    where, outcomes = trained
    home = tmp_path_factory.mktemp("serve")
    keys = KeyStore(home / "keys.json")
    roles = {role: keys.add(role) for role in ("scorer", "reviewer", "admin")}
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{where / 'mlflow.db'}",
        "CUSTINTEL_SNAPSHOT_DIR": str(where / "snapshots"),
        "CUSTINTEL_API_KEYS": str(home / "keys.json"),
        "CUSTINTEL_AUDIT_LOG": str(home / "audit.jsonl"),
        "CUSTINTEL_PII_KEY": "test-only-secret",
        "BENTOML_HOME": str(home / "bentoml"),
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    bentoml = Path(sys.executable).parent / "bentoml"
    proc = subprocess.Popen(
        [str(bentoml), "serve", "custintel.serving.service:CustintelService",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert proc.poll() is None, (home / "server.log").read_text()
            time.sleep(0.5)
        else:
            pytest.fail("service not ready in 120 s:\n" + (home / "server.log").read_text())
        yield {"base": base, "keys": roles, "home": home, "outcomes": outcomes, "where": where}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
