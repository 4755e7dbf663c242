"""The eligible-product list, versioned by validity ranges.

A product row is visible in list version V when ``valid_from <= V`` and
``valid_to IS NULL OR valid_to > V``. A sync builds version N+1 by closing changed rows
(``valid_to = N+1``) and inserting their new state (``valid_from = N+1``); readers keep using the
active version until one UPDATE of ``catalog_state`` flips the pointer, so a half-applied sync is
never visible. A rollback publishes an old version's content as a new version: history only grows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eligo.db.base import Base
from eligo.db.types import JsonType, UtcDateTime, new_id, utcnow


class CatalogState(Base):
    """One row: the active list version readers use."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    active_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ListVersion(Base):
    __tablename__ = "catalog_list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # building | active | superseded | failed
    state: Mapped[str] = mapped_column(String(20), default="building")
    source: Mapped[str] = mapped_column(String(500))
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    product_count: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CatalogProduct(Base):
    __tablename__ = "catalog_products"
    __table_args__ = (
        Index("ix_catalog_products_gtin_from", "gtin", "valid_from"),
        Index("ix_catalog_products_valid_to", "valid_to"),
        # Sync cleanup and diffs select a version's own rows.
        Index("ix_catalog_products_valid_from", "valid_from"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    gtin: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(500))
    brand: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    source_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    valid_from: Mapped[int] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MerchantItem(Base):
    """A merchant's own product (SKU) and the status eligo currently gives it."""

    __tablename__ = "merchant_items"
    __table_args__ = (
        Index("uq_merchant_items_tenant_sku", "tenant_id", "sku", unique=True),
        Index("ix_merchant_items_gtin_tenant", "gtin", "tenant_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    sku: Mapped[str] = mapped_column(String(100))
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_source: Mapped[str | None] = mapped_column(String(20), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SyncRun(Base):
    """One sync attempt: what was fetched, what changed, how long it took, how it ended.

    Platform-wide data (the list is shared by all tenants); it holds no tenant data.
    """

    __tablename__ = "catalog_sync_runs"
    __table_args__ = (Index("ix_catalog_sync_runs_started", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # running | succeeded | unchanged | aborted | failed
    status: Mapped[str] = mapped_column(String(20), default="running")
    trigger: Mapped[str] = mapped_column(String(20), default="cli")  # cli | scheduler | api
    kind: Mapped[str] = mapped_column(String(20), default="sync")  # sync | rollback
    feed: Mapped[str] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    feed_version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    based_on: Mapped[int | None] = mapped_column(Integer, nullable=True)
    list_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    records: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    status_changed: Mapped[int] = mapped_column(Integer, default=0)
    renamed: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    bad_share: Mapped[float] = mapped_column(Float, default=0.0)
    removed_share: Mapped[float] = mapped_column(Float, default=0.0)
    # Seconds per phase: fetch_parse, apply, publish, total.
    durations: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SyncQuarantinedRow(Base):
    """A feed row a sync rejected, with its reason (the first rows of a run are kept)."""

    __tablename__ = "catalog_quarantined_rows"
    __table_args__ = (Index("ix_catalog_quarantined_rows_run", "run_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("catalog_sync_runs.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    raw: Mapped[str] = mapped_column(String(400))


class Lease(Base):
    """A named lease so one holder at a time runs a job across processes and hosts.

    Taken with one atomic ``UPDATE ... WHERE holder IS NULL OR expires_at < now``; a holder that
    dies (SIGKILL) loses it when ``expires_at`` passes.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acquired_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
