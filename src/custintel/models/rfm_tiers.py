"""The classic eight RFM customer tiers (RFM 客户分层): recency, frequency, monetary high or low."""

from __future__ import annotations

import reprlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: The eight tiers by (R high, F high, M high), with their Chinese and English names, in the
#: conventional order (most to least important).
TIERS: dict[tuple[bool, bool, bool], tuple[str, str]] = {
    (True, True, True): ("重要价值客户", "important value"),
    (True, False, True): ("重要发展客户", "important development"),
    (False, True, True): ("重要保持客户", "important retention"),
    (False, False, True): ("重要挽留客户", "important win-back"),
    (True, True, False): ("一般价值客户", "general value"),
    (True, False, False): ("一般发展客户", "general development"),
    (False, True, False): ("一般保持客户", "general retention"),
    (False, False, False): ("一般挽留客户", "general win-back"),
}

_ROLES = ("recency", "frequency", "monetary")


def rfm_tiers(
    frame: pd.DataFrame,
    *,
    recency: str = "recency_days",
    frequency: str = "orders_total",
    monetary: str = "spend_total",
    method: str = "median",
    thresholds: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Sort customers into the eight classic R/F/M high-low tiers.

    Each customer is high or low on recency (R), frequency (F) and monetary value (M) against a
    threshold, and the three flags give one of eight tiers: 重要价值客户 (important value: recent,
    frequent, big spender), 重要发展客户, 重要保持客户, 重要挽留客户 and the four 一般 (general)
    tiers of customers with low monetary value.

    Parameters
    ----------
    frame : DataFrame
        One row per customer, e.g. from :func:`custintel.features.build_customer_features`.
    recency : str, default="recency_days"
        Column of days since the last order. *Lower* is better: R is high when the value is
        below the threshold.
    frequency : str, default="orders_total"
        Column of order counts; F is high when the value is above the threshold.
    monetary : str, default="spend_total"
        Column of spend; M is high when the value is above the threshold.
    method : {"median", "mean"}, default="median"
        How thresholds are computed from ``frame`` (missing values skipped).
    thresholds : mapping of str to float, optional
        Fixed thresholds by role (``"recency"``, ``"frequency"``, ``"monetary"``); a role not
        given uses ``method``. Use it to tier new customers against last quarter's thresholds.

    Returns
    -------
    DataFrame
        Indexed like ``frame``: boolean ``r_high``, ``f_high``, ``m_high``, then ``tier``
        (Chinese) and ``tier_en`` as categoricals listing all eight tiers in the conventional
        order. The thresholds used are in ``.attrs["thresholds"]``.

    Notes
    -----
    Comparisons are strict, so a customer exactly at a threshold is low on that letter.
    A missing value (e.g. no order yet, so no recency) is low.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame(
    ...     {
    ...         "recency_days": [5, 200, 30, 400],
    ...         "orders_total": [12, 9, 1, 2],
    ...         "spend_total": [3000, 80, 50, 900],
    ...     },
    ...     index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"),
    ... )
    >>> tiers = rfm_tiers(X)
    >>> tiers["tier"].tolist()
    ['重要价值客户', '一般保持客户', '一般发展客户', '重要挽留客户']
    >>> tiers.loc["C1", "tier_en"], tiers.attrs["thresholds"]["monetary"]
    ('important value', 490.0)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame must be a pandas DataFrame with one row per customer, got "
            f"{type(frame).__name__}; wrap arrays with pd.DataFrame(..., columns=[...])."
        )
    if method not in ("median", "mean"):
        raise ValueError(f"method must be 'median' or 'mean', got {method!r}.")
    given = dict(thresholds or {})
    unknown = sorted(set(given) - set(_ROLES))
    if unknown:
        raise ValueError(
            f"thresholds has unknown role(s) {unknown}; use keys among {list(_ROLES)}, e.g. "
            "thresholds={'recency': 90}."
        )
    columns = {"recency": recency, "frequency": frequency, "monetary": monetary}
    missing = [c for c in columns.values() if c not in frame.columns]
    if missing:
        raise ValueError(
            f"frame lacks the column(s) {missing}; it has {reprlib.repr(list(frame.columns))}. "
            "Name the columns with recency=..., frequency=..., monetary=..."
        )
    values: dict[str, np.ndarray] = {}
    used: dict[str, float] = {}
    for role, column in columns.items():
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
            frame[column]
        ):
            raise ValueError(
                f"Column {column!r} ({role}) must be numeric, got {frame[column].dtype}."
            )
        x = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        values[role] = x
        if role in given:
            used[role] = float(given[role])
        elif np.isnan(x).all():
            raise ValueError(
                f"Column {column!r} ({role}) has no values to compute a {method} from; "
                f"pass thresholds={{{role!r}: ...}}."
            )
        else:
            used[role] = float(np.nanmedian(x) if method == "median" else np.nanmean(x))

    with np.errstate(invalid="ignore"):
        r_high = values["recency"] < used["recency"]
        f_high = values["frequency"] > used["frequency"]
        m_high = values["monetary"] > used["monetary"]
    # position of each (R, F, M) combination in TIERS
    keys = list(TIERS)
    lookup = np.empty(8, dtype=np.int64)
    for position, (r, f, m) in enumerate(keys):
        lookup[4 * r + 2 * f + m] = position
    codes = lookup[4 * r_high.astype(int) + 2 * f_high.astype(int) + m_high.astype(int)]
    zh = pd.Index([TIERS[key][0] for key in keys], dtype=object)
    en = pd.Index([TIERS[key][1] for key in keys], dtype=object)
    out = pd.DataFrame(
        {
            "r_high": r_high,
            "f_high": f_high,
            "m_high": m_high,
            "tier": pd.Categorical.from_codes(codes, categories=zh, ordered=True),
            "tier_en": pd.Categorical.from_codes(codes, categories=en, ordered=True),
        },
        index=frame.index,
    )
    out.attrs["thresholds"] = used
    return out
