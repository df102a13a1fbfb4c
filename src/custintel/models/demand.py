"""Forecast demand series: statistical models, a global LightGBM model and their combination.

:class:`DemandForecaster` reads the long frame :func:`custintel.features.demand_series` returns
(``series_id, ds, y``) and forecasts every series ``horizon`` periods ahead. How it works:

1. **Candidates.** Seasonal naive, AutoETS and AutoTheta (statsforecast, fitted on all series
   at once) and ``"lgbm"``, one LightGBM model over all series: each series is divided by its
   mean over the last eight seasons, and the model reads lags ``1..season`` and ``2 * season``,
   rolling means and calendar features (for daily data also Chinese statutory holidays,
   make-up workdays, distance to the Spring Festival and the 618 and Double-11 windows). It
   forecasts recursively, one step at a time for all series together.
2. **Backtest.** :meth:`DemandForecaster.cross_validation` refits every candidate at
   ``n_windows`` rolling origins on the data before each origin only (``backtest_``).
3. **Combination.** Every equal-weight average of a subset of the candidates is scored by
   MASE on the backtest. With ``combination="auto"`` all series share the subset with the
   lowest median MASE, except series whose own best subset did at least 50% better; combining
   several models is what wins forecasting competitions, and a shared choice is far less
   noisy than one made per series from a few windows (``choice_``, ``weights_``).
4. **Intervals.** Conformal: quantiles of the combination's backtest errors per horizon step,
   scaled per series by its in-sample seasonal naive error, are added to the point forecast.
   ``interval_coverage_`` reports how often the backtest values fell inside the central
   interval, each window judged by quantiles computed from the other windows.
"""

from __future__ import annotations

import reprlib
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval, StrOptions  # not in sklearn-compat
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context

from custintel.models._demand_data import check_series
from custintel.models._demand_lgbm import _GlobalLGBM

#: Candidate names and the statsforecast model each stands for (``"lgbm"`` is our own).
MODELS = ("seasonal_naive", "ets", "theta", "lgbm")
_STATS = {"seasonal_naive": "SeasonalNaive", "ets": "AutoETS", "theta": "AutoTheta"}
_SEASONS = {"D": 7, "W": 52, "M": 12, "Q": 4, "Y": 1}
#: With ``combination="auto"`` a series leaves the combination shared by all series only when
#: its own best one scored this much lower backtest MASE. On the M3 and tourism competition
#: data (six subsets, held-out test parts) a per-series choice without a margin was 0.961-1.028
#: x ETS MASE, the shared median choice 0.928-1.002 and the shared choice with this margin
#: 0.929-0.998: the margin costs nothing there and lets a series that one model clearly suits
#: (promotions, sparse counts) keep it.
_OWN_MARGIN = 0.5


