"""The global LightGBM candidate of :class:`custintel.models.DemandForecaster`.

One model over all series: each series is divided by its mean over the last
``_SCALE_SEASONS`` seasons, and the model reads lags, rolling means, calendar features (for
daily data the Chinese statutory holidays, make-up workdays, distance to the Spring Festival,
the 618 and Double-11 windows), the series' static columns and the future-known columns. It
forecasts recursively, one step at a time for all series together.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: LightGBM divides each series by its mean over this many last seasons. One season (seven
#: days) made sparse series noisy: on the demo provinces mean backtest MASE was 1.32 with one
#: season, 1.18 with four and 0.96 with eight.
_SCALE_SEASONS = 8

#: First day of the Chinese New Year (Spring Festival), 2010 to 2035.
_SPRING_FESTIVAL = pd.to_datetime(
    [
        "2010-02-14", "2011-02-03", "2012-01-23", "2013-02-10", "2014-01-31", "2015-02-19",
        "2016-02-08", "2017-01-28", "2018-02-16", "2019-02-05", "2020-01-25", "2021-02-12",
        "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
        "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11", "2033-01-31",
        "2034-02-19", "2035-02-08",
    ]
)  # fmt: skip


def _calendar(dates: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Calendar features of each date: position in week/month/year, Chinese holidays (daily)."""
    cols = [dates.month.to_numpy(), dates.isocalendar().week.to_numpy(np.int64)]
    if freq != "D":
        return np.column_stack(cols).astype(np.float64)
    import chinese_calendar

    days = dates.date
    holiday = np.array([d in chinese_calendar.holidays for d in days], dtype=np.float64)
    makeup = np.array([d in chinese_calendar.workdays for d in days], dtype=np.float64)
    known_to = max(chinese_calendar.holidays)
    covered = np.array([dt.date(2004, 1, 1) <= d <= known_to for d in days])
    holiday[~covered] = np.nan  # unknown outside the calendar's years
    makeup[~covered] = np.nan
    sf = _SPRING_FESTIVAL.to_numpy()
    pos = np.searchsorted(sf, dates.to_numpy())
    nxt = (sf[np.minimum(pos, len(sf) - 1)] - dates.to_numpy()) / np.timedelta64(1, "D")
    prv = (dates.to_numpy() - sf[np.maximum(pos - 1, 0)]) / np.timedelta64(1, "D")
    to_sf = np.where(np.abs(nxt) <= np.abs(prv), nxt, -prv)
    month, day = dates.month.to_numpy(), dates.day.to_numpy()
    cols += [
        dates.day_of_week.to_numpy(),
        day,
        holiday,
        makeup,
        np.clip(to_sf, -45, 45),
        (month == 6) & (day <= 18),  # 618 promotion
        (month == 11) & (day <= 11),  # Double 11
    ]
    return np.column_stack(cols).astype(np.float64)


def _nanmean(a: np.ndarray) -> np.ndarray:
    """Row means over the finite values; NaN (without a warning) for rows with none."""
    finite = np.isfinite(a)
    count = finite.sum(axis=1)
    total = np.where(finite, a, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(a), np.nan), where=count > 0)


