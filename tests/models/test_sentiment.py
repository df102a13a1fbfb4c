"""SentimentClassifier: the shipped model's accuracy, the fit/predict contract, explain, I/O."""

from __future__ import annotations

import json
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from custintel.data import make_demo_dataset
from custintel.features import VoiceFeatures, build_customer_features
from custintel.features.voice import TextScorer
from custintel.models import SentimentClassifier, _text
from custintel.models.sentiment import _identity

DATA = Path(__file__).parents[1] / "data" / "sentiment"


@pytest.fixture(scope="module")
def pretrained():
    return SentimentClassifier.pretrained()


@pytest.fixture(scope="module")
def train():
    return pd.read_csv(DATA / "logistics_train.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def small_model(train):
    """Trained on 600 logistics training texts (about a second)."""
    part = train.sample(600, random_state=0)
    return SentimentClassifier().fit(part["text"].tolist(), part["label"])


def test_pretrained_accuracy_on_logistics_eval_sample(pretrained):
    """Evaluation only: logistics_eval.csv is never trained or tuned on."""
    sample = pd.read_csv(DATA / "logistics_eval.csv", keep_default_na=False).sample(
        300, random_state=0
    )
    accuracy = (pretrained.predict(sample["text"].tolist()) == sample["label"]).mean()
    assert accuracy >= 0.80, accuracy
    p_neg = pretrained.negative_proba(sample["text"].tolist())
    assert (
        p_neg[sample["label"].to_numpy() == 0].mean()
        > p_neg[sample["label"].to_numpy() == 1].mean() + 0.3
    )


def test_pretrained_reads_plain_cases(pretrained):
    texts = [
        "快递很快，包装完好",
        "等了一周还没到，客服也不理人",
        "一点都不快",
        "没有任何破损，满意",
    ]
    assert pretrained.predict(texts).tolist() == [1, 0, 0, 1]
    assert pretrained.classes_.tolist() == [0, 1]


def test_fit_predict_contract(small_model, train):
    model = small_model
    assert list(model.classes_) == [0, 1]
    proba = model.predict_proba(train["text"].head(50).tolist())
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    held = train.drop(train.sample(600, random_state=0).index)
    accuracy = (model.predict(held["text"].tolist()) == held["label"]).mean()
    assert accuracy >= 0.75, accuracy  # 600 in-domain texts alone
    params = model.get_params()
    assert clone(model).get_params() == params
    assert not hasattr(clone(model), "coef_")
    # a Series, a one-column frame and a list give the same scores
    s = train["text"].head(20)
    np.testing.assert_allclose(model.decision_function(s), model.decision_function(s.tolist()))
    np.testing.assert_allclose(
        model.decision_function(s.to_frame()), model.decision_function(s.tolist())
    )


def test_string_labels_and_negative_proba():
    texts = ["很好", "很快", "满意", "太慢", "很差", "不满意"] * 4
    labels = ["pos", "pos", "pos", "neg", "neg", "neg"] * 4
    model = SentimentClassifier(min_df=1, model="lr").fit(texts, labels)
    assert model.predict(["很快，满意", "太慢了"]).tolist() == ["pos", "neg"]
    neg = model.negative_proba(["很快，满意", "太慢了"])
    assert neg[1] > 0.5 > neg[0]


@pytest.mark.parametrize("variant", ["lr", "nbsvm"])
def test_other_linear_models_fit(variant, train):
    part = train.head(300)
    model = SentimentClassifier(variant).fit(part["text"].tolist(), part["label"])
    assert (model.predict(part["text"].tolist()) == part["label"]).mean() > 0.9


def test_tfidf_matches_sklearn(small_model, train):
    model = small_model
    texts = train["text"].head(40).tolist()
    feats = [model.analyzer_(t) for t in texts]
    reference = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, vocabulary=model.vocabulary_)
    reference.idf_ = model.idf_
    np.testing.assert_allclose(
        model._tfidf(feats).toarray(), reference.transform(feats).toarray(), atol=1e-12
    )


