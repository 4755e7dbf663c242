"""Drift statistics: PSI, window statistics and the alarm rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from eligo.mlops.drift_report import parse_since, render_report
from eligo.mlops.models import DriftWindow
from eligo.mlops.monitoring import Reference, drift_reasons, psi, window_stats
from eligo.mlops.serving import canary_bucket
from eligo.settings import MonitorSettings

STATUSES = ("eligible", "lmn", "rx", "not_eligible")


def reference() -> Reference:
    centroid = np.zeros(8)
    centroid[0] = 1.0
    return Reference(
        statuses=STATUSES,
        status_shares=(0.25, 0.25, 0.2, 0.3),
        confidence_hist=(0.0, 0.0, 0.05, 0.05, 0.1, 0.1, 0.2, 0.2, 0.3),
        abstention_rate=0.05,
        mean_confidence=0.9,
        centroid=tuple(centroid),
    )


def embeddings(n: int, direction: int, rng: np.random.Generator) -> np.ndarray:
    out = rng.normal(0, 0.05, size=(n, 8)).astype(np.float32)
    out[:, direction] += 1.0
    return out


def test_psi_is_zero_for_identical_and_grows_with_shift() -> None:
    base = np.array([0.25, 0.25, 0.25, 0.25])
    assert psi(base, base) == pytest.approx(0.0, abs=1e-12)
    small = psi(base, np.array([0.3, 0.2, 0.25, 0.25]))
    large = psi(base, np.array([0.0, 0.0, 0.0, 1.0]))
    assert 0 < small < 0.1 < 1.0 < large


def test_a_window_like_the_reference_does_not_alarm() -> None:
    rng = np.random.default_rng(0)
    n = 400
    statuses = list(rng.choice(STATUSES, size=n, p=[0.25, 0.25, 0.2, 0.3]))
    confidence = list(rng.choice([0.75, 0.85, 0.92, 0.97, 0.995], size=n))
    stats = window_stats(reference(), statuses, confidence, [False] * n, embeddings(n, 0, rng))
    assert stats.n == n
    assert stats.centroid_distance < 0.05
    assert drift_reasons(stats, MonitorSettings()) == []


def test_a_shifted_window_alarms_with_reasons() -> None:
    rng = np.random.default_rng(1)
    n = 400
    stats = window_stats(
        reference(),
        ["not_eligible"] * n,
        [0.55] * n,
        [True] * (n // 2) + [False] * (n // 2),
        embeddings(n, 3, rng),
    )
    assert stats.status_shares["not_eligible"] == 1.0
    reasons = drift_reasons(stats, MonitorSettings())
    assert len(reasons) == 4
    assert reasons[0].startswith("predicted-status PSI")
    # Too short a window never alarms.
    assert drift_reasons(stats, MonitorSettings(min_window=n + 1)) == []


def test_canary_buckets_are_stable_and_uniform() -> None:
    values = [canary_bucket(f"key:{i}") for i in range(5000)]
    assert values[:10] == [canary_bucket(f"key:{i}") for i in range(10)]
    share = sum(v < 0.2 for v in values) / len(values)
    assert 0.18 < share < 0.22


def test_parse_since_and_render_report() -> None:
    assert parse_since("7d") == timedelta(days=7)
    assert parse_since("12h") == timedelta(hours=12)
    with pytest.raises(ValueError, match="7d"):
        parse_since("a week")
    now = datetime(2026, 11, 22, tzinfo=UTC)
    windows = [
        DriftWindow(
            model_name="eligo-eligibility",
            model_version="abc",
            started_at=now + timedelta(hours=i),
            ended_at=now + timedelta(hours=i, minutes=30),
            n=500,
            stats={
                "psi_status": 0.01 * (10 if i == 2 else 1),
                "psi_confidence": 0.2,
                "centroid_distance": 0.05,
                "abstention_rate": 0.1,
                "mean_confidence": 0.9,
                "status_shares": {"eligible": 0.3, "not_eligible": 0.7},
            },
            drift=i == 2,
            reasons=["predicted-status PSI 0.100 > 0.25"] if i == 2 else [],
        )
        for i in range(3)
    ]
    page = render_report(windows, MonitorSettings(), since=now)
    assert page.count("data:image/png;base64,") == 4
    assert "<b>3</b> windows, <b>1</b> with a drift alarm" in page
    assert page.count("class='drift'") == 1
