"""Phone normalisation: known answers for the formats seen in the wild, and the vectorised path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import phonenumbers
import pytest

from custintel.identity import normalize_phones
from custintel.identity.phones import PHONE_COLUMNS, national_digits

SAME_NUMBER = [
    "13812345678",
    "+86 138 1234 5678",
    "+8613812345678",
    "0086-138-1234-5678",
    "0086 13812345678",
    "8613812345678",
    "138-1234-5678",
    "138 1234 5678",
    "(+86) 138-1234-5678",
    "１３８１２３４５６７８",  # full-width digits
    "13812345678.0",  # a number that went through a float column
]


def test_every_format_of_one_mobile_gives_the_same_e164():
    out = normalize_phones(pd.Series(SAME_NUMBER))
    assert out["e164"].tolist() == ["+8613812345678"] * len(SAME_NUMBER)
    assert out["is_valid"].all()
    assert (out["line_type"] == "mobile").all()
    assert (out["carrier"] == "中国移动").all()
    assert (out["province"] == "江苏省").all() and (out["city"] == "连云港市").all()
    assert not out["is_virtual"].any()


def test_output_is_aligned_with_the_input_index_and_has_the_documented_columns():
    s = pd.Series(["13812345678", None], index=["x", "y"])
    out = normalize_phones(s)
    assert list(out.columns) == list(PHONE_COLUMNS)
    assert list(out.index) == ["x", "y"]
    assert out.loc["x", "e164"] == "+8613812345678" and out.loc["x", "province"] == "江苏省"
    assert out.loc["y", "e164"] is pd.NA and not out.loc["y", "is_valid"]


@pytest.mark.parametrize(
    ("raw", "e164", "province", "city"),
    [
        ("021-6234-5678", "+862162345678", "上海市", "上海市"),
        ("(010) 6234 5678", "+861062345678", "北京市", "北京市"),
        ("0755-1234-5678", "+8675512345678", "广东省", "深圳市"),
        ("0571 8888 6666", "+8657188886666", "浙江省", "杭州市"),
        ("86 21 6234 5678", "+862162345678", "上海市", "上海市"),
    ],
)
def test_landlines(raw, e164, province, city):
    out = normalize_phones(pd.Series([raw])).iloc[0]
    assert out["e164"] == e164 and out["is_valid"]
    assert out["line_type"] == "fixed_line"
    assert out["province"] == province and out["city"] == city
    assert pd.isna(out["carrier"]) and not out["is_virtual"]


@pytest.mark.parametrize("raw", ["12345", "", "1381234567", "138123456789", "14012345678", "abc"])
def test_invalid_numbers(raw):
    out = normalize_phones(pd.Series([raw])).iloc[0]
    assert pd.isna(out["e164"]) and not out["is_valid"] and not out["is_virtual"]


@pytest.mark.parametrize(
    ("raw", "carrier"),
    [
        ("17012345678", "中国电信"),
        ("170-5123-4567", "中国移动"),
        ("+86 171 2345 6789", "中国联通"),
        ("16212345678", None),
        ("16512345678", None),
        ("16712345678", "中国联通"),
    ],
)
def test_virtual_operator_segments(raw, carrier):
    out = normalize_phones(pd.Series([raw])).iloc[0]
    assert out["is_valid"] and out["is_virtual"]
    assert pd.isna(out["carrier"]) if carrier is None else out["carrier"] == carrier


@pytest.mark.parametrize(
    ("raw", "carrier"),
    [("13012345678", "中国联通"), ("18912345678", "中国电信"), ("19212345678", "中国广电")],
)
def test_carriers_of_the_network_operators(raw, carrier):
    out = normalize_phones(pd.Series([raw])).iloc[0]
    assert out["carrier"] == carrier and not out["is_virtual"]


def test_integer_and_float_inputs():
    out = normalize_phones(pd.Series([13812345678, 13912345678]))
    assert out["e164"].tolist() == ["+8613812345678", "+8613912345678"]
    out = normalize_phones(pd.Series([13812345678.0, np.nan]))
    assert out["e164"].tolist()[0] == "+8613812345678" and out["e164"].isna().tolist()[1]


def test_foreign_number_keeps_its_country():
    out = normalize_phones(pd.Series(["+1 650-253-0000"])).iloc[0]
    assert out["e164"] == "+16502530000" and out["is_valid"] and pd.isna(out["province"])


def test_empty_input():
    out = normalize_phones(pd.Series([], dtype="string"))
    assert out.shape == (0, len(PHONE_COLUMNS))


def test_national_digits():
    got = national_digits(pd.Series(["+86 138 1234 5678", "0086-139-0000-1111", "(021) 6234-5678"]))
    assert got.tolist() == ["13812345678", "13900001111", "02162345678"]


def test_vectorised_path_agrees_with_the_library_called_per_number():
    rng = np.random.default_rng(7)
    prefixes = np.array([130, 134, 138, 145, 149, 150, 162, 165, 170, 171, 177, 188, 192, 199])
    nums = rng.choice(prefixes, 400) * 100_000_000 + rng.integers(0, 100_000_000, 400)
    out = normalize_phones(pd.Series(nums.astype(str)))
    for raw, (_, row) in zip(nums, out.iterrows(), strict=True):
        num = phonenumbers.parse(f"+86{raw}")
        valid = phonenumbers.is_valid_number(num)
        assert row["is_valid"] == valid, raw
        if valid:
            assert row["e164"] == phonenumbers.format_number(
                num, phonenumbers.PhoneNumberFormat.E164
            )
            expected = phonenumbers.carrier.name_for_number(num, "zh") or None
            assert pd.isna(row["carrier"]) if expected is None else row["carrier"] == expected


def test_block_lookups_match_the_library_one_number_at_a_time():
    """The vectorised prefix lookups give libphonenumber's own carrier and region texts."""
    import numpy as np

    from custintel.identity.phones import _mobile_block, mobile_blocks

    rng = np.random.default_rng(0)
    heads = [f"1{d}{e}" for d in range(3, 10) for e in range(10)]  # every 1xx segment
    blocks = np.unique(
        np.array([h + f"{rng.integers(0, 10_000):04d}" for h in heads for _ in range(40)], object)
    )
    carrier, region = mobile_blocks(blocks)
    expected = [_mobile_block(str(b)) for b in blocks]
    assert list(zip(carrier, region, strict=True)) == expected
    assert len({r for r in region if r is not None}) > 20  # provinces and cities found