def test_explain_words_add_up(pretrained):
    texts = ["快递员态度很差，还不送上门", "包装完好，速度很快，满意"]
    out = pretrained.explain(texts, top_k=100)
    assert out.columns.tolist() == ["row", "rank", "word", "contribution"]
    total = out.groupby("row")["contribution"].sum().to_numpy()
    np.testing.assert_allclose(
        total, pretrained.decision_function(texts) - pretrained.intercept_[0], atol=1e-6
    )
    top = pretrained.explain(texts, top_k=2)
    assert top.groupby("row").size().tolist() == [2, 2]
    first = top.set_index(["row", "rank"])["word"]
    assert top.loc[top["row"] == 0, "contribution"].iloc[0] < 0  # the strongest word pushes down
    assert first.loc[(1, 1)] in {"完好", "很快", "满意", "速度"}


def test_save_and_load_weights_round_trip(small_model, tmp_path, train):
    small_model.save_weights(tmp_path, "m")
    meta = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert meta["classes"] == [0, 1] and len(meta["vocabulary"]) == len(small_model.vocabulary_)
    loaded = SentimentClassifier.load_weights(tmp_path, "m")
    texts = train["text"].head(30).tolist()
    np.testing.assert_allclose(
        loaded.decision_function(texts), small_model.decision_function(texts), atol=1e-4
    )


def test_shipped_weights_are_small_and_not_pickled():
    resources = Path(_text.__file__).parent / "resources"
    files = sorted(p.name for p in resources.glob("sentiment_pretrained.*"))
    assert files == ["sentiment_pretrained.json", "sentiment_pretrained.npz"]
    assert sum((resources / f).stat().st_size for f in files) < 8_000_000


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (["好", 3, None], [1, 0, 1], "only str; 2 items are not"),
        ([], [], "no texts"),
        (["好", "差"], [1, 0, 1], "X has 2 texts but y has 3 labels"),
        (["好", "差", "一般"], [1, 0, 2], "exactly two classes"),
        (np.zeros((3, 2)), [1, 0, 1], "1-D sequence of texts"),
        ("快递很快", [1], "one string"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), [1], "2 columns"),
    ],
)
def test_bad_input_errors(X, y, match):
    with pytest.raises(ValueError, match=match):
        SentimentClassifier().fit(X, y)


def test_bad_input_at_predict(pretrained):
    with pytest.raises(ValueError, match="fillna"):
        pretrained.predict(["好", np.nan])
    with pytest.raises(ValueError, match="no texts"):
        pretrained.predict_proba([])


def test_bad_parameters():
    with pytest.raises(ValueError, match="model"):
        SentimentClassifier("svm").fit(["好", "差"], [1, 0])
    with pytest.raises(ValueError, match="no valid features"):
        SentimentClassifier(word_ngrams=0, char_ngrams=(0, 0)).fit(["好", "差"], [1, 0])


def test_cache_dir_writable_then_reused(tmp_path, monkeypatch):
    monkeypatch.setenv(_text.CACHE_ENV, str(tmp_path / "cache"))
    assert _text.cache_dir() == tmp_path / "cache"
    freq, total = _text._prefix_dict(jieba.Tokenizer())
    (cached,) = (tmp_path / "cache").glob("jieba-*.cache")
    stamp = cached.stat().st_mtime_ns
    assert _text._prefix_dict(jieba.Tokenizer()) == (freq, total)
    assert cached.stat().st_mtime_ns == stamp  # loaded, not rewritten


def test_read_only_cache_dir_caches_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should go")
    monkeypatch.setenv(_text.CACHE_ENV, str(blocker / "cache"))
    assert _text.cache_dir() is None
    before = set(tmp_path.rglob("*"))
    freq, total = _text._prefix_dict(jieba.Tokenizer())
    assert total > 0 and "快递" in freq
    assert set(tmp_path.rglob("*")) == before