class _GlobalLGBM:
    """One LightGBM model over all series that forecasts them recursively, step by step.

    Each series is divided by its mean over the last ``_SCALE_SEASONS`` seasons; the model
    reads lags ``1..season`` and ``2 * season``, rolling means, calendar features, the series'
    static columns and the future-known columns at the period being forecast.
    """

    def __init__(
        self,
        freq: str,
        season: int,
        *,
        ic: str,
        tc: str,
        yc: str,
        exog: list[str],
        static: list[str],
        n_jobs: int | None,
        random_state: int,
    ) -> None:
        self.freq, self.season = freq, season
        self.ic, self.tc, self.yc = ic, tc, yc
        self.exog, self.static = exog, static
        self.n_jobs, self.random_state = n_jobs, random_state

    def fit(self, history: pd.DataFrame) -> _GlobalLGBM:
        import lightgbm as lgb

        ic, tc, s = self.ic, self.tc, self.season
        codes, ids = pd.factorize(history[ic])
        lengths = np.bincount(codes)
        n, width = len(ids), int(lengths.max())
        # Right-aligned matrices: every series ends at column width - 1.
        col = history.groupby(ic, sort=False).cumcount().to_numpy() + (width - lengths[codes])
        y = np.full((n, width), np.nan)
        y[codes, col] = history[self.yc].to_numpy()
        exog = np.full((n, width, len(self.exog)), np.nan)
        for j, c in enumerate(self.exog):
            exog[codes, col, j] = history[c].to_numpy(np.float64)
        self.ids_, self.width_ = ids, width
        self.last_ = history.groupby(codes)[tc].max().to_numpy()
        self.static_, self.static_kinds_ = _static_matrix(history, codes, n, self.static)
        scale = _nanmean(y[:, max(0, width - _SCALE_SEASONS * s) :])
        self.scale_ = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        self.z_ = y / self.scale_[:, None]
        self.exog_ = exog
        self.cal_ = self._calendar(width, 0)
        first = s  # lag 2 * season is missing (NaN) in the first rows, as LightGBM allows
        X = np.concatenate(
            [self._features(self.z_, self.exog_, self.cal_, t) for t in range(first, width)]
        )
        target = self.z_[:, first:width].T.ravel()
        keep = np.isfinite(target) & np.isfinite(X[:, 0])
        self.model_ = lgb.LGBMRegressor(
            n_estimators=300,
            learning_rate=0.05,
            num_leaves=15,
            min_child_samples=10,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            reg_lambda=1.0,
            n_jobs=self.n_jobs or 1,
            random_state=self.random_state,
            verbose=-1,
        )
        categorical = [
            self._n_lagged() + j for j, c in enumerate(self.static) if self.static_kinds_[j]
        ]
        self.model_.fit(X[keep], target[keep], categorical_feature=categorical or "auto")
        return self

    def forecast(self, h: int, future: pd.DataFrame | None = None) -> np.ndarray:
        """Forecasts ``h`` periods past each series' end, series after series (``ids_`` order).

        ``future`` holds the future-known columns for those periods, in the same order.
        """
        n, width = len(self.ids_), self.width_
        z = np.concatenate([self.z_, np.full((n, h), np.nan)], axis=1)
        exog = np.concatenate([self.exog_, np.full((n, h, len(self.exog)), np.nan)], axis=1)
        for j, c in enumerate(self.exog):
            exog[:, width:, j] = future[c].to_numpy(np.float64).reshape(n, h)  # type: ignore[index]
        cal = np.concatenate([self.cal_, self._calendar(0, h)], axis=1)
        for t in range(width, width + h):
            z[:, t] = np.clip(self.model_.predict(self._features(z, exog, cal, t)), 0, None)
        return np.asarray((z[:, width:] * self.scale_[:, None]).ravel())

    # -- internals ---------------------------------------------------------------------------

    def _lags(self) -> list[int]:
        return [*range(1, self.season + 1), 2 * self.season]

    def _windows(self) -> list[int]:
        return sorted({min(3, self.season), self.season, 2 * self.season})

    def _n_lagged(self) -> int:
        return len(self._lags()) + len(self._windows())

    def _calendar(self, before: int, after: int) -> np.ndarray:
        """Calendar features of the ``before`` periods up to and ``after`` periods past the end."""
        offset = pd.tseries.frequencies.to_offset(self.freq)
        dates = np.stack(
            [pd.date_range(end=t, periods=before, freq=offset).append(
                pd.date_range(t, periods=after + 1, freq=offset)[1:]).to_numpy()
             for t in self.last_]
        )  # fmt: skip
        n = len(self.last_)
        return _calendar(pd.DatetimeIndex(dates.ravel()), self.freq).reshape(n, before + after, -1)

    def _features(self, z: np.ndarray, exog: np.ndarray, cal: np.ndarray, t: int) -> np.ndarray:
        n = len(z)
        past = z[:, :t]
        lagged = [z[:, t - k] if t >= k else np.full(n, np.nan) for k in self._lags()]
        rolls = [_nanmean(past[:, -w:]) if t >= w else np.full(n, np.nan)
                 for w in self._windows()]  # fmt: skip
        return np.column_stack([*lagged, *rolls, self.static_, exog[:, t, :], cal[:, t, :]])


def _static_matrix(
    history: pd.DataFrame, codes: np.ndarray, n: int, columns: list[str]
) -> tuple[np.ndarray, list[bool]]:
    """One row per series: numeric static columns as they are, others as category codes."""
    out = np.full((n, len(columns)), np.nan)
    kinds = []
    first = np.unique(codes, return_index=True)[1]
    for j, c in enumerate(columns):
        values = history[c].iloc[first]
        categorical = not pd.api.types.is_numeric_dtype(values)
        if categorical:
            cat_codes = pd.factorize(values)[0].astype(np.float64)
            out[:, j] = np.where(cat_codes < 0, np.nan, cat_codes)
        else:
            out[:, j] = values.to_numpy(np.float64)
        kinds.append(categorical)
    return out, kinds
