"""Request-wide middleware: a request id for log correlation and security headers."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

log = logging.getLogger("yiwang.request")

# Pages use only our own scripts and styles; nothing is loaded from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def _consent_form_policy(request: HttpRequest) -> str:
    """The OpenID Connect consent form posts to us and is answered with a redirect to the client's
    registered redirect URI; browsers apply `form-action` to that redirect, so the consent page
    allows the origin of the redirect URI (the authorisation view has already checked it is
    registered for the client, or it shows an error page instead of the form)."""
    target = urlsplit(request.GET.get("redirect_uri", ""))
    if target.scheme in ("http", "https") and target.netloc:
        origin = f"{target.scheme}://{target.netloc}"
        return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")
    return CONTENT_SECURITY_POLICY


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path == "/o/authorize/":
            response.headers.setdefault("Content-Security-Policy", _consent_form_policy(request))
        elif not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.request_id,  # type: ignore[attr-defined]
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
