from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

ELDERLY_COOKIE = "yiwang_elderly"


class PreferencesMiddleware:
    """Set `request.elderly_mode` from the account (signed in) or a cookie (anonymous); remember on
    a signed-in account the language its pages are shown in, for the messages it is sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elderly_mode = user.elderly_mode  # type: ignore[attr-defined]
            language = get_language()
            if language and user.language != language:  # one UPDATE when it changes, none else
                get_user_model().objects.filter(pk=user.pk).update(language=language)
                user.language = language
        else:
            request.elderly_mode = request.COOKIES.get(ELDERLY_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
