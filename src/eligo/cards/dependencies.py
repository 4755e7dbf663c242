"""Card scan dependencies: the in-memory upload, the scan service, the caller's own scan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from eligo.cards import service
from eligo.cards.models import CardScan
from eligo.cards.service import Upload
from eligo.cards.worker import ScanService
from eligo.db.session import SessionDep
from eligo.errors import BadRequest, InvalidInput, ServiceUnavailable, UnsupportedMediaType
from eligo.security.crypto import PhiCipher
from eligo.security.dependencies import MerchantPrincipal
from eligo.settings import SettingsDep

UPLOAD_FIELDS = ("front", "back")


class InMemoryMultiPartParser(MultiPartParser):
    """Starlette's parser, but file parts stay in memory: card photos are PHI and must not
    touch the disk unencrypted (the default spools parts over 1 MB to a temporary file).
    The request body limit (``api.max_upload_bytes``) bounds what is held."""

    spool_max_size = 64 * 1024 * 1024


async def scan_upload(request: Request, settings: SettingsDep) -> Upload:
    """The ``front`` (required) and ``back`` (optional) file parts of a multipart body."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            "Send the photos as multipart/form-data with a 'front' file part "
            "(and optionally 'back')."
        )
    parser = InMemoryMultiPartParser(request.headers, request.stream(), max_files=2, max_fields=4)
    parser.spool_max_size = settings.api.max_upload_bytes + 1
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadRequest(f"The multipart body could not be read: {exc.message}") from None
    try:
        parts: dict[str, bytes] = {}
        for name, value in form.multi_items():
            if name not in UPLOAD_FIELDS:
                raise InvalidInput(f"Unexpected form field {name!r}: send 'front' and 'back'.")
            if not isinstance(value, UploadFile):
                raise InvalidInput(f"'{name}' must be a file part (with a filename).")
            if name in parts:
                raise InvalidInput(f"'{name}' was sent twice.")
            parts[name] = await value.read()
    finally:
        await form.close()
    if "front" not in parts:
        raise InvalidInput("A 'front' photo of the card is required.", details={"part": "front"})
    return Upload(front=parts["front"], back=parts.get("back"))


ScanUploadDep = Annotated[Upload, Depends(scan_upload)]


def scan_service(request: Request) -> ScanService:
    running: ScanService | None = getattr(request.app.state, "card_scans", None)
    if running is None:
        raise ServiceUnavailable("Card scanning is not running in this server")
    return running


ScanServiceDep = Annotated[ScanService, Depends(scan_service)]


def phi_cipher(settings: SettingsDep) -> PhiCipher:
    return PhiCipher.from_settings(settings)


CipherDep = Annotated[PhiCipher, Depends(phi_cipher)]


def tenant_scan(scan_id: str, session: SessionDep, principal: MerchantPrincipal) -> CardScan:
    """The caller's own scan or a 404 that does not reveal whether the id exists elsewhere."""
    return service.get_scan(session, tenant_id=principal.tenant_id, scan_id=scan_id)


TenantScan = Annotated[CardScan, Depends(tenant_scan)]
