"""Probability calibration of raw boosting scores: Platt's sigmoid or isotonic regression."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

#: Isotonic calibration needs this many validation rows and this many rows of each class.
ISOTONIC_MIN_ROWS, ISOTONIC_MIN_CLASS = 50_000, 1_000
#: Smallest Platt slope: calibration may flatten the scores but never erase their order.
MIN_SLOPE = 1e-3
#: Share of the raw-score sigmoid mixed into isotonic probabilities to break ties.
TIE_BREAK = 1e-6


@dataclass(frozen=True)
class Sigmoid:
    """``p = sigmoid(a * raw + b)``: Platt scaling (``a=1, b=0`` is the booster's own)."""

    a: float
    b: float

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(expit(self.a * raw + self.b))


@dataclass(frozen=True)
class Isotonic:
    """Isotonic map of the raw score, clipped away from 0 and 1, ties broken by the raw score."""

    iso: IsotonicRegression
    low: float

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        p = np.clip(self.iso.predict(raw), self.low, 1.0 - self.low)
        return np.asarray((1.0 - TIE_BREAK) * p + TIE_BREAK * expit(raw))


def calibrate(
    how: str | None, raw: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[str, Callable[[np.ndarray], np.ndarray]]:
    if how is None:
        return "none", Sigmoid(1.0, 0.0)
    if how == "auto":
        big = len(y) >= ISOTONIC_MIN_ROWS and min(y.sum(), len(y) - y.sum()) >= ISOTONIC_MIN_CLASS
        how = "isotonic" if big else "sigmoid"
    if how == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(raw, y, sample_weight=w)
        return "isotonic", Isotonic(iso, 0.5 / (len(y) + 1))
    return "sigmoid", _platt(raw, y, w)


def _platt(raw: np.ndarray, y: np.ndarray, w: np.ndarray) -> Sigmoid:
    """Fit Platt's sigmoid with his smoothed targets, slope kept positive."""
    n_pos, n_neg = float(np.sum(w * y)), float(np.sum(w * (1 - y)))
    t = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * raw + ab[1]
        p = expit(z)
        # log(1 + e^z) - t z, written stably
        value = float(np.sum(w * (np.logaddexp(0.0, z) - t * z)))
        g = w * (p - t)
        return value, np.array([float(np.sum(g * raw)), float(np.sum(g))])

    result = minimize(
        loss,
        np.array([1.0, 0.0]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(MIN_SLOPE, None), (None, None)],
    )
    return Sigmoid(float(result.x[0]), float(result.x[1]))
