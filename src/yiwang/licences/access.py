"""Who may see and change which licence, in one place. Anything else answers 404.

- A holder sees the licences they hold as a person and those of the enterprises they act for
  (the enterprise's own account, or an authorised agent): the wallet (卡包).
- Staff see the licences their own department issued; supervisors and platform administrators
  those issued within their division subtree.
- Approvers of the issuing department (and platform administrators) change a licence's status and
  issue new versions. Only platform administrators manage seals.
- Anyone may verify: the public answer masks the holder (`verification`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import AccountKind, StaffRole, User
from yiwang.cases import access as case_access
from yiwang.cases.models import Case
from yiwang.cases.rules import Actor
from yiwang.licences.models import Licence


def holder_filter(user: User) -> Q | None:
    if not user.is_authenticated or user.kind == AccountKind.STAFF:
        return None
    q = Q(pk__in=[])
    if user.kind == AccountKind.PERSON and hasattr(user, "person"):
        q |= Q(holder_person_id=user.person.pk, holder_enterprise__isnull=True)
    enterprises = [e.pk for e in access.enterprises_acted_for(user)]
    if enterprises:
        q |= Q(holder_enterprise_id__in=enterprises)
    return q


def staff_filter(user: User) -> Q | None:
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return None
    if access.has_role(user, StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN):
        return Q(issuer__division__code__startswith=prefix)
    return Q(issuer_id=user.staff.department_id)


def visible_licences(user: User) -> QuerySet[Licence]:
    qs = Licence.objects.select_related("licence_type", "issuer")
    if (q := holder_filter(user)) is not None:
        return qs.filter(q)
    if (q := staff_filter(user)) is not None:
        return qs.filter(q)
    return qs.none()


def licence_for(user: User, identifier: str) -> Licence | None:
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > 80:
        return None
    return visible_licences(user).filter(identifier=identifier).first()


def is_holder(user: User, licence: Licence) -> bool:
    q = holder_filter(user)
    return q is not None and Licence.objects.filter(q, pk=licence.pk).exists()


def may_change_status(user: User, licence: Licence) -> bool:
    if access.is_platform_admin(user):
        prefix = access.staff_division_prefix(user)
        return user.is_superuser or (prefix is not None and licence.issuer.division.code.startswith(prefix))
    return (
        access.has_role(user, StaffRole.APPROVER)
        and hasattr(user, "staff")
        and user.staff.department_id == licence.issuer_id
    )


def may_manage_seals(user: User) -> bool:
    return user.is_authenticated and access.is_platform_admin(user)


def may_adjust(user: User, case: Case) -> bool:
    """The approver who will decide the case may adjust its licence's fields before deciding."""
    return Actor.APPROVER in case_access.staff_actors(user, case)
