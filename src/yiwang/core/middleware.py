"""Request-wide middleware: a request id for log correlation and security headers."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

from yiwang.core.logging import mask_query

log = logging.getLogger("yiwang.request")

# Pages use only our own scripts and styles; nothing is loaded from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?$")


def origin_of(uri: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URI, rebuilt from its validated parts (a host name of
    letters, digits, hyphens and dots, or an IP address; a numeric port), or None. Nothing of the
    URI's own spelling reaches the result, so it cannot carry `;` or a space into a header."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.match(host):
            return None
    else:
        host = f"[{address.compressed}]" if address.version == 6 else address.compressed
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def registered_redirect_origin(client_id: str, redirect_uri: str) -> str | None:
    """The origin of `redirect_uri` if it is registered for the client `client_id` (the client's
    only registered URI when none is given, as the toolkit then uses it), else None."""
    if not client_id or len(client_id) > 100:
        return None
    from oauth2_provider.models import get_application_model

    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None:
        return None
    if not redirect_uri:
        registered = application.redirect_uris.split()
        redirect_uri = registered[0] if len(registered) == 1 else ""
    if not redirect_uri or not application.redirect_uri_allowed(redirect_uri):
        return None
    return origin_of(redirect_uri)


def _consent_form_policy(request: HttpRequest) -> str:
    """The OpenID Connect consent form posts to us and is answered with a redirect to the client's
    registered redirect URI; browsers apply `form-action` to that redirect, so the consent page
    allows that origin. Only a registered client's registered redirect URI may name it, and only
    its validated origin enters the header: anything else in the query keeps the plain policy."""
    origin = registered_redirect_origin(request.GET.get("client_id", ""), request.GET.get("redirect_uri", ""))
    if origin is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


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
        # META, not `request.headers`: that builds a dict of every header on first use (~20 µs),
        # which a request that reads no other header (a public verification) never needs.
        request.request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex  # type: ignore[attr-defined]
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
        if not log.isEnabledFor(logging.INFO):
            return response  # nothing to log: the query is not masked for nobody
        extra = {
            "request_id": request.request_id,  # type: ignore[attr-defined]
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        query = request.META.get("QUERY_STRING", "")
        if query:  # masked here and again by the formatter (core.logging): never in full
            extra["query"] = mask_query(query)
        log.info("%s %s %s", request.method, request.path, response.status_code, extra=extra)
        return response
