"""The scan worker: claims queued scans, runs the pipeline, stores sealed results.

Claiming is one conditional UPDATE (queued, or processing with an expired lease), so any number
of server processes can share one queue: a scan is run by one of them at a time, and a scan
whose worker died is claimed again once its lease expires (failed after ``max_attempts``). A
result is written only while the writer still holds the lease, in the same transaction as the
``card_scan.completed`` webhook event; a scan deleted meanwhile keeps no result.

Concurrency is bounded per process by ``worker_threads`` slots shared by the pool and by
``?wait=true`` requests, which run their scan in the request thread. The pipeline
(``CardScanner``, whose models take seconds to load) is built once per process.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from eligo.cards import retention
from eligo.cards.models import BACK, COMPLETED, FAILED, FRONT, PROCESSING, QUEUED, CardScan
from eligo.cards.service import (
    ImagesExpired,
    NotACard,
    ScanAborted,
    ScanFailed,
    load_parts,
    open_blob,
    seal,
)
from eligo.db.session import Database, declare_write_intent
from eligo.db.types import new_id, utcnow
from eligo.errors import EligoError
from eligo.notify import service as notify_service
from eligo.security.crypto import PhiCipher
from eligo.security.exceptions import DecryptionFailed
from eligo.settings import Settings

logger = logging.getLogger(__name__)

EVENT_TYPE = "card_scan.completed"
WAITERS_PER_SLOT = 4


class Scanner(Protocol):
    """What the worker needs from the pipeline (``eligo.cards.pipeline.CardScanner``)."""

    def scan(
        self, front: bytes, back: bytes | None = None, *, threshold: float | None = None
    ) -> dict[str, Any]: ...


def default_scanner() -> Scanner:
    """The process-wide pipeline scanner, models loaded (imported late: it is heavy)."""
    from eligo.cards import pipeline

    scanner = pipeline.get_scanner()
    scanner.load()
    return scanner


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}"


@dataclass(frozen=True)
class Outcome:
    """What became of one scan. ``error`` is the domain error, for ``?wait=true`` to raise."""

    scan_id: str
    status: str  # completed | failed | lost (deleted, or the lease was taken over)
    error: EligoError | None = None


def is_not_a_card(document: dict[str, Any]) -> bool:
    """The pipeline said so, or not one field could be read (a blank or card-shaped object
    with no card text has nothing to show, whatever its outline looked like)."""
    if document.get("not_a_card"):
        return True
    return not (document.get("fields") or document.get("low_confidence"))


def not_a_card(document: dict[str, Any]) -> NotACard:
    """The not_a_card error, with the capture advice the quality stage gave (fixed phrases)."""
    quality = (document.get("quality") or {}).get("front") or {}
    advice = [str(a) for a in quality.get("advice") or [] if isinstance(a, str)]
    if not advice:
        return NotACard()
    return NotACard(f"{NotACard.default_message} Also: {', '.join(advice)}.")


def _claimable(now: Any) -> ColumnElement[bool]:
    return or_(
        CardScan.status == QUEUED,
        and_(CardScan.status == PROCESSING, CardScan.lease_until < now),
    )


class ScanService:
    """Owns the per-process scanner, the scan slots, the worker pool and the purge timer."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        scanner_factory: Callable[[], Scanner] = default_scanner,
        worker_id: str | None = None,
    ) -> None:
        self.database = database
        self.config = settings.cards
        self.cipher = PhiCipher.from_settings(settings)
        self.worker_id = (worker_id or default_worker_id())[:40]
        self.threads = max(1, self.config.worker_threads)
        self._scanner_factory = scanner_factory
        self._scanner: Scanner | None = None
        self._scanner_lock = threading.Lock()
        self._load_error: str | None = None
        self._loading = False
        self._slots = threading.BoundedSemaphore(self.threads)
        # Requests waiting for a slot each hold a server thread; past this many, ?wait=true
        # answers 202 at once instead of starving the thread pool every route shares.
        self._waiters = threading.BoundedSemaphore(WAITERS_PER_SLOT * self.threads)
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="eligo-scan")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._next_purge = 0.0

    # ----------------------------------------------------------------------- lifecycle

    def start(self, *, poll: bool | None = None) -> ScanService:
        """Start the poller (default: if the worker is enabled) and the scanner preload."""
        if self.config.preload_scanner:
            self._loading = True
            self._spawn(self._preload, "eligo-scan-preload")
        if self.config.worker_enabled if poll is None else poll:
            self._spawn(self._run_forever, "eligo-scan-poller")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._pool.shutdown(wait=True)

    def wake(self) -> None:
        """A scan was queued: poll now instead of at the next interval."""
        self._wake.set()

    def readiness(self) -> str | None:
        """Readiness probe: None when ready (models load on the first scan unless preloaded)."""
        if self._load_error is not None:
            return self._load_error
        if self._loading:
            return "loading"
        return None

    # ----------------------------------------------------------------------- scanner

    def scanner(self) -> Scanner:
        with self._scanner_lock:
            if self._scanner is None:
                started = time.perf_counter()
                try:
                    self._scanner = self._scanner_factory()
                except (ImportError, OSError, RuntimeError) as exc:
                    self._load_error = f"card scanner failed to load: {type(exc).__name__}"
                    raise
                self._load_error = None
                logger.info("card scanner loaded in %.1f s", time.perf_counter() - started)
            return self._scanner

    def _preload(self) -> None:
        try:
            self.scanner()
        except (ImportError, OSError, RuntimeError):
            logger.exception("card scanner preload failed")
        finally:
            self._loading = False

    # ----------------------------------------------------------------------- claims

    def claim_token(self) -> str:
        return f"{self.worker_id}:{new_id()[:12]}"

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.config.lease_seconds)

    def claim(self, limit: int = 1) -> list[tuple[str, str]]:
        """Lease up to ``limit`` claimable scans, oldest first: ``(scan_id, token)`` pairs.

        Idle polls only read, so an idle worker takes no write lock."""
        now = utcnow()
        with self.database.sessionmaker() as session:
            candidates = list(
                session.execute(
                    select(CardScan.id)
                    .where(_claimable(now))
                    .order_by(CardScan.created_at)
                    .limit(limit)
                ).scalars()
            )
        if not candidates:
            return []
        token = self.claim_token()
        with self.database.sessionmaker() as session:
            declare_write_intent(session)
            # The condition is repeated: a scan another worker claimed since the read no longer
            # matches (PostgreSQL re-checks it after taking the row lock).
            session.execute(
                update(CardScan)
                .where(CardScan.id.in_(candidates), _claimable(now))
                .values(
                    status=PROCESSING,
                    stage="scanning",
                    progress=0.1,
                    lease_owner=token,
                    lease_until=now + self.lease,
                    attempts=CardScan.attempts + 1,
                    started_at=now,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            claimed = list(
                session.execute(select(CardScan.id).where(CardScan.lease_owner == token)).scalars()
            )
        return [(scan_id, token) for scan_id in claimed]

    def release(self, scan_id: str, token: str) -> None:
        """Give a claimed scan back to the queue (``?wait=true`` found no free slot)."""
        with self.database.sessionmaker() as session:
            declare_write_intent(session)
            session.execute(
                update(CardScan)
                .where(CardScan.id == scan_id, CardScan.lease_owner == token)
                .values(
                    status=QUEUED,
                    stage=QUEUED,
                    progress=0.0,
                    lease_owner=None,
                    lease_until=None,
                    attempts=CardScan.attempts - 1,
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
        self.wake()

    # ----------------------------------------------------------------------- processing

    def process(self, scan_id: str, token: str) -> Outcome:
        """Run one claimed scan to its end (the caller holds a slot)."""
        try:
            return self._process(scan_id, token)
        except SQLAlchemyError as exc:
            # The lease expires and another attempt follows; nothing to record now.
            logger.warning("card scan %s: database error %s", scan_id, type(exc).__name__)
            return Outcome(scan_id, "lost", ScanFailed())

    def _process(self, scan_id: str, token: str) -> Outcome:
        with self.database.sessionmaker() as session:
            scan = session.get(CardScan, scan_id)
            if scan is None or scan.lease_owner != token:
                return Outcome(scan_id, "lost")
            tenant_id, attempts, threshold = scan.tenant_id, scan.attempts, scan.threshold
            parts = load_parts(session, scan_id=scan_id)
        if attempts > self.config.max_attempts:
            return self._fail(scan_id, token, tenant_id, ScanAborted())
        if FRONT not in parts:
            return self._fail(scan_id, token, tenant_id, ImagesExpired())
        try:
            front = open_blob(self.cipher, tenant_id=tenant_id, blob=parts[FRONT])
            back = (
                open_blob(self.cipher, tenant_id=tenant_id, blob=parts[BACK])
                if BACK in parts
                else None
            )
        except DecryptionFailed as exc:
            logger.error("card scan %s: stored images do not decrypt (key configuration)", scan_id)
            return self._fail(scan_id, token, tenant_id, exc)
        started = time.perf_counter()
        try:
            document = self.scanner().scan(
                front,
                back,
                threshold=self.config.field_threshold if threshold is None else threshold,
            )
        except EligoError as exc:  # bad image: our error classes carry safe messages
            logger.info("card scan %s rejected: %s", scan_id, exc.code)
            return self._fail(scan_id, token, tenant_id, exc)
        except Exception as exc:  # a pipeline bug must fail one scan, not the worker
            # The class name only: exception text from image code may quote its content.
            logger.error("card scan %s: pipeline error %s", scan_id, type(exc).__name__)
            return self._fail(scan_id, token, tenant_id, ScanFailed())
        elapsed_ms = (time.perf_counter() - started) * 1000
        if is_not_a_card(document):
            return self._fail(scan_id, token, tenant_id, not_a_card(document))
        return self._complete(scan_id, token, tenant_id, document, elapsed_ms)

    def _finish(
        self,
        scan_id: str,
        token: str,
        tenant_id: str,
        values: dict[str, Any],
        result: dict[str, Any] | None,
    ) -> bool:
        """Write the outcome if the lease is still ours, with the result and the event."""
        now = utcnow()
        values |= {
            "lease_owner": None,
            "lease_until": None,
            "stage": "done",
            "progress": 1.0,
            "completed_at": now,
            "updated_at": now,
        }
        with self.database.sessionmaker() as session:
            declare_write_intent(session)
            won = session.execute(
                update(CardScan)
                .where(
                    CardScan.id == scan_id,
                    CardScan.lease_owner == token,
                    CardScan.status == PROCESSING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if won != 1:
                session.rollback()
                logger.info("card scan %s: deleted or taken over; result dropped", scan_id)
                return False
            if result is not None:
                data = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()
                session.add(
                    seal(
                        self.cipher, tenant_id=tenant_id, scan_id=scan_id, part="result", data=data
                    )
                )
            payload: dict[str, Any] = {"scan_id": scan_id, "status": values["status"]}
            if values.get("error_code"):
                payload["error_code"] = values["error_code"]
            notify_service.enqueue_event(
                session,
                tenant_id=tenant_id,
                event_type=EVENT_TYPE,
                payload=payload,
                idempotency_key=f"card_scan:{scan_id}",
            )
            session.commit()
        return True

    def _complete(
        self,
        scan_id: str,
        token: str,
        tenant_id: str,
        document: dict[str, Any],
        elapsed_ms: float,
    ) -> Outcome:
        values: dict[str, Any] = {
            "status": COMPLETED,
            "card_detected": bool(document.get("card_detected")),
            "field_count": len(document.get("fields") or {}),
            "low_confidence_count": len(document.get("low_confidence") or {}),
            "scan_ms": round(elapsed_ms, 1),
        }
        if not self._finish(scan_id, token, tenant_id, values, document):
            return Outcome(scan_id, "lost")
        logger.info(
            "card scan %s completed: %d fields in %.0f ms",
            scan_id,
            values["field_count"],
            elapsed_ms,
        )
        return Outcome(scan_id, COMPLETED)

    def _fail(self, scan_id: str, token: str, tenant_id: str, error: EligoError) -> Outcome:
        values = {
            "status": FAILED,
            "error_code": error.code[:64],
            "error_message": error.message[:300],
        }
        if not self._finish(scan_id, token, tenant_id, values, None):
            return Outcome(scan_id, "lost", error)
        return Outcome(scan_id, FAILED, error)

    # ----------------------------------------------------------------------- running

    def run_inline(self, scan_id: str, token: str) -> Outcome | None:
        """Run a scan the caller claimed, in the caller's thread, once a slot is free.

        None when too many requests already wait, or no slot freed up within
        ``wait_timeout_seconds``: the scan is then queued for the pool."""
        if not self._waiters.acquire(blocking=False):
            self.release(scan_id, token)
            return None
        try:
            if not self._slots.acquire(timeout=self.config.wait_timeout_seconds):
                self.release(scan_id, token)
                return None
        finally:
            self._waiters.release()
        try:
            return self.process(scan_id, token)
        finally:
            self._slots.release()

    def run_once(self) -> Outcome | None:
        """Claim and run one scan in this thread (CLI, tests); None when nothing is queued."""
        with self._slots:
            claimed = self.claim(1)
            if not claimed:
                return None
            return self.process(*claimed[0])

    def drain(self, *, max_scans: int = 10_000) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for _ in range(max_scans):
            outcome = self.run_once()
            if outcome is None:
                break
            outcomes.append(outcome)
        return outcomes

    def _run_claimed(self, scan_id: str, token: str) -> None:
        try:
            self.process(scan_id, token)
        finally:
            self._slots.release()
            self._wake.set()

    def _poll(self) -> bool:
        """Take a slot and a scan and hand them to the pool; False when there was no scan."""
        if not self._slots.acquire(timeout=self.config.poll_interval_seconds):
            return True  # all slots busy: that is work, not idleness
        try:
            claimed = self.claim(1)
        except SQLAlchemyError as exc:
            logger.warning("card scan worker: database error %s; retrying", type(exc).__name__)
            claimed = []
        if not claimed:
            self._slots.release()
            return False
        self._pool.submit(self._run_claimed, *claimed[0])
        return True

    def _run_forever(self) -> None:
        logger.info("card scan worker %s started (%d slots)", self.worker_id, self.threads)
        while not self._stop.is_set():
            self._purge_if_due()
            if not self._poll():
                self._wake.wait(self.config.poll_interval_seconds)
                self._wake.clear()
        logger.info("card scan worker %s stopped", self.worker_id)

    def _purge_if_due(self) -> None:
        interval = self.config.purge_interval_seconds
        if interval <= 0 or time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + interval
        try:
            with self.database.sessionmaker() as session:
                retention.purge_expired_images(
                    session, retention_days=self.config.image_retention_days
                )
        except SQLAlchemyError as exc:
            logger.warning("card image purge: database error %s", type(exc).__name__)


def start_scan_service(database: Database, settings: Settings) -> ScanService:
    """The service for the API process; ``stop()`` it on shutdown."""
    return ScanService(database, settings).start()
