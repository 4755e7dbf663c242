"""Webhook domain errors.

InvalidInput
├── UnknownEventType
└── InvalidWebhookUrl
NotFound
├── WebhookNotFound
└── DeliveryNotFound
Conflict
└── DeliveryNotReplayable
"""

from __future__ import annotations

from eligo.errors import Conflict, InvalidInput, NotFound


class UnknownEventType(InvalidInput):
    default_message = "Unknown webhook event type"


class InvalidWebhookUrl(InvalidInput):
    default_message = "The webhook URL must be an absolute http(s) URL to a public host"


class WebhookNotFound(NotFound):
    default_message = "No such webhook endpoint"


class DeliveryNotFound(NotFound):
    default_message = "No such webhook delivery"


class DeliveryNotReplayable(Conflict):
    default_message = "Only dead deliveries can be replayed"
