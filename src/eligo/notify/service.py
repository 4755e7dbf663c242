"""Webhook endpoints, the outbox writer and replays: keyword-only functions over a session.

Other domains call ``enqueue_event`` inside their own transaction; nothing here commits on
their behalf, so an event exists exactly when the change that caused it does.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from eligo.db.session import declare_write_intent
from eligo.db.types import new_id, utcnow
from eligo.notify.events import EVENT_ID_PREFIX, EVENT_TYPES
from eligo.notify.exceptions import (
    DeliveryNotFound,
    DeliveryNotReplayable,
    InvalidWebhookUrl,
    UnknownEventType,
    WebhookNotFound,
)
from eligo.notify.models import (
    DEAD,
    DELIVERING,
    PENDING,
    SUCCEEDED,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from eligo.security import audit
from eligo.security.crypto import PhiCipher

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public prefix, not a secret
MAX_IDEMPOTENCY_KEY = 200
MAX_URL = 2048
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
MAX_ROTATION_OVERLAP = timedelta(days=7)


@dataclass(frozen=True)
class IssuedSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown once, stored only encrypted


# --------------------------------------------------------------------------- outbox


def enqueue_event(
    session: Session,
    *,
    tenant_id: str,
    event_type: str,
    payload: dict[str, Any],
    idempotency_key: str,
) -> None:
    """Write one outbox row per endpoint of ``tenant_id`` subscribed to ``event_type``.

    Runs in the caller's transaction and never commits: the event is sent only if the caller
    commits. A second call with the same ``(tenant_id, idempotency_key)`` is a no-op, so a
    retried job does not notify twice. With no subscribed endpoint nothing is written.
    ``payload`` must be JSON-serializable and carry ids and statuses only, never PHI.
    """
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(f"Unknown webhook event type {event_type!r}")
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        raise ValueError(f"idempotency_key must be 1-{MAX_IDEMPOTENCY_KEY} characters")
    # Fail here, in the caller's transaction, rather than in the worker days later.
    json.dumps(payload)
    declare_write_intent(session)
    endpoints = [
        endpoint
        for endpoint in _active_endpoints(session, tenant_id=tenant_id)
        if event_type in endpoint.events
    ]
    if not endpoints:
        return
    duplicate = session.execute(
        select(WebhookEvent.id).where(
            WebhookEvent.tenant_id == tenant_id,
            WebhookEvent.idempotency_key == idempotency_key,
        )
    ).first()
    if duplicate is not None:
        logger.debug("webhook event %s already enqueued; skipping the duplicate", duplicate[0])
        return
    now = utcnow()
    event = WebhookEvent(
        id=EVENT_ID_PREFIX + new_id(),
        tenant_id=tenant_id,
        type=event_type,
        idempotency_key=idempotency_key,
        payload=payload,
        created_at=now,
    )
    session.add(event)
    session.flush()
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                tenant_id=tenant_id,
                event_id=event.id,
                endpoint_id=endpoint.id,
                state=PENDING,
                next_attempt_at=now,
                window_started_at=now,
                created_at=now,
            )
        )
    session.flush()
    logger.info(
        "webhook event %s (%s) queued for %d endpoint(s)", event.id, event_type, len(endpoints)
    )


# --------------------------------------------------------------------------- endpoints


def validate_url(url: str, *, allow_private_targets: bool) -> str:
    """An absolute http(s) URL without credentials; private and loopback hosts only if allowed."""
    if len(url) > MAX_URL:
        raise InvalidWebhookUrl(f"The webhook URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError as exc:
        raise InvalidWebhookUrl("The webhook URL could not be parsed") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrl(
            "The webhook URL must start with http:// or https:// and name a host"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrl("Put no credentials in the webhook URL; verify our signature")
    if port == 0:
        raise InvalidWebhookUrl("The webhook URL has port 0")
    if not allow_private_targets and _is_private_host(parts.hostname):
        raise InvalidWebhookUrl(
            "The webhook URL points at a loopback or private address; use a public host"
        )
    return url


def _is_private_host(host: str) -> bool:
    lowered = host.lower().rstrip(".")
    if lowered == "localhost" or lowered.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(lowered)
    except ValueError:
        return False  # a DNS name; see docs/webhooks.md on resolving to private addresses
    return not address.is_global


def _check_events(events: Sequence[str]) -> list[str]:
    unknown = sorted(set(events) - EVENT_TYPES)
    if unknown:
        raise UnknownEventType(f"Unknown webhook event types: {', '.join(unknown)}")
    if not events:
        raise UnknownEventType("Subscribe to at least one event type")
    return sorted(set(events))


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _secret_aad(endpoint_id: str) -> bytes:
    # Binds each sealed secret to its endpoint: a blob copied to another row does not open.
    return f"webhook-secret:{endpoint_id}".encode("ascii")


def create_endpoint(
    session: Session,
    *,
    tenant_id: str,
    url: str,
    events: Sequence[str],
    description: str,
    actor: str,
    cipher: PhiCipher,
    allow_private_targets: bool,
    request_id: str | None = None,
) -> IssuedSecret:
    declare_write_intent(session)
    url = validate_url(url, allow_private_targets=allow_private_targets)
    event_list = _check_events(events)
    endpoint_id = new_id()
    secret = _new_secret()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        tenant_id=tenant_id,
        url=url,
        description=description,
        events=event_list,
        secret_blob=cipher.encrypt_text(secret, associated_data=_secret_aad(endpoint_id)),
        created_by=actor,
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session,
        action="webhook.created",
        actor=actor,
        tenant_id=tenant_id,
        object_type="webhook_endpoint",
        object_id=endpoint_id,
        request_id=request_id,
        # The URL may embed a receiver's token in its path or query: keep it out of the chain.
        detail={"events": event_list, "scheme": urlsplit(url).scheme},
    )
    session.commit()
    return IssuedSecret(endpoint=endpoint, secret=secret)


def _active_endpoints(session: Session, *, tenant_id: str) -> list[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(session.execute(query).scalars())


def list_endpoints(session: Session, *, tenant_id: str | None) -> list[WebhookEndpoint]:
    """Active endpoints of one tenant, or of every tenant (``None``: CLI only)."""
    if tenant_id is not None:
        return _active_endpoints(session, tenant_id=tenant_id)
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.tenant_id, WebhookEndpoint.created_at)
    )
    return list(session.execute(query).scalars())


def get_endpoint(session: Session, *, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
    """The tenant's active endpoint; another tenant's id is simply not found."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.tenant_id != tenant_id or endpoint.deleted_at is not None:
        raise WebhookNotFound()
    return endpoint


