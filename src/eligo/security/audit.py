"""Append-only, hash-chained audit log.

Each row stores ``hash = sha256(prev_hash || canonical_json(row))``; editing, deleting or
reordering any row breaks every later link, which ``verify_chain`` reports.
Details must never hold PHI: callers pass ids and counts, not names or member ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow
from eligo.logging import request_id_var
from eligo.security.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _row_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": _iso(event.occurred_at),
        "tenant_id": event.tenant_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "detail": event.detail,
    }


def _iso(moment: datetime) -> str:
    # Microseconds kept: both backends store them.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    payload = prev_hash + canonical_json(_row_payload(event))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    actor: str,
    tenant_id: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (committed with the change it audits)."""
    declare_write_intent(session)
    # Bump the head first: on PostgreSQL this row lock, on SQLite the write lock, serializes
    # concurrent appends so the chain never forks.
    bumped = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError("audit_head row missing: run `eligo db upgrade`")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    session.refresh(head)
    event = AuditEvent(
        seq=head.seq,
        occurred_at=utcnow(),
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request_id=request_id or request_id_var.get(),
        detail=json.loads(canonical_json(detail or {})),
        prev_hash=head.hash,
    )
    event.hash = compute_hash(head.hash, event)
    head.hash = event.hash
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


def verify_chain(session: Session, *, batch_size: int = 1000) -> ChainVerdict:
    """Walk the chain in order and report the first row whose link does not hold."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _iter_events(session, batch_size):
        if event.seq != expected_seq:
            return ChainVerdict(False, checked, expected_seq, f"row {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainVerdict(
                False, checked, event.seq, "prev_hash does not match the row before"
            )
        if compute_hash(prev_hash, event) != event.hash:
            return ChainVerdict(False, checked, event.seq, "row content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainVerdict(False, checked, checked + 1, "rows after the last one were removed")
    return ChainVerdict(True, checked)


def _iter_events(session: Session, batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def list_events(
    session: Session, *, tenant_id: str | None, after: int = 0, limit: int = 100
) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(limit)
    if tenant_id is not None:
        query = query.where(AuditEvent.tenant_id == tenant_id)
    return list(session.execute(query).scalars())
