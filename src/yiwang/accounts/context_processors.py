from __future__ import annotations

from django.http import HttpRequest

from yiwang.accounts import access


def preferences(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "elderly_mode": getattr(request, "elderly_mode", False),
        "is_staff_member": bool(user is not None and user.is_authenticated and access.staff_roles(user)),
    }
