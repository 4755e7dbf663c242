"""Imports every domain's models so Alembic and ``create_all`` see the whole schema."""

from __future__ import annotations

from eligo.db.base import Base
from eligo.security import models as security_models

__all__ = ["Base", "security_models"]
