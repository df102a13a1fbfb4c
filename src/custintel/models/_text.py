"""Chinese text to features: jieba with a logistics dictionary, negation scope, n-grams.

The tokeniser is one private :class:`jieba.Tokenizer` (jieba's global one is left alone) with
custintel's logistics user dictionary (``resources/logistics_userdict.txt``: 快递, 揽收, 驿站,
丰巢, 代收货款, 破损, 丢件, 催件 ...) added. Building jieba's prefix dictionary takes about a
second; the result is cached in :func:`cache_dir` (``$CUSTINTEL_CACHE_DIR``, else
``$XDG_CACHE_HOME/custintel``, else ``~/.cache/custintel``). When that directory cannot be
created or written (a read-only install, a locked-down container), nothing is cached and
nothing is written anywhere: the dictionary is built in memory on first use.

Negation: a token that follows a negator (不, 没, 没有, 别, 未, 无, 毫无, 并不 ...) takes the
prefix ``"不_"``, and so do the next ones up to :data:`NEGATION_SCOPE` tokens or the next
punctuation mark, whichever comes first; "不 满意" becomes ``"不_满意"``, a feature of its own.
A second negator inside the scope cancels the first (不是不好).

Lexicon features: with ``lexicon=True`` the :class:`Analyzer` adds ``"lex:pos"`` and
``"lex:neg"`` once per hit of custintel's sentiment lexicon (``resources/sentiment_lexicon.txt``,
words of praise and complaint for deliveries, parcels and fresh food, with emoji); a hit in a
negator's scope counts for the other side. The model learns the weight of each.
"""

from __future__ import annotations

import json
import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jieba
import numpy as np

logger = logging.getLogger(__name__)

#: Environment variable naming the cache directory (jieba's prefix dictionary).
CACHE_ENV = "CUSTINTEL_CACHE_DIR"
#: Environment variable: ``jieba`` forces jieba even when the faster rjieba is installed.
TOKENIZER_ENV = "CUSTINTEL_TOKENIZER"

#: Words that negate what follows them.
_NEGATOR_WORDS = (
    "不 没 没有 别 未 无 非 勿 莫 甭 不是 不太 不够 不怎么 不再 毫无 并不 "
    "并没有 从不 从没 从来不 从来没有 绝不 决不 一点也不 一点都不 "
    "根本不 根本没 根本没有 并非 没能 不能 不会 没法 无法"
)
NEGATORS = frozenset(_NEGATOR_WORDS.split())
#: How many tokens after a negator are marked as negated.
NEGATION_SCOPE = 2
NEGATION_PREFIX = "不_"

_PUNCT = frozenset("，。！？；：、,.!?;:~…—-()（）[]【】「」『』\"'“”‘’ \t\n")
_SPACE = re.compile(r"\s+")
_lock = threading.Lock()


