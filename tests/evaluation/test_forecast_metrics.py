"""Forecast metrics: known answers computed by hand, zero denominators and input errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from custintel.evaluation.forecast_metrics import (
    coverage,
    forecast_report,
    mase,
    pinball_loss,
    smape,
    wape,
)


def test_mase_known_answers():
    # naive scale of [1, 2, 4]: (|2-1| + |4-2|) / 2 = 1.5; forecast MAE (1 + 1) / 2 = 1
    assert mase([3, 5], [4, 4], [1, 2, 4]) == pytest.approx(1 / 1.5)
    # season 2 on [1, 2, 4, 8]: (|4-1| + |8-2|) / 2 = 4.5; MAE of [0, 9] vs [1, 10] is 1
    assert mase(np.array([0, 9]), pd.Series([1, 10]), [1, 2, 4, 8], season=2) == pytest.approx(
        1 / 4.5
    )
    assert mase([1, 2], [1, 2], [0, 5]) == 0.0


def test_mase_constant_history_gives_inf_or_nan():
    assert mase([5, 5], [4, 6], [5, 5, 5]) == math.inf
    assert math.isnan(mase([5, 5], [5, 5], [5, 5, 5]))


def test_mase_errors():
    with pytest.raises(
        ValueError, match=r"y_train has 7 values but MASE with season=7 needs at least 8"
    ):
        mase([1], [1], np.arange(7), season=7)
    with pytest.raises(ValueError, match="season must be a positive integer, got 0"):
        mase([1], [1], [1, 2], season=0)
    with pytest.raises(ValueError, match="y_train holds 1 NaN or infinite value;"):
        mase([1], [1], [1, np.nan, 3])


def test_smape_known_answers():
    # 200/3 * (50/150 + 10/10 + 0/0 -> 0)
    assert smape([100, 0, 0], [50, 10, 0]) == pytest.approx(200 / 3 * (1 / 3 + 1))
    assert smape([0, 0], [0, 0]) == 0.0
    assert smape([1, 1], [0, 0]) == 200.0  # the top of the scale
    assert smape([2, 4], [2, 4]) == 0.0


def test_wape_known_answers():
    assert wape([10, 0, 30], [12, 1, 27]) == pytest.approx(6 / 40)
    assert wape([0, 0], [1, 0]) == math.inf
    assert math.isnan(wape([0, 0], [0, 0]))
    assert wape([-10, 10], [-5, 10]) == pytest.approx(5 / 20)  # absolute actuals


def test_coverage_known_answers_and_errors():
    assert coverage([1, 5, 9, 4], [0, 0, 0, 4], [2, 4, 10, 6]) == 0.75  # bounds inclusive
    assert coverage([3], [3], [3]) == 1.0
    with pytest.raises(ValueError, match=r"lower is above upper at 1 position\(s\), e.g. \[1\]"):
        coverage([1, 2], [0, 5], [2, 4])


def test_pinball_known_answers():
    # under-forecast by 2 costs 0.9 * 2, over-forecast by 3 costs 0.1 * 3
    assert pinball_loss([10, 10], [8, 13], q=0.9) == pytest.approx(1.05)
    assert pinball_loss([10, 10], [8, 13], q=0.1) == pytest.approx((0.1 * 2 + 0.9 * 3) / 2)
    y, f = np.array([1.0, 4.0, 2.0]), np.array([2.0, 2.0, 2.0])
    assert pinball_loss(y, f, q=0.5) == pytest.approx(0.5 * np.mean(np.abs(y - f)))
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="q must be a quantile level strictly between 0 and 1"):
            pinball_loss([1], [1], q=bad)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (smape, ([1, 2, 3], [1, 2])),
        (wape, ([1, 2], [1, 2, 3])),
        (pinball_loss, ([1, 2], [1], 0.5)),
        (coverage, ([1, 2], [0, 0], [3])),
        (mase, ([1, 2], [1], [1, 2, 3])),
    ],
)
def test_length_mismatch_names_the_arguments(func, args):
    with pytest.raises(ValueError, match=r"Lengths differ: .* has 2"):
        func(*args)


def test_non_finite_empty_and_non_numeric_inputs():
    with pytest.raises(ValueError, match="y_pred holds 2 NaN or infinite values"):
        smape([1, 2, 3], [np.nan, np.inf, 1])
    with pytest.raises(ValueError, match="y_true holds 1 NaN"):
        wape([None, 1], [1, 1])
    with pytest.raises(ValueError, match="y_true, y_pred are empty"):
        wape([], [])
    with pytest.raises(ValueError, match="y_true must hold numbers"):
        smape(["a", "b"], [1, 2])


@pytest.fixture
def evaluated() -> tuple[pd.DataFrame, pd.DataFrame]:
    days = pd.to_datetime(["2024-01-04", "2024-01-05"])
    test = pd.DataFrame(
        {
            "series_id": ["b", "b", "a", "a"],
            "ds": np.r_[days, days],
            "y": [10.0, 10.0, 3.0, 5.0],
            "yhat": [10.0, 12.0, 4.0, 4.0],
            "lo": [9.0, 11.0, 2.0, 3.0],
            "hi": [11.0, 13.0, 4.0, 6.0],
        }
    )
    history = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])
    train = pd.DataFrame(
        {
            "series_id": ["a"] * 3 + ["b"] * 3,
            "ds": np.r_[history, history],
            "y": [1.0, 2.0, 4.0, 8.0, 10.0, 12.0],
        }
    )
    return test, train


def test_forecast_report_known_answers(evaluated):
    test, train = evaluated
    r = forecast_report(test, train=train, season=1, lower_col="lo", upper_col="hi")
    assert r.index.tolist() == ["a", "b", "(pooled)"]
    assert r.index.name == "series_id"
    assert list(r.columns) == ["n", "mae", "bias", "wape", "smape", "coverage", "mase"]
    np.testing.assert_allclose(r["n"], [2, 2, 4])
    np.testing.assert_allclose(r["mae"], [1, 1, 1])
    np.testing.assert_allclose(r["bias"], [0, 1, 0.5])
    np.testing.assert_allclose(r["wape"], [2 / 8, 2 / 20, 4 / 28])
    smape_a = 100 * (1 / 7 + 1 / 9)
    smape_b = 100 * (0 + 2 / 22)
    np.testing.assert_allclose(r["smape"], [smape_a, smape_b, (smape_a + smape_b) / 2])
    # a: 3 in [2, 4], 5 in [3, 6]; b: 10 in [9, 11], 10 not in [11, 13]
    np.testing.assert_allclose(r["coverage"], [1, 0.5, 0.75])
    # scales: a (1 + 2) / 2 = 1.5, b (2 + 2) / 2 = 2; pooled MASE is the mean of the series
    np.testing.assert_allclose(r["mase"], [1 / 1.5, 1 / 2, (1 / 1.5 + 1 / 2) / 2])


def test_forecast_report_uses_only_history_before_each_series(evaluated):
    test, train = evaluated
    leaked = pd.concat([train, test[["series_id", "ds", "y"]].assign(y=1000.0)])
    a = forecast_report(test, train=train, season=1)
    b = forecast_report(test, train=leaked, season=1)
    pd.testing.assert_frame_equal(a, b)


def test_forecast_report_short_history_and_no_train(evaluated):
    test, train = evaluated
    r = forecast_report(test, train=train, season=3)  # 3 training rows: too short
    assert r["mase"].isna().all()
    plain = forecast_report(test.drop(columns="ds"))
    assert "mase" not in plain and "coverage" not in plain


def test_forecast_report_errors(evaluated):
    test, train = evaluated
    with pytest.raises(ValueError, match=r"frame lacks column\(s\) \['yhat'\]"):
        forecast_report(test.drop(columns="yhat"))
    with pytest.raises(ValueError, match=r"frame lacks column\(s\) \['ds'\]"):
        forecast_report(test.drop(columns="ds"), train=train)
    with pytest.raises(
        ValueError, match=r"train has no history for 1 series of frame, e.g. \[.b.\]"
    ):
        forecast_report(test, train=train[train["series_id"] == "a"])
    with pytest.raises(ValueError, match="Pass both lower_col and upper_col"):
        forecast_report(test, lower_col="lo")
    with pytest.raises(ValueError, match="yhat holds 1 NaN"):
        forecast_report(test.assign(yhat=[1.0, np.nan, 1.0, 1.0]))
    with pytest.raises(ValueError, match="'\\(pooled\\)' is reserved"):
        forecast_report(test.assign(series_id="(pooled)"))
    with pytest.raises(ValueError, match="frame is empty"):
        forecast_report(test.iloc[:0])
