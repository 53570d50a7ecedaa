"""电子监察 in the browser: a case of the market regulator left unaccepted past its five working days
has a red card (受理超时). The supervisor sees it on the workbench home and the dashboard (count,
the rule's bar, the list; the colour filter), opens it and issues a 督办; the market regulator's
approver sees the 督办 on the home tile and the warning 待说明 on the department's view, is told an
empty answer is missing (nothing saved), answers with reason and action and reports on the 督办;
the supervisor sees both, the case page's 亮灯记录 and the quarterly grades; the platform
administrator disables 补正久拖 and changes its working days. axe-clean on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

INSTRUCTION = "请于办理期限内受理该申请，并说明超时原因"
REASON = "窗口受理人员休假，AB 岗未及时补位"
ACTION = "已当日受理，落实 AB 岗顶岗制度"
REPORT = "已受理并电话告知申请人，AB 岗制度已重新培训"


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


def fact(page, term: str):
    """The <dd> after the <dt> of that term, in the page's main content."""
    return page.locator("main dt", has_text=term).first.locator("xpath=following-sibling::dd[1]")


def warnings_table(page):
    return page.locator("section#warnings table")


def filter_colour(j, label: str) -> None:
    """Choose a colour in the dashboard's filter form and apply it."""
    form = j.page.get_by_role("search", name="筛选预警")
    form.get_by_label("颜色").select_option(label=label)
    j.submit(form.get_by_role("button", name="筛选"))


