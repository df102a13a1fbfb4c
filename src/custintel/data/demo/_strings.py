"""Vectorised string building for the demo generator.

Every text column is assembled from small vocabularies with arrow kernels (``take`` and
``binary_join_element_wise``) or from fixed-width ASCII digit matrices, so no Python loop ever
runs over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The pandas string dtype of every text column the generator returns (arrow-backed).
STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)

_QUADS = (np.arange(10_000)[:, None] // 10 ** np.arange(3, -1, -1) % 10 + 48).astype(np.uint8)

Part: TypeAlias = pa.Array | pa.ChunkedArray | str


def vocab(words: Sequence[str]) -> pa.Array:
    """Return ``words`` as an arrow ``large_string`` array."""
    return pa.array(list(words), type=pa.large_string())


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Return the zero-padded ASCII digits of non-negative integers, shape ``(n, width)``."""
    v = np.asarray(values, dtype=np.int64)
    n_quads = -(-width // 4)
    out = np.empty((len(v), n_quads * 4), dtype=np.uint8)
    for q in range(n_quads - 1, -1, -1):
        out[:, 4 * q : 4 * q + 4] = _QUADS[v % 10_000]
        v = v // 10_000
    return out[:, n_quads * 4 - width :]


def ascii_matrix(mat: np.ndarray) -> pa.Array:
    """Turn an ``(n, width)`` uint8 matrix of ASCII bytes into an arrow string array."""
    n, width = mat.shape
    data = np.ascontiguousarray(mat, dtype=np.uint8).reshape(-1)
    offsets = np.arange(0, n * width + 1, width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Return ``prefix`` followed by ``numbers`` zero-padded to ``width`` digits."""
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    numbers = np.asarray(numbers, dtype=np.int64)
    mat = np.empty((len(numbers), len(pre) + width), dtype=np.uint8)
    mat[:, : len(pre)] = pre
    mat[:, len(pre) :] = digit_matrix(numbers, width)
    return ascii_matrix(mat)


def take(words: Sequence[str] | pa.Array | pa.ChunkedArray, codes: np.ndarray) -> pa.Array:
    """Pick ``words[codes]``; a negative code gives a missing value."""
    arr = words if isinstance(words, pa.Array | pa.ChunkedArray) else vocab(words)
    codes = np.asarray(codes)
    missing = codes < 0
    idx = pa.array(np.where(missing, 0, codes), mask=missing if missing.any() else None)
    out = arr.take(idx)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def join(*parts: Part) -> pa.Array:
    """Concatenate arrays and literal strings element-wise (no separator)."""
    args = [pa.scalar(p, type=pa.large_string()) if isinstance(p, str) else p for p in parts]
    out = pc.binary_join_element_wise(*args, pa.scalar("", type=pa.large_string()))
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def choose(mask: np.ndarray, if_true: Part, if_false: Part) -> pa.Array:
    """Pick ``if_true`` where ``mask`` holds and ``if_false`` elsewhere."""
    a = pa.scalar(if_true, type=pa.large_string()) if isinstance(if_true, str) else if_true
    b = pa.scalar(if_false, type=pa.large_string()) if isinstance(if_false, str) else if_false
    out = pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def concat(arrays: Sequence[pa.Array]) -> pa.Array:
    """Stack arrow string arrays end to end (a lookup book for :func:`take`)."""
    return pa.concat_arrays([a.cast(pa.large_string()) for a in arrays])


def to_series(arr: pa.Array, name: str | None = None) -> pd.Series:
    """Wrap an arrow string array as a pandas ``str`` Series without copying."""
    return pd.Series(arr, dtype=STR_DTYPE, name=name)


def categorical(codes: np.ndarray, categories: Sequence[str], name: str | None = None) -> pd.Series:
    """Build a ``category`` Series from integer codes (-1 = missing)."""
    cats = pd.Index(list(categories), dtype=STR_DTYPE)
    n_cat = len(cats)
    small = np.int8 if n_cat < 127 else np.int16 if n_cat < 32_000 else np.int32
    return pd.Series(pd.Categorical.from_codes(np.asarray(codes, dtype=small), cats), name=name)


def grouped_ids(group: np.ndarray, prefixes: Sequence[str], width: int) -> pa.Array:
    """Ids ``prefixes[g]`` + a serial counted separately in each group, in row order."""
    group = np.asarray(group)
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=len(prefixes))
    parts = [fixed_ids(p, 1 + np.arange(counts[g]), width) for g, p in enumerate(prefixes)]
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    return take(concat(parts), position)


def int_text(values: np.ndarray) -> pa.Array:
    """Decimal strings of non-negative integers, without leading zeros."""
    values = np.asarray(values, dtype=np.int64)
    width = np.maximum(1, np.floor(np.log10(np.maximum(values, 1))).astype(np.int64) + 1)
    order = np.argsort(width, kind="stable")
    parts = []
    for w in np.unique(width):
        parts.append(fixed_ids("", values[order[width[order] == w]], int(w)))
    book = concat(parts)
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    return take(book, position)


def numbers_text(lo: int, hi: int) -> pa.Array:
    """Return the decimal strings of ``lo .. hi - 1`` (index ``k`` holds ``str(lo + k)``)."""
    return vocab([str(k) for k in range(lo, hi)])
