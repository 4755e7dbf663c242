"""The auth cache: answers only within its time, forgets revoked keys, never grows unbounded."""

from __future__ import annotations

import time

import pytest

from eligo.security import auth_cache
from eligo.security.auth_cache import AuthCache
from eligo.security.roles import Principal, Role

ALICE = Principal(key_id="k1", tenant_id="t1", role=Role.MERCHANT)
BOB = Principal(key_id="k2", tenant_id="t1", role=Role.ADMIN)


def test_hit_within_ttl_miss_after() -> None:
    cache = AuthCache(ttl_seconds=0.2)
    cache.put("secret-a", ALICE)
    assert cache.get("secret-a") == ALICE
    assert cache.get("secret-b") is None
    time.sleep(0.25)
    assert cache.get("secret-a") is None


def test_zero_ttl_caches_nothing() -> None:
    cache = AuthCache(ttl_seconds=0)
    cache.put("secret-a", ALICE)
    assert cache.get("secret-a") is None


def test_forget_key_drops_only_that_key() -> None:
    cache = AuthCache(ttl_seconds=60)
    cache.put("secret-a", ALICE)
    cache.put("secret-b", BOB)
    cache.forget_key("k1")
    assert cache.get("secret-a") is None
    assert cache.get("secret-b") == BOB


def test_secrets_are_not_kept() -> None:
    cache = AuthCache(ttl_seconds=60)
    cache.put("elg_abcdefabcdef_very-secret", ALICE)
    assert all("very-secret" not in digest for digest in cache._entries)


def test_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_cache, "MAX_ENTRIES", 3)
    cache = AuthCache(ttl_seconds=60)
    for index in range(10):
        cache.put(f"secret-{index}", ALICE)
        assert len(cache._entries) <= 3
    assert cache.get("secret-9") == ALICE
