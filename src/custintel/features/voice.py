"""Voice of the customer: reviews, service tickets and calls, and how unhappy they sound."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from custintel.data.schema import REVIEW_SOURCES
from custintel.features._base import (
    FeatureBuilder,
    FeatureContext,
    FeatureSpec,
    count,
    ratio,
    reduce,
)

_SOURCE_ZH = {"review": "评价", "ticket": "客服工单", "call": "来电"}


class TextScorer(Protocol):
    """What :class:`VoiceFeatures` needs from a text model (e.g. custintel's sentiment model).

    ``negative_proba(texts)`` returns the probability that each text is negative;
    ``aspects`` names the complaint aspects and ``aspect_flags(texts)`` returns one boolean
    column per aspect.
    """

    aspects: Sequence[str]

    def negative_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text is negative."""
        ...

    def aspect_flags(self, texts: Sequence[str]) -> pd.DataFrame:
        """One boolean column per aspect: does the text complain about it."""
        ...


class VoiceFeatures(FeatureBuilder):
    """Counts of reviews, tickets and calls, ratings, and the share of negative voices.

    Without a text model, a voice is negative when its rating is 1-2 stars; tickets are
    counted separately (they are complaints by nature). Pass ``text_model`` to score the text
    itself and add one column per complaint aspect; callers do not change.

    Parameters
    ----------
    window : int
        Look-back window in days.
    text_model : TextScorer, optional
        Scores the Chinese text; see :class:`TextScorer`.
    """

    family = "voice"
    requires = ("customers", "reviews")

    def __init__(self, window: int = 365, *, text_model: TextScorer | None = None):
        self.window = window
        self.text_model = text_model

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the voice columns."""
        s, w = self.spec, self.window
        specs = [
            s(
                f"{src}s_{w}d",
                f"{src}s written (last {w} days)",
                f"近{w}天{_SOURCE_ZH[src]}数",
                "count",
                f"higher means more {src}s",
            )
            for src in REVIEW_SOURCES
        ]
        specs += [
            s(
                "tickets_90d",
                "service tickets (last 90 days)",
                "近90天客服工单数",
                "count",
                "higher means more recent complaints",
            ),
            s(
                "mean_rating",
                f"mean star rating (last {w} days)",
                f"近{w}天平均评分",
                "stars",
                "lower means less satisfied",
            ),
            s(
                "negative_share",
                f"share of negative reviews, tickets and calls (last {w} days)",
                f"近{w}天负面反馈占比",
                "share",
                "higher means more unhappy",
            ),
            s(
                "days_since_complaint",
                "days since the last negative review or ticket",
                "距最近一次负面反馈或工单的天数",
                "days",
                "lower means a fresh complaint",
            ),
        ]
        if self.text_model is not None:
            specs += [
                s(
                    f"aspect_{a}",
                    f"complaints about {a} (last {w} days)",
                    f"近{w}天关于{a}的投诉数",
                    "count",
                    f"higher means more complaints about {a}",
                )
                for a in self.text_model.aspects
            ]
        return specs

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the voice columns."""
        n, w = ctx.n, self.window
        r = ctx.events("reviews", "created_at")
        c, age = r["_c"].to_numpy(), r["_age"].to_numpy()
        recent = age <= w
        source = (
            r["source"].astype("string")
            if "source" in r
            else pd.Series("review", index=r.index, dtype="string")
        )
        is_ticket = (source == "ticket").to_numpy(bool, na_value=False)
        cols = {
            f"{src}s_{w}d": count(c, n, recent & (source == src).to_numpy(bool, na_value=False))
            for src in REVIEW_SOURCES
        }
        cols["tickets_90d"] = count(c, n, (age <= 90) & is_ticket)
        rating = (
            r["rating"].to_numpy(np.float64, na_value=np.nan)
            if "rating" in r
            else np.full(len(r), np.nan)
        )
        cols["mean_rating"] = reduce(c, rating, n, "mean", recent & ~np.isnan(rating))
        texts = r["text"].astype("string").fillna("").tolist() if "text" in r else [""] * len(r)
        if self.text_model is not None and len(r):
            negative = np.asarray(self.text_model.negative_proba(texts)) >= 0.5
        else:
            negative = rating <= 2
        complaint = negative | is_ticket
        cols["negative_share"] = ratio(count(c, n, recent & complaint), count(c, n, recent))
        cols["days_since_complaint"] = reduce(c, age, n, "min", complaint)
        if self.text_model is not None:
            flags = (
                self.text_model.aspect_flags(texts)
                if len(r)
                else pd.DataFrame(columns=list(self.text_model.aspects))
            )
            for a in self.text_model.aspects:
                hit = flags[a].to_numpy(bool) if len(r) else np.zeros(0, bool)
                cols[f"aspect_{a}"] = count(c, n, recent & hit)
        return ctx.frame(cols)
