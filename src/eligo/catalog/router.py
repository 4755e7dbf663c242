"""The eligible-product list, sync runs and merchant catalogs over HTTP."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from eligo.catalog import merchant, service, sync
from eligo.catalog.exceptions import ProductNotFound, SyncRunNotFound
from eligo.catalog.gtin import normalize_gtin
from eligo.catalog.models import SyncRun
from eligo.catalog.schemas import (
    ItemImportResult,
    ItemRowError,
    MerchantItemOut,
    MerchantItemPage,
    ProductOut,
    QuarantinedRowOut,
    SyncRunDetail,
    SyncRunOut,
    SyncRunPage,
)
from eligo.db.session import SessionDep
from eligo.security import audit
from eligo.security.dependencies import AdminPrincipal, MerchantPrincipal

router = APIRouter()

IMPORT_BATCH = 2000


@router.get("/products/{gtin}", tags=["catalog"])
def get_product(gtin: str, session: SessionDep, principal: MerchantPrincipal) -> ProductOut:
    """A product on the current eligible-product list, by UPC-A, EAN-13 or GTIN-14."""
    hit = service.get_product(session, gtin=gtin)
    if hit is None:
        raise ProductNotFound()
    return ProductOut(**hit.__dict__)


@router.get("/sync/runs", tags=["catalog"])
def list_sync_runs(
    session: SessionDep,
    principal: AdminPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SyncRunPage:
    """Recent catalog sync runs, newest first (platform-wide list data, no tenant data)."""
    return SyncRunPage(
        runs=[SyncRunOut.model_validate(r) for r in sync.latest_runs(session, limit=limit)]
    )


@router.get("/sync/runs/{run_id}", tags=["catalog"])
def get_sync_run(
    run_id: str,
    session: SessionDep,
    principal: AdminPrincipal,
    quarantined_limit: Annotated[int, Query(ge=0, le=1000)] = 100,
) -> SyncRunDetail:
    """One sync run with its first quarantined rows and their reasons."""
    run = session.get(SyncRun, run_id)
    if run is None:
        raise SyncRunNotFound()
    rows = sync.quarantined_rows(session, run_id=run_id, limit=quarantined_limit)
    return SyncRunDetail(
        **SyncRunOut.model_validate(run).model_dump(),
        quarantined_rows=[QuarantinedRowOut.model_validate(r) for r in rows],
    )


@router.post("/catalog/items", tags=["catalog"])
async def import_items(
    request: Request, session: SessionDep, principal: MerchantPrincipal
) -> ItemImportResult:
    """Upsert the caller's products by SKU from a streamed CSV (header ``sku,gtin,title``),
    JSON Lines or JSON array body. Bad rows are reported and skipped, never fatal."""
    parser = merchant.ItemParser(
        merchant.format_from_content_type(request.headers.get("content-type", ""))
    )
    importer = merchant.ItemImporter(
        session, tenant_id=principal.tenant_id, batch_size=IMPORT_BATCH
    )

    def take(chunk: bytes | None) -> None:
        items = parser.finish() if chunk is None else parser.feed(chunk)
        for item in items:
            if importer.add(item):
                importer.flush()
        if chunk is None:
            importer.flush()
            audit.record(
                session,
                action="catalog.items_imported",
                actor=principal.actor,
                tenant_id=principal.tenant_id,
                object_type="merchant_catalog",
                object_id=principal.tenant_id,
                detail=importer.report.counts(),
            )
            session.commit()

    # End the read transaction authentication opened, so each batch starts its own write.
    await run_in_threadpool(session.commit)
    async for chunk in request.stream():
        if chunk:
            await run_in_threadpool(take, chunk)
    await run_in_threadpool(take, None)
    report = importer.report
    version = await run_in_threadpool(service.active_version, session)
    return ItemImportResult(
        **report.counts(),
        errors=[
            ItemRowError(line=e.line_no, sku=e.sku, code=e.code, reason=e.reason)
            for e in report.errors
        ],
        errors_truncated=report.rejected > len(report.errors),
        list_version=version,
    )


@router.get("/catalog/items", tags=["catalog"])
def list_items(
    session: SessionDep,
    principal: MerchantPrincipal,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    status: Literal["eligible", "lmn", "rx", "not_eligible"] | None = None,
    gtin: Annotated[str | None, Query(max_length=20)] = None,
) -> MerchantItemPage:
    """The caller's own catalog, by SKU, with each item's current status; page with cursor."""
    normalized = None
    if gtin is not None:
        normalized = normalize_gtin(gtin)
    items, next_cursor = merchant.list_items(
        session,
        tenant_id=principal.tenant_id,
        limit=limit,
        after_sku=cursor,
        status=status,
        gtin=normalized,
    )
    return MerchantItemPage(
        items=[MerchantItemOut.model_validate(i) for i in items], next_cursor=next_cursor
    )
