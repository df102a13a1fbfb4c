"""The BentoML service end to end: keys and roles, probes, routes, 4xx, audit without PII.

One server (``bentoml serve`` on 127.0.0.1, stopped by its process id) over the champions the
pipeline tests trained.
"""

from __future__ import annotations

import json
import re
import time

import pandas as pd
import requests


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
    assert unknown.status_code == 404 and unknown.json()["problems"] == [
        "customer_id 'NOPE': not in the snapshot"
    ]
    assert unknown.json()["detail"] == "customer_id 'NOPE': not in the snapshot"
    both = post(server, "/v1/churn/predict", {"customer_ids": ["a"], "records": [{}]})
    assert both.status_code == 422 and "exactly one of" in both.text
    assert both.json()["error"] == "the request body does not fit ScoreRequest"
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
    text = re.sub(r"(trace|span)=[0-9a-f]+", "", text)  # tracing ids are hex, not phone numbers
    for pattern in PII:
        assert not pattern.search(text), pattern.pattern
    for cid in ids:
        assert cid not in text  # customers appear only as keyed pseudonyms
    names = trained_data.customers["name"].dropna().astype(str)
    names = names[names.str.len() >= 3].head(2_000)
    assert not any(n in text for n in names)
    keys = " ".join(server["keys"].values())
    assert not any(k in text for k in keys.split())


def test_invalid_bodies_never_reach_the_server_log(server):
    secret = "13987654321"
    bad = post(server, "/v1/churn/predict", {"customer_ids": [secret], "records": [{}]})
    assert bad.status_code == 422 and secret not in bad.text
    typo = post(server, "/v1/sentiment/predict", {"text": [f"call {secret}"]})
    assert typo.status_code == 422 and typo.json()["problems"][0].startswith("texts:")
    assert secret not in typo.text
    time.sleep(0.3)
    assert secret not in (server["home"] / "server.log").read_text()
