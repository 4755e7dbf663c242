"""The audit chain: verified fresh, broken by a direct edit, paged over HTTP, tenant-scoped."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import text

from eligo.db.session import Database
from eligo.security import audit, service
from eligo.security.roles import Role
from tests.support import LiveServer, TenantKeys, create_tenant_with_keys


def run_cli(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ELIGO_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
    }
    return subprocess.run(
        [sys.executable, "-m", "eligo.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_fresh_chain_verifies(fresh_database: Database) -> None:
    create_tenant_with_keys(fresh_database)
    with fresh_database.sessionmaker() as session:
        verdict = audit.verify_chain(session)
    assert verdict.ok
    assert verdict.checked == 4  # tenant.created + 3 keys
    result = run_cli(fresh_database, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "4 events verified" in result.stdout


def _drop_append_only_guard(database: Database) -> None:
    """What an attacker with DDL rights could do; the hash chain must still catch the edit."""
    with database.engine.begin() as connection:
        if database.backend == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_database_refuses_updates_to_audit_rows(fresh_database: Database) -> None:
    create_tenant_with_keys(fresh_database)
    with fresh_database.engine.connect() as connection:
        try:
            connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
            connection.commit()
            raised = False
        except Exception:
            raised = True
    assert raised


def test_direct_edit_names_the_first_broken_row(fresh_database: Database) -> None:
    create_tenant_with_keys(fresh_database)
    create_tenant_with_keys(fresh_database)
    _drop_append_only_guard(fresh_database)
    with fresh_database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
    with fresh_database.sessionmaker() as session:
        verdict = audit.verify_chain(session)
    assert not verdict.ok
    assert verdict.first_broken_seq == 3
    assert verdict.checked == 2
    result = run_cli(fresh_database, "audit", "verify")
    assert result.returncode == 1
    assert "BROKEN at seq 3" in result.stderr


def test_deleted_last_row_is_detected(fresh_database: Database) -> None:
    create_tenant_with_keys(fresh_database)
    _drop_append_only_guard(fresh_database)
    with fresh_database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    with fresh_database.sessionmaker() as session:
        verdict = audit.verify_chain(session)
    assert not verdict.ok
    assert verdict.first_broken_seq == 4


def test_audit_api_pages_and_scopes_by_tenant(
    live_server: LiveServer, tenant: TenantKeys, other_tenant: TenantKeys
) -> None:
    with tenant.client(live_server, Role.ADMIN) as client:
        for index in range(3):
            client.post("/v1/keys", json={"name": f"k{index}", "role": "merchant"})
        first = client.get("/v1/audit", params={"limit": 2}).json()
        assert len(first["items"]) == 2
        rest = client.get("/v1/audit", params={"after": first["next_after"], "limit": 100}).json()
    events = first["items"] + rest["items"]
    assert {e["tenant_id"] for e in events} == {tenant.tenant_id}
    actions = [e["action"] for e in events]
    assert actions.count("api_key.created") == 6  # 3 fixture keys + 3 made here
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert all(e["request_id"] for e in events if e["actor"].startswith("key:"))


def test_key_revocation_is_audited(database: Database, tenant: TenantKeys) -> None:
    with database.sessionmaker() as session:
        key = service.get_key(session, key_id=tenant.key_ids[Role.MERCHANT], tenant_id=None)
        service.revoke_key(session, key=key, actor="test")
        events = audit.list_events(session, tenant_id=tenant.tenant_id)
    assert events[-1].action == "api_key.revoked"
    assert events[-1].object_id == key.id
