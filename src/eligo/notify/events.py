"""The event types tenants can subscribe to, and the JSON body every delivery carries.

This is the one list of event types: the API validates subscriptions against it and
``service.enqueue_event`` refuses anything else.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    PRODUCT_ELIGIBILITY_CHANGED = "product.eligibility_changed"
    SYNC_COMPLETED = "sync.completed"
    CARD_SCAN_COMPLETED = "card_scan.completed"
    MODEL_DRIFT_DETECTED = "model.drift_detected"


EVENT_TYPES: frozenset[str] = frozenset(e.value for e in EventType)

# Event ids are public (sent as Eligo-Event-Id): a prefix makes them recognisable in logs.
EVENT_ID_PREFIX = "evt_"


def event_body(
    *,
    event_id: str,
    event_type: str,
    tenant_id: str,
    created_at: datetime,
    idempotency_key: str,
    payload: dict[str, Any],
) -> bytes:
    """The exact bytes POSTed (and signed). Deterministic, so every retry sends the same body."""
    envelope = {
        "id": event_id,
        "type": event_type,
        "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "tenant_id": tenant_id,
        "idempotency_key": idempotency_key,
        "data": payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
