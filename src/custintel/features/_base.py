"""The pieces every feature builder shares: catalog entries, the builder base, and the context.

A :class:`FeatureContext` holds one dataset cut at one ``as_of``: the customers known before it,
and each event table restricted to what had happened before it, with every row mapped to the
integer position of its customer. Builders read the context and return one column per catalog
entry, indexed like ``ctx.index``; they never see an event at or after ``as_of``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custintel.data import Dataset, to_timestamp

logger = logging.getLogger("custintel.features")

Direction = Literal["higher_risk", "lower_risk", "neutral"]


@dataclass(frozen=True)
class FeatureSpec:
    """Catalog entry of one feature column.

    Attributes
    ----------
    name : str
        Column name.
    family : str
        Builder family that emits it (``rfm``, ``logistics``, ...).
    en, zh : str
        What it measures, in English and Chinese, for a reviewer who does not code.
    unit : str
        Unit of the value (``days``, ``CNY``, ``count``, ``share``, ``ratio``, ``category``...).
    direction : str
        What a higher value means, in words (e.g. "higher means a longer silence").
    """

    name: str
    family: str
    en: str
    zh: str
    unit: str
    direction: str


class FeatureBuilder(ABC):
    """Base of a family of point-in-time customer features.

    Subclasses declare ``family`` and the tables they need (``requires``), list their columns
    in :meth:`catalog`, and compute them in :meth:`build`. Parameters (such as ``windows``)
    are stored by ``__init__`` as attributes of the same name.
    """

    family: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ("customers", "orders")

    @abstractmethod
    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog entry of every column :meth:`build` emits, in order."""

    @abstractmethod
    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the features for ``ctx.index`` from events before ``ctx.as_of``."""

    def missing_tables(self, ds: Dataset) -> list[str]:
        """Return the required tables ``ds`` lacks (the builder is skipped when any is missing)."""
        return [t for t in self.requires if not ds.has(t)]

    def spec(self, name: str, en: str, zh: str, unit: str, direction: str) -> FeatureSpec:
        """Return a catalog entry of this builder's family."""
        return FeatureSpec(name, self.family, en, zh, unit, direction)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


def window_label(days: int) -> str:
    """Return the column suffix of a window (``30d``)."""
    return f"{days}d"


def positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Map keys to their position in ``index`` (-1 when absent), fast for millions of strings."""
    try:
        found = pc.index_in(pa.array(values.array), value_set=pa.array(index.array))
        return np.asarray(found.fill_null(-1), dtype=np.int64)
    except (pa.ArrowException, TypeError, ValueError):
        return np.asarray(index.get_indexer(pd.Index(values)), dtype=np.int64)


def age_days(times: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Days from each timestamp to ``as_of`` (positive for the past; NaN for missing)."""
    delta = (as_of - times).dt.total_seconds() / 86_400.0
    return delta.to_numpy(dtype=np.float64, na_value=np.nan)


#: Order columns the context does not copy up front (read them with ``order_column``).
ON_DEMAND_ORDER_COLUMNS = ("customer_id", "recipient_name", "recipient_phone", "recipient_address")


