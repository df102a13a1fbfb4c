"""How a customer buys: category, channel and payment mix, coupons, returns and festivals."""

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
    value_codes,
)

DEFAULT_CATEGORIES = ("fresh", "electronics", "apparel", "beauty", "household", "books")
DEFAULT_CHANNELS = ("app", "mini_program", "web", "store")

_CATEGORY_ZH = {
    "fresh": "生鲜",
    "electronics": "数码家电",
    "apparel": "服饰",
    "beauty": "美妆",
    "household": "家居日用",
    "books": "图书",
}
_CHANNEL_ZH = {"app": "App", "mini_program": "小程序", "web": "网页", "store": "门店"}


def festival_mask(times: pd.Series) -> np.ndarray:
    """Whether each time falls in a shopping festival: 618 (1-20 June) or Double-11 (1-12 Nov)."""
    month, day = times.dt.month.to_numpy(), times.dt.day.to_numpy()
    return ((month == 6) & (day <= 20)) | ((month == 11) & (day <= 12))


class OrderMixFeatures(FeatureBuilder):
    """Shares of the last year's orders by category, channel and payment, and order outcomes.

    Parameters
    ----------
    categories, channels : sequence of str
        Values that get their own share column; anything else counts as ``other``.
    settle_days : int
        An order's final status (returned, refused) is only known some days after it was
        placed. Outcome rates use orders placed at least this many days before ``as_of``, so
        a snapshot never uses an outcome that was not known yet.
    window : int
        Look-back window in days for the shares.
    """

    family = "behaviour"

    def __init__(
        self,
        categories: Sequence[str] = DEFAULT_CATEGORIES,
        channels: Sequence[str] = DEFAULT_CHANNELS,
        *,
        settle_days: int = 14,
        window: int = 365,
    ):
        self.categories = tuple(categories)
        self.channels = tuple(channels)
        self.settle_days = settle_days
        self.window = window

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the order-mix columns."""
        s, w = self.spec, self.window
        specs = [
            s(
                f"share_{c}",
                f"share of orders in category {c} (last {w} days)",
                f"近{w}天{_CATEGORY_ZH.get(c, c)}品类订单占比",
                "share",
                f"higher means more {c}",
            )
            for c in self.categories
        ]
        specs.append(
            s(
                "n_categories",
                f"distinct categories bought (last {w} days)",
                f"近{w}天购买的品类数",
                "count",
                "higher means broader interests",
            )
        )
        specs += [
            s(
                f"channel_{c}",
                f"share of orders through {c} (last {w} days)",
                f"近{w}天通过{_CHANNEL_ZH.get(c, c)}下单的占比",
                "share",
                f"higher means more orders through {c}",
            )
            for c in self.channels
        ]
        specs += [
            s(
                "cod_share",
                f"share of cash-on-delivery orders (last {w} days)",
                f"近{w}天货到付款订单占比",
                "share",
                "higher means more pay-on-delivery",
            ),
            s(
                "coupon_share",
                f"share of orders with a coupon (last {w} days)",
                f"近{w}天使用优惠券的订单占比",
                "share",
                "higher means more coupon-driven",
            ),
            s(
                "festival_share",
                f"share of orders placed during 618 or Double-11 (last {w} days)",
                f"近{w}天618和双十一期间订单占比",
                "share",
                "higher means more dependent on shopping festivals",
            ),
            s(
                "night_share",
                f"share of orders placed between 0:00 and 6:00 (last {w} days)",
                f"近{w}天凌晨0-6点下单占比",
                "share",
                "higher means more night-time orders",
            ),
            s(
                "return_rate",
                "share of settled orders returned",
                "已结算订单退货率",
                "share",
                "higher means more returns",
            ),
            s(
                "refusal_rate",
                "share of settled orders refused at the door",
                "已结算订单拒收率",
                "share",
                "higher means more refused deliveries",
            ),
            s(
                "cancel_rate",
                "share of settled orders cancelled",
                "已结算订单取消率",
                "share",
                "higher means more cancellations",
            ),
        ]
        return specs

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the order-mix columns."""
        o = ctx.orders()
        n = ctx.n
        # Masks over the context's orders instead of copies of them: no string column moves.
        recent = (o["_age"] <= self.window).to_numpy()
        c_all = o["_c"].to_numpy()
        base = count(c_all, n, recent)
        cols: dict[str, np.ndarray] = {}
        for value in self.categories:
            cols[f"share_{value}"] = ratio(
                count(c_all, n, recent & matches(o, "category", value)), base
            )
        category = value_codes(o, "category")
        cols["n_categories"] = reduce(c_all, category, n, "nunique", recent & (category >= 0))
        for value in self.channels:
            cols[f"channel_{value}"] = ratio(
                count(c_all, n, recent & matches(o, "channel", value)), base
            )
        cols["cod_share"] = ratio(
            count(c_all, n, recent & matches(o, "payment_method", "cod")), base
        )
        coupon = (
            o["coupon_used"].astype("boolean").to_numpy(bool, na_value=False)
            if "coupon_used" in o
            else np.zeros(len(o), bool)
        )
        cols["coupon_share"] = ratio(count(c_all, n, recent & coupon), base)
        cols["festival_share"] = ratio(
            count(c_all, n, recent & festival_mask(o["ordered_at"])), base
        )
        hour = o["ordered_at"].dt.hour.to_numpy()
        cols["night_share"] = ratio(count(c_all, n, recent & (hour < 6)), base)

        settled = (o["_age"] >= self.settle_days).to_numpy()
        n_settled = count(c_all, n, settled)
        for value, name in (
            ("returned", "return_rate"),
            ("refused", "refusal_rate"),
            ("cancelled", "cancel_rate"),
        ):
            cols[name] = ratio(count(c_all, n, settled & matches(o, "status", value)), n_settled)
        if "category" not in o:
            for value in self.categories:
                cols[f"share_{value}"] = np.full(n, np.nan)
        return ctx.frame(cols)
