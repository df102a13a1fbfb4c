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


def phone_keys(phones: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer key of each row's normalised number (-1 if invalid/missing) and virtual flag.

    Rows holding the same number in any spelling share a key. Each distinct string is
    normalised once and only integer codes go back to the rows (no per-row strings).
    """
    codes, uniques = pd.factorize(phones, use_na_sentinel=False)
    attrs = normalize_phones(pd.Series(uniques, dtype="string"))
    keys, _ = pd.factorize(attrs["e164"].astype("string"), use_na_sentinel=True)
    per_row = np.asarray(keys, dtype=np.int64)[codes]
    virtual = as_float(attrs["is_virtual"])[codes]
    return per_row, np.where(per_row >= 0, virtual, np.nan)


def address_attributes(customers: pd.DataFrame) -> pd.DataFrame:
    """Province, city and city tier of each customer, from the address or the coarse columns."""
    if "address" in customers:
        text = customers["address"].astype("string")
    else:
        text = pd.Series("", index=customers.index, dtype="string")
    for col in ("district", "city", "province"):
        if col in customers:  # fill what the address lacks, and addresses that are missing
            text = customers[col].astype("string").fillna("") + text.fillna("")
    if all(col in customers for col in ("province", "city", "district")):
        # Where all three levels are on file they settle the parse: parsing the few distinct
        # level combinations instead of every distinct address gives the same answer faster.
        levels = customers[["province", "city", "district"]].astype("string")
        complete = levels.notna().all(axis=1).to_numpy()
        head = levels["province"] + levels["city"] + levels["district"]
        text = text.where(~complete, head)
    out = parse_addresses(text)
    out.index = customers.index
    return out


def as_float(values: pd.Series) -> np.ndarray:
    """Return a boolean or numeric column as float64 with NaN for missing values."""
    return values.astype("Float64").to_numpy(np.float64, na_value=np.nan)
