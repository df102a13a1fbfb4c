"""Hand-computed values on a tiny dataset (see tests/conftest.py), one family at a time.

as_of = 2024-07-01 00:00 +08:00. Ages are in days before as_of.
"""

from __future__ import annotations

import numpy as np
import pytest

from custintel.features import (
    CreditFeatures,
    DeliveryFeatures,
    ExceptionFeatures,
    OrderMixFeatures,
    RFMFeatures,
    VoiceFeatures,
    build_customer_features,
)

AS_OF = "2024-07-01"


def value(X, customer, col):
    return float(X.loc[customer, col])


def test_rfm(tiny):
    X = build_customer_features(tiny, AS_OF, [RFMFeatures()], dtype="float64")
    assert list(X.index) == ["C1", "C2", "C3"]
    assert value(X, "C1", "recency_days") == pytest.approx(59 + 3.75 / 24)  # O2 2024-05-02 20:15
    assert value(X, "C1", "first_order_days") == pytest.approx(122 - 10 / 24)  # O1 2024-03-01 10:00
    assert value(X, "C1", "orders_total") == 2
    assert value(X, "C1", "spend_total") == pytest.approx(114.5)
    assert value(X, "C1", "avg_order_value") == pytest.approx(57.25)
    assert (
        value(X, "C1", "orders_30d"),
        value(X, "C1", "orders_90d"),
        value(X, "C1", "orders_180d"),
    ) == (0, 1, 2)
    assert value(X, "C1", "spend_90d") == pytest.approx(15.5)
    gap = (122 - 10 / 24) - (59 + 3.75 / 24)
    assert value(X, "C1", "ipt_mean_days") == pytest.approx(gap)
    assert np.isnan(value(X, "C1", "ipt_std_days"))
    assert value(X, "C1", "overdue_ratio") == pytest.approx((59 + 3.75 / 24) / gap)
    assert value(X, "C1", "orders_trend_90d") == 0.0
    assert value(X, "C1", "items_per_order") == 1.5
    assert value(X, "C2", "recency_days") == pytest.approx(13 - 5 / 1440)  # O3 2024-06-18 00:05
    assert np.isnan(value(X, "C2", "ipt_mean_days"))
    assert value(X, "C3", "spend_total") == 0.0


def test_order_mix_waits_for_outcomes_to_settle(tiny):
    X = build_customer_features(tiny, AS_OF, [OrderMixFeatures()], dtype="float64")
    assert value(X, "C1", "refusal_rate") == 0.5  # O2 refused, placed 59 days before
    assert value(X, "C1", "return_rate") == 0.0
    assert np.isnan(value(X, "C3", "return_rate"))  # O4 returned, but only 10.6 days before as_of
    assert value(X, "C1", "cod_share") == 0.5 and value(X, "C1", "coupon_share") == 0.5
    assert value(X, "C1", "share_fresh") == 0.5 and value(X, "C1", "share_books") == 0.5
    assert value(X, "C1", "n_categories") == 2
    assert value(X, "C2", "festival_share") == 1.0 and value(X, "C1", "festival_share") == 0.0
    assert value(X, "C2", "night_share") == 1.0  # 00:05


def test_delivery(tiny):
    X = build_customer_features(tiny, AS_OF, [DeliveryFeatures()], dtype="float64")
    assert value(X, "C1", "parcels_365d") == 2
    assert value(X, "C1", "delivery_hours_mean") == pytest.approx(
        21
    )  # SF1: 03-01 18:00 -> 03-02 15:00
    assert value(X, "C1", "late_share_365d") == 0.5  # SF2 never arrived, promise passed
    assert value(X, "C1", "late_share_90d") == 1.0
    assert value(X, "C1", "stalled_parcels") == 1
    assert value(X, "C1", "days_since_late") == pytest.approx(56 + 15 / 24)  # promise 05-05 09:00
    assert np.isnan(value(X, "C1", "late_hours_mean"))
    assert value(X, "C2", "late_hours_mean") == pytest.approx(25)  # ZTO3 06-21 10:00 -> 06-22 11:00
    assert value(X, "C2", "days_since_late") == pytest.approx(8 + 13 / 24)
    assert value(X, "C3", "parcels_365d") == 0


def test_exceptions(tiny):
    X = build_customer_features(tiny, AS_OF, [ExceptionFeatures()], dtype="float64")
    assert value(X, "C2", "exc_delayed_365d") == 1 and value(X, "C2", "exc_lost_365d") == 0
    assert value(X, "C2", "exception_parcel_share") == 1.0
    assert value(X, "C2", "days_since_exception") == pytest.approx(10 + 14 / 24)  # 06-20 10:00
    assert value(X, "C1", "exceptions_90d") == 0 and value(X, "C1", "exception_parcel_share") == 0


