"""The scan queue without a server: atomic claims, leases, attempts, retention purge, CLI.

Each test has a database of its own (no server worker competing for its scans). Scans that
run use a blank photo, which the real pipeline rejects as not_a_card in well under a second.
"""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update
from typer.testing import CliRunner

from eligo.cards import retention
from eligo.cards import service as cards_service
from eligo.cards.models import CardScan, CardScanBlob
from eligo.cards.worker import ScanService
from eligo.db.session import Database
from eligo.db.types import utcnow
from eligo.security.crypto import PhiCipher
from eligo.settings import Settings, get_settings
from tests.support import create_tenant_with_keys, test_settings


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(out, format="PNG")
    return out.getvalue()


def queue_scans(database: Database, settings: Settings, n: int, *, back: bool = False) -> list[str]:
    tenant = create_tenant_with_keys(database)
    cipher = PhiCipher.from_settings(settings)
    photo = blank_png()
    ids = []
    with database.sessionmaker() as session:
        for _ in range(n):
            scan = cards_service.create_scan(
                session,
                tenant_id=tenant.tenant_id,
                actor="test",
                upload=cards_service.Upload(front=photo, back=photo if back else None),
                cipher=cipher,
                max_megapixels=40,
            )
            ids.append(scan.id)
    return ids


def parts_of(database: Database, scan_id: str) -> set[str]:
    with database.sessionmaker() as session:
        rows = session.execute(select(CardScanBlob.part).where(CardScanBlob.scan_id == scan_id))
        return set(rows.scalars())


def scan_row(database: Database, scan_id: str) -> CardScan:
    with database.sessionmaker() as session:
        return session.get_one(CardScan, scan_id)


