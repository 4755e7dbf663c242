"""API keys: 401 without or with a bad key, 403 on a role too low, revocation at once (and
within the auth-cache time when another process revokes)."""

from __future__ import annotations

import time

import httpx
import pytest

from eligo.db.session import Database
from eligo.security import service
from eligo.security.roles import Role
from tests.support import (
    LiveServer,
    TenantKeys,
    http_client,
    start_live_server,
    test_settings,
)


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic abc", "Bearer not-a-key", "Bearer elg_000000000000_nope", "Bearer é"],
)
def test_missing_or_bad_key_is_401(live_server: LiveServer, header: str | None) -> None:
    # Non-ASCII bytes in the header must be a 401 like any other bad key.
    headers = {"Authorization": header.encode("utf-8")} if header else {}
    with http_client(live_server.url) as client:
        response = client.get("/v1/me", headers=headers)
    assert_envelope(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_key_identifies_tenant_and_role(live_server: LiveServer, tenant: TenantKeys) -> None:
    with tenant.client(live_server, Role.REVIEWER) as client:
        body = client.get("/v1/me").json()
    assert body["tenant_id"] == tenant.tenant_id
    assert body["role"] == "reviewer"
    assert body["is_platform_admin"] is False


def test_merchant_key_on_admin_route_is_403(live_server: LiveServer, tenant: TenantKeys) -> None:
    with tenant.client(live_server, Role.MERCHANT) as client:
        assert_envelope(client.get("/v1/keys"), 403, "forbidden")
        assert_envelope(client.get("/v1/audit"), 403, "forbidden")
    with tenant.client(live_server, Role.ADMIN) as client:
        assert client.get("/v1/keys").status_code == 200
        # A tenant admin is not a platform admin.
        assert_envelope(client.get("/v1/tenants"), 403, "forbidden")


def test_issued_key_works_and_revocation_is_immediate(
    live_server: LiveServer, tenant: TenantKeys
) -> None:
    from tests.support import SENSITIVE_VALUES

    with tenant.client(live_server, Role.ADMIN) as admin:
        created = admin.post("/v1/keys", json={"name": "till 3", "role": "merchant"})
        assert created.status_code == 201, created.text
        issued = created.json()
        SENSITIVE_VALUES.add(issued["key"])
        assert issued["key"].startswith(f"elg_{issued['prefix']}_")
        with http_client(live_server.url, issued["key"]) as merchant:
            assert merchant.get("/v1/me").status_code == 200
            listed = admin.get("/v1/keys").json()
            assert issued["id"] in {k["id"] for k in listed}
            assert all("key" not in k and "key_hash" not in k for k in listed)
            assert next(k for k in listed if k["id"] == issued["id"])["last_used_at"] is not None

            revoked = admin.delete(f"/v1/keys/{issued['id']}")
            assert revoked.status_code == 200
            assert revoked.json()["revoked_at"] is not None
            assert_envelope(merchant.get("/v1/me"), 401, "unauthenticated")
        events = admin.get("/v1/audit", params={"limit": 1000}).json()["items"]
    about_key = [e["action"] for e in events if e["object_id"] == issued["id"]]
    assert about_key == ["api_key.created", "auth.login", "api_key.revoked", "auth.rejected"]


def test_platform_admin_manages_tenants(live_server: LiveServer, platform_admin_key: str) -> None:
    with http_client(live_server.url, platform_admin_key) as client:
        created = client.post("/v1/tenants", json={"name": "Acme Pharmacy #12", "kind": "merchant"})
        assert created.status_code == 201, created.text
        tenant_id = created.json()["id"]
        assert tenant_id in {t["id"] for t in client.get("/v1/tenants").json()}
        duplicate = client.post("/v1/tenants", json={"name": "Acme Pharmacy #12"})
        assert_envelope(duplicate, 409, "conflict")
        key = client.post("/v1/keys", json={"name": "ops", "role": "admin", "tenant_id": tenant_id})
        assert key.status_code == 201
        from tests.support import SENSITIVE_VALUES

        SENSITIVE_VALUES.add(key.json()["key"])
        assert key.json()["tenant_id"] == tenant_id


def test_revocation_by_another_process_takes_effect_within_the_cache_time(
    database: Database, tenant: TenantKeys
) -> None:
    # Another worker (or the CLI) revokes the key: this server answered it from its auth cache,
    # so it may accept the key for at most auth_cache_seconds more, then refuses it.
    server = start_live_server(test_settings(database, auth_cache_seconds=0.5), database)
    try:
        with tenant.client(server, Role.MERCHANT) as merchant:
            assert merchant.get("/v1/me").status_code == 200  # now cached
            with database.sessionmaker() as session:
                key = service.get_key(session, key_id=tenant.key_ids[Role.MERCHANT], tenant_id=None)
                service.revoke_key(session, key=key, actor="test")
            revoked_at = time.monotonic()
            statuses = []
            while time.monotonic() - revoked_at < 1.5:
                statuses.append(merchant.get("/v1/me").status_code)
                time.sleep(0.05)
    finally:
        server.stop()
    assert statuses[0] == 200  # still cached: the revocation happened elsewhere
    assert statuses[-1] == 401
    first_refusal = statuses.index(401)
    assert set(statuses[first_refusal:]) == {401}  # once refused, never accepted again


def test_auth_cache_off_checks_every_request(database: Database, tenant: TenantKeys) -> None:
    server = start_live_server(test_settings(database, auth_cache_seconds=0), database)
    try:
        with tenant.client(server, Role.MERCHANT) as merchant:
            assert merchant.get("/v1/me").status_code == 200
            with database.sessionmaker() as session:
                key = service.get_key(session, key_id=tenant.key_ids[Role.MERCHANT], tenant_id=None)
                service.revoke_key(session, key=key, actor="test")
            assert_envelope(merchant.get("/v1/me"), 401, "unauthenticated")
    finally:
        server.stop()
