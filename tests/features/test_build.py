"""build_customer_features: shape, catalog, skipping absent tables, no raw PII."""

from __future__ import annotations

import logging
import re

import pandas as pd
import pytest

from custintel.data import Dataset
from custintel.features import (
    RFMFeatures,
    build_customer_features,
    build_order_features,
    default_builders,
    feature_catalog,
    order_feature_catalog,
)

AS_OF = "2024-07-01"


@pytest.fixture(scope="module")
def X(demo):
    return build_customer_features(demo, AS_OF)


def test_one_row_per_customer_known_before_as_of(demo, X):
    known = demo.customers.loc[
        demo.customers["registered_at"] < pd.Timestamp(AS_OF, tz=demo.tz), "customer_id"
    ]
    assert X.index.name == "customer_id" and X.index.is_unique
    assert set(X.index) == set(known)


def test_columns_match_the_catalog(demo, X):
    cat = feature_catalog(ds=demo)
    assert list(X.columns) == list(cat.index)
    assert cat[["en", "zh", "unit", "direction"]].ne("").all().all()
    assert set(cat["family"]) == {
        "static",
        "rfm",
        "behaviour",
        "logistics",
        "voice",
        "credit",
        "fraud",
    }
    for col in X.columns:
        assert X[col].dtype == "float32" or isinstance(X[col].dtype, pd.CategoricalDtype), col


def test_features_are_not_degenerate(X):
    numeric = X.select_dtypes("number")
    constant = [c for c in numeric if numeric[c].nunique(dropna=True) <= 1]
    # only rare events may be constant on a small demo
    assert len(constant) <= 3, constant
    assert numeric["orders_total"].max() > numeric["orders_total"].median()


def test_plain_order_history_works_and_says_what_was_skipped(demo, caplog):
    plain = Dataset.from_frames(demo.customers, demo.orders, tz=demo.tz, end=demo.end)
    with caplog.at_level(logging.INFO, logger="custintel.features"):
        X = build_customer_features(plain, AS_OF)
    assert "recency_days" in X and "late_share_90d" not in X and "dpd_max" not in X
    skipped = " ".join(r.getMessage() for r in caplog.records)
    for name in ("DeliveryFeatures", "ExceptionFeatures", "VoiceFeatures", "CreditFeatures"):
        assert f"skipping {name}" in skipped
    assert list(X.columns) == list(feature_catalog(ds=plain).index)


def test_no_raw_pii_in_feature_frames(demo, X):
    pii_names = {
        "name",
        "phone",
        "email",
        "id_number",
        "address",
        "recipient_name",
        "recipient_phone",
        "recipient_address",
    }
    assert not pii_names & set(X.columns)
    text = pd.concat(
        [X.select_dtypes(exclude="number").astype("string").stack(), pd.Series(X.index.astype(str))]
    )
    assert not text.str.contains(r"1[3-9]\d{9}|\d{17}[\dXx]", regex=True).any()
    Xo = build_order_features(demo, AS_OF, since="2024-06-01")
    assert list(Xo.columns) == list(order_feature_catalog().index)
    assert not pii_names & set(Xo.columns)


def test_bad_builders_are_refused(demo):
    with pytest.raises(TypeError, match="builders must be FeatureBuilder instances, got str"):
        build_customer_features(demo, AS_OF, ["rfm"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=re.escape("two builders emit the same columns")):
        build_customer_features(demo, AS_OF, [RFMFeatures(), RFMFeatures()])


def test_as_of_must_be_a_date(demo):
    with pytest.raises(ValueError, match="as_of='soon' is not a point in time"):
        build_customer_features(demo, "soon")


def test_default_builders_cover_every_family():
    assert len({b.family for b in default_builders()}) == 7


def test_feature_document_is_up_to_date():
    from pathlib import Path

    from custintel.features.docs import features_document

    doc = Path(__file__).resolve().parents[2] / "docs" / "features.md"
    assert doc.read_text(encoding="utf-8") == features_document(), "run `make docs`"


def test_resolution_indexes_by_canonical_id(demo, X):
    from custintel.identity import resolve_customers

    res = resolve_customers(demo)
    merged = build_customer_features(demo, AS_OF, resolution=res)
    dupes = demo.truth.duplicates
    assert len(dupes) > 0
    assert len(merged) < len(X)
    m = res.mapping
    absorbed = m.index[m.index != m["canonical_id"]]
    assert len(absorbed) > 0 and not merged.index.isin(absorbed).any()
    # a merged person's orders are counted once, under the canonical id
    assert merged["orders_total"].sum() == X["orders_total"].sum()
