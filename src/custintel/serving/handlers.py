"""What each route does, as plain functions (tested without a server).

Handlers take the :class:`ChampionStore` and a validated request model and return a response
model, or raise :class:`ClientError` (4xx with a message that says what to fix) or
:class:`~custintel.serving.champions.ServiceUnavailable` (503).
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import numpy as np
import pandas as pd

from custintel.serving.champions import Champion, ChampionStore
from custintel.serving.schemas import (
    ExplainResponse,
    ExplainRow,
    ForecastPoint,
    ForecastRequest,
    ForecastResponse,
    ModelRef,
    ModelsResponse,
    ModelStatus,
    Reason,
    ScoreRequest,
    ScoreResponse,
    ScoreRow,
    SentimentRequest,
    SentimentResponse,
    SentimentRow,
)

#: Customer-level tasks scored by ``/v1/<route>/predict`` (route name -> task).
SCORING_ROUTES = {"churn": "churn", "credit": "credit", "fraud": "fraud", "segment": "segmentation"}
EXPLAIN_ROUTES = {"churn": "churn", "credit": "credit", "fraud": "fraud"}


class ClientError(ValueError):
    """A request the service cannot answer as sent (HTTP ``status``: 404, 413 or 422)."""

    def __init__(self, status: int, message: str, detail: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail or []


def model_ref(champion: Champion) -> ModelRef:
    """Return the registry name and version of a champion."""
    return ModelRef(
        task=champion.task, name=str(champion.info["name"]), version=str(champion.info["version"])
    )


def input_frame(champion: Champion, request: ScoreRequest) -> pd.DataFrame:
    """Build the model input of a scoring request (snapshot lookup or validated records)."""
    if request.customer_ids is not None:
        return _lookup(champion, request.customer_ids)
    assert request.records is not None
    return _records(champion, request.records)


def score(store: ChampionStore, route: str, request: ScoreRequest) -> ScoreResponse:
    """``POST /v1/<route>/predict``: the task's outputs per row."""
    from custintel.tracking import model_output

    task = _task(SCORING_ROUTES, route)
    champion = store.get(task)
    frame = input_frame(champion, request)
    out = model_output(task, champion.estimator, frame)
    ids = _ids(request, len(frame))
    rows = [
        ScoreRow(customer_id=cid, **_plain(record))
        for cid, record in zip(ids, out.to_dict(orient="records"), strict=True)
    ]
    return ScoreResponse(model=model_ref(champion), rows=rows)


def explain(store: ChampionStore, route: str, request: ScoreRequest) -> ExplainResponse:
    """``POST /v1/<route>/explain``: score and reason codes (zh and en) per row."""
    task = _task(EXPLAIN_ROUTES, route)
    champion = store.get(task)
    model = champion.estimator
    frame = input_frame(champion, request).reset_index(drop=True)
    if task == "fraud":
        scores = np.asarray(model.score_samples(frame), dtype=float)
        reasons = model.explain(frame, top_k=request.top_k, sign="positive")
    else:
        scores = model.predict_proba(frame)[:, 1]
        reasons = model.explain(frame, top_k=request.top_k)
    ids = _ids(request, len(frame))
    rows = []
    for i, (cid, value) in enumerate(zip(ids, scores, strict=True)):
        mine = reasons.loc[[i]] if i in reasons.index else reasons.iloc[:0]
        rows.append(
            ExplainRow(
                customer_id=cid,
                score=float(value),
                reasons=[
                    Reason(
                        rank=int(r["rank"]),
                        feature=str(r["feature"]),
                        value=None if _missing(r["value"]) else str(r["value"]),
                        contribution=float(r["contribution"]),
                        zh=str(r["zh"]),
                        en=str(r["en"]),
                    )
                    for r in mine.to_dict(orient="records")
                ],
            )
        )
    return ExplainResponse(model=model_ref(champion), rows=rows)


def sentiment(store: ChampionStore, request: SentimentRequest) -> SentimentResponse:
    """``POST /v1/sentiment/predict``: label, probability of negative, complaint aspects."""
    from custintel.tracking import model_output

    champion = store.get("sentiment")
    out = model_output("sentiment", champion.estimator, pd.DataFrame({"text": request.texts}))
    aspects = [c for c in out.columns if c not in ("label", "negative_probability")]
    rows = []
    for record in out.to_dict(orient="records"):
        negative = float(record["negative_probability"])
        rows.append(
            SentimentRow(
                label="negative" if negative >= 0.5 else "positive",
                negative_probability=negative,
                complaints=[a for a in aspects if record[a]],
            )
        )
    return SentimentResponse(model=model_ref(champion), rows=rows)


