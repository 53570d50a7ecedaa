"""`{% case_tile user as tile %}`: the 办件 tile of the workbench home page (todo and overdue
counts from `cases.queries.tab_counts`), or None for staff who handle no cases."""

from __future__ import annotations

from django import template

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole

register = template.Library()

CASE_ROLES = (
    StaffRole.WINDOW_CLERK,
    StaffRole.REVIEWER,
    StaffRole.APPROVER,
    StaffRole.SUPERVISOR,
    StaffRole.PLATFORM_ADMIN,
)


@register.simple_tag
def case_tile(user):
    if not access.has_role(user, *CASE_ROLES):
        return None
    from yiwang.cases import queries

    return {
        "counts": queries.tab_counts(user),
        "clerk": access.has_role(user, StaffRole.WINDOW_CLERK),
    }
