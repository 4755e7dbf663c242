"""The eligible-product list over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from eligo.catalog import service
from eligo.catalog.exceptions import ProductNotFound
from eligo.db.session import SessionDep
from eligo.security.dependencies import MerchantPrincipal

router = APIRouter()


class ProductOut(BaseModel):
    gtin: str
    name: str
    brand: str
    status: str
    category: str
    source: str
    list_version: int


@router.get("/products/{gtin}", tags=["catalog"])
def get_product(gtin: str, session: SessionDep, principal: MerchantPrincipal) -> ProductOut:
    """A product on the current eligible-product list, by UPC-A, EAN-13 or GTIN-14."""
    hit = service.get_product(session, gtin=gtin)
    if hit is None:
        raise ProductNotFound()
    return ProductOut(**hit.__dict__)
