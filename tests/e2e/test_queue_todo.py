"""The reviewer's 待办 in the browser (issue 13): of three cases of their department, the one at
their review step; the case waiting for acceptance at the window and the one at the approver's
step are under 全部. axe-clean on every page looked at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from yiwang.cases import drafts

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FORM_DATA = {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45}


def submitted(users, entry):
    from catalog.guide_samples import PDF

    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    return drafts.submit(citizen, case)


def test_the_reviewers_todo_holds_only_the_case_at_their_step(journey, make_published, users):
    from yiwang.cases import services

    entry = make_published()  # review steps: 审查 by the reviewer, 决定 by the approver
    at_window = submitted(users, entry)
    mine = services.act(users["demo-clerk"], submitted(users, entry), "accept")
    theirs = services.act(users["demo-clerk"], submitted(users, entry), "accept")
    theirs = services.act(users["demo-reviewer"], theirs, "pass_step", {"opinion": "材料齐全"})

    r = journey()
    r.sign_in("demo-reviewer", DEMO_PASSWORD)
    page = r.page
    r.goto("/workbench/cases/")
    rows = page.locator("table.case-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text(mine.number)
    expect(rows.first).to_contain_text("已受理")
    expect(page.locator("#count-todo")).to_have_text("1")
    expect(page.locator("table.case-table caption")).to_contain_text("共 1 件")
    r.check("reviewer-todo")

    tabs = page.get_by_role("navigation", name="办件分类")
    with page.expect_navigation():
        tabs.get_by_role("link", name="全部").click()
    expect(rows).to_have_count(3)
    for case in (at_window, mine, theirs):
        expect(rows.filter(has_text=case.number)).to_have_count(1)
    r.check("reviewer-all")


# Lines the text of a cell takes, as laid out (its text's line boxes).
LINES = """cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


def test_at_1280_px_the_queue_keeps_channel_and_state_on_one_line(journey, make_published, users):
    """The supervisor's queue has the most columns (办理部门 too) and long item names: at 1280 px
    the 渠道 and 状态 cells and their headers still read on one line each (they wrapped one
    character per line in a workbench capped at a narrow width)."""
    long_name = "食品经营许可（含网络食品交易第三方平台入网食品经营者、中央厨房及集体用餐配送单位）"
    entry = make_published(name=long_name)
    from yiwang.cases import services

    submitted(users, entry)
    services.act(users["demo-clerk"], submitted(users, entry), "accept")

    r = journey()
    page = r.page
    page.set_viewport_size({"width": 1280, "height": 900})
    r.sign_in("demo-supervisor", DEMO_PASSWORD)
    r.goto("/workbench/cases/?tab=all")
    table = page.locator("table.case-table")
    expect(table.locator("thead th", has_text="办理部门")).to_have_count(1)
    expect(table.locator("tbody tr")).to_have_count(2)
    headers = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    for column in ("渠道", "状态"):
        at = headers.index(column)
        assert table.locator("thead th").nth(at).evaluate(LINES) == 1, column
        for cell in table.locator(f"tbody tr > :nth-child({at + 1})").all():
            assert cell.evaluate(LINES) == 1, (column, cell.inner_text())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280  # nothing pushed out sideways
    r.check("supervisor-all-1280")
