"""Staff pages (审批工作台)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole
from yiwang.cases import access as case_access
from yiwang.core.queries import departments_in_subtree, division_path
from yiwang.workbench import access as wb_access
from yiwang.workbench.access import staff_required


def ratings_tile(user) -> dict[str, int] | None:
    """The home page's 好差评 counts, for staff who handle 差评 or watch them (else None)."""
    from yiwang.ratings import access as rating_access
    from yiwang.ratings import queries as rating_queries

    if not access.has_role(user, *rating_access.HANDLING_ROLES, *rating_access.WATCHING_ROLES):
        return None
    return rating_queries.tile(user)


def supervision_tile(user) -> dict[str, int] | None:
    """The home page's 电子监察 counts for handlers and supervisors (else None)."""
    from yiwang.supervision import access as supervision_access
    from yiwang.supervision import queries as supervision_queries

    if supervision_access.watches(user) is None and supervision_access.handles(user) is None:
        return None
    return supervision_queries.dashboard(user)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    staff = request.user.staff
    roles = access.staff_roles(request.user)
    return render(
        request,
        "workbench/home.html",
        {
            "staff": staff,
            "roles": [StaffRole(r).label for r in sorted(roles)],
            "division_path": division_path(staff.division),
            "department_count": departments_in_subtree(staff.division).count(),
            "is_supervisor": StaffRole.SUPERVISOR in roles,
            "is_admin": access.is_platform_admin(request.user),
            "is_item_admin": wb_access.is_item_admin(request.user),
            "is_guide_reviewer": wb_access.is_guide_reviewer(request.user),
            "is_guide_supervisor": wb_access.is_supervisor(request.user),
            "ratings_tile": ratings_tile(request.user),
            "supervision_tile": supervision_tile(request.user),
            "unattended": case_access.unattended_divisions(request.user),
        },
    )
