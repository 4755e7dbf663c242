"""Insurance-card scans over HTTP: thin routes over ``cards.service`` and ``cards.worker``.

Merchant role and up; every route sees only the caller's own tenant's scans.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from eligo.cards import service
from eligo.cards.dependencies import CipherDep, ScanServiceDep, ScanUploadDep, TenantScan
from eligo.cards.models import COMPLETED, FAILED
from eligo.cards.schemas import ScanDeleted, ScanOut, ScanStatus, ScanSummary
from eligo.db.session import SessionDep
from eligo.security.dependencies import MerchantPrincipal
from eligo.settings import SettingsDep

router = APIRouter(prefix="/cards/scans", tags=["cards"])

_BINARY = {"type": "string", "format": "binary"}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["front"],
                    "properties": {
                        "front": {**_BINARY, "description": "Photo of the card's front"},
                        "back": {**_BINARY, "description": "Photo of the back (optional)"},
                    },
                }
            }
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"model": ScanOut, "description": "With ?wait=true: the completed scan"},
    413: {"description": "image_too_large, decompression_bomb or body over the limit"},
    415: {"description": "not_an_image or unsupported_image_format"},
    422: {"description": "empty_image, truncated_image, corrupt_image, not_a_card..."},
}


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=_ERRORS, openapi_extra=UPLOAD_BODY)
def create_card_scan(
    upload: ScanUploadDep,
    session: SessionDep,
    principal: MerchantPrincipal,
    settings: SettingsDep,
    cipher: CipherDep,
    scans: ScanServiceDep,
    response: Response,
    wait: Annotated[
        bool, Query(description="Scan now and answer with the result (200) or the error")
    ] = False,
    threshold: Annotated[
        float | None, Query(ge=0.0, le=1.0, description="Field score threshold for this scan")
    ] = None,
) -> ScanOut:
    """Upload a card photo (``front``, optional ``back``) to scan.

    The photos are checked (format, size, pixel count), stored encrypted and queued: 202 with
    the scan id; poll ``GET /v1/cards/scans/{id}``. With ``?wait=true`` the scan runs now and
    the answer is the completed scan (200), or the error: 4xx for an unreadable image, 422
    ``not_a_card`` when no card is in the photo. If no scan slot frees up in time, the answer
    is 202 and the scan stays queued."""
    claim = (scans.claim_token(), scans.lease) if wait else None
    scan = service.create_scan(
        session,
        tenant_id=principal.tenant_id,
        actor=principal.actor,
        upload=upload,
        cipher=cipher,
        max_megapixels=settings.cards.max_megapixels,
        threshold=threshold,
        claim=claim,
    )
    retention_days = settings.cards.image_retention_days
    if claim is None:
        scans.wake()
        return ScanOut.from_scan(scan, retention_days=retention_days)
    outcome = scans.run_inline(scan.id, claim[0])
    session.refresh(scan)
    if outcome is not None and outcome.status == FAILED and outcome.error is not None:
        error = outcome.error
        error.details = {**(error.details or {}), "scan_id": scan.id}
        raise error
    out = ScanOut.from_scan(scan, retention_days=retention_days)
    if scan.status == COMPLETED:
        out.result = service.read_result(session, scan=scan, actor=principal.actor, cipher=cipher)
        response.status_code = status.HTTP_200_OK
    return out


@router.get("")
def list_card_scans(
    session: SessionDep,
    principal: MerchantPrincipal,
    settings: SettingsDep,
    status: ScanStatus | None = None,
    before: Annotated[
        datetime | None, Query(description="Only scans created before this (paging)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ScanSummary]:
    """The tenant's scans, newest first: statuses and counts, never field values."""
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)  # a time without a zone is taken as UTC
    rows = service.list_scans(
        session, tenant_id=principal.tenant_id, status=status, before=before, limit=limit
    )
    days = settings.cards.image_retention_days
    return [ScanSummary.from_scan(scan, retention_days=days) for scan in rows]


@router.get("/{scan_id}")
def get_card_scan(
    scan: TenantScan,
    session: SessionDep,
    principal: MerchantPrincipal,
    settings: SettingsDep,
    cipher: CipherDep,
) -> ScanOut:
    """A scan's status and progress; once completed, its result (a PHI read: audited)."""
    out = ScanOut.from_scan(scan, retention_days=settings.cards.image_retention_days)
    out.result = service.read_result(session, scan=scan, actor=principal.actor, cipher=cipher)
    return out


@router.delete("/{scan_id}")
def delete_card_scan(
    scan: TenantScan, session: SessionDep, principal: MerchantPrincipal
) -> ScanDeleted:
    """Erase the photos and the result now (audited). The id then answers 404."""
    deleted = service.delete_scan(
        session, tenant_id=principal.tenant_id, scan_id=scan.id, actor=principal.actor
    )
    return ScanDeleted(id=deleted.id, deleted_at=deleted.deleted_at or deleted.updated_at)
