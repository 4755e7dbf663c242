"""Response bodies of the model routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from eligo.schemas import ResponseModel


class ModelVersionOut(ResponseModel):
    version: int
    run_id: str | None
    created_at: datetime
    aliases: list[str]
    tags: dict[str, str]
    metrics: dict[str, float]


class ModelEventOut(ResponseModel):
    action: str
    alias: str
    version: int | None
    previous_version: int | None
    actor: str
    reason: str | None
    created_at: datetime


class ModelSummaryOut(ResponseModel):
    name: str
    aliases: dict[str, int] = Field(description="alias -> registered version")
    latest_version: int | None
    versions: int


class ModelListOut(ResponseModel):
    items: list[ModelSummaryOut]


class ModelDetailOut(ResponseModel):
    name: str
    aliases: dict[str, int]
    versions: list[ModelVersionOut]
    history: list[ModelEventOut] = Field(description="Alias moves, newest first")


class LiveOut(ResponseModel):
    """What serving sees right now: versions, routing, agreement, latency, swaps, drift."""

    name: str
    source: str
    routing: str
    canary_share: float
    canary_sticky: str
    champion: dict[str, Any]
    challenger: dict[str, Any] | None
    versions: dict[str, dict[str, Any]]
    agreement: dict[str, Any]
    swaps: list[dict[str, Any]]
    last_poll_error: str | None
    drift: dict[str, dict[str, Any]]
