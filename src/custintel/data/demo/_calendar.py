"""The retail calendar of the demo business: weekly rhythm, shopping festivals, Spring Festival.

The order process is an inhomogeneous Poisson process on an hourly grid. Its intensity is the
product of a long-term growth trend, a weekday factor, an hour-of-day factor and a day factor per
product category that carries the festivals: the 618 and Double-11 ramp-ups and spikes, Double 12,
Women's Day for beauty, the back-to-school season for books, the fresh-food rush before Spring
Festival and the courier shutdown around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Product categories of the demo orders (the order of the columns of every per-category array).
CATEGORIES: tuple[str, ...] = ("fresh", "electronics", "apparel", "beauty", "household", "books")

#: Share of each category in the overall order mix.
CATEGORY_SHARES = np.array([0.17, 0.11, 0.27, 0.13, 0.22, 0.10])

#: Chinese New Year's Day (first day of the first lunar month), a fact table for 2015-2035.
LUNAR_NEW_YEAR: dict[int, str] = {
    2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28", 2018: "2018-02-16",
    2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01",
    2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17",
    2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
    2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31", 2034: "2034-02-19",
    2035: "2035-02-08",
}  # fmt: skip

# How strongly each category follows the platform-wide festival spikes (618, Double 11/12).
_FESTIVAL_GAIN = np.array([0.6, 1.4, 1.2, 1.3, 1.0, 0.7])

# Hour-of-day weights: consumers peak late morning and 20-22h, business accounts in office hours.
_HOURS_C = np.array([1.6, 0.9, 0.5, 0.3, 0.2, 0.25, 0.5, 1.1, 2.0, 3.0, 3.6, 3.4,
                     2.9, 3.0, 3.3, 3.3, 3.1, 2.9, 2.9, 3.4, 4.2, 4.6, 4.2, 2.8])  # fmt: skip
_HOURS_B = np.array([0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.5, 4.5, 5.0, 4.5,
                     2.5, 3.5, 4.5, 4.5, 4.0, 3.0, 1.5, 0.8, 0.6, 0.5, 0.3, 0.2])  # fmt: skip
# Monday .. Sunday.
_WEEK_C = np.array([1.00, 0.98, 0.98, 0.99, 0.97, 1.03, 1.08])
_WEEK_B = np.array([1.15, 1.15, 1.12, 1.12, 1.10, 0.70, 0.55])
#: Yearly growth of the business (log scale).
GROWTH_PER_YEAR = 0.12


def _festival_factor(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Platform-wide festival multiplier of each date (1 = ordinary day)."""
    f = np.ones(month.shape)
    june, octo, nov, dec = month == 6, month == 10, month == 11, month == 12
    # 618: first wave on June 1, a ramp to the June 18 spike, then back to normal.
    f[june & (day == 1)] = 1.6
    ramp = june & (day >= 2) & (day <= 15)
    f[ramp] = 1.15 + 0.25 * (day[ramp] - 2) / 13
    f[june & (day == 16)] = 1.6
    f[june & (day == 17)] = 1.9
    f[june & (day == 18)] = 3.2
    f[june & (day == 19)] = 1.3
    # Double 11: pre-sale from Oct 20, first wave Nov 1-3, ramp to the Nov 11 spike, slump after.
    pre = octo & (day >= 20)
    f[pre] = 1.1 + 0.2 * (day[pre] - 20) / 11
    f[octo & (day <= 7)] = 0.85  # National Day golden week
    f[nov & (day == 1)] = 1.9
    f[nov & ((day == 2) | (day == 3))] = 1.5
    ramp = nov & (day >= 4) & (day <= 10)
    f[ramp] = 1.25 + 0.35 * (day[ramp] - 4) / 6
    f[nov & (day == 11)] = 4.5
    f[nov & (day == 12)] = 1.6
    f[nov & (day >= 16) & (day <= 25)] = 0.9
    f[dec & (day == 12)] = 1.6
    return f


def _spring_festival_offset(dates: pd.DatetimeIndex) -> np.ndarray:
    """Days from the nearest Chinese New Year (NaN where the year is not in the fact table)."""
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    lny = np.array(
        [np.datetime64(v, "D").astype(np.int64) for v in LUNAR_NEW_YEAR.values()], dtype=np.int64
    )
    pos = np.clip(np.searchsorted(lny, days), 1, len(lny) - 1)
    before, after = lny[pos - 1], lny[pos]
    offset = np.where(days - before < after - days, days - before, days - after).astype(float)
    outside = (days < lny[0] - 60) | (days > lny[-1] + 60)
    offset[outside] = np.nan
    return offset


