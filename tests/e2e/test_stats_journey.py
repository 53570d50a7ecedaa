"""统计分析 in the browser, on the hand-made dataset of tests/stats (November 2026, every figure worked
out by hand there) and one more case: an online application to 城关区市场监督管理局 submitted in
October 2026, so the previous period has figures and the division table has a district to drill
into. The supervisor opens 统计分析 from the 电子监察 tile of the workbench home, sets the period to
November and sees the figures with their definitions, numerator / denominator and the previous
period; drills from the department to its items, from the city to the district and on to its own
level; reads the channel and month tables and the bar chart; downloads the Excel file; asks for an
inverted period (400 and the message naming the field). The market regulator's approver sees only
the department's figures, and a filter naming another department gives nothing. axe-clean on every
page."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

# `dataset` (and `township_clerk`, which it needs) are registered as fixtures of this module by the
# import; they are only ever requested by name, never as parameters (no F811).
from stats.conftest import EXPECTED_FIGURES, _online, dataset, township_clerk  # noqa: F401

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OCTOBER_CASE_DAY = dt.date(2026, 10, 12)  # a Monday in the previous period (10-02 … 10-31)


@pytest.fixture
def stats_data(request, make_published, users, deliver_outbox):
    """The tests/stats dataset, plus one online application to 城关区市场监督管理局 submitted in October
    (the previous period of November; a district below the city)."""
    from yiwang.cases import clock
    from yiwang.stats import services

    data = request.getfixturevalue("dataset")
    district_entry = make_published(department="chengguan_market")
    october = _online(district_entry, users["demo-citizen"], OCTOBER_CASE_DAY)
    with clock.frozen(OCTOBER_CASE_DAY):
        deliver_outbox()
    services.collect()
    return {**data, "district_entry": district_entry, "october": october}


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


def percent(value: float) -> str:
    return f"{value:.1f}%"


def figure(page, key: str):
    return page.locator(f"#figure-{key}")


def section(page, heading: str):
    """The panel whose <h2> is exactly `heading` (按部门, 按事项, …)."""
    return page.locator("main section.panel").filter(
        has=page.get_by_role("heading", level=2, name=heading, exact=True)
    )


def table_rows(page, heading: str):
    return section(page, heading).locator("tbody tr")


def row(page, heading: str, label: str):
    return table_rows(page, heading).filter(has=page.locator("th", has_text=label))


def set_period(j, start: str, end: str, division: str | None = None):
    form = j.page.get_by_role("form", name="统计期间和范围")
    form.get_by_label("起始日期").fill(start)
    form.get_by_label("截止日期").fill(end)
    if division is not None:
        form.get_by_label("区划代码").fill(division)
    return j.submit(form.get_by_role("button", name="查看"))


def query_of(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_supervisor_and_approver_read_the_statistics(journey, stats_data):
    from openpyxl import load_workbook

    from yiwang.core.models import Department

    market = stats_data["entry"].department
    district = stats_data["district_entry"].department
    other = Department.objects.get(name="青山市民政局")

    # --- The supervisor: from the workbench home to 统计分析 ------------------------------------
    s = signed_in(journey, "demo-supervisor")
    sp = s.page
    s.goto("/workbench/")
    tile = sp.locator("section[aria-labelledby=supervision-title]")
    link = tile.get_by_role("link", name="统计分析", exact=True)
    expect(link).to_have_attribute("href", "/workbench/stats/")
    s.check("supervisor-home")
    with sp.expect_navigation():
        link.click()
    expect(sp).to_have_url(re.compile(r"/workbench/stats/$"))
    expect(sp.get_by_role("heading", level=1)).to_have_text("统计分析")
    expect(sp.locator("main .help").first).to_contain_text("辖区内办件")
    s.check("supervisor-stats-default")

    # --- November 2026: the figures, their definitions and the previous period ----------------
    response = set_period(s, "2026-11-01", "2026-11-30")
    assert response.status == 200
    assert (query_of(sp)["from"], query_of(sp)["to"]) == ("2026-11-01", "2026-11-30")
    main = sp.locator("main")
    expect(main).to_contain_text("统计期间：2026-11-01 至 2026-11-30")
    expect(main).to_contain_text("对比上期：2026-10-02 至 2026-10-31")
    online = figure(sp, "online_rate")
    expect(online.locator("th")).to_contain_text("网办率")
    expect(online.locator("td").nth(0)).to_have_text(percent(EXPECTED_FIGURES["online_rate"]))  # 3 ÷ 5
    expect(online.locator("td").nth(1)).to_have_text("100.0%")  # October: the district's one online case
    expect(online.locator("td").nth(2)).to_have_text("3 / 5")
    expect(online.locator("td").nth(3)).to_have_text(re.compile(r"^网办率 = 网上申请件数 ÷ 申请件数"))
    for key in ("no_visit_rate", "on_time_rate", "satisfaction_rate", "one_visit_rate", "rating_rate"):
        expect(figure(sp, key).locator("td").nth(0)).to_have_text(percent(EXPECTED_FIGURES[key]))
        expect(figure(sp, key).locator("td").nth(1)).to_have_text("—")  # no denominator in October
        expect(figure(sp, key).locator("td").nth(3)).not_to_be_empty()
    expect(figure(sp, "on_time_rate").locator("td").nth(2)).to_have_text("3 / 4")
    expect(figure(sp, "satisfaction_rate").locator("td").nth(2)).to_have_text("2 / 4")
    expect(figure(sp, "avg_workdays_used").locator("td").nth(0)).to_have_text("3.75")
    expect(figure(sp, "completion_rate").locator("td").nth(0)).to_have_text("83.3%")
    expect(figure(sp, "completion_rate").locator("td").nth(1)).to_have_text("100.0%")
    expect(figure(sp, "cost_per_case").locator("td").nth(0)).to_have_text("200.00")
    expect(figure(sp, "cost_per_case").locator("td").nth(3)).to_contain_text("每件成本 =")
    # The rate's bar has the rate's width.
    expect(online.locator(".bar")).to_have_attribute("style", re.compile(r"width:\s*60%"))
    counts = sp.locator("main details")
    counts.locator("summary").click()
    expect(counts.locator("tbody tr").filter(has_text="提交的申请").locator("td")).to_have_text("5")
    expect(counts.locator("tbody tr").filter(has_text="开始填报的申请").locator("td")).to_have_text("6")
    s.check("supervisor-november")

    # The tables of the dimensions: division (the city's own level only), department, channel,
    # window, month.
    expect(table_rows(sp, "按区划")).to_have_count(1)
    expect(row(sp, "按区划", "青山市（本级）").locator("th a")).to_have_count(0)  # nothing below to open
    expect(table_rows(sp, "按部门")).to_have_count(1)
    expect(row(sp, "按部门", market.name).locator("td").nth(0)).to_have_text("5")
    channels = table_rows(sp, "按申请渠道")
    expect(channels).to_have_count(2)
    expect(channels.nth(0).locator("th")).to_have_text("网上申请")
    expect(channels.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(channels.nth(0).locator("td").nth(2)).to_have_text("100.0%")
    expect(channels.nth(0).locator(".bar")).to_have_attribute("style", re.compile(r"width:\s*100%"))
    expect(channels.nth(1).locator("th")).to_have_text("窗口受理")
    expect(channels.nth(1).locator("td").nth(0)).to_have_text("2")
    expect(channels.nth(1).locator("td").nth(2)).to_have_text("0.0%")
    expect(channels.nth(1).locator(".bar")).to_have_attribute("style", re.compile(r"width:\s*67%"))
    expect(row(sp, "按受理窗口", "东城街道便民服务中心").locator("td").nth(0)).to_have_text("1")
    months = table_rows(sp, "按月份")
    expect(months).to_have_count(1)
    expect(months.first.locator("th")).to_have_text("2026-11")

    # --- Drill down: the department → its items ------------------------------------------------
    with sp.expect_navigation():
        row(sp, "按部门", market.name).get_by_role("link", name=market.name).click()
    assert query_of(sp)["department"] == str(market.pk)
    assert (query_of(sp)["from"], query_of(sp)["to"]) == ("2026-11-01", "2026-11-30")
    expect(section(sp, "按部门")).to_have_count(0)
    items = table_rows(sp, "按事项")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator("td").nth(0)).to_have_text("4")  # C1, C2, C4, C5: the 承诺件
    expect(items.nth(1).locator("td").nth(0)).to_have_text("1")  # C3: the 即办件
    expect(figure(sp, "online_rate").locator("td").nth(0)).to_have_text("60.0%")
    expect(figure(sp, "online_rate").locator("td").nth(1)).to_have_text("—")  # the district is not it
    expect(main).to_contain_text(f"范围： {market.name}")
    s.check("supervisor-department-items")
    with sp.expect_navigation():
        main.get_by_role("link", name="查看全部").click()
    assert "department" not in query_of(sp)
    expect(section(sp, "按部门")).to_have_count(1)

    # --- October and November: the district appears, drill from the city to it -----------------
    set_period(s, "2026-10-01", "2026-11-30")
    divisions = table_rows(sp, "按区划")
    expect(divisions).to_have_count(2)
    expect(divisions.nth(0).locator("th")).to_have_text("青山市（本级）")
    expect(divisions.nth(1).locator("th")).to_have_text("青山市城关区")
    expect(divisions.nth(1).locator("td").nth(0)).to_have_text("1")
    expect(row(sp, "按部门", district.name).locator("td").nth(0)).to_have_text("1")
    expect(figure(sp, "online_rate").locator("td").nth(0)).to_have_text("66.7%")  # 4 ÷ 6
    months = table_rows(sp, "按月份")
    expect(months).to_have_count(2)
    expect(months.nth(0).locator("th")).to_have_text("2026-10")
    expect(months.nth(0).locator("td").nth(0)).to_have_text("1")
    expect(months.nth(1).locator("th")).to_have_text("2026-11")
    expect(months.nth(1).locator("td").nth(0)).to_have_text("5")
    chart = sp.get_by_role("img", name=re.compile("各月申请件数"))
    expect(chart.locator("rect")).to_have_count(4)  # submitted and finished, two months
    expect(chart.locator("text", has_text="2026-10")).to_have_count(1)
    s.check("supervisor-october-november")
    with sp.expect_navigation():
        divisions.nth(1).get_by_role("link", name="青山市城关区").click()
    assert query_of(sp)["division"] == "159902"
    expect(sp.get_by_role("form", name="统计期间和范围").get_by_label("区划代码")).to_have_value("159902")
    expect(main).to_contain_text("范围：青山市城关区")
    divisions = table_rows(sp, "按区划")
    expect(divisions).to_have_count(1)
    expect(divisions.first.locator("th")).to_have_text("青山市城关区（本级）")
    expect(table_rows(sp, "按部门")).to_have_count(1)
    expect(row(sp, "按部门", district.name)).to_have_count(1)
    expect(figure(sp, "online_rate").locator("td").nth(0)).to_have_text("100.0%")
    expect(figure(sp, "online_rate").locator("td").nth(2)).to_have_text("1 / 1")
    s.check("supervisor-district")
    with sp.expect_navigation():
        main.get_by_role("link", name="查看全部").click()
    assert "division" not in query_of(sp)

    # --- The Excel download of November ---------------------------------------------------------
    set_period(s, "2026-11-01", "2026-11-30")
    download_link = main.get_by_role("link", name="下载 Excel")
    href = download_link.get_attribute("href")
    assert href.startswith("/workbench/stats/export.xlsx?")
    with sp.expect_download() as waiting:
        download_link.click()
    download = waiting.value
    assert download.suggested_filename == "stats-department-20261101-20261130.xlsx"
    content = download.path().read_bytes()
    assert content[:2] == b"PK"
    answer = s.context.request.get(href)  # the same request with the session's cookies: its headers
    assert answer.status == 200
    assert answer.headers["content-type"] == XLSX
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.body()[:2] == b"PK"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["概况", "按部门", "口径"]
    overview = list(book["概况"].iter_rows(values_only=True))
    assert overview[2][:5] == ("网办率", 60.0, 100.0, 3, 5)
    by_channel = s.context.request.get(href.replace("dimension=department", "dimension=channel"))
    assert by_channel.headers["content-type"] == XLSX
    assert load_workbook(io.BytesIO(by_channel.body())).sheetnames == ["概况", "按申请渠道", "口径"]
    expect(sp).to_have_url(re.compile(r"/workbench/stats/\?"))  # the page stays where it was

    # --- An inverted period: the message naming the field, 400 --------------------------------
    response = set_period(s, "2026-12-01", "2026-11-01")
    assert response.status == 400
    alert = sp.get_by_role("alert")
    expect(alert).to_have_text("起始日期不能晚于截止日期。")
    expect(sp.get_by_role("heading", level=1)).to_have_text("统计分析")
    s.check("supervisor-inverted-period")

    # --- The market regulator's approver: the department's figures only -------------------------
    a = signed_in(journey, "demo-approver")
    ap = a.page
    a.goto("/workbench/")
    with ap.expect_navigation():
        ap.locator("section[aria-labelledby=supervision-title]").get_by_role(
            "link", name="统计分析", exact=True
        ).click()
    expect(ap).to_have_url(re.compile(r"/workbench/stats/$"))
    expect(ap.locator("main .help").first).to_contain_text("本部门办件")
    a.check("approver-stats-default")
    set_period(a, "2026-10-01", "2026-11-30")
    expect(figure(ap, "online_rate").locator("td").nth(0)).to_have_text("60.0%")  # not the district's
    expect(figure(ap, "online_rate").locator("td").nth(2)).to_have_text("3 / 5")
    departments = table_rows(ap, "按部门")
    expect(departments).to_have_count(1)
    expect(departments.first.locator("th")).to_have_text(market.name)
    expect(table_rows(ap, "按区划")).to_have_count(1)
    expect(row(ap, "按区划", "青山市城关区")).to_have_count(0)
    expect(table_rows(ap, "按月份")).to_have_count(1)  # October was the district's
    expect(ap.locator("main")).not_to_contain_text(district.name)
    a.check("approver-october-november")
    # Naming another department narrows to nothing, never to its figures.
    for named in (district, other):
        a.goto(f"/workbench/stats/?from=2026-10-01&to=2026-11-30&department={named.pk}")
        expect(figure(ap, "online_rate").locator("td").nth(0)).to_have_text("—")
        expect(figure(ap, "online_rate").locator("td").nth(2)).to_have_text("0 / 0")
        expect(table_rows(ap, "按事项")).to_have_text("本期没有数据。")
    a.check("approver-other-department")
