"""Check tables against the data contract and collect every problem before raising.

Three passes, each reporting all it finds:

1. structure and parsing (:func:`prepare_table`): the frame is a DataFrame, required columns are
   present, each contract column parses as its kind (timestamps need a time zone);
2. column rules, declared as pandera schemas built from :mod:`custintel.data.schema`: missing
   values, duplicate keys, ranges (e.g. negative amounts) and allowed values;
3. rules across columns and tables (:func:`check_relations`): foreign keys, timestamps after the
   data's end, delivered before shipped, due before issued.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc
from pandera.errors import SchemaErrors

from custintel.data.errors import Problem, examples_of
from custintel.data.parsing import parse_column
from custintel.data.schema import TABLES, TableSpec

_MAX_EXAMPLES = 5


def row_keys(df: pd.DataFrame, spec: TableSpec, mask: np.ndarray | pd.Series) -> tuple[object, ...]:
    """Return a few keys of the rows selected by ``mask``, to name them in an error."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))[:_MAX_EXAMPLES]
    keys = [k for k in spec.key if k in df.columns]
    if not keys:
        return tuple(f"row {p}" for p in positions)
    sub = df[keys].iloc[positions]
    if len(keys) == 1:
        return tuple(dict.fromkeys(examples_of(sub[keys[0]])))
    return tuple(
        dict.fromkeys(
            tuple(None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row)
            for row in sub.itertuples(index=False)
        )
    )


