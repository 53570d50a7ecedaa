"""Staff pages (审批工作台)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole
from yiwang.core.queries import departments_in_subtree, division_path
from yiwang.workbench import access as wb_access
from yiwang.workbench.access import staff_required


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
        },
    )
