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

from custintel.serving.champions import Champion, ChampionStore, split_features
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
        rows = _lookup(champion, request.customer_ids)
        snapshot = champion.snapshot
        assert snapshot is not None
        return snapshot.take(rows)  # its columns are the champion's features (Champion)
    assert request.records is not None
    return _records(champion, request.records)


def score(store: ChampionStore, route: str, request: ScoreRequest) -> ScoreResponse:
    """``POST /v1/<route>/predict``: the task's outputs per row.

    By ``customer_ids`` the answers are read from what the champion computed for its snapshot
    at load (:class:`~custintel.serving.champions.Champion`); ``records`` are scored here.
    """
    from custintel.tracking import model_output

    task = _task(SCORING_ROUTES, route)
    champion = store.get(task)
    if request.customer_ids is not None:
        found = _lookup(champion, request.customer_ids)
        columns = {c: values[found].tolist() for c, values in champion.snapshot_output.items()}
    else:
        out = model_output(task, champion.estimator, input_frame(champion, request))
        columns = {str(c): values.tolist() for c, values in out.items()}
    ids = _ids(request, len(next(iter(columns.values()))))
    names = list(columns)
    rows = [
        ScoreRow(customer_id=cid, **_plain(dict(zip(names, values, strict=True))))
        for cid, values in zip(ids, zip(*columns.values(), strict=True), strict=True)
    ]
    return ScoreResponse(model=model_ref(champion), rows=rows)


#: The output column holding each explained task's score (as ``model_output`` names it).
_SCORE_COLUMN = {
    "churn": "churn_probability",
    "credit": "default_probability",
    "fraud": "fraud_score",
}


def explain(store: ChampionStore, route: str, request: ScoreRequest) -> ExplainResponse:
    """``POST /v1/<route>/explain``: score and reason codes (zh and en) per row."""
    task = _task(EXPLAIN_ROUTES, route)
    champion = store.get(task)
    model = champion.estimator
    if request.customer_ids is not None:  # scored at load, as /predict answers
        found = _lookup(champion, request.customer_ids)
        assert champion.snapshot is not None
        frame = champion.snapshot.take(found).reset_index(drop=True)
        scores = champion.snapshot_output[_SCORE_COLUMN[task]][found]
    else:
        frame = input_frame(champion, request).reset_index(drop=True)
        if task == "fraud":
            scores = np.asarray(model.score_samples(frame), dtype=float)
        else:
            scores = model.predict_proba(frame)[:, 1]
    if task == "fraud":
        reasons = model.explain(frame, top_k=request.top_k, sign="positive")
    else:
        reasons = model.explain(frame, top_k=request.top_k)
    by_row: dict[int, list[Reason]] = {}
    for i, r in zip(reasons.index.tolist(), reasons.to_dict(orient="records"), strict=True):
        by_row.setdefault(i, []).append(
            Reason(
                rank=int(r["rank"]),
                feature=str(r["feature"]),
                value=None if _missing(r["value"]) else str(r["value"]),
                contribution=float(r["contribution"]),
                zh=str(r["zh"]),
                en=str(r["en"]),
            )
        )
    ids = _ids(request, len(frame))
    rows = [
        ExplainRow(customer_id=cid, score=float(value), reasons=by_row.get(i, []))
        for i, (cid, value) in enumerate(zip(ids, scores.tolist(), strict=True))
    ]
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


def _lookup(champion: Champion, ids: list[str]) -> np.ndarray:
    """Return the snapshot row of each id, or raise a 404 naming the unknown ones."""
    snapshot = champion.snapshot
    if snapshot is None:
        raise ClientError(
            404,
            f"no feature snapshot for {champion.task}: send `records`, or run `custintel train "
            f"{champion.task}` to write one",
        )
    if champion.snapshot_problem is not None:
        raise ClientError(404, f"{champion.snapshot_problem}; send `records` meanwhile")
    rows = champion.positions(ids)
    if (rows < 0).any():
        unknown = list(dict.fromkeys(c for c, r in zip(ids, rows, strict=True) if r < 0))
        raise ClientError(
            404,
            f"{len(unknown)} unknown customer id(s) in the {champion.task} feature snapshot "
            f"({len(snapshot):,} customers as of {champion.snapshot_info.get('as_of', '?')})",
            [f"customer_id {c!r}: not in the snapshot" for c in unknown[:20]],
        )
    return rows


#: JSON value types a numeric feature accepts (null is missing; booleans count as 0/1).
_NUMBERS: frozenset[type] = frozenset({int, float, bool, type(None)})
#: JSON value types a text (categorical) feature accepts.
_TEXTS: frozenset[type] = frozenset({str, type(None)})


def _records(champion: Champion, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Check ``records`` against the champion's features and build its input frame.

    Numeric features (numbers in the snapshot, or every feature without one) take numbers,
    booleans or null and become float64; the others take text or null. Nothing is coerced:
    ``"12"`` for a number is a 422 naming the record and the feature. One pass over the values
    in plain Python, checked by type sets first (the common, valid case costs no per-value
    branching), then the columns go to numpy in one block.
    """
    columns = champion.features
    given = set().union(*records)
    problems = []
    if columns:
        unknown = sorted(given.difference(columns))
        if unknown:
            problems.append(f"unknown feature(s) {reprlib.repr(unknown)}")
        wanted = frozenset(columns)
        for i, record in enumerate(records):
            if not wanted.issubset(record):
                missing = [c for c in columns if c not in record]
                problems.append(
                    f"records[{i}]: missing {len(missing)} feature(s) {reprlib.repr(missing)} "
                    "(send null for an unknown value)"
                )
                if len(problems) >= 20:
                    break
    if problems:
        raise ClientError(422, "the records do not fit the model's features", problems[:20])
    if champion.features:
        numeric_columns, text_columns = champion.numeric_columns, champion.text_columns
    else:
        columns = sorted(given)
        numeric_columns, text_columns = split_features(columns, champion.text_features)
    numeric, text = list(numeric_columns), list(text_columns)
    n = len(records)
    numbers = [record.get(c) for record in records for c in numeric]
    texts = [record.get(c) for record in records for c in text]
    if not _NUMBERS.issuperset(map(type, numbers)):
        problems += _wrong(numbers, numeric, _NUMBERS, "a number or null")
    if not _TEXTS.issuperset(map(type, texts)):
        problems += _wrong(texts, text, _TEXTS, "text or null")
    if not problems:
        try:
            block = np.array(numbers, dtype=np.float64).reshape(n, len(numeric))
        except OverflowError:
            problems.append("a number is too large for a float64 feature (over 1.8e308)")
    if problems:
        raise ClientError(422, "the records do not fit the model's features", problems[:20])
    frame = pd.DataFrame(block, columns=numeric_columns)
    if not text:
        return frame
    words = np.array(texts, dtype=object).reshape(n, len(text))
    frame = pd.concat([frame, pd.DataFrame(words, columns=text_columns, dtype=object)], axis=1)
    # models with a FrameEncoder match columns by name; others get the fitted order
    return frame if hasattr(champion.estimator, "encoder_") else frame.loc[:, columns]


def _wrong(values: list[Any], names: list[str], allowed: frozenset[type], what: str) -> list[str]:
    """One line per value (at most 20) whose type is not ``allowed``, naming record and field."""
    lines = []
    for k, value in enumerate(values):
        if type(value) not in allowed:
            i, j = divmod(k, len(names))
            lines.append(f"records[{i}].{names[j]}: expected {what}, got {reprlib.repr(value)}")
            if len(lines) >= 20:
                break
    return lines


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
