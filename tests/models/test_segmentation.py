"""CustomerSegmenter: scikit-learn contract, choice of k, profiles and business names."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from custintel.data import make_demo_dataset
from custintel.features import build_customer_features
from custintel.models.segmentation import ARCHETYPES, CustomerSegmenter, _business_names

HIGH_VALUE, DORMANT = "高价值忠诚", "低价值沉睡"


@parametrize_with_checks(
    [
        CustomerSegmenter(n_clusters=3, n_init=1, random_state=0),
        CustomerSegmenter(k_range=(2, 4), n_bootstrap=2, selection_size=60, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def X_demo() -> pd.DataFrame:
    ds = make_demo_dataset(n_customers=2000, seed=0)
    return build_customer_features(ds, as_of="2024-07-01")


@pytest.fixture(scope="module")
def seg_demo(X_demo) -> CustomerSegmenter:
    return CustomerSegmenter(n_clusters=4, random_state=0).fit(X_demo)


@pytest.fixture(scope="module")
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_blobs(n_samples=1500, centers=5, n_features=4, cluster_std=0.8, random_state=3)
    return pd.DataFrame(X, columns=["a", "b", "c", "d"]), y


# ---------------------------------------------------------------- choosing k


def test_auto_search_finds_the_planted_number_of_clusters(blobs):
    X, y = blobs
    seg = CustomerSegmenter(n_bootstrap=4, selection_size=800, random_state=0).fit(X)
    table = seg.selection_
    assert list(table.columns) == ["k", "silhouette", "stability", "chosen"]
    assert table["k"].tolist() == [3, 4, 5, 6, 7, 8]
    assert table["chosen"].sum() == 1
    assert seg.n_clusters_ == 5 == int(table.loc[table["chosen"], "k"].iloc[0])
    best = table.set_index("k")
    assert best.loc[5, "stability"] > 0.95
    assert best.loc[5, "silhouette"] == best["silhouette"].max()
    assert adjusted_rand_score(y, seg.labels_) > 0.95


def test_int_n_clusters_skips_the_search(blobs):
    X, _ = blobs
    seg = CustomerSegmenter(n_clusters=3, random_state=0).fit(X)
    assert seg.n_clusters_ == 3 and len(seg.profiles_) == 3
    assert seg.selection_["k"].tolist() == [3]
    assert np.isnan(seg.selection_["stability"].iloc[0])
    assert 0 < seg.selection_["silhouette"].iloc[0] <= 1


def test_unstable_candidates_are_not_chosen():
    # uniform noise has no clusters: silhouette still ranks k, stability must gate it
    X = np.random.default_rng(0).uniform(size=(600, 3))
    seg = CustomerSegmenter(k_range=(2, 5), n_bootstrap=3, min_stability=1.0, random_state=0).fit(X)
    table = seg.selection_.set_index("k")
    chosen = int(table.index[table["chosen"]][0])
    assert (table["stability"] < 1.0).all()
    assert chosen == table["stability"].idxmax()


# ---------------------------------------------------------------- demo data: names follow profiles


def test_demo_segments_have_business_names_that_match_their_profiles(X_demo, seg_demo):
    prof = seg_demo.profiles_.set_index("name")
    assert seg_demo.naming_ == "roles"
    assert seg_demo.roles_ == {
        "recency": "recency_days",
        "frequency": "orders_total",
        "monetary": "spend_total",
        "tenure": "first_order_days",
    }
    assert {HIGH_VALUE, DORMANT} <= set(prof.index)
    high, low = prof.loc[HIGH_VALUE], prof.loc[DORMANT]
    assert high["spend_total"] > 3 * low["spend_total"]
    assert high["orders_total"] > 3 * low["orders_total"]
    assert high["recency_days"] < low["recency_days"] / 2
    # labels are numbered by value: the high-value segment comes first
    assert seg_demo.profiles_["name"].iloc[0] == HIGH_VALUE


def test_names_do_not_depend_on_kmeans_cluster_ids(X_demo, seg_demo):
    other = clone(seg_demo).set_params(random_state=7).fit(X_demo.sample(frac=1, random_state=1))
    assert other.profiles_["name"].tolist() == seg_demo.profiles_["name"].tolist()
    a = seg_demo.profiles_.set_index("name")["spend_total"]
    b = other.profiles_.set_index("name")["spend_total"]
    np.testing.assert_allclose(b.loc[a.index], a, rtol=0.15)
    same = other.predict(X_demo)
    assert adjusted_rand_score(seg_demo.labels_, same) > 0.9
    assert (same.to_numpy() == seg_demo.labels_).mean() > 0.95


def test_profiles_are_the_means_of_the_assigned_rows(X_demo, seg_demo):
    prof = seg_demo.profiles_
    assert list(prof.columns[:4]) == ["name", "name_en", "size", "share"]
    assert prof.index.name == "segment" and list(prof.index) == [0, 1, 2, 3]
    assert prof["name"].is_unique and prof["name_en"].is_unique
    assert prof["size"].sum() == len(X_demo)
    assert prof["share"].sum() == pytest.approx(1.0)
    labels = seg_demo.predict(X_demo)
    assert (labels.to_numpy() == seg_demo.labels_).all()
    numeric = X_demo.select_dtypes("number").astype("float64")
    expected = numeric.groupby(labels.to_numpy()).mean()
    np.testing.assert_allclose(
        prof[numeric.columns].to_numpy(), expected.to_numpy(), rtol=1e-6, equal_nan=True
    )
    np.testing.assert_allclose(seg_demo.overall_means_, numeric.mean(), rtol=1e-6)
    assert seg_demo.profile_z_.shape == (4, numeric.shape[1])
    assert prof.loc[0, "size"] == np.bincount(seg_demo.labels_)[0]


def test_business_names_are_unique_and_follow_the_archetypes():
    high = [1.0, 1.2, 1.5, 0.5]  # recent, frequent, big spender, long history
    scores = np.array(
        [high, high, [-1.0, -1.0, -1.0, 0.2], [0.6, -0.6, -0.4, -1.2], [-0.9, 0.6, 0.5, 0.4]]
    )
    zh, en = _business_names(scores)
    assert zh == ["高价值忠诚 (1)", "高价值忠诚 (2)", "低价值沉睡", "新客", "流失风险"]
    assert en[3:] == ["new customers", "at risk of churn"]
    # permuting the segments permutes the names
    order = [4, 2, 0, 3, 1]
    assert _business_names(scores[order])[0] == [
        "流失风险",
        "低价值沉睡",
        "高价值忠诚 (1)",
        "新客",
        "高价值忠诚 (2)",
    ]
    assert len({zh for zh, _, _ in ARCHETYPES}) == len(ARCHETYPES)


def test_without_role_columns_segments_get_neutral_names(blobs, caplog):
    X, _ = blobs
    with caplog.at_level(logging.INFO, logger="custintel.models"):
        seg = CustomerSegmenter(n_clusters=5, random_state=0).fit(X.to_numpy())
    assert seg.naming_ == "neutral"
    assert seg.roles_ == dict.fromkeys(("recency", "frequency", "monetary", "tenure"))
    assert seg.profiles_["name"].tolist() == [f"群体{j}" for j in range(1, 6)]
    assert seg.profiles_["name_en"].tolist() == [f"Segment {j}" for j in range(1, 6)]
    assert seg.profiles_["size"].is_monotonic_decreasing
    assert "neutral names" in caplog.text


def test_role_columns_are_parameters(blobs):
    X, _ = blobs
    X = X.set_axis(["days_silent", "n_orders", "gmv", "other"], axis=1)
    seg = CustomerSegmenter(
        n_clusters=3,
        recency="days_silent",
        frequency="n_orders",
        monetary=["x", "gmv"],
        tenure=None,
        random_state=0,
    ).fit(X)
    assert seg.roles_ == {
        "recency": "days_silent",
        "frequency": "n_orders",
        "monetary": "gmv",
        "tenure": None,
    }
    assert seg.naming_ == "roles"


# ---------------------------------------------------------------- pandas in, pandas out


def test_predict_names_and_transform_follow_the_index(X_demo, seg_demo):
    head = X_demo.iloc[:50]
    labels = seg_demo.predict(head)
    assert isinstance(labels, pd.Series) and labels.name == "segment"
    assert labels.index.equals(head.index)
    names = seg_demo.predict_names(head)
    assert names.index.equals(head.index)
    assert names.tolist() == seg_demo.profiles_["name"].to_numpy()[labels].tolist()
    assert seg_demo.predict_names(head, lang="en").iloc[0] in set(seg_demo.profiles_["name_en"])
    with pytest.raises(ValueError, match="lang must be 'zh' or 'en'"):
        seg_demo.predict_names(head, lang="fr")
    dist = seg_demo.transform(head)
    assert list(dist.columns) == [f"distance_{j}" for j in range(4)]
    assert list(seg_demo.get_feature_names_out()) == list(dist.columns)
    assert dist.index.equals(head.index)
    assert (dist.to_numpy().argmin(axis=1) == labels.to_numpy()).all()


def test_columns_are_matched_by_name(X_demo, seg_demo):
    head = X_demo.iloc[:200]
    shuffled = head[head.columns[::-1]].assign(unrelated=1.0)
    pd.testing.assert_series_equal(seg_demo.predict(shuffled), seg_demo.predict(head))
    with pytest.raises(ValueError, match=r"lacks 1 column\(s\).*'spend_total'"):
        seg_demo.predict(head.drop(columns="spend_total"))


def test_missing_values_are_imputed_and_skewed_columns_logged():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "spend_total": rng.lognormal(6, 1.5, 800),
            "recency_days": rng.uniform(0, 365, 800),
            "orders_total": rng.poisson(3, 800).astype(float),
            "channel": rng.choice(["app", "web", None], 800),
        }
    )
    X.loc[::7, "spend_total"] = np.nan
    seg = CustomerSegmenter(n_clusters=3, random_state=0).fit(X)
    s = seg.scaling_
    assert s.loc["spend_total", "log"] and not s.loc["recency_days", "log"]
    assert s.loc["spend_total", "fill"] == pytest.approx(X["spend_total"].median())
    blank = pd.DataFrame({c: [np.nan] for c in X.columns}).astype({"channel": object})
    assert seg.predict(blank).iloc[0] in range(3)
    # one indicator per channel level
    assert seg.cluster_centers_.shape == (3, 3 + 2)
    dropped = CustomerSegmenter(n_clusters=3, categorical="drop", random_state=0).fit(X)
    assert dropped.cluster_centers_.shape == (3, 3)


def test_errors_say_what_to_change(blobs):
    X, _ = blobs
    with pytest.raises(InvalidParameterError, match="'n_clusters' parameter"):
        CustomerSegmenter(n_clusters=0).fit(X)
    with pytest.raises(InvalidParameterError, match="'categorical' parameter"):
        CustomerSegmenter(categorical="ordinal").fit(X)
    with pytest.raises(ValueError, match=r"k_range must be two integers.*got \(6, 3\)"):
        CustomerSegmenter(k_range=(6, 3)).fit(X)
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        CustomerSegmenter(n_clusters=3).fit(X.iloc[:2])
    bad = X.copy()
    bad.loc[3, "b"] = np.inf
    with pytest.raises(ValueError, match=r"infinity in column\(s\) \['b'\]"):
        CustomerSegmenter(n_clusters=3).fit(bad)


def test_fit_samples_rows_but_assigns_all(blobs):
    X, y = blobs
    seg = CustomerSegmenter(n_clusters=5, sample_size=300, random_state=0).fit(X)
    assert seg.labels_.shape == (len(X),)
    assert seg.profiles_["size"].sum() == len(X)
    assert adjusted_rand_score(y, seg.labels_) > 0.95