def delete_endpoint(
    session: Session,
    *,
    tenant_id: str,
    endpoint_id: str,
    actor: str,
    request_id: str | None = None,
) -> WebhookEndpoint:
    """Soft-delete the endpoint; its undelivered deliveries become dead (replayable no more)."""
    declare_write_intent(session)
    endpoint = get_endpoint(session, tenant_id=tenant_id, endpoint_id=endpoint_id)
    now = utcnow()
    endpoint.deleted_at = now
    cancelled = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.state.in_((PENDING, DELIVERING)),
        )
        .values(state=DEAD, lease_owner=None, lease_until=None, last_error="endpoint deleted")
    )
    audit.record(
        session,
        action="webhook.deleted",
        actor=actor,
        tenant_id=tenant_id,
        object_type="webhook_endpoint",
        object_id=endpoint_id,
        request_id=request_id,
        detail={"cancelled_deliveries": int(cancelled.rowcount)},  # type: ignore[attr-defined]
    )
    session.commit()
    return endpoint


def rotate_secret(
    session: Session,
    *,
    tenant_id: str,
    endpoint_id: str,
    actor: str,
    cipher: PhiCipher,
    overlap: timedelta = DEFAULT_ROTATION_OVERLAP,
    request_id: str | None = None,
) -> IssuedSecret:
    """Issue a new secret; the current one keeps signing (a second ``v1``) for ``overlap``."""
    if overlap < timedelta(0) or overlap > MAX_ROTATION_OVERLAP:
        raise ValueError("the rotation overlap must be between 0 and 7 days")
    declare_write_intent(session)
    endpoint = get_endpoint(session, tenant_id=tenant_id, endpoint_id=endpoint_id)
    now = utcnow()
    secret = _new_secret()
    aad = _secret_aad(endpoint.id)
    if overlap > timedelta(0):
        endpoint.previous_secret_blob = endpoint.secret_blob
        endpoint.previous_secret_expires_at = now + overlap
    else:
        endpoint.previous_secret_blob = None
        endpoint.previous_secret_expires_at = None
    endpoint.secret_blob = cipher.encrypt_text(secret, associated_data=aad)
    endpoint.secret_rotated_at = now
    audit.record(
        session,
        action="webhook.secret_rotated",
        actor=actor,
        tenant_id=tenant_id,
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        request_id=request_id,
        detail={"overlap_seconds": int(overlap.total_seconds())},
    )
    session.commit()
    return IssuedSecret(endpoint=endpoint, secret=secret)