def forecast(store: ChampionStore, request: ForecastRequest) -> ForecastResponse:
    """``POST /v1/demand/forecast``: quantile forecasts of the requested series."""
    from custintel.tracking import model_output

    champion = store.get("demand")
    fitted = int(champion.estimator.horizon)
    if request.horizon > fitted:
        raise ClientError(
            422,
            f"horizon {request.horizon} is beyond the {fitted} periods the demand champion "
            f"forecasts; ask for at most {fitted}",
        )
    known = set(champion.estimator.predict()[champion.estimator.id_col].astype(str))
    unknown = [s for s in request.series_ids if s not in known]
    if unknown:
        raise ClientError(
            404,
            f"{len(unknown)} unknown series_id(s); the model forecasts {len(known)} series, "
            f"e.g. {reprlib.repr(sorted(known))}",
            [f"series_id {s!r}: not forecast by the demand champion" for s in unknown[:20]],
        )
    out = model_output(
        "demand", champion.estimator, pd.DataFrame({"series_id": request.series_ids})
    )
    out = out.groupby("series_id", sort=False).head(request.horizon)
    quantile_cols = [c for c in out.columns if c.startswith("yhat_q")]
    rows = [
        ForecastPoint(
            series_id=str(r["series_id"]),
            ds=pd.Timestamp(r["ds"]).date().isoformat(),
            yhat=float(r["yhat"]),
            quantiles={c.removeprefix("yhat_"): float(r[c]) for c in quantile_cols},
        )
        for r in out.to_dict(orient="records")
    ]
    return ForecastResponse(model=model_ref(champion), rows=rows)


def models(store: ChampionStore) -> ModelsResponse:
    """``GET /v1/models``: every task's champion (or why it is missing)."""
    statuses = []
    for task in store.tasks:
        champion = store.champions.get(task)
        if champion is None:
            statuses.append(ModelStatus(task=task, loaded=False, error=store.missing()[task]))
            continue
        metrics = {
            k: float(v)
            for k, v in (champion.info.get("metrics") or {}).items()
            if isinstance(v, int | float) and math.isfinite(v)
        }
        statuses.append(
            ModelStatus(
                task=task,
                loaded=True,
                name=str(champion.info["name"]),
                version=str(champion.info["version"]),
                trained_at=None
                if champion.info.get("trained_at") is None
                else str(champion.info["trained_at"]),
                metrics=metrics,
                features=champion.features,
                snapshot_rows=None if champion.snapshot is None else len(champion.snapshot),
                snapshot_as_of=champion.snapshot_info.get("as_of"),
            )
        )
    return ModelsResponse(models=statuses)


# ---------------------------------------------------------------------------- helpers
def _task(routes: dict[str, str], route: str) -> str:
    if route not in routes:
        raise ClientError(404, f"no route for {route!r}; routes: {', '.join(routes)}")
    return routes[route]


def _ids(request: ScoreRequest, n: int) -> list[str | None]:
    return list(request.customer_ids) if request.customer_ids is not None else [None] * n


def _lookup(champion: Champion, ids: list[str]) -> pd.DataFrame:
    snapshot = champion.snapshot
    if snapshot is None:
        raise ClientError(
            404,
            f"no feature snapshot for {champion.task}: send `records`, or run `custintel train "
            f"{champion.task}` to write one",
        )
    unknown = [c for c in dict.fromkeys(ids) if c not in snapshot.index]
    if unknown:
        raise ClientError(
            404,
            f"{len(unknown)} unknown customer id(s) in the {champion.task} feature snapshot "
            f"({len(snapshot):,} customers as of {champion.snapshot_info.get('as_of', '?')})",
            [f"customer_id {c!r}: not in the snapshot" for c in unknown[:20]],
        )
    columns = champion.features or list(snapshot.columns)
    missing = [c for c in columns if c not in snapshot.columns]
    if missing:
        raise ClientError(
            404,
            f"the {champion.task} snapshot lacks {len(missing)} feature(s) the champion needs "
            f"({reprlib.repr(missing)}); retrain to refresh it",
        )
    return snapshot.loc[ids, columns]


def _records(champion: Champion, records: list[dict[str, Any]]) -> pd.DataFrame:
    columns = champion.features
    given = set().union(*(r.keys() for r in records))
    problems = []
    unknown = sorted(given - set(columns)) if columns else []
    if unknown:
        problems.append(f"unknown feature(s) {reprlib.repr(unknown)}")
    for i, record in enumerate(records):
        missing = [c for c in columns if c not in record]
        if missing:
            problems.append(
                f"records[{i}]: missing {len(missing)} feature(s) {reprlib.repr(missing)} "
                "(send null for an unknown value)"
            )
        if len(problems) >= 20:
            break
    frame = pd.DataFrame.from_records(records, columns=columns or sorted(given))
    kinds = champion.snapshot.dtypes if champion.snapshot is not None else None
    for name in frame.columns:
        values = frame[name]
        numeric = kinds is None or name not in kinds or kinds[name].kind in "fiub"
        if numeric:
            bad = values.map(lambda v: not _missing(v) and not isinstance(v, int | float | bool))
            for i in np.flatnonzero(bad.to_numpy())[:3]:
                problems.append(
                    f"records[{i}].{name}: expected a number or null, got {values[i]!r}"
                )
            if not bad.any():
                frame[name] = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            bad = values.map(lambda v: not _missing(v) and not isinstance(v, str))
            for i in np.flatnonzero(bad.to_numpy())[:3]:
                problems.append(f"records[{i}].{name}: expected text or null, got {values[i]!r}")
    if problems:
        raise ClientError(422, "the records do not fit the model's features", problems[:20])
    return frame


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(record: dict[Any, Any]) -> dict[str, Any]:
    """Return JSON-safe values: numpy scalars as Python ones, NaN as None."""
    out = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[str(key)] = value
    return out
