"""Reason-code examples of the sentiment and segmentation reports: honest signs and labels."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from custintel.models import CustomerSegmenter, SentimentClassifier
from custintel.pipelines import segmentation, sentiment
from custintel.pipelines.report import render_report
from custintel.pipelines.result import Holdout, TrainResult

TEXTS = [
    "快递太慢了，包装破损，客服态度很差，再也不买了",
    "东西很好，物流很快，非常满意",
    "质量一般，还行吧",
    "送货员态度恶劣，打电话也不接，[手机号]，差评",
    "包装完好，下次还来" + "，真的很好" * 40,
    "退款拖了两周还没到账，太失望了",
]


def _result(task: str, examples: pd.DataFrame) -> TrainResult:
    return TrainResult(
        task=task,
        config={},
        fingerprint={"source": "test"},
        model=object(),
        metrics={"m": 1.0},
        baselines=pd.DataFrame({"m": [1.0]}, index=pd.Index(["model"], name="compared")),
        promotion_metric="m",
        greater_is_better=True,
        score_holdout=lambda model, holdout: 1.0,
        holdout=Holdout(pd.DataFrame({"x": [1]}), None, "test"),
        input_example=pd.DataFrame({"x": [1]}),
        examples=examples,
    )


@pytest.fixture(scope="module")
def sentiment_examples():
    model = SentimentClassifier.pretrained()
    negative = pd.Series(model.negative_proba(TEXTS), index=[f"C{i}" for i in range(len(TEXTS))])
    return model, negative, sentiment._examples(model, TEXTS, negative, 5)


def test_sentiment_contributions_point_toward_the_negative_score(sentiment_examples):
    model, negative, examples = sentiment_examples
    assert examples["example"].nunique() == 5
    order = np.argsort(-negative.to_numpy(), kind="stable")[:5]
    raw = model.explain([TEXTS[i] for i in order], top_k=3)
    for (_, row), (_, w) in zip(examples.iterrows(), raw.iterrows(), strict=True):
        shown = float(re.search(r"\(([+-]\d+\.\d+)\)", row["zh"]).group(1))
        assert shown == pytest.approx(-w["contribution"], abs=0.006)
        assert f"({shown:+.2f})" in row["en"]
        assert ("raised" in row["en"]) == (shown >= 0)
    most = examples[examples["example"] == 0]
    assert most["score"].iloc[0] > 0.9
    assert float(re.search(r"\(([+-]\d+\.\d+)\)", most["zh"].iloc[0]).group(1)) > 0
    assert (examples["title"].str.startswith("负面概率 P(negative) ")).all()


def test_sentiment_examples_show_the_shortened_scrubbed_text(sentiment_examples):
    *_, examples = sentiment_examples
    texts = examples.groupby("example")["text"].first()
    assert texts.str.len().max() <= 120
    assert "[手机号]" in " ".join(texts)
    page = render_report(_result("sentiment", examples))
    for text in texts:
        assert text in page
    assert "得分 Score" not in page and "负面概率 P(negative)" in page
    assert "positive raises it" in page
    assert sentiment._shorten("很" * 300).endswith("…")
    assert len(sentiment._shorten("很" * 300)) == 120


def test_two_texts_of_one_customer_make_two_cards(sentiment_examples):
    _, _, examples = sentiment_examples
    same = examples.assign(customer_id="C1")
    page = render_report(_result("sentiment", same))
    assert page.count('<div class="card">') == 5


@pytest.fixture(scope="module")
def segmenter():
    from sklearn.datasets import make_blobs

    points, _ = make_blobs(n_samples=300, centers=3, n_features=3, random_state=0)
    X = pd.DataFrame(points, columns=["a", "b", "c"])
    X.index = pd.MultiIndex.from_arrays(
        [[f"C{i:03d}" for i in range(len(X))], [pd.Timestamp("2024-07-01")] * len(X)],
        names=["customer_id", "as_of"],
    )
    model = CustomerSegmenter(n_clusters=3, n_bootstrap=2, random_state=0).fit(X)
    catalog = pd.DataFrame({"zh": ["甲", "乙", "丙"], "en": ["A", "B", "C"]}, index=X.columns)
    return model, X, catalog


def test_segmentation_shows_five_customers_with_three_segments(segmenter):
    model, X, catalog = segmenter
    assert model.n_clusters_ == 3
    names = model.predict_names(X, lang="en")
    examples = segmentation._examples(model, X, names, catalog, 5)
    assert examples["customer_id"].nunique() == 5
    assert examples.groupby("segment")["customer_id"].nunique().tolist() == [2, 2, 1]
    labels = pd.Series(np.asarray(model.predict(X)), X.index.get_level_values("customer_id"))
    for customer, segment in examples.groupby("customer_id")["segment"].first().items():
        assert labels[customer] == segment
    assert "score" not in examples.columns
    page = render_report(_result("segmentation", examples))
    assert "得分 Score" not in page
    first = model.profiles_.iloc[0]
    assert (
        f"客户群 Segment {model.profiles_.index[0]}：{first['name']} / {first['name_en']}" in page
    )
    assert page.count('<div class="card">') == 5


def test_segmentation_shows_every_customer_when_there_are_fewer(segmenter):
    model, X, catalog = segmenter
    few = X.iloc[[0, 1, 2]]
    examples = segmentation._examples(model, few, model.predict_names(few), catalog, 5)
    assert examples["customer_id"].nunique() == 3


def test_report_timings_say_they_stop_before_logging():
    result = dataclasses.replace(
        _result("churn", pd.DataFrame()), stages={"load": 1.0, "fit": 2.0, "log": 4.0}
    )
    page = render_report(result)
    notes = page.split('id="notes"')[1]
    assert "total before logging" in notes
    assert '<td class="num">3</td>' in notes and '<td class="num">7</td>' not in notes
