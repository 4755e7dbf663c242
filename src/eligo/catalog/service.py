"""Reading the eligible-product list: the active version and exact GTIN lookups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, ColumnElement, Integer, Row, bindparam, or_, select
from sqlalchemy.orm import Session

from eligo.catalog.gtin import normalize_gtin
from eligo.catalog.models import CatalogProduct, CatalogState, ListVersion


@dataclass(frozen=True)
class ListHit:
    gtin: str
    name: str
    brand: str
    status: str
    category: str
    source: str
    list_version: int


# Statements on the request path are built once (bound parameters), select columns, not ORM
# objects, and run on the session's Core connection: construction, object loading and the ORM
# execution layer were most of a list hit's cost.
_ACTIVE_VERSION = select(CatalogState.active_version).where(CatalogState.id == 1)


def active_version(session: Session) -> int:
    """The version readers use (0: no list loaded yet)."""
    version = session.connection().execute(_ACTIVE_VERSION).scalar_one_or_none()
    return version if version is not None else 0


def visible_in(version: int | BindParameter[int]) -> ColumnElement[bool]:
    return (CatalogProduct.valid_from <= version) & or_(
        CatalogProduct.valid_to.is_(None), CatalogProduct.valid_to > version
    )


def lookup(session: Session, *, gtin: str, version: int | None = None) -> ListHit | None:
    """Exact lookup of a (normalized) GTIN-14 in the given or active version."""
    version = active_version(session) if version is None else version
    if version == 0:
        return None
    row = session.execute(
        select(CatalogProduct).where(CatalogProduct.gtin == gtin, visible_in(version)).limit(1)
    ).scalar_one_or_none()
    return None if row is None else _hit(row, version)


_PRODUCTS_IN_VERSION = select(
    CatalogProduct.gtin,
    CatalogProduct.name,
    CatalogProduct.brand,
    CatalogProduct.status,
    CatalogProduct.category,
    CatalogProduct.source,
).where(
    CatalogProduct.gtin.in_(bindparam("gtins", expanding=True)),
    visible_in(bindparam("version", type_=Integer)),
)


def lookup_many(session: Session, *, gtins: list[str], version: int) -> dict[str, ListHit]:
    if version == 0 or not gtins:
        return {}
    hits: dict[str, ListHit] = {}
    for start in range(0, len(gtins), 500):
        rows = session.connection().execute(
            _PRODUCTS_IN_VERSION, {"gtins": gtins[start : start + 500], "version": version}
        )
        hits.update((row.gtin, _hit(row, version)) for row in rows)
    return hits


def _hit(row: CatalogProduct | Row[str, str, str, str, str, str], version: int) -> ListHit:
    return ListHit(
        gtin=row.gtin,
        name=row.name,
        brand=row.brand,
        status=row.status,
        category=row.category,
        source=row.source,
        list_version=version,
    )


def get_product(session: Session, *, gtin: str) -> ListHit | None:
    """Lookup by any accepted GTIN spelling (raises InvalidGtin on a bad code)."""
    return lookup(session, gtin=normalize_gtin(gtin))


def list_versions(session: Session) -> list[ListVersion]:
    return list(session.execute(select(ListVersion).order_by(ListVersion.id)).scalars())
