"""Object-level authorisation for the identity domain, in one place.

Other domains build on these: `staff_roles`, `staff_division_prefix` and `enterprises_acted_for`.
"""

from __future__ import annotations

from django.utils import timezone

from yiwang.accounts.models import AccountKind, Enterprise, StaffRole, User


def staff_roles(user: User) -> frozenset[str]:
    """The roles of a staff account, cached on the user object for the request."""
    cached = getattr(user, "_yiwang_roles", None)
    if cached is not None:
        return cached
    roles: frozenset[str] = frozenset()
    if user.is_authenticated and user.kind == AccountKind.STAFF and hasattr(user, "staff"):
        roles = frozenset(user.staff.role_grants.values_list("role", flat=True))
    user._yiwang_roles = roles  # type: ignore[attr-defined]
    return roles


def has_role(user: User, *roles: str) -> bool:
    return bool(staff_roles(user) & set(roles))


def is_platform_admin(user: User) -> bool:
    return user.is_superuser or has_role(user, StaffRole.PLATFORM_ADMIN)


def staff_division_prefix(user: User) -> str | None:
    """The code prefix of the division subtree a staff member may see, or None for non-staff."""
    if not (user.is_authenticated and user.kind == AccountKind.STAFF and hasattr(user, "staff")):
        return None
    return user.staff.division.prefix


def enterprises_acted_for(user: User) -> list[Enterprise]:
    """The enterprise itself for an enterprise account; the authorising enterprises for an agent."""
    if not user.is_authenticated:
        return []
    if user.kind == AccountKind.ENTERPRISE and hasattr(user, "enterprise"):
        return [user.enterprise]
    if user.kind == AccountKind.PERSON and hasattr(user, "person"):
        today = timezone.localdate()
        return [
            a.enterprise
            for a in user.person.agent_authorisations.select_related("enterprise").filter(
                revoked_at__isnull=True
            )
            if a.is_active_on(today)
        ]
    return []


def can_act_for(user: User, enterprise: Enterprise) -> bool:
    return any(e.pk == enterprise.pk for e in enterprises_acted_for(user))
