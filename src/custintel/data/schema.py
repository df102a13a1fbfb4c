"""The data contract: which tables custintel reads, their columns, kinds and rules.

Everything else in the package (validation, loading, the demo generator, the PII policy of the
feature layer and the documentation tables) reads the contract from here, so it is declared once.

Column kinds
------------
``id``
    A business key (string or integer). Never parsed or coerced.
``timestamp``
    A point in time. Stored timezone-aware; naive values need an explicit ``tz``.
``money``
    An amount in CNY, float, never negative.
``int``
    A whole number (nullable integer when the column has gaps).
``float``
    A real number.
``category``
    One of a fixed set of values (``allowed``); anything else is an error.
``bool``
    True/False (also accepted: 0/1 and "true"/"false"/"yes"/"no" strings).
``text``
    Free text, kept as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "timestamp", "money", "int", "float", "category", "bool", "text"]

#: Time zone of the business when the data does not say otherwise.
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the data contract.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"id", "timestamp", "money", "int", "float", "category", "bool", "text"}
        How the column is parsed and checked.
    required : bool
        Whether the column must be present when its table is given.
    nullable : bool
        Whether missing values are allowed.
    allowed : tuple of str, optional
        The allowed values of a ``category`` column.
    min_value, max_value : float, optional
        Inclusive range of a numeric column.
    pii : bool
        Raw personal information (PIPL). Never reaches a feature, a model, a log or a response.
    past_only : bool
        For timestamps that record something that happened: they may not lie after the data's end.
        Scheduled times (promised delivery, invoice due date) are not ``past_only``.
    references : str, optional
        ``"table.column"`` this column must refer to (a foreign key).
    description : str
        What the column means, for documentation and error messages.
    """

    name: str
    kind: ColumnKind
    required: bool = False
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    pii: bool = False
    past_only: bool = False
    references: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table of the data contract: its key, its columns, when a row happened, what it is for.

    ``time_column`` holds the moment the row's event happened (an order's ``ordered_at``, a
    scan's ``event_time``): what point-in-time cuts and time ranges go by.
    """

    name: str
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    time_column: str
    required: bool = False
    description: str = ""
    extra_rules: tuple[str, ...] = field(default=())

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r} in the data contract")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all contract columns, in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns that must be present."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def pii_columns(self) -> tuple[str, ...]:
        """Names of the raw-PII columns of this table."""
        return tuple(c.name for c in self.columns if c.pii)


ORDER_STATUSES = ("completed", "cancelled", "returned", "refused")
PAYMENT_METHODS = ("online", "cod")
TRACKING_EVENTS = ("collected", "arrived", "departed", "out_for_delivery", "delivered", "exception")
EXCEPTION_TYPES = ("lost", "damaged", "delayed", "returned", "refused")
REVIEW_SOURCES = ("review", "ticket", "call")
CUSTOMER_TYPES = ("B", "C")
GENDERS = ("M", "F")

_C = ColumnSpec

CUSTOMERS = TableSpec(
    name="customers",
    key=("customer_id",),
    time_column="registered_at",
    required=True,
    description="One row per customer account, as the source system knows it.",
    columns=(
        _C("customer_id", "id", required=True, nullable=False, description="internal customer key"),
        _C(
            "registered_at",
            "timestamp",
            required=True,
            nullable=False,
            past_only=True,
            description="when the account was created",
        ),
        _C("name", "text", pii=True, description="customer name"),
        _C("phone", "text", pii=True, description="mobile number, any common format"),
        _C("email", "text", pii=True, description="e-mail address"),
        _C("id_number", "text", pii=True, description="resident identity card number"),
        _C("province", "text", description="province of the main address"),
        _C("city", "text", description="city of the main address"),
        _C("district", "text", description="district of the main address"),
        _C("address", "text", pii=True, description="full street address"),
        _C(
            "channel",
            "text",
            description="acquisition channel (app, mini_program, web, store, ...)",
        ),
        _C(
            "customer_type",
            "category",
            allowed=CUSTOMER_TYPES,
            description="B = business account, C = consumer",
        ),
        _C("birth_year", "int", min_value=1900, max_value=2100, description="year of birth"),
        _C("gender", "category", allowed=GENDERS, description="M or F"),
    ),
)

ORDERS = TableSpec(
    name="orders",
    key=("order_id",),
    time_column="ordered_at",
    required=True,
    description="One row per order placed by a customer.",
    columns=(
        _C("order_id", "id", required=True, nullable=False, description="order key"),
        _C(
            "customer_id",
            "id",
            required=True,
            nullable=False,
            references="customers.customer_id",
            description="customer who placed the order",
        ),
        _C(
            "ordered_at",
            "timestamp",
            required=True,
            nullable=False,
            past_only=True,
            description="when the order was placed",
        ),
        _C(
            "amount",
            "money",
            required=True,
            nullable=False,
            min_value=0.0,
            description="order value in CNY",
        ),
        _C("category", "text", description="product category (fresh, electronics, apparel, ...)"),
        _C("quantity", "int", min_value=0, description="number of items"),
        _C(
            "payment_method",
            "category",
            allowed=PAYMENT_METHODS,
            description="online = prepaid, cod = cash on delivery",
        ),
        _C("channel", "text", description="channel the order came through"),
        _C("coupon_used", "bool", description="whether a coupon was applied"),
        _C("status", "category", allowed=ORDER_STATUSES, description="final state of the order"),
        _C("recipient_name", "text", pii=True, description="name on the parcel"),
        _C("recipient_phone", "text", pii=True, description="phone on the parcel"),
        _C("recipient_address", "text", pii=True, description="delivery address"),
    ),
)

SHIPMENTS = TableSpec(
    name="shipments",
    key=("waybill_no",),
    time_column="shipped_at",
    description="One row per parcel (waybill) shipped for an order.",
    extra_rules=("delivered_at is not before shipped_at",),
    columns=(
        _C("waybill_no", "id", required=True, nullable=False, description="waybill number"),
        _C(
            "order_id",
            "id",
            required=True,
            nullable=False,
            references="orders.order_id",
            description="order the parcel belongs to",
        ),
        _C("carrier", "text", description="carrier that moved the parcel"),
        _C("origin_city", "text", description="city the parcel left from"),
        _C("dest_province", "text", description="destination province"),
        _C("dest_city", "text", description="destination city"),
        _C("shipped_at", "timestamp", past_only=True, description="when the carrier collected it"),
        _C("promised_at", "timestamp", description="promised delivery time"),
        _C(
            "delivered_at",
            "timestamp",
            past_only=True,
            description="when it was delivered (missing = not delivered)",
        ),
    ),
)

TRACKING_EVENTS_TABLE = TableSpec(
    name="tracking_events",
    key=("waybill_no", "event_time"),
    time_column="event_time",
    description="Tracking scans: one row per scan of a parcel.",
    columns=(
        _C(
            "waybill_no",
            "id",
            required=True,
            nullable=False,
            references="shipments.waybill_no",
            description="waybill scanned",
        ),
        _C(
            "event_time",
            "timestamp",
            required=True,
            nullable=False,
            past_only=True,
            description="time of the scan",
        ),
        _C(
            "event",
            "category",
            required=True,
            nullable=False,
            allowed=TRACKING_EVENTS,
            description="what the scan recorded",
        ),
        _C("site", "text", description="site (outlet, sorting centre, station) of the scan"),
        _C(
            "exception_type",
            "category",
            allowed=EXCEPTION_TYPES,
            description="kind of exception, for event == 'exception'",
        ),
    ),
)

REVIEWS = TableSpec(
    name="reviews",
    key=("review_id",),
    time_column="created_at",
    description="Reviews, service tickets and call notes written by or about a customer (Chinese).",
    columns=(
        _C("review_id", "id", required=True, nullable=False, description="review or ticket key"),
        _C(
            "customer_id",
            "id",
            required=True,
            nullable=False,
            references="customers.customer_id",
            description="customer concerned",
        ),
        _C("created_at", "timestamp", past_only=True, description="when it was written"),
        _C("text", "text", description="the text, in Chinese"),
        _C("rating", "int", min_value=1, max_value=5, description="star rating 1-5 (reviews only)"),
        _C("source", "category", allowed=REVIEW_SOURCES, description="review, ticket or call"),
        _C("order_id", "id", references="orders.order_id", description="order it is about, if any"),
    ),
)

INVOICES = TableSpec(
    name="invoices",
    key=("invoice_id",),
    time_column="issued_at",
    description="Cash-on-delivery and credit invoices to collect from a customer.",
    extra_rules=("due_at is not before issued_at",),
    columns=(
        _C("invoice_id", "id", required=True, nullable=False, description="invoice key"),
        _C(
            "customer_id",
            "id",
            required=True,
            nullable=False,
            references="customers.customer_id",
            description="customer who owes it",
        ),
        _C("issued_at", "timestamp", past_only=True, description="when it was issued"),
        _C("due_at", "timestamp", description="when payment is due"),
        _C("amount", "money", min_value=0.0, description="amount owed in CNY"),
        _C(
            "paid_at",
            "timestamp",
            past_only=True,
            description="when it was paid (missing = unpaid)",
        ),
    ),
)

FRAUD_LABELS = TableSpec(
    name="fraud_labels",
    key=("order_id", "customer_id"),
    time_column="labeled_at",
    description="Investigated cases: an order or a customer labelled fraudulent or not.",
    extra_rules=("each row names an order_id or a customer_id",),
    columns=(
        _C("order_id", "id", references="orders.order_id", description="order investigated"),
        _C(
            "customer_id",
            "id",
            references="customers.customer_id",
            description="customer investigated",
        ),
        _C(
            "labeled_at",
            "timestamp",
            required=True,
            nullable=False,
            past_only=True,
            description="when the verdict was reached",
        ),
        _C("is_fraud", "bool", required=True, nullable=False, description="the verdict"),
    ),
)

#: The seven tables, in dependency order (a table only refers to tables before it).
TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        CUSTOMERS,
        ORDERS,
        SHIPMENTS,
        TRACKING_EVENTS_TABLE,
        REVIEWS,
        INVOICES,
        FRAUD_LABELS,
    )
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
REQUIRED_TABLES: tuple[str, ...] = tuple(n for n, t in TABLES.items() if t.required)
OPTIONAL_TABLES: tuple[str, ...] = tuple(n for n, t in TABLES.items() if not t.required)


def pii_columns() -> dict[str, tuple[str, ...]]:
    """Return the raw-PII columns of every table (``{table: (column, ...)}``)."""
    return {name: spec.pii_columns for name, spec in TABLES.items() if spec.pii_columns}
