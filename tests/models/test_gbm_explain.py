"""BinaryGBM.contributions and explain of small frames equal the column-by-column path.

The reference is built the long way: the encoder's ``_transform_frame`` (columns selected by
label, then encoded one at a time), LightGBM's ``pred_contrib`` and ``reason_codes`` over the
fitted columns of X aligned by label. Every request form must give the same numbers and the
same reason rows, in the same order.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from custintel.explain import reason_codes
from custintel.features import feature_catalog
from custintel.models.churn import ChurnModel


def _data(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "recency_days": rng.integers(0, 400, size=n).astype("float32"),
            "orders_total": rng.poisson(3, size=n).astype("float32"),
            "spend": rng.gamma(2.0, 100.0, size=n),
            "channel": pd.Categorical(rng.choice(["app", "web", "mini"], size=n)),
            "province": pd.Categorical(rng.choice(["上海", "北京", "广东", "四川"], size=n)),
        }
    )
    X.loc[X.index[::13], "spend"] = np.nan
    X.loc[X.index[::17], "province"] = np.nan
    logit = 0.01 * X["recency_days"] - 0.4 * X["orders_total"] + (X["channel"] == "web") - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit.to_numpy()))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def fitted() -> tuple[ChurnModel, pd.DataFrame]:
    X, y = _data()
    model = ChurnModel(n_estimators=30, crossfit_folds=None, early_stopping_rounds=None)
    return model.fit(X, y), X


def _request(X: pd.DataFrame, text: str) -> pd.DataFrame:
    """X as a request carries it: float numbers and text columns of dtype ``text``."""
    out = X.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            values = [None if pd.isna(v) else str(v) for v in out[name].astype(object)]
            out[name] = pd.Series(values, index=out.index, dtype=object)
            if text != "object":
                out[name] = out[name].astype(text)
        else:
            out[name] = out[name].astype("float64")
    return out


def _reference(model: ChurnModel, X: pd.DataFrame, top_k: int) -> tuple[pd.DataFrame, ...]:
    encoder = model.encoder_
    matrix = encoder._transform_frame(X)
    raw = model.booster_.predict(matrix, pred_contrib=True)
    columns = [*map(str, encoder.feature_names_in_), "bias"]
    contrib = pd.DataFrame(np.asarray(raw), index=X.index, columns=columns)
    frame = encoder.frame(X).set_axis(contrib.index)
    catalog = feature_catalog()
    catalog = catalog if catalog.index.isin(frame.columns).any() else None
    # X's rows in another order: reason_codes selects and aligns them by label
    return contrib, reason_codes(contrib, frame.iloc[::-1], top_k=top_k, catalog=catalog)


@pytest.mark.parametrize("text", ["category", "object", "str", "string"])
def test_small_frames_explain_as_the_column_path(fitted, text):
    model, X = fitted
    frame = X if text == "category" else _request(X, text)
    frame = frame.set_axis(pd.Index([f"C{i}" for i in range(len(frame))], name="customer_id"))
    unseen = frame.iloc[:2].copy()
    if text == "category":
        unseen["channel"] = unseen["channel"].cat.add_categories(["fax"])
    unseen.iloc[0, unseen.columns.get_loc("channel")] = "fax"
    unseen.iloc[1, unseen.columns.get_loc("recency_days")] = np.nan
    unseen = unseen.set_axis(["N1", "N2"]).rename_axis("customer_id")
    shuffled = [*frame.columns[::-1]]
    for rows in [frame.iloc[:1], frame.iloc[12:13], frame.iloc[13:17], frame.iloc[:60], unseen]:
        for variant in [rows, rows[shuffled], rows.assign(note="x", extra=1.0)]:
            for top_k in (1, 5):
                contrib, reasons = _reference(model, variant, top_k)
                pd.testing.assert_frame_equal(model.contributions(variant), contrib)
                pd.testing.assert_frame_equal(model.explain(variant, top_k=top_k), reasons)
                probability = model.predict_proba(variant)
                np.testing.assert_array_equal(
                    probability, model.predict_proba(model.encoder_.frame(variant))
                )


def test_one_row_equals_the_whole_frame_sliced(fitted):
    model, X = fitted
    frame = _request(X.iloc[:40], "object")
    whole = model.explain(frame, top_k=3)
    for i in range(0, 40, 7):
        one = model.explain(frame.iloc[[i]], top_k=3)
        part = whole.loc[whole.index == frame.index[i]]
        pd.testing.assert_frame_equal(one, part, check_dtype=False)


def test_array_input_explains_as_the_column_path(fitted):
    _, X = fitted
    numbered = ChurnModel(n_estimators=10, crossfit_folds=None, early_stopping_rounds=None)
    numbers = X.drop(columns=["channel", "province"]).astype("float64")
    numbered.fit(numbers.to_numpy(), _data()[1])
    for rows in [numbers.iloc[:1], numbers.iloc[:5]]:
        array = rows.to_numpy()
        pd.testing.assert_frame_equal(
            numbered.explain(array, top_k=2), _reference(numbered, _array_frame(array), 2)[1]
        )


def _array_frame(array: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(array, columns=[f"x{j}" for j in range(array.shape[1])])


def test_pickled_model_explains_the_same(fitted):
    model, X = fitted
    row = _request(X.iloc[:1], "object")
    expected = model.explain(row)
    loaded = pickle.loads(pickle.dumps(model))
    assert "_lookups_cache" not in loaded.encoder_.__dict__
    pd.testing.assert_frame_equal(loaded.explain(row), expected)
    pd.testing.assert_frame_equal(loaded.contributions(row), model.contributions(row))


def test_bad_requests_raise_as_before(fitted):
    model, X = fitted
    row = _request(X.iloc[:1], "object")
    with pytest.raises(ValueError, match="lacks 1 column"):
        model.explain(row.drop(columns=["spend"]))
    with pytest.raises(ValueError, match="was numeric when the model was fitted"):
        model.explain(row.assign(spend="lots"))
