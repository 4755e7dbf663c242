"""The outbox and the worker against a real database (SQLite and PostgreSQL), with an httpx
MockTransport as the receiver: transactional enqueue, claiming, leases, retries, secrets."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from eligo.db.session import Database
from eligo.db.types import utcnow
from eligo.notify import service
from eligo.notify.exceptions import UnknownEventType
from eligo.notify.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from eligo.notify.signing import verify
from eligo.notify.worker import DeliveryWorker
from eligo.security import service as security_service
from eligo.security.crypto import PhiCipher
from eligo.security.exceptions import DecryptionFailed
from eligo.settings import Settings

RECEIVER = "http://receiver.test/hook"


def make_settings(database: Database, **notify: object) -> Settings:
    settings = Settings(env="test", database_url=str(database.engine.url))
    for name, value in notify.items():
        setattr(settings.notify, name, value)
    return settings


@pytest.fixture
def settings(database: Database) -> Settings:
    return make_settings(database, backoff_base_seconds=30, lease_seconds=30)


@pytest.fixture
def tenant_id(database: Database) -> str:
    with database.sessionmaker() as session:
        return security_service.create_tenant(
            session, name=f"notify-{uuid.uuid4().hex[:10]}", kind="merchant", actor="test"
        ).id


Factory = Callable[..., service.IssuedSecret]


@pytest.fixture
def endpoint(database: Database, settings: Settings) -> Iterator[Factory]:
    """Creates endpoints; deletes them afterwards so no pending row outlives its test."""
    made: list[tuple[str, str]] = []

    def factory(tenant_id: str, events: list[str] | None = None) -> service.IssuedSecret:
        with database.sessionmaker() as session:
            issued = service.create_endpoint(
                session,
                tenant_id=tenant_id,
                url=RECEIVER,
                events=events or ["sync.completed"],
                description="",
                actor="test",
                cipher=PhiCipher.from_settings(settings),
                allow_private_targets=False,
            )
        made.append((tenant_id, issued.endpoint.id))
        return issued

    yield factory
    with database.sessionmaker() as session:
        for tenant_id, endpoint_id in made:
            if session.get(WebhookEndpoint, endpoint_id).deleted_at is None:  # type: ignore[union-attr]
                service.delete_endpoint(
                    session, tenant_id=tenant_id, endpoint_id=endpoint_id, actor="test"
                )


def enqueue(database: Database, tenant_id: str, key: str, event: str = "sync.completed") -> None:
    with database.sessionmaker() as session:
        service.enqueue_event(
            session,
            tenant_id=tenant_id,
            event_type=event,
            payload={"run": key},
            idempotency_key=key,
        )
        session.commit()


def deliveries(database: Database, endpoint_id: str) -> list[WebhookDelivery]:
    with database.sessionmaker() as session:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        return list(session.execute(query).scalars())


def recording(status: int = 200) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    return httpx.MockTransport(handler), seen


# --------------------------------------------------------------------------- enqueue


def test_enqueue_writes_nothing_when_the_caller_rolls_back(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    with database.sessionmaker() as session:
        service.enqueue_event(
            session,
            tenant_id=tenant_id,
            event_type="sync.completed",
            payload={"run": 1},
            idempotency_key="rolled-back",
        )
        session.rollback()
    assert deliveries(database, hook.endpoint.id) == []


def test_enqueue_fans_out_to_subscribed_endpoints_once_per_key(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    both = endpoint(tenant_id, ["sync.completed", "product.eligibility_changed"])
    sync_only = endpoint(tenant_id, ["sync.completed"])
    gone = endpoint(tenant_id, ["sync.completed"])
    with database.sessionmaker() as session:
        service.delete_endpoint(
            session, tenant_id=tenant_id, endpoint_id=gone.endpoint.id, actor="test"
        )
    with database.sessionmaker() as session:
        other_tenant = security_service.create_tenant(
            session, name=f"other-{uuid.uuid4().hex[:8]}", kind="merchant", actor="test"
        ).id
    foreign = endpoint(other_tenant, ["sync.completed", "product.eligibility_changed"])

    enqueue(database, tenant_id, "k-sync")
    enqueue(database, tenant_id, "k-sync")  # a retried job: no second event
    enqueue(database, tenant_id, "k-change", "product.eligibility_changed")

    assert len(deliveries(database, both.endpoint.id)) == 2
    assert len(deliveries(database, sync_only.endpoint.id)) == 1
    assert deliveries(database, gone.endpoint.id) == []
    assert deliveries(database, foreign.endpoint.id) == []
    with database.sessionmaker() as session:
        events = session.execute(
            select(WebhookEvent).where(WebhookEvent.tenant_id == tenant_id)
        ).scalars()
        assert sorted(e.idempotency_key for e in events) == ["k-change", "k-sync"]


def test_enqueue_refuses_unknown_types_and_unserializable_payloads(
    database: Database, tenant_id: str
) -> None:
    with database.sessionmaker() as session:
        with pytest.raises(UnknownEventType):
            service.enqueue_event(
                session, tenant_id=tenant_id, event_type="x.y", payload={}, idempotency_key="k"
            )
        with pytest.raises(TypeError):
            service.enqueue_event(
                session,
                tenant_id=tenant_id,
                event_type="sync.completed",
                payload={"when": object()},
                idempotency_key="k",
            )
        with pytest.raises(ValueError, match="idempotency_key"):
            service.enqueue_event(
                session,
                tenant_id=tenant_id,
                event_type="sync.completed",
                payload={},
                idempotency_key="",
            )


# --------------------------------------------------------------------------- worker


def test_delivery_is_signed_and_carries_the_documented_headers(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "sync:run-1")
    transport, seen = recording(200)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        outcomes = worker.drain()
    mine = [r for r in seen if r.headers["eligo-idempotency-key"] == "sync:run-1"]
    assert len(mine) == 1
    request = mine[0]
    assert verify(request.content, request.headers["eligo-signature"], hook.secret) > 0
    body = json.loads(request.content)
    assert body["type"] == "sync.completed"
    assert body["data"] == {"run": "sync:run-1"}
    assert body["id"] == request.headers["eligo-event-id"]
    assert body["id"].startswith("evt_")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["eligo-attempt"] == "1"
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.attempts, row.last_status_code) == ("succeeded", 1, 200)
    assert row.delivered_at is not None
    assert row.lease_owner is None
    assert any(o.delivery_id == row.id and o.state == "succeeded" for o in outcomes)


def test_failure_schedules_a_retry_with_backoff(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "fails")
    transport, seen = recording(503)
    before = utcnow()
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
        [row] = deliveries(database, hook.endpoint.id)
        assert (row.state, row.attempts, row.last_status_code) == ("pending", 1, 503)
        assert row.last_error == "HTTP 503"
        # base 30 s, first retry in [15 s, 30 s)
        assert before + timedelta(seconds=15) <= row.next_attempt_at
        assert row.next_attempt_at <= utcnow() + timedelta(seconds=30)
        # Not due yet: another pass sends nothing for it.
        worker.drain()
    assert sum(1 for r in seen if r.headers["eligo-idempotency-key"] == "fails") == 1


def test_transport_errors_are_recorded_without_the_url(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "refused")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    with DeliveryWorker(database, settings, transport=httpx.MockTransport(refuse)) as worker:
        worker.drain()
    [row] = deliveries(database, hook.endpoint.id)
    assert row.state == "pending"
    assert row.last_error == "transport error: ConnectError"


def test_a_receiver_that_hangs_times_out(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "hangs")

    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    settings = make_settings(database, timeout_seconds=0.2)
    with DeliveryWorker(database, settings, transport=httpx.MockTransport(hang)) as worker:
        worker.drain()
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.last_error, row.last_status_code) == ("pending", "timeout", None)


def test_past_the_max_age_a_failure_is_dead(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "dies")
    settings = make_settings(database, backoff_base_seconds=1, max_age_seconds=0)
    transport, _ = recording(500)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.attempts) == ("dead", 1)


def test_two_workers_never_claim_the_same_delivery(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    for i in range(6):
        enqueue(database, tenant_id, f"split-{i}")
    settings.notify.batch_size = 4
    with (
        DeliveryWorker(database, settings, worker_id="a") as a,
        DeliveryWorker(database, settings, worker_id="b") as b,
    ):
        first, second = a.claim(), b.claim()
    mine = {d.id for d in deliveries(database, hook.endpoint.id)}
    ids_a = {c.delivery_id for c in first} & mine
    ids_b = {c.delivery_id for c in second} & mine
    assert not ids_a & ids_b
    assert ids_a | ids_b == mine


def test_an_expired_lease_is_taken_over_and_the_late_result_is_ignored(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "lease")
    settings = make_settings(database, lease_seconds=0.3, backoff_base_seconds=30)
    transport, seen = recording(200)
    with (
        DeliveryWorker(database, settings, transport=transport, worker_id="dies") as stuck,
        DeliveryWorker(database, settings, transport=transport, worker_id="rescuer") as rescuer,
    ):
        [claim] = [c for c in stuck.claim() if c.idempotency_key == "lease"]
        # Leased: not claimable while the lease runs.
        assert all(c.delivery_id != claim.delivery_id for c in rescuer.claim())
        time.sleep(0.4)
        rescued = [o for o in rescuer.drain() if o.delivery_id == claim.delivery_id]
        assert [o.state for o in rescued] == ["succeeded"]
        # The first worker wakes up and sends too (at-least-once), but cannot rewrite history.
        assert stuck.send(claim).state == "lost"
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.attempts) == ("succeeded", 2)
    keys = [r.headers["eligo-idempotency-key"] for r in seen]
    assert keys.count("lease") == 2


def test_rotation_signs_with_both_secrets_until_the_overlap_ends(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    cipher = PhiCipher.from_settings(settings)
    with database.sessionmaker() as session:
        rotated = service.rotate_secret(
            session,
            tenant_id=tenant_id,
            endpoint_id=hook.endpoint.id,
            actor="test",
            cipher=cipher,
            overlap=timedelta(hours=1),
        )
        endpoint_row = session.get_one(WebhookEndpoint, hook.endpoint.id)
        assert service.signing_secrets(endpoint_row, cipher=cipher) == [
            rotated.secret,
            hook.secret,
        ]
        later = utcnow() + timedelta(hours=2)
        assert service.signing_secrets(endpoint_row, cipher=cipher, now=later) == [rotated.secret]
    enqueue(database, tenant_id, "rotated")
    transport, seen = recording(200)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
    [request] = [r for r in seen if r.headers["eligo-idempotency-key"] == "rotated"]
    header = request.headers["eligo-signature"]
    assert header.count("v1=") == 2
    verify(request.content, header, hook.secret)  # receivers not yet updated still verify
    verify(request.content, header, rotated.secret)
    with database.sessionmaker() as session:
        service.rotate_secret(
            session,
            tenant_id=tenant_id,
            endpoint_id=hook.endpoint.id,
            actor="test",
            cipher=cipher,
            overlap=timedelta(0),
        )
        endpoint_row = session.get_one(WebhookEndpoint, hook.endpoint.id)
        assert len(service.signing_secrets(endpoint_row, cipher=cipher)) == 1


def test_secrets_are_sealed_at_rest_and_bound_to_their_endpoint(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    first, second = endpoint(tenant_id), endpoint(tenant_id)
    cipher = PhiCipher.from_settings(settings)
    with database.sessionmaker() as session:
        row = session.get_one(WebhookEndpoint, first.endpoint.id)
        assert first.secret.encode() not in row.secret_blob
        # A blob copied onto another endpoint does not open.
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == second.endpoint.id)
            .values(secret_blob=row.secret_blob)
        )
        session.commit()
        stolen = session.get_one(WebhookEndpoint, second.endpoint.id)
        session.refresh(stolen)
        with pytest.raises(DecryptionFailed):
            service.signing_secrets(stolen, cipher=cipher)


def test_a_delivery_for_an_endpoint_deleted_meanwhile_is_not_sent(
    database: Database, settings: Settings, tenant_id: str, endpoint: Factory
) -> None:
    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "raced")
    with database.sessionmaker() as session:
        # The endpoint vanishes between enqueue and claim, its deliveries not yet cancelled.
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == hook.endpoint.id)
            .values(deleted_at=utcnow())
        )
        session.commit()
    transport, seen = recording(200)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
    assert not [r for r in seen if r.headers["eligo-idempotency-key"] == "raced"]
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.last_error) == ("dead", "endpoint deleted")


def test_a_worker_with_the_wrong_key_retries_instead_of_sending_unsigned(
    database: Database, tenant_id: str, endpoint: Factory
) -> None:
    import base64

    hook = endpoint(tenant_id)
    enqueue(database, tenant_id, "wrong-key")
    settings = make_settings(database)
    settings.phi_key = type(settings.phi_key)(base64.b64encode(b"\x01" * 32).decode())
    transport, seen = recording(200)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
    assert not [r for r in seen if r.headers["eligo-idempotency-key"] == "wrong-key"]
    [row] = deliveries(database, hook.endpoint.id)
    assert (row.state, row.last_error) == ("pending", "signing secret unavailable")


def test_prune_removes_only_finished_work(fresh_database: Database) -> None:
    database = fresh_database
    settings = make_settings(database)
    with database.sessionmaker() as session:
        tenant = security_service.create_tenant(session, name="p", kind="merchant", actor="t")
        hook = service.create_endpoint(
            session,
            tenant_id=tenant.id,
            url=RECEIVER,
            events=["sync.completed"],
            description="",
            actor="test",
            cipher=PhiCipher.from_settings(settings),
            allow_private_targets=False,
        )
    enqueue(database, tenant.id, "done")
    transport, _ = recording(200)
    with DeliveryWorker(database, settings, transport=transport) as worker:
        worker.drain()
    enqueue(database, tenant.id, "waiting")
    with database.sessionmaker() as session:
        counts = service.prune(session, before=utcnow() + timedelta(seconds=5), actor="test")
        assert counts == {"deliveries": 1, "events": 1}
        left = session.execute(select(WebhookEvent)).scalars().all()
        assert [e.idempotency_key for e in left] == ["waiting"]
    assert [d.state for d in deliveries(database, hook.endpoint.id)] == ["pending"]
