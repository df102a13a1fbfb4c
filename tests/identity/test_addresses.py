"""Address parsing: the hand-checked cases, the city-tier table and accuracy on demo addresses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from custintel.data import make_demo_dataset
from custintel.identity import parse_addresses
from custintel.identity._city_tiers import CITY_TIERS, TIER_LABELS
from custintel.identity._divisions import divisions
from custintel.identity.addresses import ADDRESS_COLUMNS, address_heads, province_of_city

CASES = Path(__file__).parent / "data" / "address_cases.csv"


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return pd.read_csv(CASES, dtype="string", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def demo_customers() -> pd.DataFrame:
    return make_demo_dataset(n_customers=5_000, seed=11).customers


def test_the_case_list_is_large_enough(cases):
    assert len(cases) >= 40
    assert cases["address"].is_unique


@pytest.mark.parametrize("level", ["province", "city", "district"])
def test_hand_checked_cases(cases, level):
    got = parse_addresses(cases["address"])[level]
    want = cases[level]
    ok = (got == want).fillna(False) | (got.isna() & want.isna())
    wrong = cases.loc[~ok, "address"].tolist()
    assert not wrong, f"{level} wrong for {wrong}: got {got[~ok].tolist()}"


def test_municipality_is_its_own_city():
    out = parse_addresses(pd.Series(["上海市徐汇区", "渝中区", "津和平区"]))
    assert (out["province"] == out["city"]).all()
    assert out["city"].tolist() == ["上海市", "重庆市", "天津市"]


def test_output_columns_tier_and_adcode():
    out = parse_addresses(pd.Series(["北京市海淀区", "杭州市西湖区", "衡水市桃城区", None]))
    assert list(out.columns) == list(ADDRESS_COLUMNS)
    assert out["city_tier"].tolist()[:3] == [1, 2, 5]
    assert out["city_tier_label"].tolist()[:3] == ["一线", "新一线", "四线及以下"]
    assert out["adcode"].tolist()[:2] == ["110108", "330106"]
    assert out.iloc[3].isna().all()


def test_input_index_is_kept_and_lists_work():
    out = parse_addresses(pd.Series(["杭州市西湖区", "沪静安区"], index=[42, 7]))
    assert list(out.index) == [42, 7]
    assert out["city"].tolist() == ["杭州市", "上海市"]
    assert parse_addresses(["杭州市西湖区"]).loc[0, "city"] == "杭州市"


def test_heads_cut_at_the_first_digit_so_distinct_heads_are_few():
    heads = address_heads(
        pd.Series(["杭州市西湖区文三路90号3栋", "杭州市西湖区文三路1号", "  杭州市 西湖区文三路"])
    )
    assert heads.nunique() == 1


def test_every_ranked_city_of_the_tier_table_is_a_known_city():
    short = {name.removesuffix("市") for name in divisions().city_name.values()}
    missing = sorted(set(CITY_TIERS) - short)
    assert not missing
    counts = pd.Series(CITY_TIERS).value_counts().sort_index().tolist()
    assert counts == [4, 15, 30, 70]
    assert set(TIER_LABELS) == {1, 2, 3, 4, 5}


def test_division_table_covers_recent_changes_and_autonomous_names():
    d = divisions()
    assert "白杨市" in d.city_name.values()  # amendment after the package snapshot
    assert d.province_by_name["广西"] == d.province_by_name["广西壮族自治区"] == "45"
    assert "黔东南" in d.city_by_name


def test_accuracy_on_demo_addresses(demo_customers):
    c = demo_customers
    got = parse_addresses(c["address"])
    truth = {
        "province": province_of_city(c["city"].astype("string")),
        "city": c["city"].astype("string"),
        "district": c["district"].astype("string"),
    }
    for level, want in truth.items():
        accuracy = (got[level] == want).fillna(False).mean()
        assert accuracy >= 0.999, (level, accuracy)
