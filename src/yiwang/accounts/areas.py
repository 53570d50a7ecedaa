"""The citizen's 办事地区 (the area whose copy of each service they see): chosen on the search
page (kept in a cookie, and on the account when signed in), else derived from the account: the
division in a person's ID number or an enterprise's credit code (its registration authority)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from yiwang.accounts.models import AccountKind, User
from yiwang.core.models import Division, DivisionLevel

AREA_COOKIE = "yiwang_area"
ALL = "all"  # the citizen chose every area: no copy is preferred


def choices() -> list[Division]:
    """The areas a citizen picks from: the counties (and their cities, for city-level services)."""
    return list(
        Division.objects.filter(level__in=[DivisionLevel.CITY, DivisionLevel.COUNTY]).order_by("code")
    )


def _by_code(code: str) -> Division | None:
    code = (code or "").strip()
    if len(code) == 6 and code.isascii() and code.isdigit():
        code += "000000"
    if len(code) != 12 or not (code.isascii() and code.isdigit()):
        return None
    return Division.objects.filter(code=code).first()


def derived(user: User) -> Division | None:
    """The division an account's own identifiers name, if the platform knows it."""
    code = ""
    if user.kind == AccountKind.PERSON and hasattr(user, "person"):
        code = user.person.id_number[:6]
    elif user.kind == AccountKind.ENTERPRISE and hasattr(user, "enterprise"):
        code = user.enterprise.uscc[2:8]
    return _by_code(code) if code else None


def current(request: HttpRequest, asked: str | None = None) -> tuple[Division | None, str]:
    """The area to search in and what to remember: `asked` (the search form's choice) first, then
    the cookie, then the account's saved area, then the one its identifiers name. The second value
    is the code (or `all`) to keep in the cookie, or "" when nothing new was chosen."""
    if asked is not None:
        asked = asked.strip()
        if asked == ALL or asked == "":
            return None, ALL
        division = _by_code(asked)
        if division is not None:
            return division, division.code
    cookie = request.COOKIES.get(AREA_COOKIE, "")
    if cookie == ALL:
        return None, ""
    if cookie and (division := _by_code(cookie)) is not None:
        return division, ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.kind != AccountKind.STAFF:
        if user.area_id:
            return user.area, ""
        return derived(user), ""
    return None, ""


def remember(request: HttpRequest, response: HttpResponse, value: str) -> None:
    """Keep a new choice in the cookie (and on the account, signed in)."""
    if not value or request.COOKIES.get(AREA_COOKIE) == value:
        return
    response.set_cookie(AREA_COOKIE, value, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.kind != AccountKind.STAFF:
        from yiwang.accounts import services

        services.set_area(user, None if value == ALL else Division.objects.filter(code=value).first())
