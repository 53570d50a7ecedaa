from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.accounts import access
from yiwang.accounts.models import StaffRole


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff pages: anonymous users go to sign-in; applicants get 404 (the page does not exist for them)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.staff_roles(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# --- Who may open which workbench page (object access stays in each domain's access.py) ----------


def is_item_admin(user) -> bool:
    return access.has_role(user, StaffRole.ITEM_ADMIN) or access.is_platform_admin(user)


def is_guide_reviewer(user) -> bool:
    return access.has_role(user, StaffRole.REVIEWER, StaffRole.APPROVER) or access.is_platform_admin(user)


def is_supervisor(user) -> bool:
    return access.has_role(user, StaffRole.SUPERVISOR) or access.is_platform_admin(user)


def sees_catalog(user) -> bool:
    return is_item_admin(user) or is_guide_reviewer(user) or is_supervisor(user)


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    """A staff page this member's roles do not open: 403 with a readable page."""
    return render(request, "workbench/forbidden.html", {"message": message}, status=403)


def role_required(predicate: Callable[[object], bool]):
    """Staff pages for some roles only: other staff get 403, applicants 404 (via staff_required)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not predicate(request.user):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return staff_required(wrapper)

    return decorate
