"""Building list versions: diff a stream of records against the active version, apply it as a
new version in short batches, clean up after a crash, and compare two versions.

How a version is built (see ``catalog.models`` for the validity ranges):

1. :class:`Differ` loads a fingerprint of every row visible in the active version (row id,
   status, hashes of the name and of the other fields: ~150 bytes a product), then takes the
   new records one by one. Unchanged records only tick a counter; added and changed ones are
   spooled to a temporary file, never held in memory. Whatever is left in the fingerprint map
   at the end was removed.
2. :func:`apply_spool` inserts ``catalog_list_versions(id=N, state=building)``, then per batch
   closes the replaced rows (``valid_to = N``) and inserts the new ones (``valid_from = N``), each
   batch its own short transaction. Readers keep using version N-1 throughout: to them the new
   rows are invisible and the closed rows still visible.
3. The caller flips ``catalog_state.active_version`` to N in one last transaction.

If the process dies in step 2, the building version's rows stay invisible; :func:`cleanup_building`
(run by the next lease holder) deletes rows with ``valid_from = N`` and reopens rows with
``valid_to = N``, then marks N failed.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from eligo.catalog.feed import FeedRecord
from eligo.catalog.models import CatalogProduct, CatalogState, ListVersion, SyncRun
from eligo.catalog.service import active_version, visible_in
from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow
from eligo.errors import Conflict

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "ApplyResult",
    "Change",
    "DiffCounts",
    "Differ",
    "Pacer",
    "apply_spool",
    "cleanup_building",
    "diff_versions",
    "iter_version_records",
    "next_version_number",
]

logger = logging.getLogger(__name__)

CHANGE_KINDS: Final = ("added", "removed", "status_changed", "renamed", "updated")
_READ_CHUNK: Final = 10_000
# Called first in a write transaction; raises if this process may no longer write (lease lost).
Fence = Callable[[Session], None]
_PRODUCTS: Final = cast(Table, CatalogProduct.__table__)


@dataclass(frozen=True, slots=True)
class Change:
    """One product-level difference between two list versions."""

    kind: str  # added | removed | status_changed | renamed | updated
    gtin: str
    before_status: str | None = None
    after_status: str | None = None
    before_name: str | None = None
    after_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "gtin": self.gtin,
            "before_status": self.before_status,
            "after_status": self.after_status,
            "before_name": self.before_name,
            "after_name": self.after_name,
        }


@dataclass
class DiffCounts:
    records: int = 0
    added: int = 0
    removed: int = 0
    status_changed: int = 0
    renamed: int = 0
    updated: int = 0
    unchanged: int = 0
    active_count: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.removed + self.status_changed + self.renamed + self.updated

    @property
    def removed_share(self) -> float:
        return self.removed / self.active_count if self.active_count else 0.0

    def as_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "added": self.added,
            "removed": self.removed,
            "status_changed": self.status_changed,
            "renamed": self.renamed,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class Pacer:
    """Sleeps ``pause_seconds`` after every ``every`` rows (``catalog.batch_pause_seconds`` and
    ``catalog.batch_size``): a sync that pauses leaves the cores to the request path part of the
    time in every phase (fingerprint load, parse and diff, apply), at the cost of a longer run.
    On a 2-core host even a nice 10 process busy all the time raises the lookup p99; busy half
    the time it mostly does not (``docs/sync.md``, measured)."""

    def __init__(self, every: int, pause_seconds: float) -> None:
        self.every = max(1, every)
        self.pause_seconds = pause_seconds
        self.count = 0
        self.pauses = 0

    def tick(self) -> None:
        if self.pause_seconds <= 0:
            return
        self.count += 1
        if self.count >= self.every:
            self.count = 0
            self.pauses += 1
            time.sleep(self.pause_seconds)


def _rest_key(brand: str, category: str, source: str) -> int:
    # updated_at is left out on purpose: a row whose only change is the publisher's timestamp
    # is not rewritten (and reading 200k timestamps back costs more than the rest of the load).
    return hash((brand, category, source))


class Differ:
    """Streams new records against the active version's fingerprints, spooling the changes.

    Spool lines are JSON arrays: ``[old_row_id | null, gtin, name, brand, status, category,
    source, updated_at_iso | null]``; removals come last as ``[old_row_id]``.
    """

    def __init__(self, session: Session, *, base_version: int, pacer: Pacer | None = None) -> None:
        self.base_version = base_version
        self.pacer = pacer if pacer is not None else Pacer(1, 0.0)
        self.counts = DiffCounts()
        # gtin (as int) -> (row id, status, hash(name), hash(other fields))
        self._active: dict[int, tuple[int, str, int, int]] = {}
        self.spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.spooled = 0
        if base_version:
            self._load(session)
        self.counts.active_count = len(self._active)

    def _load(self, session: Session) -> None:
        stmt = select(
            CatalogProduct.id,
            CatalogProduct.gtin,
            CatalogProduct.status,
            CatalogProduct.name,
            CatalogProduct.brand,
            CatalogProduct.category,
            CatalogProduct.source,
        ).where(visible_in(self.base_version))
        active = self._active
        # A Core cursor over plain columns: no ORM row processing for 200k rows; the rest key
        # is _rest_key inlined (one call less per row).
        rows = session.connection().execution_options(yield_per=_READ_CHUNK).execute(stmt)
        tick = self.pacer.tick
        for row_id, gtin, status, name, brand, category, source in rows:
            active[int(gtin)] = (row_id, status, hash(name), hash((brand, category, source)))
            tick()

    def feed(self, record: FeedRecord) -> None:
        counts = self.counts
        counts.records += 1
        old = self._active.pop(int(record.gtin), None)
        if old is None:
            counts.added += 1
            self._write(None, record)
            return
        row_id, status, name_hash, rest_hash = old
        if record.status != status:
            counts.status_changed += 1
        elif hash(record.name) != name_hash:
            counts.renamed += 1
        elif _rest_key(record.brand, record.category, record.source) != rest_hash:
            counts.updated += 1
        else:
            counts.unchanged += 1
            return
        self._write(row_id, record)

    def _write(self, old_id: int | None, record: FeedRecord) -> None:
        updated = record.updated_at.isoformat() if record.updated_at else None
        self.spool.write(
            json.dumps(
                [
                    old_id,
                    record.gtin,
                    record.name,
                    record.brand,
                    record.status,
                    record.category,
                    record.source,
                    updated,
                ],
                separators=(",", ":"),
            )
        )
        self.spool.write("\n")
        self.spooled += 1

    def finish(self) -> DiffCounts:
        """Spool the removals (whatever was not seen) and rewind the spool for reading."""
        self.counts.removed = len(self._active)
        for row_id, *_ in self._active.values():
            self.spool.write(f"[{row_id}]\n")
            self.spooled += 1
        self._active.clear()
        self.spool.flush()
        self.spool.seek(0)
        return self.counts

    def close(self) -> None:
        self._active.clear()
        self.spool.close()


@dataclass
class ApplyResult:
    version: int
    batches: int = 0
    rows_inserted: int = 0
    rows_closed: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def next_version_number(session: Session) -> int:
    latest = session.execute(select(func.max(ListVersion.id))).scalar_one_or_none()
    return int(latest or 0) + 1


def _spool_batches(spool: IO[str], size: int) -> Iterator[list[list[Any]]]:
    batch: list[list[Any]] = []
    for line in spool:
        batch.append(json.loads(line))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def apply_spool(
    sessions: sessionmaker[Session],
    *,
    spool: IO[str],
    version: int,
    source_label: str,
    batch_size: int,
    pause_seconds: float = 0.0,
    fence: Fence | None = None,
) -> ApplyResult:
    """Write the spooled changes as version ``version`` (already inserted as ``building``).

    ``fence`` runs first in each batch's transaction (the lease check, see ``DbLease.fence``).
    """
    started = time.perf_counter()
    result = ApplyResult(version=version)
    for batch in _spool_batches(spool, batch_size):
        close_ids = [entry[0] for entry in batch if entry[0] is not None]
        rows = [
            {
                "gtin": entry[1],
                "name": entry[2],
                "brand": entry[3],
                "status": entry[4],
                "category": entry[5],
                "source": entry[6][:100],
                "source_updated_at": datetime.fromisoformat(entry[7]) if entry[7] else None,
                "valid_from": version,
                "valid_to": None,
            }
            for entry in batch
            if len(entry) > 1
        ]
        with sessions() as session:
            _commit_without_waiting_for_flush(session)
            if fence is not None:
                fence(session)
            for start in range(0, len(close_ids), 500):
                session.execute(
                    update(CatalogProduct)
                    .where(
                        CatalogProduct.id.in_(close_ids[start : start + 500]),
                        CatalogProduct.valid_to.is_(None),
                    )
                    .values(valid_to=version)
                )
            if rows:
                _insert_rows(session, rows)
            session.commit()
        result.batches += 1
        result.rows_closed += len(close_ids)
        result.rows_inserted += len(rows)
        if pause_seconds > 0:
            time.sleep(pause_seconds)
    result.seconds = time.perf_counter() - started
    logger.info(
        "version %d built from %s: %d rows inserted, %d closed, %d batches in %.2fs",
        version,
        source_label,
        result.rows_inserted,
        result.rows_closed,
        result.batches,
        result.seconds,
    )
    return result


def _commit_without_waiting_for_flush(session: Session) -> None:
    """On PostgreSQL, this transaction's commit does not wait for its WAL to reach disk.

    Safe for the rows of a building version: readers never see them, the publishing transaction
    commits synchronously, and WAL is flushed in order, so the flip is durable only after every
    batch before it is. A crash that loses the last batches leaves a ``building`` version, which
    the next run cleans up like any interrupted one. Spares one WAL flush per batch.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))


