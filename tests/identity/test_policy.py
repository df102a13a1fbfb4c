"""The PII policy of feature frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.identity import PIIError, assert_no_pii
from custintel.identity.policy import find_pii, pii_column_names


@pytest.fixture
def clean() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "orders_90d": [3, 0, 12],
            "amount_90d": [120.5, 0.0, 8000.0],
            "province": pd.Categorical(["浙江省", "广东省", "上海市"]),
            "phone_carrier": ["中国移动", "中国联通", None],
            "is_virtual": [False, True, False],
            "city_tier": pd.array([2, 1, 1], dtype="Int64"),
            "segment_name": ["loyal", "new", "at risk"],
        },
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )


def test_clean_frame_passes(clean):
    assert_no_pii(clean)
    assert find_pii(clean) == []


def test_contract_pii_columns_are_known():
    names = pii_column_names()
    assert {"name", "phone", "email", "id_number", "address", "recipient_phone"} <= names


@pytest.mark.parametrize(
    "column",
    [
        "phone",
        "recipient_phone",
        "Mobile",
        "tel",
        "id_card",
        "身份证号",
        "收件人手机",
        "customer_email",
    ],
)
def test_pii_column_names_are_rejected(clean, column):
    frame = clean.assign(**{column: ["x", "y", "z"]})
    with pytest.raises(PIIError, match=f"column '{column}' is a raw-PII field"):
        assert_no_pii(frame, where="churn features")


def test_mobile_number_in_values_is_rejected_with_a_masked_example(clean):
    frame = clean.assign(note=["ok", "call +86 139-1234-5678 after 6pm", None])
    with pytest.raises(
        PIIError, match=r"column 'note'.*mobile number \(e\.g\. 139\*\*\*\*5678\)"
    ) as err:
        assert_no_pii(frame)
    assert "12345678" not in str(err.value)


def test_id_number_and_email_in_values(clean):
    frame = clean.assign(ref=["11010519491231002X", "a", "b"])
    with pytest.raises(
        PIIError, match=r"18-digit resident id number \(e\.g\. 110105\*+002X\)"
    ) as err:
        assert_no_pii(frame)
    assert "19491231" not in str(err.value)
    with pytest.raises(PIIError, match=r"e-mail address \(e\.g\. z\*\*\*@qq\.com\)"):
        assert_no_pii(clean.assign(contact=["zhang.wei@qq.com", None, "n/a"]))


def test_pii_in_the_index_and_in_categories(clean):
    frame = clean.set_index(pd.Index(["13812345678", "C2", "C3"], name="key"))
    with pytest.raises(PIIError, match=r"index 'key'.*138\*\*\*\*5678"):
        assert_no_pii(frame)
    cats = clean.assign(label=pd.Categorical(["13812345678", "a", "a"]))
    with pytest.raises(PIIError, match="column 'label'"):
        assert_no_pii(cats)


def test_phone_numbers_stored_as_integers(clean):
    frame = clean.assign(contact_no=np.array([13812345678, 0, 5], dtype=np.int64))
    with pytest.raises(PIIError, match=r"contact_no.*138\*\*\*\*5678"):
        assert_no_pii(frame)


def test_pii_error_is_a_value_error():
    assert issubclass(PIIError, ValueError)


def test_where_is_named_in_the_message():
    with pytest.raises(PIIError, match=r"^score table contains raw personal data"):
        assert_no_pii(pd.DataFrame({"email": ["x"]}), where="score table")
