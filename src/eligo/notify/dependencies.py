"""Validating dependencies: a route receives the caller's own endpoint or a 404, never another
tenant's (the 404 does not reveal whether the id exists elsewhere)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from eligo.db.session import SessionDep
from eligo.notify import service
from eligo.notify.egress import private_targets_allowed
from eligo.notify.models import WebhookEndpoint
from eligo.security.crypto import PhiCipher
from eligo.security.dependencies import AdminPrincipal
from eligo.settings import SettingsDep


def tenant_endpoint(
    endpoint_id: str, session: SessionDep, principal: AdminPrincipal
) -> WebhookEndpoint:
    return service.get_endpoint(session, tenant_id=principal.tenant_id, endpoint_id=endpoint_id)


TenantEndpoint = Annotated[WebhookEndpoint, Depends(tenant_endpoint)]


def secret_cipher(settings: SettingsDep) -> PhiCipher:
    return PhiCipher.from_settings(settings)


CipherDep = Annotated[PhiCipher, Depends(secret_cipher)]


def allow_private_targets(settings: SettingsDep) -> bool:
    return private_targets_allowed(settings)


AllowPrivateTargets = Annotated[bool, Depends(allow_private_targets)]
