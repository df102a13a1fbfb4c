"""Metrics of binary scores: known answers computed by hand, and agreement with scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from custintel.evaluation.metrics import binary_report, gini, ks_statistic, lift_table, psi

# Ten rows, three positives, scores already sorted from highest to lowest.
Y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
P = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])


def test_ks_known_answer():
    # cumulative share of positives minus negatives after each row (highest score first):
    # 1/3-0, 1/3-1/7, 2/3-1/7 = 0.524 (max), 2/3-2/7, ... so KS = 2/3 - 1/7
    assert ks_statistic(Y, P) == pytest.approx(2 / 3 - 1 / 7)
    assert ks_statistic([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0  # perfect separation
    assert ks_statistic([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.0  # no separation


def test_gini_is_two_auc_minus_one():
    # pairs (positive, negative) ranked right: 7 + 6 + 0 = 13 of 21 -> AUC 13/21
    assert roc_auc_score(Y, P) == pytest.approx(13 / 21)
    assert gini(Y, P) == pytest.approx(2 * 13 / 21 - 1)
    assert gini([0, 1], [0.9, 0.1]) == -1.0


def test_psi_known_answer():
    expected = np.arange(1, 101, dtype=float)  # deciles of 10 rows each
    same = psi(expected, expected)
    assert same == pytest.approx(0.0)
    # everything moved into the top decile except 50 rows left in the first five
    actual = np.r_[np.arange(1, 51), np.full(50, 99.0)]
    e = np.full(10, 0.1)
    a = np.r_[np.full(5, 0.1), np.full(4, 1e-4), 0.5]  # empty bins count as 0.0001
    by_hand = float(np.sum((a - e) * np.log(a / e)))
    assert psi(expected, actual) == pytest.approx(by_hand)
    assert psi(expected, actual) > 0.25  # a major shift
    # two bins by hand: 0.5/0.5 -> 0.75/0.25
    two = 0.25 * math.log(1.5) + (-0.25) * math.log(0.5)
    assert psi([1, 2, 3, 4], [1, 1, 1, 4], bins=2) == pytest.approx(two)


def test_psi_small_shift_is_small():
    rng = np.random.default_rng(0)
    base = rng.normal(size=20_000)
    assert psi(base, rng.normal(size=20_000)) < 0.01
    assert 0.05 < psi(base, rng.normal(0.3, 1.0, size=20_000)) < 0.2


def test_lift_table_known_answer():
    t = lift_table(Y, P, bins=5)
    assert t.index.tolist() == [1, 2, 3, 4, 5]
    assert t["n"].tolist() == [2, 2, 2, 2, 2]
    assert t["positives"].tolist() == [1, 1, 0, 0, 1]
    np.testing.assert_allclose(t["rate"], [0.5, 0.5, 0, 0, 0.5])
    np.testing.assert_allclose(t["lift"], [0.5 / 0.3, 0.5 / 0.3, 0, 0, 0.5 / 0.3])
    np.testing.assert_allclose(t["cum_capture"], [1 / 3, 2 / 3, 2 / 3, 2 / 3, 1])
    np.testing.assert_allclose(
        t["cum_lift"], [(1 / 3) / 0.2, (2 / 3) / 0.4, (2 / 3) / 0.6, (2 / 3) / 0.8, 1]
    )
    assert t.loc[1, "max_score"] == 0.9 and t.loc[5, "min_score"] == 0.05


def test_lift_table_uneven_bands_and_errors():
    t = lift_table(np.r_[np.ones(3), np.zeros(8)], np.linspace(1, 0, 11), bins=3)
    assert t["n"].sum() == 11 and t["n"].max() - t["n"].min() <= 1
    with pytest.raises(ValueError, match="bins must be between 1 and the number of rows"):
        lift_table(Y, P, bins=11)


def test_binary_report_known_answers_and_sklearn_agreement():
    r = binary_report(Y, P, top=0.2)
    assert r["n"] == 10 and r["positives"] == 3 and r["base_rate"] == pytest.approx(0.3)
    assert r["roc_auc"] == pytest.approx(13 / 21)
    assert r["gini"] == pytest.approx(2 * 13 / 21 - 1)
    assert r["ks"] == pytest.approx(2 / 3 - 1 / 7)
    # top 20% = 2 rows, one positive: rate 0.5, lift 0.5 / 0.3, capture 1 / 3
    assert r["lift"] == pytest.approx(0.5 / 0.3)
    assert r["capture"] == pytest.approx(1 / 3)
    assert r["log_loss"] == pytest.approx(log_loss(Y, P))
    assert r["brier"] == pytest.approx(brier_score_loss(Y, P))
    # precision at each positive: 1/1, 2/3, 3/10 -> average precision
    assert r["pr_auc"] == pytest.approx((1 + 2 / 3 + 3 / 10) / 3)
    assert isinstance(r, pd.Series) and set(r.index) >= {"roc_auc", "pr_auc", "lift", "capture"}


def test_binary_report_default_top_decile():
    y = np.r_[np.ones(10), np.zeros(90)]
    p = np.linspace(1, 0, 100)  # the ten positives score highest
    r = binary_report(y, p)
    assert r["lift"] == pytest.approx(10.0) and r["capture"] == 1.0 and r["roc_auc"] == 1.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="y has 3 values but p has 2"):
        binary_report([0, 1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="0/1 labels"):
        binary_report([0, 2], [0.2, 0.3])
    with pytest.raises(ValueError, match="NaN or infinite"):
        binary_report([0, 1], [0.2, np.nan])
    with pytest.raises(ValueError, match="top must be a share"):
        binary_report([0, 1], [0.2, 0.3], top=0)
    with pytest.raises(ValueError, match="both classes"):
        ks_statistic([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="psi scores must be finite"):
        psi([1.0, np.nan], [1.0, 2.0])
    one_class = binary_report([1, 1], [0.2, 0.3])
    assert math.isnan(one_class["roc_auc"]) and one_class["capture"] == 0.5