def signing_secrets(
    endpoint: WebhookEndpoint, *, cipher: PhiCipher, now: datetime | None = None
) -> list[str]:
    """The secrets to sign with: the current one, then the previous one while it overlaps."""
    aad = _secret_aad(endpoint.id)
    result = [cipher.decrypt_text(endpoint.secret_blob, associated_data=aad)]
    expires = endpoint.previous_secret_expires_at
    previous = endpoint.previous_secret_blob
    if previous is not None and expires is not None and (now or utcnow()) < expires:
        result.append(cipher.decrypt_text(previous, associated_data=aad))
    return result


# --------------------------------------------------------------------------- delivery log


def list_deliveries(
    session: Session,
    *,
    tenant_id: str,
    endpoint_id: str,
    state: str | None = None,
    limit: int = 50,
) -> list[tuple[WebhookDelivery, WebhookEvent]]:
    """Newest first. The endpoint may be deleted: its log stays readable."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.tenant_id != tenant_id:
        raise WebhookNotFound()
    query = (
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.tenant_id == tenant_id,
        )
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    return [(row[0], row[1]) for row in session.execute(query).all()]


def get_delivery(
    session: Session, *, tenant_id: str, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.tenant_id != tenant_id or delivery.endpoint_id != endpoint_id:
        raise DeliveryNotFound()
    return delivery


def _requeue(
    session: Session, delivery: WebhookDelivery, *, actor: str, request_id: str | None
) -> None:
    now = utcnow()
    delivery.state = PENDING
    delivery.next_attempt_at = now
    delivery.window_started_at = now
    delivery.lease_owner = None
    delivery.lease_until = None
    delivery.replay_count += 1
    audit.record(
        session,
        action="webhook.replayed",
        actor=actor,
        tenant_id=delivery.tenant_id,
        object_type="webhook_delivery",
        object_id=delivery.id,
        request_id=request_id,
        detail={"endpoint_id": delivery.endpoint_id, "event_id": delivery.event_id},
    )


def replay_delivery(
    session: Session,
    *,
    tenant_id: str,
    endpoint_id: str,
    delivery_id: str,
    actor: str,
    request_id: str | None = None,
) -> WebhookDelivery:
    """Put one dead delivery back in the queue (same event id and idempotency key); audited."""
    declare_write_intent(session)
    endpoint = get_endpoint(session, tenant_id=tenant_id, endpoint_id=endpoint_id)
    delivery = get_delivery(
        session, tenant_id=tenant_id, endpoint_id=endpoint.id, delivery_id=delivery_id
    )
    if delivery.state != DEAD:
        raise DeliveryNotReplayable(
            f"Only dead deliveries can be replayed; this one is {delivery.state}"
        )
    _requeue(session, delivery, actor=actor, request_id=request_id)
    session.commit()
    return delivery


def replay_dead(
    session: Session,
    *,
    actor: str,
    tenant_id: str | None = None,
    endpoint_id: str | None = None,
    delivery_id: str | None = None,
) -> int:
    """Requeue dead deliveries of live endpoints (all, or narrowed); each replay is audited."""
    declare_write_intent(session)
    query = (
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.state == DEAD, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookDelivery.created_at)
    )
    if tenant_id is not None:
        query = query.where(WebhookDelivery.tenant_id == tenant_id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if delivery_id is not None:
        query = query.where(WebhookDelivery.id == delivery_id)
    deliveries = list(session.execute(query).scalars())
    for delivery in deliveries:
        _requeue(session, delivery, actor=actor, request_id=None)
    session.commit()
    return len(deliveries)


def prune(session: Session, *, before: datetime, actor: str) -> dict[str, int]:
    """Delete finished (succeeded or dead) deliveries created before ``before``, and events left
    with no delivery. Pending work is never pruned. Audited with the counts."""
    declare_write_intent(session)
    finished = session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.created_at < before,
            WebhookDelivery.state.in_((SUCCEEDED, DEAD)),
        )
    )
    orphans = session.execute(
        delete(WebhookEvent).where(
            WebhookEvent.created_at < before,
            ~select(WebhookDelivery.id).where(WebhookDelivery.event_id == WebhookEvent.id).exists(),
        )
    )
    counts = {
        "deliveries": int(finished.rowcount),  # type: ignore[attr-defined]
        "events": int(orphans.rowcount),  # type: ignore[attr-defined]
    }
    audit.record(
        session,
        action="webhook.pruned",
        actor=actor,
        object_type="webhook_delivery",
        detail={**counts, "before": before.isoformat()},
    )
    session.commit()
    return counts
