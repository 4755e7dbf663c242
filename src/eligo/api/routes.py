"""Mounts the domains' routers. Every router under /v1 requires an API key by default."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from eligo.api import service_routes
from eligo.cards.router import router as cards_router
from eligo.catalog.router import router as catalog_router
from eligo.eligibility.router import router as eligibility_router
from eligo.mlops.router import router as mlops_router
from eligo.notify.router import router as notify_router
from eligo.security.dependencies import authenticated
from eligo.security.router import router as security_router

# Conscious exceptions to authentication: liveness, readiness, metrics (and the docs pages).
service_router = APIRouter()
service_router.include_router(service_routes.router)

api_router = APIRouter(prefix="/v1", dependencies=[Depends(authenticated)])
# Routes are matched in order: the checkout path (eligibility checks, baskets) goes first.
api_router.include_router(eligibility_router)
api_router.include_router(security_router)
api_router.include_router(catalog_router)
api_router.include_router(notify_router)
api_router.include_router(cards_router)
api_router.include_router(mlops_router)
