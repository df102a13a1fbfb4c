"""Recency, frequency, monetary value and the rhythm of purchases."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from custintel.features._base import (
    FeatureBuilder,
    FeatureContext,
    FeatureSpec,
    count,
    matches,
    ratio,
    reduce,
    total,
    window_label,
)

DEFAULT_WINDOWS = (30, 90, 180, 365)


class RFMFeatures(FeatureBuilder):
    """Recency, frequency and monetary value over several windows, plus purchase rhythm.

    Parameters
    ----------
    windows : sequence of int
        Look-back windows in days for the counts and sums.

    Notes
    -----
    Spend excludes cancelled orders. Inter-purchase time (IPT) statistics use the gaps between
    consecutive orders; ``overdue_ratio`` is the current silence divided by the customer's mean
    gap (above 1: later than usual), the signal buy-till-you-die models are built on.
    """

    family = "rfm"

    def __init__(self, windows: Sequence[int] = DEFAULT_WINDOWS):
        self.windows = tuple(windows)

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the RFM columns."""
        s = self.spec
        specs = [
            s(
                "recency_days",
                "days since the last order",
                "距最近一次下单的天数",
                "days",
                "higher means a longer silence",
            ),
            s(
                "first_order_days",
                "days since the first order",
                "距首次下单的天数",
                "days",
                "higher means a longer buying history",
            ),
            s(
                "orders_total",
                "orders placed so far",
                "累计下单数",
                "count",
                "higher means a more frequent buyer",
            ),
            s(
                "spend_total",
                "total spend so far (excluding cancelled orders)",
                "累计消费金额（不含取消订单）",
                "CNY",
                "higher means a more valuable customer",
            ),
            s(
                "avg_order_value",
                "average order value",
                "平均客单价",
                "CNY",
                "higher means larger orders",
            ),
        ]
        for w in self.windows:
            lab = window_label(w)
            specs += [
                s(
                    f"orders_{lab}",
                    f"orders in the last {w} days",
                    f"近{w}天下单数",
                    "count",
                    "higher means more recent activity",
                ),
                s(
                    f"spend_{lab}",
                    f"spend in the last {w} days",
                    f"近{w}天消费金额",
                    "CNY",
                    "higher means more recent spend",
                ),
            ]
        specs += [
            s(
                "ipt_mean_days",
                "mean days between consecutive orders",
                "平均下单间隔天数",
                "days",
                "higher means a slower buying rhythm",
            ),
            s(
                "ipt_std_days",
                "spread of the days between orders",
                "下单间隔的标准差",
                "days",
                "higher means a less regular rhythm",
            ),
            s(
                "overdue_ratio",
                "current silence divided by the usual gap between orders",
                "当前未下单时长与平时下单间隔之比",
                "ratio",
                "above 1 means later than usual",
            ),
            s(
                "orders_trend_90d",
                "orders in the last 90 days vs the 90 days before (-1 to 1)",
                "近90天与之前90天下单数对比（-1到1）",
                "ratio",
                "negative means buying less than before",
            ),
            s(
                "spend_trend_90d",
                "spend in the last 90 days vs the 90 days before (-1 to 1)",
                "近90天与之前90天消费金额对比（-1到1）",
                "ratio",
                "negative means spending less than before",
            ),
            s(
                "active_months_365d",
                "months with at least one order in the last year",
                "近一年有下单的月份数",
                "count",
                "higher means a steadier customer",
            ),
            s(
                "items_per_order",
                "average items per order",
                "平均每单件数",
                "count",
                "higher means larger baskets",
            ),
        ]
        return specs

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the RFM columns."""
        o = ctx.orders()
        n, c, age = ctx.n, o["_c"].to_numpy(), o["_age"].to_numpy()
        kept = ~matches(o, "status", "cancelled")  # a missing status counts as kept
        amount = o["amount"].to_numpy(dtype=np.float64)
        n_total = count(c, n)
        spend_total = total(c, amount, n, kept)
        first = reduce(c, age, n, "max")
        last = reduce(c, age, n, "min")
        cols: dict[str, np.ndarray] = {
            "recency_days": last,
            "first_order_days": first,
            "orders_total": n_total,
            "spend_total": spend_total,
            "avg_order_value": ratio(spend_total, count(c, n, kept)),
        }
        for w in self.windows:
            inside = age <= w
            cols[f"orders_{window_label(w)}"] = count(c, n, inside)
            cols[f"spend_{window_label(w)}"] = total(c, amount, n, inside & kept)

        gap_mean, gap_std = _gaps(c, age, n)
        cols["ipt_mean_days"] = gap_mean
        cols["ipt_std_days"] = gap_std
        cols["overdue_ratio"] = ratio(last, gap_mean)
        recent, before = count(c, n, age <= 90), count(c, n, (age > 90) & (age <= 180))
        cols["orders_trend_90d"] = ratio(recent - before, recent + before)
        s_recent = total(c, amount, n, (age <= 90) & kept)
        s_before = total(c, amount, n, (age > 90) & (age <= 180) & kept)
        cols["spend_trend_90d"] = ratio(s_recent - s_before, s_recent + s_before)
        month = (age // 30.4375).astype(np.int64)  # ages are >= 0: events precede as_of
        cols["active_months_365d"] = reduce(c, month, n, "nunique", age <= 365)
        if "quantity" in o:
            qty = o["quantity"].to_numpy(dtype=np.float64, na_value=np.nan)
            cols["items_per_order"] = reduce(c, qty, n, "mean")
        else:
            cols["items_per_order"] = np.full(n, np.nan)
        return ctx.frame(cols)


def _gaps(codes: np.ndarray, age: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the gaps between a customer's consecutive orders.

    ``age`` must not increase along the rows (the context's orders are in time order), so a
    stable sort by customer alone leaves each customer's orders oldest first.
    """
    order = np.argsort(codes, kind="stable")
    c, a = codes[order], age[order]
    same = c[1:] == c[:-1]
    gaps = (a[:-1] - a[1:])[same]
    owners = c[1:][same]
    return reduce(owners, gaps, n, "mean"), reduce(owners, gaps, n, "std")