_COPY_COLUMNS: Final = (
    "gtin",
    "name",
    "brand",
    "status",
    "category",
    "source",
    "source_updated_at",
    "valid_from",
    "valid_to",
)


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new product rows: COPY on PostgreSQL (several times faster than multi-row
    INSERTs), a Core executemany elsewhere (a third cheaper than an ORM bulk insert)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
        columns = ", ".join(_COPY_COLUMNS)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY catalog_products ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(tuple(row[name] for name in _COPY_COLUMNS))
        return
    connection.execute(_PRODUCTS.insert(), rows)


def cleanup_building(
    sessions: sessionmaker[Session],
    *,
    batch_size: int = 5000,
    reason: str = "interrupted",
    fence: Fence | None = None,
) -> list[int]:
    """Undo versions left ``building`` by a run that died. Call only while holding the lease
    (``fence`` checks it in every write transaction)."""
    with sessions() as session:
        active = active_version(session)
        building = list(
            session.execute(
                select(ListVersion.id)
                .where(ListVersion.state == "building")
                .order_by(ListVersion.id)
            ).scalars()
        )
    cleaned: list[int] = []
    for version in building:
        if version <= active:
            # Cannot happen through this module (the flip marks the version active); never touch
            # rows a reader may be using.
            logger.error(
                "version %d is marked building but is not above active %d", version, active
            )
            continue
        deleted = reopened = 0
        while True:
            with sessions() as session:
                declare_write_intent(session)
                if fence is not None:
                    fence(session)
                ids = select(CatalogProduct.id).where(CatalogProduct.valid_from == version)
                chunk = list(session.execute(ids.limit(batch_size)).scalars())
                if not chunk:
                    break
                session.execute(delete(CatalogProduct).where(CatalogProduct.id.in_(chunk)))
                session.commit()
                deleted += len(chunk)
        while True:
            with sessions() as session:
                declare_write_intent(session)
                if fence is not None:
                    fence(session)
                ids = select(CatalogProduct.id).where(CatalogProduct.valid_to == version)
                chunk = list(session.execute(ids.limit(batch_size)).scalars())
                if not chunk:
                    break
                session.execute(
                    update(CatalogProduct).where(CatalogProduct.id.in_(chunk)).values(valid_to=None)
                )
                session.commit()
                reopened += len(chunk)
        with sessions() as session:
            session.execute(
                update(ListVersion)
                .where(ListVersion.id == version)
                .values(state="failed", summary={"cleanup": reason, "deleted": deleted})
            )
            session.execute(
                update(SyncRun)
                .where(SyncRun.status == "running", SyncRun.list_version == version)
                .values(
                    status="failed",
                    error=f"run {reason}; version {version} cleaned up",
                    finished_at=utcnow(),
                )
            )
            session.commit()
        logger.warning(
            "cleaned up building version %d (%s): %d rows deleted, %d reopened",
            version,
            reason,
            deleted,
            reopened,
        )
        cleaned.append(version)
    with sessions() as session:
        # Runs that died before they allocated a version.
        session.execute(
            update(SyncRun)
            .where(SyncRun.status == "running")
            .values(status="failed", error="run interrupted", finished_at=utcnow())
        )
        session.commit()
    return cleaned