def cache_dir() -> Path | None:
    """Return a writable cache directory for custintel, or ``None`` when there is none.

    ``$CUSTINTEL_CACHE_DIR`` wins, then ``$XDG_CACHE_HOME/custintel``, then
    ``~/.cache/custintel``. The directory is created when missing; ``None`` means it could not
    be created or is not writable, and callers then cache nothing.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> from custintel.models._text import cache_dir
    >>> with tempfile.TemporaryDirectory() as d, mock.patch.dict(os.environ, CUSTINTEL_CACHE_DIR=d):
    ...     print(cache_dir() == Path(d))
    True
    >>> with mock.patch.dict(os.environ, CUSTINTEL_CACHE_DIR="/dev/null/custintel"):
    ...     print(cache_dir())  # cannot be created: no cache
    None
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        path = Path(override)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        path = (Path(xdg) if xdg else Path.home() / ".cache") / "custintel"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def _resource(name: str) -> Path:
    return Path(str(files("custintel.models").joinpath("resources", name)))


def _prefix_dict(tok: jieba.Tokenizer) -> tuple[dict[str, int], int]:
    """Return jieba's prefix dictionary, from the cache when there is a valid one."""
    dict_path = Path(jieba.DEFAULT_DICT_NAME)
    source = Path(str(files("jieba").joinpath(jieba.DEFAULT_DICT_NAME)))
    stamp = f"{jieba.__version__}-{source.stat().st_size}" if source.exists() else "default"
    directory = cache_dir()
    cache_file = directory / f"jieba-{stamp}.cache" if directory else None
    if cache_file is not None and cache_file.is_file():
        try:
            with cache_file.open("rb") as f:
                freq, total = marshal.load(f)
            return freq, total
        except (OSError, EOFError, ValueError, TypeError):
            logger.info("ignoring an unreadable jieba cache at %s", cache_file)
    freq, total = tok.gen_pfdict(tok.get_dict_file())
    if cache_file is not None:
        try:
            fd, tmp = tempfile.mkstemp(dir=cache_file.parent, prefix=dict_path.name)
            with os.fdopen(fd, "wb") as f:
                marshal.dump((freq, total), f)
            os.replace(tmp, cache_file)
        except OSError:
            logger.info("could not write the jieba cache to %s; not caching", cache_file)
    return freq, total


@cache
def tokenizer() -> jieba.Tokenizer:
    """Return custintel's jieba tokeniser, with the logistics user dictionary loaded.

    Built once per process; jieba's global tokeniser and its ``/tmp`` cache are not touched.
    """
    with _lock:
        tok = jieba.Tokenizer()
        tok.FREQ, tok.total = _prefix_dict(tok)
        tok.initialized = True
        words: dict[str, int] = {}
        for line in _resource("logistics_userdict.txt").read_text(encoding="utf-8").splitlines():
            if line.strip():
                word, count = line.split()[:2]
                words[word] = int(count)
        for word in sorted(lexicon_words()):
            if len(word) > 1 and word not in tok.FREQ and word not in words:
                words[word] = 2000
        for word, freq in words.items():
            tok.add_word(word, freq)
        tok.user_words = words
        return tok