def test_voice(tiny):
    X = build_customer_features(tiny, AS_OF, [VoiceFeatures()], dtype="float64")
    assert value(X, "C1", "reviews_365d") == 1 and value(X, "C1", "mean_rating") == 5
    assert value(X, "C1", "negative_share") == 0
    assert value(X, "C2", "tickets_365d") == 1 and value(X, "C2", "tickets_90d") == 1
    assert value(X, "C2", "negative_share") == 1.0
    assert value(X, "C2", "days_since_complaint") == pytest.approx(7 + 14 / 24)  # 06-23 10:00


def test_credit(tiny):
    X = build_customer_features(tiny, AS_OF, [CreditFeatures()], dtype="float64")
    assert value(X, "C2", "invoices_365d") == 2
    assert value(X, "C2", "invoiced_amount_365d") == 8000
    assert value(X, "C2", "paid_share") == 0.5
    assert value(X, "C2", "dpd_max") == pytest.approx(5)  # paid 06-05, due 05-31
    assert value(X, "C2", "dpd_mean") == pytest.approx(3)  # (5 + 1) / 2: I2 due 06-30, unpaid
    assert value(X, "C2", "late_payment_ratio") == 1.0
    assert value(X, "C2", "outstanding_amount") == 3000 and value(X, "C2", "overdue_amount") == 3000
    assert value(X, "C2", "days_since_late_payment") == pytest.approx(1)
    assert value(X, "C1", "invoices_365d") == 0 and np.isnan(value(X, "C1", "dpd_max"))


def test_later_payment_is_not_seen(tiny):
    before = build_customer_features(tiny, "2024-06-03", [CreditFeatures()], dtype="float64")
    # as of 06-03 invoice I1 (due 05-31) is unpaid and 3 days past due; it is paid on 06-05
    assert value(before, "C2", "dpd_max") == pytest.approx(3)
    assert value(before, "C2", "outstanding_amount") == 8000  # I1 5000 + I2 3000 (issued 06-01)


def test_fraud_signals_and_static():
    import pandas as pd

    from custintel.data import Dataset
    from custintel.features import CustomerStaticFeatures, FraudSignalFeatures

    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "registered_at": ["2024-01-01 08:00", "2024-01-02 08:00", "2024-06-01 08:00"],
            "phone": ["13812345678", "+86 170 1234 5678", "138-1234-5678"],
            "address": [
                "上海市浦东新区张杨路500号",
                "广西南宁市青秀区民族大道100号",
                "沪浦东新区张杨路500号",
            ],
            "customer_type": ["C", "C", "B"],
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4", "O5"],
            "customer_id": ["C1", "C1", "C2", "C3", "C3"],
            "ordered_at": [
                "2024-03-01 10:00",
                "2024-03-01 20:00",
                "2024-04-01 09:00",
                "2024-06-03 08:00",
                "2024-06-20 08:00",
            ],
            "amount": [10.0, 20.0, 30.0, 40.0, 50.0],
            "payment_method": ["online", "online", "online", "cod", "cod"],
            "recipient_phone": ["13900000001", "13900000001", "139 0000 0001", "17012345678", None],
            "recipient_address": ["A路1号", "A路 1号", "B路2号", "A路1号", "C路3号"],
        }
    )
    ds = Dataset.from_frames(customers, orders, tz="Asia/Shanghai", end="2024-07-01")
    X = build_customer_features(
        ds, AS_OF, [CustomerStaticFeatures(), FraudSignalFeatures()], dtype="float64"
    )
    # C1 and C2 share one recipient phone (two spellings); C3 ships to a virtual number
    assert X.loc["C1", "phone_shared_accounts"] == 1 and X.loc["C2", "phone_shared_accounts"] == 1
    assert X.loc["C3", "phone_shared_accounts"] == 0
    assert X.loc["C1", "n_recipient_phones"] == 1 and X.loc["C1", "n_recipient_addresses"] == 1
    assert X.loc["C3", "address_shared_accounts"] == 1  # "A路1号" also used by C1
    assert X.loc["C3", "virtual_recipient_share"] == 1.0  # one virtual, one missing: 1 of 1 known
    assert X.loc["C1", "max_orders_24h"] == 2 and X.loc["C2", "max_orders_24h"] == 1
    assert X.loc["C3", "first_cod_account_age_days"] == pytest.approx(2.0)
    assert X.loc["C3", "orders_first_7d"] == 1
    # C1 and C3 registered the same number in different formats
    assert (
        X.loc["C1", "own_phone_shared_accounts"] == 1
        and X.loc["C2", "own_phone_shared_accounts"] == 0
    )
    assert X.loc["C2", "phone_virtual"] == 1 and X.loc["C1", "phone_virtual"] == 0
    assert X.loc["C1", "city_tier"] == 1 and X.loc["C3", "city_tier"] == 1
    assert X.loc["C2", "province"] == "广西壮族自治区"
