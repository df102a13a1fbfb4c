"""FrameEncoder: frames read from their column storage encode exactly as through ``frame()``.

``transform`` reads a frame that holds the fitted columns straight from its storage and falls
back to :meth:`FrameEncoder._transform_frame` (the column-by-column path) for anything else.
Both must give the same floats, the same NaN and the same errors for every input.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from custintel.models._frame import FrameEncoder


def _train_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cities = np.array(["上海", "北京", "广州", "深圳", "成都"], dtype=object)
    channels = np.array(["app", "web", "mini"], dtype=object)
    frame = pd.DataFrame(
        {
            "f32": rng.normal(size=n).astype("float32"),
            "f64": rng.normal(size=n),
            "i64": rng.integers(-5, 5, size=n),
            "flag": rng.random(n) < 0.5,
            "city": pd.Categorical(cities[rng.integers(0, 5, size=n)]),
            "channel": pd.Series(channels[rng.integers(0, 3, size=n)], dtype=object),
            "tier": pd.Series(rng.choice(["a", "b", "c"], size=n), dtype="string"),
            "u8": rng.integers(0, 200, size=n).astype("uint8"),
        }
    )
    frame.loc[frame.index[::7], "f64"] = np.nan
    frame.loc[frame.index[::11], "city"] = np.nan
    frame.loc[frame.index[::5], "channel"] = None
    frame.loc[frame.index[::9], "tier"] = pd.NA
    return frame


@pytest.fixture(scope="module")
def encoder() -> FrameEncoder:
    return FrameEncoder().fit(_train_frame())


def _request_frames(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``frame`` as training, as a JSON request (object text, float numbers) and as ``str``."""
    request = frame.copy()
    for name in request.columns:
        column = request[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(
            column.dtype
        ):
            values = column.astype(object)
            request[name] = pd.Series(
                [None if pd.isna(v) else str(v) for v in values], index=column.index, dtype=object
            )
        elif column.dtype.kind in "iuf":
            request[name] = column.astype("float64")
    text = request.copy()
    for name in ("city", "channel", "tier"):
        text[name] = request[name].astype("str")
    python = request.copy()
    for name in ("city", "channel", "tier"):
        python[name] = request[name].astype(pd.StringDtype("python"))
    return {"training": frame, "request": request, "str": text, "string[python]": python}


def _new_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with unseen levels and missing values of every kind."""
    rows = frame.iloc[:4].copy()
    rows["city"] = rows["city"].cat.add_categories(["火星"])
    rows.loc[rows.index[0], "city"] = "火星"
    rows.loc[rows.index[1], "city"] = np.nan
    rows.loc[rows.index[0], "channel"] = "fax"
    rows.loc[rows.index[2], "channel"] = np.nan
    rows.loc[rows.index[1], "tier"] = "z"
    rows.loc[rows.index[3], "tier"] = pd.NA
    rows.loc[rows.index[2], "f32"] = np.nan
    return rows


def _assert_same(encoder: FrameEncoder, X: object) -> np.ndarray:
    fast = encoder.transform(X)
    general = encoder._transform_frame(X)
    assert fast.dtype == general.dtype == np.float64
    assert fast.shape == general.shape
    np.testing.assert_array_equal(fast, general)  # NaN where NaN, same floats elsewhere
    return fast


@pytest.mark.parametrize("kind", ["training", "request", "str", "string[python]"])
def test_small_frames_encode_as_the_whole_frame_sliced(encoder, kind):
    frame = pd.concat([_train_frame(30, seed=1), _new_rows(_train_frame())])
    X = _request_frames(frame)[kind]
    whole = _assert_same(encoder, X)
    rng = np.random.default_rng(0)
    shuffled = list(X.columns)
    rng.shuffle(shuffled)
    for rows in [[0], [1], [30], [31], [32], [33], [2, 3, 4], list(range(len(X)))]:
        part = X.iloc[rows]
        np.testing.assert_array_equal(_assert_same(encoder, part), whole[rows])
        np.testing.assert_array_equal(_assert_same(encoder, part[shuffled]), whole[rows])
        extra = part.assign(zz=1.0, aa="x").loc[:, ["aa", *shuffled, "zz"]]
        np.testing.assert_array_equal(_assert_same(encoder, extra), whole[rows])


def test_unseen_and_missing_levels_are_nan(encoder):
    rows = _new_rows(_train_frame())
    for X in _request_frames(rows).values():
        out = _assert_same(encoder, X)
        city, channel, tier = (list(encoder.feature_names_in_).index(c) for c in encoder.levels_)
        assert np.isnan(out[0, city]) and np.isnan(out[1, city])
        assert np.isnan(out[0, channel]) and np.isnan(out[2, channel])
        assert np.isnan(out[1, tier]) and np.isnan(out[3, tier])
        assert np.isnan(out[2, list(encoder.feature_names_in_).index("f32")])


def test_odd_columns_take_the_column_path_with_the_same_result(encoder):
    one = _request_frames(_train_frame().iloc[:3])["request"]
    variants = {
        "numbers in a text column": one.assign(channel=[1, "web", None]),
        "float32 nan in a text column": one.assign(
            channel=pd.Series([np.float32("nan"), "web", "app"], dtype=object)
        ),
        "numeric categories": one.assign(tier=pd.Categorical([1, 2, 1])),
        "text numbers in a numeric column": one.assign(f64=pd.Series([1.5, None, 2], dtype=object)),
        "nullable numbers": one.assign(i64=pd.array([1, None, 3], dtype="Int64")),
        "bool for a categorical": one.assign(channel=[True, False, True]),
        "categorical text": one.assign(channel=pd.Categorical(["app", "web", "fax"])),
        "non-text column names": one.set_axis([*one.columns[:-1], 0], axis=1).assign(u8=one["u8"]),
        "arrow floats": one.assign(f64=one["f64"].astype("float64[pyarrow]")),
    }
    for name, X in variants.items():
        with warnings.catch_warnings(record=True) as general_warnings:
            warnings.simplefilter("always")
            general = _outcome(encoder._transform_frame, X)
        with warnings.catch_warnings(record=True) as fast_warnings:
            warnings.simplefilter("always")
            fast = _outcome(encoder.transform, X)
        assert fast[0] == general[0], name
        if fast[0] == "ok":
            np.testing.assert_array_equal(fast[1], general[1], err_msg=name)
        else:
            assert fast[1:] == general[1:], name
        assert [str(w.message) for w in fast_warnings] == [
            str(w.message) for w in general_warnings
        ], name


def _outcome(transform, X) -> tuple:
    try:
        return ("ok", transform(X))
    except Exception as error:  # the test compares whatever is raised
        return ("error", type(error), str(error))


@pytest.mark.parametrize(
    "change",
    [
        lambda X: X.drop(columns=["tier"]),
        lambda X: pd.concat([X, X[["f64"]]], axis=1),
        lambda X: X.assign(f64=pd.to_datetime(["2024-01-01"] * len(X))),
        lambda X: X.assign(f64=["a"] * len(X)),
        lambda X: X.assign(flag=pd.Categorical(["x"] * len(X))),
    ],
    ids=["missing column", "repeated column", "timestamps", "text for a number", "categories"],
)
def test_bad_frames_raise_as_the_column_path(encoder, change):
    X = change(_request_frames(_train_frame().iloc[:2])["request"])
    with pytest.raises(Exception) as general:
        encoder._transform_frame(X)
    with pytest.raises(type(general.value)) as fast:
        encoder.transform(X)
    assert str(fast.value) == str(general.value)


def test_arrays_and_empty_frames(encoder):
    X = _request_frames(_train_frame().iloc[:3])["request"]
    _assert_same(encoder, X.iloc[:0])
    numeric = FrameEncoder().fit(np.arange(12.0).reshape(4, 3))
    _assert_same(numeric, np.ones((1, 3)))
    _assert_same(numeric, pd.DataFrame(np.ones((2, 3)), columns=["a", "b", "c"]))


def test_repeated_levels_raise_as_the_column_path():
    encoder = FrameEncoder().fit(pd.DataFrame({"x": pd.Series([1, "1", "a"], dtype=object)}))
    assert list(encoder.levels_["x"]) == ["1", "1", "a"]
    X = pd.DataFrame({"x": pd.Series(["a"], dtype=object)})
    with pytest.raises(Exception) as general:
        encoder._transform_frame(X)
    with pytest.raises(type(general.value)):
        encoder.transform(X)


def test_pickles_without_the_lookups_and_refits_drop_them(encoder):
    X = _request_frames(_train_frame().iloc[:5])["request"]
    expected = encoder.transform(X)
    state = pickle.dumps(encoder)
    assert b"_lookups_cache" not in state and b"_Lookups" not in state
    loaded = pickle.loads(state)
    assert sorted(loaded.__dict__) == sorted(k for k in encoder.__dict__ if k[0] != "_")
    np.testing.assert_array_equal(loaded.transform(X), expected)
    # an encoder pickled before the lookups existed has none: built on first use
    old = FrameEncoder.__new__(FrameEncoder)
    old.__dict__.update({k: v for k, v in encoder.__dict__.items() if not k.startswith("_")})
    np.testing.assert_array_equal(old.transform(X), expected)

    refit = pickle.loads(state)
    refit.transform(X)
    other = _train_frame(40, seed=3)
    other["channel"] = other["channel"].replace({"app": "phone"})
    refit.fit(other)
    _assert_same(refit, X)
    refit.levels_["city"] = pd.Index(["北京"], dtype=object)  # edited levels are read afresh
    _assert_same(refit, X)


def test_feature_index_is_a_fresh_copy(encoder):
    index = encoder.feature_index("bias")
    assert index.tolist() == [*encoder.feature_names_in_, "bias"]
    assert index.equals(pd.Index([*encoder.feature_names_in_, "bias"]))
    assert index.dtype == pd.Index([*encoder.feature_names_in_, "bias"]).dtype
    index.name = "feature"
    assert encoder.feature_index("bias").name is None