class FeatureContext:
    """One dataset cut at one ``as_of``: what was known then, mapped to customer positions.

    Parameters
    ----------
    ds : Dataset
        The data.
    as_of : str or Timestamp
        The cutoff; only events strictly before it are visible.

    Attributes
    ----------
    as_of : Timestamp
    index : Index
        ``customer_id`` of the customers registered before ``as_of``, in table order.
    customers : DataFrame
        Their rows of the customers table, indexed by ``customer_id``.
    """

    def __init__(self, ds: Dataset, as_of: object):
        self.ds = ds
        self.as_of = to_timestamp(as_of, ds.tz)
        c = ds.customers
        known = (c["registered_at"] < self.as_of).to_numpy()
        self.customers = c.loc[known].set_index("customer_id")
        self.index = pd.Index(self.customers.index, name="customer_id")
        self.n = len(self.index)
        self._cache: dict[str, pd.DataFrame] = {}

    def orders(self) -> pd.DataFrame:
        """Orders placed before ``as_of`` by known customers.

        Adds ``_c`` (customer position), ``_age`` (days before ``as_of``) and keeps the
        original columns. Sorted by time.
        """
        if "orders" not in self._cache:
            o = self.ds.orders
            rows = np.flatnonzero((o["ordered_at"] < self.as_of).to_numpy())
            codes = positions(o["customer_id"], self.index)[rows]
            rows, codes = rows[codes >= 0], codes[codes >= 0]
            ticks = o["ordered_at"].array.asi8[rows]
            if len(ticks) > 1 and not (ticks[1:] >= ticks[:-1]).all():
                by_time = np.argsort(ticks, kind="stable")
                rows, codes = rows[by_time], codes[by_time]
            # One copy of the rows (cut, known customers, time order), without the bulky text
            # columns few builders read: those come one at a time from order_column().
            kept = [col for col in o.columns if col not in ON_DEMAND_ORDER_COLUMNS]
            o = o[kept].take(rows)
            o = o.assign(_c=codes, _age=age_days(o["ordered_at"], self.as_of))
            self._order_rows = rows
            self._cache["orders"] = o
        return self._cache["orders"]

    def order_column(self, name: str) -> pd.Series | None:
        """Column ``name`` of the orders, aligned with :meth:`orders` (None if absent).

        Taken afresh on each call and not kept, so a builder that reads a bulky text column
        (recipient names, phones, addresses) holds it only while it needs it.
        """
        o = self.orders()
        if name in o:
            return o[name]
        if name not in self.ds.orders:
            return None
        column = self.ds.orders[name].take(self._order_rows)
        column.index = o.index
        return column

    def events(self, table: str, time_col: str, *, via_order: bool = False) -> pd.DataFrame:
        """Rows of ``table`` that happened before ``as_of``, with ``_c`` and ``_age``.

        ``via_order`` maps rows to customers through their ``order_id`` (for shipments);
        otherwise the table's own ``customer_id`` is used.
        """
        key = f"{table}:{time_col}"
        if key not in self._cache:
            df = self.ds[table]
            df = df.loc[(df[time_col] < self.as_of).to_numpy()]
            if via_order:
                o = self.orders()
                pos = positions(df["order_id"], pd.Index(o["order_id"]))
                df = df.loc[pos >= 0]
                codes = o["_c"].to_numpy()[pos[pos >= 0]]
            else:
                codes = positions(df["customer_id"], self.index)
                df = df.loc[codes >= 0]
                codes = codes[codes >= 0]
            df = df.assign(_c=codes, _age=age_days(df[time_col], self.as_of))
            self._cache[key] = df
        return self._cache[key]

    def release(self, table: str) -> None:
        """Drop the cached cut of ``table`` (builders that still need it would cut it again)."""
        for key in [k for k in self._cache if k == table or k.startswith(f"{table}:")]:
            del self._cache[key]

    def before(self, times: pd.Series) -> pd.Series:
        """Mask out timestamps at or after ``as_of`` (they had not happened yet)."""
        return times.where(times < self.as_of)

    def frame(self, columns: Mapping[str, np.ndarray | pd.Series]) -> pd.DataFrame:
        """Assemble builder output indexed by ``self.index``."""
        return pd.DataFrame(
            {k: (v.array if isinstance(v, pd.Series) else v) for k, v in columns.items()},
            index=self.index,
        )


def text_column(df: pd.DataFrame, col: str) -> pd.Series:
    """Return ``df[col]`` as text, or an all-missing text column when ``df`` has no ``col``."""
    if col not in df:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    return df[col].astype("string")


