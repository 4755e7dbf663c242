"""Webhooks end to end: the API, the outbox and the worker against a real receiver on loopback.

Events are enqueued with ``notify.service.enqueue_event`` in a committed transaction, exactly as
the catalog sync does; the worker runs in-process with a fast retry schedule (seconds, not days).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from eligo.db.session import Database
from eligo.notify import service
from eligo.notify.models import WebhookDelivery, WebhookEndpoint
from eligo.notify.worker import DeliveryWorker
from eligo.security import audit
from eligo.security.models import AuditEvent
from eligo.security.roles import Role
from eligo.settings import Settings, get_settings
from tests.support import SENSITIVE_VALUES, LiveServer, TenantKeys, start_live_server, test_settings
from tests.unit.notify.receiver import Receiver

# Looks like PHI to the log scan (tests/test_zz_logs.py): it must never reach a log line.
PHI_MARKER = "John Roe"


def fast_settings(database: Database, **notify: object) -> Settings:
    settings = test_settings(database)
    settings.notify.backoff_base_seconds = 0.05
    settings.notify.backoff_max_seconds = 0.2
    settings.notify.lease_seconds = 5
    for name, value in notify.items():
        setattr(settings.notify, name, value)
    return settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


Register = Callable[..., dict[str, Any]]


@pytest.fixture
def register(live_server: LiveServer, database: Database) -> Iterator[Register]:
    """Register an endpoint over the API; delete leftovers afterwards (no pending rows leak)."""
    made: list[tuple[str, str]] = []

    def do(keys: TenantKeys, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
        with keys.client(live_server, Role.ADMIN) as client:
            response = client.post(
                "/v1/webhooks",
                json={"url": receiver.url, "events": events or ["sync.completed"]},
            )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        SENSITIVE_VALUES.add(created["secret"])
        receiver.secrets.append(created["secret"])
        made.append((keys.tenant_id, created["id"]))
        return created

    yield do
    with database.sessionmaker() as session:
        for tenant_id, endpoint_id in made:
            row = session.get(WebhookEndpoint, endpoint_id)
            if row is not None and row.deleted_at is None:
                service.delete_endpoint(
                    session, tenant_id=tenant_id, endpoint_id=endpoint_id, actor="test"
                )


def enqueue(database: Database, tenant_id: str, key: str, event: str = "sync.completed") -> None:
    with database.sessionmaker() as session:
        service.enqueue_event(
            session,
            tenant_id=tenant_id,
            event_type=event,
            payload={"run_id": key, "note": PHI_MARKER},
            idempotency_key=key,
        )
        session.commit()


def states(database: Database, endpoint_id: str) -> dict[str, str]:
    with database.sessionmaker() as session:
        rows = session.execute(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        ).scalars()
        return {row.id: row.state for row in rows}


def run_until(worker: DeliveryWorker, done: Callable[[], bool], timeout: float = 15) -> float:
    """Drive the worker until ``done``; returns the seconds it took."""
    start = time.monotonic()
    while not done():
        assert time.monotonic() - start < timeout, "webhook deliveries did not settle in time"
        worker.drain()
        time.sleep(0.02)
    return time.monotonic() - start


# --------------------------------------------------------------------------- API


def test_admin_manages_endpoints_and_the_secret_is_shown_once(
    live_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    receiver: Receiver,
    register: Register,
) -> None:
    created = register(tenant, receiver, ["product.eligibility_changed", "sync.completed"])
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["product.eligibility_changed", "sync.completed"]
    with tenant.client(live_server, Role.ADMIN) as admin:
        listed = admin.get("/v1/webhooks").json()
        assert [e["id"] for e in listed] == [created["id"]]
        one = admin.get(f"/v1/webhooks/{created['id']}")
        assert one.status_code == 200
        assert created["secret"] not in one.text + str(listed)
        rotated = admin.post(f"/v1/webhooks/{created['id']}/rotate-secret")
        assert rotated.status_code == 200
        SENSITIVE_VALUES.add(rotated.json()["secret"])
        assert rotated.json()["secret"] != created["secret"]
        assert rotated.json()["previous_secret_expires_at"] is not None
        deleted = admin.delete(f"/v1/webhooks/{created['id']}")
        assert deleted.status_code == 200
        assert admin.get(f"/v1/webhooks/{created['id']}").status_code == 404
        assert admin.get("/v1/webhooks").json() == []
        # The delivery log outlives the endpoint.
        assert admin.get(f"/v1/webhooks/{created['id']}/deliveries").json() == []
    with database.sessionmaker() as session:
        trail = session.execute(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == tenant.tenant_id, AuditEvent.action.like("webhook.%"))
            .order_by(AuditEvent.seq)
        ).scalars()
        trail_list = list(trail)
    assert [e.action for e in trail_list] == [
        "webhook.created",
        "webhook.secret_rotated",
        "webhook.deleted",
    ]
    assert {e.object_id for e in trail_list} == {created["id"]}
    assert "whsec_" not in str([e.detail for e in trail_list])
    assert receiver.url not in str([e.detail for e in trail_list])


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.REVIEWER])
def test_only_admins_touch_webhooks(
    live_server: LiveServer, tenant: TenantKeys, role: Role
) -> None:
    with tenant.client(live_server, role) as client:
        response = client.post(
            "/v1/webhooks", json={"url": "https://example.com/x", "events": ["sync.completed"]}
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert client.get("/v1/webhooks").status_code == 403


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://example.com/x", "events": ["sync.completed"]}, "invalid_input"),
        ({"url": "https://example.com/x", "events": ["sync.exploded"]}, "invalid_input"),
        ({"url": "https://example.com/x", "events": []}, "invalid_input"),
        ({"url": "https://u:p@example.com/x", "events": ["sync.completed"]}, "invalid_input"),
        ({"url": "https://example.com/x", "events": ["sync.completed"], "x": 1}, "invalid_input"),
    ],
)
def test_bad_registrations_get_the_error_envelope(
    live_server: LiveServer, tenant: TenantKeys, body: dict[str, Any], code: str
) -> None:
    with tenant.client(live_server, Role.ADMIN) as admin:
        response = admin.post("/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert "p@example" not in response.text


# --------------------------------------------------------------------------- delivery


def test_signed_delivery_reaches_a_real_receiver(
    live_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    receiver: Receiver,
    register: Register,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = register(tenant, receiver)
    key = f"sync:{uuid.uuid4().hex}"
    enqueue(database, tenant.tenant_id, key)
    with caplog.at_level(logging.DEBUG), DeliveryWorker(database, fast_settings(database)) as w:
        run_until(w, lambda: receiver.accepted()[key] == 1)
    # The receiver's URL (it may carry the receiver's own token) is never logged.
    assert "webhook delivery" in caplog.text
    assert "/hooks/eligo" not in caplog.text
    [request] = [r for r in receiver.requests if r.idempotency_key == key]
    assert request.verified  # checked by the receiver with eligo.notify.signing.verify
    assert request.json()["data"] == {"run_id": key, "note": PHI_MARKER}
    assert request.headers["eligo-event-id"] == request.json()["id"]
    with tenant.client(live_server, Role.ADMIN) as admin:
        [logged] = admin.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    assert logged["state"] == "succeeded"
    assert logged["idempotency_key"] == key
    assert logged["last_status_code"] == 200
    assert logged["event_id"] == request.json()["id"]


def test_receiver_failing_then_recovering_gets_each_event_exactly_once(
    database: Database, tenant: TenantKeys, receiver: Receiver, register: Register
) -> None:
    hook = register(tenant, receiver)
    receiver.fail_first = 7
    keys = [f"change:{uuid.uuid4().hex}" for _ in range(5)]
    for key in keys:
        enqueue(database, tenant.tenant_id, key)
    with DeliveryWorker(database, fast_settings(database)) as worker:
        took = run_until(
            worker, lambda: set(states(database, hook["id"]).values()) == {"succeeded"}
        )
    accepted = receiver.accepted()
    assert {k: accepted[k] for k in keys} == dict.fromkeys(keys, 1)
    assert sum(1 for r in receiver.requests if r.status == 500) == 7
    assert all(r.verified for r in receiver.requests)
    # Retries carry the same event id and idempotency key, and a fresh signature.
    for key in keys:
        tries = [r for r in receiver.requests if r.idempotency_key == key]
        assert len({r.headers["eligo-event-id"] for r in tries}) == 1
        assert [r.headers["eligo-attempt"] for r in tries] == [
            str(i + 1) for i in range(len(tries))
        ]
    assert took < 10


def test_dead_letter_then_replay_over_the_api_is_audited(
    live_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    receiver: Receiver,
    register: Register,
) -> None:
    hook = register(tenant, receiver)
    receiver.always_fail = True
    key = f"dead:{uuid.uuid4().hex}"
    enqueue(database, tenant.tenant_id, key)
    with DeliveryWorker(database, fast_settings(database, max_age_seconds=0.3)) as worker:
        run_until(worker, lambda: list(states(database, hook["id"]).values()) == ["dead"])
        tries = sum(1 for r in receiver.requests if r.idempotency_key == key)
        assert tries >= 2
        with tenant.client(live_server, Role.ADMIN) as admin:
            [dead] = admin.get(
                f"/v1/webhooks/{hook['id']}/deliveries", params={"state": "dead"}
            ).json()
            assert dead["last_status_code"] == 500
            assert dead["next_attempt_at"] is None
            receiver.always_fail = False
            replay_path = f"/v1/webhooks/{hook['id']}/deliveries/{dead['id']}/replay"
            replayed = admin.post(replay_path)
            assert replayed.status_code == 200, replayed.text
            assert replayed.json()["state"] == "pending"
            # Only dead deliveries replay: a second replay while pending is a conflict.
            assert admin.post(replay_path).json()["error"]["code"] == "conflict"
        run_until(worker, lambda: receiver.accepted()[key] == 1)
    with database.sessionmaker() as session:
        row = session.get_one(WebhookDelivery, dead["id"])
        assert (row.state, row.replay_count) == ("succeeded", 1)
        events = session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "webhook.replayed", AuditEvent.object_id == dead["id"]
            )
        ).scalars()
        [event] = list(events)
        assert event.tenant_id == tenant.tenant_id
        assert event.actor == f"key:{tenant.key_ids[Role.ADMIN]}"
        assert audit.verify_chain(session).ok


def test_cli_replays_dead_deliveries(
    database: Database,
    tenant: TenantKeys,
    receiver: Receiver,
    register: Register,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from eligo.cli.main import app

    hook = register(tenant, receiver)
    receiver.always_fail = True
    key = f"cli:{uuid.uuid4().hex}"
    enqueue(database, tenant.tenant_id, key)
    with DeliveryWorker(database, fast_settings(database, max_age_seconds=0)) as worker:
        run_until(worker, lambda: list(states(database, hook["id"]).values()) == ["dead"])
        receiver.always_fail = False
        monkeypatch.setenv(
            "ELIGO_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
        )
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(
                app, ["webhooks", "replay", "--dead", "--tenant", tenant.name]
            )
            listing = CliRunner().invoke(app, ["webhooks", "list", "--tenant", tenant.name])
            refused = CliRunner().invoke(app, ["webhooks", "replay"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        assert "replayed 1 dead delivery" in result.output
        assert hook["id"] in listing.output
        assert "pending 1" in listing.output
        assert refused.exit_code == 2
        run_until(worker, lambda: receiver.accepted()[key] == 1)
    with database.sessionmaker() as session:
        [event] = session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "webhook.replayed", AuditEvent.tenant_id == tenant.tenant_id
            )
        ).scalars()
        assert event.actor == "cli"


def test_tenants_never_see_or_trigger_each_others_webhooks(
    live_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    other_tenant: TenantKeys,
    register: Register,
) -> None:
    mine, theirs = Receiver(), Receiver()
    try:
        my_hook = register(tenant, mine, ["product.eligibility_changed"])
        register(other_tenant, theirs, ["product.eligibility_changed"])
        with other_tenant.client(live_server, Role.ADMIN) as intruder:
            assert my_hook["id"] not in intruder.get("/v1/webhooks").text
            for method, path in [
                ("GET", f"/v1/webhooks/{my_hook['id']}"),
                ("GET", f"/v1/webhooks/{my_hook['id']}/deliveries"),
                ("POST", f"/v1/webhooks/{my_hook['id']}/rotate-secret"),
                ("DELETE", f"/v1/webhooks/{my_hook['id']}"),
            ]:
                response = intruder.request(method, path)
                assert response.status_code == 404, (method, path)
        # A change for one merchant notifies only that merchant's endpoint.
        key = f"gtin:{uuid.uuid4().hex}"
        enqueue(database, tenant.tenant_id, key, "product.eligibility_changed")
        with DeliveryWorker(database, fast_settings(database)) as worker:
            run_until(worker, lambda: mine.accepted()[key] == 1)
            worker.drain()
        assert theirs.requests == []
        assert states(database, my_hook["id"])
    finally:
        mine.close()
        theirs.close()


def test_the_api_process_runs_the_worker_when_enabled(
    database: Database, tenant: TenantKeys, receiver: Receiver, register: Register
) -> None:
    settings = fast_settings(database, worker_enabled=True, poll_interval_seconds=0.05)
    server = start_live_server(settings, database)
    try:
        register(tenant, receiver)
        key = f"lifespan:{uuid.uuid4().hex}"
        enqueue(database, tenant.tenant_id, key)
        deadline = time.monotonic() + 10
        while receiver.accepted()[key] != 1:
            assert time.monotonic() < deadline, "the in-service worker sent nothing"
            time.sleep(0.05)
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/healthz").status_code < 500
    finally:
        server.stop()
    assert not any(t.name == "eligo-webhooks" and t.is_alive() for t in _threads())


def _threads() -> list[threading.Thread]:
    return threading.enumerate()


def test_a_hanging_receiver_times_out_and_is_retried(
    database: Database, tenant: TenantKeys, register: Register
) -> None:
    hold = threading.Event()
    slow = Receiver(hold=hold)
    try:
        hook = register(tenant, slow)
        key = f"slow:{uuid.uuid4().hex}"
        enqueue(database, tenant.tenant_id, key)
        settings = fast_settings(database, timeout_seconds=0.3, backoff_base_seconds=30)
        with DeliveryWorker(database, settings) as worker:
            start = time.monotonic()
            worker.drain()
            elapsed = time.monotonic() - start
        with database.sessionmaker() as session:
            row = session.execute(
                select(WebhookDelivery).where(WebhookDelivery.endpoint_id == hook["id"])
            ).scalar_one()
        assert (row.state, row.last_error) == ("pending", "timeout")
        assert elapsed < 3
    finally:
        slow.close()


def test_two_workers_at_once_deliver_each_event_exactly_once(
    database: Database, tenant: TenantKeys, receiver: Receiver, register: Register
) -> None:
    hook = register(tenant, receiver)
    receiver.fail_first = 10
    keys = [f"pair:{i}:{uuid.uuid4().hex}" for i in range(40)]
    for key in keys:
        enqueue(database, tenant.tenant_id, key)
    settings = fast_settings(database, batch_size=4)
    stop = threading.Event()
    workers = [DeliveryWorker(database, settings, worker_id=f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run_forever, args=(stop,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while set(states(database, hook["id"]).values()) != {"succeeded"}:
            assert time.monotonic() < deadline, "two workers did not settle"
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        for worker in workers:
            worker.close()
    accepted = receiver.accepted()
    assert {k: accepted[k] for k in keys} == dict.fromkeys(keys, 1)
    assert sum(accepted.values()) == len(keys)


def test_a_prod_worker_never_connects_to_a_private_address(
    live_server: LiveServer,
    database: Database,
    tenant: TenantKeys,
    receiver: Receiver,
    register: Register,
) -> None:
    # Registered where private receivers are allowed (as a DNS name could be, before it is
    # pointed at an internal host); a prod worker still refuses to connect at send time.
    hook = register(tenant, receiver)
    key = f"sync:{uuid.uuid4().hex}"
    enqueue(database, tenant.tenant_id, key)
    settings = fast_settings(database, max_age_seconds=0.0)  # first failure: dead letter
    settings.env = "prod"
    with DeliveryWorker(database, settings) as worker:
        run_until(worker, lambda: "dead" in states(database, hook["id"]).values())
    assert receiver.requests == []
    with tenant.client(live_server, Role.ADMIN) as admin:
        [logged] = admin.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    assert logged["last_error"] == "blocked: the host resolves to a non-public address"
