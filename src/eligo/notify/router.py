"""Webhook endpoints and their delivery log over HTTP: thin routes over ``notify.service``.

Every route needs the tenant's admin role and only ever sees the caller's own tenant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from eligo.db.session import SessionDep
from eligo.notify import service
from eligo.notify.dependencies import AllowPrivateTargets, CipherDep, TenantEndpoint
from eligo.notify.models import WebhookDelivery, WebhookEvent
from eligo.notify.schemas import (
    DeliveryOut,
    SecretRotate,
    WebhookCreate,
    WebhookOut,
    WebhookWithSecret,
)
from eligo.security.dependencies import AdminPrincipal

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

DeliveryState = Literal["pending", "delivering", "succeeded", "dead"]


def _with_secret(issued: service.IssuedSecret) -> WebhookWithSecret:
    out = WebhookOut.model_validate(issued.endpoint)
    return WebhookWithSecret(**out.model_dump(), secret=issued.secret)


def _delivery_out(delivery: WebhookDelivery, event: WebhookEvent) -> DeliveryOut:
    waiting = delivery.state in ("pending", "delivering")
    return DeliveryOut(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=event.id,
        event_type=event.type,
        idempotency_key=event.idempotency_key,
        state=delivery.state,
        attempts=delivery.attempts,
        replay_count=delivery.replay_count,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if waiting else None,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookCreate,
    session: SessionDep,
    principal: AdminPrincipal,
    cipher: CipherDep,
    allow_private: AllowPrivateTargets,
) -> WebhookWithSecret:
    """Register an endpoint. The response holds the signing secret, shown only this once."""
    issued = service.create_endpoint(
        session,
        tenant_id=principal.tenant_id,
        url=body.url,
        events=[e.value for e in body.events],
        description=body.description,
        actor=principal.actor,
        cipher=cipher,
        allow_private_targets=allow_private,
    )
    return _with_secret(issued)


@router.get("")
def list_webhooks(session: SessionDep, principal: AdminPrincipal) -> list[WebhookOut]:
    """The tenant's endpoints (secrets are never listed)."""
    endpoints = service.list_endpoints(session, tenant_id=principal.tenant_id)
    return [WebhookOut.model_validate(e) for e in endpoints]


@router.get("/{endpoint_id}")
def get_webhook(endpoint: TenantEndpoint) -> WebhookOut:
    """One endpoint."""
    return WebhookOut.model_validate(endpoint)


@router.delete("/{endpoint_id}")
def delete_webhook(
    endpoint: TenantEndpoint, session: SessionDep, principal: AdminPrincipal
) -> WebhookOut:
    """Stop sending to this endpoint; undelivered deliveries are cancelled (state dead)."""
    deleted = service.delete_endpoint(
        session, tenant_id=principal.tenant_id, endpoint_id=endpoint.id, actor=principal.actor
    )
    return WebhookOut.model_validate(deleted)


@router.post("/{endpoint_id}/rotate-secret")
def rotate_webhook_secret(
    endpoint: TenantEndpoint,
    session: SessionDep,
    principal: AdminPrincipal,
    cipher: CipherDep,
    body: SecretRotate | None = None,
) -> WebhookWithSecret:
    """Issue a new signing secret; the old one keeps signing for ``overlap_seconds``."""
    overlap = timedelta(seconds=(body or SecretRotate()).overlap_seconds)
    issued = service.rotate_secret(
        session,
        tenant_id=principal.tenant_id,
        endpoint_id=endpoint.id,
        actor=principal.actor,
        cipher=cipher,
        overlap=overlap,
    )
    return _with_secret(issued)


@router.get("/{endpoint_id}/deliveries")
def list_webhook_deliveries(
    endpoint_id: str,
    session: SessionDep,
    principal: AdminPrincipal,
    state: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryOut]:
    """The delivery log of one endpoint (also after it was deleted), newest first."""
    rows = service.list_deliveries(
        session, tenant_id=principal.tenant_id, endpoint_id=endpoint_id, state=state, limit=limit
    )
    return [_delivery_out(delivery, event) for delivery, event in rows]


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay")
def replay_webhook_delivery(
    delivery_id: str, endpoint: TenantEndpoint, session: SessionDep, principal: AdminPrincipal
) -> DeliveryOut:
    """Queue a dead delivery again (same event id and idempotency key). Audited."""
    delivery = service.replay_delivery(
        session,
        tenant_id=principal.tenant_id,
        endpoint_id=endpoint.id,
        delivery_id=delivery_id,
        actor=principal.actor,
    )
    return _delivery_out(delivery, session.get_one(WebhookEvent, delivery.event_id))
