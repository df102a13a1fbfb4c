"""Keyed pseudonyms: deterministic, key-dependent, no raw value leaks, clear error without a key."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from custintel.identity import MissingKeyError, Pseudonymizer, pseudonymize
from custintel.identity import pseudonyms as mod

PHONES = pd.Series(["+8613812345678", "+8613912345678", None, "+8613812345678"], index=list("abcd"))


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(mod.KEY_ENV, raising=False)
    monkeypatch.delenv(mod.DEMO_ENV, raising=False)


def test_deterministic_and_aligned():
    p = Pseudonymizer(key="secret-1")
    out = p.pseudonymize(PHONES)
    assert list(out.index) == list("abcd")
    assert out["a"] == out["d"] and out["a"] != out["b"]
    assert pd.isna(out["c"])
    assert out.str.fullmatch(r"[0-9a-f]{32}").dropna().all()
    assert p.pseudonymize(PHONES).equals(out)
    assert Pseudonymizer(key="secret-1").pseudonymize(PHONES).equals(out)


def test_known_answer_is_hmac_sha256():
    import hashlib
    import hmac

    want = hmac.new(b"k", b"\x1f13812345678", hashlib.sha256).hexdigest()
    assert Pseudonymizer(key="k", length=64).pseudonymize_one("13812345678") == want


def test_depends_on_key_and_namespace():
    a = pseudonymize(PHONES, key="secret-1")
    b = pseudonymize(PHONES, key="secret-2")
    c = Pseudonymizer(key="secret-1", namespace="partner").pseudonymize(PHONES)
    assert (a.dropna() != b.dropna()).all()
    assert (a.dropna() != c.dropna()).all()


def test_no_raw_value_in_output_or_repr():
    p = Pseudonymizer(key="secret-1")
    out = p.pseudonymize(PHONES)
    text = out.to_string() + repr(p)
    for raw in ("13812345678", "13912345678", "secret-1"):
        assert raw not in text


def test_key_from_environment(monkeypatch, no_env):
    monkeypatch.setenv(mod.KEY_ENV, "from-env")
    assert pseudonymize(PHONES).equals(pseudonymize(PHONES, key="from-env"))


def test_missing_key_is_a_clear_error(no_env):
    with pytest.raises(MissingKeyError, match=r"CUSTINTEL_PII_KEY.*export.*demo=True"):
        Pseudonymizer()


def test_demo_mode_uses_the_public_key_and_warns_once(monkeypatch, no_env, caplog):
    monkeypatch.setattr(mod, "_warned", [])
    with caplog.at_level(logging.WARNING, logger=mod.__name__):
        a = Pseudonymizer(demo=True).pseudonymize(PHONES)
        Pseudonymizer(demo=True)
    assert a.equals(pseudonymize(PHONES, key=mod.DEMO_KEY))
    warnings = [r for r in caplog.records if "demo mode" in r.getMessage()]
    assert len(warnings) == 1 and mod.KEY_ENV in warnings[0].getMessage()


def test_demo_mode_from_environment(monkeypatch, no_env):
    monkeypatch.setenv(mod.DEMO_ENV, "1")
    assert Pseudonymizer().pseudonymize(PHONES).equals(pseudonymize(PHONES, key=mod.DEMO_KEY))
    with pytest.raises(MissingKeyError):
        Pseudonymizer(demo=False)


def test_bad_parameters():
    with pytest.raises(ValueError, match="length=4"):
        Pseudonymizer(key="k", length=4)
    with pytest.raises(ValueError, match="key is empty"):
        Pseudonymizer(key="")