def test_concurrent_workers_never_claim_the_same_scan(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    ids = queue_scans(fresh_database, settings, 12)
    services = [ScanService(fresh_database, settings, worker_id=f"w{i}") for i in range(3)]
    claimed: list[list[str]] = [[] for _ in services]
    barrier = threading.Barrier(len(services))

    def grab(i: int) -> None:
        barrier.wait()
        while batch := services[i].claim(2):
            claimed[i].extend(scan_id for scan_id, _ in batch)

    threads = [threading.Thread(target=grab, args=(i,)) for i in range(len(services))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [scan_id for batch in claimed for scan_id in batch]
    assert sorted(everything) == sorted(ids)  # each scan exactly once
    for scan_id in ids:
        row = scan_row(fresh_database, scan_id)
        assert (row.status, row.stage, row.attempts) == ("processing", "scanning", 1)
        assert row.lease_owner is not None
    for service in services:
        service.stop()


def test_an_expired_lease_passes_the_scan_to_another_worker(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    [scan_id] = queue_scans(fresh_database, settings, 1)
    first = ScanService(fresh_database, settings, worker_id="first")
    second = ScanService(fresh_database, settings, worker_id="second")
    try:
        [(_, first_token)] = first.claim()
        assert second.claim() == []  # leased
        with fresh_database.sessionmaker() as session:
            session.execute(
                update(CardScan)
                .where(CardScan.id == scan_id)
                .values(lease_until=utcnow() - timedelta(seconds=1))
            )
            session.commit()
        [(_, second_token)] = second.claim()
        assert scan_row(fresh_database, scan_id).attempts == 2
        # The first worker comes back: it no longer holds the scan and writes nothing.
        assert first.process(scan_id, first_token).status == "lost"
        outcome = second.process(scan_id, second_token)
        assert outcome.status == "failed"
        assert outcome.error is not None
        assert outcome.error.code == "not_a_card"
        row = scan_row(fresh_database, scan_id)
        assert (row.status, row.error_code, row.lease_owner) == ("failed", "not_a_card", None)
    finally:
        first.stop()
        second.stop()


def test_a_scan_that_keeps_killing_its_worker_is_failed(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    settings.cards.max_attempts = 2
    [scan_id] = queue_scans(fresh_database, settings, 1)
    with fresh_database.sessionmaker() as session:
        # Two workers already died holding it; the third claim gives up on it.
        session.execute(
            update(CardScan)
            .where(CardScan.id == scan_id)
            .values(status="processing", attempts=2, lease_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    service = ScanService(fresh_database, settings)
    try:
        outcome = service.run_once()
    finally:
        service.stop()
    assert outcome is not None
    assert outcome.status == "failed"
    row = scan_row(fresh_database, scan_id)
    assert (row.status, row.error_code, row.attempts) == ("failed", "scan_aborted", 3)


def test_a_scan_deleted_while_scanning_keeps_no_result(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    [scan_id] = queue_scans(fresh_database, settings, 1)
    service = ScanService(fresh_database, settings)
    try:
        [(_, token)] = service.claim()
        tenant_id = scan_row(fresh_database, scan_id).tenant_id
        with fresh_database.sessionmaker() as session:
            cards_service.delete_scan(session, tenant_id=tenant_id, scan_id=scan_id, actor="test")
        assert service.process(scan_id, token).status == "lost"
    finally:
        service.stop()
    assert parts_of(fresh_database, scan_id) == set()
    assert scan_row(fresh_database, scan_id).status == "deleted"


def test_retention_purges_old_photos_only(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    old, new = queue_scans(fresh_database, settings, 2, back=True)
    cipher = PhiCipher.from_settings(settings)
    with fresh_database.sessionmaker() as session:
        tenant_id = session.get_one(CardScan, old).tenant_id
        # A completed result on the old scan: results outlive the photos.
        session.add(
            cards_service.seal(
                cipher, tenant_id=tenant_id, scan_id=old, part="result", data=b'{"fields": {}}'
            )
        )
        session.execute(
            update(CardScan)
            .where(CardScan.id == old)
            .values(status="completed", created_at=utcnow() - timedelta(days=7, minutes=1))
        )
        session.commit()
    with fresh_database.sessionmaker() as session:
        report = retention.purge_expired_images(session, retention_days=7)
    assert (report.scans, report.images) == (1, 2)
    assert parts_of(fresh_database, old) == {"result"}
    assert parts_of(fresh_database, new) == {"front", "back"}
    assert scan_row(fresh_database, old).images_purged_at is not None
    assert scan_row(fresh_database, new).images_purged_at is None
    with fresh_database.sessionmaker() as session:
        again = retention.purge_expired_images(session, retention_days=7)
    assert (again.scans, again.images) == (0, 0)


def test_a_queued_scan_whose_photos_expired_fails_cleanly(fresh_database: Database) -> None:
    settings = test_settings(fresh_database)
    [scan_id] = queue_scans(fresh_database, settings, 1)
    with fresh_database.sessionmaker() as session:
        retention.purge_expired_images(session, retention_days=0, now=utcnow() + timedelta(1))
    service = ScanService(fresh_database, settings)
    try:
        outcome = service.run_once()
    finally:
        service.stop()
    assert outcome is not None
    assert scan_row(fresh_database, scan_id).error_code == "images_expired"


def test_card_admin_cli_purges_and_works_the_queue(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eligo.cli.main import app

    settings = test_settings(fresh_database)
    old, queued = queue_scans(fresh_database, settings, 2)
    with fresh_database.sessionmaker() as session:
        session.execute(
            update(CardScan)
            .where(CardScan.id == old)
            .values(status="failed", created_at=utcnow() - timedelta(days=3))
        )
        session.commit()
    monkeypatch.setenv(
        "ELIGO_DATABASE_URL", fresh_database.engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    try:
        purged = CliRunner().invoke(app, ["card-admin", "purge", "--days", "2"])
        worked = CliRunner().invoke(app, ["card-admin", "work", "--once"])
    finally:
        get_settings.cache_clear()
    assert purged.exit_code == 0, purged.output
    assert "purged 1 images of 1 scans" in purged.output
    assert parts_of(fresh_database, old) == set()
    assert worked.exit_code == 0, worked.output
    assert "card scans: failed 1" in worked.output
    row = scan_row(fresh_database, queued)
    assert (row.status, row.error_code) == ("failed", "not_a_card")
    assert row.error_message  # a message for the user, from our error class


def test_wait_gives_up_on_a_busy_worker_and_leaves_the_scan_queued(
    fresh_database: Database,
) -> None:
    settings = test_settings(fresh_database)
    settings.cards.wait_timeout_seconds = 0.2
    service = ScanService(fresh_database, settings)
    tenant = create_tenant_with_keys(fresh_database)
    token = service.claim_token()
    with fresh_database.sessionmaker() as session:
        scan = cards_service.create_scan(
            session,
            tenant_id=tenant.tenant_id,
            actor="test",
            upload=cards_service.Upload(front=blank_png()),
            cipher=PhiCipher.from_settings(settings),
            max_megapixels=40,
            claim=(token, service.lease),
        )
    assert scan_row(fresh_database, scan.id).status == "processing"
    try:
        with service._slots:  # another scan holds the only slot
            assert service.run_inline(scan.id, token) is None
        row = scan_row(fresh_database, scan.id)
        assert (row.status, row.lease_owner, row.attempts) == ("queued", None, 0)
        # The pool picks it up like any queued scan.
        outcome = service.run_once()
        assert outcome is not None
        assert (outcome.scan_id, outcome.status) == (scan.id, "failed")
    finally:
        service.stop()
