"""Logging: JSON lines, the request id on every record, and PHI redaction.

Library modules only do ``logging.getLogger(__name__)``; entrypoints (API, CLI, scheduler)
call ``configure_logging``. The redaction filter runs on every handler it installs, so a
careless ``logger.info("%s", card_fields)`` still does not leak a member id or a key.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "eligo_request_id", default=None
)

REDACTED = "[redacted]"

# Keys whose values are PHI or secrets wherever they appear in structured data.
SENSITIVE_KEYS = frozenset(
    {
        "member_id",
        "member_name",
        "member_id_prefix",
        "member_id_suffix",
        "subscriber_name",
        "dependents",
        "name",
        "first_name",
        "last_name",
        "patient_name",
        "dob",
        "date_of_birth",
        "birth_date",
        "rx_id",
        "medicare_mbi",
        "medicaid_id",
        "image",
        "front",
        "back",
        "authorization",
        "api_key",
        "key",
        "secret",
        "password",
        "phi_key",
    }
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Our API keys and any bearer token.
    (re.compile(r"elg_[0-9a-f]{12}_[A-Za-z0-9_\-]+"), "elg_[redacted]"),
    (re.compile(r"(?i)bearer\s+\S+"), "Bearer [redacted]"),
    # Dates that could be dates of birth (US and ISO forms).
    (re.compile(r"\b(0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])[/-](19|20)?\d{2}\b"), "[date]"),
    (re.compile(r"\b(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b(?!T)"), "[date]"),
    # Member-id shaped tokens: letters and digits mixed, 6+ characters, e.g. W123456789.
    (re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{6,24}\b"), "[id]"),
    # Base64 blobs (images).
    (re.compile(r"[A-Za-z0-9+/]{200,}={0,2}"), "[blob]"),
)

# Words our own logs use that look id-shaped but are not PHI.
_ID_ALLOWLIST = re.compile(r"^(utf8|sha256|v\d+|x\d+|[0-9a-f]{32}|[0-9a-f]{64}|int8|fp32|gtin\d+)$")


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        if replacement == "[id]":
            text = pattern.sub(
                lambda m: m.group(0) if _ID_ALLOWLIST.match(m.group(0)) else "[id]", text
            )
        else:
            text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in SENSITIVE_KEYS:
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return f"[{len(value)} bytes]"
    return value


class RedactionFilter(logging.Filter):
    """Render the message, redact it, and redact structured extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        extra = getattr(record, "data", None)
        if extra is not None:
            record.data = redact_value(extra)
        if record.exc_info and record.exc_info[1] is not None:
            # Exception messages can quote input; keep the type and the (redacted) text.
            exc = record.exc_info[1]
            record.exc_text = redact_text(f"{type(exc).__name__}: {exc}")
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            document["request_id"] = request_id
        data = getattr(record, "data", None)
        if data is not None:
            document["data"] = data
        if record.exc_text:
            document["exc"] = record.exc_text
        return json.dumps(document, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = request_id_var.get()
        return f"{line} [request_id={request_id}]" if request_id else line


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted. Test runners and
    servers swap it; a stream taken at start-up may be closed by the time a background
    thread logs ("ValueError: I/O operation on closed file" under pytest)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """Ignored: the stream is looked up on each record."""


def build_handler(stream: Any = None, *, json_format: bool = True) -> logging.Handler:
    handler = logging.StreamHandler(stream) if stream is not None else StderrHandler()
    handler.addFilter(RedactionFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_format
        else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    return handler


def configure_logging(level: str = "INFO", *, json_format: bool = True) -> None:
    """Install one redacting handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_eligo", False):
            root.removeHandler(handler)
    handler = build_handler(json_format=json_format)
    handler._eligo = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's access log and httpx's request log quote full URLs (queries, receivers' tokens);
    # our own access line uses route templates instead.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
