"""Who may do what to catalog entries, in one place. A foreign entry answers 404 in views."""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole, User
from yiwang.catalog.models import Entry


def can_compile(user: User, entry: Entry) -> bool:
    """Item administrators compile their own department's entries."""
    if access.is_platform_admin(user):
        return True
    return access.has_role(user, StaffRole.ITEM_ADMIN) and user.staff.department_id == entry.department_id


def can_review(user: User, entry: Entry) -> bool:
    """Reviewers and approvers of the entry's department, or a platform administrator whose division
    tree contains it, review and publish guides."""
    if access.is_platform_admin(user):
        prefix = access.staff_division_prefix(user)
        return prefix is None or entry.department.division.code.startswith(prefix)
    return (
        access.has_role(user, StaffRole.REVIEWER, StaffRole.APPROVER)
        and user.staff.department_id == entry.department_id
    )


def can_supervise(user: User, entry: Entry) -> bool:
    prefix = access.staff_division_prefix(user)
    return bool(
        prefix is not None
        and access.has_role(user, StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN)
        and entry.department.division.code.startswith(prefix)
    )


def entries_for_staff(user: User) -> QuerySet[Entry]:
    """Entries a staff member may open in the workbench: their department's, or for supervisors and
    platform administrators every entry in their division tree."""
    qs = Entry.objects.select_related("department", "catalog_item", "published")
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return qs.none()
    if access.has_role(user, StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN):
        return qs.filter(department__division__code__startswith=prefix)
    return qs.filter(department_id=user.staff.department_id)
