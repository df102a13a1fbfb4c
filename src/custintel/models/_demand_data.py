"""Check a long frame of demand series before a forecaster reads it.

A forecaster expects one row per series and period (``series_id, ds, y``), periods on one
regular grid (daily, weekly, monthly, quarterly or yearly), no holes, and counts or amounts
that are finite and not negative: the shape :func:`custintel.features.demand_series`
returns. :func:`check_series` enforces that, infers the frequency, and optionally fills
holes with zeros.

Frequencies are pandas aliases naming the timestamps a period is labelled with, always midnight:

- ``"D"``: every day;
- ``"W-MON"`` ... ``"W-SUN"``: weeks labelled by the weekday they start on (``demand_series``
  weeks run Monday to Sunday, so ``"W-MON"``); ``"W"`` takes the weekday from the data;
- ``"MS"`` (alias ``"M"``, as in ``demand_series``): months labelled by their first day;
  ``"ME"``: months labelled by their last day;
- ``"QS"``/``"QE"`` (alias ``"Q"``) and ``"YS"``/``"YE"`` (alias ``"Y"``): calendar quarters
  and years, labelled by their first (or last) day.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd

from custintel.data import Problem, SchemaError
from custintel.data.errors import examples_of

logger = logging.getLogger("custintel.models")

_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TABLE = "frame"


def check_series(
    frame: pd.DataFrame,
    *,
    freq: str | None = None,
    id_col: str = "series_id",
    time_col: str = "ds",
    target_col: str = "y",
    min_length: int = 2,
    fill_gaps: bool = False,
) -> pd.DataFrame:
    """Validate a long frame of demand series and return a clean, sorted copy.

    Parameters
    ----------
    frame : DataFrame
        One row per series and period. Other columns are kept (missing in filled rows).
    freq : str, optional
        ``"D"``, ``"W"``, ``"W-MON"`` ... ``"W-SUN"``, ``"M"``/``"MS"``, ``"ME"``, ``"QS"``,
        ``"QE"``, ``"YS"`` or ``"YE"`` (see the
        module notes). ``None`` infers it from the data and rejects series on different grids.
    id_col, time_col, target_col : str
        Columns of the series id, the period's timestamp (naive, midnight) and the value.
    min_length : int
        Fewest periods a series must span, first to last, holes included.
    fill_gaps : bool
        Insert missing periods inside each series with ``y = 0`` (logged, and counted in the
        returned frame's ``attrs``) instead of raising.

    Returns
    -------
    DataFrame
        A copy sorted by series and time with a fresh index; ``time_col`` is ``datetime64``
        and ``target_col`` float64. ``.attrs["check_series"]`` holds ``freq`` (the canonical
        alias used), ``n_series``, ``n_filled`` and ``filled`` (series id to periods inserted).

    Raises
    ------
    custintel.data.SchemaError
        A ``ValueError`` listing every broken rule: missing columns, missing ids or times,
        non-numeric, non-finite or negative values, duplicate (series, time) rows, times off
        the frequency grid, mixed or unknown frequencies, holes (without ``fill_gaps``) and
        short series. Each names the column, counts the rows, shows a few examples and a fix.

    Examples
    --------
    >>> frame = pd.DataFrame({"series_id": ["b", "a", "a", "b"],
    ...                       "ds": pd.to_datetime(["2024-01-08", "2024-01-01",
    ...                                             "2024-01-08", "2024-01-01"]),
    ...                       "y": [3, 1, 2, 4]})
    >>> clean = check_series(frame)
    >>> clean.attrs["check_series"]["freq"], clean["y"].tolist()
    ('W-MON', [1.0, 2.0, 4.0, 3.0])
    >>> daily = check_series(frame[frame["series_id"] == "a"], freq="D", fill_gaps=True)
    >>> daily["y"].tolist(), daily.attrs["check_series"]["filled"]
    ([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], {'a': 6})
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 1:
        raise ValueError(f"min_length must be a positive integer, got {min_length!r}.")
    wanted = _canonical(freq) if freq is not None else None
    missing = [c for c in (id_col, time_col, target_col) if c not in frame.columns]
    if missing:
        raise SchemaError(
            Problem(
                _TABLE,
                None,
                "missing_column",
                f"lacks column(s) {missing}; it has {list(frame.columns)[:10]}",
                fix="rename the columns or pass id_col=, time_col=, target_col=",
            )
        )
    if frame.empty:
        raise SchemaError(
            Problem(_TABLE, None, "empty", "has no rows", fix="pass at least one series")
        )

    out = frame.copy()
    _raise(_check_values(out, id_col, time_col, target_col))

    times = out[time_col]
    if wanted is None or wanted == "W":
        inferred = _infer(out, id_col, time_col, weekly_only=wanted == "W")
    else:
        inferred = wanted
    off = ~_on_grid(times, inferred)
    if off.any():
        _raise(
            [
                _problem(
                    out.loc[off.to_numpy(), [id_col, time_col]],
                    time_col,
                    "off_grid",
                    f"timestamps are not on the {inferred!r} grid",
                    "label each period by its start, e.g. "
                    f"frame[{time_col!r}].dt.to_period('W-SUN').dt.start_time for Monday weeks, "
                    "then sum duplicate rows; or pass the right freq=",
                )
            ]
        )

    ordinal = _ordinals(times, inferred)
    out = out.assign(_ordinal=ordinal).sort_values([id_col, "_ordinal"], kind="stable")
    spans = out.groupby(id_col, sort=False)["_ordinal"].agg(["min", "max", "size"])
    holes = spans["max"] - spans["min"] + 1 - spans["size"]
    gapped = holes[holes > 0]
    filled: dict[Any, int] = {}
    if len(gapped) and not fill_gaps:
        where = []
        first5 = spans.loc[gapped.index[:5]]
        for (key, n), lo, hi in zip(
            gapped.head(5).items(), first5["min"], first5["max"], strict=True
        ):
            present = out.loc[(out[id_col] == key).to_numpy(), "_ordinal"].to_numpy()
            span = np.arange(lo, hi + 1)
            first = _from_ordinals(np.setdiff1d(span, present)[:1], inferred)[0]
            where.append(f"{key}: {n} missing from {first.date()}")
        _raise(
            [
                Problem(
                    _TABLE,
                    time_col,
                    "gaps",
                    f"{int(gapped.sum())} missing period(s) inside {len(gapped)} series "
                    f"on the {inferred!r} grid",
                    n_rows=int(gapped.sum()),
                    examples=tuple(where),
                    fix="pass fill_gaps=True to insert them with y=0, or build the frame "
                    "with demand_series (zero-filled)",
                )
            ]
        )
    if len(gapped):
        out = _fill(out, gapped.index, id_col, time_col, target_col, inferred)
        filled = {k: int(v) for k, v in gapped.items()}
        logger.info(
            "check_series: inserted %d missing period(s) with %s=0 in %d series",
            int(gapped.sum()),
            target_col,
            len(gapped),
        )

    lengths = spans["max"] - spans["min"] + 1
    short = lengths[lengths < min_length]
    if len(short):
        _raise(
            [
                Problem(
                    _TABLE,
                    id_col,
                    "short_series",
                    f"{len(short)} series span fewer than min_length={min_length} periods",
                    n_rows=len(short),
                    examples=tuple(f"{k}: {n}" for k, n in short.items()),
                    fix=f"drop them, e.g. frame.groupby({id_col!r}).filter(lambda g: "
                    f"len(g) >= {min_length}), or lower min_length",
                )
            ]
        )

    out = out.drop(columns="_ordinal").reset_index(drop=True)
    out.attrs["check_series"] = {
        "freq": inferred,
        "n_series": len(spans),
        "n_filled": sum(filled.values()),
        "filled": filled,
    }
    return out


def _canonical(freq: str) -> str:
    """Turn a user's frequency into "D", "W" (weekday from data), "W-XXX", "MS", "ME", ...."""
    text = str(freq).upper()
    if text in ("D", "W", "MS", "ME", "QS", "QE", "YS", "YE"):
        return text
    if text in ("M", "Q", "Y"):
        return f"{text}S"
    if text.startswith("W-") and text[2:] in _DAYS:
        return text
    raise ValueError(
        f"freq must be 'D', 'W', 'W-MON' ... 'W-SUN', 'M'/'MS', 'ME', 'Q'/'QS', 'QE', 'Y'/'YS' "
        f"or 'YE', or None to infer it; "
        f"got {freq!r}."
    )


def _check_values(out: pd.DataFrame, id_col: str, time_col: str, target_col: str) -> list[Problem]:
    """Coerce the time and value columns in place (on the copy) and list what is broken."""
    problems: list[Problem] = []
    null_id = out[id_col].isna().to_numpy()
    if null_id.any():
        problems.append(
            Problem(
                _TABLE,
                id_col,
                "missing_id",
                "has missing series ids",
                n_rows=int(null_id.sum()),
                fix="drop those rows or give them an id",
            )
        )

    times = out[time_col]
    if not pd.api.types.is_datetime64_any_dtype(times):
        try:
            with warnings.catch_warnings():  # the message below says what to do instead
                warnings.simplefilter("ignore", UserWarning)
                times = pd.to_datetime(times)
        except (TypeError, ValueError) as exc:
            problems.append(
                Problem(
                    _TABLE,
                    time_col,
                    "not_datetime",
                    f"could not be read as timestamps ({exc})",
                    fix=f"convert it with pd.to_datetime(frame[{time_col!r}], format=...)",
                )
            )
            return problems
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        problems.append(
            Problem(
                _TABLE,
                time_col,
                "tz_aware",
                f"has time zone {times.dt.tz}; periods are labelled in naive local time",
                fix=f"use frame[{time_col!r}].dt.tz_localize(None)",
            )
        )
        return problems
    out[time_col] = times
    bad_time = times.isna().to_numpy()
    if bad_time.any():
        problems.append(
            _problem(
                out.loc[bad_time],
                id_col,
                "missing_time",
                "has missing timestamps",
                "drop those rows or fill their timestamps",
                examples_col=id_col,
            )
        )
    not_midnight = (~bad_time) & (times != times.dt.normalize()).to_numpy()
    if not_midnight.any():
        problems.append(
            _problem(
                out.loc[not_midnight, [id_col, time_col]],
                time_col,
                "off_grid",
                "timestamps are not at midnight; periods are labelled by their first day",
                f"floor them with frame[{time_col!r}].dt.normalize() and sum duplicate rows",
            )
        )

    values = out[target_col]
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        problems.append(
            Problem(
                _TABLE,
                target_col,
                "not_numeric",
                f"must be numeric, got dtype {values.dtype}",
                fix=f"convert it with pd.to_numeric(frame[{target_col!r}])",
            )
        )
    else:
        y = values.to_numpy(np.float64, na_value=np.nan)
        out[target_col] = y
        nonfinite = ~np.isfinite(y)
        if nonfinite.any():
            problems.append(
                _problem(
                    out.loc[nonfinite, [id_col, time_col]],
                    target_col,
                    "non_finite",
                    "holds NaN or infinite values",
                    "fill them (0 for a period without demand) or drop those rows",
                )
            )
        negative = np.isfinite(y) & (y < 0)
        if negative.any():
            problems.append(
                _problem(
                    out.loc[negative, [id_col, time_col]],
                    target_col,
                    "negative",
                    "holds negative values; demand counts and amounts are at least 0",
                    "net returns out elsewhere or clip at 0 with .clip(lower=0)",
                )
            )

    if not bad_time.any() and not null_id.any():
        dup = out.duplicated([id_col, time_col], keep=False).to_numpy()
        if dup.any():
            rows = out.loc[dup, [id_col, time_col]].drop_duplicates()
            problems.append(
                _problem(
                    rows,
                    time_col,
                    "duplicate",
                    f"has {int(dup.sum())} rows sharing a ({id_col}, {time_col}) pair with "
                    "another row",
                    f"aggregate them, e.g. frame.groupby([{id_col!r}, {time_col!r}], "
                    f"as_index=False)[{target_col!r}].sum()",
                    n_rows=int(dup.sum()),
                )
            )
    return problems


def _problem(
    rows: pd.DataFrame,
    column: str,
    rule: str,
    message: str,
    fix: str,
    *,
    n_rows: int | None = None,
    examples_col: str | None = None,
) -> Problem:
    """Build a Problem whose examples are (series, timestamp) pairs of the offending rows."""
    if examples_col is not None:
        examples = examples_of(rows[examples_col])
    else:
        a, b = rows.columns[:2]
        examples = tuple(
            (k, _day(t)) for k, t in zip(examples_of(rows[a]), rows[b].iloc[:5], strict=True)
        )
    return Problem(
        _TABLE,
        column,
        rule,
        message,
        n_rows=len(rows) if n_rows is None else n_rows,
        examples=examples,
        fix=fix,
    )


def _day(t: pd.Timestamp) -> str:
    return str(t.date()) if t == t.normalize() else str(t)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise SchemaError(problems)


def _natural(times: pd.Series) -> str | None:
    """Return the coarsest grid one series' timestamps fit, or None for a single timestamp."""
    t = pd.DatetimeIndex(times.drop_duplicates().sort_values())
    if len(t) < 2:
        return None
    days = np.diff(t.asi8) // (86_400 * 10 ** _exponent(t))
    for least, kind, starts, ends in (
        (365, "Y", t.is_year_start, t.is_year_end),
        (89, "Q", t.is_quarter_start, t.is_quarter_end),
    ):
        if days.min() >= least and starts.all():
            return f"{kind}S"
        if days.min() >= least and ends.all():
            return f"{kind}E"
    if days.min() >= 28 and t.is_month_start.all():
        return "MS"
    if days.min() >= 28 and t.is_month_end.all():
        return "ME"
    if (days % 7 == 0).all() and len(set(t.day_of_week)) == 1:
        return f"W-{_DAYS[t[0].day_of_week]}"
    return "D"


def _exponent(t: pd.DatetimeIndex) -> int:
    """Decimal exponent of the index's unit: 9 for ns, 6 for us, 3 for ms, 0 for s."""
    return {"ns": 9, "us": 6, "ms": 3, "s": 0}[str(t.unit)]


def _infer(out: pd.DataFrame, id_col: str, time_col: str, *, weekly_only: bool) -> str:
    """Infer one frequency for all series; raise if series disagree or none can tell."""
    if weekly_only:
        days = out[time_col].dt.day_of_week.value_counts()
        return f"W-{_DAYS[int(days.idxmax())]}"
    naturals = out.groupby(id_col, sort=True)[time_col].agg(_natural).dropna()
    kinds = naturals.unique().tolist()
    if not kinds:
        raise SchemaError(
            Problem(
                _TABLE,
                time_col,
                "unknown_freq",
                "cannot infer the frequency: every series has a single timestamp",
                fix="pass freq='D', 'W' or 'MS'",
            )
        )
    if len(kinds) > 1:
        by_kind = tuple(f"{k}: {naturals.index[naturals == k][0]!r}" for k in sorted(kinds))
        raise SchemaError(
            Problem(
                _TABLE,
                time_col,
                "mixed_freq",
                f"series are on different grids {sorted(kinds)}",
                examples=by_kind,
                fix="split the frame by frequency, or pass freq= (a daily series with holes "
                "on one weekday looks weekly)",
            )
        )
    return str(kinds[0])


def _on_grid(times: pd.Series, freq: str) -> pd.Series:
    if freq == "D":
        return pd.Series(True, index=times.index)
    if freq == "MS":
        return times.dt.is_month_start
    if freq == "ME":
        return times.dt.is_month_end
    if freq[0] in "QY":
        kind = "quarter" if freq[0] == "Q" else "year"
        return getattr(times.dt, f"is_{kind}_{'start' if freq[1] == 'S' else 'end'}")
    return times.dt.day_of_week == _DAYS.index(freq[2:])


def _period_freq(freq: str) -> str:
    """Period alias whose periods start on the grid's timestamps (or end, for "ME")."""
    if freq in ("MS", "ME", "QS", "QE", "YS", "YE"):
        return freq[0]
    if freq == "D":
        return "D"
    before = _DAYS[(_DAYS.index(freq[2:]) - 1) % 7]  # weeks starting Tuesday end on Monday
    return f"W-{before}"


def _ordinals(times: pd.Series, freq: str) -> np.ndarray:
    return pd.PeriodIndex(times.dt.to_period(_period_freq(freq))).asi8


def _from_ordinals(ordinals: np.ndarray, freq: str) -> pd.DatetimeIndex:
    periods = pd.PeriodIndex.from_ordinals(  # type: ignore[attr-defined]  # not in pandas-stubs
        ordinals, freq=_period_freq(freq)
    )
    if freq.endswith("E") and freq[0] in "MQY":
        return periods.end_time.normalize()
    return periods.start_time


def _fill(
    out: pd.DataFrame,
    keys: pd.Index,
    id_col: str,
    time_col: str,
    target_col: str,
    freq: str,
) -> pd.DataFrame:
    """Append a row with ``y = 0`` for every missing period of the series in ``keys``."""
    sub = out.loc[out[id_col].isin(keys).to_numpy(), [id_col, "_ordinal"]]
    spans = sub.groupby(id_col, sort=False)["_ordinal"].agg(["min", "max"])
    ids = np.repeat(spans.index.to_numpy(), (spans["max"] - spans["min"] + 1).to_numpy())
    grid = np.concatenate([np.arange(lo, hi + 1) for lo, hi in spans.to_numpy()])
    full = pd.DataFrame({id_col: ids, "_ordinal": grid})
    new = full.merge(sub, on=[id_col, "_ordinal"], how="left", indicator=True)
    new = new.loc[(new["_merge"] == "left_only").to_numpy(), [id_col, "_ordinal"]]
    new[time_col] = _from_ordinals(new["_ordinal"].to_numpy(), freq).as_unit(out[time_col].dt.unit)
    new[target_col] = 0.0
    merged = pd.concat([out, new], ignore_index=True)
    return merged.sort_values([id_col, "_ordinal"], kind="stable")
