"""Test harness: one suite, run on SQLite and (when ELIGO_TEST_POSTGRES_URL is set) PostgreSQL.

- Each backend gets a fresh, migrated database for the session (PostgreSQL: a private schema).
- ``live_server`` runs the real app under uvicorn on 127.0.0.1 in a thread; tests speak HTTP.
- Every response the test clients see is checked: any 5xx fails the test that saw it.
- All logs of the run go through the production redaction filter into one file, which the last
  test greps for keys and PHI (tests/test_zz_logs.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from eligo.db import migrate
from eligo.db.session import Database, normalize_url
from eligo.logging import JsonFormatter, RedactionFilter
from eligo.security import service
from tests.support import (
    LOG_FILE,
    POSTGRES_URL,
    SENSITIVE_VALUES,
    SERVER_ERRORS,
    LiveServer,
    TenantKeys,
    create_tenant_with_keys,
    start_live_server,
    test_settings,
)

POSTGRES_SKIP = "PostgreSQL tests need ELIGO_TEST_POSTGRES_URL (CI sets it)"


def pytest_configure(config: pytest.Config) -> None:
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(LOG_FILE, mode="w", encoding="utf-8")
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The log scan must see the logs of everything else.
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


# --------------------------------------------------------------------------- databases


def _postgres_admin(sql: str) -> None:
    assert POSTGRES_URL
    engine = create_engine(normalize_url(POSTGRES_URL))
    with engine.begin() as connection:
        connection.execute(text(sql))
    engine.dispose()


def make_database(backend: str, tmp_dir: Path) -> tuple[Database, str | None]:
    """A fresh migrated database; the second value is a PostgreSQL schema to drop afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'eligo-{uuid.uuid4().hex[:8]}.db'}"
        schema = None
    else:
        if not POSTGRES_URL:
            pytest.skip(POSTGRES_SKIP)
        schema = f"eligo_test_{uuid.uuid4().hex[:10]}"
        _postgres_admin(f'CREATE SCHEMA "{schema}"')
        base = normalize_url(POSTGRES_URL)
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    return database, schema


def drop_database(database: Database, schema: str | None) -> None:
    database.dispose()
    if schema:
        _postgres_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    return str(request.param)


@pytest.fixture(scope="session")
def database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db, schema = make_database(backend, tmp_path_factory.mktemp(backend))
    yield db
    drop_database(db, schema)


@pytest.fixture
def fresh_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A database of its own, for tests that damage it on purpose."""
    db, schema = make_database(backend, tmp_path)
    yield db
    drop_database(db, schema)


# --------------------------------------------------------------------------- live server


@pytest.fixture(scope="session")
def live_server(database: Database) -> Iterator[LiveServer]:
    server = start_live_server(test_settings(database), database)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def restore_root_log_handlers() -> Iterator[None]:
    """CLI commands under test configure logging onto captured streams; drop those handlers
    afterwards so the run's capture file stays the only lasting one."""
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def no_server_errors() -> Iterator[None]:
    """Fail any test during which a client saw a 5xx."""
    before = len(SERVER_ERRORS)
    yield
    seen = SERVER_ERRORS[before:]
    assert not seen, f"server errors: {seen}"


# --------------------------------------------------------------------------- tenants and keys


@pytest.fixture
def tenant(database: Database) -> TenantKeys:
    return create_tenant_with_keys(database)


@pytest.fixture
def other_tenant(database: Database) -> TenantKeys:
    return create_tenant_with_keys(database)


@pytest.fixture(scope="session")
def platform_admin_key(database: Database) -> str:
    with database.sessionmaker() as session:
        issued = service.bootstrap_platform_admin(session, actor="test")
    SENSITIVE_VALUES.add(issued.secret)
    return issued.secret
