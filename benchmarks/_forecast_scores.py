"""Shared by the demand benchmarks: held-out forecast scores and a dependency-free table."""

from __future__ import annotations

import numpy as np
import pandas as pd


def held_out_scores(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, column: str, season: int
) -> dict[str, float]:
    """Mean-over-series MASE (in-sample seasonal naive scale), sMAPE and WAPE of ``column``."""
    diff = train.groupby("series_id")["y"].diff(season).abs()
    scale = diff.groupby(train["series_id"]).mean()
    scale = scale.where(scale > 0, 1.0)  # flat histories: plain MAE
    rows = test.merge(fc[["series_id", "ds", column]], on=["series_id", "ds"], how="left")
    if rows[column].isna().any():
        raise RuntimeError(f"{column}: {int(rows[column].isna().sum())} forecasts missing")
    err = (rows[column] - rows["y"]).abs()
    denom = rows["y"].abs() + rows[column].abs()
    ape = np.where(denom > 0, 200 * err / denom.where(denom > 0, 1.0), 0.0)
    by = rows["series_id"].to_numpy()
    return {
        "mase": float((err.groupby(by).mean() / scale).mean()),
        "smape": float(pd.Series(ape).groupby(by).mean().mean()),
        "wape": float(err.sum() / rows["y"].abs().sum()),
    }


def markdown(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (floats with three decimals), without extra dependencies."""
    cells = frame.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + " --- |" * frame.shape[1]]
    lines += ["| " + " | ".join(row) + " |" for row in cells.to_numpy().tolist()]
    return "\n".join(lines)
