"""Coherent forecasts across a hierarchy: provinces that add up to the national total.

Forecasting every level on its own (each province, and the country) gives numbers that do not
add up. :func:`aggregate_series` adds the parent series (sums of their children) to a long
frame; after forecasting all of them, :func:`reconcile` adjusts the forecasts so that every
parent equals the sum of its children, period by period.

Methods (Hyndman et al. 2011; Wickramasuriya et al. 2019), with ``S`` the summing matrix that
maps bottom series to every series and ``yhat`` the base forecasts of every series:

- ``"bottom_up"``: the bottom forecasts, summed upwards (parents' own forecasts are ignored);
- ``"ols"``: the least-squares projection ``S (S'S)^-1 S' yhat``;
- ``"wls_struct"`` (default): weighted least squares with each series weighted by the
  inverse of the number of bottom series under it, so the total's forecast counts as much as
  the provinces' together. It needs no error history and is hard to beat without one.

Quantile columns are shifted by the same adjustment as ``yhat`` (an approximation: intervals
are not re-derived), and everything is clipped at zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["aggregate_series", "reconcile", "summing_matrix"]

_METHODS = ("bottom_up", "ols", "wls_struct")


def summing_matrix(hierarchy: Mapping[Any, Any]) -> pd.DataFrame:
    """Build the 0/1 matrix mapping bottom series (columns) to every series (rows).

    Parameters
    ----------
    hierarchy : mapping
        Each child series to its parent, e.g. ``{"广东": "全国", "浙江": "全国"}``; parents may
        have parents of their own (city -> province -> country). Bottom series are the
        children that are nobody's parent.

    Returns
    -------
    DataFrame
        Rows: parents (top first) then bottom series; columns: bottom series.

    Examples
    --------
    >>> summing_matrix({"a": "total", "b": "total"})
           a  b
    total  1  1
    a      1  0
    b      0  1
    """
    if not isinstance(hierarchy, Mapping) or not hierarchy:
        raise ValueError("hierarchy must be a non-empty mapping of child series to parent series.")
    parents = set(hierarchy.values())
    bottoms = [c for c in hierarchy if c not in parents]
    if not bottoms:
        raise ValueError("hierarchy has a cycle: every child is also a parent.")
    ancestors: dict[Any, list[Any]] = {}
    for b in bottoms:
        chain, node = [], b
        while node in hierarchy:
            node = hierarchy[node]
            if node in chain or node == b:
                raise ValueError(f"hierarchy has a cycle through {node!r}.")
            chain.append(node)
        ancestors[b] = chain
    # Height above the bottom: the top of the tree first.
    height = {p: max(ch.index(p) for ch in ancestors.values() if p in ch) for p in parents}
    order = sorted(parents, key=lambda p: (-height[p], str(p)))
    matrix = pd.DataFrame(0, index=[*order, *bottoms], columns=bottoms)
    for b, chain in ancestors.items():
        matrix.loc[[b, *chain], b] = 1
    return matrix


def aggregate_series(
    ts: pd.DataFrame,
    hierarchy: Mapping[Any, Any],
    *,
    id_col: str = "series_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Add every parent series, the sum of its bottom series, to a long frame.

    Parameters
    ----------
    ts : DataFrame
        ``id_col``, ``time_col``, ``target_col`` of the bottom series (other columns dropped).
    hierarchy : mapping
        Child to parent, as in :func:`summing_matrix`.
    id_col, time_col, target_col : str
        Column roles.

    Returns
    -------
    DataFrame
        Parents then bottom series, sorted by series and time.

    Examples
    --------
    >>> ts = pd.DataFrame({"series_id": ["a", "b"], "ds": pd.to_datetime(["2024-01-01"] * 2),
    ...                    "y": [2.0, 3.0]})
    >>> aggregate_series(ts, {"a": "total", "b": "total"})["y"].tolist()
    [5.0, 2.0, 3.0]
    """
    S = summing_matrix(hierarchy)
    missing = [c for c in (id_col, time_col, target_col) if c not in ts.columns]
    if missing:
        raise ValueError(f"ts lacks columns {missing}.")
    present = set(ts[id_col].unique())
    absent = [b for b in S.columns if b not in present]
    if absent:
        raise ValueError(
            f"{len(absent)} bottom series of the hierarchy are not in ts, e.g. {absent[:3]}."
        )
    parents_in = sorted(present & set(S.index[: len(S) - S.shape[1]]), key=str)
    if parents_in:
        raise ValueError(
            f"ts already holds parent series {parents_in[:3]}; pass bottom series only."
        )
    bottom = ts.loc[ts[id_col].isin(S.columns), [id_col, time_col, target_col]]
    if bottom.duplicated([id_col, time_col]).any():
        raise ValueError(f"ts has duplicate ({id_col}, {time_col}) rows; one value per period.")
    wide = bottom.pivot_table(
        index=time_col, columns=id_col, values=target_col, aggfunc="first", dropna=False
    )[list(S.columns)]
    parents = S.iloc[: len(S) - S.shape[1]]
    totals = wide.fillna(0.0).to_numpy() @ parents.to_numpy().T
    complete = wide.notna().all(axis=1).to_numpy()  # a parent exists where all children do
    upper = pd.DataFrame(totals[complete], index=wide.index[complete], columns=parents.index)
    upper = upper.rename_axis(index=time_col).reset_index()
    upper = upper.melt(id_vars=time_col, var_name=id_col, value_name=target_col)
    out = pd.concat([upper[[id_col, time_col, target_col]], bottom])
    rank = {s: i for i, s in enumerate(S.index)}
    out = out.assign(_rank=out[id_col].map(rank)).sort_values(["_rank", time_col], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def reconcile(
    forecast: pd.DataFrame,
    hierarchy: Mapping[Any, Any],
    *,
    method: str = "wls_struct",
    id_col: str = "series_id",
    time_col: str = "ds",
) -> pd.DataFrame:
    """Make forecasts add up across a hierarchy.

    Parameters
    ----------
    forecast : DataFrame
        Base forecasts of every series of the hierarchy (parents and bottom series) for the
        same periods: ``id_col``, ``time_col``, ``yhat`` and optional ``yhat_qNN`` columns,
        as :meth:`DemandForecaster.predict` returns them.
    hierarchy : mapping
        Child to parent, as in :func:`summing_matrix`.
    method : {"wls_struct", "ols", "bottom_up"}
        See the module notes.
    id_col, time_col : str
        Column roles.

    Returns
    -------
    DataFrame
        The same rows and columns, ``yhat`` coherent (each parent the sum of its children
        before clipping at zero) and quantiles shifted alike.

    Examples
    --------
    >>> fc = pd.DataFrame({"series_id": ["total", "a", "b"], "ds": pd.Timestamp("2024-01-01"),
    ...                    "yhat": [12.0, 4.0, 5.0]})
    >>> reconcile(fc, {"a": "total", "b": "total"})["yhat"].round(2).tolist()
    [10.5, 4.75, 5.75]
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {method!r}.")
    S = summing_matrix(hierarchy)
    for c in (id_col, time_col, "yhat"):
        if c not in forecast.columns:
            raise ValueError(f"forecast lacks column {c!r}.")
    if forecast.duplicated([id_col, time_col]).any():
        raise ValueError(f"forecast has duplicate ({id_col}, {time_col}) rows.")
    wide = forecast.pivot_table(
        index=time_col, columns=id_col, values="yhat", aggfunc="first", dropna=False
    )
    missing = [s for s in S.index if s not in wide.columns]
    if missing:
        raise ValueError(
            f"forecast lacks {len(missing)} series of the hierarchy, e.g. {missing[:3]}; "
            "forecast every level (see aggregate_series)."
        )
    base = wide[list(S.index)]
    if base.isna().any().any():
        holes = base.columns[base.isna().any()].tolist()
        raise ValueError(
            f"series {holes[:3]} lack forecasts for some periods; every series of the "
            "hierarchy needs forecasts for the same periods."
        )
    s = S.to_numpy(np.float64)
    if method == "bottom_up":
        projection = s @ np.hstack(
            [np.zeros((s.shape[1], len(s) - s.shape[1])), np.eye(s.shape[1])]
        )
    else:
        w_inv = 1.0 / s.sum(axis=1) if method == "wls_struct" else np.ones(len(s))
        sw = s.T * w_inv
        projection = s @ np.linalg.solve(sw @ s, sw)
    coherent = base.to_numpy() @ projection.T
    delta = pd.DataFrame(coherent - base.to_numpy(), index=base.index, columns=base.columns)
    shift = delta.rename_axis(index=time_col).reset_index()
    shift = shift.melt(id_vars=time_col, var_name=id_col, value_name="_delta")
    out = forecast.merge(shift, on=[time_col, id_col], how="left")
    out.index = forecast.index
    value_cols = ["yhat", *[c for c in forecast.columns if str(c).startswith("yhat_q")]]
    in_tree = out[id_col].isin(S.index).to_numpy()
    for c in value_cols:
        out.loc[in_tree, c] = np.clip(out.loc[in_tree, c] + out.loc[in_tree, "_delta"], 0, None)
    return out.drop(columns="_delta")
