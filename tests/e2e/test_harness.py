"""The harness itself: axe really runs and really reports; a quiet check proves nothing otherwise."""

from __future__ import annotations

import pytest

from .conftest import axe_violations, format_violations

pytestmark = pytest.mark.e2e

BROKEN = """<!doctype html><html><head><title>x</title></head><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="q">
<p style="color:#ccc;background:#fff">浅灰色的字看不清</p>
</main></body></html>"""


def test_axe_reports_violations_readably(browser):
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.set_content(BROKEN)
        violations = axe_violations(page)
    finally:
        context.close()
    found = {v["id"] for v in violations}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= found, found
    report = format_violations("broken", "about:blank", violations)
    assert "image-alt" in report and "<img" in report and "Fix" in report
