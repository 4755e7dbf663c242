"""Service basics: health, readiness, metrics, OpenAPI, docs, headers, request ids."""

from __future__ import annotations

import gc

import httpx
from fastapi.routing import APIRoute, iter_route_contexts

from eligo.db.session import Database
from eligo.security.roles import Role
from tests.support import LiveServer, TenantKeys, http_client, start_live_server, test_settings


def test_healthz_and_readyz(eligibility_server: LiveServer) -> None:
    with http_client(eligibility_server.url) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert {"database", "migrations", "eligibility_model"} <= set(checks)
    assert set(checks.values()) == {"ok"}


def test_not_ready_without_a_model(live_server: LiveServer) -> None:
    # A deliberate 503, so a plain client (not one that fails the test on any 5xx).
    response = httpx.get(f"{live_server.url}/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["eligibility_model"] == "no model loaded"
    with http_client(live_server.url) as client:
        assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_by_route_template(
    live_server: LiveServer, tenant: TenantKeys
) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        client.delete("/v1/keys/does-not-exist")
        text = http_client(live_server.url).get("/metrics").text
    assert 'eligo_http_requests_total{method="DELETE",route="/v1/keys/{key_id}",status="404"}' in (
        text
    )
    assert "does-not-exist" not in text
    assert "eligo_http_request_duration_seconds_bucket" in text


def test_openapi_has_stable_unique_operation_ids(live_server: LiveServer) -> None:
    with http_client(live_server.url) as client:
        spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "keys-create_key" in ids
    assert "audit-list_audit" in ids


def test_docs_served_offline(live_server: LiveServer) -> None:
    with http_client(live_server.url) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "/static/docs/swagger-ui-bundle.js" in page.text
        assert "cdn" not in page.text.lower()
        assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200


def test_security_headers_and_request_id(live_server: LiveServer) -> None:
    with http_client(live_server.url) as client:
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        generated = client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in response.headers
    assert generated.headers["x-request-id"] != "bad id\twith junk"
    assert len(generated.headers["x-request-id"]) == 32


def _required_role(route: APIRoute) -> object | None:
    stack = list(route.dependant.dependencies)  # type: ignore[attr-defined]
    while stack:
        dependant = stack.pop()
        role = getattr(dependant.call, "required_role", None)
        if role is not None:
            return role
        stack.extend(dependant.dependencies)
    return None


def test_every_api_route_declares_a_role(live_server: LiveServer) -> None:
    unprotected = {"/healthz", "/readyz", "/metrics", "/docs", "/redoc"}
    for context in iter_route_contexts(live_server.app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path in unprotected:
            continue
        assert str(context.path).startswith("/v1/"), f"{context.path} is outside /v1"
        assert _required_role(route) is not None, f"{context.path} declares no role"


def test_heap_frozen_after_start_when_asked(database: Database) -> None:
    # Served processes freeze their start-up heap so full collections skip the loaded models.
    settings = test_settings(database)
    settings.api.gc_freeze_after_start = True
    gc.unfreeze()
    server = start_live_server(settings, database)
    try:
        assert gc.get_freeze_count() > 10_000
        with http_client(server.url) as client:
            assert client.get("/healthz").status_code == 200
    finally:
        server.stop()
        gc.unfreeze()
