"""Who the customer is, in coarse, model-safe terms: account age, type, channel, region tier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custintel.features._base import FeatureBuilder, FeatureContext, FeatureSpec, age_days
from custintel.features._identity import address_attributes, as_float, phone_attributes


class CustomerStaticFeatures(FeatureBuilder):
    """Account age, B/C type, channel, province and city tier, phone carrier attributes.

    Raw personal data never appears: the address is reduced to province and city tier, the
    phone to its carrier, virtual-operator flag and whether its region matches the address.
    Age and gender are left out by default: they rarely help these models and invite unfair
    decisions; ``include_demographics=True`` adds age and gender for analysis.

    Parameters
    ----------
    include_demographics : bool
        Add ``age_years`` and ``gender``.
    """

    family = "static"
    requires = ("customers",)

    def __init__(self, include_demographics: bool = False):
        self.include_demographics = include_demographics

    def catalog(self) -> list[FeatureSpec]:
        """Return the catalog of the static columns."""
        s = self.spec
        specs = [
            s(
                "account_age_days",
                "days since the account was registered",
                "注册至今天数",
                "days",
                "higher means an older account",
            ),
            s(
                "customer_type",
                "B = business account, C = consumer",
                "客户类型（B端企业/C端个人）",
                "category",
                "B and C customers behave differently",
            ),
            s(
                "channel",
                "channel the customer signed up through",
                "注册渠道",
                "category",
                "channels attract different customers",
            ),
            s(
                "province",
                "province of the customer's address",
                "所在省份",
                "category",
                "regions differ in logistics and habits",
            ),
            s(
                "city_tier",
                "city tier of the address (1 = first-tier ... 5 = fifth-tier)",
                "所在城市等级（1为一线，5为五线）",
                "tier",
                "higher means a smaller city",
            ),
            s(
                "phone_virtual",
                "phone number is on a virtual-operator range (170/171/162/165/167)",
                "手机号属于虚拟运营商号段",
                "flag",
                "1 means a virtual number, often used to hide identity",
            ),
            s(
                "phone_carrier",
                "mobile carrier of the phone number",
                "手机号运营商",
                "category",
                "carriers differ in customer mix",
            ),
            s(
                "phone_region_matches",
                "the phone's home province is the address province",
                "手机号归属地与地址省份一致",
                "flag",
                "0 means phone and address point to different places",
            ),
            s(
                "mailbox_on_file",
                "an e-mail address is on file",
                "留有电子邮箱",
                "flag",
                "1 means a more complete profile",
            ),
        ]
        if self.include_demographics:
            specs += [
                s("age_years", "age in years", "年龄", "years", "higher means older"),
                s("gender", "gender on file", "性别", "category", "for analysis only"),
            ]
        return specs

    def build(self, ctx: FeatureContext) -> pd.DataFrame:
        """Compute the static columns."""
        c, n = ctx.customers, ctx.n
        cols: dict[str, np.ndarray | pd.Series] = {
            "account_age_days": age_days(c["registered_at"], ctx.as_of),
            "customer_type": _category(c, "customer_type"),
            "channel": _category(c, "channel"),
        }
        region = address_attributes(c)
        cols["province"] = region["province"].astype("category")
        cols["city_tier"] = as_float(region["city_tier"])
        if "phone" in c:
            phone = phone_attributes(c["phone"])
            cols["phone_virtual"] = as_float(phone["is_virtual"])
            cols["phone_carrier"] = phone["carrier"].astype("category")
            same = phone["province"].astype("string") == region["province"].astype("string")
            cols["phone_region_matches"] = as_float(
                same.where(phone["province"].notna() & region["province"].notna())
            )
        else:
            cols["phone_virtual"] = np.full(n, np.nan)
            cols["phone_carrier"] = pd.Series(pd.NA, index=c.index, dtype="category")
            cols["phone_region_matches"] = np.full(n, np.nan)
        cols["mailbox_on_file"] = (
            c["email"].notna().to_numpy(np.float64) if "email" in c else np.full(n, np.nan)
        )
        if self.include_demographics:
            birth = (
                c["birth_year"].astype("Float64")
                if "birth_year" in c
                else pd.Series(np.nan, index=c.index)
            )
            cols["age_years"] = (ctx.as_of.year - birth).to_numpy(np.float64, na_value=np.nan)
            cols["gender"] = _category(c, "gender")
        return ctx.frame(cols)


def _category(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df:
        return pd.Series(pd.NA, index=df.index, dtype="category")
    return df[col].astype("string").astype("category")
