"""Card scans: create, read, list and delete; keyword-only functions over a session.

Images and results are PHI. They are sealed with ``PhiCipher`` (AES-256-GCM, key id inside
each blob and beside it) and bound to ``tenant/scan/part``, so a blob copied to another row or
tenant does not decrypt. Every read of a result and every delete is audited; audit details
and logs carry ids, sizes and counts only.

Uploads are checked cheaply before anything is stored (size, magic bytes, the pixel count the
header declares), so an obvious non-image or a decompression bomb is refused at once; full
decoding happens in the worker (``cards.worker``), which turns bad images into a failed scan
with a safe error code.
"""

from __future__ import annotations

import io
import json
import logging
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eligo.cards.errors import (
    CorruptImage,
    DecompressionBomb,
    EmptyImage,
    ImageTooLarge,
    InvalidImage,
    NotAnImage,
    UnsupportedImageFormat,
)
from eligo.cards.models import (
    BACK,
    COMPLETED,
    DELETED,
    FRONT,
    PROCESSING,
    QUEUED,
    RESULT,
    CardScan,
    CardScanBlob,
)
from eligo.db.session import declare_write_intent
from eligo.db.types import new_id, utcnow
from eligo.errors import EligoError, InvalidInput, NotFound
from eligo.security import audit
from eligo.security.crypto import PhiCipher

logger = logging.getLogger(__name__)

# A file that declares this many pixels per byte is a bomb, not a photo (as in cards.intake).
BOMB_PIXELS_PER_BYTE = 400
# ISO BMFF brands of HEIC/HEIF stills (``ftyp`` box). AVIF and video brands are refused.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
OTHER_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00")


class ScanNotFound(NotFound):
    default_message = "No such card scan"


class NotACard(InvalidInput):
    code = "not_a_card"
    http_status = 422
    default_message = (
        "No insurance card was found in the photo. Photograph the card alone on a plain, "
        "darker surface so that it fills most of the frame."
    )


class ScanFailed(EligoError):
    """An unexpected pipeline failure: reported with this code, never the exception text."""

    code = "scan_failed"
    http_status = 500
    default_message = "The scan could not be completed. Try again later."


class ScanAborted(EligoError):
    code = "scan_aborted"
    http_status = 500
    default_message = "The scan stopped repeatedly before it finished. Upload the photos again."


class ImagesExpired(EligoError):
    code = "images_expired"
    http_status = 410
    default_message = "The images were deleted (retention period) before they were scanned."


@dataclass(frozen=True)
class Upload:
    """The photos of one scan, as uploaded (held in memory only)."""

    front: bytes
    back: bytes | None = None


# --------------------------------------------------------------------------- validation


def sniff_format(data: bytes) -> str:
    """The format the magic bytes announce: JPEG, PNG, WebP or HEIC; raise if not accepted."""
    if not data:
        raise EmptyImage()
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp":
        if data[8:12] in HEIF_BRANDS:
            return "HEIC"
        raise UnsupportedImageFormat()
    if data.startswith(OTHER_IMAGE_MAGIC):
        raise UnsupportedImageFormat()
    raise NotAnImage()


def precheck_image(data: bytes, *, max_megapixels: float) -> str:
    """Refuse what is obviously not scannable without decoding a pixel; returns the format.

    Reads only the header (Pillow's lazy open), so a 10,000 x 10,000 PNG or a bomb costs
    microseconds here. Damage past the header (a truncated JPEG) is found by the worker."""
    fmt = sniff_format(data)
    if fmt == "HEIC":
        return fmt  # the HEIF opener is registered by the decoder; it checks the size there
    try:
        with warnings.catch_warnings():
            # Our own (lower) pixel limit follows; Pillow's warning would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
    except Image.DecompressionBombError:
        raise DecompressionBomb() from None
    except UnidentifiedImageError:
        raise CorruptImage() from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise CorruptImage() from None
    pixels = width * height
    if pixels > max_megapixels * 1_000_000:
        if pixels / len(data) > BOMB_PIXELS_PER_BYTE:
            raise DecompressionBomb()
        raise ImageTooLarge(
            f"The image is {pixels / 1_000_000:.1f} megapixels; the limit is "
            f"{max_megapixels:g}. Send a smaller photo (a 12-megapixel phone photo is plenty)."
        )
    return fmt


def check_upload(upload: Upload, *, max_megapixels: float) -> None:
    """Pre-check both photos; the error says which one is wrong (in ``details``)."""
    parts: list[tuple[str, bytes]] = [(FRONT, upload.front)]
    if upload.back is not None:
        parts.append((BACK, upload.back))
    for part, data in parts:
        try:
            precheck_image(data, max_megapixels=max_megapixels)
        except InvalidImage as exc:
            exc.details = {"part": part}
            raise


# --------------------------------------------------------------------------- sealing


def associated_data(tenant_id: str, scan_id: str, part: str) -> bytes:
    return f"{tenant_id}/{scan_id}/{part}".encode()


def seal(
    cipher: PhiCipher, *, tenant_id: str, scan_id: str, part: str, data: bytes
) -> CardScanBlob:
    blob = cipher.encrypt(data, associated_data=associated_data(tenant_id, scan_id, part))
    return CardScanBlob(
        scan_id=scan_id, part=part, key_id=cipher.current_key_id, blob=blob, size=len(data)
    )


def open_blob(cipher: PhiCipher, *, tenant_id: str, blob: CardScanBlob) -> bytes:
    return cipher.decrypt(
        blob.blob, associated_data=associated_data(tenant_id, blob.scan_id, blob.part)
    )


