"""Shared by the demand benchmarks: held-out forecast scores and a dependency-free table."""

from __future__ import annotations

import pandas as pd

from custintel.evaluation import forecast_report
from custintel.evaluation.forecast_metrics import POOLED


def held_out_scores(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, column: str, season: int
) -> dict[str, float]:
    """MASE (mean over series, in-sample seasonal naive scale), sMAPE and WAPE of ``column``.

    The pooled row of :func:`custintel.evaluation.forecast_report`.
    """
    rows = test.merge(fc[["series_id", "ds", column]], on=["series_id", "ds"], how="left")
    if rows[column].isna().any():
        raise RuntimeError(f"{column}: {int(rows[column].isna().sum())} forecasts missing")
    report = forecast_report(rows, train=train, season=season, pred_col=column)
    pooled = report.loc[POOLED]
    return {
        "mase": float(pooled["mase"]),
        "smape": float(pooled["smape"]),
        "wape": float(pooled["wape"]),
    }


def markdown(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (floats with three decimals), without extra dependencies."""
    cells = frame.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + " --- |" * frame.shape[1]]
    lines += ["| " + " | ".join(row) + " |" for row in cells.to_numpy().tolist()]
    return "\n".join(lines)
