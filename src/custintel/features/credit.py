"""Payment behaviour on cash-on-delivery and credit invoices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.features._base import (
    FeatureBuilder,
    FeatureContext,
    FeatureSpec,
    age_days,
    count,
    ratio,
    reduce,
    total,
)


class CreditFeatures(FeatureBuilder):
    """Invoices issued and paid, days past due, late payment and outstanding exposure.

    Days past due (DPD) are measured as of ``as_of``: a paid invoice counts its payment delay;
    an unpaid one past its due date counts the days until ``as_of``. Payments at or after
    ``as_of`` had not happened yet.

    Parameters
    ----------
    window : int
        Look-back window in days (by issue date).
    """

    family = "credit"
    requires = ("customers", "invoices")

    def __init__(self, window: int = 365):
        self.window = window

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the credit columns."""
        s, w = self.spec, self.window
        return [
            s(
                f"invoices_{w}d",
                f"invoices issued (last {w} days)",
                f"近{w}天账单数",
                "count",
                "higher means more credit use",
            ),
            s(
                f"invoiced_amount_{w}d",
                f"amount invoiced (last {w} days)",
                f"近{w}天账单金额",
                "CNY",
                "higher means more credit use",
            ),
            s(
                "paid_share",
                f"share of invoices due so far that are paid (last {w} days)",
                f"近{w}天已到期账单的还款比例",
                "share",
                "lower means more unpaid bills",
            ),
            s(
                "dpd_max",
                f"most days past due on any invoice (last {w} days)",
                f"近{w}天最长逾期天数",
                "days",
                "higher means worse payment",
            ),
            s(
                "dpd_mean",
                f"mean days past due over invoices due (last {w} days)",
                f"近{w}天平均逾期天数",
                "days",
                "higher means worse payment",
            ),
            s(
                "late_payment_ratio",
                f"share of invoices due that were paid late or not at all (last {w} days)",
                f"近{w}天逾期还款或未还账单占比",
                "share",
                "higher means worse payment",
            ),
            s(
                "outstanding_amount",
                "unpaid invoice amount (COD exposure)",
                "未结清账单金额（货到付款敞口）",
                "CNY",
                "higher means more money at risk",
            ),
            s(
                "overdue_amount",
                "unpaid amount already past its due date",
                "已逾期未还金额",
                "CNY",
                "higher means more money at risk",
            ),
            s(
                "days_since_late_payment",
                "days since an invoice last went past due",
                "距最近一次逾期的天数",
                "days",
                "lower means a fresh payment problem",
            ),
        ]

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the credit columns."""
        n, w = ctx.n, self.window
        inv = ctx.events("invoices", "issued_at")
        c, age = inv["_c"].to_numpy(), inv["_age"].to_numpy()
        amount = (
            inv["amount"].to_numpy(np.float64, na_value=np.nan)
            if "amount" in inv
            else np.zeros(len(inv))
        )
        paid_at = (
            ctx.before(inv["paid_at"]) if "paid_at" in inv else pd.Series(pd.NaT, index=inv.index)
        )
        due_age = (
            age_days(inv["due_at"], ctx.as_of) if "due_at" in inv else np.full(len(inv), np.nan)
        )
        paid = paid_at.notna().to_numpy()
        pay_delay = ((paid_at - inv["due_at"]).dt.total_seconds() / 86_400).to_numpy(
            np.float64, na_value=np.nan
        )
        due = due_age > 0  # the due date has passed
        dpd = np.where(paid, np.clip(pay_delay, 0, None), np.where(due, due_age, np.nan))
        late = np.where(paid, pay_delay > 0, due)
        recent = age <= w
        cols = {
            f"invoices_{w}d": count(c, n, recent),
            f"invoiced_amount_{w}d": total(c, amount, n, recent),
            "paid_share": ratio(count(c, n, recent & due & paid), count(c, n, recent & due)),
            "dpd_max": reduce(c, dpd, n, "max", recent & ~np.isnan(dpd)),
            "dpd_mean": reduce(c, dpd, n, "mean", recent & ~np.isnan(dpd)),
            "late_payment_ratio": ratio(
                count(c, n, recent & late & (due | paid)), count(c, n, recent & (due | paid))
            ),
            "outstanding_amount": total(c, amount, n, ~paid),
            "overdue_amount": total(c, amount, n, ~paid & due),
            # the day an invoice went past due: its due date (it was late from then on)
            "days_since_late_payment": reduce(c, due_age, n, "min", late),
        }
        return ctx.frame(cols)
