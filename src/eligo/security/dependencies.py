"""Authentication dependencies. Routers attach ``authenticated`` so routes are protected by
default; each route then declares its minimum role with ``require_role``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from eligo.db.session import SessionDep
from eligo.errors import PermissionDenied
from eligo.security import service
from eligo.security.auth_cache import AuthCache
from eligo.security.exceptions import InvalidApiKey
from eligo.security.roles import Principal, Role


async def authenticated(request: Request, session: SessionDep) -> Principal:
    # Async: a recently seen key is answered from the auth cache with no I/O and no thread hop;
    # only a miss goes to the database, in a thread.
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise InvalidApiKey()
    cache: AuthCache = request.app.state.auth_cache
    principal = cache.get(secret)
    if principal is None:
        principal = await run_in_threadpool(service.authenticate, session, secret=secret)
        cache.put(secret, principal)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    # Role checks do no I/O, so they are async: FastAPI runs sync dependencies in a thread.
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(role):
            raise PermissionDenied(f"This route needs the {role.value} role")
        return principal

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the route audit test
    return dependency


MerchantPrincipal = Annotated[Principal, Depends(require_role(Role.MERCHANT))]
ReviewerPrincipal = Annotated[Principal, Depends(require_role(Role.REVIEWER))]
AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]


async def require_platform_admin(principal: AdminPrincipal) -> Principal:
    if not principal.is_platform_admin:
        raise PermissionDenied("This route needs a platform admin key")
    return principal


require_platform_admin.required_role = Role.ADMIN  # type: ignore[attr-defined]
PlatformAdminPrincipal = Annotated[Principal, Depends(require_platform_admin)]
