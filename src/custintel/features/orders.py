"""Order-level features for fraud scoring, each computed from what was known when it was placed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.data import Dataset, to_timestamp
from custintel.features._base import FeatureSpec, as_keys, positions, text_column
from custintel.features._identity import as_float, phone_attributes
from custintel.identity import assert_no_pii

_S = FeatureSpec
ORDER_CATALOG: tuple[FeatureSpec, ...] = (
    _S("amount", "orders", "order value", "订单金额", "CNY", "higher means a bigger order"),
    _S("quantity", "orders", "items in the order", "商品件数", "count", "higher means more items"),
    _S("is_cod", "orders", "paid cash on delivery", "货到付款", "flag", "1 means pay on delivery"),
    _S("coupon_used", "orders", "a coupon was used", "使用优惠券", "flag", "1 means a coupon"),
    _S(
        "category",
        "orders",
        "product category",
        "商品品类",
        "category",
        "categories differ in risk",
    ),
    _S("channel", "orders", "ordering channel", "下单渠道", "category", "channels differ in risk"),
    _S(
        "hour",
        "orders",
        "hour of day the order was placed",
        "下单时刻（小时）",
        "hour",
        "0-5 is night",
    ),
    _S(
        "account_age_days",
        "orders",
        "account age in days when ordering",
        "下单时账户年龄（天）",
        "days",
        "lower means a newer account",
    ),
    _S(
        "prior_orders",
        "orders",
        "orders the customer placed before this one",
        "此前下单数",
        "count",
        "lower means less history",
    ),
    _S(
        "amount_vs_prior_mean",
        "orders",
        "order value divided by the customer's earlier average",
        "订单金额与历史平均之比",
        "ratio",
        "higher means unusually large",
    ),
    _S(
        "prior_refused_cod",
        "orders",
        "earlier cash-on-delivery orders refused at the door",
        "此前货到付款拒收次数",
        "count",
        "higher means a history of refusals",
    ),
    _S(
        "orders_prev_24h",
        "orders",
        "the customer's orders in the 24 hours before",
        "前24小时内下单数",
        "count",
        "higher means a burst",
    ),
    _S(
        "orders_prev_7d",
        "orders",
        "the customer's orders in the 7 days before",
        "前7天内下单数",
        "count",
        "higher means a burst",
    ),
    _S(
        "first_cod",
        "orders",
        "the customer's first cash-on-delivery order",
        "首次货到付款订单",
        "flag",
        "1 means a first COD order",
    ),
    _S(
        "recipient_is_self",
        "orders",
        "the recipient phone is the customer's own",
        "收件手机号为本人手机号",
        "flag",
        "0 means shipped to someone else",
    ),
    _S(
        "recipient_virtual",
        "orders",
        "the recipient phone is on a virtual-operator range",
        "收件手机号为虚拟号段",
        "flag",
        "1 means a number that hides identity",
    ),
    _S(
        "recipient_phone_accounts",
        "orders",
        "other accounts that used this recipient phone before",
        "此前使用过该收件手机号的其他账户数",
        "count",
        "higher means a shared number, a sign of a ring",
    ),
    _S(
        "recipient_address_accounts",
        "orders",
        "other accounts that used this address before",
        "此前使用过该收货地址的其他账户数",
        "count",
        "higher means a shared address, a sign of a ring",
    ),
)


def order_feature_catalog() -> pd.DataFrame:
    """Return the catalog of :func:`build_order_features` columns, indexed by name."""
    return pd.DataFrame([vars(s) for s in ORDER_CATALOG]).set_index("name")


def build_order_features(
    ds: Dataset, as_of: object, *, since: object = None, settle_days: int = 14
) -> pd.DataFrame:
    """Features of every order placed before ``as_of`` (and at or after ``since``).

    Each order sees only what was known when it was placed: the customer's earlier orders,
    earlier uses of its recipient phone and address by other accounts, its account age then.
    Refusals of earlier orders count only once settled (``settle_days`` before this order).

    Returns
    -------
    DataFrame
        Indexed by ``order_id``, one column per entry of :func:`order_feature_catalog`.

    Examples
    --------
    >>> from custintel.data import make_demo_dataset
    >>> ds = make_demo_dataset(n_customers=300, seed=0)
    >>> Xo = build_order_features(ds, as_of="2024-07-01", since="2024-06-01")
    >>> Xo.index.name, "recipient_phone_accounts" in Xo
    ('order_id', True)
    """
    as_of_ts = to_timestamp(as_of, ds.tz)
    o = ds.orders
    o = o.loc[(o["ordered_at"] < as_of_ts).to_numpy()].sort_values("ordered_at", kind="stable")
    o = o.reset_index(drop=True)
    t = ((o["ordered_at"] - as_of_ts).dt.total_seconds() / 86_400).to_numpy(np.float64)  # <= 0
    cust = pd.Index(ds.customers["customer_id"])
    cpos = positions(o["customer_id"], cust)
    reg = ((ds.customers["registered_at"] - as_of_ts).dt.total_seconds() / 86_400).to_numpy(
        np.float64
    )
    amount = o["amount"].to_numpy(np.float64)
    pay = text_column(o, "payment_method")
    cod = (pay == "cod").to_numpy(bool, na_value=False)
    status = text_column(o, "status")
    refused = (status == "refused").to_numpy(bool, na_value=False) & cod

    by_c = o.groupby(cpos, sort=False)
    prior = by_c.cumcount().to_numpy(np.float64)
    spend_before = by_c["amount"].cumsum().to_numpy(np.float64) - amount
    cols: dict[str, object] = {
        "amount": amount,
        "quantity": as_float(o["quantity"]) if "quantity" in o else np.full(len(o), np.nan),
        "is_cod": np.where(pay.isna().to_numpy(), np.nan, cod.astype(np.float64)),
        "coupon_used": as_float(o["coupon_used"])
        if "coupon_used" in o
        else np.full(len(o), np.nan),
        "category": text_column(o, "category").astype("category").to_numpy(),
        "channel": text_column(o, "channel").astype("category").to_numpy(),
        "hour": o["ordered_at"].dt.hour.to_numpy(np.float64),
        "account_age_days": t - reg[cpos],
        "prior_orders": prior,
        "amount_vs_prior_mean": np.where(
            prior > 0,
            amount / np.where(spend_before > 0, spend_before / np.maximum(prior, 1), np.nan),
            np.nan,
        ),
        "prior_refused_cod": _prior_settled(cpos, t, refused, settle_days),
        "orders_prev_24h": _prior_within(cpos, t, 1.0),
        "orders_prev_7d": _prior_within(cpos, t, 7.0),
        "first_cod": (cod & (pd.Series(cod).groupby(cpos).cumsum().to_numpy() == 1)).astype(
            np.float64
        ),
    }
    own, recipient_key, virtual = _recipient(ds, o, cpos)
    cols["recipient_is_self"] = own
    cols["recipient_virtual"] = virtual
    cols["recipient_phone_accounts"] = _accounts_before(recipient_key, cpos)
    address = text_column(o, "recipient_address").str.replace(r"\s+", "", regex=True)
    cols["recipient_address_accounts"] = _accounts_before(as_keys(address), cpos)
    X = pd.DataFrame(cols, index=pd.Index(o["order_id"], name="order_id"))
    if since is not None:
        X = X.loc[(o["ordered_at"] >= to_timestamp(since, ds.tz, name="since")).to_numpy()]
    X = X.astype({c: "float32" for c in X.columns if X[c].dtype.kind in "fiub"})
    assert_no_pii(X, where="order feature frame")
    return X


def _prior_within(cpos: np.ndarray, t: np.ndarray, days: float) -> np.ndarray:
    """Orders by the same customer in ``[t - days, t)``; rows are sorted by time."""
    if len(t) == 0:
        return np.zeros(0)
    order = np.lexsort((t, cpos))
    cs, ts = cpos[order], t[order]
    key = cs * 1e6 + (ts - ts.min())
    lo = np.searchsorted(key, key - days, side="left")
    hi = np.searchsorted(key, key, side="left")  # earlier orders only (ties excluded)
    out = np.empty(len(t))
    out[order] = hi - lo
    return out


def _prior_settled(
    cpos: np.ndarray, t: np.ndarray, flag: np.ndarray, settle_days: float
) -> np.ndarray:
    """Count a customer's flagged orders placed at least ``settle_days`` before each order."""
    if len(t) == 0:
        return np.zeros(0)
    order = np.lexsort((t, cpos))
    cs, ts, fs = cpos[order], t[order], flag[order]
    key = cs * 1e6 + (ts - ts.min())
    cum = np.concatenate([[0], np.cumsum(fs)])
    group_start = np.searchsorted(key, cs * 1e6 - 1, side="left")
    cut = np.searchsorted(key, key - settle_days, side="right")
    out = np.empty(len(t))
    out[order] = cum[np.maximum(cut, group_start)] - cum[group_start]
    return out


