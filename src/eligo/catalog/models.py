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

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
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
