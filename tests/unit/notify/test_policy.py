"""Pure parts of webhooks: retry schedule, URL policy, the delivery body."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligo.notify.events import EVENT_TYPES, EventType, event_body
from eligo.notify.exceptions import InvalidWebhookUrl
from eligo.notify.service import validate_url
from eligo.notify.worker import RetryPolicy

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PRODUCTION = RetryPolicy(base_seconds=30, max_seconds=6 * 3600, max_age_seconds=3 * 86400)


def test_backoff_doubles_then_caps() -> None:
    rng = random.Random(7)
    delays = [PRODUCTION.delay(n, rng) for n in range(1, 16)]
    for n, delay in enumerate(delays, start=1):
        nominal = min(6 * 3600, 30 * 2 ** (n - 1))
        assert 0.5 * nominal <= delay < nominal
    # Capped: late retries stay within [3 h, 6 h).
    assert all(3 * 3600 <= d < 6 * 3600 for d in delays[-5:])


@given(st.integers(1, 200), st.integers(0, 2**32))
def test_delay_bounds_for_any_attempt(attempts: int, seed: int) -> None:
    delay = PRODUCTION.delay(attempts, random.Random(seed))
    nominal = min(6 * 3600, 30 * 2.0 ** min(attempts - 1, 60))
    assert 0.5 * nominal <= delay < nominal


def test_jitter_spreads_retries() -> None:
    rng = random.Random(1)
    delays = {round(PRODUCTION.delay(5, rng), 3) for _ in range(50)}
    assert len(delays) > 40


def test_retries_stop_after_three_days() -> None:
    """Walk a failing delivery through the schedule: it dies within the 3-day window."""
    rng = random.Random(3)
    now, attempts = T0, 1
    while True:
        retry_at = PRODUCTION.next_attempt(
            attempts=attempts, now=now, window_started_at=T0, rng=rng
        )
        if retry_at is None:
            break
        assert retry_at <= T0 + timedelta(days=3)
        now, attempts = retry_at, attempts + 1
    assert T0 + timedelta(days=2) < now <= T0 + timedelta(days=3)
    assert 15 <= attempts <= 30


def test_replay_restarts_the_window() -> None:
    late = T0 + timedelta(days=10)
    rng = random.Random(0)
    assert PRODUCTION.next_attempt(attempts=1, now=late, window_started_at=T0, rng=rng) is None
    assert PRODUCTION.next_attempt(attempts=1, now=late, window_started_at=late, rng=rng)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/eligo", "http://example.com:8080/x?token=abc", "https://8.8.8.8/"],
)
def test_public_urls_are_accepted(url: str) -> None:
    assert validate_url(url, allow_private_targets=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/hook",
        "https://user:pw@example.com/x",
        "http://example.com:99999/",
        "http:///nohost",
        "https://example.com/" + "a" * 2050,
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl):
        validate_url(url, allow_private_targets=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://api.localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
    ],
)
def test_private_targets_need_opt_in(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl):
        validate_url(url, allow_private_targets=False)
    assert validate_url(url, allow_private_targets=True) == url


def test_event_body_is_deterministic_and_documented() -> None:
    kwargs = {
        "event_id": "evt_1",
        "event_type": "sync.completed",
        "tenant_id": "t1",
        "created_at": T0,
        "idempotency_key": "sync:1",
        "payload": {"b": 2, "a": [1, "x"]},
    }
    body = event_body(**kwargs)  # type: ignore[arg-type]
    assert body == event_body(**{**kwargs, "payload": {"a": [1, "x"], "b": 2}})  # type: ignore[arg-type]
    assert json.loads(body) == {
        "id": "evt_1",
        "type": "sync.completed",
        "created_at": "2026-01-01T00:00:00.000000Z",
        "tenant_id": "t1",
        "idempotency_key": "sync:1",
        "data": {"a": [1, "x"], "b": 2},
    }


def test_event_types_are_the_documented_four() -> None:
    assert {
        "product.eligibility_changed",
        "sync.completed",
        "card_scan.completed",
        "model.drift_detected",
    } == EVENT_TYPES
    assert len(EventType) == 4
