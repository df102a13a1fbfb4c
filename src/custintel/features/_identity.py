"""The identity layer's coarse, model-safe attributes, as the feature builders need them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.identity import normalize_phones, parse_addresses


def phone_attributes(phones: pd.Series) -> pd.DataFrame:
    """E.164 key, virtual-operator flag, carrier and province of each phone number.

    The E.164 key is used only to compare numbers inside a builder; it never leaves it.
    Each distinct number is normalised once (10M order rows hold about 1M distinct phones).
    """
    codes, uniques = pd.factorize(phones, use_na_sentinel=False)  # a missing phone is a value
    out = normalize_phones(pd.Series(uniques, dtype="string")).take(codes)
    out.index = phones.index
    return out


def address_attributes(customers: pd.DataFrame) -> pd.DataFrame:
    """Province, city and city tier of each customer, from the address or the coarse columns."""
    if "address" in customers:
        text = customers["address"].astype("string")
    else:
        text = pd.Series("", index=customers.index, dtype="string")
    for col in ("district", "city", "province"):
        if col in customers:  # fill what the address lacks, and addresses that are missing
            text = customers[col].astype("string").fillna("") + text.fillna("")
    out = parse_addresses(text)
    out.index = customers.index
    return out


def as_float(values: pd.Series) -> np.ndarray:
    """Return a boolean or numeric column as float64 with NaN for missing values."""
    return values.astype("Float64").to_numpy(np.float64, na_value=np.nan)
