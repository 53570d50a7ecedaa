"""A citizen finds a service in everyday words, reads its guide (一次性告知单) and downloads the PDF;
the same pages in 长辈模式, and the search with filters without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def search_from_home(j, words: str):
    page = j.page
    box = page.get_by_role("searchbox", name="搜索办事服务")
    box.fill(words)
    with page.expect_navigation():
        box.press("Enter")
    page.wait_for_load_state("load")


def test_citizen_searches_in_everyday_words_reads_the_guide_and_downloads_the_pdf(journey, published_catalog):
    j = journey()
    page = j.page
    j.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办事，从这里开始")
    j.check("home")

    # 生孩子 → the search page, 出生登记 (plain title 新生儿上户口) first.
    search_from_home(j, "生孩子")
    expect(page).to_have_url(re.compile(r"/items/\?q=" + re.escape(quote("生孩子"))))
    results = page.locator("#results .result")
    expect(results.first.get_by_role("heading", level=3)).to_have_text("新生儿上户口")
    expect(results.first).to_contain_text("正式名称：出生登记")
    expect(results.first).to_contain_text("最多跑1次")
    expect(results.first).to_contain_text("当场办结")
    expect(page.locator("#result-status")).to_contain_text("找到")
    j.check("search-results")

    # Typing another question updates the results in place (htmx) and the address follows.
    box = page.get_by_role("searchbox", name="搜索办事服务")
    box.fill("卖房")
    expect(results.first.get_by_role("heading", level=3)).to_have_text("二手房买卖过户", timeout=10_000)
    expect(page).to_have_url(re.compile(r"q=" + re.escape(quote("卖房"))))
    expect(page.locator("#result-status")).to_contain_text("卖房")
    # A filter narrows at once: only fully online services.
    box.fill("开饭店")
    expect(results.first).to_contain_text("食品经营许可", timeout=10_000)
    page.get_by_label("只看全程网办").check()
    expect(page).to_have_url(re.compile(r"online=1"), timeout=10_000)
    expect(page.locator("#results .result:not(:has(.badge-online))")).to_have_count(0)
    expect(results.first).to_contain_text("全程网办")
    j.check("search-filtered")

    # Nothing found: the helpful empty state.
    box.fill("火星移民")
    expect(page.locator("#results .empty-state")).to_contain_text("12345", timeout=10_000)
    j.check("search-empty")

    # Browse by topic.
    j.goto("/topics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("按主题找服务")
    j.check("topics")
    with page.expect_navigation():
        page.get_by_role("link", name="生育收养").click()
    page.wait_for_load_state("load")  # the page's script has bound its controls
    expect(page.get_by_role("heading", level=1)).to_have_text("生育收养")
    # One card for the service, however many counties implement it; choosing the area picks
    # the county's own copy and puts the others behind the card.
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("4 个地区可办理")
    with page.expect_response(lambda r: "area=159921000000" in r.url):
        page.get_by_label("办事地区").select_option("159921000000")  # 北河县
    expect(page).to_have_url(re.compile(r"area=159921000000"))
    expect(results.first.locator(".result-facts")).to_contain_text("北河县", timeout=10_000)
    expect(results.first).to_contain_text("其他地区也可办理（3 个）")
    j.check("topic-with-area")

    # Open the guide of the first result.
    results.first.get_by_role("link", name="新生儿上户口").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新生儿上户口")
    expect(page.locator("#materials")).to_contain_text("无需提交，可调取电子证照")
    expect(page.locator("#time")).to_contain_text("5个工作日")
    expect(page.get_by_role("link", name=re.compile("下载空白表格"))).to_have_count(1)
    expect(page.get_by_role("button", name="打印")).to_be_visible()  # shown once the script runs
    page.get_by_label("出生登记申请表").check()  # the checklist can be ticked
    j.check("guide")

    # Download the PDF.
    with page.expect_download() as info:
        page.get_by_role("link", name="下载PDF").click()
    download = info.value
    assert download.suggested_filename == "新生儿上户口-一次性告知单.pdf"
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF") and len(data) > 10_000

    # The blank form downloads too.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载空白表格")).click()
    assert info.value.suggested_filename.endswith(".pdf")


def test_the_same_pages_in_elderly_mode(journey, published_catalog):
    j = journey()
    page = j.page
    j.goto("/")
    normal_px = j.body_font_px()
    j.toggle_elderly()
    assert j.body_is_elderly() and j.body_font_px() >= normal_px * 1.2
    j.check("home-elderly")

    search_from_home(j, "开饭店")
    expect(page.locator("#results .result").first).to_contain_text("食品经营许可")
    assert j.body_is_elderly()
    j.check("search-elderly")

    j.goto("/topics/")
    j.check("topics-elderly")

    entry = published_catalog.first("property")
    j.goto(f"/items/{entry.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("二手房买卖过户")
    expect(page.locator("#fees")).to_contain_text("不动产登记费")
    j.check("guide-elderly")

    suspended = published_catalog.first("logging")
    j.goto(f"/items/{suspended.code}/")
    expect(page.get_by_role("heading", name="本事项暂停办理")).to_be_visible()
    j.check("guide-suspended-elderly")


def test_search_and_filters_work_without_javascript(browser, live_server, published_catalog):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    try:
        page = context.new_page()
        page.goto("/items/?q=" + quote("低保"))
        results = page.locator("#results .result")
        expect(results).to_have_count(1)  # one service, its three counties' copies behind it
        expect(results.first).to_contain_text("3 个地区可办理")
        page.locator("#filters-panel > summary").click()  # folded without script: one click opens
        page.get_by_label("办理层级").select_option(label="乡镇（街道）")
        with page.expect_navigation():
            page.get_by_role("button", name="筛选").click()
        expect(page).to_have_url(re.compile(r"level=4"))
        expect(results).to_have_count(1)
        expect(results.first).to_contain_text("便民服务中心")
        page.goto("/items/")
        with page.expect_navigation():
            page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
        expect(page).to_have_url(re.compile(r"page=2"))
        expect(page.locator("#result-status")).to_contain_text("第 2/2 页")  # 17 services
        page.locator("#results .result h3 a").first.click()
        expect(page.get_by_role("link", name="下载PDF")).to_be_visible()
        expect(page.get_by_role("button", name="打印")).to_be_hidden()  # needs the script
    finally:
        context.close()


def test_on_a_phone_in_elderly_mode_the_results_come_first(journey, published_catalog):
    """390 px wide, 长辈模式: the filters fold behind one line, so the first result starts within
    the first screen (it started 1,340 px down behind four full-width filters); one tap opens them."""
    j = journey()
    page = j.page
    page.set_viewport_size({"width": 390, "height": 844})
    j.goto("/items/")
    j.toggle_elderly()
    assert j.body_is_elderly()
    j.goto("/items/?q=" + quote("生孩子"))
    page.wait_for_load_state("load")
    panel = page.locator("#filters-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.get_by_label("办理层级")).to_be_hidden()
    j.check("phone-elderly-results-first")
    top = page.locator("#results .result").first.bounding_box()
    # Its title, at least, is on the first screen (844 px high).
    assert top is not None and top["y"] + 60 < 844, f"the first result starts {top and top['y']} px down"
    print(f"390 px, elderly mode: the first result starts {top['y']:.0f} px down (was 1,340)")
    panel.locator("summary").click()
    expect(page.get_by_label("办理层级")).to_be_visible()
    j.check("phone-elderly-filters-open")
