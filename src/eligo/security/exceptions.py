"""Security domain errors."""

from __future__ import annotations

from eligo.errors import AuthenticationRequired, Conflict, EligoError, InvalidInput, NotFound


class InvalidApiKey(AuthenticationRequired):
    default_message = "The API key is missing, malformed, unknown or revoked"


class TenantNotFound(NotFound):
    default_message = "No such tenant"


class ApiKeyNotFound(NotFound):
    default_message = "No such API key"


class TenantExists(Conflict):
    default_message = "A tenant with that name already exists"


class InvalidRole(InvalidInput):
    default_message = "Unknown role: use admin, reviewer or merchant"


class DecryptionFailed(EligoError):
    code = "decryption_failed"
    default_message = "Stored data could not be decrypted with the configured keys"
