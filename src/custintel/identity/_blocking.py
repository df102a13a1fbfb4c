"""Blocking: candidate pairs of records that share a key, without comparing all pairs.

Records are grouped by each blocking key (normalised phone, e-mail, id number, district + house
number); only records inside one group are compared, so the work grows with the number of
records times the group size, not with its square. A group larger than ``max_block`` is not a
person but a shared value (a shop's phone, a placeholder e-mail, a fraud ring's number): inside
it only records that also share the name are compared, and a group still too large is skipped
and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs (row positions, ``a < b``) and how many key groups were too large."""

    a: np.ndarray
    b: np.ndarray
    oversized: int


def _present(key: np.ndarray) -> np.ndarray:
    return np.asarray(pd.notna(key), dtype=bool)


def pairs_sharing(
    key: np.ndarray, *, max_block: int, sub_key: np.ndarray | None = None
) -> Candidates:
    """All pairs of rows with equal, non-missing ``key`` (see the module notes for big groups)."""
    rows = np.flatnonzero(_present(key))
    if rows.size < 2:
        return Candidates(np.empty(0, np.int64), np.empty(0, np.int64), 0)
    codes, _ = pd.factorize(key[rows])
    sizes = np.bincount(codes)
    big = sizes[codes] > max_block
    order = np.argsort(codes[~big], kind="stable")
    small_rows, small_codes = rows[~big][order], codes[~big][order]
    a_parts, b_parts = [], []
    for d in range(1, max_block):
        if small_codes.size <= d:
            break
        same = small_codes[d:] == small_codes[:-d]
        if not same.any():
            break
        a_parts.append(small_rows[:-d][same])
        b_parts.append(small_rows[d:][same])
    oversized = int((sizes > max_block).sum())
    if oversized and sub_key is not None:
        big_rows = rows[big]
        composite = np.full(key.shape[0], None, dtype=object)
        sub = sub_key[big_rows]
        ok = _present(sub)
        composite[big_rows[ok]] = [
            f"{k}\x1f{s}" for k, s in zip(key[big_rows[ok]], sub[ok], strict=True)
        ]
        inner = pairs_sharing(composite, max_block=max_block)
        a_parts.append(inner.a)
        b_parts.append(inner.b)
    a = np.concatenate(a_parts) if a_parts else np.empty(0, np.int64)
    b = np.concatenate(b_parts) if b_parts else np.empty(0, np.int64)
    return Candidates(np.minimum(a, b), np.maximum(a, b), oversized)


def candidate_pairs(
    keys: dict[str, np.ndarray], *, n: int, max_block: int, sub_key: np.ndarray
) -> tuple[Candidates, dict[str, int]]:
    """Union of the pairs of every blocking key, deduplicated; oversized groups per key."""
    a_parts, b_parts = [], []
    oversized: dict[str, int] = {}
    for name, key in keys.items():
        found = pairs_sharing(key, max_block=max_block, sub_key=sub_key)
        a_parts.append(found.a)
        b_parts.append(found.b)
        oversized[name] = found.oversized
    a = np.concatenate(a_parts).astype(np.int64)
    b = np.concatenate(b_parts).astype(np.int64)
    code = np.unique(a * np.int64(n) + b)
    return Candidates(code // n, code % n, sum(oversized.values())), oversized
