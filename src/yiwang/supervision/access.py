"""Who sees and acts on which warning and 督办, in one place (anything else answers 404).

- Supervisors (and platform administrators) see the warnings and orders of their division
  subtree and issue 督办 there; platform administrators set the rules.
- The handling staff of a department (window clerks, reviewers, approvers) see their department's
  warnings and orders, answer the warnings and report on the orders.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole, User
from yiwang.supervision.models import Order, Warning

HANDLING_ROLES = (StaffRole.WINDOW_CLERK, StaffRole.REVIEWER, StaffRole.APPROVER)
WATCHING_ROLES = (StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN)


def watches(user: User) -> str | None:
    """The division prefix a supervisor or platform administrator watches, else None."""
    if not access.has_role(user, *WATCHING_ROLES):
        return None
    return access.staff_division_prefix(user)


def handles(user: User) -> int | None:
    """The department whose warnings the user answers, else None."""
    if not access.has_role(user, *HANDLING_ROLES):
        return None
    return user.staff.department_id


def _scope(user: User) -> Q:
    q = Q(pk__in=[])
    if (prefix := watches(user)) is not None:
        q |= Q(division_code__startswith=prefix)
    if (department := handles(user)) is not None:
        q |= Q(department_id=department)
    return q


def visible_warnings(user: User) -> QuerySet[Warning]:
    return Warning.objects.filter(_scope(user)).select_related("case", "department")


def visible_orders(user: User) -> QuerySet[Order]:
    return Order.objects.filter(_scope(user)).select_related("case", "department")


def may_answer(user: User, warning: Warning) -> bool:
    return handles(user) == warning.department_id


def may_answer_order(user: User, order: Order) -> bool:
    return handles(user) == order.department_id


def may_order(user: User, division_code: str) -> bool:
    prefix = watches(user)
    return prefix is not None and division_code.startswith(prefix)


def may_configure(user: User) -> bool:
    return access.is_platform_admin(user)