_COLUMNS: Final = (
    CatalogProduct.gtin,
    CatalogProduct.name,
    CatalogProduct.brand,
    CatalogProduct.status,
    CatalogProduct.category,
    CatalogProduct.source,
    CatalogProduct.source_updated_at,
)


def iter_version_records(session: Session, version: int) -> Iterator[FeedRecord]:
    """Every product visible in ``version``, as feed records (for rollbacks and exports)."""
    stmt = (
        select(*_COLUMNS)
        .where(visible_in(version))
        .order_by(CatalogProduct.gtin)
        .execution_options(yield_per=_READ_CHUNK)
    )
    for gtin, name, brand, status, category, source, updated in session.execute(stmt):
        yield FeedRecord(gtin, name, brand, status, category, updated, source)


def _side(session: Session, present: int, absent: int) -> Iterator[Any]:
    stmt = (
        select(*_COLUMNS)
        .where(visible_in(present), ~visible_in(absent))
        .order_by(CatalogProduct.gtin)
        .execution_options(yield_per=_READ_CHUNK)
    )
    yield from session.execute(stmt)


def _classify(before: Any, after: Any) -> Change | None:
    if before is None and after is not None:
        return Change("added", after.gtin, None, after.status, None, after.name)
    if after is None and before is not None:
        return Change("removed", before.gtin, before.status, None, before.name, None)
    assert before is not None
    assert after is not None
    if before.status != after.status:
        kind = "status_changed"
    elif before.name != after.name:
        kind = "renamed"
    elif (before.brand, before.category, before.source, before.source_updated_at) != (
        after.brand,
        after.category,
        after.source,
        after.source_updated_at,
    ):
        kind = "updated"
    else:
        return None  # same content in another row (e.g. republished by a rollback)
    return Change(kind, after.gtin, before.status, after.status, before.name, after.name)


