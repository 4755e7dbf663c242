"""Bad input gets a 4xx with the error envelope, never a 500 (the autouse guard checks 5xx)."""

from __future__ import annotations

import pytest

from eligo.security.roles import Role
from tests.integration.test_auth import assert_envelope
from tests.support import LiveServer, TenantKeys, http_client


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b'{"name": "x", "role": ', 400, "bad_request"),
        (b"\xff\xfe\x00garbage", 400, "bad_request"),
        (b'{"name": 5, "role": "merchant"}', 422, "invalid_input"),
        (b'{"name": "x", "role": "emperor"}', 422, "invalid_input"),
        (b'{"name": "x", "role": "merchant", "colour": "red"}', 422, "invalid_input"),
        (b'{"name": "a\\u0000b", "role": "merchant"}', 422, "invalid_input"),
        (b'{"name": "\\ud800", "role": "merchant"}', 422, "invalid_input"),
        (b"[]", 422, "invalid_input"),
        (b"", 422, "invalid_input"),
    ],
)
def test_malformed_bodies(
    live_server: LiveServer, tenant: TenantKeys, body: bytes, status: int, code: str
) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        response = client.post(
            "/v1/keys", content=body, headers={"Content-Type": "application/json"}
        )
    assert_envelope(response, status, code)


def test_validation_errors_name_the_field_without_echoing_input(
    live_server: LiveServer, tenant: TenantKeys
) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        response = client.post("/v1/keys", json={"name": "SECRET-VALUE-123", "role": "emperor"})
    error = assert_envelope(response, 422, "invalid_input")
    assert "role" in str(error["message"])
    assert "SECRET-VALUE-123" not in response.text


def test_oversized_bodies_are_413(live_server: LiveServer, tenant: TenantKeys) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'", "role": "merchant"}'
    with tenant.client(live_server, Role.ADMIN) as client:
        declared = client.post(
            "/v1/keys", content=big, headers={"Content-Type": "application/json"}
        )

        def chunks():  # no Content-Length: the limit is enforced while reading
            for start in range(0, len(big), 65536):
                yield big[start : start + 65536]

        streamed = client.post(
            "/v1/keys", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert_envelope(declared, 413, "payload_too_large")
    assert_envelope(streamed, 413, "payload_too_large")


def test_unknown_routes_and_methods(live_server: LiveServer, tenant: TenantKeys) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        assert_envelope(client.get("/v1/nothing-here"), 404, "not_found")
        assert_envelope(client.get("/v1/ｎｏｔｈｉｎｇ/💥"), 404, "not_found")
        assert_envelope(client.put("/v1/keys"), 405, "method_not_allowed")
    with http_client(live_server.url) as anonymous:
        assert_envelope(anonymous.get("/nowhere"), 404, "not_found")


def test_bad_query_parameters(live_server: LiveServer, tenant: TenantKeys) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        assert_envelope(client.get("/v1/audit?limit=abc"), 422, "invalid_input")
        assert_envelope(client.get("/v1/audit?limit=100000"), 422, "invalid_input")
        assert_envelope(client.get("/v1/audit?after=-1"), 422, "invalid_input")