class DemandForecaster(BaseEstimator):
    """Forecast many demand series with a backtested combination of models.

    Parameters
    ----------
    horizon : int
        Periods to forecast, and the length of each backtest window.
    freq : str, optional
        ``"D"``, ``"W-MON"`` ..., ``"MS"``, ``"QS"`` or ``"YS"`` (see :func:`check_series`);
        ``None`` infers it.
    models : tuple of str
        Candidates among ``"seasonal_naive"``, ``"ets"``, ``"theta"`` and ``"lgbm"``.
    season_length : int, optional
        Periods per season; ``None`` gives 7 for daily, 52 for weekly, 12 for monthly, 4 for
        quarterly and 1 for yearly data.
    quantiles : tuple of float
        Quantiles to forecast, each strictly between 0 and 1 (column ``yhat_q10`` for 0.1).
    n_windows : int
        Backtest windows used to choose the combination and calibrate the intervals.
    combination : {"auto", "global", "series", "mean"}
        How the candidates' forecasts are combined; every rule picks an equal-weight average
        of a subset of them (a single model is a subset of one) by backtest MASE.
        ``"global"``: the subset with the lowest median MASE over the series, shared by all;
        ``"auto"``: the same, except for series whose own best subset scored at least 50%
        lower MASE; ``"series"``: each series' own best subset (noisy with few windows);
        ``"mean"``: every candidate.
    static_cols : tuple of str
        Columns that describe a series and stay constant along it (region tier, category):
        numbers as they are, anything else as categories. Read by ``"lgbm"`` only.
    exog_cols : tuple of str
        Numeric columns known in advance for every period (promotion flag, planned price,
        working day): the training frame holds their past values and :meth:`predict` needs
        their future values in ``X_df``. Read by ``"lgbm"`` only; the statistical models
        forecast from the target alone.
    fill_gaps : bool
        Insert missing periods inside a series with ``y = 0`` instead of raising (see
        :func:`check_series`); right for counts where a missing day means no parcels.
    id_col, time_col, target_col : str
        Column roles of the input frame (and of the output).
    n_jobs : int, optional
        Threads for LightGBM and processes for statsforecast; ``None`` means one.
    random_state : int
        Seed of LightGBM.

    Attributes
    ----------
    freq_, season_length_ : str, int
        The frequency and season used.
    history_ : DataFrame
        The checked training frame.
    backtest_ : DataFrame
        Output of :meth:`cross_validation` on the training frame, plus column ``combined``.
    mase_ : DataFrame
        Backtest MASE per series (rows) and model (columns). Column ``combined`` is scored on
        the same windows that chose it, so it is slightly optimistic.
    scale_ : Series
        Per series, the in-sample seasonal naive MAE that scales MASE and the intervals.
    forecast_ : DataFrame
        Each used model's forecast for ``horizon`` periods, made at the end of ``fit``
        (``"lgbm"`` is NaN there when ``exog_cols`` wait for ``X_df``).
    global_model_ : object or None
        The global LightGBM model fitted on the whole history (``None`` when unused); its
        ``model_`` attribute is the ``lightgbm.LGBMRegressor``.
    choice_ : Series
        Per series, the models averaged, e.g. ``"ets+theta+lgbm"``.
    weights_ : DataFrame
        Per series (rows), the weight of each model (columns); rows sum to one.
    conformal_ : DataFrame
        Scaled error quantiles per horizon step (rows) and quantile (columns).
    interval_coverage_ : float
        Share of backtest values inside the central interval (lowest to highest quantile).

    Examples
    --------
    >>> from custintel.models.demand import make_demand_series
    >>> ts = make_demand_series(n_series=2, n_periods=120, seed=0)
    >>> model = DemandForecaster(horizon=7, models=("seasonal_naive", "lgbm"), n_windows=2)
    >>> fc = model.fit(ts).predict()
    >>> fc.columns.tolist()
    ['series_id', 'ds', 'yhat', 'yhat_q10', 'yhat_q50', 'yhat_q90']
    >>> fc.shape
    (14, 6)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "freq": [str, None],
        "models": [tuple, list],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "quantiles": [tuple, list],
        "n_windows": [Interval(Integral, 1, None, closed="left")],
        "combination": [StrOptions({"auto", "global", "series", "mean"})],
        "static_cols": [tuple, list],
        "exog_cols": [tuple, list],
        "fill_gaps": ["boolean"],
        "id_col": [str],
        "time_col": [str],
        "target_col": [str],
        "n_jobs": [Integral, None],
        "random_state": [Integral],
    }

    def __init__(
        self,
        horizon: int = 28,
        freq: str | None = None,
        *,
        models: tuple[str, ...] = MODELS,
        season_length: int | None = None,
        quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
        n_windows: int = 3,
        combination: str = "auto",
        static_cols: tuple[str, ...] = (),
        exog_cols: tuple[str, ...] = (),
        fill_gaps: bool = False,
        id_col: str = "series_id",
        time_col: str = "ds",
        target_col: str = "y",
        n_jobs: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.horizon = horizon
        self.freq = freq
        self.models = models
        self.season_length = season_length
        self.quantiles = quantiles
        self.n_windows = n_windows
        self.combination = combination
        self.static_cols = static_cols
        self.exog_cols = exog_cols
        self.fill_gaps = fill_gaps
        self.id_col = id_col
        self.time_col = time_col
        self.target_col = target_col
        self.n_jobs = n_jobs
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, ts: pd.DataFrame, y: None = None) -> DemandForecaster:
        """Check the series, backtest every model and choose the combination.

        Parameters
        ----------
        ts : DataFrame
            Long frame with columns ``id_col``, ``time_col`` and ``target_col``; every series
            must span at least ``horizon + season + 1`` periods, enough for one backtest
            window (lower ``horizon`` or ``season_length`` for shorter series). A series
            joins each of the ``n_windows`` windows that leaves it ``season + 1`` periods
            to train on, so short and long series can be forecast together.
        y : None
            Ignored.

        Returns
        -------
        DemandForecaster
            The fitted forecaster.
        """
        self._check_options()
        self.history_ = self._check(ts, self.freq)
        self.freq_ = self.history_.attrs["check_series"]["freq"]
        self.season_length_ = self._season(self.freq_)
        need = self.horizon + self.season_length_ + 1  # one backtest window at least
        self.history_ = self._check(ts, self.freq_, min_length=need)
        self.freq_ = self.history_.attrs["check_series"]["freq"]
        self.backtest_ = self._backtest(self.history_, self.n_windows, self.horizon)
        self._combine()
        self._calibrate()
        self.forecast_, self.global_model_ = self._forecast(
            self.history_, self.horizon, self._used()
        )
        return self

    def predict(self, h: int | None = None, X_df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast every series ``h`` periods past its last period.

        Up to ``horizon`` periods the forecasts made in ``fit`` are returned; longer horizons
        refit the statistical models with a weight on the whole history.

        Parameters
        ----------
        h : int, optional
            Periods ahead; defaults to ``horizon``. Intervals beyond ``horizon`` reuse the
            last step's error quantiles.
        X_df : DataFrame, optional
            Future values of ``exog_cols``: columns ``id_col``, ``time_col`` and every
            ``exog_cols`` column, one row per series and period for the ``h`` periods after
            the series' end (extra rows are ignored). Required when ``exog_cols`` is set.

        Returns
        -------
        DataFrame
            ``id_col``, ``time_col``, ``yhat`` and one ``yhat_qNN`` column per quantile.
        """
        check_is_fitted(self, "weights_")
        h = self.horizon if h is None else h
        if isinstance(h, bool) or not isinstance(h, Integral) or h < 1:
            raise ValueError(f"h must be a positive integer, got {h!r}.")
        h = int(h)
        if X_df is not None and not self.exog_cols:
            raise ValueError(
                "X_df was given but the forecaster has no exog_cols; set exog_cols to the "
                "future-known columns and refit, or leave X_df out."
            )
        used = self._used()
        if h <= self.horizon:
            preds = self.forecast_.groupby(self.id_col, sort=False).head(h).copy()
        else:
            preds, _ = self._forecast(self.history_, h, [m for m in used if m != "lgbm"])
        if "lgbm" in used and (self.exog_cols or h > self.horizon):
            if self.exog_cols and X_df is None:
                raise ValueError(
                    f"exog_cols {list(self.exog_cols)} are known in advance: pass X_df with "
                    f"columns {[self.id_col, self.time_col, *self.exog_cols]} for the {h} "
                    "periods after each series' end."
                )
            future = self._future_exog(preds, X_df)
            preds["lgbm"] = self.global_model_.forecast(h, future)
        out = preds[[self.id_col, self.time_col]].copy()
        out["yhat"] = self._weighted(preds)
        step = preds.groupby(self.id_col, sort=False).cumcount().to_numpy()
        return self._add_quantiles(out, step)

    def cross_validation(
        self, ts: pd.DataFrame | None = None, n_windows: int | None = None, step: int | None = None
    ) -> pd.DataFrame:
        """Backtest every model at rolling origins, refitting on the data before each.

        Parameters
        ----------
        ts : DataFrame, optional
            Series to backtest; defaults to the training frame (needs a fitted forecaster).
        n_windows : int, optional
            Origins; defaults to ``n_windows``.
        step : int, optional
            Periods between origins; defaults to ``horizon``.

        Returns
        -------
        DataFrame
            ``id_col``, ``time_col``, ``cutoff`` (last period each window's models saw),
            ``target_col`` and one prediction column per model.
        """
        n_windows = self.n_windows if n_windows is None else n_windows
        step = self.horizon if step is None else step
        for name, value in (("n_windows", n_windows), ("step", step)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if ts is None:
            check_is_fitted(self, "history_")
            return self._backtest(self.history_, int(n_windows), int(step))
        fresh = clone(self)  # a fitted forecaster keeps its own frequency and season
        fresh._validate_params()
        fresh._check_options()
        history = fresh._check(ts, self.freq)
        fresh.freq_ = history.attrs["check_series"]["freq"]
        fresh.season_length_ = fresh._season(fresh.freq_)
        need = self.horizon + fresh.season_length_ + 1
        history = fresh._check(ts, fresh.freq_, min_length=need)
        return fresh._backtest(history, int(n_windows), int(step))

    # -- checks ------------------------------------------------------------------------------

    def _check_options(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be at least 1, got {self.horizon!r}.")
        models = list(self.models)
        unknown = [m for m in models if m not in MODELS]
        if unknown or not models or len(set(models)) != len(models):
            raise ValueError(
                f"models must be distinct names among {list(MODELS)}, got "
                f"{reprlib.repr(self.models)}; unknown: {unknown}."
            )
        if not all(isinstance(q, float | int) and 0 < q < 1 for q in self.quantiles):
            raise ValueError(
                f"quantiles must lie strictly between 0 and 1, got {reprlib.repr(self.quantiles)}."
            )

    def _check(self, ts: pd.DataFrame, freq: str | None, min_length: int = 2) -> pd.DataFrame:
        extra = [*self.static_cols, *self.exog_cols]
        roles = {self.id_col, self.time_col, self.target_col}
        clash = [c for c in extra if c in roles] + [
            c for c in self.static_cols if c in self.exog_cols
        ]
        if clash:
            raise ValueError(
                f"static_cols and exog_cols must name other columns than the id, time and "
                f"target columns and each other; {clash} appears twice."
            )
        missing = [c for c in extra if isinstance(ts, pd.DataFrame) and c not in ts.columns]
        if missing:
            raise ValueError(
                f"columns {missing} named in static_cols/exog_cols are not in the frame; "
                f"it has {reprlib.repr(list(ts.columns))}."
            )
        clean = check_series(
            ts,
            freq=freq,
            id_col=self.id_col,
            time_col=self.time_col,
            target_col=self.target_col,
            min_length=min_length,
            fill_gaps=self.fill_gaps,
        )
        ic = self.id_col
        for c in self.static_cols:
            varying = clean.groupby(ic, sort=False)[c].nunique()
            if (varying > 1).any():
                raise ValueError(
                    f"static column {c!r} changes within {int((varying > 1).sum())} series "
                    f"(e.g. {reprlib.repr(varying.index[varying > 1].tolist()[:3])}); a static "
                    "column must hold one value per series: move it to exog_cols if it varies."
                )
            clean[c] = clean.groupby(ic, sort=False)[c].transform("first")  # filled periods
        for c in self.exog_cols:  # NaN (unknown, or a filled period) is read as missing
            clean[c] = _numeric_exog(clean[c], c, "the training frame", allow_nan=True)
        return clean[[ic, self.time_col, self.target_col, *extra]]

    def _season(self, freq: str) -> int:
        if self.season_length is not None:
            return int(self.season_length)
        return _SEASONS[freq[0]]

    # -- forecasting -------------------------------------------------------------------------

    def _used(self) -> list[str]:
        """Models with a weight for at least one series."""
        return [m for m in self.models if bool((self.weights_[m] > 0).any())]

    def _forecast(
        self,
        history: pd.DataFrame,
        h: int,
        models: list[str] | None = None,
        exog: pd.DataFrame | None = None,
    ) -> tuple[pd.DataFrame, _GlobalLGBM | None]:
        """Forecast ``h`` periods past each series' end, one column per model.

        Models left out of ``models`` (default: all) get zeros; callers give them no weight.
        ``exog`` holds the future-known columns for those periods; without it, and with
        ``exog_cols`` set, ``"lgbm"`` is fitted but its column is NaN. Also returns the
        fitted global model (``None`` when ``"lgbm"`` is not among ``models``).
        """
        models = list(self.models) if models is None else models
        ic, tc, yc = self.id_col, self.time_col, self.target_col
        ids = history[ic].drop_duplicates().to_numpy()
        last = history.groupby(ic, sort=False)[tc].max().loc[ids]
        future = pd.DataFrame({ic: np.repeat(ids, h)})
        offsets = pd.tseries.frequencies.to_offset(self.freq_)
        future[tc] = np.concatenate(
            [pd.date_range(t, periods=h + 1, freq=offsets)[1:].to_numpy() for t in last]
        )
        for m in self.models:
            future[m] = 0.0
        stats = [m for m in models if m in _STATS]
        if stats:
            from statsforecast import StatsForecast
            from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive

            season = self.season_length_
            makers = {
                "seasonal_naive": lambda: SeasonalNaive(season_length=season),
                "ets": lambda: AutoETS(season_length=season),
                "theta": lambda: AutoTheta(season_length=season),
            }
            frame = pd.DataFrame(
                {
                    "unique_id": pd.factorize(history[ic])[0],
                    "ds": history[tc].to_numpy(),
                    "y": history[yc].to_numpy(),
                }
            )
            sf = StatsForecast(
                models=[makers[m]() for m in stats],
                freq=self.freq_,
                n_jobs=self.n_jobs or 1,
                # AutoETS refuses series shorter than its parameters (statsforecast raises
                # "tiny datasets"): those series get the seasonal naive forecast instead.
                fallback_model=SeasonalNaive(season_length=season),
            )
            fc = sf.forecast(df=frame, h=h).sort_values(["unique_id", "ds"], kind="stable")
            for m in stats:
                future[m] = np.clip(fc[_STATS[m]].to_numpy(np.float64), 0, None)
        model = None
        if "lgbm" in models:
            model = _GlobalLGBM(
                self.freq_, self.season_length_, ic=ic, tc=tc, yc=yc,
                exog=list(self.exog_cols), static=list(self.static_cols),
                n_jobs=self.n_jobs, random_state=self.random_state,
            ).fit(history)  # fmt: skip
            if not self.exog_cols:
                future["lgbm"] = model.forecast(h)
            elif exog is not None:
                future["lgbm"] = model.forecast(  # backtest: past values, NaN if filled
                    h, self._future_exog(future, exog, allow_nan=True)
                )
            else:
                future["lgbm"] = np.nan
        return future, model

    def _future_exog(
        self, future: pd.DataFrame, X_df: pd.DataFrame | None, *, allow_nan: bool = False
    ) -> pd.DataFrame | None:
        """Check ``X_df`` and return its ``exog_cols`` on the rows of ``future``, in order."""
        if not self.exog_cols:
            return None
        ic, tc, cols = self.id_col, self.time_col, list(self.exog_cols)
        if not isinstance(X_df, pd.DataFrame):
            raise TypeError(f"X_df must be a pandas DataFrame, got {type(X_df).__name__}.")
        missing = [c for c in (ic, tc, *cols) if c not in X_df.columns]
        if missing:
            raise ValueError(f"X_df lacks columns {missing}; it needs {[ic, tc, *cols]}.")
        given = X_df[[ic, tc, *cols]].copy()
        given[tc] = pd.to_datetime(given[tc], errors="coerce")
        if given.duplicated([ic, tc]).any():
            dup = given.loc[given.duplicated([ic, tc]), [ic, tc]].head(3)
            raise ValueError(
                f"X_df has {int(given.duplicated([ic, tc]).sum())} duplicate ({ic}, {tc}) "
                f"rows, e.g. {dup.to_dict('records')}; keep one row per series and period."
            )
        rows = future[[ic, tc]].merge(given, on=[ic, tc], how="left", indicator=True)
        absent = rows["_merge"] != "both"
        if absent.any():
            raise ValueError(
                f"X_df misses {int(absent.sum())} of the {len(rows)} future periods needed, "
                f"e.g. {rows.loc[absent, [ic, tc]].head(3).to_dict('records')}; give "
                f"{cols} for the periods after each series' end."
            )
        for c in cols:
            rows[c] = _numeric_exog(rows[c], c, "X_df", allow_nan=allow_nan)
        return rows[cols]

    def _backtest(self, history: pd.DataFrame, n_windows: int, step: int) -> pd.DataFrame:
        ic, tc, yc = self.id_col, self.time_col, self.target_col
        from_end = history.groupby(ic, sort=False).cumcount(ascending=False).to_numpy()
        length = history.groupby(ic, sort=False)[tc].transform("size").to_numpy()
        parts = []
        for w in range(n_windows):
            offset = (n_windows - 1 - w) * step
            # A series joins the windows it has a season and a period of training data for.
            member = length - offset - self.horizon >= self.season_length_ + 1
            if not member.any():
                continue
            history_w, from_w = history[member], from_end[member]
            train = history_w[from_w >= offset + self.horizon]
            cutoffs = train.groupby(ic, sort=False)[tc].max()
            actual = history_w[(from_w < offset + self.horizon) & (from_w >= offset)]
            fc, _ = self._forecast(train, self.horizon, exog=actual)
            fc.insert(2, "cutoff", fc[ic].map(cutoffs).to_numpy())
            parts.append(actual[[ic, tc, yc]].merge(fc, on=[ic, tc], how="inner"))
        out = pd.concat(parts, ignore_index=True)
        return out[[ic, tc, "cutoff", yc, *self.models]]

    # -- combination and intervals -----------------------------------------------------------

    def _scale(self) -> pd.Series:
        """In-sample seasonal naive MAE per series (the MASE denominator), never zero."""
        ic, yc, s = self.id_col, self.target_col, self.season_length_
        diff = self.history_.groupby(ic, sort=False)[yc].diff(s).abs()
        scale = diff.groupby(self.history_[ic], sort=False).mean()
        return scale.where(scale > 0, 1.0).fillna(1.0)

    def _combine(self) -> None:
        ic, yc, models = self.id_col, self.target_col, list(self.models)
        bt = self.backtest_
        self.scale_ = self._scale()
        scale = self.scale_
        err = bt[models].sub(bt[yc], axis=0).abs().groupby(bt[ic], sort=False).mean()
        mase = err.div(scale.loc[err.index], axis=0)
        # Every equal-weight average of a non-empty subset of the candidates, scored alike.
        masks = np.array(
            [[(code >> j) & 1 for j in range(len(models))] for code in range(1, 2 ** len(models))],
            dtype=np.float64,
        )
        masks = masks[np.argsort(masks.sum(axis=1), kind="stable")]  # singles first
        weights_all = masks / masks.sum(axis=1, keepdims=True)
        names = np.array(["+".join(np.array(models)[m > 0]) for m in masks], dtype=object)
        combined = bt[models].to_numpy() @ weights_all.T
        sub_err = pd.DataFrame(np.abs(combined - bt[[yc]].to_numpy())).groupby(bt[ic].to_numpy())
        sub_mase = (
            sub_err.mean().loc[mase.index].to_numpy() / scale.loc[mase.index].to_numpy()[:, None]
        )
        rows = np.arange(len(mase))
        if self.combination == "mean":
            pick = np.full(len(mase), len(masks) - 1)
        else:
            # Median, not mean: a few erratic series must not decide for all the others.
            shared = int(np.argmin(np.median(sub_mase, axis=0)))
            pick = np.full(len(mase), shared)
            if self.combination in ("auto", "series"):
                own = np.argmin(sub_mase, axis=1)
                margin = _OWN_MARGIN if self.combination == "auto" else 0.0
                better = sub_mase[rows, own] < (1 - margin) * sub_mase[:, shared]
                pick = np.where(better, own, shared)
        self.weights_ = pd.DataFrame(weights_all[pick], index=mase.index, columns=models)
        self.choice_ = pd.Series(names[pick], index=mase.index, name="choice")
        self.backtest_ = bt.assign(combined=self._weighted(bt))
        comb = (self.backtest_["combined"] - bt[yc]).abs().groupby(bt[ic], sort=False).mean()
        self.mase_ = mase.assign(combined=comb / scale.loc[comb.index])

    def _weighted(self, preds: pd.DataFrame) -> np.ndarray:
        w = self.weights_.loc[preds[self.id_col]].to_numpy()
        return np.asarray((preds[list(self.models)].to_numpy() * w).sum(axis=1))

    def _calibrate(self) -> None:
        ic, yc, bt = self.id_col, self.target_col, self.backtest_
        scale = bt[ic].map(self.scale_).to_numpy()
        z = (bt[yc].to_numpy() - bt["combined"].to_numpy()) / scale
        step = bt.groupby([ic, "cutoff"], sort=False).cumcount().to_numpy()
        window = bt.groupby(ic, sort=False)["cutoff"].rank(method="dense").to_numpy()
        self.conformal_ = _error_quantiles(z, step, self.horizon, self.quantiles)
        lo, hi = min(self.quantiles), max(self.quantiles)
        inside = np.zeros(len(bt), dtype=bool)
        for w in np.unique(window):
            held = window == w
            table = _error_quantiles(z[~held], step[~held], self.horizon, self.quantiles)
            if table.isna().all().all():
                table = self.conformal_
            qs = table.to_numpy()[step[held]]
            zq = z[held]
            inside[held] = (zq >= qs[:, self.quantiles.index(lo)]) & (
                zq <= qs[:, self.quantiles.index(hi)]
            )
        self.interval_coverage_ = float(inside.mean())

    def _add_quantiles(self, out: pd.DataFrame, step: np.ndarray) -> pd.DataFrame:
        table = self.conformal_.to_numpy()[np.minimum(step, self.horizon - 1)]
        scale = out[self.id_col].map(self.scale_).to_numpy()
        order = np.argsort(self.quantiles)
        values = out["yhat"].to_numpy()[:, None] + table * scale[:, None]
        values[:, order] = np.maximum.accumulate(values[:, order], axis=1)
        values = np.clip(values, 0, None)
        for j, q in enumerate(self.quantiles):
            out[_qname(q)] = values[:, j]
        return out.reset_index(drop=True)


def _qname(q: float) -> str:
    return f"yhat_q{round(q * 100):02d}"


def _error_quantiles(
    z: np.ndarray, step: np.ndarray, horizon: int, quantiles: tuple[float, ...]
) -> pd.DataFrame:
    """Quantiles of scaled errors per horizon step; pooled over steps with under 20 errors."""
    qs = list(quantiles)
    cols = [_qname(q) for q in qs]
    if len(z) == 0:
        return pd.DataFrame(np.nan, index=range(horizon), columns=cols)
    pooled = np.quantile(z, qs)
    table = np.tile(pooled, (horizon, 1))
    for k in range(horizon):
        at = z[step == k]
        if len(at) >= 20:
            table[k] = np.quantile(at, qs)
    return pd.DataFrame(table, index=range(horizon), columns=cols)


def _numeric_exog(values: pd.Series, name: str, where: str, *, allow_nan: bool) -> pd.Series:
    """``values`` as float64, or a clear error when they are not numbers (or missing)."""
    if pd.api.types.is_bool_dtype(values):
        values = values.astype(np.float64)
    if not pd.api.types.is_numeric_dtype(values):
        raise ValueError(
            f"exog column {name!r} in {where} has dtype {values.dtype}; future-known inputs "
            "must be numbers (encode a promotion as 0/1, a category as static_cols)."
        )
    out = values.astype(np.float64)
    bad = np.isinf(out) | (out.isna() if not allow_nan else False)
    if bad.any():
        raise ValueError(
            f"exog column {name!r} in {where} has {int(bad.sum())} "
            f"{'missing or infinite' if not allow_nan else 'infinite'} values; give a finite "
            "number for every period."
        )
    return out


def make_demand_series(
    n_series: int = 3,
    n_periods: int = 200,
    *,
    noise: float = 0.2,
    promo_share: float = 0.0,
    promo_lift: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Make daily demand series with a weekly pattern, a trend and multiplicative noise.

    Parameters
    ----------
    n_series, n_periods : int
        Series and days per series (all starting 2024-01-01).
    noise : float
        Standard deviation of the log-normal noise.
    promo_share, promo_lift : float
        With ``promo_share > 0`` a column ``promo`` (0/1) marks that share of random days,
        on which demand is multiplied by ``1 + promo_lift``: a known-in-advance input.
    seed : int
        Random seed.

    Returns
    -------
    DataFrame
        Columns ``series_id`` (``"s0"``, ...), ``ds``, ``y`` (and ``promo``).

    Examples
    --------
    >>> make_demand_series(n_series=2, n_periods=3).shape
    (6, 3)
    """
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=n_periods, freq="D")
    week = np.array([1.0, 1.1, 1.2, 1.1, 1.0, 0.5, 0.3])
    parts = []
    for i in range(n_series):
        level = rng.uniform(20, 200)
        trend = 1 + rng.uniform(-0.3, 0.3) * np.arange(n_periods) / n_periods
        pattern = np.roll(week, int(rng.integers(0, 7)))[ds.day_of_week]
        y = level * trend * pattern * rng.lognormal(0, noise, n_periods)
        part = pd.DataFrame({"series_id": f"s{i}", "ds": ds})
        if promo_share > 0:
            promo = (rng.random(n_periods) < promo_share).astype(np.int64)
            y = y * (1 + promo_lift * promo)
            part["promo"] = promo
        part.insert(2, "y", np.round(y))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
