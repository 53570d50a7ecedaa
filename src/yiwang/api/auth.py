from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from yiwang.accounts.services import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `POST /api/v1/auth/tokens`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The browser's session (CSRF-checked for unsafe methods)."""


# Endpoints that need a signed-in user accept either.
signed_in = [BearerToken(), Session()]
