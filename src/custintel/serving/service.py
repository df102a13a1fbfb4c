"""The BentoML service: one route family per model under ``/v1/<task>/...``.

Start it with ``custintel serve`` (or ``bentoml serve custintel.serving.service:CustintelService``).
The routes only translate HTTP to :mod:`custintel.serving.handlers`; the ASGI middleware
checks API keys and roles, bounds request bodies, answers ``/readyz`` with which champions are
missing, turns request validation failures into 422, and writes one audit line per request.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import os
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import bentoml
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse, Response

from custintel.serving import handlers
from custintel.serving.audit import AuditLog
from custintel.serving.auth import AuthError, KeyStore, required_role
from custintel.serving.champions import ChampionStore, ServiceUnavailable
from custintel.serving.handlers import ClientError
from custintel.serving.schemas import (
    ExplainResponse,
    ForecastRequest,
    ForecastResponse,
    ModelsResponse,
    ScoreRequest,
    ScoreResponse,
    SentimentRequest,
    SentimentResponse,
)

logger = logging.getLogger("custintel.serving")

#: Largest request body accepted (bytes); bigger ones get 413 before they are read.
MAX_BODY_BYTES = int(os.environ.get("CUSTINTEL_MAX_BODY_BYTES", 2_000_000))
#: Paths open without a key: probes, the OpenAPI document and the Prometheus metrics.
OPEN_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/docs.json", "/metrics", "/"})

_STORE: ChampionStore | None = None
#: Per-request audit facts the routes add to (customers, model versions, rows).
_AUDIT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "custintel_audit", default=None
)


def _note(**facts: Any) -> None:
    record = _AUDIT.get()
    if record is not None:
        record.update(facts)


def _error(status: int, message: str, detail: list[str] | None = None) -> JSONResponse:
    """Return an error in the shape the OpenAPI document gives errors, plus the lines as a list.

    ``detail`` is one line per problem joined by newlines (a string, as documented);
    ``problems`` holds the same lines as a list for programs.
    """
    lines = detail or []
    body = {"error": message, "detail": "\n".join(lines), "problems": lines}
    return JSONResponse(body, status_code=status)


def _answer(path: str, request: BaseModel) -> Any:
    """Answer a validated POST body with its route's handler.

    Client mistakes and missing models become 4xx/503 JSON; the audit record gets the
    customers, the model version and the number of rows.
    """
    try:
        response = ROUTES[path].handler(_store(), request)
    except ClientError as err:
        return _error(err.status, str(err), err.detail)
    except ServiceUnavailable as err:
        return _error(503, str(err))
    model = getattr(response, "model", None)
    if model is not None:
        _note(models={model.task: model.version})
    customers = getattr(request, "customer_ids", None) or []
    _note(customers=customers, rows=len(getattr(response, "rows", []) or []))
    return response


# ------------------------------------------------------------------------- GET routes
models_app = FastAPI(title="custintel models")


@models_app.get("/v1/models", response_model=ModelsResponse)
def list_models() -> ModelsResponse:
    """Every task's champion: name, version, trained_at, metrics and features."""
    assert _STORE is not None
    return handlers.models(_STORE)


