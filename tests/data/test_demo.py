"""The demo generator: deterministic, inside the data contract, and carrying the planted signal.

Signal tests compare groups with margins instead of pinning numbers of one draw, so they hold for
any reasonable seed but fail when the mechanism behind them breaks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custintel.data.demo import LUNAR_NEW_YEAR, DemoTruth, generate_demo_frames, make_demo_dataset
from custintel.data.demo._people import VIRTUAL_PREFIXES
from custintel.data.schema import TABLES

N = 2_500
SEED = 7
TZ = "Asia/Shanghai"
END = pd.Timestamp("2025-01-01", tz=TZ)
BAD_EXCEPTIONS = ["delayed", "damaged", "lost"]


@pytest.fixture(scope="module")
def demo_small():
    """One validated demo dataset shared by the module (about 25,000 orders)."""
    return make_demo_dataset(n_customers=N, seed=SEED)


@pytest.fixture(scope="module")
def tables(demo_small):
    return demo_small.tables


@pytest.fixture(scope="module")
def truth(demo_small) -> DemoTruth:
    return demo_small.truth


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_data_and_other_seed_differs():
    a, ta = generate_demo_frames(300, seed=3)
    b, tb = generate_demo_frames(300, seed=3)
    c, _ = generate_demo_frames(300, seed=4)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    pd.testing.assert_frame_equal(ta.customers, tb.customers)
    pd.testing.assert_frame_equal(ta.reviews, tb.reviews)
    assert not a["customers"]["name"].equals(c["customers"]["name"])
    assert len(a["orders"]) != len(c["orders"]) or not a["orders"]["amount"].equals(
        c["orders"]["amount"]
    )


def test_bad_arguments_are_refused_with_a_fix():
    with pytest.raises(ValueError, match="at least 100"):
        generate_demo_frames(10)
    with pytest.raises(ValueError, match="at least 28 days after"):
        generate_demo_frames(200, start="2024-01-01", end="2023-12-01")
    with pytest.raises(ValueError, match="not a date"):
        generate_demo_frames(200, start="soon")
    with pytest.raises(TypeError, match="n_customers must be an int"):
        generate_demo_frames(2_000.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- data contract


def _check_contract(frames: dict[str, pd.DataFrame], end: pd.Timestamp) -> None:
    """Every rule of schema.py, checked directly on the frames."""
    for name, spec in TABLES.items():
        df = frames[name]
        assert set(df.columns) == set(spec.column_names), name
        keys = df[list(spec.key)].astype(object).where(df[list(spec.key)].notna(), None)
        assert not keys.duplicated().any(), f"{name}: duplicate key"
        for col in spec.columns:
            s = df[col.name]
            where = f"{name}.{col.name}"
            if not col.nullable:
                assert s.notna().all(), where
            if col.kind == "timestamp":
                assert isinstance(s.dtype, pd.DatetimeTZDtype), where
                if col.past_only:
                    assert (s.dropna() < end).all(), where
            if col.kind == "money":
                assert (s.dropna() >= 0).all(), where
            if col.kind == "category" and col.allowed:
                assert set(s.dropna().astype(str)) <= set(col.allowed), where
            if col.kind in {"int", "float"} and col.min_value is not None:
                assert (s.dropna() >= col.min_value).all(), where
            if col.kind in {"int", "float"} and col.max_value is not None:
                assert (s.dropna() <= col.max_value).all(), where
            if col.references:
                table, key = col.references.split(".")
                ref = set(frames[table][key].astype(str))
                assert set(s.dropna().astype(str)) <= ref, where
    ship = frames["shipments"]
    assert (ship.delivered_at.dropna() >= ship.shipped_at[ship.delivered_at.notna()]).all()
    inv = frames["invoices"]
    assert (inv.due_at >= inv.issued_at).all()
    fl = frames["fraud_labels"]
    assert (fl.order_id.notna() | fl.customer_id.notna()).all()


def test_frames_follow_every_contract_rule(tables):
    _check_contract(tables, END)


def test_other_window_and_time_zone_stay_inside_the_contract():
    frames, _ = generate_demo_frames(400, seed=1, start="2024-01-15", end="2024-04-01", tz="UTC")
    _check_contract(frames, pd.Timestamp("2024-04-01", tz="UTC"))
    assert str(frames["orders"].ordered_at.dt.tz) == "UTC"


def test_undelivered_parcels_unpaid_invoices_and_late_scans_are_censored(tables):
    ship, inv, ev = tables["shipments"], tables["invoices"], tables["tracking_events"]
    in_transit = ship.shipped_at > END - pd.Timedelta(days=1)
    assert in_transit.any()
    assert ship.delivered_at[in_transit].isna().mean() > 0.5
    assert inv.paid_at.isna().any()
    assert ev.event_time.max() < END
    assert (ship.promised_at > END).any()  # scheduled times may lie beyond the end


def test_truth_frames_align_with_tables(tables, truth):
    assert truth.customers.customer_id.tolist() == tables["customers"].customer_id.tolist()
    assert truth.orders.order_id.tolist() == tables["orders"].order_id.tolist()
    assert truth.reviews.review_id.tolist() == tables["reviews"].review_id.tolist()
    assert truth.invoices.invoice_id.tolist() == tables["invoices"].invoice_id.tolist()
    assert truth.params["n_customers"] == N and truth.params["seed"] == SEED


def test_every_truth_column_is_documented():
    doc = DemoTruth.__doc__ or ""
    _, truth = generate_demo_frames(200, seed=0)
    for frame in ("customers", "duplicates", "orders", "reviews", "invoices", "rings"):
        for col in getattr(truth, frame).columns:
            assert f"``{col}``" in doc, f"DemoTruth.{frame}.{col} is not documented"


# --------------------------------------------------------------------------- realism


def test_volumes_are_realistic(tables):
    orders, ship, ev = tables["orders"], tables["shipments"], tables["tracking_events"]
    per_customer = orders.customer_id.value_counts().reindex(tables["customers"].customer_id)
    per_customer = per_customer.fillna(0)
    assert 7 <= len(orders) / N <= 14
    assert (per_customer <= 1).mean() > 0.15  # many one-timers
    assert per_customer.max() > 8 * per_customer.median()  # and a heavy tail
    assert 5 <= len(ev) / len(ship) <= 7.5
    assert len(ship) == (orders.status != "cancelled").sum()


def test_personal_data_is_well_formed(tables):
    cust = tables["customers"]
    c = cust[cust.customer_type == "C"]
    assert c.name.str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    plain = cust.phone[cust.customer_id.str.startswith("C")]
    assert plain.str.fullmatch(r"1[3-9]\d{9}").all()
    ids = cust.id_number.dropna()
    assert ids.str.fullmatch(r"\d{17}[\dX]").all()
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    body = np.array([[int(ch) for ch in v[:17]] for v in ids])
    assert ["10X98765432"[k] for k in body @ weights % 11] == [v[17] for v in ids]
    assert cust.email.dropna().str.fullmatch(r"[\w.]+@[\w.]+\.\w+").all()
    assert cust.address.str.contains("号|座").all()
    assert cust.province.nunique() >= 25
    assert set(cust.channel.astype(str)) == {"app", "mini_program", "web", "store"}


def test_recipients_are_mostly_the_customer(tables):
    orders = tables["orders"]
    own_phone = orders.customer_id.map(tables["customers"].set_index("customer_id").phone)
    same = orders.recipient_phone == own_phone
    assert 0.6 < same.mean() < 0.97


def test_categories_and_carriers(tables):
    orders, ship = tables["orders"], tables["shipments"]
    assert set(orders.category.astype(str)) == {
        "fresh", "electronics", "apparel", "beauty", "household", "books",
    }  # fmt: skip
    assert ship.carrier.nunique() == 7
    site = tables["tracking_events"].site.astype(str)
    assert site.str.endswith(("转运中心", "分拨中心")).any()


# --------------------------------------------------------------------------- planted signal


def _daily_orders(orders: pd.DataFrame) -> pd.Series:
    return orders.ordered_at.dt.tz_convert(TZ).dt.normalize().value_counts().sort_index()


def test_double_11_and_618_peaks(tables):
    daily = _daily_orders(tables["orders"])
    for year in (2023, 2024):
        in_year = daily[daily.index.year == year]
        median = in_year.median()
        assert in_year[pd.Timestamp(f"{year}-11-11", tz=TZ)] > 2.5 * median
        assert in_year[pd.Timestamp(f"{year}-06-18", tz=TZ)] > 2.0 * median
        ramp = in_year[pd.Timestamp(f"{year}-11-04", tz=TZ) : pd.Timestamp(f"{year}-11-10", tz=TZ)]
        assert ramp.mean() > 1.1 * median


def test_spring_festival_week_dips(tables):
    daily = _daily_orders(tables["orders"])
    median = daily.median()
    for year in (2023, 2024):
        lny = pd.Timestamp(LUNAR_NEW_YEAR[year], tz=TZ)
        week = daily[lny - pd.Timedelta(days=2) : lny + pd.Timedelta(days=4)]
        assert week.mean() < 0.6 * median
    orders = tables["orders"]
    lny = pd.Timestamp(LUNAR_NEW_YEAR[2024], tz=TZ)
    rush = orders.ordered_at.between(lny - pd.Timedelta(days=25), lny - pd.Timedelta(days=9))
    fresh = orders.category == "fresh"
    assert fresh[rush].mean() > 1.25 * fresh[~rush].mean()  # 年货: fresh food before the holiday


def test_customers_with_delivery_exceptions_churn_more(tables, truth):
    ship, ev, orders = tables["shipments"], tables["tracking_events"], tables["orders"]
    bad_waybills = set(ev.waybill_no[ev.exception_type.isin(BAD_EXCEPTIONS)].astype(str))
    bad = ship.waybill_no.isin(bad_waybills) | (ship.delivered_at > ship.promised_at)
    per_order = pd.Series(bad.to_numpy(), index=ship.order_id)
    frame = orders[["order_id", "customer_id"]].assign(bad=orders.order_id.map(per_order))
    per = frame.dropna().groupby("customer_id").agg(n=("bad", "size"), bad=("bad", "sum"))
    tc = truth.customers.set_index("customer_id")
    per = per.join(tc[["churned_at", "is_fraud", "customer_type"]])
    per = per[~per.is_fraud & (per.customer_type == "C")]
    churned = per.churned_at.notna()
    gaps = []
    for lo, hi in ((3, 5), (6, 12), (13, 60)):  # compare like with like: similar order counts
        m = per.n.between(lo, hi)
        gaps.append(churned[m & (per.bad > 0)].mean() - churned[m & (per.bad == 0)].mean())
    assert min(gaps) > 0.0
    assert np.mean(gaps) > 0.07
    caused = truth.customers.churn_cause.value_counts()
    assert caused["bad_delivery"] > 0.15 * caused.sum()


def test_churned_customers_stop_ordering(tables, truth):
    tc = truth.customers.set_index("customer_id")
    last = tables["orders"].groupby("customer_id").ordered_at.max()
    churned_at = tc.churned_at.reindex(last.index)
    has = churned_at.notna()
    assert has.sum() > 100
    assert (last[has] < churned_at[has]).all()


def test_late_payment_and_default_rise_with_credit_risk(tables, truth):
    inv = tables["invoices"].merge(
        truth.customers[["customer_id", "credit_risk"]], on="customer_id", how="left"
    )
    overdue = inv.paid_at.isna() & (inv.due_at < END - pd.Timedelta(days=30))
    trouble = overdue | (inv.paid_at > inv.due_at)
    by_quartile = trouble.groupby(pd.qcut(inv.credit_risk, 4, labels=False)).mean()
    assert by_quartile.is_monotonic_increasing
    assert by_quartile.iloc[-1] > by_quartile.iloc[0] + 0.2
    # monthly statements for business credit accounts exist next to per-order bills
    b = set(tables["customers"].customer_id[tables["customers"].customer_type == "B"])
    assert inv.customer_id.isin(b).any() and (~inv.customer_id.isin(b)).any()


def test_cod_is_more_common_in_lower_tier_cities(tables, truth):
    orders = tables["orders"]
    tc = truth.customers.set_index("customer_id")
    consumer = orders.customer_id.map(tc.customer_type) == "C"
    tier = orders.customer_id.map(tc.city_tier)[consumer]
    cod = (orders.payment_method == "cod")[consumer]
    rate = cod.groupby(tier).mean()
    assert rate.loc[5] > 2 * rate.loc[1]


def test_statuses_follow_category_payment_and_fraud(tables, truth):
    orders = tables["orders"]
    returned = orders.status == "returned"
    apparel = orders.category == "apparel"
    assert returned[apparel].mean() > 1.5 * returned[~apparel].mean()
    refused = orders.status == "refused"
    cod = orders.payment_method == "cod"
    assert refused[cod].mean() > 4 * refused[~cod].mean()
    fraud = truth.orders.is_fraud.to_numpy()
    assert refused[fraud].mean() > 3 * refused[~fraud].mean()


def test_fraud_rings_share_recipient_phones_and_use_virtual_numbers(tables, truth):
    orders, cust = tables["orders"], tables["customers"]
    users = orders.groupby("recipient_phone").customer_id.nunique()
    shared = orders.recipient_phone.map(users) >= 2
    fraud = truth.orders.is_fraud.to_numpy()
    assert shared[fraud].mean() > 0.4
    assert shared[~fraud].mean() < 0.1
    prefixes = tuple(str(p) for p in VIRTUAL_PREFIXES)
    virtual = cust.phone.str.startswith(prefixes)
    is_fraud = truth.customers.is_fraud.to_numpy()
    assert virtual[is_fraud].mean() > 5 * virtual[~is_fraud].mean()
    # ring accounts are new and order in bursts
    first = orders.groupby("customer_id").ordered_at.agg(["min", "max", "size"])
    reg = cust.set_index("customer_id").registered_at
    ring_ids = truth.customers.customer_id[is_fraud]
    span = (first["max"] - first["min"]).reindex(ring_ids).dropna()
    assert span.median() < pd.Timedelta(days=30)
    assert (reg.reindex(ring_ids) >= pd.Timestamp("2023-01-01", tz=TZ)).all()


def test_fraud_labels_have_positives_negatives_and_come_after_the_fact(tables, truth):
    fl = tables["fraud_labels"]
    assert fl.is_fraud.any() and (~fl.is_fraud).any()
    assert fl.order_id.notna().any() and fl.customer_id.notna().any()
    when = tables["orders"].set_index("order_id").ordered_at
    labelled = fl.dropna(subset=["order_id"])
    assert (labelled.labeled_at.to_numpy() > when.loc[labelled.order_id].to_numpy()).all()
    fraud_orders = set(truth.orders.order_id[truth.orders.is_fraud])
    assert labelled.order_id.isin(fraud_orders).eq(labelled.is_fraud).all()


def test_remote_provinces_are_slower(tables):
    ship = tables["shipments"]
    days = (ship.delivered_at - ship.shipped_at).dt.total_seconds() / 86_400
    remote = ship.dest_province.isin(["新疆维吾尔自治区", "西藏自治区", "青海省"])
    east = ship.dest_province.isin(["上海市", "浙江省", "江苏省", "广东省"])
    assert remote.sum() > 20
    assert days[remote].median() > 1.8 * days[east].median()


def test_negative_reviews_concentrate_on_bad_deliveries(tables, truth):
    reviews, ship, ev = tables["reviews"], tables["shipments"], tables["tracking_events"]
    bad_waybills = set(ev.waybill_no[ev.exception_type.isin(BAD_EXCEPTIONS)].astype(str))
    bad = ship.waybill_no.isin(bad_waybills) | (ship.delivered_at > ship.promised_at)
    bad_order = pd.Series(bad.to_numpy(), index=ship.order_id)
    stars = reviews[reviews.source == "review"]
    on_bad = stars.order_id.map(bad_order).astype(bool)
    low = stars.rating <= 2
    assert low[on_bad].mean() > low[~on_bad].mean() + 0.3
    assert stars.rating.between(1, 5).all()
    assert reviews.rating[reviews.source != "review"].isna().all()
    pol = truth.reviews.polarity.astype(str).to_numpy()
    assert stars.rating[pol[stars.index] == "negative"].mean() < 2.2
    assert stars.rating[pol[stars.index] == "positive"].mean() > 4.2


def test_review_texts_are_varied_and_their_labels_recoverable(tables, truth):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    text = tables["reviews"].text
    assert text.str.contains(r"[\u4e00-\u9fff]").all()
    assert text.nunique() > 0.7 * len(text)
    tickets = text[tables["reviews"].source == "ticket"]
    assert tickets.str.contains(r"(?:SF|JDV|YT)\d{10,}|\d{12,}").any()  # waybills in tickets
    x = CountVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(text)
    half = len(text) // 2
    for label, floor in (("polarity", 0.85), ("aspect_1", 0.7)):
        y = truth.reviews[label].astype(str).to_numpy()
        model = MultinomialNB().fit(x[:half], y[:half])
        assert model.score(x[half:], y[half:]) > floor, label


def test_duplicates_are_the_same_person_written_differently(tables, truth):
    cust = tables["customers"].set_index("customer_id")
    dup = truth.duplicates
    assert 0.02 * N < len(dup) < 0.04 * N
    assert dup.duplicate_id.str.startswith("WX").all()

    def digits(phone: pd.Series) -> np.ndarray:
        d = phone.str.replace(r"\D", "", regex=True)
        return d.str.replace(r"^(?:0086|86)(?=\d{11}$)", "", regex=True).to_numpy()

    a, b = cust.phone.loc[dup.customer_id], cust.phone.loc[dup.duplicate_id]
    assert (digits(a) == digits(b)).all()
    assert (a.to_numpy() != b.to_numpy()).mean() > 0.5
    names_a, names_b = cust.name.loc[dup.customer_id], cust.name.loc[dup.duplicate_id]
    changed = names_a.to_numpy() != names_b.to_numpy()
    assert changed.any() and (changed == dup.name_changed.to_numpy()).all()
    assert (names_a.str.len().to_numpy() == names_b.str.len().to_numpy()).all()
    addr_differs = (
        cust.address.loc[dup.customer_id].to_numpy()
        != cust.address.loc[dup.duplicate_id].to_numpy()
    )
    assert addr_differs.mean() > 0.3
    person = truth.customers.set_index("customer_id").person_id
    assert (person.loc[dup.customer_id].to_numpy() == person.loc[dup.duplicate_id].to_numpy()).all()
    n_orders = tables["orders"].customer_id.value_counts()
    both = dup.customer_id.map(n_orders).gt(0) & dup.duplicate_id.map(n_orders).gt(0)
    assert both.mean() > 0.25  # the person's orders are split between the two accounts


def test_abbreviated_provinces_appear_only_where_a_variant_was_planted(tables, truth):
    cust = tables["customers"]
    full = cust.address.str.match(r"^(北京市|天津市|上海市|重庆市|.+?省|.+?自治区)")
    second = cust.customer_id.str.startswith("WX")
    assert full[~second].mean() > 0.8
    assert full[second].mean() < full[~second].mean()
    short = cust.address[second].str.match(
        r"^(广西|内蒙古|新疆|西藏|宁夏|[京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川黔滇藏陕甘青宁新])"
    )
    assert short.any()
