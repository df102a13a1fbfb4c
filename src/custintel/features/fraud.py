"""Fraud-relevant signals: shared recipients, virtual numbers, bursts, new-account COD."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custintel.features._base import (
    FeatureBuilder,
    FeatureContext,
    FeatureSpec,
    age_days,
    count,
    matches,
    ratio,
    reduce,
)
from custintel.features._identity import phone_keys


class FraudSignalFeatures(FeatureBuilder):
    """How a customer's orders connect to other accounts, and how fast a new account moves.

    Recipient phones and addresses are compared in normalised form inside this builder and
    never leave it: only counts and shares come out.

    Parameters
    ----------
    window : int
        Look-back window in days for the distinct-recipient counts and shares.
    settle_days : int
        Refusals count only for orders placed at least this many days before ``as_of``.
    """

    family = "fraud"

    def __init__(self, window: int = 365, *, settle_days: int = 14):
        self.window = window
        self.settle_days = settle_days

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the fraud-signal columns."""
        s, w = self.spec, self.window
        return [
            s(
                "n_recipient_phones",
                f"distinct recipient phone numbers (last {w} days)",
                f"近{w}天不同收件人手机号数",
                "count",
                "higher means parcels to many people",
            ),
            s(
                "n_recipient_names",
                f"distinct recipient names (last {w} days)",
                f"近{w}天不同收件人姓名数",
                "count",
                "higher means parcels to many people",
            ),
            s(
                "n_recipient_addresses",
                f"distinct delivery addresses (last {w} days)",
                f"近{w}天不同收货地址数",
                "count",
                "higher means parcels to many places",
            ),
            s(
                "phone_shared_accounts",
                "most other accounts sharing one of the customer's recipient phones",
                "与其他账户共用收件手机号的最大账户数",
                "count",
                "higher means linked to other accounts, a sign of a ring",
            ),
            s(
                "address_shared_accounts",
                "most other accounts sharing one of the customer's delivery addresses",
                "与其他账户共用收货地址的最大账户数",
                "count",
                "higher means linked to other accounts, a sign of a ring",
            ),
            s(
                "own_phone_shared_accounts",
                "other accounts registered with the same phone number",
                "使用相同注册手机号的其他账户数",
                "count",
                "higher means linked accounts",
            ),
            s(
                "virtual_recipient_share",
                f"share of orders to a virtual-operator phone (last {w} days)",
                f"近{w}天收件手机号为虚拟号段的订单占比",
                "share",
                "higher means hidden identities",
            ),
            s(
                "first_cod_account_age_days",
                "account age in days at its first cash-on-delivery order",
                "首次货到付款时的账户年龄（天）",
                "days",
                "lower means COD right after sign-up",
            ),
            s(
                "orders_first_7d",
                "orders in the first 7 days after registration",
                "注册后7天内下单数",
                "count",
                "higher means a burst from a new account",
            ),
            s(
                "max_orders_24h",
                "most orders placed within any 24 hours",
                "任意24小时内最多下单数",
                "count",
                "higher means bursts of orders",
            ),
            s(
                f"refused_cod_{w}d",
                f"cash-on-delivery orders refused at the door (last {w} days)",
                f"近{w}天货到付款拒收次数",
                "count",
                "higher means more unpaid COD parcels",
            ),
        ]

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the fraud-signal columns."""
        o, n, w = ctx.orders(), ctx.n, self.window
        c, age = o["_c"].to_numpy(), o["_age"].to_numpy()
        recent = age <= w
        cols: dict[str, np.ndarray] = {}
        phone_key = virtual = None
        recipient_phone = ctx.order_column("recipient_phone")
        if recipient_phone is not None:
            phone_key, virtual = phone_keys(recipient_phone)
            del recipient_phone
        cols["n_recipient_phones"] = _distinct(c, phone_key, n, recent)
        cols["n_recipient_names"] = _distinct(c, _col(ctx, "recipient_name"), n, recent)
        address = _col(ctx, "recipient_address")
        cols["n_recipient_addresses"] = _distinct(c, address, n, recent)
        cols["phone_shared_accounts"] = _shared(c, phone_key, n)
        cols["address_shared_accounts"] = _shared(c, address, n)
        cols["own_phone_shared_accounts"] = _own_phone_shared(ctx)
        cols["virtual_recipient_share"] = (
            ratio(count(c, n, recent & (virtual == 1)), count(c, n, recent & ~np.isnan(virtual)))
            if virtual is not None
            else np.full(n, np.nan)
        )
        reg_age = age_days(ctx.customers["registered_at"], ctx.as_of)  # account age at as_of
        account_age_at_order = reg_age[c] - age
        cod = matches(o, "payment_method", "cod")
        cols["first_cod_account_age_days"] = reduce(c, account_age_at_order, n, "min", cod)
        cols["orders_first_7d"] = count(c, n, account_age_at_order <= 7)
        cols["max_orders_24h"] = _max_in_window(c, age, n, 1.0)
        refused = matches(o, "status", "refused") & cod & (age >= self.settle_days)
        cols[f"refused_cod_{w}d"] = count(c, n, refused & recent)
        return ctx.frame(cols)


def _col(ctx: FeatureContext, name: str) -> np.ndarray | None:
    """Integer codes of a text column with white space removed (-1 = missing), for counting.

    The distinct values are normalised, not every row: 10M order rows hold far fewer
    distinct recipient names and addresses.
    """
    column = ctx.order_column(name)
    if column is None:
        return None
    encoded = pc.dictionary_encode(pa.array(column.astype("string").array))
    del column
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks()
    cleaned = pc.replace_substring_regex(encoded.dictionary, r"\s+", "")
    remap = _codes(cleaned)  # distinct values that differ only in white space share a code
    indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    return np.where(indices >= 0, remap[np.maximum(indices, 0)], -1) if len(remap) else indices


def _codes(values: pa.Array) -> np.ndarray:
    """Return the dictionary codes of an Arrow array, -1 for missing values."""
    indices = pc.dictionary_encode(values).indices
    return np.asarray(indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _distinct(c: np.ndarray, keys: np.ndarray | None, n: int, mask: np.ndarray) -> np.ndarray:
    if keys is None:
        return np.full(n, np.nan)
    return reduce(c, keys, n, "nunique", mask & (keys >= 0))


def _shared(c: np.ndarray, keys: np.ndarray | None, n: int) -> np.ndarray:
    """For each customer, the largest number of *other* customers using one of its keys."""
    if keys is None:
        return np.full(n, np.nan)
    known = keys >= 0
    pairs = pd.unique(keys[known] * np.int64(n) + c[known])  # distinct (key, customer)
    key, customer = pairs // n, pairs % n
    degree = np.bincount(key)[key] - 1
    return reduce(customer, degree.astype(np.float64), n, "max")


def _own_phone_shared(ctx: FeatureContext) -> np.ndarray:
    if "phone" not in ctx.customers:
        return np.full(ctx.n, np.nan)
    key, _ = phone_keys(ctx.customers["phone"])
    sizes = np.bincount(key[key >= 0], minlength=int(key.max(initial=-1)) + 1)
    return np.where(key >= 0, sizes[np.maximum(key, 0)] - 1, 0).astype(np.float64)


def _max_in_window(c: np.ndarray, age: np.ndarray, n: int, days: float) -> np.ndarray:
    """Most orders by one customer inside any window of ``days`` (ending at one of its orders).

    ``age`` must not increase along the rows (the context's orders are sorted by time), so a
    stable sort by customer alone leaves each customer's orders oldest first.
    """
    if len(c) == 0:
        return np.zeros(n)
    order = np.argsort(c, kind="stable")
    cs, t = c[order], -age[order]  # t increases within a customer
    key = cs * 1e6 + (t - t.min())  # customers separated by far more than any time span
    start = np.searchsorted(key, key - days, side="left")
    in_window = np.arange(len(key)) - start + 1
    return reduce(cs, in_window.astype(np.float64), n, "max")
