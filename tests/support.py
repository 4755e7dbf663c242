"""Helpers shared by tests: live servers, HTTP clients that watch for 5xx, tenants with keys."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from eligo.api.app import create_app
from eligo.db.session import Database
from eligo.security import service
from eligo.security.roles import Role
from eligo.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("ELIGO_TEST_POSTGRES_URL")
LOG_FILE = ROOT / "var" / "test-logs" / f"run-{os.getpid()}.jsonl"

# Every API key issued during the run and every PHI value tests send; the log test greps for them.
SENSITIVE_VALUES: set[str] = set()
SERVER_ERRORS: list[str] = []


@dataclass
class LiveServer:
    url: str
    database: Database
    server: uvicorn.Server
    thread: threading.Thread
    app: FastAPI

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_settings(database: Database, **api: object) -> Settings:
    settings = Settings(env="test", database_url=str(database.engine.url))
    settings.api.migrate_on_start = False
    # A test process builds many apps: freezing the heap after each start would keep every
    # finished app's reference cycles forever (one test turns it on and checks it).
    settings.api.gc_freeze_after_start = False
    # Never pick up a developer's var/models (after `make run`): servers without a model must
    # have none; tests that want one set model_dir explicitly.
    settings.eligibility.model_dir = Path(tempfile.mkdtemp(prefix="eligo-no-model-")) / "none"
    for name, value in api.items():
        setattr(settings.api, name, value)
    return settings


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


def start_live_server(settings: Settings, database: Database) -> LiveServer:
    """The real app under uvicorn on 127.0.0.1, on a free port, in a thread."""
    app = create_app(settings, database=database)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", database, server, thread, app)


def _check_response(response: httpx.Response) -> None:
    if response.status_code >= 500:
        request = response.request
        SERVER_ERRORS.append(f"{request.method} {request.url.path} -> {response.status_code}")


def http_client(base_url: str, key: str | None = None) -> httpx.Client:
    """An HTTP client that records every 5xx it sees (the autouse guard fails the test)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        timeout=30,
        event_hooks={"response": [_check_response]},
    )


@dataclass
class TenantKeys:
    tenant_id: str
    name: str
    keys: dict[Role, str]
    key_ids: dict[Role, str]

    def client(self, server: LiveServer, role: Role) -> httpx.Client:
        return http_client(server.url, self.keys[role])


def create_tenant_with_keys(database: Database, *, kind: str = "merchant") -> TenantKeys:
    name = f"tenant-{uuid.uuid4().hex[:10]}"
    with database.sessionmaker() as session:
        tenant = service.create_tenant(session, name=name, kind=kind, actor="test")
        keys: dict[Role, str] = {}
        key_ids: dict[Role, str] = {}
        for role in Role:
            issued = service.issue_key(
                session, tenant_id=tenant.id, role=role, name=f"{role.value} key", actor="test"
            )
            keys[role] = issued.secret
            key_ids[role] = issued.key.id
            SENSITIVE_VALUES.add(issued.secret)
    return TenantKeys(tenant.id, name, keys, key_ids)


def publish_test_list(database: Database, products: list[dict[str, str]]) -> int:
    """Make ``products`` the active eligible-product list (a new version) directly in the DB.

    Eligibility tests need list hits; the real path (feed sync) is tested in the catalog tests.
    """
    from sqlalchemy import select, update

    from eligo.catalog.models import CatalogProduct, CatalogState, ListVersion
    from eligo.db.types import utcnow

    with database.sessionmaker() as session:
        state = session.execute(select(CatalogState).where(CatalogState.id == 1)).scalar_one()
        version = max((v.id for v in session.execute(select(ListVersion)).scalars()), default=0) + 1
        session.add(
            ListVersion(
                id=version,
                state="active",
                source="test",
                based_on=state.active_version or None,
                product_count=len(products),
                activated_at=utcnow(),
            )
        )
        session.execute(
            update(CatalogProduct).where(CatalogProduct.valid_to.is_(None)).values(valid_to=version)
        )
        for product in products:
            session.add(
                CatalogProduct(
                    gtin=product["gtin"],
                    name=product["name"],
                    brand=product.get("brand", ""),
                    status=product["status"],
                    category=product.get("category", ""),
                    source="test",
                    valid_from=version,
                )
            )
        state.active_version = version
        session.commit()
    return version
