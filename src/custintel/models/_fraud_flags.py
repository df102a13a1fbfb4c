"""Readable fraud rules: the flags :class:`~custintel.models.FraudScorer` reports."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPS = {">=": np.greater_equal, "<=": np.less_equal}


@dataclass(frozen=True)
class FlagRule:
    """A readable fraud rule: all conditions of one alternative hold.

    Attributes
    ----------
    name : str
        Column name in :meth:`FraudScorer.flags`.
    zh, en : str
        What the flag means, for a reviewer.
    alternatives : tuple of tuple of (str, str, float)
        Each alternative is a conjunction of ``(column, ">=" or "<=", threshold)``; the first
        alternative whose columns all exist in the frame is used (customer frames first, then
        order frames). A column may use ``*`` as a wildcard.
    """

    name: str
    zh: str
    en: str
    alternatives: tuple[tuple[tuple[str, str, float], ...], ...]


#: The rule flags, in output order.
FLAG_RULES: tuple[FlagRule, ...] = (
    FlagRule(
        "shared_recipient_phone",
        "收件手机号与多个其他账户共用",
        "recipient phone shared with several other accounts",
        ((("phone_shared_accounts", ">=", 2),), (("recipient_phone_accounts", ">=", 2),)),
    ),
    FlagRule(
        "shared_address",
        "收货地址与多个其他账户共用",
        "delivery address shared with several other accounts",
        ((("address_shared_accounts", ">=", 2),), (("recipient_address_accounts", ">=", 2),)),
    ),
    FlagRule(
        "virtual_recipient",
        "收件手机号多为虚拟号段",
        "parcels mostly to virtual-operator phone numbers",
        ((("virtual_recipient_share", ">=", 0.5),), (("recipient_virtual", ">=", 1),)),
    ),
    FlagRule(
        "virtual_own_phone",
        "注册手机号为虚拟号段",
        "registered with a virtual-operator phone number",
        ((("phone_virtual", ">=", 1),),),
    ),
    FlagRule(
        "new_account_cod_burst",
        "新注册账户立即货到付款并集中下单",
        "new account ordering in a burst, paying cash on delivery",
        (
            (("first_cod_account_age_days", "<=", 7), ("orders_first_7d", ">=", 3)),
            (("is_cod", ">=", 1), ("account_age_days", "<=", 7), ("orders_prev_7d", ">=", 2)),
        ),
    ),
    FlagRule(
        "many_recipients",
        "收件人手机号数量多",
        "parcels to many different recipient phones",
        ((("n_recipient_phones", ">=", 3),),),
    ),
    FlagRule(
        "many_addresses",
        "收货地址数量多",
        "parcels to many different addresses",
        ((("n_recipient_addresses", ">=", 4),),),
    ),
    FlagRule(
        "order_burst",
        "短时间内集中下单",
        "many orders within 24 hours",
        ((("max_orders_24h", ">=", 4),), (("orders_prev_24h", ">=", 3),)),
    ),
    FlagRule(
        "refused_cod",
        "多次货到付款拒收",
        "cash-on-delivery parcels refused more than once",
        ((("refused_cod_*d", ">=", 2),), (("prior_refused_cod", ">=", 2),)),
    ),
)


def resolve(rule: FlagRule, columns: pd.Index) -> list[tuple[str, str, str, float]] | None:
    """Return the first alternative of ``rule`` whose columns all exist, or None."""
    names = [str(c) for c in columns]
    for alternative in rule.alternatives:
        resolved = []
        for pattern, op, threshold in alternative:
            match = next((c for c in names if fnmatch.fnmatchcase(c, pattern)), None)
            if match is None:
                break
            resolved.append((match, pattern, op, threshold))
        else:
            return resolved
    return None


def number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"
