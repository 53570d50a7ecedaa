"""What the search page reports about itself: a question whose results the citizen left without
opening any (sent by search.js as the page is left). See `catalog.search_log`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from yiwang.accounts.services import client_ip
from yiwang.accounts.throttle import network
from yiwang.catalog import search_log
from yiwang.core import rate_counters

REPORTS_PER_MINUTE = 20  # per address: one person leaves a few result pages a minute


@require_POST
def unanswered(request: HttpRequest) -> HttpResponse:
    start, left = rate_counters.window_of(60)
    key = f"search-miss:{network(client_ip(request))}"
    if rate_counters.bump([key], start)[key] > REPORTS_PER_MINUTE:
        response = HttpResponse(status=429)
        response["Retry-After"] = str(left)
        return response
    search_log.record_no_click(request.POST.get("q", ""))
    return HttpResponse(status=204)
