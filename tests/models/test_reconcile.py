"""Hierarchical reconciliation: coherent forecasts, known projections, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.models.demand import DemandForecaster, make_demand_series
from custintel.models.reconcile import aggregate_series, reconcile, summing_matrix

TREE = {
    "广州": "广东",
    "深圳": "广东",
    "杭州": "浙江",
    "宁波": "浙江",
    "广东": "全国",
    "浙江": "全国",
}


def test_summing_matrix_multi_level():
    S = summing_matrix(TREE)
    assert S.index[0] == "全国" and set(S.index[1:3]) == {"广东", "浙江"}
    assert S.columns.tolist() == ["广州", "深圳", "杭州", "宁波"]
    assert S.loc["全国"].tolist() == [1, 1, 1, 1]
    assert S.loc["浙江"].tolist() == [0, 0, 1, 1]
    assert (S.iloc[3:].to_numpy() == np.eye(4)).all()
    with pytest.raises(ValueError, match="cycle"):
        summing_matrix({"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="non-empty mapping"):
        summing_matrix({})


def test_aggregate_adds_parents_as_sums():
    bottoms = make_demand_series(n_series=4, n_periods=30, seed=2)
    bottoms["series_id"] = bottoms["series_id"].map(
        dict(zip(["s0", "s1", "s2", "s3"], list(TREE)[:4], strict=True))
    )
    ts = aggregate_series(bottoms, TREE)
    wide = ts.pivot_table(index="ds", columns="series_id", values="y")
    np.testing.assert_allclose(wide["广东"], wide["广州"] + wide["深圳"])
    np.testing.assert_allclose(wide["全国"], wide[["广州", "深圳", "杭州", "宁波"]].sum(axis=1))
    assert ts["series_id"].iloc[0] == "全国" and len(ts) == 7 * 30
    with pytest.raises(ValueError, match="1 bottom series of the hierarchy are not in ts"):
        aggregate_series(bottoms[bottoms["series_id"] != "宁波"], TREE)
    with pytest.raises(ValueError, match="already holds parent series"):
        aggregate_series(ts, TREE)


@pytest.mark.parametrize("method", ["wls_struct", "ols", "bottom_up"])
def test_reconciled_forecasts_add_up(method):
    bottoms = make_demand_series(n_series=4, n_periods=120, seed=3)
    bottoms["series_id"] = bottoms["series_id"].map(
        dict(zip(["s0", "s1", "s2", "s3"], list(TREE)[:4], strict=True))
    )
    ts = aggregate_series(bottoms, TREE)
    fc = (
        DemandForecaster(horizon=7, models=("seasonal_naive", "ets"), n_windows=1).fit(ts).predict()
    )
    wide_before = fc.pivot_table(index="ds", columns="series_id", values="yhat")
    assert not np.allclose(
        wide_before["全国"], wide_before[["广州", "深圳", "杭州", "宁波"]].sum(axis=1)
    )
    out = reconcile(fc, TREE, method=method)
    assert out.shape == fc.shape and out.index.equals(fc.index)
    assert out[["series_id", "ds"]].equals(fc[["series_id", "ds"]])
    wide = out.pivot_table(index="ds", columns="series_id", values="yhat")
    np.testing.assert_allclose(wide["全国"], wide[["广州", "深圳", "杭州", "宁波"]].sum(axis=1))
    np.testing.assert_allclose(wide["广东"], wide["广州"] + wide["深圳"])
    if method == "bottom_up":
        np.testing.assert_allclose(wide["广州"], wide_before["广州"])
    assert (out["yhat_q10"] <= out["yhat"]).all() and (out["yhat"] <= out["yhat_q90"]).all()


def test_wls_weights_the_total_like_its_children():
    fc = pd.DataFrame(
        {"series_id": ["t", "a", "b"], "ds": pd.Timestamp("2024-01-01"), "yhat": [12.0, 4.0, 5.0]}
    )
    tree = {"a": "t", "b": "t"}
    # OLS splits the gap of 3 equally over the three series; WLS gives the total half of it.
    assert reconcile(fc, tree, method="ols")["yhat"].tolist() == pytest.approx([11.0, 5.0, 6.0])
    assert reconcile(fc, tree)["yhat"].tolist() == pytest.approx([10.5, 4.75, 5.75])
    assert reconcile(fc, tree, method="bottom_up")["yhat"].tolist() == pytest.approx(
        [9.0, 4.0, 5.0]
    )


def test_reconcile_errors():
    fc = pd.DataFrame(
        {"series_id": ["t", "a"], "ds": pd.Timestamp("2024-01-01"), "yhat": [1.0, 1.0]}
    )
    with pytest.raises(ValueError, match=r"forecast lacks 1 series of the hierarchy, e.g. \['b'\]"):
        reconcile(fc, {"a": "t", "b": "t"})
    with pytest.raises(ValueError, match="method must be one of"):
        reconcile(fc, {"a": "t"}, method="mint")
    with pytest.raises(ValueError, match="duplicate"):
        reconcile(pd.concat([fc, fc]), {"a": "t"})
