"""Catalog sync against the real reference feed server on loopback, on both databases.

Each test gets a database of its own (``fresh_database``): syncs move the one list pointer.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eligo.catalog import service
from eligo.catalog.feed import STATUSES, FeedRecord, write_feed
from eligo.catalog.gtin import gtin_check_digit
from eligo.catalog.lease import DbLease, LeaseLost
from eligo.catalog.models import CatalogProduct, ListVersion, SyncQuarantinedRow, SyncRun
from eligo.catalog.reference_feed import (
    FaultPlan,
    FeedVersion,
    ReferenceFeed,
    ReferenceFeedServer,
    shared_data_dir,
)
from eligo.catalog.scheduler import SyncScheduler, build_scheduler, thread_runner
from eligo.catalog.sources import HttpFeedSource, RetryPolicy
from eligo.catalog.sync import SyncOutcome, rollback, run_sync
from eligo.catalog.versions import apply_spool, diff_versions, iter_version_records
from eligo.db.session import Database
from eligo.security.models import AuditEvent
from eligo.settings import CatalogSettings
from tests.support import ROOT, test_settings

pytestmark = pytest.mark.skipif(
    not (shared_data_dir() / "off_us_grocery_upcs").is_dir(),
    reason="shared data not available (set ELIGO_SHARED_DATA)",
)

PRODUCTS = 2000
FAST = RetryPolicy(max_attempts=4, base_seconds=0.01, max_seconds=0.05)


@pytest.fixture
def server() -> Iterator[ReferenceFeedServer]:
    with ReferenceFeedServer(ReferenceFeed(PRODUCTS, seed=11)) as srv:
        yield srv


def settings(**values: object) -> CatalogSettings:
    return CatalogSettings.model_validate({"batch_size": 500, **values})


def sync(
    db: Database, srv: ReferenceFeedServer, path: str = "/feed.csv.gz", **values: object
) -> SyncOutcome:
    source = HttpFeedSource(srv.url + path, retry=FAST)
    return run_sync(db.sessionmaker, settings(**values), source=source)


def visible(db: Database) -> dict[str, tuple[str, str]]:
    """gtin -> (status, name) as readers see the active version."""
    with db.sessionmaker() as session:
        version = service.active_version(session)
        rows = session.execute(
            select(CatalogProduct.gtin, CatalogProduct.status, CatalogProduct.name).where(
                service.visible_in(version)
            )
        )
        return {gtin: (status, name) for gtin, status, name in rows}


def expected(version: FeedVersion) -> dict[str, tuple[str, str]]:
    return {r.gtin: (r.status, r.name) for r in version.records}


def active(db: Database) -> int:
    with db.sessionmaker() as session:
        return service.active_version(session)


def test_full_then_incremental_sync_is_exactly_the_changes(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    first = sync(db, server)
    assert first.status == "succeeded", first.error
    assert first.list_version == 1
    assert first.counts["added"] == PRODUCTS
    assert visible(db) == expected(server.feed.current)

    again = sync(db, server)  # conditional GET: nothing to do
    assert again.status == "unchanged"
    assert active(db) == 1

    published = server.publish(5.0)
    second = sync(db, server)
    assert second.status == "succeeded", second.error
    assert second.list_version == 2
    assert visible(db) == expected(published)
    want = {(c.kind, c.gtin) for c in published.changes}
    with db.sessionmaker() as session:
        got = {(c.kind, c.gtin) for c in diff_versions(session, 1, 2)}
        run = session.get(SyncRun, second.run_id)
        assert run is not None
        audited = session.execute(
            select(func.count()).where(AuditEvent.action == "catalog.sync")
        ).scalar_one()
    assert got == want
    assert run.added + run.removed + run.status_changed + run.renamed == len(want)
    assert run.unchanged == PRODUCTS - (len(want) - run.added)
    assert run.etag
    assert run.feed_version == "2"
    assert audited == 2


def test_paged_feed_with_a_dropped_connection_resumes(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    server.set_faults(FaultPlan(after_requests=1, drop_count=2, drop_after_bytes=20_000))
    outcome = sync(fresh_database, server, "/feed.jsonl?per_page=500")
    assert outcome.status == "succeeded", outcome.error
    assert visible(fresh_database) == expected(server.feed.current)
    assert server.stats.dropped >= 2


def test_http_500s_are_retried(fresh_database: Database, server: ReferenceFeedServer) -> None:
    server.set_faults(FaultPlan(fail_count=2))
    outcome = sync(fresh_database, server)
    assert outcome.status == "succeeded", outcome.error
    with fresh_database.sessionmaker() as session:
        run = session.get(SyncRun, outcome.run_id)
        assert run is not None
        assert run.detail["retries"] == 2


def test_failures_keep_the_last_good_version(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    good = visible(db)
    server.publish(5.0)

    server.set_faults(FaultPlan(fail_count=10))  # more than the retry budget
    assert sync(db, server).status == "failed"
    server.set_faults(FaultPlan(truncate_gzip=True))
    truncated = sync(db, server)
    assert truncated.status == "failed"
    assert "gzip" in (truncated.error or "")
    # Pages 1-2 arrive, then page 3 keeps failing: rows already read are never applied.
    server.set_faults(FaultPlan(after_requests=2, fail_count=10))
    assert sync(db, server, "/feed.jsonl?per_page=500").status == "failed"

    assert active(db) == 1
    assert visible(db) == good
    with db.sessionmaker() as session:
        states = {v: s for v, s in session.execute(select(ListVersion.id, ListVersion.state))}
        failures = session.execute(
            select(func.count()).where(AuditEvent.action == "catalog.sync_failed")
        ).scalar_one()
    assert states == {1: "active"}  # no partial version was ever started
    assert failures == 3


def test_ten_percent_garbage_aborts(fresh_database: Database, server: ReferenceFeedServer) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    good = visible(db)
    server.publish(5.0)
    server.set_faults(FaultPlan(garbage_percent=10))
    outcome = sync(db, server)
    assert outcome.status == "aborted"
    assert "bad" in (outcome.error or "")
    assert active(db) == 1
    assert visible(db) == good


def test_three_percent_garbage_is_quarantined_and_applied(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    server.set_faults(FaultPlan(garbage_percent=3))
    outcome = sync(db, server)
    assert outcome.status == "succeeded", outcome.error
    assert visible(db) == expected(server.feed.current)  # every valid record, no garbage
    assert PRODUCTS * 0.02 < outcome.quarantined < PRODUCTS * 0.04
    with db.sessionmaker() as session:
        rows = list(session.execute(select(SyncQuarantinedRow)).scalars())
    assert len(rows) == outcome.quarantined
    assert {r.code for r in rows} <= {
        "bad_gtin",
        "unknown_status",
        "missing_name",
        "duplicate_gtin",
        "malformed_row",
        "bad_field",
    }
    assert all(r.reason and r.line_no > 1 for r in rows)


def test_a_shrinking_feed_aborts(fresh_database: Database, server: ReferenceFeedServer) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    # The same content under another URL (other validators): nothing to publish.
    same = sync(db, server, "/feed.jsonl?per_page=500")
    assert same.status == "unchanged"
    assert same.counts["unchanged"] == PRODUCTS
    # A feed holding a quarter of the products would remove 75%.
    small = ReferenceFeed(PRODUCTS // 4, seed=11)
    with ReferenceFeedServer(small) as other:
        shrunk = sync(db, other)
    assert shrunk.status == "aborted"
    assert "remove" in (shrunk.error or "")
    assert active(db) == 1


def test_rollback_publishes_old_content_as_a_new_version(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    v1 = visible(db)
    server.publish(5.0)
    assert sync(db, server).status == "succeeded"
    assert visible(db) != v1

    outcome = rollback(db.sessionmaker, settings(), version=1, actor="test")
    assert outcome.list_version == 3
    assert visible(db) == v1
    with db.sessionmaker() as session:
        assert list(diff_versions(session, 1, 3)) == []
        states = {v: s for v, s in session.execute(select(ListVersion.id, ListVersion.state))}
        audited = session.execute(
            select(AuditEvent.object_id).where(AuditEvent.action == "catalog.rollback")
        ).scalar_one()
    assert states == {1: "superseded", 2: "superseded", 3: "active"}
    assert audited == "3"


def test_two_runs_at_once_only_one_runs(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    outcomes: list[SyncOutcome] = []
    barrier = threading.Barrier(2)

    def go() -> None:
        barrier.wait()
        outcomes.append(sync(db, server, batch_pause_seconds=0.05, batch_size=200))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(o.status for o in outcomes) == ["busy", "succeeded"]
    with db.sessionmaker() as session:
        runs = session.execute(select(func.count()).select_from(SyncRun)).scalar_one()
    assert runs == 1


def test_two_schedulers_at_once_only_one_runs(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    app_settings = test_settings(db)
    app_settings.catalog = settings(
        feed_url=server.url + "/feed.csv.gz", batch_pause_seconds=0.05, batch_size=200
    )
    schedulers = [
        SyncScheduler(interval=3600, runner=thread_runner(db, app_settings), first_delay=0.01)
        for _ in range(2)
    ]
    for scheduler in schedulers:
        scheduler.start()
    deadline = time.monotonic() + 60
    while any(not s.outcomes for s in schedulers) and time.monotonic() < deadline:
        time.sleep(0.05)
    for scheduler in schedulers:
        scheduler.stop()
    assert sorted(s.outcomes[0] for s in schedulers) == ["busy", "succeeded"]
    assert active(db) == 1


def _db_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def test_sigkill_mid_apply_keeps_the_last_good_version(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    good = visible(db)
    published = server.publish(20.0)
    env = {
        **os.environ,
        "ELIGO_DATABASE_URL": _db_url(db),
        "ELIGO_CATALOG__BATCH_SIZE": "20",
        "ELIGO_CATALOG__BATCH_PAUSE_SECONDS": "0.2",
        "ELIGO_CATALOG__LEASE_SECONDS": "2",
        "ELIGO_LOG__LEVEL": "WARNING",
    }
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eligo.cli.main",
            "sync",
            "run",
            "--feed",
            server.url + "/feed.csv.gz",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        building = None
        while time.monotonic() < deadline and child.poll() is None:
            with db.sessionmaker() as session:
                building = session.execute(
                    select(ListVersion.id).where(ListVersion.state == "building")
                ).scalar_one_or_none()
                written = (
                    session.execute(
                        select(func.count()).where(CatalogProduct.valid_from == building)
                    ).scalar_one()
                    if building
                    else 0
                )
            if written >= 60:
                break
            time.sleep(0.05)
        assert building == 2, "the child never got to applying"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL

    # Readers still get version 1, whole; the half-built version is invisible.
    assert active(db) == 1
    assert visible(db) == good

    deadline = time.monotonic() + 30
    outcome = sync(db, server)
    while outcome.status == "busy" and time.monotonic() < deadline:  # the dead holder's lease
        time.sleep(0.5)
        outcome = sync(db, server)
    assert outcome.status == "succeeded", outcome.error
    assert outcome.list_version == 3
    assert visible(db) == expected(published)
    with db.sessionmaker() as session:
        states = {v: s for v, s in session.execute(select(ListVersion.id, ListVersion.state))}
        leftovers = session.execute(
            select(func.count()).where(
                (CatalogProduct.valid_from == 2) | (CatalogProduct.valid_to == 2)
            )
        ).scalar_one()
        changes = {(c.kind, c.gtin) for c in diff_versions(session, 1, 3)}
        killed = session.execute(
            select(SyncRun.status).where(SyncRun.list_version == 2)
        ).scalar_one()
    assert states == {1: "superseded", 2: "failed", 3: "active"}
    assert leftovers == 0
    assert changes == {(c.kind, c.gtin) for c in published.changes}
    assert killed == "failed"


def test_scheduler_runs_each_sync_in_a_child_process(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    app_settings = test_settings(db)
    app_settings.database_url = _db_url(db)
    assert build_scheduler(app_settings, db) is None  # interval 0: no scheduler
    app_settings.catalog = settings(
        feed_url=server.url + "/feed.csv.gz", sync_interval_seconds=3600, sync_nice=0
    )
    scheduler = build_scheduler(app_settings, db)
    assert scheduler is not None
    scheduler.first_delay = 0.01
    scheduler.start()
    deadline = time.monotonic() + 90
    while not scheduler.outcomes and time.monotonic() < deadline:
        time.sleep(0.1)
    scheduler.stop()
    assert scheduler.outcomes == ["succeeded"]
    with db.sessionmaker() as session:
        run = session.execute(select(SyncRun)).scalar_one()
    assert (run.trigger, run.status, run.list_version) == ("scheduler", "succeeded", 1)
    assert visible(db) == expected(server.feed.current)


def test_readers_see_one_whole_version_during_a_sync(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    old = visible(db)
    new = expected(server.publish(20.0))
    result: list[SyncOutcome] = []
    worker = threading.Thread(
        target=lambda: result.append(sync(db, server, batch_size=40, batch_pause_seconds=0.02))
    )
    worker.start()
    seen = set()
    while worker.is_alive():
        snapshot = visible(db)
        assert snapshot in (old, new), "a reader saw a half-applied version"
        seen.add(snapshot == new)
    worker.join()
    assert result[0].status == "succeeded"
    assert visible(db) == new
    assert False in seen  # the reader really ran while the new version was being built


def test_a_holder_that_lost_its_lease_cannot_write(fresh_database: Database) -> None:
    db = fresh_database
    stalled = DbLease(db.sessionmaker, ttl_seconds=0.2, holder="stalled")
    assert stalled.try_acquire()
    rival = DbLease(db.sessionmaker, ttl_seconds=60, holder="rival")
    assert not rival.try_acquire()  # still held
    time.sleep(0.3)
    assert rival.try_acquire()  # expired: taken over
    spool = io.StringIO('[null,"00036000291452","Late write","","eligible","","",null]\n')
    with pytest.raises(LeaseLost):
        apply_spool(
            db.sessionmaker,
            spool=spool,
            version=7,
            source_label="t",
            batch_size=10,
            fence=stalled.fence,
        )
    with db.sessionmaker() as session:
        assert session.execute(select(func.count()).select_from(CatalogProduct)).scalar_one() == 0
        rival.fence(session)  # the new holder may write
        session.rollback()
    rival.release()


def _random_record(rng: random.Random, n: int) -> FeedRecord:
    body = f"{rng.randrange(10**12):012d}"
    return FeedRecord(
        gtin="0" + body + str(gtin_check_digit(body)),
        name=f"Product {n}",
        brand=rng.choice(["", "Acme", "Brandy"]),
        status=rng.choice(sorted(STATUSES)),
        category=rng.choice(["", "device", "supplement"]),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(300)),
        source=f"test:{n}",
    )


def _content(records: Iterable[FeedRecord]) -> dict[str, tuple[str, str, str, str, str]]:
    return {r.gtin: (r.status, r.name, r.brand, r.category, r.source) for r in records}


def test_random_version_sequences_match_a_model(fresh_database: Database, tmp_path: Path) -> None:
    """Syncs of random successive feeds (and a rollback) always leave exactly the feed's
    content visible, and each version's diff is exactly what changed."""
    db = fresh_database
    rng = random.Random(1234)
    records = {r.gtin: r for r in (_random_record(rng, n) for n in range(300))}
    history: list[dict[str, tuple[str, str, str, str, str]]] = []
    for round_no in range(8):
        if round_no:
            current = list(records.values())
            for rec in rng.sample(current, 40):
                kind = rng.choice(["status", "name", "brand", "remove", "timestamp"])
                if kind == "remove":
                    del records[rec.gtin]
                elif kind == "status":
                    status = rng.choice(sorted(STATUSES - {rec.status}))
                    records[rec.gtin] = dataclasses.replace(rec, status=status)
                elif kind == "name":
                    records[rec.gtin] = dataclasses.replace(rec, name=rec.name + " v2")
                elif kind == "brand":
                    records[rec.gtin] = dataclasses.replace(rec, brand=rec.brand + "X")
                else:  # only the publisher's timestamp moves: not a content change
                    stamp = (rec.updated_at or datetime(2025, 1, 1, tzinfo=UTC)) + timedelta(1)
                    records[rec.gtin] = dataclasses.replace(rec, updated_at=stamp)
            for n in range(15):
                new = _random_record(rng, 1000 * round_no + n)
                records[new.gtin] = new
        path = tmp_path / f"feed-{round_no}.{'csv' if round_no % 2 else 'jsonl'}"
        write_feed(sorted(records.values(), key=lambda r: r.gtin), path)
        outcome = run_sync(db.sessionmaker, settings(batch_size=37), feed=str(path))
        assert outcome.status == "succeeded", outcome.error
        want = _content(records.values())
        with db.sessionmaker() as session:
            version = service.active_version(session)
            got = _content(iter_version_records(session, version))
            if history:
                changes = list(diff_versions(session, version - 1, version))
                before = history[-1]
                assert {c.gtin for c in changes} == {
                    g for g in before.keys() | want.keys() if before.get(g) != want.get(g)
                }
                kinds = {c.gtin: c.kind for c in changes}
                assert all(kinds[g] == "removed" for g in before.keys() - want.keys())
                assert all(kinds[g] == "added" for g in want.keys() - before.keys())
        assert version == round_no + 1
        assert got == want
        history.append(want)

    outcome = rollback(db.sessionmaker, settings(batch_size=37), version=3, actor="test")
    with db.sessionmaker() as session:
        assert _content(iter_version_records(session, outcome.list_version or 0)) == history[2]


