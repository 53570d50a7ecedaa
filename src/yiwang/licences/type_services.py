"""Licence types as administrators manage them in the workbench (证照类型): which types, defining
agencies and catalog entries a staff member may choose, and saving a type with the entries whose
approval issues it.

- Platform administrators manage the types defined by any department of their division subtree;
  item administrators those their own department defines.
- The entries offered are those of the staff member's division subtree; entries of a type that lie
  outside it (linked by another administrator) are kept when the type is saved.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole, User
from yiwang.catalog.models import Entry
from yiwang.core.models import Department
from yiwang.licences.models import Licence, LicenceType


def may_manage_types(user: User) -> bool:
    return access.is_platform_admin(user) or access.has_role(user, StaffRole.ITEM_ADMIN)


def types_for(user: User) -> QuerySet[LicenceType]:
    qs = LicenceType.objects.select_related("agency")
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return qs.none()
    if access.is_platform_admin(user):
        return qs.filter(agency__division__code__startswith=prefix)
    if access.has_role(user, StaffRole.ITEM_ADMIN):
        return qs.filter(agency_id=user.staff.department_id)
    return qs.none()


def agencies_for(user: User) -> QuerySet[Department]:
    """The departments that may be a type's defining agency."""
    qs = Department.objects.select_related("division").order_by("division__code", "name")
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return qs.none()
    if access.is_platform_admin(user):
        return qs.filter(division__code__startswith=prefix)
    if access.has_role(user, StaffRole.ITEM_ADMIN):
        return qs.filter(pk=user.staff.department_id)
    return qs.none()


def entries_for(user: User) -> QuerySet[Entry]:
    """The catalog entries of the staff member's division subtree."""
    prefix = access.staff_division_prefix(user)
    if prefix is None or not may_manage_types(user):
        return Entry.objects.none()
    return (
        Entry.objects.filter(department__division__code__startswith=prefix)
        .select_related("department")
        .order_by("department__division__code", "department__name", "name")
    )


def entries_taken(entries: Iterable[Entry], licence_type: LicenceType) -> list[tuple[Entry, LicenceType]]:
    """Of `entries`, those another active type is issued for already (an entry issues one type:
    `issuing.type_for_entry` would otherwise pick one of them)."""
    entries = list(entries)
    if not entries:
        return []
    others = (
        LicenceType.objects.filter(is_active=True, entries__in=[e.pk for e in entries])
        .exclude(pk=licence_type.pk)
        .prefetch_related("entries")
        .distinct()
    )
    wanted = {e.pk: e for e in entries}
    return [(wanted[e.pk], other) for other in others for e in other.entries.all() if e.pk in wanted]


def has_licences(licence_type: LicenceType) -> bool:
    return Licence.objects.filter(licence_type=licence_type).exists()


def save(licence_type: LicenceType, *, entries: list[Entry], user: User) -> LicenceType:
    """Keep the type and the entries that issue it: those chosen, and those outside what `user`
    may choose that were linked before."""
    with transaction.atomic():
        existed = licence_type.pk is not None
        licence_type.save()
        kept: list[Entry] = []
        if existed:
            kept = list(licence_type.entries.exclude(pk__in=entries_for(user).values("pk")))
        licence_type.entries.set([*entries, *kept])
    return licence_type