def test_red_card_to_order_answer_report_and_rules(journey, red):
    from yiwang.cases import clock
    from yiwang.supervision import rules
    from yiwang.supervision.models import Order, Rule, Warning

    case, warning = red
    market = case.department.name
    due = (clock.today() + dt.timedelta(days=7)).isoformat()

    # --- The supervisor: home tile, dashboard, filter --------------------------------------
    s = signed_in(journey, "demo-supervisor")
    sp = s.page
    s.goto("/workbench/")
    tile = sp.locator("section[aria-labelledby=supervision-title]")
    expect(tile.get_by_role("heading", level=2)).to_have_text("电子监察")
    expect(sp.locator("#tile-red")).to_have_text("1")
    expect(sp.locator("#tile-red")).to_have_class(re.compile(r"\bcount-error\b"))
    expect(sp.locator("#tile-yellow")).to_have_text("0")
    s.check("supervisor-home")
    with sp.expect_navigation():
        tile.get_by_role("link", name="红牌").click()
    expect(sp).to_have_url(re.compile(r"/workbench/supervision/\?colour=red&live=1$"))
    expect(sp.get_by_role("heading", level=1)).to_have_text("电子监察")
    s.goto("/workbench/supervision/")
    expect(sp.locator("#count-red")).to_have_text("1")
    expect(sp.locator("#count-yellow")).to_have_text("0")
    bars = sp.locator("table.bar-table")
    bar_row = bars.locator("tbody tr").filter(has=sp.locator("th", has_text="受理超时"))
    expect(bar_row).to_have_count(1)
    expect(bar_row.locator("td").nth(0)).to_have_text("红牌")
    expect(bar_row.locator("td").nth(1)).to_have_text("1")
    expect(bar_row.locator(".bar-red")).to_have_attribute("style", re.compile(r"width:\s*100%"))
    # The other rules' bars are empty.
    expect(
        bars.locator("tbody tr").filter(has=sp.locator("th", has_text="补正久拖")).locator("td").nth(1)
    ).to_have_text("0")
    rows = warnings_table(sp).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    expect(rows.first).to_contain_text("受理超时")
    expect(rows.first).to_contain_text("红牌")
    expect(rows.first).to_contain_text(market)
    expect(rows.first.locator("td").last).to_contain_text("待说明")
    expect(sp.get_by_role("link", name="部门季度评分")).to_be_visible()
    s.check("supervisor-dashboard")

    filter_colour(s, "黄牌")
    expect(sp).to_have_url(re.compile(r"colour=yellow"))
    expect(sp.get_by_role("search", name="筛选预警").get_by_label("颜色")).to_have_value("yellow")
    expect(warnings_table(sp).locator("tbody tr")).to_have_count(1)
    expect(warnings_table(sp).locator("tbody")).to_have_text("没有符合条件的预警。")
    s.check("supervisor-dashboard-yellow")
    filter_colour(s, "红牌")
    expect(sp).to_have_url(re.compile(r"colour=red"))
    rows = warnings_table(sp).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    s.check("supervisor-dashboard-red")

    # --- The supervisor opens the warning and issues a 督办 ---------------------------------
    with sp.expect_navigation():
        rows.first.get_by_role("link", name="受理超时").click()
    expect(sp).to_have_url(re.compile(rf"/workbench/supervision/warnings/{warning.pk}/$"))
    expect(sp.get_by_role("heading", level=1)).to_have_text(re.compile(r"红牌\s*受理超时"))
    expect(sp.locator("main .help").first).to_contain_text("满 5 个工作日仍未受理")
    expect(fact(sp, "办件")).to_contain_text(case.number)
    expect(fact(sp, "办件").get_by_role("link")).to_have_text(case.title)
    expect(fact(sp, "申请人")).to_have_text("张*")
    expect(fact(sp, "部门")).to_have_text(market)
    expect(sp.locator("#warning-state")).to_contain_text("仍在预警")
    expect(sp.locator("#warning-state")).to_contain_text("待说明")
    expect(sp.get_by_role("heading", name="说明预警")).to_have_count(0)
    history = sp.locator("section[aria-labelledby=history-title]")
    expect(history.locator("li")).to_have_count(1)
    expect(history).to_contain_text("受理超时")
    s.check("supervisor-warning")
    order_form = sp.locator("section[aria-labelledby=order-title]")
    expect(order_form.get_by_role("heading", level=2)).to_have_text("发出督办")
    order_form.get_by_label("督办要求").fill(INSTRUCTION)
    order_form.get_by_label("办理期限").fill(due)
    s.submit(order_form.get_by_role("button", name="发出督办"))
    order = Order.objects.get()
    expect(sp).to_have_url(re.compile(rf"/workbench/supervision/orders/{order.pk}/$"))
    expect(sp.locator(".messages")).to_contain_text("已发出督办")
    expect(sp.get_by_role("heading", level=1)).to_have_text("督办")
    expect(fact(sp, "办件")).to_contain_text(case.number)
    expect(fact(sp, "被督办部门")).to_have_text(market)
    expect(fact(sp, "督办要求")).to_have_text(INSTRUCTION)
    expect(fact(sp, "办理期限")).to_have_text(due)
    expect(sp.locator("#order-state")).to_have_text("待办理")
    expect(sp.get_by_role("button", name="提交反馈")).to_have_count(0)  # the department reports
    s.check("supervisor-order")
    assert (order.warning_id, order.case_id, order.department_id) == (
        warning.pk,
        case.pk,
        case.department_id,
    )

    # --- The market regulator's approver: tile, department's view, the answer ----------------
    a = signed_in(journey, "demo-approver")
    ap = a.page
    a.goto("/workbench/")
    expect(ap.locator("#tile-orders")).to_have_text("1")
    expect(ap.locator("#tile-unanswered")).to_have_text("1")
    expect(ap.locator("#tile-red")).to_have_text("1")
    a.check("approver-home")
    with ap.expect_navigation():
        ap.locator("section[aria-labelledby=supervision-title]").get_by_role("link", name="督办").click()
    expect(ap).to_have_url(re.compile(r"/workbench/supervision/#orders$"))
    expect(ap.locator("#grades")).to_have_count(0)  # grades are the supervisors'
    rows = warnings_table(ap).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    expect(rows.first.locator("td").last).to_contain_text("待说明")
    orders = ap.locator("section#orders tbody tr")
    expect(orders).to_have_count(1)
    expect(orders.first).to_contain_text(INSTRUCTION)
    expect(orders.first).to_contain_text(case.number)
    expect(orders.first.locator("td").last).to_have_text("待办理")
    a.check("approver-dashboard")

    with ap.expect_navigation():
        rows.first.get_by_role("link", name="受理超时").click()
    answer = ap.locator("section[aria-labelledby=answer-title]")
    expect(answer.get_by_role("heading", level=2)).to_have_text("说明预警")
    expect(ap.locator("section[aria-labelledby=order-title]")).to_have_count(0)  # no 督办 of oneself
    a.check("approver-warning")
    response = a.submit(answer.get_by_role("button", name="提交说明"))
    assert response.status == 400
    summary = ap.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("请写明原因")
    expect(summary).to_contain_text("请写明采取的措施")
    expect(ap.locator("#warning-state")).to_contain_text("待说明")
    a.check("approver-warning-empty")
    warning.refresh_from_db()
    assert (warning.state, warning.reason, warning.action, warning.answered_at) == (
        Warning.OPEN,
        "",
        "",
        None,
    )
    answer = ap.locator("section[aria-labelledby=answer-title]")
    answer.get_by_label("原因").fill(REASON)
    answer.get_by_label("采取的措施").fill(ACTION)
    a.submit(answer.get_by_role("button", name="提交说明"))
    expect(ap).to_have_url(re.compile(rf"/workbench/supervision/warnings/{warning.pk}/$"))
    expect(ap.locator(".messages")).to_contain_text("已说明预警")
    expect(ap.locator("#warning-state")).to_contain_text("已说明")
    expect(fact(ap, "原因")).to_have_text(REASON)
    expect(fact(ap, "措施")).to_have_text(ACTION)
    expect(ap.locator("section[aria-labelledby=answer-title]")).to_have_count(0)
    a.check("approver-warning-answered")
    warning.refresh_from_db()
    assert warning.state == Warning.ANSWERED and warning.reason == REASON

    # --- The approver reports on the 督办 --------------------------------------------------
    with ap.expect_navigation():
        ap.locator("section[aria-labelledby=orders-title]").get_by_role("link", name=INSTRUCTION).click()
    expect(ap).to_have_url(re.compile(rf"/workbench/supervision/orders/{order.pk}/$"))
    expect(ap.locator("#order-state")).to_have_text("待办理")
    a.check("approver-order")
    report = ap.locator("section[aria-labelledby=report-title]")
    report.get_by_label("办理情况").fill(REPORT)
    a.submit(report.get_by_role("button", name="提交反馈"))
    expect(ap.locator(".messages")).to_contain_text("已反馈督办办理情况")
    expect(ap.locator("#order-state")).to_have_text("已反馈")
    expect(fact(ap, "办理情况")).to_have_text(REPORT)
    expect(ap.locator("section[aria-labelledby=report-title]")).to_have_count(0)
    a.check("approver-order-reported")
    order.refresh_from_db()
    assert order.state == Order.REPORTED and order.late is False

    # --- The supervisor sees the answer, the report, the case's lights and the grades --------
    s.goto("/workbench/supervision/")
    rows = warnings_table(sp).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").last).to_contain_text("已说明")
    orders = sp.locator("section#orders tbody tr")
    expect(orders).to_have_count(1)
    expect(orders.first.locator("td").last).to_have_text("已反馈")
    expect(sp.locator("#count-red")).to_have_text("1")  # still unaccepted: still red
    s.check("supervisor-dashboard-answered")
    quarter = rules.quarter_of(clock.today())
    with sp.expect_navigation():
        sp.get_by_role("link", name="部门季度评分").click()
    grades = sp.locator("#grades")
    expect(grades.get_by_role("heading", level=2)).to_have_text(f"部门季度评分（{quarter}）")
    expect(grades.get_by_label("季度")).to_have_value(quarter)
    if rules.quarter_of(timezone.localdate(warning.raised_at)) == quarter:
        row = grades.locator("tbody tr").filter(has=sp.locator("th", has_text=market))
        expect(row).to_have_count(1)
        expect(row.locator("summary")).to_contain_text("督办该部门")
        row.locator("summary").click()
        expect(row.get_by_label("督办要求")).to_be_visible()
        expect(row.get_by_role("button", name="发出督办")).to_be_visible()
        s.check("supervisor-grades-order-form")
    else:
        expect(grades.locator("tbody tr").first).to_be_visible()
        s.check("supervisor-grades")
    s.goto("/workbench/supervision/")
    orders = sp.locator("section#orders tbody tr")
    with sp.expect_navigation():
        orders.first.get_by_role("link").click()
    expect(sp.locator("#order-state")).to_have_text("已反馈")
    expect(fact(sp, "办理情况")).to_have_text(REPORT)
    s.check("supervisor-order-reported")

    s.goto(f"/workbench/cases/{case.number}/")
    lights = sp.locator("#lights")
    expect(lights.get_by_role("heading", level=2)).to_have_text("亮灯记录（电子监察）")
    light = lights.locator("tbody tr")
    expect(light).to_have_count(1)
    expect(light.locator(".card-red")).to_have_text("红牌")
    expect(light.get_by_role("link", name="受理超时")).to_have_attribute(
        "href", f"/workbench/supervision/warnings/{warning.pk}/"
    )
    expect(light).to_contain_text("仍在预警")
    expect(light).to_contain_text(REASON[:10])
    s.check("supervisor-case-lights")

    # --- The platform administrator changes a rule -------------------------------------------
    m = signed_in(journey, "demo-admin")
    mp = m.page
    m.goto("/workbench/supervision/rules/")
    expect(mp.get_by_role("heading", level=1)).to_have_text("监察规则")
    section = mp.locator("section[aria-labelledby=rule-correction_pending]")
    expect(section.get_by_role("heading", level=2)).to_have_text(re.compile(r"黄牌\s*补正久拖"))
    enabled = section.get_by_label("启用")
    workdays = section.get_by_label("工作日数")
    expect(enabled).to_be_checked()
    expect(workdays).to_have_value("10")
    m.check("admin-rules")
    enabled.uncheck()
    workdays.fill("15")
    m.submit(section.get_by_role("button", name=re.compile(r"^保存")))
    expect(mp).to_have_url(re.compile(r"/workbench/supervision/rules/$"))
    expect(mp.locator(".messages")).to_contain_text("已保存规则“补正久拖”")
    section = mp.locator("section[aria-labelledby=rule-correction_pending]")
    expect(section.get_by_label("启用")).not_to_be_checked()
    expect(section.get_by_label("工作日数")).to_have_value("15")
    # The other rules are as they were.
    expect(
        mp.locator("section[aria-labelledby=rule-acceptance_overdue]").get_by_label("启用")
    ).to_be_checked()
    m.check("admin-rules-saved")
    rule = Rule.objects.get(code="correction_pending")
    assert rule.enabled is False and rule.params == {"workdays": 15}

    # The supervisor reads the settings without a form.
    s.goto("/workbench/supervision/rules/")
    section = sp.locator("section[aria-labelledby=rule-correction_pending]")
    expect(section).to_contain_text("已停用")
    expect(section).to_contain_text("工作日数：15")
    expect(sp.locator("main form")).to_have_count(0)
    s.check("supervisor-rules")


