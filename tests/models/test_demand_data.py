"""check_series: one tiny frame per broken rule, gap filling, frequency inference, real output."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from custintel.data import SchemaError, make_demo_dataset
from custintel.features.demand import demand_series
from custintel.models._demand_data import check_series
from custintel.models.demand import DemandForecaster


def frame(ids, days, y=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": ids,
            "ds": pd.to_datetime(days, format="ISO8601"),
            "y": np.arange(1.0, len(ids) + 1) if y is None else y,
        }
    )


DAILY = frame(
    ["b", "b", "a", "a", "a"],
    ["2024-01-02", "2024-01-01", "2024-01-03", "2024-01-01", "2024-01-02"],
)


def test_clean_frame_is_sorted_copy_and_input_untouched():
    before = DAILY.copy()
    out = check_series(DAILY)
    pd.testing.assert_frame_equal(DAILY, before)
    assert out["series_id"].tolist() == ["a", "a", "a", "b", "b"]
    assert out["ds"].dt.day.tolist() == [1, 2, 3, 1, 2]
    assert out["y"].tolist() == [4.0, 5.0, 3.0, 2.0, 1.0]
    assert out.index.tolist() == list(range(5))
    assert out.attrs["check_series"] == {"freq": "D", "n_series": 2, "n_filled": 0, "filled": {}}


def test_missing_columns_are_named():
    with pytest.raises(SchemaError, match=r"lacks column\(s\) \['ds', 'y'\].*pass id_col="):
        check_series(DAILY.drop(columns=["ds", "y"]))
    out = check_series(
        DAILY.rename(columns={"series_id": "sku", "y": "parcels"}),
        id_col="sku",
        target_col="parcels",
    )
    assert out["parcels"].sum() == 15


def test_duplicates_are_counted_with_examples():
    dup = pd.concat([DAILY, DAILY.iloc[[0]]])
    with pytest.raises(
        SchemaError,
        match=r"2 rows sharing a \(series_id, ds\) pair.*\('b', '2024-01-02'\).*groupby",
    ) as err:
        check_series(dup)
    assert err.value.problems[0].rule == "duplicate"


def test_off_grid_timestamps():
    weekly = frame(["a"] * 3, ["2024-01-01", "2024-01-08", "2024-01-16"])  # the last is a Tuesday
    with pytest.raises(
        SchemaError, match=r"not on the 'W-MON' grid \(1 row, e.g. \[\('a', '2024-01-16'\)\]"
    ):
        check_series(weekly, freq="W-MON")
    noon = frame(["a", "a"], ["2024-01-01", "2024-01-02 12:00"])
    with pytest.raises(SchemaError, match=r"not at midnight.*'2024-01-02 12:00:00'.*normalize"):
        check_series(noon)
    months = frame(["a", "a"], ["2024-01-01", "2024-02-15"])
    with pytest.raises(SchemaError, match="not on the 'MS' grid"):
        check_series(months, freq="M")


def test_gaps_are_reported_per_series():
    holes = frame(
        ["a", "a", "b", "b", "b"],
        ["2024-01-01", "2024-01-04", "2024-01-01", "2024-01-02", "2024-01-05"],
    )
    with pytest.raises(
        SchemaError,
        match=r"4 missing period\(s\) inside 2 series.*'a: 2 missing from 2024-01-02', 'b: 2 missing from 2024-01-03'.*fill_gaps=True",
    ):
        check_series(holes, freq="D")


def test_fill_gaps_inserts_zeros_and_says_so(caplog):
    holes = frame(
        ["a", "a", "b", "b"], ["2024-01-01", "2024-01-22", "2024-01-01", "2024-01-08"]
    ).assign(extra="x")
    with caplog.at_level(logging.INFO, logger="custintel.models"):
        out = check_series(holes, freq="W", fill_gaps=True)
    assert "inserted 2 missing period(s) with y=0 in 1 series" in caplog.text
    assert out["ds"].dt.strftime("%m-%d").tolist() == [
        "01-01",
        "01-08",
        "01-15",
        "01-22",
        "01-01",
        "01-08",
    ]
    assert out["y"].tolist() == [1.0, 0.0, 0.0, 2.0, 3.0, 4.0]
    assert out["extra"].isna().sum() == 2
    assert out["ds"].dtype == holes["ds"].dtype
    assert out.attrs["check_series"]["freq"] == "W-MON"
    assert out.attrs["check_series"]["filled"] == {"a": 2}


def test_fill_gaps_month_end():
    ends = frame(["a", "a"], ["2024-01-31", "2024-04-30"])
    out = check_series(ends, fill_gaps=True)
    assert out.attrs["check_series"]["freq"] == "ME"
    assert out["ds"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
    ]


def test_short_series():
    short = frame(["a", "a", "a", "b"], ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-01"])
    with pytest.raises(
        SchemaError, match=r"1 series span fewer than min_length=2.*'b: 1'.*lower min_length"
    ):
        check_series(short, freq="D")
    assert len(check_series(short, freq="D", min_length=1)) == 4
    with pytest.raises(SchemaError, match="fewer than min_length=4"):
        check_series(short, freq="D", min_length=4)


def test_negative_and_non_finite_values_reported_together():
    bad = DAILY.assign(y=[1.0, -2.0, np.nan, np.inf, 0.0])
    with pytest.raises(SchemaError, match="2 problems") as err:
        check_series(bad)
    assert [p.rule for p in err.value.problems] == ["non_finite", "negative"]
    assert "('b', '2024-01-01')" in str(err.value)  # the negative row
    assert err.value.problems[0].n_rows == 2


def test_bad_types_ids_and_times():
    with pytest.raises(SchemaError, match="must be numeric, got dtype"):
        check_series(DAILY.assign(y=list("abcde")))
    with pytest.raises(SchemaError, match="missing series ids"):
        check_series(DAILY.assign(series_id=["a", None, "a", "a", "a"]))
    with pytest.raises(SchemaError, match="could not be read as timestamps"):
        check_series(DAILY.assign(ds="not a date"))
    with pytest.raises(SchemaError, match=r"time zone Asia/Shanghai.*tz_localize"):
        check_series(DAILY.assign(ds=DAILY["ds"].dt.tz_localize("Asia/Shanghai")))
    text = check_series(DAILY.assign(ds=DAILY["ds"].dt.strftime("%Y-%m-%d")))
    assert text["ds"].dtype.kind == "M"


def test_frequency_inference():
    assert (
        check_series(frame(["a", "a"], ["2024-01-01", "2024-03-01"]), fill_gaps=True).attrs[
            "check_series"
        ]["freq"]
        == "MS"
    )
    sundays = frame(["a", "a", "b", "b"], ["2024-01-07", "2024-01-14", "2024-01-07", "2024-01-28"])
    assert check_series(sundays, fill_gaps=True).attrs["check_series"]["freq"] == "W-SUN"
    # a daily series with holes is still daily
    assert (
        check_series(
            frame(["a", "a", "a"], ["2024-01-01", "2024-01-03", "2024-01-04"]), fill_gaps=True
        ).attrs["check_series"]["freq"]
        == "D"
    )


def test_mixed_or_unknown_frequencies_are_rejected():
    mixed = frame(["d", "d", "w", "w"], ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-08"])
    with pytest.raises(
        SchemaError,
        match=r"different grids \['D', 'W-MON'\] \(e.g. \[\"D: 'd'\", \"W-MON: 'w'\"\]\).*pass freq=",
    ):
        check_series(mixed)
    out = check_series(mixed, freq="D", fill_gaps=True)  # an explicit freq resolves it
    assert out.attrs["check_series"]["filled"] == {"w": 6}
    with pytest.raises(SchemaError, match="every series has a single timestamp"):
        check_series(frame(["a", "b"], ["2024-01-01", "2024-01-02"]))
    with pytest.raises(ValueError, match=r"freq must be .D., .W.*got .H."):
        check_series(DAILY, freq="H")
    with pytest.raises(ValueError, match="min_length must be a positive integer"):
        check_series(DAILY, min_length=0)


@pytest.fixture(scope="module")
def demo():
    return make_demo_dataset(n_customers=300, seed=0)


@pytest.mark.parametrize(("freq", "expected"), [("D", "D"), ("W", "W-MON"), ("M", "MS")])
def test_demand_series_output_passes(demo, freq, expected):
    series = demand_series(demo, freq=freq, by=["province"])
    out = check_series(series)
    assert out.attrs["check_series"]["freq"] == expected
    assert out.attrs["check_series"]["n_filled"] == 0
    assert len(out) == len(series)
    assert out["y"].sum() == series["y"].sum()
    assert check_series(series, freq=freq).attrs["check_series"]["freq"] == expected
    # knocking out a row makes a gap; filling restores the zero-filled shape
    holed = series.drop(index=series.index[len(series) // 2])
    with pytest.raises(SchemaError, match="missing period"):
        check_series(holed)
    refilled = check_series(holed, fill_gaps=True)
    assert len(refilled) == len(series)


@pytest.mark.parametrize(
    ("freq", "start"),
    [("QS", "2020-01-01"), ("QE", "2020-03-31"), ("YS", "2010-01-01"), ("YE", "2010-12-31")],
)
def test_quarterly_and_yearly_grids(freq, start):
    ds = pd.date_range(start, periods=8, freq=freq)
    full = pd.DataFrame({"series_id": "a", "ds": ds, "y": np.arange(8.0)})
    assert check_series(full).attrs["check_series"]["freq"] == freq
    filled = check_series(full.drop(index=[3]), fill_gaps=True)
    assert filled["ds"].tolist() == ds.tolist() and filled["y"].iloc[3] == 0
    with pytest.raises(SchemaError, match="gap"):
        check_series(full.drop(index=[3]), freq=freq)
    model = DemandForecaster(horizon=2, models=("seasonal_naive", "ets"), n_windows=1)
    fc = model.fit(full).predict()
    assert model.season_length_ == {"Q": 4, "Y": 1}[freq[0]]
    assert fc["ds"].tolist() == pd.date_range(ds[-1], periods=3, freq=freq)[1:].tolist()
