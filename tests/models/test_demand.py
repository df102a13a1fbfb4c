"""DemandForecaster: output schema, leak-free backtest, combination quality, errors, sklearn API."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from custintel.data import SchemaError, make_demo_dataset
from custintel.features.demand import demand_series
from custintel.models.demand import MODELS, DemandForecaster, make_demand_series

FAST = ("seasonal_naive", "ets", "lgbm")


@pytest.fixture(scope="module")
def weekly_pattern() -> pd.DataFrame:
    return make_demand_series(n_series=3, n_periods=200, noise=0.2, seed=0)


@pytest.fixture(scope="module")
def fitted(weekly_pattern: pd.DataFrame) -> DemandForecaster:
    return DemandForecaster(horizon=14, n_windows=3).fit(weekly_pattern)


def test_predict_schema_horizon_and_dates(fitted, weekly_pattern):
    fc = fitted.predict()
    assert fc.columns.tolist() == ["series_id", "ds", "yhat", "yhat_q10", "yhat_q50", "yhat_q90"]
    assert fc.groupby("series_id").size().to_dict() == {"s0": 14, "s1": 14, "s2": 14}
    last = weekly_pattern["ds"].max()
    for _, part in fc.groupby("series_id"):
        expected = pd.date_range(last + pd.Timedelta(days=1), periods=14, freq="D")
        assert part["ds"].tolist() == expected.tolist()
    assert np.isfinite(fc[["yhat", "yhat_q10", "yhat_q90"]].to_numpy()).all()
    assert (fc["yhat_q10"] <= fc["yhat_q50"]).all() and (fc["yhat_q50"] <= fc["yhat_q90"]).all()
    assert (fc["yhat_q10"] >= 0).all()
    assert ((fc["yhat_q10"] < fc["yhat"]) & (fc["yhat"] < fc["yhat_q90"])).mean() > 0.9
    short = fitted.predict(h=3)
    assert short.shape == (9, 6)
    longer = fitted.predict(h=20)  # past the horizon the last step's quantiles are reused
    assert longer.groupby("series_id").size().eq(20).all()


def test_fitted_attributes(fitted):
    assert fitted.freq_ == "D" and fitted.season_length_ == 7
    assert fitted.weights_.columns.tolist() == list(MODELS)
    np.testing.assert_allclose(fitted.weights_.sum(axis=1), 1.0)
    assert set(fitted.choice_.index) == {"s0", "s1", "s2"}
    assert fitted.backtest_["cutoff"].nunique() == 3
    assert len(fitted.backtest_) == 3 * 3 * 14
    assert 0.5 <= fitted.interval_coverage_ <= 1.0
    assert fitted.conformal_.shape == (14, 3)


def test_default_beats_seasonal_naive_on_weekly_pattern(fitted):
    mase = fitted.mase_.mean()
    assert mase["combined"] < 0.9 * mase["seasonal_naive"]
    assert mase["combined"] <= mase[list(MODELS)].min() + 1e-9


def test_cross_validation_has_no_leakage(weekly_pattern):
    model = DemandForecaster(horizon=7, models=FAST, n_windows=2)
    cv = model.cross_validation(weekly_pattern)
    assert cv.columns.tolist() == ["series_id", "ds", "cutoff", "y", *FAST]
    first = cv["cutoff"].min()
    assert (cv["ds"] > cv["cutoff"]).all()
    changed = weekly_pattern.copy()
    after = changed["ds"] > first
    changed.loc[after, "y"] = changed.loc[after, "y"] * 3 + 50
    cv2 = model.cross_validation(changed)
    a = cv[cv["cutoff"] == first].reset_index(drop=True)
    b = cv2[cv2["cutoff"] == first].reset_index(drop=True)
    pd.testing.assert_frame_equal(a[list(FAST)], b[list(FAST)])
    assert not np.allclose(
        cv.loc[cv["cutoff"] > first, "lgbm"], cv2.loc[cv2["cutoff"] > first, "lgbm"]
    )


def test_demo_provinces_end_to_end():
    ts = demand_series(
        make_demo_dataset(n_customers=2000, seed=0),
        freq="D",
        by=["dest_province"],
        start="2024-07-01",
    )
    model = DemandForecaster(horizon=14, models=FAST, n_windows=2).fit(ts)
    mase = model.mase_.mean()
    assert mase["combined"] < 0.9 * mase["seasonal_naive"]
    fc = model.predict()
    assert len(fc) == 14 * ts["series_id"].nunique()
    assert fc["ds"].min() == ts["ds"].max() + pd.Timedelta(days=1)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"models": ("ets", "prophet")}, r"models must be distinct names.*unknown: \['prophet'\]"),
        ({"horizon": 0}, "'horizon' parameter"),
        ({"combination": "median"}, "'combination' parameter"),
        ({"quantiles": (0.1, 1.5)}, "quantiles must lie strictly between 0 and 1"),
    ],
)
def test_bad_parameters_raise_clear_errors(weekly_pattern, params, match):
    with pytest.raises(ValueError, match=match):
        DemandForecaster(**params).fit(weekly_pattern)


def test_predict_before_fit_and_bad_h(fitted):
    with pytest.raises(NotFittedError):
        DemandForecaster().predict()
    with pytest.raises(ValueError, match="h must be a positive integer, got 0"):
        fitted.predict(h=0)


def test_too_short_series_raise(weekly_pattern):
    with pytest.raises(SchemaError, match="min_length=201"):
        DemandForecaster(horizon=193).fit(weekly_pattern)


def test_short_series_join_the_windows_they_can(weekly_pattern):
    short = weekly_pattern[
        (weekly_pattern["series_id"] != "s2") | (weekly_pattern["ds"] >= "2024-06-01")
    ]
    model = DemandForecaster(horizon=14, models=("seasonal_naive", "lgbm"), n_windows=3)
    model.fit(short)  # s2 keeps 48 days: windows leave it 34, 20 and 6 days to train on
    windows = model.backtest_.groupby("series_id")["cutoff"].nunique().to_dict()
    assert windows == {"s0": 3, "s1": 3, "s2": 2}
    assert np.isfinite(model.predict()["yhat"]).all()


def test_predict_reuses_fit_forecasts(fitted):
    fc = fitted.predict(h=5)
    used = fitted.forecast_.groupby("series_id").head(5)
    weights = fitted.weights_.loc[used["series_id"]].to_numpy()
    expected = (used[list(MODELS)].to_numpy() * weights).sum(axis=1)
    np.testing.assert_allclose(fc["yhat"], expected)


def test_cross_validation_rejects_short_series(weekly_pattern):
    with pytest.raises(SchemaError, match="min_length=208"):
        DemandForecaster(horizon=200, models=("seasonal_naive",)).cross_validation(
            weekly_pattern, n_windows=1
        )


def test_clone_and_get_params():
    model = DemandForecaster(horizon=7, models=("seasonal_naive",), random_state=3)
    params = model.get_params()
    assert params["horizon"] == 7 and params["models"] == ("seasonal_naive",)
    assert params["freq"] is None and params["random_state"] == 3
    copy = clone(model)
    assert copy.get_params() == params
    assert not hasattr(copy, "weights_")


def test_chinese_calendar_features():
    from custintel.models._demand_lgbm import _calendar

    days = pd.DatetimeIndex(["2024-10-01", "2024-09-29", "2024-02-10", "2024-06-18", "2024-11-11"])
    cal = pd.DataFrame(
        _calendar(days, "D"),
        columns=["month", "week", "dow", "day", "holiday", "makeup", "to_sf", "618", "d11"],
    )
    assert cal["holiday"].tolist() == [1, 0, 1, 0, 0]  # National Day, Spring Festival
    assert cal["makeup"].tolist() == [0, 1, 0, 0, 0]  # Sunday 29 September 2024 was a workday
    assert cal["to_sf"].tolist() == [45, 45, 0, -45, 45]  # days until it, clipped at +-45
    assert cal["618"].tolist() == [0, 0, 0, 1, 0]
    assert cal["d11"].tolist() == [0, 0, 0, 0, 1]
    assert cal["dow"].tolist() == [1, 6, 5, 1, 0]
    far = _calendar(pd.DatetimeIndex(["2040-01-01"]), "D")
    assert np.isnan(far[0, 4]) and np.isnan(far[0, 5])  # beyond chinese_calendar's years


def test_global_combination_shares_one_choice(weekly_pattern):
    model = DemandForecaster(
        horizon=7, models=("seasonal_naive", "lgbm"), n_windows=2, combination="global"
    ).fit(weekly_pattern)
    assert (model.weights_.nunique() == 1).all()
    assert model.choice_.nunique() == 1
    mean = model.mase_.mean()
    assert mean["combined"] <= mean[["seasonal_naive", "lgbm"]].min() + 1e-9


def test_cross_validation_on_new_data_leaves_fitted_state(fitted, weekly_pattern):
    daily = make_demand_series(n_series=2, n_periods=7 * 80, seed=1)
    weekly = daily[daily["ds"].dt.day_of_week == 0]
    cv = fitted.cross_validation(weekly, n_windows=1, step=1)
    assert fitted.freq_ == "D" and fitted.season_length_ == 7
    assert cv["cutoff"].nunique() == 1 and len(cv) == 2 * 14
    assert (cv["ds"].diff().dropna().isin([pd.Timedelta(weeks=1), pd.Timedelta(weeks=-13)])).all()
    with pytest.raises(ValueError, match="'combination' parameter"):
        DemandForecaster(combination="best").cross_validation(weekly_pattern)


@pytest.fixture(scope="module")
def promo_series() -> pd.DataFrame:
    ts = make_demand_series(n_series=6, n_periods=260, promo_share=0.15, promo_lift=1.0, seed=1)
    ts["tier"] = np.where(ts["series_id"].isin(["s0", "s1", "s2"]), "big", "small")
    return ts


def test_future_known_inputs_are_used(promo_series):
    cut = promo_series["ds"].max() - pd.Timedelta(days=28)
    train, test = promo_series[promo_series["ds"] <= cut], promo_series[promo_series["ds"] > cut]
    models = ("lgbm",)
    plain = DemandForecaster(horizon=28, models=models, n_windows=2).fit(train)
    promo = DemandForecaster(
        horizon=28, models=models, n_windows=2, exog_cols=("promo",), static_cols=("tier",)
    ).fit(train)
    assert promo.forecast_["lgbm"].isna().all()  # waits for the future promotions
    # Promotion days double demand: knowing them must cut the held-out error clearly.
    scores = {}
    for name, model, X_df in (("plain", plain, None), ("promo", promo, test)):
        fc = model.predict(X_df=X_df).merge(test, on=["series_id", "ds"])
        scores[name] = ((fc["yhat"] - fc["y"]).abs().groupby(fc["series_id"]).mean()).mean()
    assert scores["promo"] < 0.8 * scores["plain"]
    assert promo.mase_["lgbm"].mean() < 0.8 * plain.mase_["lgbm"].mean()
    longer = promo.predict(
        h=20, X_df=promo_series.assign(ds=promo_series["ds"] + pd.Timedelta(days=6))
    )
    assert len(longer) == 6 * 20 and np.isfinite(longer["yhat"]).all()


def test_future_known_inputs_errors(promo_series):
    with pytest.raises(ValueError, match=r"columns \['price'\] named in static_cols/exog_cols"):
        DemandForecaster(horizon=7, exog_cols=("price",)).fit(promo_series)
    bad = promo_series.assign(tier=np.where(promo_series["ds"].dt.day == 1, "big", "small"))
    with pytest.raises(ValueError, match="static column 'tier' changes within 6 series"):
        DemandForecaster(horizon=7, static_cols=("tier",)).fit(bad)
    with pytest.raises(ValueError, match="exog column 'tier' in the training frame has dtype"):
        DemandForecaster(horizon=7, exog_cols=("tier",)).fit(promo_series)
    model = DemandForecaster(horizon=7, models=("lgbm",), n_windows=1, exog_cols=("promo",))
    model.fit(promo_series)
    with pytest.raises(ValueError, match=r"exog_cols \['promo'\] are known in advance"):
        model.predict()
    future = model.history_.groupby("series_id").tail(7)  # past periods, not future ones
    with pytest.raises(ValueError, match="X_df misses 42 of the 42 future periods"):
        model.predict(X_df=future)
    last = promo_series["ds"].max()
    days = pd.date_range(last + pd.Timedelta(days=1), periods=7)
    X_df = pd.DataFrame(
        {"series_id": np.repeat([f"s{i}" for i in range(6)], 7), "ds": np.tile(days, 6), "promo": 0}
    )
    with pytest.raises(ValueError, match="missing or infinite"):
        model.predict(X_df=X_df.assign(promo=np.where(X_df.index == 3, np.nan, 0.0)))
    fc = model.predict(X_df=X_df.assign(promo=1))
    assert (fc["yhat"].to_numpy() > model.predict(X_df=X_df)["yhat"].to_numpy()).mean() > 0.8
    with pytest.raises(ValueError, match="X_df was given but the forecaster has no exog_cols"):
        DemandForecaster(horizon=7, models=("seasonal_naive",), n_windows=1).fit(
            promo_series
        ).predict(X_df=X_df)


def test_fill_gaps_option(weekly_pattern):
    holey = weekly_pattern.drop(index=[10, 11, 250])
    with pytest.raises(SchemaError, match="fill_gaps"):
        DemandForecaster(horizon=7, models=("seasonal_naive",), n_windows=1).fit(holey)
    model = DemandForecaster(horizon=7, models=("seasonal_naive",), n_windows=1, fill_gaps=True)
    assert model.fit(holey).history_.attrs["check_series"]["n_filled"] == 3


@pytest.mark.parametrize("combination", ["global", "auto", "series", "mean"])
def test_combination_rules_pick_subsets_by_backtest_mase(combination):
    # Two noisy series and one clean one: the clean one can afford its own choice.
    ts = pd.concat(
        [
            make_demand_series(n_series=2, n_periods=150, noise=0.6, seed=4),
            make_demand_series(n_series=1, n_periods=150, noise=0.02, seed=5).assign(series_id="c"),
        ]
    )
    models = ("seasonal_naive", "ets", "lgbm")
    model = DemandForecaster(horizon=7, models=models, n_windows=3, combination=combination).fit(ts)
    bt = model.backtest_
    subsets = [s for r in (1, 2, 3) for s in itertools.combinations(models, r)]
    score = pd.DataFrame(
        {
            "+".join(s): (bt[list(s)].mean(axis=1) - bt["y"]).abs().groupby(bt["series_id"]).mean()
            / model.scale_
            for s in subsets
        }
    )
    shared = score.median().idxmin()
    for sid, choice in model.choice_.items():
        own = score.loc[sid].idxmin()
        expected = {
            "global": shared,
            "series": own,
            "auto": own if score.loc[sid, own] < 0.5 * score.loc[sid, shared] else shared,
            "mean": "+".join(models),
        }[combination]
        assert set(choice.split("+")) == set(expected.split("+")), (sid, choice, expected)
        parts = choice.split("+")
        assert model.weights_.loc[sid, parts].tolist() == pytest.approx(
            [1 / len(parts)] * len(parts)
        )
    chosen = [score.loc[sid, c] for sid, c in model.choice_.items()]
    np.testing.assert_allclose(model.mase_["combined"].loc[model.choice_.index], chosen)
