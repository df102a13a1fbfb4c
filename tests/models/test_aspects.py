"""Complaint aspects: precision on the hand-labelled evaluation set, negation, the frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from custintel.models import SentimentClassifier
from custintel.models._aspects import ASPECTS, tag_aspects

DATA = Path(__file__).parents[1] / "data" / "sentiment"


@pytest.fixture(scope="module")
def scored():
    """Evaluation only: aspects_eval.csv is never used to write or tune the lexicon."""
    frame = pd.read_csv(DATA / "aspects_eval.csv", keep_default_na=False)
    truth = [dict(p.split(":") for p in s.split("|") if p) for s in frame["aspects"]]
    return tag_aspects(frame["text"].tolist()), truth


def test_aspect_precision_floor(scored):
    tags, truth = scored
    tp = fp = fn = 0
    for aspect in ASPECTS:
        predicted = tags[aspect].notna().to_numpy()
        gold = pd.Series([aspect in t for t in truth]).to_numpy()
        hit = (predicted & gold).sum()
        assert hit / max(predicted.sum(), 1) >= 0.5, aspect  # every aspect well above chance
        tp, fp, fn = tp + hit, fp + (predicted & ~gold).sum(), fn + (~predicted & gold).sum()
    assert tp / (tp + fp) >= 0.75 and tp / (tp + fn) >= 0.7, (tp, fp, fn)


def test_aspect_polarity_where_found(scored):
    tags, truth = scored
    pairs = [
        (tags.loc[i, a], t[a]) for i, t in enumerate(truth) for a in t if tags.loc[i, a] is not None
    ]
    agree = sum(p == g for p, g in pairs) / len(pairs)
    assert agree >= 0.75, agree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有任何破损，包装很好", {"package_damage": "pos"}),
        ("箱子被压扁了，杯子碎了", {"package_damage": "neg"}),
        ("物流太慢了，一周才到", {"delivery_speed": "neg"}),
        ("显示已签收但我没收到", {"lost_parcel": "neg"}),
        ("运费太贵了", {"price": "neg"}),
        ("客服一直踢皮球", {"customer_service": "neg"}),
        ("谢谢", {}),
        ("", {}),
    ],
)
def test_rules(text, expected):
    row = tag_aspects([text]).iloc[0]
    found = {a: v for a, v in row.items() if v is not None}
    assert found == expected


def test_frame_shape_and_index():
    texts = pd.Series(["快递很快", "小哥态度很差"], index=["a", "b"])
    tags = tag_aspects(texts)
    assert tags.columns.tolist() == list(ASPECTS)
    assert tags.index.tolist() == ["a", "b"]
    assert tags.loc["b", "courier_attitude"] == "neg"
    assert set(tags.stack().dropna()) <= {"neg", "pos"}


def test_model_aspects_is_names_and_tagger():
    model = SentimentClassifier()
    assert tuple(model.aspects) == ASPECTS
    pd.testing.assert_frame_equal(model.aspects(["运费太贵了"]), tag_aspects(["运费太贵了"]))
