"""Who sees and acts on which warning and 督办, in one place (anything else answers 404).

- Supervisors (and platform administrators) see the warnings and orders of their division
  subtree and issue 督办 there; platform administrators set the rules.
- The handling staff of a department (window clerks, reviewers, approvers) see their department's
  warnings and orders, answer the warnings and report on the orders.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import User
from yiwang.supervision.models import Order, Warning

HANDLING_ROLES = access.HANDLING_ROLES
watches = access.watched_prefix
handles = access.handled_department


def visible_warnings(user: User) -> QuerySet[Warning]:
    return Warning.objects.filter(access.oversight_scope(user)).select_related("case", "department")


def visible_orders(user: User) -> QuerySet[Order]:
    return Order.objects.filter(access.oversight_scope(user)).select_related("case", "department")


def may_answer(user: User, warning: Warning) -> bool:
    return handles(user) == warning.department_id


def may_answer_order(user: User, order: Order) -> bool:
    return handles(user) == order.department_id


def may_order(user: User, division_code: str) -> bool:
    prefix = watches(user)
    return prefix is not None and division_code.startswith(prefix)


def may_configure(user: User) -> bool:
    return access.is_platform_admin(user)
