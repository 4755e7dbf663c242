"""Request and response bodies of the webhook routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from eligo.notify.events import EventType
from eligo.schemas import RequestModel, ResponseModel


class WebhookCreate(RequestModel):
    url: str = Field(min_length=8, max_length=2048, description="http(s) URL that receives POSTs")
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))
    description: str = Field(default="", max_length=500, pattern=r"^[^\x00-\x1f]*$")


class SecretRotate(RequestModel):
    overlap_seconds: int = Field(
        default=86_400,
        ge=0,
        le=7 * 86_400,
        description="How long the old secret keeps signing beside the new one (0: retire now)",
    )


class WebhookOut(ResponseModel):
    id: str
    url: str
    description: str
    events: list[str]
    created_at: datetime
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="The signing secret: shown once, store it now")


class DeliveryOut(ResponseModel):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    idempotency_key: str
    state: str
    attempts: int
    replay_count: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
