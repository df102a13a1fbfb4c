"""FraudScorer: the scikit-learn contract, quality on planted rings, labels, flags, reasons."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from custintel.data import make_demo_dataset
from custintel.explain import REASON_COLUMNS
from custintel.features import build_customer_features, build_order_features
from custintel.models._frame import FrameEncoder
from custintel.models.fraud import FLAG_RULES, FraudScorer

AS_OF = "2024-07-01"
FAST = {"n_estimators": 25, "gbm_params": {"num_boost_round": 30}}

EXPECTED_FAILED = {
    "check_estimators_dtypes": (
        "fits with y in {1, 2}; labels are 1 (fraud), 0 (cleared) or NaN/-1 (unlabelled), so "
        "FraudScorer rejects the 2 by design"
    ),
}


@parametrize_with_checks(
    [FraudScorer(n_estimators=10, gbm_params={"num_boost_round": 10}, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


# ---------------------------------------------------------------- demo data
@pytest.fixture(scope="module")
def demo():
    ds = make_demo_dataset(n_customers=3_000, seed=0)
    X = build_customer_features(ds, as_of=AS_OF)
    ring = ds.truth.customers.set_index("customer_id").loc[X.index, "is_fraud"].astype(int)
    return ds, X, ring


@pytest.fixture(scope="module")
def fitted(demo):
    _, X, _ = demo
    return FraudScorer(random_state=0, **FAST).fit(X)


@pytest.fixture(scope="module")
def verdicts(demo) -> pd.Series:
    """Investigators' verdicts known at the cutoff, rolled up to customers."""
    ds, X, _ = demo
    fl = ds["fraud_labels"]
    fl = fl.loc[(fl["labeled_at"] < pd.Timestamp(AS_OF, tz=ds.tz)).to_numpy()]
    owner = ds.orders.set_index("order_id")["customer_id"]
    customer = fl["customer_id"].where(fl["customer_id"].notna(), fl["order_id"].map(owner))
    y = fl["is_fraud"].astype(int).groupby(customer.to_numpy()).max()
    return y.loc[y.index.isin(X.index)]


@pytest.fixture(scope="module")
def supervised(demo, verdicts):
    _, X, _ = demo
    return FraudScorer(random_state=0, **FAST).fit(X, verdicts)


def test_quality_floor_on_planted_rings(demo, fitted):
    _, X, ring = demo
    y = ring.to_numpy()
    base = y.mean()
    assert y.sum() >= 20 and base < 0.03, "the demo must plant some rings"
    ours = average_precision_score(y, fitted.score_samples(X))
    encoded = FrameEncoder().fit(X).transform(X)
    filled = np.where(np.isnan(encoded), np.nanmedian(encoded, axis=0), encoded)
    iforest = average_precision_score(
        y, -IsolationForest(random_state=0).fit(filled).score_samples(filled)
    )
    assert ours >= 0.8
    assert ours >= 20 * base
    assert ours >= 2 * iforest
    top = fitted.score_samples(X).nlargest(round(0.01 * len(X))).index
    assert ring.loc[top].mean() >= 0.8


@pytest.mark.parametrize("detector", ["ecod", "ensemble"])
def test_other_detectors_also_find_rings(demo, detector):
    _, X, ring = demo
    model = FraudScorer(detector, random_state=0, **FAST).fit(X)
    assert average_precision_score(ring, model.decision_function(X)) >= 0.7


def test_outputs(demo, fitted):
    _, X, _ = demo
    raw = fitted.decision_function(X)
    score = fitted.score_samples(X)
    flagged = fitted.predict(X)
    for out, name in ((raw, "fraud_raw"), (score, "fraud_score"), (flagged, "is_flagged")):
        assert out.index.equals(X.index) and out.name == name
    assert score.between(0, 1).all()
    # score is a monotone transform of the raw score
    order = np.argsort(raw.to_numpy(), kind="stable")
    assert (np.diff(score.to_numpy()[order]) >= -1e-12).all()
    assert set(flagged.unique()) <= {0, 1}
    assert abs(flagged.mean() - fitted.contamination) <= 0.005
    assert fitted.detector_features_ == [c for c in X.columns if c in fitted.directions_.index]
    assert fitted.directions_["first_cod_account_age_days"] == -1
    assert fitted.directions_["phone_shared_accounts"] == 1
    assert not fitted.supervised_ and fitted.n_labelled_ == 0


