"""Pure ASGI middleware: request ids, body limits, security headers and metrics.

Pure ASGI (not BaseHTTPMiddleware) keeps streaming bodies streaming and costs little per request.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from fastapi.routing import iter_route_contexts
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eligo.errors import error_envelope
from eligo.logging import request_id_var

logger = logging.getLogger(__name__)

# Bulk imports that stream their body (merchant catalogs): their own, larger limit.
IMPORT_PATHS = frozenset({"/v1/catalog/items"})

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)


async def send_error(
    send: Send, status: int, code: str, message: str, request_id: str | None
) -> None:
    body = json.dumps(error_envelope(code, message, request_id=request_id)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", (request_id or "").encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """Raised while the body streams in. An HTTPException so that FastAPI's body parsing
    passes it through (it turns other exceptions into a vague 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is over the limit of {limit} bytes")


class RequestContextMiddleware:
    """Request id, body-size limit and security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_json_bytes: int,
        max_upload_bytes: int,
        max_import_bytes: int,
    ) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.max_import_bytes = max_import_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = (
            self.max_upload_bytes if content_type.startswith("multipart/") else self.max_json_bytes
        )
        if scope.get("method") == "POST" and scope.get("path") in IMPORT_PATHS:
            limit = self.max_import_bytes
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            await send_error(
                send,
                413,
                "payload_too_large",
                f"The request body is {declared} bytes; the limit here is {limit} bytes",
                request_id,
            )
            request_id_var.reset(token)
            return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                extra = [(b"x-request-id", request_id.encode())]
                message["headers"] = (
                    list(message.get("headers", []))
                    + extra
                    + [
                        header
                        for header in SECURITY_HEADERS
                        if not _docs_path(scope) or header[0] != b"cache-control"
                    ]
                )
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as exc:
            if not response_started:
                await send_error(send, 413, "payload_too_large", str(exc.detail), request_id)
        finally:
            request_id_var.reset(token)


def _docs_path(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return path.startswith("/docs") or path.startswith("/static")


class Metrics:
    """Prometheus metrics owned by one app (a registry per app: no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "eligo_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "eligo_http_request_duration_seconds",
            "HTTP request latency by route template and method",
            ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "")
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(elapsed)
            # One access line per request, by route template: no raw paths, queries or bodies.
            logger.info("%s %s %s %.1fms", method, route, status, elapsed * 1000)


# Route templates by (method, path): matching walks every route, and most traffic repeats a
# few paths. Bounded: paths with ids churn it, so it is simply emptied when full.
_TEMPLATE_CACHE_SIZE = 4096


def _route_template(scope: Scope) -> str:
    # Label by template (/v1/keys/{key_id}), never by raw path: bounded cardinality, no ids.
    app: Any = scope.get("app")
    if app is None:
        return "unmatched"
    cache: dict[tuple[str, str], str] | None = getattr(app, "_eligo_route_templates", None)
    if cache is None:
        cache = app._eligo_route_templates = {}
    key = (scope.get("method", ""), scope.get("path", ""))
    template = cache.get(key)
    if template is None:
        template = _match_template(app, scope)
        if len(cache) >= _TEMPLATE_CACHE_SIZE:
            cache.clear()
        cache[key] = template
    return template


def _match_template(app: Any, scope: Scope) -> str:
    routes = getattr(app, "_eligo_flat_routes", None)
    if routes is None:
        routes = app._eligo_flat_routes = list(iter_route_contexts(app.routes))
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(route.path_format or route.path)
    return "unmatched"
