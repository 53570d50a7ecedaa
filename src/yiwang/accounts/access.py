"""Object-level authorisation for the identity domain, in one place.

Other domains build on these: `staff_roles`, `staff_division_prefix` and `enterprises_acted_for`.
"""

from __future__ import annotations

from django.db.models import Q
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


# Oversight of a department's work (ratings, supervision, statistics): its handling staff see
# their department's; supervisors and platform administrators their division subtree's.
HANDLING_ROLES = (StaffRole.WINDOW_CLERK, StaffRole.REVIEWER, StaffRole.APPROVER)
WATCHING_ROLES = (StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN)


def watched_prefix(user: User) -> str | None:
    """The division prefix a supervisor or platform administrator watches, else None."""
    if not has_role(user, *WATCHING_ROLES):
        return None
    return staff_division_prefix(user)


def handled_department(user: User) -> int | None:
    """The department whose work a handler (window clerk, reviewer, approver) answers for, else None."""
    if not has_role(user, *HANDLING_ROLES):
        return None
    return user.staff.department_id


def oversight_scope(
    user: User, *, department_field: str = "department_id", division_field: str = "division_code"
) -> Q:
    """The rows of a table with a department and a division code that `user` oversees."""
    q = Q(pk__in=[])
    if (prefix := watched_prefix(user)) is not None:
        q |= Q(**{f"{division_field}__startswith": prefix})
    if (department := handled_department(user)) is not None:
        q |= Q(**{department_field: department})
    return q


def handlers_of(department_id: int):
    """The handling staff of a department (to tell them of work that is theirs), with their users."""
    from yiwang.accounts.models import Staff

    return (
        Staff.objects.filter(department_id=department_id, role_grants__role__in=HANDLING_ROLES)
        .select_related("user")
        .distinct()
    )


def supervisors_of(department_id: int):
    """The active supervisors who watch a department: those of its division or of one above it."""
    from yiwang.accounts.models import Staff
    from yiwang.core.areas import ancestor_prefixes
    from yiwang.core.models import Department

    department = Department.objects.select_related("division").filter(pk=department_id).first()
    if department is None:
        return Staff.objects.none()
    return (
        Staff.objects.filter(
            division__prefix__in=ancestor_prefixes(department.division),
            role_grants__role=StaffRole.SUPERVISOR,
            user__is_active=True,
        )
        .select_related("user")
        .distinct()
    )


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
