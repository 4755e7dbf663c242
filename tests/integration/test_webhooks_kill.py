"""A real ``eligo webhooks deliver`` process, SIGKILLed mid-delivery, then restarted: the
delivery's lease expires and the new process delivers it (same event id and idempotency key)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from eligo.db.session import Database
from eligo.notify import service
from eligo.notify.models import WebhookDelivery
from eligo.security import service as security_service
from eligo.security.crypto import PhiCipher
from eligo.settings import Settings
from tests.support import SENSITIVE_VALUES
from tests.unit.notify.receiver import Receiver

PHI_MARKER = "John Roe"
LEASE_SECONDS = 1.0


def start_worker(database: Database, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ELIGO_ENV": "test",
        "ELIGO_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        "ELIGO_NOTIFY__LEASE_SECONDS": str(LEASE_SECONDS),
        "ELIGO_NOTIFY__POLL_INTERVAL_SECONDS": "0.05",
        "ELIGO_LOG__LEVEL": "INFO",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "eligo.cli.main", "webhooks", "deliver"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def delivery(database: Database, endpoint_id: str) -> WebhookDelivery:
    with database.sessionmaker() as session:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        return session.execute(query).scalar_one()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - start


def test_worker_killed_mid_delivery_delivers_after_restart(
    fresh_database: Database, tmp_path: Path
) -> None:
    database = fresh_database
    hold = threading.Event()
    receiver = Receiver(hold=hold)
    log = tmp_path / "worker.log"
    first = second = None
    try:
        with database.sessionmaker() as session:
            tenant = security_service.create_tenant(
                session, name=f"kill-{uuid.uuid4().hex[:8]}", kind="merchant", actor="test"
            )
            issued = service.create_endpoint(
                session,
                tenant_id=tenant.id,
                url=receiver.url,
                events=["product.eligibility_changed"],
                description="",
                actor="test",
                cipher=PhiCipher.from_settings(Settings(env="test")),
                allow_private_targets=True,
            )
            SENSITIVE_VALUES.add(issued.secret)
            receiver.secrets.append(issued.secret)
            key = f"sync-run-7:{tenant.id}"
            service.enqueue_event(
                session,
                tenant_id=tenant.id,
                event_type="product.eligibility_changed",
                payload={"gtins": ["00012345678905"], "note": PHI_MARKER},
                idempotency_key=key,
            )
            session.commit()
        endpoint_id = issued.endpoint.id

        first = start_worker(database, log)
        assert receiver.arrived.wait(60), "the first worker never sent the delivery"
        row = delivery(database, endpoint_id)
        assert row.state == "delivering"
        assert row.lease_owner is not None
        assert f":{first.pid}:" in row.lease_owner
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
        killed_at = time.monotonic()
        # The receiver's first request never gets its answer to the dead process.
        receiver.hold = None
        hold.set()

        second = start_worker(database, log)
        wait_for(lambda: receiver.accepted()[key] == 1, 60, "redelivery after restart")
        redelivered_after = time.monotonic() - killed_at
        wait_for(lambda: delivery(database, endpoint_id).state == "succeeded", 10, "bookkeeping")
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0, "the worker should exit cleanly on SIGTERM"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
        receiver.close()

    row = delivery(database, endpoint_id)
    assert (row.state, row.attempts) == ("succeeded", 2)
    tries = [r for r in receiver.requests if r.idempotency_key == key]
    assert len(tries) == 2
    assert all(r.verified for r in tries)
    assert len({r.headers["eligo-event-id"] for r in tries}) == 1
    assert [r.headers["eligo-attempt"] for r in tries] == ["1", "2"]
    # The lease (1 s) bounds how long a dead worker delays a delivery, plus process start-up.
    assert redelivered_after >= LEASE_SECONDS * 0.5
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "webhook worker" in text
    assert issued.secret not in text
    assert PHI_MARKER not in text
