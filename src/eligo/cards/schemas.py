"""Card scan API shapes. Listings carry no PHI; only a completed scan's result does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from eligo.cards.models import CardScan

ScanStatus = Literal["queued", "processing", "completed", "failed"]


class ScanError(BaseModel):
    code: str = Field(description="Stable error code, e.g. not_a_card, truncated_image")
    message: str = Field(description="What went wrong and what to send instead")


class ScanSummary(BaseModel):
    """A scan without its result: safe to list (no PHI)."""

    id: str
    status: ScanStatus
    stage: str = Field(description="queued, scanning or done")
    progress: float = Field(ge=0.0, le=1.0)
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    has_back: bool
    error: ScanError | None = None
    card_detected: bool | None = None
    field_count: int | None = Field(None, description="Fields above the threshold")
    low_confidence_count: int | None = None
    scan_ms: float | None = None
    images_deleted_at: datetime | None = Field(
        None, description="When the photos were erased (retention or delete)"
    )
    images_expire_at: datetime | None = Field(
        None, description="When the photos will be erased by the retention purge"
    )

    @classmethod
    def from_scan(cls, scan: CardScan, *, retention_days: float) -> Self:
        error = (
            ScanError(code=scan.error_code, message=scan.error_message or "")
            if scan.error_code
            else None
        )
        expires = (
            scan.created_at + timedelta(days=retention_days)
            if scan.images_purged_at is None
            else None
        )
        return cls(
            id=scan.id,
            status=scan.status,  # DELETED rows are never shown
            stage=scan.stage,
            progress=scan.progress,
            created_at=scan.created_at,
            started_at=scan.started_at,
            completed_at=scan.completed_at,
            has_back=scan.has_back,
            error=error,
            card_detected=scan.card_detected,
            field_count=scan.field_count,
            low_confidence_count=scan.low_confidence_count,
            scan_ms=scan.scan_ms,
            images_deleted_at=scan.images_purged_at,
            images_expire_at=expires,
        )


class ScanOut(ScanSummary):
    """One scan; ``result`` is the pipeline's output document once the scan is completed:
    ``card_detected, quality, fields {key: {value, score, scores, box, side, ...}},
    low_confidence, timings_ms``."""

    result: dict[str, Any] | None = None


class ScanDeleted(BaseModel):
    id: str
    deleted: bool = True
    deleted_at: datetime
