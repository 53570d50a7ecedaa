"""The API's documentation page works in a real browser under its strict policy: Swagger UI from
our own static files, the operations rendered, nothing refused by the Content-Security-Policy and
nothing fetched from another origin (government intranets have no internet)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_the_operations_with_nothing_refused(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    refused: list[str] = []
    foreign: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on(
            "request",
            lambda r: (
                foreign.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None
            ),
        )
        response = page.goto(f"{live_server.url}/api/v1/docs")
        assert response is not None and response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
        expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/cases")
    finally:
        context.close()
    assert refused == []
    assert foreign == []
