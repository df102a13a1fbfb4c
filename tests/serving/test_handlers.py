"""Route logic as plain functions: scores, reasons, forecasts, and clear 4xx for mistakes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from custintel.serving import handlers
from custintel.serving.champions import ServiceUnavailable
from custintel.serving.handlers import ClientError
from custintel.serving.schemas import (
    MAX_ROWS,
    ForecastRequest,
    ScoreRequest,
    SentimentRequest,
)
from custintel.tracking import model_output, serving_frame


def ids(store, task, n=3):
    return list(store.champions[task].snapshot.index[:n])


def test_churn_by_customer_id_matches_the_model(store):
    chosen = ids(store, "churn")
    out = handlers.score(store, "churn", ScoreRequest(customer_ids=chosen))
    champion = store.champions["churn"]
    want = champion.estimator.predict_proba(champion.snapshot.loc[chosen])[:, 1]
    got = [r.model_extra["churn_probability"] for r in out.rows]
    np.testing.assert_allclose(got, want)
    assert [r.customer_id for r in out.rows] == chosen
    assert out.model.version == "7" and out.model.name == "custintel-churn"


def as_records(frame):
    """Rows as a JSON client sends them: plain values, null where missing."""
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in serving_frame(frame).to_dict(orient="records")
    ]


@pytest.mark.parametrize(
    ("task", "route"),
    [("churn", "churn"), ("credit", "credit"), ("fraud", "fraud"), ("segmentation", "segment")],
)
def test_answers_by_id_and_by_record_are_the_models_answers(store, task, route):
    # by id the answers come from what the champion computed for its snapshot at load; they
    # must be what the model says for those rows today, in request order, repeats kept
    champion = store.champions[task]
    chosen = list(champion.snapshot.index[[5, 0, 5, 2]])
    rows = champion.snapshot.loc[chosen, champion.features]
    want = model_output(task, champion.estimator, rows).reset_index(drop=True)
    by_id = handlers.score(store, route, ScoreRequest(customer_ids=chosen))
    by_record = handlers.score(store, route, ScoreRequest(records=as_records(rows)))
    assert [r.customer_id for r in by_id.rows] == chosen
    for answer in (by_id, by_record):
        got = pd.DataFrame([r.model_extra for r in answer.rows])
        assert list(got.columns) == list(want.columns)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_a_snapshot_without_the_champions_features_answers_404_but_records_still_score(store):
    from custintel.serving.champions import Champion

    old = store.champions["churn"]
    broken = old.snapshot.drop(columns=old.features[:2])
    store.champions["churn"] = Champion("churn", old.estimator, old.info, old.features, broken)
    with pytest.raises(ClientError, match="snapshot lacks 2 feature") as err:
        handlers.score(store, "churn", ScoreRequest(customer_ids=ids(store, "churn", 1)))
    assert err.value.status == 404 and "retrain" in str(err.value)
    row = as_records(old.snapshot.loc[ids(store, "churn", 1), old.features])
    assert len(handlers.score(store, "churn", ScoreRequest(records=row)).rows) == 1


def test_records_score_like_customer_ids(store):
    champion = store.champions["credit"]
    chosen = ids(store, "credit", 4)
    frame = serving_frame(champion.snapshot.loc[chosen, champion.features])
    records = [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    by_id = handlers.score(store, "credit", ScoreRequest(customer_ids=chosen))
    by_record = handlers.score(store, "credit", ScoreRequest(records=records))
    for a, b in zip(by_id.rows, by_record.rows, strict=True):
        assert a.model_extra["default_probability"] == pytest.approx(
            b.model_extra["default_probability"]
        )
        assert 300 < a.model_extra["credit_score"] < 900
        assert b.customer_id is None


def test_fraud_and_segment_outputs(store):
    fraud = handlers.score(store, "fraud", ScoreRequest(customer_ids=ids(store, "fraud")))
    assert all(0 <= r.model_extra["fraud_score"] <= 1 for r in fraud.rows)
    assert {r.model_extra["is_flagged"] for r in fraud.rows} <= {0, 1}
    seg = handlers.score(store, "segment", ScoreRequest(customer_ids=ids(store, "segmentation")))
    names = set(store.champions["segmentation"].estimator.profiles_["name"])
    assert all(r.model_extra["segment_name"] in names for r in seg.rows)


def test_unknown_customer_ids_are_404_naming_each(store):
    known = ids(store, "churn", 1)
    with pytest.raises(ClientError, match="2 unknown customer id") as err:
        handlers.score(store, "churn", ScoreRequest(customer_ids=[*known, "NOPE1", "NOPE2"]))
    assert err.value.status == 404
    assert err.value.detail == [
        "customer_id 'NOPE1': not in the snapshot",
        "customer_id 'NOPE2': not in the snapshot",
    ]


def test_records_with_wrong_features_or_types_are_422(store):
    champion = store.champions["churn"]
    row = dict.fromkeys(champion.features)
    with pytest.raises(ClientError) as err:
        handlers.score(store, "churn", ScoreRequest(records=[{**row, "shoe_size": 42}]))
    assert err.value.status == 422 and "unknown feature(s) ['shoe_size']" in err.value.detail[0]
    with pytest.raises(ClientError) as err:
        handlers.score(store, "churn", ScoreRequest(records=[{"recency_days": 3}]))
    assert "records[0]: missing" in err.value.detail[0] and "send null" in err.value.detail[0]
    with pytest.raises(ClientError) as err:
        handlers.score(store, "churn", ScoreRequest(records=[{**row, "recency_days": "soon"}]))
    assert err.value.detail == ["records[0].recency_days: expected a number or null, got 'soon'"]
    with pytest.raises(ClientError) as err:  # numbers in text are not coerced either
        handlers.score(store, "churn", ScoreRequest(records=[row, {**row, "recency_days": "3"}]))
    assert err.value.detail == ["records[1].recency_days: expected a number or null, got '3'"]
    with pytest.raises(ClientError, match="do not fit") as err:
        handlers.score(store, "churn", ScoreRequest(records=[{**row, "recency_days": 10**400}]))
    assert err.value.status == 422 and "too large" in err.value.detail[0]
    text = sorted(champion.text_features)
    assert text, "the fixture's churn features include categories"
    with pytest.raises(ClientError) as err:
        handlers.score(store, "churn", ScoreRequest(records=[{**row, text[0]: 3}]))
    assert err.value.detail == [f"records[0].{text[0]}: expected text or null, got 3"]


def test_all_null_record_is_scored(store):
    champion = store.champions["churn"]
    out = handlers.score(store, "churn", ScoreRequest(records=[dict.fromkeys(champion.features)]))
    assert 0 <= out.rows[0].model_extra["churn_probability"] <= 1


def test_request_shapes_are_validated():
    with pytest.raises(ValidationError, match="exactly one of"):
        ScoreRequest(customer_ids=["C1"], records=[{}])
    with pytest.raises(ValidationError, match="exactly one of"):
        ScoreRequest()
    with pytest.raises(ValidationError, match="list is empty"):
        ScoreRequest(customer_ids=[])
    with pytest.raises(ValidationError, match=f"at most {MAX_ROWS} items"):
        ScoreRequest(customer_ids=["C1"] * (MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ScoreRequest(customer_ids=["C1"], customer="x")


def test_explain_gives_bilingual_reasons_that_match_the_score(store):
    chosen = ids(store, "churn", 2)
    out = handlers.explain(store, "churn", ScoreRequest(customer_ids=chosen, top_k=3))
    champion = store.champions["churn"]
    want = champion.estimator.predict_proba(champion.snapshot.loc[chosen])[:, 1]
    for row, p in zip(out.rows, want, strict=True):
        assert row.score == pytest.approx(p)
        assert [r.rank for r in row.reasons] == [1, 2, 3]
        assert all(r.zh and r.en for r in row.reasons)
    fraud = handlers.explain(store, "fraud", ScoreRequest(customer_ids=ids(store, "fraud", 2)))
    assert all(r.contribution >= 0 for row in fraud.rows for r in row.reasons)


def test_explain_is_not_offered_for_segments(store):
    with pytest.raises(ClientError, match="no route for 'segment'") as err:
        handlers.explain(store, "segment", ScoreRequest(customer_ids=["C1"]))
    assert err.value.status == 404


def test_sentiment(store):
    out = handlers.sentiment(
        store, SentimentRequest(texts=["快递很快，包装完好", "三天了还没到，客服也不理人"])
    )
    assert [r.label for r in out.rows] == ["positive", "negative"]
    assert out.rows[1].negative_probability > 0.5 and out.rows[1].complaints


def test_forecast_bounds_and_unknown_series(store):
    model = store.champions["demand"].estimator
    sid = str(model.predict()["series_id"].iloc[0])
    out = handlers.forecast(store, ForecastRequest(series_ids=[sid], horizon=7))
    assert len(out.rows) == 7 and set(out.rows[0].quantiles) == {"q10", "q50", "q90"}
    assert out.rows[0].quantiles["q10"] <= out.rows[0].yhat <= out.rows[0].quantiles["q90"]
    with pytest.raises(ClientError, match="beyond the 14 periods") as err:
        handlers.forecast(store, ForecastRequest(series_ids=[sid], horizon=30))
    assert err.value.status == 422
    with pytest.raises(ClientError, match="1 unknown series_id") as err:
        handlers.forecast(store, ForecastRequest(series_ids=["火星"]))
    assert err.value.status == 404


def test_missing_champion_is_503_and_listed(store):
    store.champions.pop("credit")
    store.errors["credit"] = "OSError: estimator.joblib is corrupted"
    with pytest.raises(ServiceUnavailable, match=r"credit model is not available .*corrupted"):
        handlers.score(store, "credit", ScoreRequest(customer_ids=["C1"]))
    assert not store.ready and store.missing() == {
        "credit": "OSError: estimator.joblib is corrupted"
    }
    listed = {m.task: m for m in handlers.models(store).models}
    assert not listed["credit"].loaded and "corrupted" in listed["credit"].error
    assert listed["churn"].loaded and listed["churn"].features
    out = handlers.score(store, "churn", ScoreRequest(customer_ids=ids(store, "churn", 1)))
    assert out.rows  # the others keep serving


def test_a_broken_champion_leaves_the_others_loaded(monkeypatch, champions, tmp_path, caplog):
    from custintel import tracking
    from custintel.serving.champions import ChampionStore

    def load(task, **_):
        if task == "credit":
            raise OSError("estimator.joblib: unexpected end of file\nmore detail")
        return champions[task][0], {"name": f"custintel-{task}", "version": "1"}

    monkeypatch.setattr(tracking, "load_estimator", load)
    monkeypatch.setattr(tracking, "configure", lambda: "sqlite:///unused")
    with caplog.at_level("ERROR", logger="custintel.serving"):
        store = ChampionStore(snapshot_dir=tmp_path).load()
    assert not store.ready
    assert store.missing() == {"credit": "OSError: estimator.joblib: unexpected end of file"}
    assert set(store.champions) == {"churn", "fraud", "segmentation", "demand", "sentiment"}
    assert "champion of credit not loaded" in caplog.text
    assert store.champions["churn"].snapshot is None  # no snapshot: ids cannot be looked up
    with pytest.raises(ClientError, match="no feature snapshot for churn") as err:
        handlers.score(store, "churn", ScoreRequest(customer_ids=["C1"]))
    assert err.value.status == 404
