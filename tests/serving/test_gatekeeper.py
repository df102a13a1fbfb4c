"""The service's middleware in process: valid bodies answered by their handler in one parse,
everything else handed on to BentoML's routing untouched (a stand-in app records what it got)."""

from __future__ import annotations

import asyncio
import json
import warnings

import pytest
from starlette.responses import JSONResponse

with warnings.catch_warnings():  # starlette would rather drive tests with httpx2
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from custintel.serving import handlers, service
from custintel.serving.auth import KeyStore
from custintel.serving.schemas import ScoreRequest, SentimentRequest


@pytest.fixture
def gate(store, tmp_path, monkeypatch):
    keys = KeyStore(tmp_path / "keys.json")
    key = keys.add("reviewer")
    monkeypatch.setenv("CUSTINTEL_API_KEYS", str(tmp_path / "keys.json"))
    monkeypatch.setenv("CUSTINTEL_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("CUSTINTEL_PII_KEY", "test-only-secret")
    monkeypatch.setattr(service, "_STORE", store)
    handed_on: list[tuple[str, str, bytes]] = []

    async def bentoml_routing(scope, receive, send):  # stands in for BentoML's app
        message = await receive()
        handed_on.append((scope["method"], scope["path"], message.get("body", b"")))
        await JSONResponse({"answered_by": "bentoml"})(scope, receive, send)

    client = TestClient(service.Gatekeeper(bentoml_routing))

    def post(path, body, **kw):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        return client.post(path, content=raw, headers=headers, **kw)

    def audit():
        lines = (tmp_path / "audit.jsonl").read_text().splitlines()
        return [json.loads(line) for line in lines]

    return {"post": post, "client": client, "key": key, "handed_on": handed_on, "audit": audit}


def test_valid_bodies_are_answered_by_their_handler(gate, store):
    chosen = list(store.champions["churn"].snapshot.index[:2])
    got = gate["post"]("/v1/churn/predict", {"customer_ids": chosen})
    want = handlers.score(store, "churn", ScoreRequest(customer_ids=chosen))
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    assert got.json() == json.loads(want.model_dump_json())
    explained = gate["post"]("/v1/churn/explain", {"customer_ids": chosen[:1], "top_k": 2})
    assert explained.status_code == 200 and len(explained.json()["rows"][0]["reasons"]) == 2
    texts = {"texts": ["快递很快，包装完好"]}
    sentiment = gate["post"]("/v1/sentiment/predict", texts)
    want = handlers.sentiment(store, SentimentRequest(**texts))
    assert sentiment.json() == json.loads(want.model_dump_json())
    assert gate["handed_on"] == []
    lines = gate["audit"]()
    assert [line["status"] for line in lines] == [200, 200, 200]
    assert lines[0]["models"] == {"churn": "7"} and lines[0]["rows"] == 2
    assert len(lines[0]["customers"]) == 2 and chosen[0] not in json.dumps(lines)


def test_client_mistakes_answered_directly_are_4xx(gate, store):
    unknown = gate["post"]("/v1/churn/predict", {"customer_ids": ["C-not-a-customer"]})
    assert unknown.status_code == 404 and "C-not-a-customer" in unknown.json()["detail"]
    invalid = gate["post"]("/v1/churn/predict", {"customer_ids": "C1"})
    assert invalid.status_code == 422 and "customer_ids" in invalid.json()["detail"]
    broken = gate["post"]("/v1/churn/predict", b'{"customer_ids": [')
    assert broken.status_code == 422
    store.champions.pop("credit")
    store.errors["credit"] = "no champion registered"
    missing = gate["post"]("/v1/credit/predict", {"customer_ids": ["C1"]})
    assert missing.status_code == 503
    assert gate["handed_on"] == []
    assert [line["status"] for line in gate["audit"]()] == [404, 422, 422, 503]


def test_without_direct_answers_the_body_is_handed_on_unchanged(gate, store, monkeypatch):
    monkeypatch.setattr(service, "DIRECT", False)
    raw = json.dumps({"customer_ids": list(store.champions["churn"].snapshot.index[:1])})
    got = gate["post"]("/v1/churn/predict", raw.encode())
    assert got.json() == {"answered_by": "bentoml"}
    assert gate["handed_on"] == [("POST", "/v1/churn/predict", raw.encode())]
    invalid = gate["post"]("/v1/churn/predict", {"texts": ["x"]})  # still checked here first
    assert invalid.status_code == 422 and len(gate["handed_on"]) == 1


def test_other_methods_and_routes_go_to_bentoml(gate):
    wrong_method = gate["client"].get("/v1/churn/predict", headers={"X-API-Key": gate["key"]})
    assert wrong_method.json() == {"answered_by": "bentoml"}
    assert gate["handed_on"] == [("GET", "/v1/churn/predict", b"")]
    no_key = gate["client"].post("/v1/churn/predict", json={"customer_ids": ["C1"]})
    assert no_key.status_code == 401 and len(gate["handed_on"]) == 1


def test_a_request_cut_by_the_timeout_is_audited_as_504(gate, store):
    """BentoML's timeout middleware cancels a request whose body is still arriving."""

    async def slow_upload():
        await asyncio.sleep(60)

    async def send(message):
        raise AssertionError("nothing is sent for a cancelled request")

    async def run():
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/v1/churn/predict",
            "headers": [
                (b"x-api-key", gate["key"].encode()),
                (b"content-type", b"application/json"),
            ],
        }
        keeper = service.Gatekeeper(None)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(keeper(scope, slow_upload, send), timeout=0.05)

    asyncio.run(run())
    (line,) = gate["audit"]()
    assert line["status"] == 504 and line["route"] == "/v1/churn/predict" and line["key_id"]