def diff_versions(session: Session, old: int, new: int) -> Iterator[Change]:
    """Product-level changes from version ``old`` to ``new``, by GTIN (a streaming merge)."""
    olds = _side(session, old, new)
    news = _side(session, new, old)
    a = next(olds, None)
    b = next(news, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a.gtin < b.gtin):
            assert a is not None
            change = _classify(a, None)
            a = next(olds, None)
        elif a is None or b.gtin < a.gtin:
            change = _classify(None, b)
            b = next(news, None)
        else:
            change = _classify(a, b)
            a, b = next(olds, None), next(news, None)
        if change is not None:
            yield change


def count_changes(changes: Iterable[Change]) -> dict[str, int]:
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    for change in changes:
        counts[change.kind] += 1
    return counts


def version_exists(session: Session, version: int) -> ListVersion | None:
    return session.get(ListVersion, version)


def flip_pointer(session: Session, *, expected: int, version: int) -> None:
    """Make ``version`` active if ``expected`` still is (call inside the publishing transaction)."""
    state = session.execute(
        select(CatalogState).where(CatalogState.id == 1).with_for_update()
    ).scalar_one()
    if state.active_version != expected:
        raise Conflict(
            f"the active list version moved from {expected} to {state.active_version} "
            "while this version was built"
        )
    now = utcnow()
    if expected:
        session.execute(
            update(ListVersion).where(ListVersion.id == expected).values(state="superseded")
        )
    session.execute(
        update(ListVersion)
        .where(ListVersion.id == version)
        .values(state="active", activated_at=now)
    )
    state.active_version = version
    state.updated_at = now
