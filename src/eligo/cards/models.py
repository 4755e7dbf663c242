"""Card scans: a queue row per scan and its encrypted parts (images and result).

``card_scans`` holds only what is not PHI (status, stage, sizes, counts, safe error codes), so
it can be listed and logged. The images and the result document live in ``card_scan_blobs``,
AES-GCM sealed and bound to ``tenant/scan/part``; deleting a scan or purging its images deletes
those rows, and the scan row stays behind as a tombstone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from eligo.db.base import Base
from eligo.db.types import UtcDateTime, new_id, utcnow

# Scan states. ``processing`` rows carry a lease; an expired lease makes them claimable again.
QUEUED = "queued"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
DELETED = "deleted"  # tombstone: never shown by the API
SCAN_STATES = (QUEUED, PROCESSING, COMPLETED, FAILED, DELETED)

# Blob parts.
FRONT = "front"
BACK = "back"
RESULT = "result"
IMAGE_PARTS = (FRONT, BACK)


class CardScan(Base):
    __tablename__ = "card_scans"
    __table_args__ = (
        Index("ix_card_scans_tenant_created", "tenant_id", "created_at"),
        Index("ix_card_scans_status_lease", "status", "lease_until"),
        Index("ix_card_scans_images_created", "images_purged_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    # What the scan is doing now (queued, scanning, saving, done) and a rough share done.
    stage: Mapped[str] = mapped_column(String(20), default=QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    has_back: Mapped[bool] = mapped_column(Boolean, default=False)
    front_bytes: Mapped[int] = mapped_column(Integer, default=0)
    back_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Claim: which worker holds the scan until when, and how many times it was claimed.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Our own error code and message (from the error classes), never exception text.
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Summary of a completed result that is not PHI, for listings.
    card_detected: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    field_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    low_confidence_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scan_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    images_purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CardScanBlob(Base):
    """One sealed part of a scan. ``key_id`` repeats the id inside the blob, for rotation."""

    __tablename__ = "card_scan_blobs"

    scan_id: Mapped[str] = mapped_column(ForeignKey("card_scans.id"), primary_key=True)
    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
