"""Request and response models of the HTTP service (pydantic; they make the OpenAPI document).

Every request model rejects unknown keys, bounds its batch size and says what was wrong in
the 422 body, so a client's mistake never becomes a server error.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: Most rows (customer ids or records) one scoring request may carry.
MAX_ROWS = 1_000
#: Most texts one sentiment request may carry, and the longest text.
MAX_TEXTS = 500
MAX_TEXT_CHARS = 5_000
#: Most series and the longest horizon of one demand request.
MAX_SERIES = 100
MAX_HORIZON = 90

CustomerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Value = float | int | str | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreRequest(_Strict):
    """Either ``customer_ids`` (looked up in the latest feature snapshot) or ``records``."""

    customer_ids: list[CustomerId] | None = Field(
        None,
        max_length=MAX_ROWS,
        description=f"customers to score from the latest feature snapshot (at most {MAX_ROWS})",
        examples=[["C10000001", "C10000003"]],
    )
    records: list[dict[str, Value]] | None = Field(
        None,
        max_length=MAX_ROWS,
        description="feature rows: every feature of the model, null where unknown "
        f"(at most {MAX_ROWS}); GET /v1/models lists the features",
    )
    top_k: int = Field(5, ge=1, le=20, description="reasons per row (explain routes only)")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [self.customer_ids is not None, self.records is not None]
        if sum(given) != 1:
            raise ValueError("send exactly one of `customer_ids` or `records`")
        if not (self.customer_ids or self.records):
            raise ValueError("the list is empty; send at least one customer id or record")
        return self


class ModelRef(_Strict):
    """The registered model version that answered."""

    task: str
    name: str
    version: str


class ScoreRow(BaseModel):
    """One scored row: the customer (when given by id) and the task's outputs."""

    model_config = ConfigDict(extra="allow")
    customer_id: str | None = None


class ScoreResponse(_Strict):
    """Scores per row, in the order of the request."""

    model: ModelRef
    rows: list[ScoreRow]


class Reason(_Strict):
    """One reason code: the feature, its value and how much it moved the score."""

    rank: int
    feature: str
    value: str | None
    contribution: float
    zh: str
    en: str


class ExplainRow(_Strict):
    """The score of one row and the reasons behind it, strongest first."""

    customer_id: str | None
    score: float
    reasons: list[Reason]


class ExplainResponse(_Strict):
    """Reason codes per row, in the order of the request."""

    model: ModelRef
    rows: list[ExplainRow]


class SentimentRequest(_Strict):
    """Chinese texts (reviews, tickets, call notes)."""

    texts: list[Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]] = Field(
        ..., min_length=1, max_length=MAX_TEXTS, examples=[["快递很快，包装完好", "三天了还没到"]]
    )


class SentimentRow(_Strict):
    """Label, probability of negative, and the aspects the text complains about."""

    label: Literal["negative", "positive"]
    negative_probability: float
    complaints: list[str]


class SentimentResponse(_Strict):
    """One row per text, in order."""

    model: ModelRef
    rows: list[SentimentRow]


class ForecastRequest(_Strict):
    """Series to forecast and how far."""

    series_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        ..., min_length=1, max_length=MAX_SERIES, examples=[["全国", "广东省"]]
    )
    horizon: int = Field(14, ge=1, le=MAX_HORIZON, description="periods ahead")


class ForecastPoint(_Strict):
    """One period of one series: point forecast and quantiles."""

    series_id: str
    ds: str
    yhat: float
    quantiles: dict[str, float]


class ForecastResponse(_Strict):
    """Forecast rows, series by series."""

    model: ModelRef
    rows: list[ForecastPoint]


class ModelStatus(_Strict):
    """A champion as loaded by the service."""

    task: str
    loaded: bool
    name: str | None = None
    version: str | None = None
    trained_at: str | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=list)
    snapshot_rows: int | None = None
    snapshot_as_of: str | None = None
    error: str | None = None


class ModelsResponse(_Strict):
    """Every task and its champion."""

    models: list[ModelStatus]


class ErrorBody(_Strict):
    """What went wrong and how to fix it."""

    error: str
    detail: str = ""
    problems: list[str] = Field(default_factory=list)
