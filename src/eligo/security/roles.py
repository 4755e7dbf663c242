"""Roles and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MERCHANT = "merchant"
    REVIEWER = "reviewer"
    ADMIN = "admin"


# A role may do everything the roles below it may do.
ROLE_RANK: dict[Role, int] = {Role.MERCHANT: 1, Role.REVIEWER: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's tenant and role. Platform admins may act across tenants."""

    key_id: str
    tenant_id: str
    role: Role
    is_platform: bool = False

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_platform_admin(self) -> bool:
        return self.is_platform and self.role is Role.ADMIN

    def can_access_tenant(self, tenant_id: str) -> bool:
        return self.is_platform_admin or tenant_id == self.tenant_id