def prepare_table(
    name: str, df: object, *, tz: str | None, target_tz: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check the structure of one table and parse its contract columns.

    Returns the parsed copy (``None`` when the table is too broken to check further) and the
    problems found. The caller's frame is never modified.
    """
    spec = TABLES[name]
    if not isinstance(df, pd.DataFrame):
        msg = f"expected a pandas DataFrame, got {type(df).__name__}"
        return None, [Problem(name, None, "not_a_frame", msg, fix="pass a pandas DataFrame")]

    problems: list[Problem] = []
    dup_cols = df.columns[df.columns.duplicated()].unique().tolist()
    if dup_cols:
        problems.append(
            Problem(
                name,
                str(dup_cols[0]),
                "duplicate_column",
                "column name appears twice",
                examples=tuple(dup_cols),
                fix="rename or drop the repeated columns",
            )
        )
    missing = [c for c in spec.required_columns if c not in df.columns]
    for col in missing:
        hint = ""
        if col in (df.index.names or []):
            hint = f"; it is the index: call .reset_index() before passing the {name} table"
        problems.append(
            Problem(
                name,
                col,
                "missing_column",
                "required column is missing",
                examples=tuple(map(str, df.columns[:8])),
                fix=f"add a '{col}' column ({spec.column(col).description}){hint}",
            )
        )
    if problems:
        return None, problems

    out = df.reset_index(drop=True)
    for cspec in spec.columns:
        if cspec.name not in out.columns:
            continue
        parsed, failure = parse_column(out[cspec.name], cspec, tz=tz, target_tz=target_tz)
        if failure is None:
            out[cspec.name] = parsed
            continue
        message = failure.message
        if failure.examples:
            message += f" such as {_short_list(failure.examples)}"
        problems.append(
            Problem(
                name,
                cspec.name,
                failure.rule,
                message,
                int(failure.mask.sum()),
                row_keys(out, spec, failure.mask),
                failure.fix,
            )
        )
    return out, problems


@cache
def table_schema(name: str) -> pandera.DataFrameSchema:
    """Return the pandera schema of the column rules of table ``name``.

    Checks carry a rule code as their error text, which :func:`check_columns` maps back to a
    readable :class:`~custintel.data.errors.Problem`.
    """
    spec = TABLES[name]
    columns = {}
    for col in spec.columns:
        checks = []
        if col.allowed is not None:
            checks.append(pandera.Check.isin(list(col.allowed), error="allowed_values"))
        if col.min_value is not None:
            checks.append(pandera.Check.ge(col.min_value, error="min_value"))
        if col.max_value is not None:
            checks.append(pandera.Check.le(col.max_value, error="max_value"))
        columns[col.name] = pandera.Column(
            checks=checks,
            nullable=col.nullable,
            unique=spec.key == (col.name,),
            required=False,
            coerce=False,
        )
    # Composite keys are checked by duplicate_rows: pandera's multi-column check factorises
    # every column as objects (40 s on 65M tracking scans; duplicate_rows takes seconds).
    return pandera.DataFrameSchema(columns, strict=False, name=name)


def check_columns(name: str, df: pd.DataFrame, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Apply the pandera column rules of table ``name`` to a parsed frame.

    Columns in ``skip`` (those that failed to parse, already reported) are not checked again.
    """
    spec = TABLES[name]
    problems: list[Problem] = []
    try:
        table_schema(name).validate(df.drop(columns=list(skip)), lazy=True)
    except SchemaErrors as err:
        problems = _problems_from_pandera(spec, df, err.failure_cases)
    keys = [k for k in spec.key if k in df.columns and k not in skip]
    if len(spec.key) > 1 and len(keys) == len(spec.key):
        dup = duplicate_rows(df, keys)
        if dup.any():
            problems.append(_duplicate_problem(spec, df, spec.key[0], dup))
    return problems


def duplicate_rows(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Mark every row whose values in ``columns`` repeat another row's (like keep=False).

    Exports usually arrive grouped by the first key column and ordered by the rest (tracking
    scans by waybill, then time); then duplicates can only be neighbours, and comparing each
    row with the one before it settles the question in one pass (2 s on 65M scans). Other
    orders are sorted on integer codes of each column first (category codes, timestamp ticks,
    factorised values): tens of seconds instead of minutes, without hashing row tuples.
    """
    n = len(df)
    if n < 2:
        return np.zeros(n, dtype=bool)
    series = [df[c] for c in columns]
    if not any(s.hasnans for s in series):
        same = _duplicates_if_grouped(series)
        if same is not None:
            return _mark_pairs(same)
    codes = [_int_codes(s) for s in series]
    order = np.lexsort(codes[::-1])
    same_sorted = np.ones(n - 1, dtype=bool)
    for c in codes:
        in_order = c[order]
        same_sorted &= in_order[1:] == in_order[:-1]
    out = np.empty(n, dtype=bool)
    out[order] = _mark_pairs(same_sorted)
    return out


def _mark_pairs(same_as_next: np.ndarray) -> np.ndarray:
    """Rows ``i`` and ``i + 1`` are both marked wherever ``same_as_next[i]``."""
    marked = np.zeros(len(same_as_next) + 1, dtype=bool)
    marked[1:] |= same_as_next
    marked[:-1] |= same_as_next
    return marked


def _duplicates_if_grouped(series: list[pd.Series]) -> np.ndarray | None:
    """Return neighbour-equality of full keys, or None when neighbours do not suffice.

    Neighbours suffice when rows are grouped by the first column and sorted by the others
    within each group.
    """
    head = series[0]
    same_head = _equal_to_previous(head)
    firsts = np.concatenate([[0], np.flatnonzero(~same_head) + 1])
    values = _values(head)
    if isinstance(values, np.ndarray):
        if len(np.unique(values[firsts])) < len(firsts):
            return None
    elif pc.count_distinct(values.take(pa.array(firsts))).as_py() < len(firsts):
        return None
    same = same_head
    for s in series[1:]:
        if not bool(_ordered_from_previous(s)[same].all()):
            return None
        same = same & _equal_to_previous(s)
    return same


def _values(s: pd.Series) -> np.ndarray | pa.Array:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.asarray(s.cat.codes.to_numpy())
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s.dtype):
        return np.asarray(s.array.asi8)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_extension_array_dtype(
        s.dtype
    ):
        return s.to_numpy()
    return pa.array(s.array)


def _equal_to_previous(s: pd.Series) -> np.ndarray:
    v = _values(s)
    if isinstance(v, np.ndarray):
        return np.asarray(v[1:] == v[:-1])
    return np.asarray(pc.equal(v.slice(1), v.slice(0, len(v) - 1)).fill_null(False), dtype=bool)


def _ordered_from_previous(s: pd.Series) -> np.ndarray:
    v = _values(s)
    if isinstance(v, np.ndarray):
        return np.asarray(v[1:] >= v[:-1])
    return np.asarray(
        pc.greater_equal(v.slice(1), v.slice(0, len(v) - 1)).fill_null(False), dtype=bool
    )


def _int_codes(s: pd.Series) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return np.asarray(s.cat.codes.to_numpy(), dtype=np.int64)
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s.dtype):
        ticks = np.array(s.array.asi8, copy=True)
        ticks[s.isna().to_numpy()] = np.iinfo(np.int64).min
        return ticks
    return np.asarray(pd.factorize(s, use_na_sentinel=True)[0], dtype=np.int64)


def _duplicate_problem(spec: TableSpec, df: pd.DataFrame, column: str, mask: np.ndarray) -> Problem:
    key = ", ".join(spec.key)
    return Problem(
        spec.name,
        column,
        "duplicate_key",
        f"duplicate key ({key})",
        int(mask.sum()),
        row_keys(df, spec, mask),
        "keep one row per key: drop exact duplicates with .drop_duplicates() "
        "or give each record its own key",
    )


def _problems_from_pandera(spec: TableSpec, df: pd.DataFrame, cases: pd.DataFrame) -> list[Problem]:
    problems = []
    cases = cases.assign(column=cases["column"].astype(str), check=cases["check"].astype(str))
    for (column_key, check), group in cases.groupby(["column", "check"], sort=False):
        column = str(column_key)
        idx = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int).unique()
        mask = np.zeros(len(df), dtype=bool)
        mask[idx[(idx >= 0) & (idx < len(df))]] = True
        n = int(mask.sum())
        col = spec.column(column) if column in spec.column_names else None
        if check == "field_uniqueness":
            problems.append(_duplicate_problem(spec, df, column, mask))
        elif check == "not_nullable":
            problems.append(
                Problem(
                    spec.name,
                    column,
                    "missing_value",
                    "has missing values",
                    n,
                    row_keys(df, spec, mask),
                    "fill these values or drop the rows",
                )
            )
        elif check == "allowed_values" and col is not None and col.allowed is not None:
            bad_values = pd.unique(df.loc[mask, column].astype(str))[:_MAX_EXAMPLES].tolist()
            hints = _close_matches(bad_values, col.allowed)
            problems.append(
                Problem(
                    spec.name,
                    column,
                    "unknown_value",
                    f"has unknown values {bad_values!r}; allowed: {', '.join(col.allowed)}",
                    n,
                    row_keys(df, spec, mask),
                    f"map them to the allowed values{hints}",
                )
            )
        elif check == "min_value" and col is not None:
            what = "negative amounts" if col.kind == "money" else f"values below {col.min_value:g}"
            fix = (
                "amounts are CNY and never negative; record refunds with status='returned' "
                "rather than a negative amount"
                if col.kind == "money"
                else f"correct the values; {column} must be >= {col.min_value:g}"
            )
            problems.append(
                Problem(
                    spec.name,
                    column,
                    "below_minimum",
                    f"has {what}",
                    n,
                    row_keys(df, spec, mask),
                    fix,
                )
            )
        elif check == "max_value" and col is not None:
            problems.append(
                Problem(
                    spec.name,
                    column,
                    "above_maximum",
                    f"has values above {col.max_value:g}",
                    n,
                    row_keys(df, spec, mask),
                    f"correct the values; {column} must be <= {col.max_value:g}",
                )
            )
        else:  # a pandera check we did not declare: report it as pandera words it
            problems.append(
                Problem(
                    spec.name,
                    column,
                    "check_failed",
                    f"failed check {check}",
                    n,
                    row_keys(df, spec, mask),
                    "correct the offending rows",
                )
            )
    return problems


def _short_list(values: tuple[object, ...]) -> str:
    return repr(list(dict.fromkeys(map(str, values)))[:3])


def _close_matches(values: list[str], allowed: tuple[str, ...]) -> str:
    pairs = []
    lowered = {a.lower(): a for a in allowed}
    for v in values:
        match = lowered.get(v.strip().lower()) or next(
            iter(difflib.get_close_matches(v, allowed, n=1, cutoff=0.6)), None
        )
        if match is not None:
            pairs.append(f"{v!r} -> {match!r}")
    return f" (did you mean {', '.join(pairs)}?)" if pairs else ""


def check_relations(
    tables: Mapping[str, pd.DataFrame],
    *,
    end: pd.Timestamp,
    given: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Check the rules that span columns or tables: foreign keys, dates after ``end``, time order.

    ``given`` names tables the caller passed but that were too broken to parse; references to
    them are not checked (their own problems are reported instead).
    """
    problems: list[Problem] = []
    for name, df in tables.items():
        spec = TABLES[name]
        for col in spec.columns:
            if col.name not in df.columns:
                continue
            if col.references:
                problems += _check_reference(spec, df, col.name, col.references, tables, given)
            if col.past_only and isinstance(df[col.name].dtype, pd.DatetimeTZDtype):
                future = (df[col.name] > end).to_numpy(dtype=bool, na_value=False)
                if future.any():
                    latest = df.loc[future, col.name].max()
                    problems.append(
                        Problem(
                            name,
                            col.name,
                            "future_timestamp",
                            f"has timestamps after the data's end {end} (latest {latest})",
                            int(future.sum()),
                            row_keys(df, spec, future),
                            "check the year and time zone of these values; if the extract "
                            "was taken later, pass end= with the extraction time",
                        )
                    )
    problems += _check_order(
        tables, "shipments", "shipped_at", "delivered_at", "delivered before shipped"
    )
    problems += _check_order(tables, "invoices", "issued_at", "due_at", "due before issued")
    labels = tables.get("fraud_labels")
    if labels is not None:
        cols = [c for c in ("order_id", "customer_id") if c in labels.columns]
        neither = labels[cols].isna().all(axis=1).to_numpy() if cols else np.ones(len(labels), bool)
        if neither.any():
            problems.append(
                Problem(
                    "fraud_labels",
                    "order_id",
                    "missing_subject",
                    "has rows naming neither an order_id nor a customer_id",
                    int(neither.sum()),
                    tuple(f"row {p}" for p in np.flatnonzero(neither)[:5]),
                    "give every label the order or the customer it is about",
                )
            )
    return problems


def isin(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """Return ``values.isin(allowed)`` as a boolean array, fast for millions of string keys.

    pandas' ``isin`` on Arrow-backed strings materialises ``allowed`` as Python objects; the
    Arrow kernel does not (about 3x faster on 10M orders against 1M customers).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.isin(allowed).to_numpy(dtype=bool)
    try:
        found = pc.is_in(pa.array(values.array), value_set=pa.array(allowed.array))
    except (pa.ArrowException, TypeError, ValueError):
        return values.isin(allowed).to_numpy(dtype=bool)
    return np.asarray(found.fill_null(False), dtype=bool)


def _check_reference(
    spec: TableSpec,
    df: pd.DataFrame,
    column: str,
    target: str,
    tables: Mapping[str, pd.DataFrame],
    given: frozenset[str],
) -> list[Problem]:
    ref_table, ref_col = target.split(".")
    parent = tables.get(ref_table)
    if parent is None:
        if spec.column(column).required and ref_table not in given:
            return [
                Problem(
                    spec.name,
                    column,
                    "missing_table",
                    f"refers to {target} but no {ref_table} table was given",
                    fix=f"pass the {ref_table} table as well",
                )
            ]
        return []
    values = df[column]
    orphan = values.notna().to_numpy() & ~isin(values, parent[ref_col])
    if not orphan.any():
        return []
    fix = f"add the missing {ref_table} rows, or drop these {spec.name} rows"
    if values.dtype != parent[ref_col].dtype and orphan.all():
        fix += f" (the key types differ: {values.dtype} here, {parent[ref_col].dtype} in {target})"
    return [
        Problem(
            spec.name,
            column,
            "orphan_key",
            f"refers to unknown {target}",
            int(orphan.sum()),
            examples_of(pd.unique(values[orphan])),
            fix,
        )
    ]


def _check_order(
    tables: Mapping[str, pd.DataFrame], name: str, first: str, then: str, what: str
) -> list[Problem]:
    df = tables.get(name)
    if df is None or first not in df.columns or then not in df.columns:
        return []
    a, b = df[first], df[then]
    if not (isinstance(a.dtype, pd.DatetimeTZDtype) and isinstance(b.dtype, pd.DatetimeTZDtype)):
        return []
    bad = (b < a).to_numpy(dtype=bool, na_value=False)
    if not bad.any():
        return []
    return [
        Problem(
            name,
            then,
            "time_order",
            f"has rows {what} ({then} < {first})",
            int(bad.sum()),
            row_keys(df, TABLES[name], bad),
            f"correct {first} or {then} of these rows",
        )
    ]
