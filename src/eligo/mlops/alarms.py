"""Persisting drift windows and raising the alarm: audit event + ``model.drift_detected``."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from eligo.mlops.models import DriftWindow
from eligo.mlops.monitoring import ClosedWindow
from eligo.notify.service import enqueue_event
from eligo.security import audit

logger = logging.getLogger(__name__)

DRIFT_EVENT = "model.drift_detected"
MONITOR_ACTOR = "system:drift-monitor"


def record_window(session: Session, window: ClosedWindow) -> DriftWindow:
    """Store the window; on drift, audit it and notify each tenant whose traffic was in it."""
    stats = window.stats.to_dict()
    row = DriftWindow(
        model_name=window.model_name,
        model_version=window.model_version,
        started_at=window.started_at,
        ended_at=window.ended_at,
        n=window.stats.n,
        stats=stats,
        drift=bool(window.reasons),
        reasons=list(window.reasons),
    )
    session.add(row)
    session.flush()
    if window.reasons:
        payload = {
            "model": window.model_name,
            "model_version": window.model_version,
            "window_id": row.id,
            "reasons": list(window.reasons),
            "stats": stats,
        }
        audit.record(
            session,
            action=DRIFT_EVENT,
            actor=MONITOR_ACTOR,
            object_type="registered_model",
            object_id=f"{window.model_name}:{window.model_version}",
            detail=payload,
        )
        for tenant_id in sorted(window.tenants):
            enqueue_event(
                session,
                tenant_id=tenant_id,
                event_type=DRIFT_EVENT,
                payload=payload,
                idempotency_key=f"drift:{row.id}",
            )
        logger.warning(
            "drift detected on %s %s: %s",
            window.model_name,
            window.model_version,
            "; ".join(window.reasons),
        )
    session.commit()
    return row
