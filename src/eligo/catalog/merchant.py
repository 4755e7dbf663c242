"""Merchant catalogs: a tenant's own products (SKU, GTIN, title) and the status eligo gives them.

Uploads stream: bytes are split into lines (CSV with a header, JSON Lines) or into objects (a
JSON array) as they arrive, each row is validated on its own, and valid rows are upserted by SKU
in batches, each batch one short transaction. A bad row is reported (line, SKU, reason) and
skipped; it never stops the upload. An item whose GTIN is on the active list takes the list's
status (``status_source = "list"``); others keep whatever the model or a review gave them.
Syncs keep list statuses current (:func:`apply_list_changes`).
"""

from __future__ import annotations

import csv
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import and_, case, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from eligo.catalog import service as catalog_service
from eligo.catalog.gtin import InvalidGtin, normalize_gtin
from eligo.catalog.models import CatalogProduct, CatalogState, MerchantItem
from eligo.db.session import declare_write_intent
from eligo.db.types import new_id, utcnow
from eligo.errors import BadRequest, UnsupportedMediaType

__all__ = [
    "ImportReport",
    "ItemImporter",
    "ItemParser",
    "ItemRow",
    "RowError",
    "StatusChange",
    "apply_list_changes",
    "list_changes_by_tenant",
    "list_items",
]

logger = logging.getLogger(__name__)

ItemFormat = Literal["csv", "jsonl", "json"]
MAX_LINE_BYTES: Final = 64 * 1024
MAX_ERRORS_REPORTED: Final = 1000
MAX_SKU: Final = 100
MAX_TITLE: Final = 500
_TITLE_ALIASES: Final = ("title", "name")


@dataclass(frozen=True, slots=True)
class ItemRow:
    line_no: int
    sku: str
    gtin: str | None
    title: str


@dataclass(frozen=True, slots=True)
class RowError:
    line_no: int
    sku: str | None
    code: str  # bad_gtin | missing_sku | missing_title | bad_field | malformed_row
    reason: str


def format_from_content_type(content_type: str) -> ItemFormat:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        return "csv"
    if media in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        return "jsonl"
    if media == "application/json":
        return "json"
    raise UnsupportedMediaType(
        "Send text/csv, application/x-ndjson (JSON Lines) or application/json (an array)"
    )


def format_from_path(path: str) -> ItemFormat:
    name = path.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    raise BadRequest("Cannot tell the format from the file name: use .csv, .jsonl or .json")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value.strip()


def validate_item(line_no: int, fields: dict[str, Any]) -> ItemRow | RowError:
    try:
        sku = _text(fields.get("sku"))
    except ValueError:
        return RowError(line_no, None, "bad_field", "sku must be a string")
    if not sku:
        return RowError(line_no, None, "missing_sku", "missing sku")
    if len(sku) > MAX_SKU:
        return RowError(line_no, sku[:MAX_SKU], "bad_field", f"sku is over {MAX_SKU} characters")
    try:
        raw_title = next((fields[k] for k in _TITLE_ALIASES if k in fields), None)
        title = _text(raw_title)
        gtin_value = fields.get("gtin")
        # A JSON number lost its leading zeros; they do not change the check digit.
        if isinstance(gtin_value, int) and not isinstance(gtin_value, bool) and gtin_value >= 0:
            gtin_value = f"{gtin_value:014d}"
        raw_gtin = _text(gtin_value)
    except ValueError:
        return RowError(line_no, sku, "bad_field", "title and gtin must be strings")
    if not title:
        return RowError(line_no, sku, "missing_title", "missing title")
    if len(title) > MAX_TITLE:
        return RowError(line_no, sku, "bad_field", f"title is over {MAX_TITLE} characters")
    gtin: str | None = None
    if raw_gtin:
        try:
            gtin = normalize_gtin(raw_gtin)
        except InvalidGtin as exc:
            return RowError(line_no, sku, "bad_gtin", exc.message)
    return ItemRow(line_no, sku, gtin, title)