def matches(df: pd.DataFrame, col: str, value: str) -> np.ndarray:
    """Rows of ``df`` whose ``col``, read as text, equals ``value`` (False when absent/missing).

    Categorical columns are compared through their categories, so 10M rows cost one integer
    comparison each instead of a cast to text.
    """
    if col not in df:
        return np.zeros(len(df), dtype=bool)
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        hit = np.flatnonzero(np.asarray(s.cat.categories.astype(str)) == value)
        codes = s.cat.codes.to_numpy()
        return np.isin(codes, hit) if len(hit) else np.zeros(len(s), dtype=bool)
    return np.asarray((s.astype("string") == value).to_numpy(bool, na_value=False))


def value_codes(df: pd.DataFrame, col: str) -> np.ndarray:
    """Integer codes of ``col``'s distinct text values (-1 where missing or absent)."""
    if col not in df:
        return np.full(len(df), -1, dtype=np.int64)
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        labels = pd.Index(s.cat.categories.astype(str))
        if labels.is_unique:  # categories that read alike as text share a code
            return np.asarray(s.cat.codes.to_numpy(), dtype=np.int64)
        remap = pd.factorize(labels)[0]
        codes = s.cat.codes.to_numpy()
        return np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int64)
    return np.asarray(pd.factorize(s.astype("string"), use_na_sentinel=True)[0], dtype=np.int64)


def as_keys(values: pd.Series) -> np.ndarray:
    """Return values as an object array with ``None`` for missing ones (for grouping keys)."""
    return np.asarray(values.astype(object).where(values.notna(), None), dtype=object)


def count(codes: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Rows per customer (optionally only where ``mask``)."""
    c = codes if mask is None else codes[mask]
    return np.bincount(c, minlength=n).astype(np.float64)


def total(
    codes: np.ndarray, values: np.ndarray, n: int, mask: np.ndarray | None = None
) -> np.ndarray:
    """Sum of ``values`` per customer (NaN values count as 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if mask is not None:
        codes, v = codes[mask], v[mask]
    return np.bincount(codes, weights=v, minlength=n)


def reduce(
    codes: np.ndarray, values: np.ndarray, n: int, how: str, mask: np.ndarray | None = None
) -> np.ndarray:
    """``how`` ("min", "max", "mean", "std", "median", "nunique") of ``values`` per customer.

    Customers with no (non-missing) value get NaN (0 for ``nunique``). ``std`` is the sample
    standard deviation (NaN for a single value), as pandas computes it. Minimum, maximum, mean
    and standard deviation scatter straight into position-indexed arrays, and ``nunique`` of
    integer codes counts distinct (customer, code) pairs: no hashing of the customer codes.
    """
    if mask is not None:
        codes, values = codes[mask], np.asarray(values)[mask]
    values = np.asarray(values)
    if how in ("min", "max", "mean", "std"):
        x = values.astype(np.float64, copy=False)
        ok = ~np.isnan(x)
        if not ok.all():
            codes, x = codes[ok], x[ok]
        size = np.bincount(codes, minlength=n)[:n]
        out = np.full(n, np.nan)
        has = size > 0
        if how in ("min", "max"):
            found = np.full(n, np.inf if how == "min" else -np.inf)
            (np.minimum if how == "min" else np.maximum).at(found, codes, x)
            out[has] = found[has]
            return out
        mean = np.bincount(codes, weights=x, minlength=n)[:n] / np.where(has, size, 1)
        if how == "mean":
            out[has] = mean[has]
            return out
        squares = np.bincount(codes, weights=(x - mean[codes]) ** 2, minlength=n)[:n]
        several = size > 1
        out[several] = np.sqrt(squares[several] / (size[several] - 1))
        return out
    if how == "nunique" and values.dtype.kind in "iu" and (len(values) == 0 or values.min() >= 0):
        span = int(values.max()) + 1 if len(values) else 1
        pairs = pd.unique(codes.astype(np.int64) * span + values.astype(np.int64))
        return np.bincount(pairs // span, minlength=n)[:n].astype(np.float64)
    s = pd.Series(values).groupby(codes, sort=False)
    agg = getattr(s, how)()
    out = np.full(n, 0.0 if how == "nunique" else np.nan)
    out[agg.index.to_numpy(dtype=np.int64)] = agg.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