def category_day_factors(dates: pd.DatetimeIndex) -> np.ndarray:
    """Return the day factor of every category on each date, shape ``(len(dates), 6)``."""
    month, day = dates.month.to_numpy(), dates.day.to_numpy()
    fest = _festival_factor(month, day)
    out = 1.0 + (fest[:, None] - 1.0) * _FESTIVAL_GAIN[None, :]
    out[fest < 1.0] = fest[fest < 1.0, None]  # golden week and post-festival slump hit everyone
    sf = _spring_festival_offset(dates)
    known = ~np.isnan(sf)
    d = np.where(known, sf, 999.0)
    rush = (d >= -25) & (d <= -9)
    out[rush, 0] *= 2.6  # 年货: fresh food and gifts before the holiday
    out[rush, 4] *= 1.2
    out[(d >= -8) & (d <= -4)] *= 0.8  # couriers stop taking parcels
    out[(d >= -8) & (d <= -4), 0] *= 1.5
    out[(d >= -3) & (d <= 3)] *= 0.3
    out[(d >= 4) & (d <= 7)] *= 0.55
    out[(d >= 8) & (d <= 14)] *= 0.8
    beauty = (month == 3) & (day >= 5) & (day <= 8)
    out[beauty, 3] *= np.where(day[beauty] == 8, 3.0, 1.3)
    school = ((month == 8) & (day >= 25)) | ((month == 9) & (day <= 10))
    out[school, 5] *= 1.6
    out[(month == 4) & (day == 23), 5] *= 1.8  # World Book Day
    doy = dates.day_of_year.to_numpy()
    out[:, 2] *= 1.0 + 0.12 * np.cos(4 * np.pi * (doy - 100) / 365.25)  # season changes
    return out


@dataclass(frozen=True)
class HourGrid:
    """The hourly grid of the simulation window and its order intensities.

    ``intensity[g]`` is the all-category intensity for customer group ``g`` (0 = consumer,
    1 = business), scaled so that one unit of cumulative intensity equals one average year.
    """

    start_us: int
    n_hours: int
    day_of_hour: np.ndarray  # index into ``dates`` of each hour
    dates: pd.DatetimeIndex  # local calendar dates of the window
    cat_day: np.ndarray  # (n_days, 6) category day factors
    intensity: np.ndarray  # (2, n_hours)
    cumulative: np.ndarray  # (2, n_hours + 1), in years


def hour_grid(start: pd.Timestamp, end: pd.Timestamp) -> HourGrid:
    """Build the hourly intensity grid of ``[start, end)`` in the local time of ``start``."""
    n_hours = int((end - start) // pd.Timedelta(hours=1))
    hours = pd.date_range(start, periods=n_hours, freq="h")
    local_day = hours.normalize().tz_localize(None)
    dates = pd.DatetimeIndex(local_day.unique())
    day_of_hour = dates.get_indexer(local_day)
    cat_day = category_day_factors(dates)
    hod = hours.hour.to_numpy()
    dow = hours.day_of_week.to_numpy()
    years = np.arange(n_hours) / (24 * 365.25)
    trend = np.exp(GROWTH_PER_YEAR * (years - years.mean()))
    mix = cat_day[day_of_hour] @ CATEGORY_SHARES
    midnight_rush = (hod == 0) & (
        ((hours.month == 11) & (hours.day == 11)) | ((hours.month == 6) & (hours.day == 18))
    )
    hour_c = np.where(midnight_rush, 12.0, _HOURS_C[hod] / _HOURS_C.mean())
    intensity = np.stack(
        [
            trend * mix * _WEEK_C[dow] * hour_c,
            trend * mix * _WEEK_B[dow] * (_HOURS_B[hod] / _HOURS_B.mean()),
        ]
    )
    intensity /= intensity.mean(axis=1, keepdims=True)
    cumulative = np.zeros((2, n_hours + 1))
    np.cumsum(intensity / (24 * 365.25), axis=1, out=cumulative[:, 1:])
    return HourGrid(
        start_us=int(start.value // 1_000),
        n_hours=n_hours,
        day_of_hour=day_of_hour.astype(np.int32),
        dates=dates,
        cat_day=cat_day,
        intensity=intensity,
        cumulative=cumulative,
    )


def spring_festival_offset_of_day(grid: HourGrid) -> np.ndarray:
    """Days from the nearest Chinese New Year of each date of ``grid`` (NaN if unknown)."""
    return _spring_festival_offset(grid.dates)
