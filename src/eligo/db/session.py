"""Engine and session factories. Built by entrypoints (API lifespan, CLI), never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Execution option that asks SQLite for BEGIN IMMEDIATE: a transaction that reads and then
# writes (audit chain, sync apply) takes the write lock up front instead of failing with
# SQLITE_BUSY_SNAPSHOT when another writer got in between.
WRITE_INTENT = "eligo_write_intent"


def normalize_url(url: str) -> str:
    """Let people write postgresql:// and still get the psycopg 3 driver we install."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver: exec_driver_sql runs SQLAlchemy's whole statement machinery
        # (events, result set-up), about a tenth of a list-hit request's CPU, twice a request.
        immediate = conn.get_execution_options().get(WRITE_INTENT)
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def declare_write_intent(session: Session) -> None:
    """Call first in a unit of work that reads then writes shared state (see WRITE_INTENT).

    Once a transaction is under way its BEGIN is already chosen, so this is then a no-op."""
    if session.in_transaction():
        return
    session.connection(execution_options={WRITE_INTENT: True})


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        engine = create_db_engine(url, **kwargs)
        return cls(engine=engine, sessionmaker=sessionmaker(engine, expire_on_commit=False))

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request, made on the event loop: opening one does no I/O (the connection
    is checked out on first use, in the route's thread), and a sync dependency would cost two
    thread hops per request. Only a transaction left open needs I/O to close: a thread does it."""
    database: Database = request.app.state.database
    session = database.sessionmaker()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