def test_ecod_contributions_add_up_and_explain(demo):
    _, X, _ = demo
    model = FraudScorer("ecod").fit(X)
    contrib = model.contributions(X)
    assert contrib.columns.tolist() == [*model.detector_features_, "bias"]
    assert (contrib.to_numpy() >= 0).all()
    np.testing.assert_allclose(contrib.sum(axis=1), model.decision_function(X), atol=1e-9)
    top = model.decision_function(X).idxmax()
    reasons = model.explain(X.loc[[top]], top_k=3)
    assert reasons.columns.tolist() == REASON_COLUMNS
    assert reasons["rank"].tolist() == [1, 2, 3]
    strongest = contrib.loc[top].drop("bias").nlargest(3)
    assert reasons["feature"].tolist() == strongest.index.tolist()
    assert all(" (+" in text for text in reasons["en"])


def test_supervised_with_verdicts(demo, verdicts, supervised):
    _, X, ring = demo
    assert supervised.supervised_ and supervised.n_labelled_ == len(verdicts)
    assert supervised.combine == "rank_average"
    assert supervised.gbm_features_ == X.columns.tolist()
    unlabelled = ~X.index.isin(verdicts.index)
    score = supervised.score_samples(X)
    assert average_precision_score(ring[unlabelled], score[unlabelled]) >= 0.8
    assert supervised.decision_function(X).between(0, 1).all()  # an average of percentiles
    # supervised contributions are log-odds adding up to LightGBM's raw score
    rows = X.iloc[:50]
    contrib = supervised.contributions(rows)
    raw = supervised.booster_.predict(supervised.encoder_.transform(rows), raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1), raw, atol=1e-9)
    reasons = supervised.explain(X.loc[[score.idxmax()]], top_k=5, sign="positive")
    assert (reasons["contribution"] > 0).all()
    assert set(reasons["feature"]) <= set(X.columns)
    # the detector's half can be explained too
    tails = supervised.explain(X.loc[[score.idxmax()]], top_k=3, part="unsupervised")
    assert set(tails["feature"]) <= set(supervised.detector_features_)


def test_feature_combination(demo, verdicts):
    _, X, ring = demo
    X = X.drop(columns=["phone_shared_accounts", "address_shared_accounts"])
    model = FraudScorer(combine="feature", random_state=0, **FAST).fit(X, verdicts)
    assert model.gbm_features_[-1] == "anomaly_score"
    assert average_precision_score(ring, model.decision_function(X)) >= 0.5
    contrib = model.contributions(X)
    np.testing.assert_allclose(contrib.sum(axis=1), model.decision_function(X), atol=1e-9)
    row = contrib["anomaly_score"].abs().idxmax()
    assert contrib.loc[row, "anomaly_score"] != 0
    reasons = model.explain(X.loc[[row]], top_k=len(X.columns) + 1).set_index("feature")
    line = reasons.loc["anomaly_score", "en"]
    assert line.startswith("unsupervised anomaly score") and "%" in line


def test_part_errors(demo, fitted):
    _, X, _ = demo
    with pytest.raises(ValueError, match="part='supervised' needs a scorer fitted with labels"):
        fitted.explain(X.iloc[:2], part="supervised")
    with pytest.raises(ValueError, match="part must be"):
        fitted.contributions(X.iloc[:2], part="both")


def test_label_conventions_agree(demo, verdicts, supervised):
    _, X, _ = demo
    full = verdicts.reindex(X.index)  # NaN for the unlabelled rows
    as_minus_one = full.fillna(-1).astype(int).to_numpy()
    for y in (full, as_minus_one):
        other = FraudScorer(random_state=0, **FAST).fit(X, y)
        assert other.n_labelled_ == len(verdicts)
        np.testing.assert_allclose(other.decision_function(X), supervised.decision_function(X))


