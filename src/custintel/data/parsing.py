"""Parse raw columns into the kinds of the data contract, reporting what cannot be parsed.

Parsing never guesses: a value that cannot be read as its kind is reported, never dropped or
coerced to a missing value, and a timestamp without a time zone is only read when the caller says
which time zone it is in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custintel.data.schema import ColumnSpec

_OFFSET_SUFFIX = r"(?:Z|[+-]\d{2}:?\d{2})$"
_TRUE = frozenset({"true", "t", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否"})


@dataclass
class ParseFailure:
    """Rows of one column that could not be parsed, and why."""

    rule: str
    message: str
    mask: np.ndarray
    fix: str
    examples: tuple[object, ...] = ()


def parse_column(
    s: pd.Series, spec: ColumnSpec, *, tz: str | None, target_tz: str
) -> tuple[pd.Series, ParseFailure | None]:
    """Parse one column according to its spec.

    Parameters
    ----------
    s : Series
        The raw column (never modified).
    spec : ColumnSpec
        Contract of the column.
    tz : str or None
        Time zone of naive timestamps; ``None`` makes naive timestamps an error.
    target_tz : str
        Time zone every parsed timestamp is expressed in.

    Returns
    -------
    parsed : Series
        The parsed column (``s`` itself when nothing needed parsing).
    failure : ParseFailure or None
        The rows that could not be parsed, if any.
    """
    if spec.kind == "timestamp":
        return _parse_timestamp(s, tz=tz, target_tz=target_tz)
    if spec.kind in ("money", "float"):
        return _parse_number(s, whole=False)
    if spec.kind == "int":
        return _parse_number(s, whole=True)
    if spec.kind == "bool":
        return _parse_bool(s)
    return s, None


def _parse_timestamp(
    s: pd.Series, *, tz: str | None, target_tz: str
) -> tuple[pd.Series, ParseFailure | None]:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert(target_tz), None
    if pd.api.types.is_datetime64_dtype(s.dtype):
        if tz is None:
            return s, _naive_failure(s.notna().to_numpy())
        return _localize(s, tz).dt.tz_convert(target_tz), None
    if pd.api.types.is_numeric_dtype(s.dtype) and not s.isna().all():
        return s, ParseFailure(
            rule="wrong_type",
            message=f"holds numbers ({s.dtype}), expected timestamps",
            mask=s.notna().to_numpy(),
            fix="convert epoch numbers explicitly, e.g. pd.to_datetime(col, unit='s', utc=True)",
        )

    notna = s.notna().to_numpy()
    text = s.astype("string").str.strip()
    has_offset = text.str.contains(_OFFSET_SUFFIX, regex=True, na=False).to_numpy()
    naive = notna & ~has_offset
    if naive.any() and tz is None:
        return s, _naive_failure(naive)

    out = pd.Series(pd.NaT, index=s.index, dtype=pd.DatetimeTZDtype("ns", target_tz))
    bad = np.zeros(len(s), dtype=bool)
    for mask, utc in ((has_offset & notna, True), (naive, False)):
        if not mask.any():
            continue
        parsed = _to_datetime(text[mask], utc=utc)
        failed = parsed.isna().to_numpy()
        bad[np.flatnonzero(mask)[failed]] = True
        if not utc:
            parsed = _localize(parsed, tz)  # type: ignore[arg-type]
        out[mask] = parsed.dt.tz_convert(target_tz)
    if bad.any():
        return s, ParseFailure(
            rule="wrong_type",
            message="has values that are not timestamps",
            mask=bad,
            fix="use ISO 8601 text such as '2024-06-18 14:30:00+08:00', or datetime values",
            examples=tuple(text[bad].head(5)),
        )
    return out, None


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    parsed = pd.to_datetime(text, errors="coerce", utc=utc, format="ISO8601")
    retry = parsed.isna()
    if retry.any():
        parsed = parsed.copy()
        parsed[retry] = pd.to_datetime(text[retry], errors="coerce", utc=utc, format="mixed")
    return parsed


def _localize(s: pd.Series, tz: str) -> pd.Series:
    return s.dt.tz_localize(tz, ambiguous="raise", nonexistent="raise")


def _naive_failure(mask: np.ndarray) -> ParseFailure:
    return ParseFailure(
        rule="naive_timestamp",
        message="has timestamps without a time zone",
        mask=mask,
        fix="pass tz='Asia/Shanghai' (or the zone the data was recorded in), or store "
        "timezone-aware values such as '2024-06-18 14:30:00+08:00'",
    )


def _parse_number(s: pd.Series, *, whole: bool) -> tuple[pd.Series, ParseFailure | None]:
    expected = "whole numbers" if whole else "numbers"
    if pd.api.types.is_bool_dtype(s.dtype):
        return s, ParseFailure(
            rule="wrong_type",
            message=f"holds booleans, expected {expected}",
            mask=s.notna().to_numpy(),
            fix="store the values as numbers",
        )
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.astype("float64")
        bad = np.zeros(len(s), dtype=bool)
    else:
        values = pd.to_numeric(s.astype("string").str.strip(), errors="coerce").astype("float64")
        bad = (s.notna() & values.isna()).to_numpy()
    if bad.any():
        return s, ParseFailure(
            rule="wrong_type",
            message=f"has values that are not {expected}",
            mask=bad,
            fix="remove currency symbols, units and thousands separators; store plain numbers",
            examples=tuple(s[bad].head(5)),
        )
    finite = values.isna() | np.isfinite(values.fillna(0.0))
    if not finite.all():
        mask = (~finite).to_numpy()
        return s, ParseFailure(
            rule="not_finite",
            message="has infinite values",
            mask=mask,
            fix="replace infinities with the real value or leave the cell empty",
        )
    if not whole:
        return values, None
    frac = (values % 1).fillna(0.0).to_numpy() != 0
    if frac.any():
        return s, ParseFailure(
            rule="wrong_type",
            message="has fractional values, expected whole numbers",
            mask=frac,
            fix="round or correct these values",
            examples=tuple(s[frac].head(5)),
        )
    if values.isna().any():
        return values.astype("Int64"), None
    return values.astype("int64"), None


def _parse_bool(s: pd.Series) -> tuple[pd.Series, ParseFailure | None]:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s, None
    notna = s.notna()
    if pd.api.types.is_numeric_dtype(s.dtype):
        is_true, is_false = s.eq(1), s.eq(0)
    else:
        text = s.astype("string").str.strip().str.lower()
        is_true, is_false = text.isin(_TRUE), text.isin(_FALSE)
    bad = (notna & ~is_true & ~is_false).to_numpy()
    values = pd.Series(pd.NA, index=s.index, dtype="boolean")
    values[is_true.to_numpy(dtype=bool, na_value=False)] = True
    values[is_false.to_numpy(dtype=bool, na_value=False)] = False
    if bad.any():
        return s, ParseFailure(
            rule="wrong_type",
            message="has values that are not booleans",
            mask=bad,
            fix="use True/False (or 1/0, 'true'/'false', 'yes'/'no')",
            examples=tuple(s[bad].head(5)),
        )
    return (values.astype(bool) if not values.isna().any() else values), None
