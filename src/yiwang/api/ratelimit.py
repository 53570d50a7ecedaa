"""Rate limits of the API as a whole: fixed windows of `API_RATE_WINDOW_SECONDS` (60 s), counted
per bearer token and per client address, writes (POST, PUT, PATCH, DELETE) apart from reads.

Defaults per minute: a token 120 writes and 1,200 reads; an address (every request from it, with
or without a token: a NAT of many users) 600 writes and 6,000 reads. Over a limit: 429 with
`Retry-After` (the seconds left in the window) and the API's error body (`rate_limited`).

Correct across processes: the counters are `core.RateCounter` rows in the database, bumped (the
token's and the address's together) by ONE upsert returning the new counts
(`core.rate_counters.bump`), so concurrent requests in any number of workers get distinct counts
and exactly `limit` pass. That statement runs in autocommit before the view: a write transaction of
its own, outside the request's (bench/cases.py shows it apart from the submission's statements).
A token is counted by its hash, never stored. A request refused by the limit is still counted.
The same statement reads the token's account for the API's authentication (`check`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import services as accounts
from yiwang.accounts.services import client_ip
from yiwang.accounts.throttle import network
from yiwang.core import rate_counters
from yiwang.core.validation import error_body

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip()
    return None


def limits_for(request: HttpRequest) -> dict[str, int]:
    """The counters this request bumps, with the limit of each."""
    write = request.method not in SAFE_METHODS
    kind = "w" if write else "r"
    address = f"a:{network(client_ip(request))}:{kind}"
    limits = {
        address: settings.API_RATE_LIMIT_ADDRESS_WRITES if write else settings.API_RATE_LIMIT_ADDRESS_READS
    }
    token = _bearer(request)
    if token is not None:
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        limits[f"t:{digest}:{kind}"] = (
            settings.API_RATE_LIMIT_TOKEN_WRITES if write else settings.API_RATE_LIMIT_TOKEN_READS
        )
    return limits


# Where the limiter leaves the bearer token's account it read (`check`): (token, user or None).
TOKEN_USER = "yiwang_token_user"


def check(request: HttpRequest) -> int | None:
    """Count the request; the seconds until it may be retried if it is over a limit, else None.

    A request with a bearer token also gets the token's account read in the same statement
    (`rate_counters.bump_along`) and left on the request (`TOKEN_USER`) for the API's
    authentication (`api.auth.BearerToken`), which would otherwise read it in a round trip of its
    own. Whether the request may use it is still decided there, by the endpoint's auth."""
    limits = limits_for(request)
    start, left = rate_counters.window_of(settings.API_RATE_WINDOW_SECONDS)
    token = _bearer(request)
    if token is None:
        counts = rate_counters.bump(list(limits), start)
    else:
        now = timezone.now()
        counts, found = rate_counters.bump_along(list(limits), start, *accounts.token_query(token, now))
        setattr(request, TOKEN_USER, (token, accounts.token_user(found, now)))
    if any(counts.get(key, 0) > limit for key, limit in limits.items()):
        return left
    return None


def refusal(retry_after: int) -> HttpResponse:
    body = error_body(
        "rate_limited",
        _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": retry_after},
        retry_after=retry_after,
    )
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=429, content_type="application/json; charset=utf-8"
    )
    response["Retry-After"] = str(retry_after)
    return response


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.API_RATE_LIMIT_ENABLED and request.path.startswith(API_PREFIX):
            retry_after = check(request)
            if retry_after is not None:
                return refusal(retry_after)
        return self.get_response(request)
