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
