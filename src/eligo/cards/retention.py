"""Retention: card photos are deleted ``image_retention_days`` after upload.

Only the photos go; the (sealed) result stays until the tenant deletes the scan. The server
runs the purge every ``purge_interval_seconds``; ``eligo card-admin purge`` runs it on demand.
A scan still queued when its photos go fails with ``images_expired``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from eligo.cards.models import IMAGE_PARTS, CardScan, CardScanBlob
from eligo.db.session import declare_write_intent
from eligo.db.types import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    scans: int
    images: int
    cutoff: datetime


def purge_expired_images(
    session: Session,
    *,
    retention_days: float,
    now: datetime | None = None,
    batch_size: int = 500,
) -> PurgeReport:
    """Delete the photos of scans uploaded before ``now - retention_days``; commits per batch."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    scans = images = 0
    while True:
        declare_write_intent(session)
        ids = list(
            session.execute(
                select(CardScan.id)
                .where(CardScan.images_purged_at.is_(None), CardScan.created_at < cutoff)
                .order_by(CardScan.created_at)
                .limit(batch_size)
            ).scalars()
        )
        if not ids:
            session.commit()
            break
        images += int(
            session.execute(
                delete(CardScanBlob)
                .where(CardScanBlob.scan_id.in_(ids), CardScanBlob.part.in_(IMAGE_PARTS))
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
        )
        session.execute(
            update(CardScan)
            .where(CardScan.id.in_(ids))
            .values(images_purged_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        scans += len(ids)
    if scans:
        logger.info("card image purge: %d images of %d scans before %s", images, scans, cutoff)
    return PurgeReport(scans=scans, images=images, cutoff=cutoff)
