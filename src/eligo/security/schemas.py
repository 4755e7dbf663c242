"""Request and response bodies of the security routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from eligo.schemas import RequestModel, ResponseModel
from eligo.security.roles import Role

TenantName = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")


class TenantCreate(RequestModel):
    name: str = TenantName
    kind: Literal["merchant", "administrator"] = "merchant"


class TenantOut(ResponseModel):
    id: str
    name: str
    kind: str
    created_at: datetime


class KeyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")
    role: Role
    tenant_id: str | None = Field(
        default=None, max_length=32, description="Platform admins only: the tenant to key"
    )


class KeyOut(ResponseModel):
    id: str
    tenant_id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedKeyOut(KeyOut):
    key: str = Field(description="The full API key. Shown once: store it now.")


class PrincipalOut(ResponseModel):
    tenant_id: str
    key_id: str
    role: str
    is_platform_admin: bool


class AuditEventOut(ResponseModel):
    seq: int
    occurred_at: datetime
    tenant_id: str | None
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    request_id: str | None
    detail: dict[str, Any]
    hash: str


class AuditPage(ResponseModel):
    items: list[AuditEventOut]
    next_after: int | None