class ItemParser:
    """Push-based parser: give it byte chunks as they arrive, take rows and errors out."""

    def __init__(self, fmt: ItemFormat) -> None:
        self.fmt = fmt
        self._buffer = b""
        self._text = ""  # JSON array mode
        self._started = False  # JSON array: the opening "[" was seen
        self._ended = False
        self._line_no = 0
        self._header: list[str] | None = None
        self._decoder = json.JSONDecoder()

    def feed(self, chunk: bytes) -> Iterator[ItemRow | RowError]:
        if self.fmt == "json":
            yield from self._feed_json(chunk, final=False)
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        if len(self._buffer) > MAX_LINE_BYTES:
            raise BadRequest(f"a line is over {MAX_LINE_BYTES} bytes")
        for line in lines:
            yield from self._line(line)

    def finish(self) -> Iterator[ItemRow | RowError]:
        if self.fmt == "json":
            yield from self._feed_json(b"", final=True)
            return
        if self._buffer:
            yield from self._line(self._buffer)
            self._buffer = b""
        if self.fmt == "csv" and self._header is None:
            raise BadRequest("the CSV upload has no header line")

    def _line(self, raw: bytes) -> Iterator[ItemRow | RowError]:
        self._line_no += 1
        line_no = self._line_no
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield RowError(line_no, None, "malformed_row", "not valid UTF-8")
            return
        if self.fmt == "csv":
            try:
                values = next(csv.reader([text], strict=True))
            except csv.Error as exc:
                yield RowError(line_no, None, "malformed_row", f"malformed CSV row: {exc}")
                return
            if self._header is None:
                self._header = [v.strip().lower() for v in values]
                if "sku" not in self._header or not any(a in self._header for a in _TITLE_ALIASES):
                    raise BadRequest("the CSV header needs at least the columns sku and title")
                return
            if len(values) != len(self._header):
                yield RowError(
                    line_no,
                    None,
                    "malformed_row",
                    f"expected {len(self._header)} fields, got {len(values)}",
                )
                return
            yield validate_item(line_no, dict(zip(self._header, values, strict=True)))
            return
        try:
            obj = json.loads(text)
        except ValueError:
            yield RowError(line_no, None, "malformed_row", "invalid JSON")
            return
        if not isinstance(obj, dict):
            yield RowError(line_no, None, "malformed_row", "a JSON line must be an object")
            return
        yield validate_item(line_no, obj)

    def _feed_json(self, chunk: bytes, *, final: bool) -> Iterator[ItemRow | RowError]:
        # Chunks may split a UTF-8 sequence: decode what is complete, keep the rest as bytes.
        self._buffer += chunk
        try:
            self._text += self._buffer.decode("utf-8")
            self._buffer = b""
        except UnicodeDecodeError as exc:
            if final or len(self._buffer) - exc.start > 4:
                raise BadRequest("the JSON upload is not valid UTF-8") from None
            self._text += self._buffer[: exc.start].decode("utf-8")
            self._buffer = self._buffer[exc.start :]
        text = self._text
        pos = 0
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text):
                break
            if not self._started:
                if text[pos] != "[":
                    raise BadRequest("a JSON upload must be an array of objects")
                self._started = True
                pos += 1
                continue
            if text[pos] == "]":
                self._ended = True
                pos = len(text)
                break
            try:
                obj, end = self._decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                if final:
                    raise BadRequest("the JSON array is cut off or malformed") from None
                break  # wait for more bytes
            self._line_no += 1
            pos = end
            if isinstance(obj, dict):
                yield validate_item(self._line_no, obj)
            else:
                yield RowError(self._line_no, None, "malformed_row", "an element is not an object")
        self._text = text[pos:]
        if len(self._text) > MAX_LINE_BYTES:
            raise BadRequest(f"a JSON element is over {MAX_LINE_BYTES} bytes")
        if final and not self._ended:
            raise BadRequest("the JSON array is not closed")


