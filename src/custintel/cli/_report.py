"""Print a dataset's profile as rich tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from custintel.cli._console import console, frame_table

if TYPE_CHECKING:
    from custintel.data import Dataset

_TITLES = {
    "tables": "Tables",
    "customers": "Customers by type and channel",
    "orders_by_month": "Orders by month",
    "order_mix": "Order mix",
    "logistics": "Logistics by carrier",
    "voice": "Reviews, tickets and calls",
    "credit": "Cash-on-delivery and credit invoices",
    "fraud": "Fraud labels",
}
_PERCENT = (
    "share",
    "delivered_share",
    "on_time_rate",
    "exception_rate",
    "low_rating_share",
    "paid_on_time_share",
    "paid_late_share",
    "unpaid_overdue_share",
    "fraud_share",
)


def print_profile(ds: Dataset, sections: Sequence[str] | None = None) -> None:
    """Print the chosen profile sections (all when ``None``)."""
    from custintel.data.profile import profile_dataset

    profile = profile_dataset(ds)
    for name, df in profile.items():
        if sections is not None and name not in sections:
            continue
        frame = df.reset_index() if name == "tables" else df
        if name == "order_mix":
            frame = frame[frame["dimension"] != "channel"]
        console.print(frame_table(frame, _TITLES.get(name, name), percent=_PERCENT))
