"""Masked display forms."""

from __future__ import annotations

import pandas as pd
import pytest

from custintel.identity import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0086-138-1234-5678", "138****5678"),
        ("021-6234-5678", "021****5678"),
        ("110", "****"),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_phone_series_keeps_index_and_missing():
    out = mask_phone(pd.Series(["13812345678", None], index=["a", "b"]))
    assert list(out.index) == ["a", "b"]
    assert out["a"] == "138****5678" and pd.isna(out["b"])
    assert "12345678" not in out.to_string()


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("张伟强", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # too short to tell a compound surname from surname + name
        (" 王小明 ", "王**"),
        ("Li Lei", "L*****"),
    ],
)
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


def test_mask_name_series():
    out = mask_name(pd.Series(["张三", None]))
    assert out[0] == "张*" and pd.isna(out[1])


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("浙江省杭州市西湖区文三路90号3栋2单元", "浙江省杭州市西湖区***"),
        ("杭州西湖区文三路90号", "浙江省杭州市西湖区***"),
        ("上海市浦东新区张杨路500号", "上海市浦东新区***"),
        ("广东省东莞市长安镇振安路8号", "广东省东莞市长安镇***"),
        ("火星基地一号", "***"),
    ],
)
def test_mask_address(raw, masked):
    assert mask_address(raw) == masked


def test_mask_address_never_keeps_the_street():
    out = mask_address(pd.Series(["浙江省杭州市西湖区文三路90号", None]))
    assert "文三路" not in out[0] and pd.isna(out[1])