@dataclass
class ImportReport:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    on_list: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add_error(self, error: RowError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append(error)

    def counts(self) -> dict[str, int]:
        return {
            "received": self.received,
            "inserted": self.inserted,
            "updated": self.updated,
            "on_list": self.on_list,
            "rejected": self.rejected,
        }


class ItemImporter:
    """Upserts validated rows by (tenant, SKU) in batches; one short transaction per batch."""

    def __init__(self, session: Session, *, tenant_id: str, batch_size: int = 2000) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.batch_size = batch_size
        self.report = ImportReport()
        self._pending: dict[str, ItemRow] = {}

    def add(self, item: ItemRow | RowError) -> bool:
        """Take one parsed row; True when a batch is ready for :meth:`flush`."""
        self.report.received += 1
        if isinstance(item, RowError):
            self.report.add_error(item)
            return False
        if item.sku in self._pending:
            self.report.updated += 1  # the same SKU again in this upload: the later row wins
        self._pending[item.sku] = item
        return len(self._pending) >= self.batch_size

    def flush(self) -> None:
        if not self._pending:
            return
        batch = list(self._pending.values())
        self._pending = {}
        session = self.session
        declare_write_intent(session)  # reads statuses, then upserts
        # Hold the list pointer still until this batch commits (PostgreSQL: the sync's flip takes
        # it FOR UPDATE; SQLite: the write lock taken above), so a batch never writes statuses
        # of a version that a concurrent sync has just replaced without updating these items.
        session.execute(
            select(CatalogState.id).where(CatalogState.id == 1).with_for_update(read=True)
        )
        version = catalog_service.active_version(session)
        gtins = sorted({row.gtin for row in batch if row.gtin})
        hits = catalog_service.lookup_many(session, gtins=gtins, version=version)
        existing = set(
            session.execute(
                select(MerchantItem.sku).where(
                    MerchantItem.tenant_id == self.tenant_id,
                    MerchantItem.sku.in_([row.sku for row in batch]),
                )
            ).scalars()
        )
        now = utcnow()
        listed: list[dict[str, Any]] = []
        unlisted: list[dict[str, Any]] = []
        for row in batch:
            hit = hits.get(row.gtin) if row.gtin else None
            values = {
                "id": new_id(),
                "tenant_id": self.tenant_id,
                "sku": row.sku,
                "gtin": row.gtin,
                "title": row.title,
                "status": hit.status if hit else None,
                "status_source": "list" if hit else None,
                "updated_at": now,
            }
            (listed if hit else unlisted).append(values)
        if listed:
            self._upsert(listed, keep_status=False)
        if unlisted:
            self._upsert(unlisted, keep_status=True)
        session.commit()
        self.report.inserted += sum(1 for row in batch if row.sku not in existing)
        self.report.updated += sum(1 for row in batch if row.sku in existing)
        self.report.on_list += len(listed)

    def _upsert(self, rows: list[dict[str, Any]], *, keep_status: bool) -> None:
        dialect = self.session.get_bind().dialect.name
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MerchantItem)
        excluded = stmt.excluded
        values: dict[str, Any] = {
            "gtin": excluded.gtin,
            "title": excluded.title,
            "updated_at": excluded.updated_at,
        }
        if keep_status:
            # Not on the list: keep a model/review status, drop a list status that no longer holds.
            was_list = MerchantItem.status_source == "list"
            values["status"] = case((was_list, None), else_=MerchantItem.status)
            values["status_source"] = case((was_list, None), else_=MerchantItem.status_source)
        else:
            values["status"] = excluded.status
            values["status_source"] = excluded.status_source
        self.session.execute(
            stmt.on_conflict_do_update(index_elements=["tenant_id", "sku"], set_=values), rows
        )


def import_file(
    session: Session, *, tenant_id: str, path: str, batch_size: int = 2000
) -> ImportReport:
    """Import a CSV / JSON Lines / JSON file from disk (the CLI's path, same code as the API)."""
    parser = ItemParser(format_from_path(path))
    importer = ItemImporter(session, tenant_id=tenant_id, batch_size=batch_size)
    with open(path, "rb") as handle:
        while chunk := handle.read(64 * 1024):
            for item in parser.feed(chunk):
                if importer.add(item):
                    importer.flush()
    for item in parser.finish():
        importer.add(item)
    importer.flush()
    return importer.report


