"""The sync job: fetch the trusted feed, diff it against the active list, publish a new version.

One run, under the ``catalog_sync`` lease (one run at a time across processes):

1. Clean up any version a dead run left ``building`` (:func:`versions.cleanup_building`).
2. Fetch the feed conditionally (ETag / Last-Modified of the last good run); unchanged: done.
3. Stream-parse it; bad rows are quarantined (counted, the first ones stored with their reason);
   good rows go through the :class:`~eligo.catalog.versions.Differ` (spooled to disk).
4. Abort, keeping the active version, when the bad share or the removed share is over its
   threshold (``catalog.max_bad_share``, ``catalog.max_removed_share``), or when the feed
   could not be read to its end (:class:`FeedError`).
5. Apply the diff as version N in short batches, then publish in one transaction: flip the
   pointer, bring merchant items' statuses up to date, write webhook events to the outbox,
   record the run and append to the audit chain. Readers see N-1 or N, never a mix.

Rollbacks use the same path with an old version's rows as the "feed".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import desc, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from eligo.catalog import merchant
from eligo.catalog.feed import FeedError, FeedRecord, FeedStats, QuarantinedRow
from eligo.catalog.lease import DbLease, LeaseBusy, LeaseLost
from eligo.catalog.models import ListVersion, SyncQuarantinedRow, SyncRun
from eligo.catalog.service import active_version
from eligo.catalog.sources import FeedSource, open_source
from eligo.catalog.versions import (
    DiffCounts,
    Differ,
    Pacer,
    apply_spool,
    cleanup_building,
    flip_pointer,
    iter_version_records,
    next_version_number,
)
from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow
from eligo.errors import BadRequest, Conflict, NotFound
from eligo.notify import service as notify_service
from eligo.notify.events import EventType
from eligo.security import audit
from eligo.settings import CatalogSettings

__all__ = ["SyncAborted", "SyncOutcome", "latest_runs", "rollback", "run_sync"]

logger = logging.getLogger(__name__)

_QUARANTINE_FLUSH: Final = 1000
# A webhook event lists at most this many GTINs; a merchant with more gets several parts.
EVENT_CHUNK: Final = 5000


class SyncAborted(Exception):
    """A threshold tripped: the feed is not applied and the active version stays."""

    def __init__(self, message: str, counts: DiffCounts) -> None:
        super().__init__(message)
        self.counts = counts


@dataclass
class SyncOutcome:
    run_id: str | None
    status: str  # succeeded | unchanged | aborted | failed | busy
    list_version: int | None = None
    based_on: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    error: str | None = None
    durations: dict[str, float] = field(default_factory=dict)


def _notify(session: Session, *, run: SyncRun, version: int, based_on: int) -> dict[str, int]:
    """product.eligibility_changed per merchant (their GTINs only), then sync.completed."""
    merchants = events = 0
    for tenant_id, changes in merchant.list_changes_by_tenant(session, version=version):
        merchants += 1
        parts = (len(changes) + EVENT_CHUNK - 1) // EVENT_CHUNK
        for part in range(parts):
            chunk = changes[part * EVENT_CHUNK : (part + 1) * EVENT_CHUNK]
            payload = {
                "list_version": version,
                "previous_version": based_on,
                "sync_run_id": run.id,
                "part": part + 1,
                "parts": parts,
                "changes": [
                    {"gtin": c.gtin, "change": c.kind, "before": c.before, "after": c.after}
                    for c in chunk
                ],
            }
            notify_service.enqueue_event(
                session,
                tenant_id=tenant_id,
                event_type=EventType.PRODUCT_ELIGIBILITY_CHANGED.value,
                payload=payload,
                idempotency_key=f"product.eligibility_changed:{version}:{part + 1}",
            )
            events += 1
    broadcast = _sync_completed_fanout(session, run=run, version=version)
    return {"merchants_notified": merchants, "events": events, "sync_completed_to": broadcast}


def _sync_completed_fanout(session: Session, *, run: SyncRun, version: int) -> int:
    """sync.completed to every tenant with an active endpoint subscribed to it."""
    tenants = sorted(
        {
            endpoint.tenant_id
            for endpoint in notify_service.list_endpoints(session, tenant_id=None)
            if EventType.SYNC_COMPLETED.value in (endpoint.events or [])
        }
    )
    payload = {
        "list_version": version,
        "previous_version": run.based_on,
        "sync_run_id": run.id,
        "kind": run.kind,
        "counts": {
            "records": run.records,
            "added": run.added,
            "removed": run.removed,
            "status_changed": run.status_changed,
            "renamed": run.renamed,
            "updated": run.updated,
            "quarantined": run.quarantined,
        },
    }
    for tenant_id in tenants:
        notify_service.enqueue_event(
            session,
            tenant_id=tenant_id,
            event_type=EventType.SYNC_COMPLETED.value,
            payload=payload,
            idempotency_key=f"sync.completed:{version}",
        )
    return len(tenants)


class _Quarantine:
    """Stores the first quarantined rows of a run in small batches (own transactions)."""

    def __init__(self, sessions: sessionmaker[Session], run_id: str, cap: int) -> None:
        self.sessions = sessions
        self.run_id = run_id
        self.cap = cap
        self.stored = 0
        self.pending: list[QuarantinedRow] = []
        self.by_code: dict[str, int] = {}

    def add(self, row: QuarantinedRow) -> None:
        self.by_code[row.code] = self.by_code.get(row.code, 0) + 1
        if self.stored + len(self.pending) < self.cap:
            self.pending.append(row)
            if len(self.pending) >= _QUARANTINE_FLUSH:
                self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with self.sessions() as session:
            session.add_all(
                SyncQuarantinedRow(
                    run_id=self.run_id,
                    line_no=row.line_no,
                    code=row.code[:40],
                    reason=row.reason[:500],
                    raw=row.raw[:400],
                )
                for row in self.pending
            )
            session.commit()
        self.stored += len(self.pending)
        self.pending = []


def _last_validators(session: Session, location: str) -> tuple[str | None, str | None]:
    row = session.execute(
        select(SyncRun.etag, SyncRun.last_modified)
        .where(SyncRun.feed == location[:500], SyncRun.status.in_(("succeeded", "unchanged")))
        .order_by(desc(SyncRun.started_at))
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _finish_run(
    sessions: sessionmaker[Session],
    run_id: str,
    *,
    status: str,
    error: str | None,
    actor: str = "system:sync",
    **values: Any,
) -> None:
    with sessions() as session:
        session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(status=status, error=error, finished_at=utcnow(), **values)
        )
        if status in ("aborted", "failed"):
            audit.record(
                session,
                action=f"catalog.sync_{status}",
                actor=actor,
                object_type="catalog_sync_run",
                object_id=run_id,
                detail={"error": (error or "")[:300]},
            )
        session.commit()


class _Builder:
    """Shared by syncs and rollbacks: diff a record stream, apply it, publish."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: CatalogSettings,
        lease: DbLease,
        run_id: str,
        actor: str,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.lease = lease
        self.run_id = run_id
        self.actor = actor
        self.timings: dict[str, float] = {}

    def diff(
        self, records: Iterable[FeedRecord | QuarantinedRow], quarantine: _Quarantine | None
    ) -> tuple[Differ, int]:
        started = time.perf_counter()
        pacer = Pacer(self.settings.batch_size, self.settings.batch_pause_seconds)
        with self.sessions() as session:
            based_on = active_version(session)
            differ = Differ(session, base_version=based_on, pacer=pacer)
        self.timings["load_active"] = round(time.perf_counter() - started, 3)
        feed = differ.feed
        try:
            for n, item in enumerate(records):
                if isinstance(item, QuarantinedRow):
                    if quarantine is not None:
                        quarantine.add(item)
                else:
                    feed(item)
                if n % 5000 == 0:
                    self.lease.keep_alive()
                pacer.tick()
        except BaseException:
            differ.close()
            raise
        self.timings["fetch_parse_diff"] = round(time.perf_counter() - started, 3)
        return differ, based_on

    def publish(
        self, differ: Differ, *, based_on: int, source_label: str, kind: str, extra: dict[str, Any]
    ) -> SyncOutcome:
        counts = differ.finish()
        with self.sessions() as session:
            declare_write_intent(session)
            self.lease.fence(session)
            version = next_version_number(session)
            session.add(
                ListVersion(
                    id=version,
                    state="building",
                    source=source_label[:500],
                    based_on=based_on or None,
                    product_count=counts.records,
                )
            )
            session.execute(
                update(SyncRun).where(SyncRun.id == self.run_id).values(list_version=version)
            )
            session.commit()
        started = time.perf_counter()
        apply_spool(
            self.sessions,
            spool=differ.spool,
            version=version,
            source_label=source_label,
            batch_size=self.settings.batch_size,
            pause_seconds=self.settings.batch_pause_seconds,
            fence=self.lease.fence,
        )
        differ.close()
        self.timings["apply"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        with self.sessions() as session:
            declare_write_intent(session)
            self.lease.fence(session)
            flip_pointer(session, expected=based_on, version=version)
            summary = counts.as_dict()
            session.execute(
                update(ListVersion).where(ListVersion.id == version).values(summary=summary)
            )
            items_updated = merchant.apply_list_changes(session, version=version)
            run = session.get(SyncRun, self.run_id)
            assert run is not None
            _set_counts(run, counts)
            run.based_on = based_on or None
            run.list_version = version
            notified = _notify(session, run=run, version=version, based_on=based_on)
            self.timings["publish"] = round(time.perf_counter() - started, 3)
            run.status = "succeeded"
            run.finished_at = utcnow()
            run.durations = {**run.durations, **self.timings}
            run.detail = {**extra, **notified, "merchant_items_updated": items_updated}
            audit.record(
                session,
                action=f"catalog.{kind}",
                actor=self.actor,
                object_type="catalog_list_version",
                object_id=str(version),
                detail={"based_on": based_on, "run_id": self.run_id, **summary, **extra},
            )
            session.commit()
        logger.info(
            "catalog %s published version %d (based on %d): %s", kind, version, based_on, summary
        )
        return SyncOutcome(
            self.run_id, "succeeded", version, based_on, summary, durations=self.timings
        )


def _set_counts(run: SyncRun, counts: DiffCounts) -> None:
    run.records = counts.records
    run.added = counts.added
    run.removed = counts.removed
    run.status_changed = counts.status_changed
    run.renamed = counts.renamed
    run.updated = counts.updated
    run.unchanged = counts.unchanged
    run.removed_share = round(counts.removed_share, 6)


def _start_run(
    sessions: sessionmaker[Session], *, feed: str, trigger: str, kind: str, actor: str
) -> str:
    with sessions() as session:
        run = SyncRun(feed=feed[:500], trigger=trigger, kind=kind, detail={"actor": actor})
        session.add(run)
        session.commit()
        return run.id


def run_sync(
    sessions: sessionmaker[Session],
    settings: CatalogSettings,
    *,
    feed: str | None = None,
    source: FeedSource | None = None,
    trigger: str = "cli",
    actor: str = "system:sync",
    force: bool = False,
) -> SyncOutcome:
    """One sync run (see the module docstring). Never raises for feed or threshold problems:
    the outcome and the stored run say what happened. ``busy``: another run holds the lease."""
    location = feed or settings.feed_url
    if source is None:
        if not location:
            raise BadRequest("No feed given: pass --feed or set ELIGO_CATALOG__FEED_URL")
        source = open_source(location)
    location = source.location
    lease = DbLease(sessions, ttl_seconds=settings.lease_seconds)
    if not lease.try_acquire():
        logger.info("catalog sync skipped: another run holds the lease")
        return SyncOutcome(None, "busy", error="another sync holds the lease")
    try:
        cleanup_building(sessions, batch_size=settings.batch_size, fence=lease.fence)
        run_id = _start_run(sessions, feed=location, trigger=trigger, kind="sync", actor=actor)
        return _sync(sessions, settings, source, lease, run_id, actor=actor, force=force)
    finally:
        lease.release()


def _sync(
    sessions: sessionmaker[Session],
    settings: CatalogSettings,
    source: FeedSource,
    lease: DbLease,
    run_id: str,
    *,
    actor: str,
    force: bool,
) -> SyncOutcome:
    started = time.perf_counter()
    builder = _Builder(sessions, settings, lease, run_id, actor)
    stats = FeedStats()
    quarantine = _Quarantine(sessions, run_id, settings.max_quarantine_rows_stored)
    etag = last_modified = None
    if not force:
        with sessions() as session:
            etag, last_modified = _last_validators(session, source.location)
    fetch = None
    try:
        fetch = source.fetch(etag=etag, last_modified=last_modified)
        builder.timings["fetch_open"] = round(time.perf_counter() - started, 3)
        meta: dict[str, Any] = {
            "etag": fetch.meta.etag,
            "last_modified": fetch.meta.last_modified,
            "feed_version": fetch.meta.version,
        }
        if fetch.not_modified:
            _finish_run(
                sessions,
                run_id,
                status="unchanged",
                error=None,
                durations={"total": round(time.perf_counter() - started, 3)},
                **meta,
            )
            logger.info("catalog sync: feed unchanged (conditional GET)")
            return SyncOutcome(run_id, "unchanged")
        with fetch:
            differ, based_on = builder.diff(fetch.records(stats), quarantine)
        quarantine.flush()
        extra = {"pages": fetch.pages, "retries": fetch.retries, "bytes": fetch.bytes_read}
        try:
            counts = differ.counts
            counts.removed = counts.active_count - (counts.records - counts.added)
            if stats.bad_share > settings.max_bad_share:
                raise SyncAborted(
                    f"{stats.bad_share:.1%} of rows are bad "
                    f"(limit {settings.max_bad_share:.1%}); the active version is kept",
                    counts,
                )
            if counts.removed_share > settings.max_removed_share:
                raise SyncAborted(
                    f"the feed would remove {counts.removed_share:.1%} of the products "
                    f"(limit {settings.max_removed_share:.1%}); the active version is kept",
                    counts,
                )
            if counts.changed == 0:
                # Same content under new validators (e.g. republished): no empty version.
                differ.close()
                with sessions() as session:
                    declare_write_intent(session)
                    run = session.get(SyncRun, run_id)
                    assert run is not None
                    _set_counts(run, counts)
                    session.commit()
                durations = {**builder.timings, "total": round(time.perf_counter() - started, 3)}
                _finish_run(
                    sessions,
                    run_id,
                    status="unchanged",
                    error=None,
                    quarantined=stats.quarantined,
                    bad_share=round(stats.bad_share, 6),
                    durations=durations,
                    **meta,
                )
                return SyncOutcome(
                    run_id,
                    "unchanged",
                    counts=counts.as_dict(),
                    quarantined=stats.quarantined,
                    durations=durations,
                )
            with sessions() as session:
                session.execute(
                    update(SyncRun)
                    .where(SyncRun.id == run_id)
                    .values(
                        quarantined=stats.quarantined, bad_share=round(stats.bad_share, 6), **meta
                    )
                )
                session.commit()
            outcome = builder.publish(
                differ,
                based_on=based_on,
                source_label=source.location,
                kind="sync",
                extra={**extra, "quarantined": stats.quarantined},
            )
        except BaseException:
            differ.close()
            raise
        outcome.quarantined = stats.quarantined
        total = round(time.perf_counter() - started, 3)
        outcome.durations["total"] = total
        with sessions() as session:
            declare_write_intent(session)
            run = session.get(SyncRun, run_id)
            assert run is not None
            run.durations = {**run.durations, "total": total}
            session.commit()
        return outcome
    except SyncAborted as exc:
        with sessions() as session:
            declare_write_intent(session)
            run = session.get(SyncRun, run_id)
            assert run is not None
            _set_counts(run, exc.counts)
            session.commit()
        return _failed(sessions, run_id, "aborted", str(exc), stats, builder, started, fetch)
    except (FeedError, LeaseLost, Conflict) as exc:
        return _failed(sessions, run_id, "failed", exc.message, stats, builder, started, fetch)
    except (SQLAlchemyError, OSError) as exc:
        logger.exception("catalog sync failed")
        _cleanup_after_failure(sessions, settings, lease)
        return _failed(
            sessions,
            run_id,
            "failed",
            f"{type(exc).__name__}: {exc}"[:500],
            stats,
            builder,
            started,
            fetch,
        )


def _cleanup_after_failure(
    sessions: sessionmaker[Session], settings: CatalogSettings, lease: DbLease
) -> None:
    try:
        cleanup_building(
            sessions, batch_size=settings.batch_size, reason="failed", fence=lease.fence
        )
    except (SQLAlchemyError, LeaseLost):
        logger.exception("cleanup after a failed sync failed; the next run retries it")


def _failed(
    sessions: sessionmaker[Session],
    run_id: str,
    status: str,
    error: str,
    stats: FeedStats,
    builder: _Builder,
    started: float,
    fetch: Any,
) -> SyncOutcome:
    durations = {**builder.timings, "total": round(time.perf_counter() - started, 3)}
    logger.warning("catalog sync %s: %s", status, error)
    _finish_run(
        sessions,
        run_id,
        status=status,
        error=error,
        actor=builder.actor,
        records=stats.records,
        quarantined=stats.quarantined,
        bad_share=round(stats.bad_share, 6),
        durations=durations,
        etag=fetch.meta.etag if fetch is not None else None,
        last_modified=fetch.meta.last_modified if fetch is not None else None,
        feed_version=fetch.meta.version if fetch is not None else None,
    )
    return SyncOutcome(
        run_id, status, quarantined=stats.quarantined, error=error, durations=durations
    )


def rollback(
    sessions: sessionmaker[Session],
    settings: CatalogSettings,
    *,
    version: int,
    actor: str,
    trigger: str = "cli",
) -> SyncOutcome:
    """Publish version ``version``'s content as a new version (history only grows; audited)."""
    with sessions() as session:
        target = session.get(ListVersion, version)
        if target is None or target.activated_at is None:
            raise NotFound(f"List version {version} was never published")
        if active_version(session) == version:
            raise Conflict(f"Version {version} is already the active version")
    lease = DbLease(sessions, ttl_seconds=settings.lease_seconds)
    if not lease.try_acquire():
        raise LeaseBusy()
    try:
        cleanup_building(sessions, batch_size=settings.batch_size, fence=lease.fence)
        run_id = _start_run(
            sessions, feed=f"rollback:{version}", trigger=trigger, kind="rollback", actor=actor
        )
        builder = _Builder(sessions, settings, lease, run_id, actor)
        started = time.perf_counter()
        with sessions() as reader:
            differ, based_on = builder.diff(iter_version_records(reader, version), None)
        outcome = builder.publish(
            differ,
            based_on=based_on,
            source_label=f"rollback to version {version}",
            kind="rollback",
            extra={"rollback_to": version},
        )
        outcome.durations["total"] = round(time.perf_counter() - started, 3)
        return outcome
    finally:
        lease.release()


def latest_runs(session: Session, *, limit: int = 50) -> list[SyncRun]:
    return list(
        session.execute(select(SyncRun).order_by(desc(SyncRun.started_at)).limit(limit)).scalars()
    )


def quarantined_rows(
    session: Session, *, run_id: str, limit: int = 1000
) -> Iterator[SyncQuarantinedRow]:
    yield from session.execute(
        select(SyncQuarantinedRow)
        .where(SyncQuarantinedRow.run_id == run_id)
        .order_by(SyncQuarantinedRow.line_no)
        .limit(limit)
    ).scalars()
