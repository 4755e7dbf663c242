"""Catalog domain errors."""

from __future__ import annotations

from eligo.errors import NotFound


class ProductNotFound(NotFound):
    default_message = "That GTIN is not on the current eligible-product list"


class SyncRunNotFound(NotFound):
    default_message = "No sync run with that id"
