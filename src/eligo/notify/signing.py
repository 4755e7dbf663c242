"""Webhook signatures: ``Eligo-Signature: t=<unix>,v1=<hex>`` (Stripe-style).

``v1`` is ``hex(hmac_sha256(secret, f"{t}.".encode() + body))`` over the exact bytes sent.
During a secret rotation the sender signs with every active secret and repeats ``v1=``; a
receiver accepts the delivery when any ``v1`` matches one of its secrets and ``t`` is within
the tolerance (default 5 minutes), which bounds replays. See ``docs/webhooks.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from typing import Final

from eligo.errors import EligoError

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "SIGNATURE_HEADER",
    "SignatureVerificationError",
    "compute_signature",
    "parse_signature_header",
    "sign",
    "verify",
]

SIGNATURE_HEADER: Final = "Eligo-Signature"
SCHEME: Final = "v1"
DEFAULT_TOLERANCE_SECONDS: Final = 300
# A header is short; refuse silly ones before doing any work.
_MAX_HEADER_CHARS: Final = 4096


class SignatureVerificationError(EligoError, ValueError):
    """The webhook signature is missing, malformed, stale or does not match."""

    code = "invalid_signature"
    http_status = 400
    default_message = "The webhook signature could not be verified"


def _secret_bytes(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("webhook secret must not be empty")
    return key


def compute_signature(body: bytes, secret: str | bytes, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}."`` + body."""
    message = f"{int(timestamp)}.".encode("ascii") + body
    return hmac.new(_secret_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(
    body: bytes,
    secret: str | bytes | Iterable[str | bytes],
    timestamp: int | None = None,
) -> str:
    """Header value for ``body``; pass several secrets during a rotation (one ``v1`` each)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    secrets = [secret] if isinstance(secret, str | bytes) else list(secret)
    if not secrets:
        raise ValueError("at least one webhook secret is needed to sign")
    parts = [f"t={t}"] + [f"{SCHEME}={compute_signature(body, s, t)}" for s in secrets]
    return ",".join(parts)


def parse_signature_header(header: str) -> tuple[int, list[str]]:
    """Return ``(timestamp, [v1 signatures])``; unknown schemes are ignored for forward compat."""
    if not header or len(header) > _MAX_HEADER_CHARS:
        raise SignatureVerificationError("missing or oversized Eligo-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureVerificationError(f"malformed Eligo-Signature element {item!r}")
        if key == "t":
            if not value.isdigit() or not value.isascii():
                raise SignatureVerificationError("Eligo-Signature timestamp is not a unix time")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value.lower())
    if timestamp is None:
        raise SignatureVerificationError("Eligo-Signature header has no t= timestamp")
    if not signatures:
        raise SignatureVerificationError("Eligo-Signature header has no v1= signature")
    return timestamp, signatures


def verify(
    body: bytes,
    header: str,
    secret: str | bytes | Iterable[str | bytes],
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``body``; return the signed timestamp or raise.

    ``secret`` may be several secrets (the receiver's side of a rotation). The comparison is
    constant-time and every candidate is compared, so timing does not reveal which one failed.
    """
    timestamp, signatures = parse_signature_header(header)
    current = time.time() if now is None else now
    if tolerance > 0 and abs(current - timestamp) > tolerance:
        raise SignatureVerificationError(
            f"Eligo-Signature timestamp is outside the {tolerance}s tolerance "
            f"({int(current - timestamp)}s off); reject it as a possible replay"
        )
    secrets = [secret] if isinstance(secret, str | bytes) else list(secret)
    matched = False
    for s in secrets:
        expected = compute_signature(body, s, timestamp)
        for candidate in signatures:
            # compare_digest on ASCII str; non-hex input simply does not match.
            matched |= hmac.compare_digest(expected, candidate if candidate.isascii() else "")
    if not matched:
        raise SignatureVerificationError(
            "no Eligo-Signature v1 matches the body: wrong secret or the body was changed"
        )
    return timestamp
