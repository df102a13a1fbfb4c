"""Record linkage: hand-made hard cases, and precision/recall floors on the demo's planted duplicates."""

from __future__ import annotations

import pandas as pd
import pytest

from custintel.data import make_demo_dataset
from custintel.identity import IdentityResolution, resolve_customers


def frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out["registered_at"] = pd.to_datetime(out["registered_at"]).dt.tz_localize("Asia/Shanghai")
    return out


@pytest.fixture(scope="module")
def hand_made() -> pd.DataFrame:
    """Same people in two systems, and different people sharing strong keys."""
    return frame(
        [
            # One person: phone formats differ, a homophone in the name, province abbreviated.
            dict(
                customer_id="C1",
                registered_at="2023-01-05",
                name="孙晓芳",
                phone="13812345678",
                address="上海市浦东新区张杨路500号3栋2单元301室",
                birth_year=1990,
                gender="F",
            ),
            dict(
                customer_id="WX1",
                registered_at="2024-02-01",
                name="孙晓方",
                phone="+86 138-1234-5678",
                address="沪浦东新区张杨路500号3-2-301",
                birth_year=1990,
                gender="F",
            ),
            # One person: no phone in common, same id number (valid check digit).
            dict(
                customer_id="C2",
                registered_at="2023-03-01",
                name="王伟",
                phone="13900001111",
                id_number="11010519491231002X",
            ),
            dict(
                customer_id="WX2",
                registered_at="2023-02-01",
                name="王伟",
                phone="13900002222",
                id_number="11010519491231002x",
            ),
            # A family phone: mother and son share a number -> not merged.
            dict(
                customer_id="C3",
                registered_at="2023-01-01",
                name="李秀英",
                phone="13700001234",
                birth_year=1962,
                gender="F",
            ),
            dict(
                customer_id="C4",
                registered_at="2023-06-01",
                name="张强",
                phone="137 0000 1234",
                birth_year=1990,
                gender="M",
            ),
            # Same name-based e-mail, different people (different phones, birth years, cities).
            dict(
                customer_id="C5",
                registered_at="2023-01-01",
                name="张伟",
                phone="13600000001",
                email="wei.zhang@qq.com",
                address="北京市海淀区中关村大街1号",
                birth_year=1985,
            ),
            dict(
                customer_id="C6",
                registered_at="2023-01-02",
                name="张伟",
                phone="13600000002",
                email="Wei.Zhang@QQ.com",
                address="广东省广州市天河区体育西路2号",
                birth_year=1992,
            ),
            # Same phone and name but different valid id numbers: namesakes -> not merged.
            dict(
                customer_id="C7",
                registered_at="2023-01-01",
                name="刘洋",
                phone="13500000001",
                id_number="320102197505051239",
            ),
            dict(
                customer_id="C8",
                registered_at="2023-01-03",
                name="刘洋",
                phone="13500000001",
                id_number="440304198001010017",
            ),
        ]
    )


@pytest.fixture(scope="module")
def resolved(hand_made) -> IdentityResolution:
    return resolve_customers(hand_made)


def canonical(res: IdentityResolution) -> dict[str, str]:
    return res.mapping["canonical_id"].to_dict()


def test_same_person_across_systems_is_merged_to_the_earliest(resolved):
    c = canonical(resolved)
    assert c["C1"] == c["WX1"] == "C1"
    assert c["C2"] == c["WX2"] == "WX2"  # WX2 registered first
    assert resolved.mapping.loc[["C1", "WX1"], "group_size"].tolist() == [2, 2]


def test_strong_key_collisions_between_different_people_are_not_merged(resolved):
    c = canonical(resolved)
    for cid in ("C3", "C4", "C5", "C6", "C7", "C8"):
        assert c[cid] == cid
    conflicts = resolved.conflicts.set_index(["customer_id_a", "customer_id_b"])
    assert "name differs" in conflicts.loc[("C3", "C4"), "reason"]
    assert conflicts.loc[("C3", "C4"), "shared"] == "phone"
    assert conflicts.loc[("C5", "C6"), "shared"] == "email"
    assert "id_number differs" in conflicts.loc[("C7", "C8"), "reason"]


def test_merged_pairs_keep_score_and_reason(resolved):
    pairs = resolved.pairs.set_index(["customer_id_a", "customer_id_b"])
    assert pairs.loc[("C1", "WX1"), "reason"] == "phone+address+name~+birth_year"
    assert pairs.loc[("C2", "WX2"), "reason"].startswith("id_number")
    assert (pairs["score"] >= 8).all()
    assert resolved.stats["merged_pairs"] == 2
    for stage in ("phones", "addresses", "blocking", "scoring", "grouping"):
        assert resolved.stats[stage] >= 0


def test_shared_phone_of_many_records_is_not_an_identity_key():
    rows = [
        dict(
            customer_id=f"R{i}",
            registered_at="2024-01-01",
            name=f"用户{i:02d}",
            phone="17012345678",
        )
        for i in range(30)
    ] + [dict(customer_id="R99", registered_at="2024-01-02", name="用户01", phone="17012345678")]
    res = resolve_customers(frame(rows), max_block_size=20)
    assert res.stats["oversized_phone"] == 1
    assert res.stats["candidate_pairs"] == 1  # only the same-name pair inside the shared number
    assert canonical(res)["R99"] == "R1"


def test_threshold_is_respected(hand_made):
    strict = resolve_customers(hand_made, threshold=100)
    assert (strict.mapping["group_size"] == 1).all()


def test_input_errors(hand_made):
    with pytest.raises(ValueError, match="registered_at"):
        resolve_customers(hand_made.drop(columns="registered_at"))
    with pytest.raises(ValueError, match="customer_id is not unique"):
        resolve_customers(pd.concat([hand_made, hand_made.head(1)]))


@pytest.fixture(scope="module")
def demo():
    return make_demo_dataset(n_customers=5_000, seed=5)


@pytest.fixture(scope="module")
def demo_resolution(demo) -> IdentityResolution:
    return resolve_customers(demo)


def test_precision_and_recall_on_planted_duplicates(demo, demo_resolution):
    truth = demo.truth.duplicates[["customer_id", "duplicate_id"]]
    assert len(truth) >= 100
    m = demo_resolution.evaluate(truth)
    assert m["precision"] >= 0.99, m
    assert m["recall"] >= 0.97, m


def test_demo_canonical_is_the_original_account(demo, demo_resolution):
    d = demo.truth.duplicates
    got = demo_resolution.canonical(d["duplicate_id"])
    assert (got.to_numpy() == d["customer_id"].to_numpy()).mean() >= 0.97


def test_demo_shared_emails_are_reported_not_merged(demo_resolution):
    # Name-based e-mails recur among different people in the demo data.
    assert (demo_resolution.conflicts["shared"].str.contains("email")).any()


def test_evaluate_counts():
    res = IdentityResolution(
        mapping=pd.DataFrame(
            {"canonical_id": ["A", "A", "C", "C"], "group_size": [2, 2, 2, 2]},
            index=pd.Index(["A", "B", "C", "D"], name="customer_id"),
        ),
        pairs=pd.DataFrame(),
        conflicts=pd.DataFrame(),
    )
    m = res.evaluate(pd.DataFrame({"x": ["B", "E"], "y": ["A", "F"]}))
    assert m == {
        "precision": 0.5,
        "recall": 0.5,
        "true_positives": 1.0,
        "predicted_pairs": 2.0,
        "true_pairs": 2.0,
    }
    assert res.members(["B"]) == ["A", "B"]
