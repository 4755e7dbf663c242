"""Tenants, API keys, audit log: thin routes over ``security.service`` and ``security.audit``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from eligo.db.session import SessionDep
from eligo.errors import PermissionDenied
from eligo.security import audit, service
from eligo.security.auth_cache import AuthCache
from eligo.security.dependencies import (
    AdminPrincipal,
    MerchantPrincipal,
    PlatformAdminPrincipal,
)
from eligo.security.exceptions import TenantNotFound
from eligo.security.schemas import (
    AuditEventOut,
    AuditPage,
    IssuedKeyOut,
    KeyCreate,
    KeyOut,
    PrincipalOut,
    TenantCreate,
    TenantOut,
)

router = APIRouter()


@router.get("/me", tags=["auth"])
def whoami(principal: MerchantPrincipal) -> PrincipalOut:
    """The calling key's tenant and role."""
    return PrincipalOut(
        tenant_id=principal.tenant_id,
        key_id=principal.key_id,
        role=principal.role.value,
        is_platform_admin=principal.is_platform_admin,
    )


@router.post("/tenants", tags=["tenants"], status_code=status.HTTP_201_CREATED)
def create_tenant(
    body: TenantCreate, session: SessionDep, principal: PlatformAdminPrincipal
) -> TenantOut:
    """Create a tenant (platform admins)."""
    tenant = service.create_tenant(session, name=body.name, kind=body.kind, actor=principal.actor)
    return TenantOut.model_validate(tenant)


@router.get("/tenants", tags=["tenants"])
def list_tenants(session: SessionDep, principal: PlatformAdminPrincipal) -> list[TenantOut]:
    """All tenants (platform admins)."""
    return [TenantOut.model_validate(t) for t in service.list_tenants(session)]


@router.get("/tenants/{tenant_id}", tags=["tenants"])
def get_tenant(tenant_id: str, session: SessionDep, principal: AdminPrincipal) -> TenantOut:
    """One tenant: your own, or any for platform admins."""
    if not principal.can_access_tenant(tenant_id):
        raise TenantNotFound()
    return TenantOut.model_validate(service.get_tenant(session, tenant_id=tenant_id))


@router.post("/keys", tags=["keys"], status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, session: SessionDep, principal: AdminPrincipal) -> IssuedKeyOut:
    """Issue an API key for your tenant (platform admins: for any tenant). Shown once."""
    tenant_id = body.tenant_id or principal.tenant_id
    if not principal.can_access_tenant(tenant_id):
        raise PermissionDenied("Only platform admins may issue keys for another tenant")
    issued = service.issue_key(
        session,
        tenant_id=tenant_id,
        role=body.role,
        name=body.name,
        actor=principal.actor,
    )
    return IssuedKeyOut(**KeyOut.model_validate(issued.key).model_dump(), key=issued.secret)


@router.get("/keys", tags=["keys"])
def list_keys(session: SessionDep, principal: AdminPrincipal) -> list[KeyOut]:
    """Your tenant's keys (never the secrets)."""
    return [
        KeyOut.model_validate(k) for k in service.list_keys(session, tenant_id=principal.tenant_id)
    ]


@router.delete("/keys/{key_id}", tags=["keys"])
def revoke_key(
    key_id: str, request: Request, session: SessionDep, principal: AdminPrincipal
) -> KeyOut:
    """Revoke a key: it stops working at once in this process, and within
    `api.auth_cache_seconds` (default 2 s) in every other worker."""
    scope = None if principal.is_platform_admin else principal.tenant_id
    key = service.get_key(session, key_id=key_id, tenant_id=scope)
    key = service.revoke_key(session, key=key, actor=principal.actor)
    auth_cache: AuthCache = request.app.state.auth_cache
    auth_cache.forget_key(key.id)
    return KeyOut.model_validate(key)


@router.get("/audit", tags=["audit"])
def list_audit(
    session: SessionDep,
    principal: AdminPrincipal,
    after: Annotated[int, Query(ge=0, description="Return events with seq greater than this")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Audit events in order: your tenant's, or all for platform admins."""
    scope = None if principal.is_platform_admin else principal.tenant_id
    events = audit.list_events(session, tenant_id=scope, after=after, limit=limit)
    items = [AuditEventOut.model_validate(e) for e in events]
    return AuditPage(items=items, next_after=items[-1].seq if len(items) == limit else None)
