"""Review queue items and tenants' own reviewed decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eligo.db.base import Base
from eligo.db.types import UtcDateTime, new_id, utcnow


class ReviewItem(Base):
    """A low-confidence answer waiting for a reviewer, one per tenant and product."""

    __tablename__ = "eligibility_reviews"
    __table_args__ = (
        Index("uq_eligibility_reviews_tenant_key", "tenant_id", "match_key", unique=True),
        Index("ix_eligibility_reviews_queue", "tenant_id", "state", "priority"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    # "gtin:<gtin14>" or "title:<normalized title>": what a decision will match later.
    match_key: Mapped[str] = mapped_column(String(600))
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    title: Mapped[str] = mapped_column(String(1000))
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    predicted_status: Mapped[str] = mapped_column(String(20))
    predicted_category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(100))
    hits: Mapped[int] = mapped_column(Integer, default=1)
    # Expected value of a label: uncertainty x traffic.
    priority: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | reviewed
    reviewed_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reviewed_category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TenantDecision(Base):
    """A tenant's reviewed answer for a product: applies to that tenant at once."""

    __tablename__ = "eligibility_tenant_decisions"
    __table_args__ = (
        Index("uq_eligibility_tenant_decisions_key", "tenant_id", "match_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    match_key: Mapped[str] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    review_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