def test_unlabelled_y_is_unsupervised(demo, fitted):
    _, X, _ = demo
    model = FraudScorer(random_state=0, **FAST).fit(X, np.full(len(X), np.nan))
    assert not model.supervised_
    np.testing.assert_allclose(model.decision_function(X), fitted.decision_function(X))


def test_bad_labels(demo):
    _, X, _ = demo
    small = X.iloc[:200]
    with pytest.raises(ValueError, match=r"fraud labels: 1 \(fraud\), 0 \(cleared\).*'2.0'"):
        FraudScorer(**FAST).fit(small, np.r_[np.zeros(199), 2])
    with pytest.raises(
        ValueError, match=r"y names 1 row\(s\) that X does not have, e.g. \['nobody'\]"
    ):
        FraudScorer(**FAST).fit(small, pd.Series([1, 0], index=[small.index[0], "nobody"]))
    with pytest.raises(ValueError, match="only one class"):
        FraudScorer(**FAST).fit(small, pd.Series([1, 1], index=small.index[:2]))
    with pytest.raises(ValueError, match="one label per row of X"):
        FraudScorer(**FAST).fit(small, np.zeros(5))


def test_pickle_round_trip(demo, fitted, supervised):
    _, X, _ = demo
    rows = X.iloc[:300]
    for model in (fitted, supervised):
        copy = pickle.loads(pickle.dumps(model))
        pd.testing.assert_series_equal(copy.score_samples(rows), model.score_samples(rows))
        pd.testing.assert_frame_equal(copy.explain(rows.iloc[:5]), model.explain(rows.iloc[:5]))


def test_columns_matched_by_name(demo, fitted):
    _, X, _ = demo
    rows = X.iloc[:100]
    shuffled = rows[rows.columns[::-1]].assign(extra=1.0)
    pd.testing.assert_series_equal(fitted.score_samples(shuffled), fitted.score_samples(rows))
    with pytest.raises(ValueError, match="X lacks 1 column"):
        fitted.score_samples(rows.drop(columns="phone_shared_accounts"))


def test_order_frame(demo):
    ds, _, _ = demo
    Xo = build_order_features(ds, as_of=AS_OF, since="2024-03-01")
    model = FraudScorer(random_state=0, **FAST).fit(Xo)
    assert "recipient_phone_accounts" in model.detector_features_
    assert "category" not in model.detector_features_
    ring_order = ds.truth.orders.set_index("order_id").loc[Xo.index, "is_fraud"].astype(int)
    assert average_precision_score(ring_order, model.score_samples(Xo)) >= 0.4


def test_feature_selection_and_directions():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "spend": rng.gamma(2, 100, 500),
            "loyalty_years": 10 - rng.exponential(1.0, 500),  # skewed left
            "region": rng.choice(["north", "south", "east"], 500, p=[0.6, 0.39, 0.01]),
        }
    )
    # no known column: every column, categorical by rarity, numeric by skew
    model = FraudScorer("ecod").fit(X)
    assert model.detector_features_ == ["spend", "loyalty_years", "region"]
    assert model.directions_.to_dict() == {"spend": 1, "loyalty_years": -1, "region": 0}
    rare = model.contributions(X)["region"]
    assert rare[X["region"] == "east"].min() > rare[X["region"] == "north"].max()
    # a user direction makes the column known, and flips its tail
    high = FraudScorer("ecod", directions={"loyalty_years": 1}).fit(X)
    assert high.detector_features_ == ["loyalty_years"]
    assert high.decision_function(X).idxmax() == X["loyalty_years"].idxmax()
    # an explicit list
    assert FraudScorer("ecod", features=["spend"]).fit(X).detector_features_ == ["spend"]
    with pytest.raises(ValueError, match=r"features lists 1 column\(s\) X does not have"):
        FraudScorer(features=["nope"]).fit(X)
    with pytest.raises(ValueError, match=r"directions\['spend'\] must be 1"):
        FraudScorer(directions={"spend": 2}).fit(X)