def _accounts_before(keys: np.ndarray | None, cpos: np.ndarray) -> np.ndarray:
    """Distinct other accounts that used the same key on an earlier order (rows sorted by time)."""
    if keys is None:
        return np.full(len(cpos), np.nan)
    frame = pd.DataFrame({"k": keys, "c": cpos})
    valid = frame["k"].notna().to_numpy()
    first_use = ~frame.duplicated(["k", "c"]).to_numpy() & valid
    seen = pd.Series(first_use.astype(np.int64)).groupby(frame["k"].to_numpy()).cumsum().to_numpy()
    # accounts seen up to and including this row, minus this account itself
    out = np.where(valid, seen - 1, np.nan).astype(np.float64)
    return np.clip(out, 0, None)


def _recipient(
    ds: Dataset, o: pd.DataFrame, cpos: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    n = len(o)
    if "recipient_phone" not in o:
        return np.full(n, np.nan), None, np.full(n, np.nan)
    rec = phone_attributes(o["recipient_phone"])
    key = rec["e164"].astype("string")
    virtual = as_float(rec["is_virtual"])
    if "phone" not in ds.customers:
        return np.full(n, np.nan), as_keys(key), virtual
    own = as_keys(phone_attributes(ds.customers["phone"])["e164"].astype("string"))
    own_at = pd.Series(own[np.clip(cpos, 0, None)], dtype="string")
    same = (key.reset_index(drop=True) == own_at).astype("Float64")
    return (
        same.to_numpy(np.float64, na_value=np.nan),
        as_keys(key),
        virtual,
    )
