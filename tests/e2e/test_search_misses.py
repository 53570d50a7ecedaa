"""未答检索 in a browser: a citizen's question finds nothing; an item administrator sees it on the
workbench page and teaches the search in one step; the next citizen's same question finds the
service. Every page axe-clean."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import expect

from .people import DEMO_PASSWORD

QUESTION = "火星移民"


def test_an_unanswered_question_is_taught_in_one_step(journey, published_catalog):
    citizen = journey()
    citizen.goto("/items/?q=" + quote(QUESTION))
    expect(citizen.page.locator("#results .empty-state")).to_contain_text(QUESTION)

    admin = journey()
    admin.sign_in("demo-itemadmin", DEMO_PASSWORD)
    admin.goto("/workbench/")
    admin.page.get_by_role("link", name="未答检索").click()
    page = admin.page
    row = page.locator("#search-misses tbody tr").filter(has=page.get_by_role("rowheader", name=QUESTION))
    expect(row).to_have_count(1)
    admin.check("search-misses")
    row.get_by_label("要办的事项").fill("食品经营许可")
    with page.expect_navigation():
        row.get_by_role("button", name="教会搜索").click()
    expect(page.locator(".messages")).to_contain_text(f"已教会搜索：搜“{QUESTION}”会找到“食品经营许可”")
    expect(page.locator("#search-phrases")).to_contain_text(QUESTION)
    expect(page.locator("#search-misses")).not_to_contain_text(QUESTION)
    admin.check("search-misses-taught")

    citizen.goto("/items/?q=" + quote(QUESTION))
    expect(citizen.page.locator("#results .result").first).to_contain_text("食品经营许可")
    citizen.check("search-after-teaching")
