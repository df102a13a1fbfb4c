"""Pair scoring: evidence for and against two records being the same person.

Each comparison adds a weight, in the spirit of Fellegi-Sunter log-likelihood ratios: agreement
on a field that rarely agrees by chance adds much, disagreement on a field a person keeps
subtracts much. The weights are set by hand (documented in :data:`WEIGHTS`), not learned.

A pair is merged when its score reaches the threshold and nothing vetoes it. Two vetoes make a
shared strong key (phone, e-mail, id number) insufficient on its own: the names clearly differ
(a family member's or a shop's phone, a fraud ring's shared number), or both records carry valid
but different id numbers. Such pairs are reported as conflicts, not merged.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from custintel.identity._keys import RecordKeys

#: Weight of each piece of evidence (positive: same person is more likely).
WEIGHTS: dict[str, float] = {
    "id_number": 10.0,  # same valid id number (18 digits with a correct check character)
    "phone": 8.0,  # same normalised phone number
    "email": 5.0,  # same e-mail (lower weight: name-based addresses recur: wei.zhang@qq.com)
    "address": 4.0,  # same district and the same house number groups (548-22-4-1304)
    "name": 4.0,  # identical name
    "name~": 1.0,  # name within one character (a homophone or look-alike typo: 孙晓芳/孙晓方)
    "birth_year": 1.0,  # same birth year
    "id_number_conflict": -12.0,  # both have valid, different id numbers (veto)
    "name_conflict": -10.0,  # names differ by more than one character (veto)
    "birth_year_conflict": -6.0,
    "gender_conflict": -6.0,
    # Both have numbers, different. People do change numbers, but e-mail + name + birth year
    # alone must not outweigh it (name-based e-mails recur: zhangjia01@qq.com).
    "phone_conflict": -3.0,
    "city_conflict": -2.0,
}
STRONG_KEYS: tuple[str, ...] = ("id_number", "phone", "email")


def _same(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(both present and equal, both present and different) for object key arrays."""
    xa, xb = x[a], x[b]
    both = np.asarray([u is not None and v is not None for u, v in zip(xa, xb, strict=True)])
    if both.size == 0:
        return both, both
    equal = np.zeros(both.shape[0], dtype=bool)
    equal[both] = xa[both] == xb[both]
    return equal, both & ~equal


def name_closeness(names_a: np.ndarray, names_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(exact, within one character) for pairs of names; missing names are neither."""
    present = np.asarray(
        [u is not None and v is not None for u, v in zip(names_a, names_b, strict=True)], bool
    )
    exact = np.zeros(present.shape[0], dtype=bool)
    close = np.zeros(present.shape[0], dtype=bool)
    if present.any():
        na, nb = names_a[present].tolist(), names_b[present].tolist()
        dist = cpdist(na, nb, scorer=Levenshtein.distance, workers=1)
        sim = cpdist(na, nb, scorer=Levenshtein.normalized_similarity, workers=1)
        shortest = np.minimum([len(x) for x in na], [len(x) for x in nb])
        exact[present] = dist == 0
        # One substituted character in a personal name, or 80% similar for long (company) names.
        close[present] = (dist > 0) & (((dist <= 1) & (shortest >= 2)) | (sim >= 0.8))
    return exact, close & ~exact


def score_pairs(keys: RecordKeys, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Evidence flags, score and decision of each candidate pair ``(a[k], b[k])``."""
    ev: dict[str, np.ndarray] = {}
    ev["id_number"], ev["id_number_conflict"] = _same(keys.id_number, a, b)
    ev["phone"], ev["phone_conflict"] = _same(keys.phone, a, b)
    ev["email"], _ = _same(keys.email, a, b)
    same_district, _ = _same(keys.district, a, b)
    same_house, _ = _same(keys.house, a, b)
    ev["address"] = same_district & same_house
    _, ev["city_conflict"] = _same(keys.city, a, b)
    _, ev["gender_conflict"] = _same(keys.gender, a, b)
    ev["name"], ev["name~"] = name_closeness(keys.name[a], keys.name[b])
    names_known = np.asarray(
        [u is not None and v is not None for u, v in zip(keys.name[a], keys.name[b], strict=True)],
        dtype=bool,
    )
    ev["name_conflict"] = names_known & ~ev["name"] & ~ev["name~"]
    ya, yb = keys.birth_year[a], keys.birth_year[b]
    years = ~np.isnan(ya) & ~np.isnan(yb)
    ev["birth_year"] = years & (ya == yb)
    ev["birth_year_conflict"] = years & (ya != yb)

    score = np.zeros(a.shape[0], dtype=np.float64)
    for name, weight in WEIGHTS.items():
        score += weight * ev[name]
    strong = np.zeros(a.shape[0], dtype=bool)
    for name in STRONG_KEYS:
        strong |= ev[name]
    veto = ev["name_conflict"] | ev["id_number_conflict"]
    return {**ev, "score": score, "strong": strong, "veto": veto}


def describe(ev: dict[str, np.ndarray], *, merged: np.ndarray) -> tuple[list[str], list[str]]:
    """Reason of each pair: the agreeing evidence (merged) or why it was rejected."""
    agree = [k for k, w in WEIGHTS.items() if w > 0]
    against = [k for k, w in WEIGHTS.items() if w < 0]
    reasons, rejections = [], []
    for k in range(merged.shape[0]):
        reasons.append("+".join(name for name in agree if ev[name][k]))
        if merged[k]:
            rejections.append("")
        else:
            found = [name.removesuffix("_conflict") + " differs" for name in against if ev[name][k]]
            rejections.append(", ".join(found) if found else "score below threshold")
    return reasons, rejections
