"""MLOps tables: alias history (promotions, rollbacks), drift windows, review dataset versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eligo.db.base import Base
from eligo.db.types import JsonType, UtcDateTime, new_id, utcnow


class ModelEvent(Base):
    """One alias move (or refused move) of a registered model, with the gate that decided it."""

    __tablename__ = "mlops_model_events"
    __table_args__ = (Index("ix_mlops_model_events_model", "model_name", "alias", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    model_name: Mapped[str] = mapped_column(String(200))
    # promote | force_promote | refused | rollback | challenger | clear_challenger
    action: Mapped[str] = mapped_column(String(32))
    alias: Mapped[str] = mapped_column(String(32))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    previous_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    gate: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DriftWindow(Base):
    """Statistics of one window of served predictions and whether it raised the drift alarm."""

    __tablename__ = "mlops_drift_windows"
    __table_args__ = (Index("ix_mlops_drift_windows_model", "model_name", "ended_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    n: Mapped[int] = mapped_column(Integer)
    stats: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    drift: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)


class ReviewDataset(Base):
    """An immutable snapshot of reviewed labels, named by version in the runs trained on it."""

    __tablename__ = "mlops_review_datasets"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(1000))
    statuses: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)