# ------------------------------------------------------------------------- middleware
class Gatekeeper:
    """Keys and roles, body bounds, readiness detail, 422 for invalid bodies, audit lines.

    A valid POST body is answered here by its route's handler (see ``DIRECT``); BentoML's
    middleware around this one still counts, traces and times out every request.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.keys = KeyStore()
        self.audit = AuditLog()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/readyz":
            await self._ready(scope, receive, send)
            return
        if path in OPEN_PATHS or required_role(path) is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        record: dict[str, Any] = {"key_id": None, "status": 500}
        token = _AUDIT.set(record)
        try:
            response = self._gate(scope, record)
            if response is not None:
                record["status"] = response.status_code
                await response(scope, receive, send)
                return

            async def send_status(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    if message["status"] == 400:  # BentoML's status for an invalid body
                        message = {**message, "status": 422}
                    record["status"] = message["status"]
                await send(message)

            if scope.get("method") != "POST" or path not in ROUTES:
                await self.app(scope, receive, send_status)  # GET /v1/models, or a 405
                return
            body = await _read_body(receive)
            request, problem = _parse(ROUTES[path].request, body)
            if problem is not None:
                record["status"] = problem.status_code
                await problem(scope, receive, send)
                return
            if DIRECT:
                answer = _respond(path, request)
                record["status"] = answer.status_code
                await answer(scope, receive, send)
                return
            await self.app(scope, _replay(body), send_status)
        except asyncio.CancelledError:
            # BentoML's timeout middleware cancels a request still running (in practice: a body
            # still uploading) after CUSTINTEL_REQUEST_TIMEOUT and answers 504 itself
            record["status"] = 504
            raise
        finally:
            _AUDIT.reset(token)
            self.audit.record(
                route=path,
                status=record["status"],
                latency_ms=(time.perf_counter() - started) * 1e3,
                key_id=record["key_id"],
                customers=record.get("customers", []),
                models=record.get("models"),
                rows=record.get("rows"),
            )

    def _gate(self, scope: dict[str, Any], record: dict[str, Any]) -> JSONResponse | None:
        headers = dict(scope.get("headers") or [])
        try:
            caller = self.keys.authenticate(headers.get(b"x-api-key", b"").decode("latin-1"))
            record["key_id"] = caller.key_id
            self.keys.authorize(caller, scope["path"])
        except AuthError as err:
            return _error(err.status, str(err))
        kind = headers.get(b"content-type", b"").decode("latin-1").lower()
        if scope.get("method") == "POST" and kind and "json" not in kind:
            return _error(
                415,
                f"Content-Type {kind!r} is not JSON; send `Content-Type: application/json`",
            )
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return _error(
                413,
                f"request body of {int(length):,} bytes is over the {MAX_BODY_BYTES:,}-byte "
                "limit; send fewer rows per request",
            )
        return None

    async def _ready(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        store = _STORE
        if store is not None and store.ready:
            await self.app(scope, receive, send)
            return
        missing = store.missing() if store is not None else {"all": "service starting"}
        body = {"ready": False, "missing": missing}
        await JSONResponse(body, status_code=503)(scope, receive, send)


class Route(NamedTuple):
    """A POST route: its request model and the handler that answers it."""

    request: type[BaseModel]
    handler: Callable[[ChampionStore, Any], BaseModel]


def _per_task(handler: Callable[..., BaseModel], task: str) -> Callable[[ChampionStore, Any], Any]:
    return lambda store, request: handler(store, task, request)


#: Every POST route. Bodies are validated in the middleware, before BentoML sees them, so an
#: invalid body is a 422 with our message and its content never reaches a log line.
ROUTES: dict[str, Route] = {
    **{
        f"/v1/{task}/predict": Route(ScoreRequest, _per_task(handlers.score, task))
        for task in handlers.SCORING_ROUTES
    },
    **{
        f"/v1/{task}/explain": Route(ScoreRequest, _per_task(handlers.explain, task))
        for task in handlers.EXPLAIN_ROUTES
    },
    "/v1/sentiment/predict": Route(SentimentRequest, handlers.sentiment),
    "/v1/demand/forecast": Route(ForecastRequest, handlers.forecast),
}

#: Answer valid POST bodies in the middleware (one parse; no second pass through BentoML's
#: routing and IO descriptors). ``CUSTINTEL_DIRECT=0`` hands them to the ``@bentoml.api``
#: methods instead; both call the same handler and return the same JSON.
DIRECT = os.environ.get("CUSTINTEL_DIRECT", "1") != "0"


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _parse(model: type[BaseModel], body: bytes) -> tuple[Any, JSONResponse | None]:
    """Return ``body`` as a ``model``, or a 422 naming each problem (never echoing values)."""
    try:
        return model.model_validate_json(body or b"{}"), None
    except ValidationError as err:
        lines = [
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in err.errors(include_input=False, include_url=False)
        ]
        return None, _error(422, f"the request body does not fit {model.__name__}", lines[:20])


def _respond(path: str, request: BaseModel) -> Response:
    """Return the HTTP response to a validated body, serialised as BentoML would serialise it."""
    answer = _answer(path, request)
    if isinstance(answer, Response):
        return answer
    return Response(answer.model_dump_json(), media_type="application/json")


# ---------------------------------------------------------------------------- service
@bentoml.asgi_app(models_app, path="/")
@bentoml.service(
    name="custintel",
    workers=int(os.environ.get("CUSTINTEL_WORKERS", 1)),
    traffic={"timeout": float(os.environ.get("CUSTINTEL_REQUEST_TIMEOUT", 10))},
    logging={"access": {"enabled": os.environ.get("CUSTINTEL_ACCESS_LOG") == "1"}},
)
class CustintelService:
    """Churn, credit, fraud and segment scores, reasons, sentiment and demand forecasts."""

    def __init__(self) -> None:
        global _STORE
        store = ChampionStore()
        _STORE = store
        store.load()
        loaded = sorted(store.champions)
        logger.info("custintel service: champions loaded for %s", ", ".join(loaded) or "none")
        for task, why in store.missing().items():
            logger.error("custintel service: %s unavailable: %s", task, why)
        # Long-lived model objects make every cyclic collection slow: freeze them, and
        # collect young objects less often (tail latency, see benchmarks/bench_serving.py).
        gc.collect()
        gc.freeze()
        gc.set_threshold(100_000, 50, 100)

    def __is_ready__(self) -> bool:
        return _STORE is not None and _STORE.ready

    @bentoml.api(route="/v1/churn/predict")
    async def churn_predict(self, request: ScoreRequest, /) -> ScoreResponse:
        """Churn probability per customer."""
        return _answer("/v1/churn/predict", request)

    @bentoml.api(route="/v1/credit/predict")
    async def credit_predict(self, request: ScoreRequest, /) -> ScoreResponse:
        """Probability of default and scorecard points per customer."""
        return _answer("/v1/credit/predict", request)

    @bentoml.api(route="/v1/fraud/predict")
    async def fraud_predict(self, request: ScoreRequest, /) -> ScoreResponse:
        """Fraud score (percentile) and flag per customer's latest order or record."""
        return _answer("/v1/fraud/predict", request)

    @bentoml.api(route="/v1/segment/predict")
    async def segment_predict(self, request: ScoreRequest, /) -> ScoreResponse:
        """Segment number and names (zh, en) per customer."""
        return _answer("/v1/segment/predict", request)

    @bentoml.api(route="/v1/churn/explain")
    async def churn_explain(self, request: ScoreRequest, /) -> ExplainResponse:
        """Churn probability and reason codes in Chinese and English."""
        return _answer("/v1/churn/explain", request)

    @bentoml.api(route="/v1/credit/explain")
    async def credit_explain(self, request: ScoreRequest, /) -> ExplainResponse:
        """Probability of default and reason codes in Chinese and English."""
        return _answer("/v1/credit/explain", request)

    @bentoml.api(route="/v1/fraud/explain")
    async def fraud_explain(self, request: ScoreRequest, /) -> ExplainResponse:
        """Fraud score and the signals that raised it, in Chinese and English."""
        return _answer("/v1/fraud/explain", request)

    @bentoml.api(route="/v1/sentiment/predict")
    async def sentiment_predict(self, request: SentimentRequest, /) -> SentimentResponse:
        """Sentiment label, probability of negative and complaint aspects per text."""
        return _answer("/v1/sentiment/predict", request)

    @bentoml.api(route="/v1/demand/forecast")
    async def demand_forecast(self, request: ForecastRequest, /) -> ForecastResponse:
        """Point forecasts and 10/50/90% quantiles per series and period."""
        return _answer("/v1/demand/forecast", request)


def _store() -> ChampionStore:
    assert _STORE is not None
    return _STORE


CustintelService.add_asgi_middleware(Gatekeeper)  # type: ignore[attr-defined]

__all__ = ["CustintelService"]
