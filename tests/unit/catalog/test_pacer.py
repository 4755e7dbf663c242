"""Pacing of sync phases (catalog.batch_pause_seconds after every catalog.batch_size rows)."""

from __future__ import annotations

import time

from eligo.catalog.versions import Pacer


def test_pacer_pauses_after_every_batch() -> None:
    pacer = Pacer(every=10, pause_seconds=0.01)
    started = time.monotonic()
    for _ in range(35):
        pacer.tick()
    assert pacer.pauses == 3
    assert time.monotonic() - started >= 0.03


def test_pacer_without_a_pause_never_sleeps() -> None:
    pacer = Pacer(every=1, pause_seconds=0.0)
    for _ in range(1000):
        pacer.tick()
    assert pacer.pauses == 0
