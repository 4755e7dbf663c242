"""The delivery worker: claims due outbox rows with a lease, POSTs them signed, records the result.

Claiming is one conditional UPDATE (``state`` due and lease free or expired), so any number of
workers (API threads, ``eligo webhooks deliver`` processes) can run against one database: a row
is delivered by one of them at a time, and a worker killed mid-delivery leaves a row whose lease
expires and which another worker then claims. Delivery is therefore at-least-once; receivers
de-duplicate on ``Eligo-Idempotency-Key``. A result is written only while the writer still holds
the lease, so a slow worker cannot overwrite the outcome of the worker that took over.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

import eligo
from eligo.db.session import Database, declare_write_intent
from eligo.db.types import new_id, utcnow
from eligo.notify import service
from eligo.notify.egress import BlockedAddress, webhook_transport
from eligo.notify.events import event_body
from eligo.notify.models import (
    DEAD,
    DELIVERING,
    PENDING,
    SUCCEEDED,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from eligo.notify.signing import SIGNATURE_HEADER, sign
from eligo.security.crypto import PhiCipher
from eligo.security.exceptions import DecryptionFailed
from eligo.settings import NotifySettings, Settings

logger = logging.getLogger(__name__)

EVENT_ID_HEADER = "Eligo-Event-Id"
EVENT_TYPE_HEADER = "Eligo-Event-Type"
IDEMPOTENCY_HEADER = "Eligo-Idempotency-Key"
DELIVERY_ID_HEADER = "Eligo-Delivery-Id"
ATTEMPT_HEADER = "Eligo-Attempt"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, and the age after which a delivery is dead."""

    base_seconds: float
    max_seconds: float
    max_age_seconds: float

    @classmethod
    def from_settings(cls, notify: NotifySettings) -> RetryPolicy:
        return cls(notify.backoff_base_seconds, notify.backoff_max_seconds, notify.max_age_seconds)

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Wait after the ``attempts``-th failure: base * 2**(attempts-1), capped, times [0.5, 1).

        Half the delay is jitter so that receivers recovering from an outage are not hit by
        every queued delivery in the same second."""
        exponent = min(max(attempts - 1, 0), 60)
        raw = min(self.max_seconds, self.base_seconds * (2.0**exponent))
        return raw * (0.5 + 0.5 * rng.random())

    def next_attempt(
        self, *, attempts: int, now: datetime, window_started_at: datetime, rng: random.Random
    ) -> datetime | None:
        """When to try again, or None when the retry window is spent (dead letter)."""
        at = now + timedelta(seconds=self.delay(attempts, rng))
        if at > window_started_at + timedelta(seconds=self.max_age_seconds):
            return None
        return at


@dataclass(frozen=True)
class Claim:
    """Everything needed to send one claimed delivery, read while claiming."""

    delivery_id: str
    token: str
    attempts: int
    window_started_at: datetime
    url: str
    body: bytes
    secrets: tuple[str, ...]
    event_id: str
    event_type: str
    idempotency_key: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: str
    state: str  # succeeded | pending | dead | lost (the lease was taken over)
    status_code: int | None
    error: str | None


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now),
        and_(WebhookDelivery.state == DELIVERING, WebhookDelivery.lease_until < now),
    )


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}"


class DeliveryWorker:
    """Sends webhook deliveries. ``transport`` is the httpx seam for tests and proxies."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        worker_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.config = settings.notify
        self.policy = RetryPolicy.from_settings(self.config)
        self.cipher = PhiCipher.from_settings(settings)
        self.worker_id = (worker_id or default_worker_id())[:48]
        self.rng = rng or random.Random()  # jitter, not security
        self._rng_lock = threading.Lock()
        # The transport is used directly, not through httpx.Client: the client logs every
        # request URL at INFO, and a receiver's URL may embed its own access token.
        # Redirects are therefore not followed either (a 3xx is a failed attempt).
        self.transport = transport or webhook_transport(settings)
        self._timeout = httpx.Timeout(self.config.timeout_seconds).as_dict()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, self.config.batch_size), thread_name_prefix="eligo-webhook"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.transport.close()

    def __enter__(self) -> DeliveryWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------- claim

    def claim(self) -> list[Claim]:
        """Lease up to ``batch_size`` due deliveries; idle polls only read (take no lock)."""
        now = utcnow()
        with self.database.sessionmaker() as session:
            candidates = list(
                session.execute(
                    select(WebhookDelivery.id)
                    .where(_due(now))
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(self.config.batch_size)
                ).scalars()
            )
        if not candidates:
            return []
        token = f"{self.worker_id}:{new_id()[:12]}"
        with self.database.sessionmaker() as session:
            declare_write_intent(session)
            # The due condition is repeated in the UPDATE: a row another worker claimed since
            # the read no longer matches (PostgreSQL re-checks it after the row lock).
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(candidates), _due(now))
                .values(
                    state=DELIVERING,
                    lease_owner=token,
                    lease_until=now + timedelta(seconds=self.config.lease_seconds),
                    attempts=WebhookDelivery.attempts + 1,
                    last_attempt_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            rows = session.execute(
                select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
                .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.lease_owner == token)
            ).all()
        # Outside the session (objects stay loaded): _build_claim may write a result itself.
        claims: list[Claim] = []
        for delivery, event, endpoint in rows:
            claim = self._build_claim(delivery, event, endpoint, token, now)
            if claim is not None:
                claims.append(claim)
        return claims

    def _build_claim(
        self,
        delivery: WebhookDelivery,
        event: WebhookEvent,
        endpoint: WebhookEndpoint,
        token: str,
        now: datetime,
    ) -> Claim | None:
        if endpoint.deleted_at is not None:
            self._finish(delivery.id, token, DEAD, None, "endpoint deleted")
            return None
        try:
            secrets = service.signing_secrets(endpoint, cipher=self.cipher, now=now)
        except DecryptionFailed:
            # A key configuration problem, not the receiver's: keep retrying on the schedule.
            logger.error("webhook endpoint %s: signing secret does not decrypt", endpoint.id)
            self._record_failure(
                delivery.id,
                token,
                delivery.attempts,
                delivery.window_started_at,
                None,
                "signing secret unavailable",
            )
            return None
        body = event_body(
            event_id=event.id,
            event_type=event.type,
            tenant_id=event.tenant_id,
            created_at=event.created_at,
            idempotency_key=event.idempotency_key,
            payload=event.payload,
        )
        return Claim(
            delivery_id=delivery.id,
            token=token,
            attempts=delivery.attempts,
            window_started_at=delivery.window_started_at,
            url=endpoint.url,
            body=body,
            secrets=tuple(secrets),
            event_id=event.id,
            event_type=event.type,
            idempotency_key=event.idempotency_key,
        )

    # ----------------------------------------------------------------------- send

    def send(self, claim: Claim) -> Outcome:
        """POST one claimed delivery and record the result (only while holding its lease)."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"eligo-webhooks/{eligo.__version__}",
            SIGNATURE_HEADER: sign(claim.body, list(claim.secrets)),
            EVENT_ID_HEADER: claim.event_id,
            EVENT_TYPE_HEADER: claim.event_type,
            IDEMPOTENCY_HEADER: claim.idempotency_key,
            DELIVERY_ID_HEADER: claim.delivery_id,
            ATTEMPT_HEADER: str(claim.attempts),
        }
        status: int | None = None
        error: str | None = None
        try:
            request = httpx.Request(
                "POST",
                claim.url,
                content=claim.body,
                headers=headers,
                extensions={"timeout": self._timeout},
            )
            response = self.transport.handle_request(request)
            # The response body is never read: a receiver cannot make us buffer megabytes.
            status = response.status_code
            response.close()
        except httpx.TimeoutException:
            error = "timeout"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # The class name only: exception text can quote the URL, which may hold a token.
            error = f"transport error: {type(exc).__name__}"
            if isinstance(exc.__cause__, BlockedAddress):
                error = "blocked: the host resolves to a non-public address"
        if status is not None and 200 <= status < 300:
            state = self._finish(claim.delivery_id, claim.token, SUCCEEDED, status, None)
        else:
            error = error or f"HTTP {status}"
            state = self._record_failure(
                claim.delivery_id,
                claim.token,
                claim.attempts,
                claim.window_started_at,
                status,
                error,
            )
        logger.info(
            "webhook delivery %s event %s attempt %d: %s -> %s",
            claim.delivery_id,
            claim.event_id,
            claim.attempts,
            status if status is not None else error,
            state,
        )
        return Outcome(claim.delivery_id, state, status, error)

    def _record_failure(
        self,
        delivery_id: str,
        token: str,
        attempts: int,
        window_started_at: datetime,
        status: int | None,
        error: str,
    ) -> str:
        now = utcnow()
        with self._rng_lock:
            retry_at = self.policy.next_attempt(
                attempts=attempts, now=now, window_started_at=window_started_at, rng=self.rng
            )
        if retry_at is None:
            return self._finish(delivery_id, token, DEAD, status, error)
        return self._finish(delivery_id, token, PENDING, status, error, next_attempt_at=retry_at)

    def _finish(
        self,
        delivery_id: str,
        token: str,
        state: str,
        status: int | None,
        error: str | None,
        *,
        next_attempt_at: datetime | None = None,
    ) -> str:
        now = utcnow()
        values: dict[str, object] = {
            "state": state,
            "lease_owner": None,
            "lease_until": None,
            "last_status_code": status,
            "last_error": error[:300] if error else None,
        }
        if state == SUCCEEDED:
            values["delivered_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        with self.database.sessionmaker() as session:
            declare_write_intent(session)
            result = session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.lease_owner == token,
                    WebhookDelivery.state == DELIVERING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        if result.rowcount != 1:  # type: ignore[attr-defined]
            logger.warning(
                "webhook delivery %s: lease lost before the result was recorded", delivery_id
            )
            return "lost"
        return state

    # ----------------------------------------------------------------------- loops

    def run_once(self) -> list[Outcome]:
        """Claim one batch and send it concurrently; returns what happened to each."""
        claims = self.claim()
        if not claims:
            return []
        return list(self._pool.map(self.send, claims))

    def drain(self, *, max_batches: int = 1000) -> list[Outcome]:
        """Send until nothing is due right now (deliveries scheduled for later stay queued)."""
        outcomes: list[Outcome] = []
        for _ in range(max_batches):
            batch = self.run_once()
            if not batch:
                break
            outcomes.extend(batch)
        return outcomes

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set. Database hiccups are logged and retried, never fatal."""
        logger.info("webhook worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                sent = self.run_once()
            except SQLAlchemyError as exc:
                logger.warning("webhook worker: database error %s; retrying", type(exc).__name__)
                sent = []
            if not sent:
                stop.wait(self.config.poll_interval_seconds)
        logger.info("webhook worker %s stopped", self.worker_id)


class BackgroundWorker:
    """The worker on a daemon thread, for the API process (``ELIGO_NOTIFY__WORKER_ENABLED``)."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=worker.run_forever, args=(self.stop_event,), name="eligo-webhooks", daemon=True
        )

    def start(self) -> BackgroundWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout=timeout)
        self.worker.close()


def start_background_worker(
    database: Database, settings: Settings, *, transport: httpx.BaseTransport | None = None
) -> BackgroundWorker:
    return BackgroundWorker(DeliveryWorker(database, settings, transport=transport)).start()