def test_read_only_directory(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    monkeypatch.setenv(_text.CACHE_ENV, str(ro))
    try:
        writable = _text.cache_dir() is not None
        if writable:  # root ignores file modes; then the directory really is writable
            assert (ro / "probe").touch() is None
        else:
            assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_is_a_text_scorer_for_voice_features(pretrained):
    assert isinstance(pretrained.aspects, tuple)
    assert len(pretrained.aspects) == 8 and "delivery_speed" in pretrained.aspects
    flags = pretrained.aspect_flags(["箱子压扁了", "很好"])
    assert flags.dtypes.eq(bool).all() and flags.loc[0, "package_damage"]
    assert not flags.loc[1].any()
    scorer: TextScorer = pretrained  # the protocol, structurally
    assert scorer.negative_proba(["太慢了"])[0] > 0.5
    ds = make_demo_dataset(n_customers=200, seed=0)
    X = build_customer_features(
        ds, as_of="2024-07-01", builders=[VoiceFeatures(text_model=pretrained)]
    )
    aspect_cols = [c for c in X.columns if c.startswith("aspect_")]
    assert len(aspect_cols) == 8
    assert X["negative_share"].between(0, 1).all() or X["negative_share"].isna().any()


def test_parallel_scoring_matches_serial(small_model, train, monkeypatch):
    from custintel.models import sentiment

    monkeypatch.setattr(sentiment, "PARALLEL_MIN", 20)
    texts = train["text"].head(80).tolist()
    serial = small_model.decision_function(texts)
    parallel = clone(small_model).set_params(n_jobs=2)
    for name in ("classes_", "vocabulary_", "idf_", "coef_", "intercept_", "analyzer_"):
        setattr(parallel, name, getattr(small_model, name))
    np.testing.assert_allclose(parallel.decision_function(texts), serial)


def test_vectorised_char_ngrams_equal_the_analyzer(pretrained, train):
    # The fast path keys character n-grams as integers in one numpy pass; it must build the
    # very matrix the feature strings give, punctuation, spaces, emoji and empty texts included.
    texts = [
        *train["text"].sample(300, random_state=1),
        "",
        "   ",
        "a\tb\nc  d",
        "……!!",
        "😀👍 好评！！",
        "不 是 不好。。。好",
        "ＡＢＣ全角，快递",
    ]
    fast = pretrained._matrix(texts)
    slow = pretrained._tfidf([pretrained.analyzer_(t) for t in texts])
    assert fast.shape == slow.shape and fast.nnz == slow.nnz > 0
    assert abs(fast - slow).max() == 0
    keys = _text.char_ngram_keys([_text.normalize("快递很快，好")], 1, 3)[1]
    expected = {
        _text.char_ngram_key(g)
        for g in ["快", "递", "很", "快递", "递很", "很快", "快递很", "递很快", "好"]
    }
    assert set(keys.tolist()) == expected and len(keys) == 10  # "快" twice


def test_balanced_class_weight(train):
    from sklearn.utils.class_weight import compute_sample_weight

    part = train[train["label"] == 1].head(300)
    part = pd.concat([part, train[train["label"] == 0].head(100)])  # 75% positive
    texts, y = part["text"].tolist(), part["label"].to_numpy()
    balanced = SentimentClassifier(model="lr", class_weight="balanced").fit(texts, y)
    explicit = SentimentClassifier(model="lr").fit(
        texts, y, sample_weight=compute_sample_weight("balanced", y)
    )
    np.testing.assert_allclose(balanced.coef_, explicit.coef_, rtol=1e-4, atol=1e-6)
    plain = SentimentClassifier(model="lr").fit(texts, y)
    # weighing the minority class up moves the intercept towards it
    assert balanced.intercept_[0] < plain.intercept_[0]
    with pytest.raises(ValueError, match="'class_weight' parameter"):
        SentimentClassifier(class_weight="even").fit(texts, y)


def test_empty_and_blank_texts_are_scored_not_an_error():
    model = SentimentClassifier.pretrained()
    p = model.negative_proba(["", " ", "快递很快"])
    assert p.shape == (3,) and np.all((p >= 0) & (p <= 1))
    assert p[0] == p[1]  # nothing to read: the model's prior
    assert not model.aspect_flags(["", " "]).to_numpy().any()
    assert model.negative_proba([""])[0] == p[0]  # alone in a batch too
