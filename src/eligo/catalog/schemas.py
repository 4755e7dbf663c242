"""Response bodies of the catalog routes (uploads stream, so they have no request model)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eligo.schemas import ResponseModel


class ProductOut(ResponseModel):
    gtin: str
    name: str
    brand: str
    status: str
    category: str
    source: str
    list_version: int


class QuarantinedRowOut(ResponseModel):
    line_no: int
    code: str
    reason: str
    raw: str


class SyncRunOut(ResponseModel):
    id: str
    status: str
    trigger: str
    kind: str
    feed: str
    etag: str | None
    last_modified: str | None
    feed_version: str | None
    based_on: int | None
    list_version: int | None
    records: int
    quarantined: int
    added: int
    removed: int
    status_changed: int
    renamed: int
    updated: int
    unchanged: int
    bad_share: float
    removed_share: float
    durations: dict[str, Any]
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class SyncRunPage(ResponseModel):
    runs: list[SyncRunOut]


class SyncRunDetail(SyncRunOut):
    quarantined_rows: list[QuarantinedRowOut]


class ItemRowError(ResponseModel):
    line: int
    sku: str | None
    code: str
    reason: str


class ItemImportResult(ResponseModel):
    received: int
    inserted: int
    updated: int
    on_list: int
    rejected: int
    errors: list[ItemRowError]
    errors_truncated: bool
    list_version: int


class MerchantItemOut(ResponseModel):
    sku: str
    gtin: str | None
    title: str
    status: str | None
    status_source: str | None
    updated_at: datetime


class MerchantItemPage(ResponseModel):
    items: list[MerchantItemOut]
    next_cursor: str | None
