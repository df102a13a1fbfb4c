"""Empirical tail scores (the ECOD idea) and score-to-percentile maps of the fraud detector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAX_KNOTS = 2048  # stored points of each feature's tail function
LEVELS = np.unique(np.concatenate([np.linspace(0, 1, 1001), 1 - np.geomspace(0.1, 1e-6, 1000)]))


@dataclass(frozen=True)
class Tail:
    """One feature's empirical tail function, learned from the fitted rows.

    ``counts[i]`` fitted values are at least as extreme as ``knots[i]`` in the risky direction
    (``side`` +1: >=, -1: <=); for a categorical column (``side`` 0), ``counts[code]`` rows
    have that level.
    """

    side: int
    knots: np.ndarray
    counts: np.ndarray
    n: int

    def score(self, x: np.ndarray) -> np.ndarray:
        """``-ln((count + 1) / (n + 1))`` per value: 0 when missing or in the safe direction."""
        out = np.zeros(len(x))
        ok = ~np.isnan(x)
        if self.n == 0 or not ok.any():
            return out
        v = x[ok]
        if self.side == 0:
            codes = v.astype(np.int64)
            inside = (codes >= 0) & (codes < len(self.counts))
            count = np.where(inside, self.counts[np.clip(codes, 0, len(self.counts) - 1)], 0)
        elif self.side > 0:
            count = np.interp(v, self.knots, self.counts, left=self.n, right=0.0)
        else:
            count = np.interp(v, self.knots, self.counts, left=0.0, right=self.n)
        out[ok] = np.log(self.n + 1.0) - np.log(np.asarray(count, dtype=np.float64) + 1.0)
        return out


def fit_tail(x: np.ndarray, side: int, n_levels: int) -> Tail:
    v = x[~np.isnan(x)]
    n = len(v)
    if side == 0:
        levels = np.bincount(v.astype(np.int64), minlength=n_levels).astype(np.float64)
        return Tail(0, np.arange(len(levels), dtype=np.float64), levels, n)
    values, counts = np.unique(v, return_counts=True)
    below = np.cumsum(counts)  # fitted values <= each value
    at_least = n - below + counts  # fitted values >= each value
    tail = at_least if side > 0 else below
    if len(values) > _MAX_KNOTS:  # keep both ends exactly, thin the middle
        half = np.geomspace(1, len(values), _MAX_KNOTS // 2)
        keep = np.unique(np.concatenate([half, len(values) + 1 - half]).round().astype(np.int64))
        values, tail = values[keep - 1], tail[keep - 1]
    return Tail(side, values.astype(np.float64), tail.astype(np.float64), n)


def skew_side(x: np.ndarray) -> int:
    """ECOD's rule for a column of unknown direction: the left tail when skewed left."""
    v = x[~np.isnan(x)]
    if len(v) < 3:
        return 1
    centred = v - v.mean()
    m2 = float(np.mean(centred**2))
    return -1 if m2 > 0 and float(np.mean(centred**3)) < 0 else 1


@dataclass(frozen=True)
class Percentile:
    """Monotone map of a score to its (interpolated) percentile among the fitted rows."""

    knots: np.ndarray
    levels: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> Percentile:
        q = np.quantile(values, LEVELS)
        knots, inverse = np.unique(q, return_inverse=True)
        levels = np.bincount(inverse, weights=LEVELS) / np.bincount(inverse)  # ties: mid level
        return cls(knots, levels)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if len(self.knots) == 1:
            return np.where(values > self.knots[0], 1.0, np.where(values < self.knots[0], 0, 0.5))
        return np.interp(values, self.knots, self.levels, left=0.0, right=1.0)
