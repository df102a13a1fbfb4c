"""Vectorised text helpers shared by the identity modules (Arrow compute kernels)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Whitespace and the separators people type between address parts or inside phone numbers.
SEPARATORS = r"[\s,，、;；:：/\\|·•.。\-－—_~()（）\[\]【】{}<>《》\"'“”‘’]+"


def as_text(values: object) -> pd.Series:
    """Return ``values`` as a string Series (missing stays missing; 13812345678.0 -> digits)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_float_dtype(s.dtype):
        out = pd.Series(pd.NA, index=s.index, dtype="string")
        whole = s.notna() & (s == np.floor(s))
        out[whole] = s[whole].astype("int64").astype("string")
        other = s.notna() & ~whole
        out[other] = s[other].astype("string")
        return out
    return s.astype("string")


def objects(values: pd.Series | pd.Index) -> np.ndarray:
    """Return the values as a NumPy object array with ``None`` for missing values."""
    return values.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]


def to_arrow(values: pd.Series) -> pa.Array:
    """Return a string Series as an Arrow ``large_string`` array (missing values: nulls)."""
    return pa.array(objects(values), pa.large_string())


def from_arrow(arr: pa.Array | pa.ChunkedArray, index: pd.Index, name: Any = None) -> pd.Series:
    """Return an Arrow string array as a ``string`` Series with ``index`` (by position)."""
    out = arr.to_pandas().astype("string")
    out.index = index
    out.name = name
    return out


def normalize(arr: pa.Array) -> pa.Array:
    """NFKC (full-width digits and letters become ASCII), then drop whitespace and separators."""
    return pc.replace_substring_regex(pc.utf8_normalize(arr, form="NFKC"), SEPARATORS, "")


def factorize_text(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes (-1 = missing) and the unique values, as Python strings."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, [str(u) for u in uniques]


def take_column(
    values: list[Any], codes: np.ndarray, index: pd.Index, dtype: Any, fill: object = pd.NA
) -> pd.Series:
    """Spread per-unique ``values`` back to the rows (``codes`` of -1 get ``fill``)."""
    arr = np.empty(len(values) + 1, dtype=object)
    arr[:-1] = values
    arr[-1] = fill
    taken = arr[np.where(codes < 0, len(values), codes)]
    return pd.Series(taken, index=index).astype(dtype)