def list_items(
    session: Session,
    *,
    tenant_id: str,
    limit: int = 100,
    after_sku: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
) -> tuple[list[MerchantItem], str | None]:
    """One page of a tenant's items ordered by SKU; the cursor is the last SKU of the page."""
    stmt = select(MerchantItem).where(MerchantItem.tenant_id == tenant_id)
    if after_sku is not None:
        stmt = stmt.where(MerchantItem.sku > after_sku)
    if status is not None:
        stmt = stmt.where(MerchantItem.status == status)
    if gtin is not None:
        stmt = stmt.where(MerchantItem.gtin == gtin)
    rows = list(session.execute(stmt.order_by(MerchantItem.sku).limit(limit + 1)).scalars())
    cursor = rows[limit - 1].sku if len(rows) > limit else None
    return rows[:limit], cursor


# -- syncs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    gtin: str
    kind: str  # added | removed | status_changed
    before: str | None
    after: str | None


def _touched_gtins(version: int) -> Any:
    return union(
        select(CatalogProduct.gtin).where(CatalogProduct.valid_from == version),
        select(CatalogProduct.gtin).where(CatalogProduct.valid_to == version),
    )


def list_changes_by_tenant(
    session: Session, *, version: int
) -> Iterator[tuple[str, list[StatusChange]]]:
    """Per tenant, the GTINs in its catalog whose list status changed in ``version``
    (added to the list, removed from it, or a new status); renames are not status changes."""
    new = aliased(CatalogProduct)
    old = aliased(CatalogProduct)
    stmt = (
        select(MerchantItem.tenant_id, MerchantItem.gtin, old.status, new.status)
        .distinct()
        .outerjoin(new, and_(new.gtin == MerchantItem.gtin, new.valid_from == version))
        .outerjoin(old, and_(old.gtin == MerchantItem.gtin, old.valid_to == version))
        .where(MerchantItem.gtin.in_(_touched_gtins(version).scalar_subquery()))
        .order_by(MerchantItem.tenant_id, MerchantItem.gtin)
    )
    grouped: dict[str, list[StatusChange]] = defaultdict(list)
    current: str | None = None
    for tenant_id, gtin, before, after in session.execute(stmt):
        assert gtin is not None  # selected by GTIN
        if current is not None and tenant_id != current and grouped[current]:
            yield current, grouped.pop(current)
        current = tenant_id
        if before == after:
            continue
        kind = "added" if before is None else "removed" if after is None else "status_changed"
        grouped[tenant_id].append(StatusChange(gtin, kind, before, after))
    for tenant_id, changes in grouped.items():
        if changes:
            yield tenant_id, changes


def apply_list_changes(session: Session, *, version: int) -> int:
    """Bring merchant items' list statuses to ``version`` (in the publishing transaction)."""
    new = aliased(CatalogProduct)
    now = utcnow()
    on_list = select(new.status).where(new.gtin == MerchantItem.gtin, new.valid_from == version)
    added = session.execute(
        update(MerchantItem)
        .where(
            MerchantItem.gtin.in_(
                select(CatalogProduct.gtin).where(CatalogProduct.valid_from == version)
            )
        )
        .values(status=on_list.scalar_subquery(), status_source="list", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    removed = session.execute(
        update(MerchantItem)
        .where(
            MerchantItem.status_source == "list",
            MerchantItem.gtin.in_(
                select(CatalogProduct.gtin).where(CatalogProduct.valid_to == version)
            ),
            MerchantItem.gtin.not_in(
                select(CatalogProduct.gtin).where(CatalogProduct.valid_from == version)
            ),
        )
        .values(status=None, status_source=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(added.rowcount or 0) + int(removed.rowcount or 0)  # type: ignore[attr-defined]
