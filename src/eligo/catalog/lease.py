"""A database lease: one holder at a time for a named job, across processes and hosts.

The lease is one row in ``leases``. Taking it is a single atomic
``UPDATE leases SET holder = me, expires_at = now + ttl WHERE name = :name AND (holder IS NULL
OR expires_at < now OR holder = me)``: on SQLite the statement runs under the database write
lock, on PostgreSQL under the row lock, so two takers can never both see ``rowcount == 1``.
A holder renews it while it works; one that dies (crash, SIGKILL) loses it once ``expires_at``
passes. It works the same on both databases and needs no advisory-lock extension.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta
from types import TracebackType

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from eligo.catalog.models import Lease
from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow
from eligo.errors import Conflict

__all__ = ["SYNC_LEASE", "DbLease", "LeaseBusy", "LeaseLost", "holder_id"]

logger = logging.getLogger(__name__)

SYNC_LEASE = "catalog_sync"


class LeaseBusy(Conflict):
    code = "sync_in_progress"
    default_message = "Another catalog sync holds the lease"


class LeaseLost(Conflict):
    code = "sync_lease_lost"
    default_message = "The catalog sync lost its lease (it stalled longer than the lease time)"


def holder_id() -> str:
    """Identifies this holder in the lease row: host, pid and a random part."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DbLease:
    """Take, renew and release one named lease; a context manager around a job."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        name: str = SYNC_LEASE,
        ttl_seconds: float = 60.0,
        holder: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or holder_id()
        self._renewed_at = 0.0
        self.held = False

    def try_acquire(self) -> bool:
        now = utcnow()
        with self.sessions() as session:
            declare_write_intent(session)  # read-then-write: take the SQLite write lock first
            self._ensure_row(session)
            result = session.execute(
                update(Lease)
                .where(
                    Lease.name == self.name,
                    or_(
                        Lease.holder.is_(None),
                        Lease.expires_at.is_(None),
                        Lease.expires_at < now,
                        Lease.holder == self.holder,
                    ),
                )
                .values(holder=self.holder, expires_at=now + self.ttl, acquired_at=now)
            )
            session.commit()
        self.held = result.rowcount == 1  # type: ignore[attr-defined]
        if self.held:
            self._renewed_at = time.monotonic()
            logger.info("lease %s taken by %s", self.name, self.holder)
        return self.held

    def acquire(self) -> DbLease:
        if not self.try_acquire():
            raise LeaseBusy()
        return self

    def keep_alive(self) -> None:
        """Renew if a third of the lease time has passed; raise LeaseLost if it was taken."""
        if time.monotonic() - self._renewed_at >= self.ttl.total_seconds() / 3:
            self.renew()

    def renew(self) -> None:
        now = utcnow()
        with self.sessions() as session:
            result = session.execute(
                update(Lease)
                .where(Lease.name == self.name, Lease.holder == self.holder)
                .values(expires_at=now + self.ttl)
            )
            session.commit()
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.held = False
            raise LeaseLost()
        self._renewed_at = time.monotonic()

    def fence(self, session: Session) -> None:
        """Renew inside the caller's write transaction, so its writes commit only while this
        holder still has the lease (a stalled holder that lost it cannot write behind the new
        holder's back: the lease row is locked until the caller commits)."""
        result = session.execute(
            update(Lease)
            .where(Lease.name == self.name, Lease.holder == self.holder)
            .values(expires_at=utcnow() + self.ttl)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.held = False
            raise LeaseLost()
        self._renewed_at = time.monotonic()

    def release(self) -> None:
        if not self.held:
            return
        with self.sessions() as session:
            session.execute(
                update(Lease)
                .where(Lease.name == self.name, Lease.holder == self.holder)
                .values(holder=None, expires_at=None)
            )
            session.commit()
        self.held = False
        logger.info("lease %s released by %s", self.name, self.holder)

    def _ensure_row(self, session: Session) -> None:
        # The migration inserts the sync lease row; other names (and create_all DBs) get one here.
        if session.execute(select(Lease.name).where(Lease.name == self.name)).first():
            return
        try:
            with session.begin_nested():
                session.execute(insert(Lease).values(name=self.name))
        except IntegrityError:
            pass  # another process inserted it first

    def __enter__(self) -> DbLease:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
