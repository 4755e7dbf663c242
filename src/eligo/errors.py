"""One error hierarchy for eligo, mapped to one JSON envelope by the API.

    EligoError (500 internal_error)
    ├── InvalidInput (422 invalid_input)
    │   └── BadRequest (400 bad_request)
    ├── AuthenticationRequired (401 unauthenticated)
    ├── PermissionDenied (403 forbidden)
    ├── NotFound (404 not_found)
    ├── Conflict (409 conflict)
    ├── PayloadTooLarge (413 payload_too_large)
    ├── UnsupportedMediaType (415 unsupported_media_type)
    └── ServiceUnavailable (503 unavailable)

Domains subclass these (e.g. ``catalog.exceptions.InvalidGtinError(InvalidInput)``).
Messages are shown to clients: they say what to fix and never contain PHI.
"""

from __future__ import annotations

from typing import Any, ClassVar


class EligoError(Exception):
    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    default_message: ClassVar[str] = "Internal error"

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class InvalidInput(EligoError):
    code = "invalid_input"
    http_status = 422
    default_message = "The request is not valid"


class BadRequest(InvalidInput):
    code = "bad_request"
    http_status = 400
    default_message = "The request could not be read"


class AuthenticationRequired(EligoError):
    code = "unauthenticated"
    http_status = 401
    default_message = "A valid API key is required: send 'Authorization: Bearer <key>'"


class PermissionDenied(EligoError):
    code = "forbidden"
    http_status = 403
    default_message = "This key's role may not do that"


class NotFound(EligoError):
    code = "not_found"
    http_status = 404
    default_message = "Not found"


class Conflict(EligoError):
    code = "conflict"
    http_status = 409
    default_message = "Conflicts with the current state"


class PayloadTooLarge(EligoError):
    code = "payload_too_large"
    http_status = 413
    default_message = "The request body is too large"


class UnsupportedMediaType(EligoError):
    code = "unsupported_media_type"
    http_status = 415
    default_message = "Unsupported content type"


class ServiceUnavailable(EligoError):
    code = "unavailable"
    http_status = 503
    default_message = "The service is not ready"


def error_envelope(
    code: str, message: str, *, details: Any = None, request_id: str | None = None
) -> dict[str, Any]:
    """The one JSON shape of every non-2xx response."""
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details,
            "request_id": request_id,
        }
    }
