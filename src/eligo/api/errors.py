"""The one place where exceptions become HTTP responses (the error envelope)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from eligo.errors import EligoError, error_envelope

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _respond(
    request: Request, status: int, code: str, message: str, details: Any = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        error_envelope(code, message, details=details, request_id=_request_id(request)),
        status_code=status,
        headers=headers,
    )


def _validation_details(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    """Field errors without echoing the input (it may be PHI)."""
    details: list[dict[str, Any]] = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "could not parse")
            return "bad_request", f"Malformed JSON body: {reason}", []
        details.append(
            {
                "field": ".".join(location[1:]),
                "location": location[0] if location else "",
                "type": error.get("type"),
                "message": str(error.get("msg")),
            }
        )
    summary = "; ".join(f"{d['field'] or d['location']}: {d['message']}" for d in details[:5])
    return "invalid_input", f"Invalid request: {summary}", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EligoError)
    async def _eligo_error(request: Request, exc: EligoError) -> JSONResponse:
        if exc.http_status >= 500:
            logger.error("eligo error %s: %s", exc.code, exc.message)
        return _respond(request, exc.http_status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, details = _validation_details(exc)
        return _respond(request, 400 if code == "bad_request" else 422, code, message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code
        if exc.status_code == 404 and message == "Not Found":
            message = f"No route {request.method} {request.url.path}"
        return _respond(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged server side (redacted); the client only gets the request id to quote.
        logger.exception("unhandled error on %s %s", request.method, request.scope.get("path"))
        return _respond(request, 500, "internal_error", "Internal error; quote the request id")
