"""The BentoML service end to end: keys and roles, probes, routes, 4xx, audit without PII.

One server (``bentoml serve`` on 127.0.0.1, stopped by its process id) over the champions the
pipeline tests trained.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from custintel.serving.auth import KeyStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
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


def post(server, path, body, role="reviewer", **kw):
    headers = {"Content-Type": "application/json"}
    if role is not None:
        headers["X-API-Key"] = server["keys"][role]
    return requests.post(
        server["base"] + path, data=json.dumps(body), headers=headers, timeout=30, **kw
    )


def some_ids(server, task, n=3):
    return list(pd.read_parquet(server["where"] / "snapshots" / f"{task}.parquet").index[:n])


def test_probes_and_openapi_are_open(server):
    assert requests.get(server["base"] + "/healthz", timeout=5).status_code == 200
    assert requests.get(server["base"] + "/readyz", timeout=5).status_code == 200
    spec = requests.get(server["base"] + "/docs.json", timeout=5).json()
    for path in ("/v1/churn/predict", "/v1/credit/explain", "/v1/sentiment/predict",
                 "/v1/demand/forecast", "/v1/models"):  # fmt: skip
        assert path in spec["paths"], path
    metrics = requests.get(server["base"] + "/metrics", timeout=5)
    assert metrics.status_code == 200 and "bentoml_service_request" in metrics.text


def test_keys_and_roles(server):
    body = {"customer_ids": some_ids(server, "churn", 1)}
    assert post(server, "/v1/churn/predict", body, role=None).status_code == 401
    bad = requests.post(server["base"] + "/v1/churn/predict", json=body, timeout=5,
                        headers={"X-API-Key": "ci_deadbeef_not-a-key"})  # fmt: skip
    assert bad.status_code == 401 and bad.json()["error"] == "invalid API key"
    assert post(server, "/v1/churn/predict", body, role="scorer").status_code == 200
    denied = post(server, "/v1/churn/explain", body, role="scorer")
    assert denied.status_code == 403 and "needs 'reviewer'" in denied.json()["error"]
    assert post(server, "/v1/churn/explain", body, role="reviewer").status_code == 200
    models = requests.get(server["base"] + "/v1/models", timeout=5,
                          headers={"X-API-Key": server["keys"]["reviewer"]})  # fmt: skip
    assert models.status_code == 403
    models = requests.get(server["base"] + "/v1/models", timeout=5,
                          headers={"X-API-Key": server["keys"]["admin"]})  # fmt: skip
    listed = {m["task"]: m for m in models.json()["models"]}
    assert all(m["loaded"] for m in listed.values()) and len(listed) == 6
    assert listed["churn"]["version"] and listed["churn"]["metrics"]["roc_auc"] > 0.8


def test_every_route_answers(server):
    churn = post(server, "/v1/churn/predict", {"customer_ids": some_ids(server, "churn")}).json()
    assert churn["model"]["name"] == "custintel-churn" and len(churn["rows"]) == 3
    assert 0 <= churn["rows"][0]["churn_probability"] <= 1
    credit = post(server, "/v1/credit/predict", {"customer_ids": some_ids(server, "credit")})
    assert "credit_score" in credit.json()["rows"][0]
    fraud = post(server, "/v1/fraud/explain", {"customer_ids": some_ids(server, "fraud", 1)})
    assert fraud.json()["rows"][0]["reasons"][0]["zh"]
    seg = post(server, "/v1/segment/predict", {"customer_ids": some_ids(server, "segmentation")})
    assert seg.json()["rows"][0]["segment_name_en"]
    text = post(server, "/v1/sentiment/predict", {"texts": ["包装破损，快递员态度很差"]}).json()
    assert (
        text["rows"][0]["label"] == "negative" and "package_damage" in text["rows"][0]["complaints"]
    )
    fc = post(server, "/v1/demand/forecast", {"series_ids": ["全国"], "horizon": 7}).json()
    assert len(fc["rows"]) == 7 and fc["rows"][0]["quantiles"]["q90"] >= fc["rows"][0]["yhat"]


def test_client_mistakes_are_4xx_with_a_message(server):
    unknown = post(server, "/v1/churn/predict", {"customer_ids": ["NOPE"]})
    assert unknown.status_code == 404 and unknown.json()["detail"] == [
        "customer_id 'NOPE': not in the snapshot"
    ]
    both = post(server, "/v1/churn/predict", {"customer_ids": ["a"], "records": [{}]})
    assert both.status_code == 422 and "exactly one of" in both.text
    too_many = post(server, "/v1/churn/predict", {"customer_ids": ["a"] * 1_001})
    assert too_many.status_code == 422 and "at most 1000" in too_many.text
    huge = post(server, "/v1/sentiment/predict", {"texts": ["好" * 4_000] * 200})
    assert huge.status_code == 413 and "limit" in huge.json()["error"]
    form = requests.post(server["base"] + "/v1/churn/predict", data={"customer_ids": "1"},
                         headers={"X-API-Key": server["keys"]["scorer"]}, timeout=5)  # fmt: skip
    assert form.status_code == 415
    broken = requests.post(server["base"] + "/v1/churn/predict", data="{oops", timeout=5,
                           headers={"X-API-Key": server["keys"]["scorer"],
                                    "Content-Type": "application/json"})  # fmt: skip
    assert broken.status_code == 422
    horizon = post(server, "/v1/demand/forecast", {"series_ids": ["全国"], "horizon": 60})
    assert horizon.status_code == 422 and "beyond the 14 periods" in horizon.json()["error"]


PII = [
    re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),  # mobile numbers
    re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])"),  # resident id numbers
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}"),  # e-mails
]


def test_audit_log_and_server_log_hold_no_personal_data(server, trained_data):
    ids = some_ids(server, "churn", 5)
    post(server, "/v1/churn/explain", {"customer_ids": ids})
    post(server, "/v1/sentiment/predict", {"texts": ["我的电话13812345678，快递太慢"]})
    time.sleep(0.5)
    lines = [json.loads(x) for x in (server["home"] / "audit.jsonl").read_text().splitlines()]
    explained = [x for x in lines if x["route"] == "/v1/churn/explain" and x["status"] == 200]
    assert explained and len(explained[-1]["customers"]) == 5
    assert set(explained[-1]) == {"time", "key_id", "route", "status", "latency_ms", "rows",
                                  "customers", "models"}  # fmt: skip
    assert explained[-1]["models"]["churn"] == server["outcomes"]["churn"].logged.version
    assert {x["status"] for x in lines} >= {200, 401, 403, 404, 422}
    text = (server["home"] / "audit.jsonl").read_text() + (
        server["home"] / "server.log"
    ).read_text()
    for pattern in PII:
        assert not pattern.search(text), pattern.pattern
    for cid in ids:
        assert cid not in text  # customers appear only as keyed pseudonyms
    names = trained_data.customers["name"].dropna().astype(str)
    names = names[names.str.len() >= 3].head(2_000)
    assert not any(n in text for n in names)
    keys = " ".join(server["keys"].values())
    assert not any(k in text for k in keys.split())
