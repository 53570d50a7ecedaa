"""Citizen pages (网上办事大厅)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from yiwang.accounts import access
from yiwang.accounts.models import AccountKind
from yiwang.core.models import DivisionLevel
from yiwang.core.queries import divisions_at_level


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "q": request.GET.get("q", "").strip(),
            "counties": divisions_at_level(DivisionLevel.COUNTY),
        },
    )


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.kind == AccountKind.STAFF:
        return redirect("workbench:home")
    return render(
        request,
        "portal/my_space.html",
        {
            "person": getattr(user, "person", None) if user.kind == AccountKind.PERSON else None,
            "enterprise": getattr(user, "enterprise", None) if user.kind == AccountKind.ENTERPRISE else None,
            "acting_for": access.enterprises_acted_for(user) if user.kind == AccountKind.PERSON else [],
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for the operator's monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
