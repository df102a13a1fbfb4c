"""Logistics complaint aspects of Chinese text: a lexicon and a few rules over jieba tokens.

Each text is tokenised as by the sentiment model (:mod:`custintel.models._text`), negation is
marked, and the tokens are cut into clauses at punctuation. In each clause, a token names an
aspect when it is one of the aspect's terms (``resources/aspect_lexicon.json``) or contains a
term of two or more characters. Terms shared between aspects (很快, 态度, 耐心 ...) are weak: an
aspect found in a clause only through weak terms is dropped when another aspect is found there
through a term of its own (客服回复很快 is about customer service). Terms carry a polarity of
their own (破损 -1, 完好 +1, 快递员 0); a negator flips it (没有破损 is praise). A negated
neutral term does not tag its aspect, so blame moved away (不是快递的问题) tags nothing. The
aspect's sentiment in the clause is the sum of its terms' polarities and of the
sentiment-lexicon polarities of every token of the clause; summed over clauses; when that is
zero, the polarity of the whole text decides, and a text without any cue counts as ``"neg"``
(an aspect is mostly mentioned to complain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from custintel.models._text import (
    _PUNCT,
    NEGATION_PREFIX,
    aspect_lexicon,
    lexicon_polarity,
    mark_negation,
    normalize,
    tokenize,
    weak_aspect_terms,
)

#: The complaint aspects, in the column order of :func:`tag_aspects`.
ASPECTS: tuple[str, ...] = (
    "delivery_speed",
    "package_damage",
    "lost_parcel",
    "courier_attitude",
    "customer_service",
    "refund_return",
    "product_quality",
    "price",
)


def _clauses(tokens: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for t in tokens:
        if t in _PUNCT:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(t)
    return [c for c in out if c]


def _term_hit(token: str, terms: dict[str, int], weak: frozenset[str]) -> tuple[int, bool] | None:
    """Return the polarity of the aspect term in ``token`` and whether the term is weak.

    Negation is applied; ``None`` means the token names no term of the aspect.
    """
    negated = token.startswith(NEGATION_PREFIX)
    base = token[len(NEGATION_PREFIX) :] if negated else token
    if base in terms:
        polarity, is_weak = terms[base], base in weak
    else:
        inside = [(p, t in weak) for t, p in terms.items() if len(t) > 1 and t in base]
        if not inside:
            return None
        # a polar term beats a neutral one, a term of its own a shared one
        polarity, is_weak = min(inside, key=lambda h: (h[0] == 0, h[1], h[0]))
        if base[0] in "不没" and base[1:] not in terms and polarity:  # 不准时, 没破损
            polarity = -polarity
    if negated:
        return None if polarity == 0 else (-polarity, is_weak)
    return polarity, is_weak


@lru_cache(maxsize=262_144)
def _token_hits(token: str) -> tuple[tuple[str, int, bool], ...]:
    """Every aspect term ``token`` names: (aspect, polarity, weak), cached per token."""
    weak = weak_aspect_terms()
    hits = []
    for aspect, terms in aspect_lexicon().items():
        hit = _term_hit(token, terms, weak)
        if hit is not None:
            hits.append((aspect, *hit))
    return tuple(hits)


def _tag_one(text: str, hmm: bool) -> dict[str, str | None]:
    tokens = mark_negation(tokenize(normalize(text), hmm=hmm))
    total = sum(lexicon_polarity(t) for t in tokens)
    scores: dict[str, int] = {}
    for clause in _clauses(tokens):
        mood = sum(lexicon_polarity(t) for t in clause)
        found: dict[str, list[tuple[int, bool]]] = {}
        for t in clause:
            for aspect, polarity, is_weak in _token_hits(t):
                found.setdefault(aspect, []).append((polarity, is_weak))
        strong = {a for a, hits in found.items() if not all(w for _, w in hits)}
        for aspect, hits in found.items():
            if aspect not in strong and strong:
                continue
            scores[aspect] = scores.get(aspect, 0) + sum(p for p, _ in hits) + mood
    out: dict[str, str | None] = dict.fromkeys(ASPECTS)
    for aspect, score in scores.items():
        score = score or total
        out[aspect] = "pos" if score > 0 else "neg"
    return out


def tag_aspects(texts: Iterable[str], *, hmm: bool = False) -> pd.DataFrame:
    """Tag the logistics complaint aspects of each text, with their sentiment.

    Parameters
    ----------
    texts : iterable of str
        Reviews, chat messages or service tickets. A pandas Series keeps its index.
    hmm : bool
        Let jieba guess unknown words with its HMM.

    Returns
    -------
    DataFrame
        One row per text, one column per aspect of :data:`ASPECTS`: ``"neg"`` (a complaint),
        ``"pos"`` (praise) or ``None`` (not mentioned).

    Examples
    --------
    >>> from custintel.models._aspects import tag_aspects
    >>> tags = tag_aspects(["等了一周才到，箱子还压扁了", "运费很便宜"])
    >>> tags.loc[0, ["delivery_speed", "package_damage"]].tolist()
    ['neg', 'neg']
    >>> tags.loc[1, "price"], tags.loc[1, "lost_parcel"]
    ('pos', None)
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    items = list(texts)
    bad = [i for i, t in enumerate(items) if not isinstance(t, str)]
    if bad:
        raise ValueError(
            f"texts must all be str; {len(bad)} are not, e.g. at positions {bad[:3]}. "
            "Replace missing texts with '' (e.g. series.fillna(''))."
        )
    codes, uniques = pd.factorize(pd.Series(items, dtype=object), sort=False)
    rows = [_tag_one(t, hmm) for t in uniques]  # each distinct text once
    frame = pd.DataFrame(rows, columns=list(ASPECTS), dtype=object).iloc[codes]
    frame.index = index if index is not None else pd.RangeIndex(len(codes))
    return frame.astype(object).where(frame.notna(), None)


class AspectNames(tuple[str, ...]):
    """The aspect names, as a tuple, that also tag texts when called.

    ``SentimentClassifier.aspects`` is one: ``list(model.aspects)`` names the aspects (what
    :class:`custintel.features.voice.TextScorer` asks for) and ``model.aspects(texts)`` runs
    :func:`tag_aspects`.
    """

    def __call__(self, texts: Sequence[str], **kwargs: Any) -> pd.DataFrame:
        """Return :func:`tag_aspects` of ``texts``."""
        return tag_aspects(texts, **kwargs)
