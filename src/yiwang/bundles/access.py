"""Who may do what with bundles, in one place. A foreign bundle or application answers 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import AccountKind, StaffRole, User
from yiwang.bundles.models import Bundle, BundleApplication


def _covers(user: User, bundle: Bundle) -> bool:
    prefix = access.staff_division_prefix(user)
    return prefix is not None and bundle.division.code.startswith(prefix)


def can_edit(user: User, bundle: Bundle) -> bool:
    """Item administrators (and platform administrators) of the bundle's division tree define it:
    a bundle spans departments, so the division, not one department, owns it."""
    return access.has_role(user, StaffRole.ITEM_ADMIN, StaffRole.PLATFORM_ADMIN) and _covers(user, bundle)


def can_create(user: User) -> bool:
    return access.has_role(user, StaffRole.ITEM_ADMIN, StaffRole.PLATFORM_ADMIN)


def can_review(user: User, bundle: Bundle) -> bool:
    """Platform administrators and supervisors of the division tree review and publish."""
    return access.has_role(user, StaffRole.PLATFORM_ADMIN, StaffRole.SUPERVISOR) and _covers(user, bundle)


def bundles_for_staff(user: User) -> QuerySet[Bundle]:
    prefix = access.staff_division_prefix(user)
    if prefix is None or not access.has_role(
        user, StaffRole.ITEM_ADMIN, StaffRole.PLATFORM_ADMIN, StaffRole.SUPERVISOR
    ):
        return Bundle.objects.none()
    return Bundle.objects.filter(division__code__startswith=prefix).select_related("division", "published")


def applications_q(user: User) -> Q | None:
    """The bundle applications a citizen or enterprise account may open: their own."""
    if user.kind == AccountKind.ENTERPRISE:
        enterprise = getattr(user, "enterprise", None)
        return Q(applicant_enterprise=enterprise) if enterprise else None
    if user.kind == AccountKind.PERSON:
        person = getattr(user, "person", None)
        q = Q(created_by=user, applicant_enterprise__isnull=False)
        return (Q(applicant_person=person) | q) if person else q
    return None


def staff_may_see(user: User, application: BundleApplication) -> bool:
    """Staff see an application whose cases they may see (their department's or their tree's)."""
    from yiwang.cases.access import visible_cases

    return visible_cases(user).filter(bundle_member__application=application).exists()


def application_for(user: User, key: str) -> BundleApplication | None:
    import uuid

    try:
        key = str(uuid.UUID(str(key)))
    except ValueError:
        found = BundleApplication.objects.filter(number=str(key)[:40]).select_related("bundle").first()
    else:
        found = BundleApplication.objects.filter(key=key).select_related("bundle").first()
    if found is None:
        return None
    q = applications_q(user)
    if q is not None and BundleApplication.objects.filter(q, pk=found.pk).exists():
        return found
    if q is None and staff_may_see(user, found):
        return found
    return None