@cache
def sentiment_lexicon() -> dict[str, int]:
    """Return custintel's sentiment lexicon: word to polarity (1 positive, -1 negative)."""
    out: dict[str, int] = {}
    for line in _resource("sentiment_lexicon.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, polarity = line.split("\t")
            out[normalize(word)] = int(polarity)
    return out


@cache
def aspect_lexicon() -> dict[str, dict[str, int]]:
    """Return custintel's aspect lexicon: aspect to {term: polarity} (1, -1 or 0)."""
    raw = json.loads(_resource("aspect_lexicon.json").read_text(encoding="utf-8"))
    return {
        a: {normalize(t): int(p) for t, p in terms.items()}
        for a, terms in raw.items()
        if not a.startswith("_")
    }


@cache
def weak_aspect_terms() -> frozenset[str]:
    """Return the aspect terms shared between aspects (see ``_aspects``)."""
    raw = json.loads(_resource("aspect_lexicon.json").read_text(encoding="utf-8"))
    return frozenset(normalize(t) for t in raw.get("_weak", []))


def lexicon_words() -> set[str]:
    """Return every word of the sentiment and aspect lexicons (jieba keeps them whole)."""
    words = set(sentiment_lexicon())
    for terms in aspect_lexicon().values():
        words |= set(terms)
    return words


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, runs of white space to one space."""
    text = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").lower()
    return _SPACE.sub(" ", text).strip()


@cache
def _fast_tokenizer() -> Any:
    """Return an ``rjieba.Jieba`` with the same words as :func:`tokenizer`, or ``None``.

    rjieba (a binding of jieba-rs) runs jieba's dictionary segmentation about 20 times faster
    and gives the same tokens without the HMM; it is used when installed, unless
    ``CUSTINTEL_TOKENIZER=jieba``.
    """
    if os.environ.get(TOKENIZER_ENV, "auto") == "jieba":
        return None
    try:
        import rjieba
    except ImportError:
        return None
    fast = rjieba.Jieba()
    added = tokenizer().user_words
    for word, freq in added.items():
        fast.add_word(word, freq, None)
    return fast


def tokenize(text: str, *, hmm: bool = False) -> list[str]:
    """Split normalised ``text`` into jieba tokens, without white space.

    Examples
    --------
    >>> from custintel.models._text import tokenize
    >>> tokenize("快递员态度差，包裹破损")
    ['快递员', '态度差', '，', '包裹', '破损']
    """
    fast = None if hmm else _fast_tokenizer()
    tokens = fast.cut(text, False) if fast is not None else tokenizer().lcut(text, HMM=hmm)
    return [t for t in tokens if not t.isspace()]


def mark_negation(tokens: Iterable[str]) -> list[str]:
    """Prefix the tokens in the scope of a negator with ``"不_"``.

    Examples
    --------
    >>> from custintel.models._text import mark_negation
    >>> mark_negation(["不", "满意", "，", "很", "快"])
    ['不', '不_满意', '，', '很', '快']

    A negator inside another's scope cancels it (不是不好 is praise):

    >>> mark_negation(["不是", "不", "好"])
    ['不是', '不', '好']
    """
    out: list[str] = []
    left, negated = 0, False
    for t in tokens:
        if t in _PUNCT:
            left, negated = 0, False
            out.append(t)
        elif t in NEGATORS:
            negated = not negated if left else True
            left = NEGATION_SCOPE
            out.append(t)
        elif left:
            left -= 1
            out.append(NEGATION_PREFIX + t if negated else t)
        else:
            out.append(t)
    return out


class Analyzer:
    """Text to a list of feature strings: words, word bigrams and character n-grams.

    Word features start with ``"w:"`` (``"w:快递 很快"`` for a bigram), character n-grams with
    ``"c:"``. Punctuation is not a word feature but splits bigrams and character n-grams.
    Picklable and comparable, so a fitted model that holds one can be saved and compared.

    Parameters
    ----------
    word_ngrams : int
        Longest word n-gram (0 for no word features, which skips jieba entirely).
    char_ngrams : tuple of int
        Shortest and longest character n-gram; ``(0, 0)`` for none.
    negation : bool
        Mark the words in a negator's scope (see :func:`mark_negation`).
    lexicon : bool
        Add the ``"lex:pos"`` / ``"lex:neg"`` lexicon features (needs word features).
    hmm : bool
        Let jieba guess unknown words with its HMM (slower; see the benchmarks).
    """

    def __init__(
        self,
        word_ngrams: int = 2,
        char_ngrams: tuple[int, int] = (1, 3),
        *,
        negation: bool = True,
        lexicon: bool = True,
        hmm: bool = False,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = tuple(char_ngrams)
        self.negation = negation
        self.lexicon = lexicon
        self.hmm = hmm

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Analyzer) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(sorted(vars(self).items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"Analyzer({args})"

    def config(self) -> dict[str, object]:
        """Return the parameters as a JSON-friendly dict."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}

    def words(self, text: str) -> list[str]:
        """Return the (negation-marked) word tokens of ``text``, punctuation included."""
        tokens = tokenize(normalize(text), hmm=self.hmm)
        return mark_negation(tokens) if self.negation else tokens

    def __call__(self, text: str) -> list[str]:
        """Return the feature strings of one text."""
        text = normalize(text)
        return self.word_features(text) + self.char_features(text)

    def word_features(self, text: str) -> list[str]:
        """Return the word and lexicon features of one *normalised* text."""
        feats: list[str] = []
        if self.word_ngrams:
            tokens = tokenize(text, hmm=self.hmm)
            if self.negation:
                tokens = mark_negation(tokens)
            if self.lexicon:
                feats += _lexicon_features(tokens)
            run: list[str] = []
            for t in [*tokens, "。"]:
                if t in _PUNCT:
                    feats += ["w:" + w for w in run]
                    for n in range(2, self.word_ngrams + 1):
                        feats += ["w:" + " ".join(run[i : i + n]) for i in range(len(run) - n + 1)]
                    run = []
                else:
                    run.append(t)
        return feats

    def char_features(self, text: str) -> list[str]:
        """Return the character n-gram features of one *normalised* text.

        :func:`char_ngram_keys` computes the same n-grams for many texts at once, as integers.
        """
        feats: list[str] = []
        lo, hi = self.char_ngrams
        if hi:
            for chunk in _CHAR_SPLIT.split(text):
                m = len(chunk)
                for n in range(lo, min(hi, m) + 1):
                    feats += ["c:" + chunk[i : i + n] for i in range(m - n + 1)]
        return feats


#: Characters that end a run of character n-grams (besides white space).
_CHAR_SEPARATORS = "，。！？；：、,.!?;:~…"
_CHAR_SPLIT = re.compile(f"[\\s{_CHAR_SEPARATORS}]+")
_SEP_CODES = np.array(sorted({ord(c) for c in _CHAR_SEPARATORS + " \t\n\r\f\v"}), dtype=np.uint64)
_BITS = 21  # every Unicode code point fits in 21 bits; three fit in one 64-bit key


def char_ngram_key(ngram: str) -> int:
    """Return the integer key of one character n-gram (up to three characters).

    Examples
    --------
    >>> from custintel.models._text import char_ngram_key
    >>> char_ngram_key("快") != char_ngram_key("快递") != char_ngram_key("快递员")
    True
    """
    if not 1 <= len(ngram) <= 3:
        raise ValueError(f"character n-grams have 1 to 3 characters, got {ngram!r}.")
    key = 0
    for k, ch in enumerate(ngram):
        key |= ord(ch) << (2 * _BITS - _BITS * k)
    return key


def char_ngram_keys(texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and key of every character n-gram of many *normalised* texts, vectorised.

    The same n-grams as :meth:`Analyzer.char_features` (runs split at white space and
    punctuation), each as :func:`char_ngram_key` would give it: one numpy pass over the
    code points of all texts instead of a Python string per n-gram.

    Returns
    -------
    rows : ndarray of int64
        Index of the text each n-gram comes from.
    keys : ndarray of uint64
        The n-grams' keys.
    """
    if hi > 3:
        raise ValueError(f"character n-grams up to 3 characters are supported, got {hi}.")
    if not texts or not hi:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sep = np.isin(codes, _SEP_CODES)
    row = np.cumsum(codes == ord("\n"))  # normalised texts hold no newline of their own
    rows, keys = [], []
    for n in range(lo, hi + 1):
        width = len(codes) - n + 1
        if width <= 0:
            continue
        valid = ~sep[:width]
        key = codes[:width] << np.uint64(2 * _BITS)
        for k in range(1, n):
            valid &= ~sep[k : k + width]
            key |= codes[k : k + width] << np.uint64(2 * _BITS - _BITS * k)
        rows.append(row[:width][valid])
        keys.append(key[valid])
    if not rows:  # every text empty (or shorter than the shortest n-gram)
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(rows).astype(np.int64), np.concatenate(keys)


@lru_cache(maxsize=65536)
def lexicon_polarity(token: str) -> int:
    """Return the lexicon polarity of a (possibly negation-marked) token: 1, -1 or 0."""
    lex = sentiment_lexicon()
    if token.startswith(NEGATION_PREFIX):
        return -lexicon_polarity(token[len(NEGATION_PREFIX) :])
    if token in lex:
        return lex[token]
    if len(token) > 1 and token[0] in "不没" and token[1:] in lex:  # 不快, 没坏
        return -lex[token[1:]]
    return 0


def _lexicon_features(tokens: list[str]) -> list[str]:
    out = []
    for t in tokens:
        p = lexicon_polarity(t)
        if p:
            out.append("lex:pos" if p > 0 else "lex:neg")
    return out