def test_apply_batches_commit_without_waiting_for_the_wal_flush(
    fresh_database: Database,
) -> None:
    """Batches of a building version skip the WAL flush wait on PostgreSQL (SET LOCAL: the
    connection is back to synchronous commits for the next transaction, e.g. the publish)."""
    from sqlalchemy import text

    from eligo.catalog.versions import _commit_without_waiting_for_flush

    with fresh_database.sessionmaker() as session:
        _commit_without_waiting_for_flush(session)
        if fresh_database.backend == "postgresql":
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        session.commit()
        if fresh_database.backend == "postgresql":
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


def test_a_paced_sync_pauses_in_every_phase_and_gives_the_same_list(
    fresh_database: Database, server: ReferenceFeedServer
) -> None:
    """batch_pause_seconds also paces the fingerprint load and the parse / diff: the run takes
    at least its pauses, and the list is the same as without them."""
    db = fresh_database
    assert sync(db, server).status == "succeeded"
    server.publish(mutate_percent=5.0)
    paced = settings(batch_size=500, batch_pause_seconds=0.05)
    started = time.monotonic()
    outcome = run_sync(db.sessionmaker, paced, feed=server.url + "/feed.csv")
    elapsed = time.monotonic() - started
    assert outcome.status == "succeeded", outcome.error
    # 2,000 active rows loaded + 2,000 feed rows diffed, a pause per 500: at least 8 pauses.
    assert elapsed >= 8 * 0.05
    assert visible(db) == expected(server.feed.current)
