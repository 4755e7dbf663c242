"""Imports every domain's models so Alembic and ``create_all`` see the whole schema."""

from __future__ import annotations

from eligo.cards import models as cards_models
from eligo.catalog import models as catalog_models
from eligo.db.base import Base
from eligo.eligibility import models as eligibility_models
from eligo.mlops import models as mlops_models
from eligo.notify import models as notify_models
from eligo.security import models as security_models

__all__ = [
    "Base",
    "cards_models",
    "catalog_models",
    "eligibility_models",
    "mlops_models",
    "notify_models",
    "security_models",
]