def test_parameter_validation_names_the_parameter():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="'detector' parameter of FraudScorer must be"):
        FraudScorer(detector="lof").fit(X)
    with pytest.raises(ValueError, match="'contamination' parameter"):
        FraudScorer(contamination=0.7).fit(X)


def test_clone_keeps_params():
    model = FraudScorer("ecod", contamination=0.05, flag_thresholds={"orders_first_7d": 5})
    assert clone(model).get_params() == model.get_params()


# --------------------------------------------------------------------- flags
def test_flags_known_answers_on_a_customer_frame():
    X = pd.DataFrame(
        {
            "phone_shared_accounts": [0, 2, 1, np.nan],
            "address_shared_accounts": [0, 0, 5, 3],
            "virtual_recipient_share": [0.0, 0.5, 0.49, np.nan],
            "phone_virtual": [1, 0, 0, 0],
            "first_cod_account_age_days": [1.0, 30.0, 7.0, np.nan],
            "orders_first_7d": [5, 5, 3, 9],
            "refused_cod_180d": [0, 2, 1, 4],
            "spend_total": [1.0, 2.0, 3.0, 4.0],
        },
        index=pd.Index(["A", "B", "C", "D"], name="customer_id"),
    )
    flags = FraudScorer().flags(X)
    assert flags.index.equals(X.index)
    assert flags.columns.tolist() == [
        "shared_recipient_phone",
        "shared_address",
        "virtual_recipient",
        "virtual_own_phone",
        "new_account_cod_burst",
        "refused_cod",
    ]
    assert flags.dtypes.eq(bool).all()
    expected = {
        "shared_recipient_phone": [False, True, False, False],  # NaN never flags
        "shared_address": [False, False, True, True],
        "virtual_recipient": [False, True, False, False],
        "virtual_own_phone": [True, False, False, False],
        "new_account_cod_burst": [True, False, True, False],
        "refused_cod": [False, True, False, True],  # any refused_cod_<window>d column
    }
    assert flags.to_dict("list") == expected
    stricter = FraudScorer(flag_thresholds={"phone_shared_accounts": 3, "refused_cod_180d": 3})
    flags = stricter.flags(X)
    assert flags["shared_recipient_phone"].tolist() == [False] * 4
    assert flags["refused_cod"].tolist() == [False, False, False, True]


def test_flags_on_an_order_frame():
    Xo = pd.DataFrame(
        {
            "recipient_phone_accounts": [0.0, 4.0],
            "recipient_virtual": [1.0, 0.0],
            "is_cod": [1.0, 1.0],
            "account_age_days": [2.0, 2.0],
            "orders_prev_7d": [3.0, 1.0],
            "orders_prev_24h": [0.0, 3.0],
        }
    )
    flags = FraudScorer().flags(Xo)
    assert flags.to_dict("list") == {
        "shared_recipient_phone": [False, True],
        "virtual_recipient": [True, False],
        "new_account_cod_burst": [True, False],
        "order_burst": [False, True],
    }


def test_flag_descriptions_and_errors():
    described = FraudScorer(flag_thresholds={"orders_first_7d": 5}).describe_flags()
    assert described.index.tolist() == [r.name for r in FLAG_RULES]
    assert described.columns.tolist() == ["zh", "en", "rule"]
    assert described.loc["new_account_cod_burst", "rule"] == (
        "first_cod_account_age_days <= 7 & orders_first_7d >= 5 | "
        "is_cod >= 1 & account_age_days <= 7 & orders_prev_7d >= 2"
    )
    assert described.loc["virtual_recipient", "zh"] == "收件手机号多为虚拟号段"
    with pytest.raises(ValueError, match=r"flag_thresholds names column\(s\) no flag reads"):
        FraudScorer(flag_thresholds={"spend_total": 1}).flags(pd.DataFrame({"a": [1]}))
    with pytest.raises(TypeError, match="pass a DataFrame"):
        FraudScorer().flags(np.zeros((2, 2)))
