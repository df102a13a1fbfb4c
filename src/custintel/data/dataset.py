"""`Dataset`: the validated set of operational tables every other layer reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from os import PathLike
from typing import TYPE_CHECKING, Literal

import pandas as pd

from custintel.data.errors import Problem, SchemaError
from custintel.data.schema import DEFAULT_TZ, REQUIRED_TABLES, TABLE_NAMES, TABLES
from custintel.data.validation import check_columns, check_relations, prepare_table

if TYPE_CHECKING:
    from custintel.data.demo import DemoTruth


def to_timestamp(value: object, tz: str, *, name: str = "as_of") -> pd.Timestamp:
    """Read a cutoff (``as_of``, ``end``, ...) given as text or a timestamp.

    A value without a time zone is taken to be in ``tz``; an aware one is converted to ``tz``.

    Examples
    --------
    >>> to_timestamp("2024-07-01", "Asia/Shanghai")
    Timestamp('2024-07-01 00:00:00+0800', tz='Asia/Shanghai')
    """
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name}={value!r} is not a point in time; pass a date such as '2024-07-01' "
            "or a pandas Timestamp"
        ) from err
    if ts is pd.NaT:
        raise ValueError(f"{name} is missing (NaT); pass a date such as '2024-07-01'")
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


class Dataset:
    """The operational tables of one business, checked against the data contract.

    Only ``customers`` and ``orders`` are required; each optional table (``shipments``,
    ``tracking_events``, ``reviews``, ``invoices``, ``fraud_labels``) is ``None`` when absent.
    Build one with :meth:`from_frames`, :func:`~custintel.data.load_dataset` or
    :func:`~custintel.data.make_demo_dataset`; every route validates.

    Attributes
    ----------
    customers, orders : DataFrame
        The required tables, parsed.
    shipments, tracking_events, reviews, invoices, fraud_labels : DataFrame or None
        The optional tables (timestamps timezone-aware in :attr:`tz`).
    tz : str
        Time zone every timestamp is expressed in.
    end : Timestamp
        When the data was extracted: nothing that happened may lie after it.
    truth : DemoTruth or None
        Ground truth of the generator, for demo data only.

    Examples
    --------
    >>> import pandas as pd
    >>> from custintel.data import Dataset
    >>> customers = pd.DataFrame({"customer_id": ["C1", "C2"],
    ...                           "registered_at": ["2024-01-05", "2024-02-01"]})
    >>> orders = pd.DataFrame({"order_id": ["O1"], "customer_id": ["C1"],
    ...                        "ordered_at": ["2024-03-01 10:00"], "amount": [99.0]})
    >>> ds = Dataset.from_frames(customers=customers, orders=orders, tz="Asia/Shanghai",
    ...                          end="2024-06-30")
    >>> ds.orders["ordered_at"].iloc[0]
    Timestamp('2024-03-01 10:00:00+0800', tz='Asia/Shanghai')
    >>> ds.shipments is None
    True
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    shipments: pd.DataFrame | None
    tracking_events: pd.DataFrame | None
    reviews: pd.DataFrame | None
    invoices: pd.DataFrame | None
    fraud_labels: pd.DataFrame | None

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        end: pd.Timestamp,
        tz: str,
        truth: DemoTruth | None = None,
    ):
        # Internal: ``tables`` are already parsed and validated. Users call from_frames.
        for name in TABLE_NAMES:
            setattr(self, name, tables.get(name))
        self.end = end
        self.tz = tz
        self.truth = truth

    @classmethod
    def from_frames(
        cls,
        customers: pd.DataFrame,
        orders: pd.DataFrame,
        *,
        shipments: pd.DataFrame | None = None,
        tracking_events: pd.DataFrame | None = None,
        reviews: pd.DataFrame | None = None,
        invoices: pd.DataFrame | None = None,
        fraud_labels: pd.DataFrame | None = None,
        tz: str | None = None,
        end: object = None,
        truth: DemoTruth | None = None,
    ) -> Dataset:
        """Validate raw frames and build a Dataset.

        Parameters
        ----------
        customers, orders : DataFrame
            The two required tables.
        shipments, tracking_events, reviews, invoices, fraud_labels : DataFrame, optional
            Optional tables; features that need an absent table are skipped.
        tz : str, optional
            Time zone of timestamps given without one (naive datetimes, or text without an
            offset such as ``"2024-06-18 14:30"``). When ``None``, such values are an error:
            custintel does not guess time zones. Aware timestamps are converted to ``tz``
            (default ``"Asia/Shanghai"``).
        end : str or Timestamp, optional
            When the data was extracted. Events after it (a typo in a year, a wrong time zone)
            are an error. Defaults to now.
        truth : DemoTruth, optional
            Ground truth, for generated data.

        Returns
        -------
        Dataset

        Raises
        ------
        SchemaError
            Listing every problem found: table, column, number of rows, example keys, the fix.
        """
        target_tz = tz or DEFAULT_TZ
        end_ts = (
            pd.Timestamp.now(tz=target_tz)
            if end is None
            else to_timestamp(end, target_tz, name="end")
        )
        given = {
            "customers": customers,
            "orders": orders,
            "shipments": shipments,
            "tracking_events": tracking_events,
            "reviews": reviews,
            "invoices": invoices,
            "fraud_labels": fraud_labels,
        }
        tables = {name: df for name, df in given.items() if df is not None}
        return cls(
            _validated(tables, tz=tz, target_tz=target_tz, end=end_ts),
            end=end_ts,
            tz=target_tz,
            truth=truth,
        )

    def validate(self) -> Dataset:
        """Check the tables again (after editing them in place) and return ``self``.

        Raises
        ------
        SchemaError
            If any table breaks the data contract.
        """
        _validated(self.tables, tz=self.tz, target_tz=self.tz, end=self.end)
        return self

    def replace(self, **tables: pd.DataFrame | None) -> Dataset:
        """Return a new, validated Dataset with some tables replaced (``None`` drops one)."""
        unknown = sorted(set(tables) - set(TABLE_NAMES))
        if unknown:
            raise TypeError(f"unknown table(s) {unknown}; tables are {', '.join(TABLE_NAMES)}")
        merged = {**self.tables, **tables}
        kept = {k: v for k, v in merged.items() if v is not None}
        return Dataset(
            _validated(kept, tz=self.tz, target_tz=self.tz, end=self.end),
            end=self.end,
            tz=self.tz,
            truth=self.truth,
        )

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that are present, by name, in contract order."""
        return {n: df for n in TABLE_NAMES if (df := getattr(self, n)) is not None}

    def has(self, name: str) -> bool:
        """Whether table ``name`` is present."""
        return getattr(self, name, None) is not None

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLE_NAMES)}")
        df = getattr(self, name)
        if df is None:
            raise KeyError(f"table {name!r} is not in this dataset")
        return df

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def summary(self) -> pd.DataFrame:
        """One row per table: rows, columns, the time range covered and the extra columns.

        Returns
        -------
        DataFrame
            Indexed by table name, with columns ``rows``, ``columns``, ``time_column``,
            ``first``, ``last`` and ``extra_columns`` (columns outside the contract).
        """
        rows = []
        for name, df in self.tables.items():
            time_col = TABLES[name].time_column
            times = df[time_col] if time_col in df.columns else pd.Series(dtype="datetime64[ns]")
            extra = [c for c in df.columns if c not in TABLES[name].column_names]
            rows.append(
                {
                    "table": name,
                    "rows": len(df),
                    "columns": df.shape[1],
                    "time_column": time_col,
                    "first": times.min(),
                    "last": times.max(),
                    "extra_columns": ", ".join(map(str, extra)),
                }
            )
        return pd.DataFrame(rows).set_index("table")

    def save(
        self,
        path: str | PathLike[str],
        *,
        format: Literal["parquet", "csv"] = "parquet",
        overwrite: bool = False,
    ) -> None:
        """Write one file per table (and the ground truth, if any) to directory ``path``.

        The directory is written completely or not at all: files go to a temporary sibling
        that replaces ``path`` only once everything is written. Read back with
        :func:`~custintel.data.load_dataset`.

        Parameters
        ----------
        path : str or path-like
            Target directory.
        format : {"parquet", "csv"}
            File format of the tables.
        overwrite : bool
            Replace ``path`` if it already exists and is not empty.
        """
        from custintel.data.io import save_dataset

        save_dataset(self, path, format=format, overwrite=overwrite)

    def __repr__(self) -> str:
        parts = [f"{n}={len(df):,}" for n, df in self.tables.items()]
        return f"Dataset({', '.join(parts)}, end={self.end}, tz={self.tz!r})"

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + self.summary().to_html()


def _validated(
    tables: Mapping[str, object], *, tz: str | None, target_tz: str, end: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    problems: list[Problem] = []
    for name in REQUIRED_TABLES:
        if tables.get(name) is None:
            problems.append(
                Problem(
                    name,
                    None,
                    "missing_table",
                    "required table is missing",
                    fix=f"pass the {name} table ({TABLES[name].description})",
                )
            )
    parsed: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        if tables.get(name) is None:
            continue
        df, found = prepare_table(name, tables[name], tz=tz, target_tz=target_tz)
        problems += found
        if df is not None:
            unparsed = frozenset(p.column for p in found if p.column is not None)
            problems += check_columns(name, df, skip=unparsed)
            parsed[name] = df
    problems += check_relations(parsed, end=end, given=frozenset(tables))
    if problems:
        raise SchemaError(problems)
    return parsed