def load_parts(session: Session, *, scan_id: str) -> dict[str, CardScanBlob]:
    rows = session.execute(select(CardScanBlob).where(CardScanBlob.scan_id == scan_id)).scalars()
    return {row.part: row for row in rows}


# --------------------------------------------------------------------------- scans


def begin_write(session: Session) -> None:
    """Start a unit of work that writes, ending the request's read-only transaction first.

    Authentication and lookups leave a read transaction open. On SQLite, writing from it
    fails (SQLITE_BUSY_SNAPSHOT, "database is locked") whenever another writer committed
    since it began, e.g. the scan worker or a concurrent audited read; ``declare_write_intent``
    cannot help once a transaction is open. Nothing is pending, so committing loses nothing."""
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()
    declare_write_intent(session)


def create_scan(
    session: Session,
    *,
    tenant_id: str,
    actor: str,
    upload: Upload,
    cipher: PhiCipher,
    max_megapixels: float,
    threshold: float | None = None,
    claim: tuple[str, timedelta] | None = None,
) -> CardScan:
    """Store a new scan with its sealed photos and commit.

    With ``claim=(token, lease)`` the scan starts out claimed by the caller (``?wait=true``
    runs it in the request) instead of queued for the worker pool."""
    check_upload(upload, max_megapixels=max_megapixels)
    now = utcnow()
    scan = CardScan(
        id=new_id(),
        tenant_id=tenant_id,
        status=QUEUED,
        stage=QUEUED,
        progress=0.0,
        created_at=now,
        updated_at=now,
        created_by=actor[:64],
        has_back=upload.back is not None,
        front_bytes=len(upload.front),
        back_bytes=len(upload.back) if upload.back is not None else None,
        threshold=threshold,
        attempts=0,
    )
    if claim is not None:
        token, lease = claim
        scan.status = PROCESSING
        scan.stage = "scanning"
        scan.progress = 0.1
        scan.attempts = 1
        scan.started_at = now
        scan.lease_owner = token
        scan.lease_until = now + lease
    begin_write(session)
    session.add(scan)
    session.flush()  # the scan row before the blobs that reference it
    session.add(seal(cipher, tenant_id=tenant_id, scan_id=scan.id, part=FRONT, data=upload.front))
    if upload.back is not None:
        session.add(seal(cipher, tenant_id=tenant_id, scan_id=scan.id, part=BACK, data=upload.back))
    audit.record(
        session,
        action="card_scan.created",
        actor=actor,
        tenant_id=tenant_id,
        object_type="card_scan",
        object_id=scan.id,
        detail={"has_back": scan.has_back, "bytes": scan.front_bytes + (scan.back_bytes or 0)},
    )
    session.commit()
    logger.info("card scan %s created (%s)", scan.id, "front+back" if scan.has_back else "front")
    return scan


def get_scan(session: Session, *, tenant_id: str, scan_id: str) -> CardScan:
    """The tenant's scan, or ScanNotFound (also for another tenant's and for deleted scans)."""
    scan = session.get(CardScan, scan_id, populate_existing=True)
    if scan is None or scan.tenant_id != tenant_id or scan.status == DELETED:
        raise ScanNotFound()
    return scan


def read_result(
    session: Session, *, scan: CardScan, actor: str, cipher: PhiCipher
) -> dict[str, Any] | None:
    """The decrypted result of a completed scan; audited as a PHI read (and committed)."""
    if scan.status != COMPLETED:
        return None
    begin_write(session)
    blob = session.get(CardScanBlob, (scan.id, RESULT))
    if blob is None:  # deleted since the caller looked
        session.rollback()
        return None
    document: dict[str, Any] = json.loads(open_blob(cipher, tenant_id=scan.tenant_id, blob=blob))
    audit.record(
        session,
        action="card_scan.result_read",
        actor=actor,
        tenant_id=scan.tenant_id,
        object_type="card_scan",
        object_id=scan.id,
        detail={"fields": len(document.get("fields", {}))},
    )
    session.commit()
    return document


def list_scans(
    session: Session,
    *,
    tenant_id: str,
    status: str | None = None,
    before: datetime | None = None,
    limit: int = 50,
) -> list[CardScan]:
    """The tenant's scans, newest first, without their parts."""
    query = (
        select(CardScan)
        .where(CardScan.tenant_id == tenant_id, CardScan.status != DELETED)
        .order_by(CardScan.created_at.desc(), CardScan.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(CardScan.status == status)
    if before is not None:
        query = query.where(CardScan.created_at < before)
    return list(session.execute(query).scalars())


def delete_scan(session: Session, *, tenant_id: str, scan_id: str, actor: str) -> CardScan:
    """Erase the photos and the result; the row stays as a tombstone. Audited."""
    begin_write(session)
    scan = get_scan(session, tenant_id=tenant_id, scan_id=scan_id)
    erased = session.execute(
        delete(CardScanBlob)
        .where(CardScanBlob.scan_id == scan.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    now = utcnow()
    # A worker still scanning loses its lease here, so its result is never written.
    scan.status = DELETED
    scan.stage = DELETED
    scan.deleted_at = now
    scan.updated_at = now
    scan.lease_owner = None
    scan.lease_until = None
    if scan.images_purged_at is None:
        scan.images_purged_at = now
    audit.record(
        session,
        action="card_scan.deleted",
        actor=actor,
        tenant_id=tenant_id,
        object_type="card_scan",
        object_id=scan.id,
        detail={"blobs_erased": int(erased)},
    )
    session.commit()
    logger.info("card scan %s deleted (%d blobs erased)", scan.id, erased)
    return scan