def test_the_supervisor_pages_through_the_cards_and_back(journey, red_and_older, monkeypatch):
    """The list of cards, one a page here: the next page has the older card, the previous page
    the newer; each page says which it is and is axe-clean."""
    from yiwang.workbench import supervision_views

    _case, _warning, older = red_and_older
    monkeypatch.setattr(supervision_views, "PAGE_SIZE", 1)  # the live server runs in this process

    s = signed_in(journey, "demo-supervisor")
    sp = s.page
    s.goto("/workbench/supervision/?colour=red")
    table = warnings_table(sp)
    expect(table.locator("caption")).to_contain_text("第 1 页")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody")).to_contain_text("受理超时")
    pages = sp.get_by_role("navigation", name="分页")
    expect(pages.get_by_role("link", name="上一页")).to_have_count(0)
    s.check("supervision-page-1")
    with sp.expect_navigation():
        pages.get_by_role("link", name="下一页").click()
    expect(sp).to_have_url(re.compile(r"colour=red&page=2#warnings$"))
    expect(table.locator("caption")).to_contain_text("第 2 页")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody")).not_to_contain_text("受理超时")
    expect(table.locator(f'a[href="/workbench/supervision/warnings/{older.pk}/"]')).to_have_count(1)
    expect(sp.get_by_role("search", name="筛选预警").get_by_label("颜色")).to_have_value("red")  # kept
    expect(pages.get_by_role("link", name="下一页")).to_have_count(0)
    s.check("supervision-page-2")
    with sp.expect_navigation():
        pages.get_by_role("link", name="上一页").click()
    expect(table.locator("caption")).to_contain_text("第 1 页")
    expect(table.locator("tbody")).to_contain_text("受理超时")
