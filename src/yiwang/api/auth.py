from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from yiwang.accounts.services import user_for_token
from yiwang.api.ratelimit import TOKEN_USER


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `POST /api/v1/auth/tokens`."""

    def authenticate(self, request: HttpRequest, token: str):
        # The rate limiter read this token's account already, in its own statement.
        known = getattr(request, TOKEN_USER, None)
        user = known[1] if known is not None and known[0] == token else user_for_token(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The browser's session (CSRF-checked for unsafe methods). A request without a session cookie
    has no session to forge: it is not signed in (401), rather than refused for its CSRF token (403)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)


# Endpoints that need a signed-in user accept either.
signed_in = [BearerToken(), Session()]
