from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ELDERLY_COOKIE = "yiwang_elderly"


class PreferencesMiddleware:
    """Set `request.elderly_mode` from the account (signed in) or a cookie (anonymous)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elderly_mode = user.elderly_mode  # type: ignore[attr-defined]
        else:
            request.elderly_mode = request.COOKIES.get(ELDERLY_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
