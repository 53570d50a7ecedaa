"""好差评 in the browser: after acceptance the applicant is invited to rate (never forced); the
rating page names a missing level and keeps the comment, offers only the chosen level's tags; a
非常不满意 opens the department's 差评整改 loop, which the approver takes step by step (核实,
整改或说明, 答复申请人) with the applicant's name masked; the applicant sees the answer and rates the
rectification once; the supervisor sees the open 差评 on the board and issues a 督办; the approver's
回访 closes the loop; the supervisor sees the figures; signed
out, 好差评公开 shows the department's 差评 and rectification rate and no personal information. At
the counter, the window clerk hands the rating device to the applicant. axe-clean on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yiwang.cases import services

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

COMMENT = "窗口两名工作人员说法不一，跑了三次"
ANSWER = "您反映的问题属实，已统一一次性告知口径并培训窗口人员，感谢监督。"
BAD_TAGS = ["多次跑腿", "材料重复提交", "办理慢", "指南不清楚", "态度不好", "系统难用", "超时未办结"]
GOOD_TAGS = ["一次办成", "材料简单", "办理快", "指南清楚", "服务热情", "不用跑腿"]
HUNDRED = re.compile(r"^\s*100(\.0)?%\s*$")  # rates are rounded to one decimal: 100.0%


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


@pytest.fixture
def accepted(submitted, users):
    """A case of demo-citizen (张三), accepted by the window clerk: its 受理环节 may be rated."""
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    return case


GROUPS = {"满意的地方": "4 5", "可以更好的地方": "3", "不满意的地方": "1 2"}


def tag_group(page, legend: str):
    """The group of tags with that legend (its levels told apart: 满意的地方 is in 不满意的地方)."""
    group = page.locator(f'fieldset.tag-group[data-levels="{GROUPS[legend]}"]')
    expect(group.locator("legend")).to_contain_text(legend)
    return group


def assert_large_targets(levels) -> None:
    """Each level is a large target for elderly users: the whole tile (its label) is clickable."""
    labels = levels.locator("label")
    expect(labels).to_have_count(5)
    for i in range(5):
        box = labels.nth(i).bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 200, f"level {i} is a small target: {box}"


def fact(page, term: str):
    """The <dd> after the <dt> of that term, in the page's main content."""
    return page.locator("main dt", has_text=term).first.locator("xpath=following-sibling::dd[1]")


def test_bad_rating_loop_from_the_applicant_to_the_public_page(journey, accepted, deliver_outbox):
    from yiwang.ratings.models import FollowUp

    case = accepted

    # --- The applicant is invited to rate the acceptance ------------------------------------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    panel = page.locator("#rating")
    expect(panel.get_by_role("heading", name="好差评")).to_be_visible()
    expect(panel).to_contain_text("受理环节")
    expect(panel).to_contain_text("不影响办理")
    c.check("case-rating-prompt")
    with page.expect_navigation():
        panel.get_by_role("link", name=re.compile(r"^去评价")).click()
    expect(page).to_have_url(re.compile(rf"/my/cases/{re.escape(case.number)}/rate/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("评价本次服务")
    levels = page.locator("#field-level")
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        expect(levels.get_by_label(label, exact=True)).to_be_visible()
    assert_large_targets(levels)
    # 总体评价 is asked once: the optional indicators do not repeat it.
    expect(page.get_by_label("总体评价", exact=True)).to_have_count(0)
    expect(page.get_by_role("group", name=re.compile("^总体评价"))).to_have_count(1)
    # Before a level is chosen every group of tags is offered.
    expect(tag_group(page, "满意的地方")).to_be_visible()
    expect(tag_group(page, "不满意的地方")).to_be_visible()
    c.check("rate-blank")

    # --- Submitted without a level: named in the summary and by the field, comment kept -------
    page.get_by_label(re.compile("^评价内容")).fill(COMMENT)
    response = c.submit(page.get_by_role("button", name="提交评价"))
    assert response.status == 400
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("请先处理以下问题")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_text("总体评价：此项为必填项。")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#field-level")
    expect(page.locator("#level-error")).to_contain_text("此项为必填项")
    expect(page.get_by_label(re.compile("^评价内容"))).to_have_value(COMMENT)
    c.check("rate-missing-level")

    # --- 非常不满意: only the tags of what went wrong are offered ------------------------------
    levels.get_by_label("非常不满意", exact=True).check()
    bad = tag_group(page, "不满意的地方")
    expect(bad).to_be_visible()
    expect(tag_group(page, "满意的地方")).to_be_hidden()
    expect(tag_group(page, "可以更好的地方")).to_be_hidden()
    for tag in BAD_TAGS:
        expect(bad.get_by_label(tag, exact=True)).to_be_visible()
    for tag in GOOD_TAGS:
        expect(page.get_by_label(tag, exact=True)).to_be_hidden()
    c.check("rate-very-dissatisfied")
    bad.get_by_label("多次跑腿", exact=True).check()
    page.get_by_label(re.compile("^评价内容")).fill(COMMENT)
    c.submit(page.get_by_role("button", name="提交评价"))
    expect(page).to_have_url(re.compile(rf"/my/cases/{re.escape(case.number)}/#rating$"))
    expect(page.locator(".messages")).to_contain_text("您的意见已转给办理部门整改")
    panel = page.locator("#rating")
    expect(panel).to_contain_text("您的评价")
    expect(panel.locator(".tag")).to_have_text("非常不满意")
    expect(panel).to_contain_text(COMMENT)
    expect(panel.get_by_role("link", name=re.compile(r"^去评价"))).to_have_count(0)
    c.check("case-rated")
    follow_up = FollowUp.objects.get()

    # --- The approver of the department takes the loop's steps --------------------------------
    deliver_outbox()
    a = signed_in(journey, "demo-approver")
    ap = a.page
    a.goto("/workbench/")
    expect(ap.locator("#tile-follow-ups")).to_have_text("1")
    a.check("workbench-home")
    with ap.expect_navigation():
        ap.get_by_role("link", name="差评整改待办").click()
    todo = ap.locator("#follow-ups")
    row = todo.locator("tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("非常不满意")
    expect(row).to_contain_text("核实")
    a.check("ratings-board")
    with ap.expect_navigation():
        row.get_by_role("link").first.click()
    expect(ap).to_have_url(re.compile(rf"/workbench/ratings/follow-ups/{follow_up.pk}/$"))
    expect(ap.get_by_role("heading", level=1)).to_contain_text("差评整改")
    expect(fact(ap, "评价内容")).to_have_text(COMMENT)
    expect(fact(ap, "标签")).to_have_text("多次跑腿")
    expect(fact(ap, "申请人")).to_contain_text("张*")
    expect(ap.locator("main")).not_to_contain_text("张三")
    expect(ap.locator("#follow-up-state")).to_have_text("待核实")
    a.check("follow-up-verify")

    step = ap.locator("section[aria-labelledby=step-title]")
    expect(step.get_by_role("heading", level=2)).to_have_text("办理：核实")
    # Submitted half-filled: each problem is named by its field, and what was chosen is kept.
    step.get_by_label("联系申请人的方式").select_option(label="电话")
    response = a.submit(step.get_by_role("button", name="提交"))
    assert response.status == 400
    problems = ap.locator("#error-summary").get_by_role("link")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("核实结果：")
    expect(problems.nth(1)).to_have_text("核实情况：此项为必填项。")
    expect(step.get_by_label("核实结果")).to_have_attribute("aria-invalid", "true")
    expect(step.get_by_label("联系申请人的方式")).to_have_value("phone")
    expect(ap.locator("#follow-up-state")).to_have_text("待核实")
    a.check("follow-up-verify-errors")
    step.get_by_label("核实结果").select_option(label="属实")
    step.get_by_label("核实情况").fill("电话联系申请人核实，两名工作人员口径不一")
    a.submit(step.get_by_role("button", name="提交"))
    expect(ap.locator(".messages")).to_contain_text("已办理：核实")
    expect(ap.locator("#follow-up-state")).to_have_text("待整改")
    expect(ap.locator("main")).to_contain_text("两名工作人员口径不一")
    a.check("follow-up-rectify")

    expect(step.get_by_role("heading", level=2)).to_have_text("办理：整改或说明")
    step.get_by_label("整改或说明", exact=True).select_option(label="已整改")
    step.get_by_label("整改措施或情况说明").fill("统一一次性告知口径，培训窗口人员")
    a.submit(step.get_by_role("button", name="提交"))
    expect(ap.locator(".messages")).to_contain_text("已办理：整改或说明")
    expect(ap.locator("#follow-up-state")).to_have_text("待答复")
    a.check("follow-up-answer")

    expect(step.get_by_role("heading", level=2)).to_have_text("办理：答复申请人")
    step.get_by_label("给申请人的答复（申请人可见）").fill(ANSWER)
    a.submit(step.get_by_role("button", name="提交"))
    expect(ap.locator(".messages")).to_contain_text("已办理：答复申请人")
    expect(ap.locator("#follow-up-state")).to_have_text("待回访")
    a.check("follow-up-return-visit")

    # --- The applicant reads the answer and rates the rectification once ----------------------
    deliver_outbox()
    c.goto(f"/my/cases/{case.number}/")
    panel = page.locator("#rating")
    expect(panel).to_contain_text("部门答复")
    expect(panel).to_contain_text(ANSWER)
    form = panel.locator("form")
    expect(form.get_by_role("group", name=re.compile("您对整改结果满意吗？"))).to_be_visible()
    c.check("case-answered")
    form.get_by_label("基本满意", exact=True).check()
    c.submit(form.get_by_role("button", name="提交整改评价"))
    expect(page.locator(".messages")).to_contain_text("感谢您对整改结果的评价")
    panel = page.locator("#rating")
    expect(panel).to_contain_text("您对整改结果的评价：基本满意")
    expect(panel.locator("form")).to_have_count(0)
    c.check("case-rectification-rated")

    # --- The supervisor sees the open 差评 on the board and orders the department to act -------
    s = signed_in(journey, "demo-supervisor")
    sp = s.page
    s.goto("/workbench/ratings/")
    board = sp.locator("#follow-ups")
    expect(board).to_contain_text(case.number)
    expect(board).to_contain_text("回访")
    s.check("supervisor-board-open")
    with sp.expect_navigation():
        board.get_by_role("link", name=case.title).click()
    expect(sp.locator("#follow-up-state")).to_have_text("待回访")
    expect(sp.locator("section[aria-labelledby=step-title]")).to_have_count(0)  # not theirs to take
    order_form = sp.locator("section[aria-labelledby=order-title]")
    order_form.get_by_label("督办要求").fill("请今日内完成回访，并报告整改落实情况。")
    s.check("supervisor-follow-up-order")
    s.submit(order_form.get_by_role("button", name="发出督办"))
    expect(sp.locator(".messages")).to_contain_text("已发出督办")
    expect(sp.locator("#order-state")).to_have_text("待办理")
    s.check("supervisor-order-issued")

    # --- The approver's return visit closes the loop --------------------------------------
    a.goto(f"/workbench/ratings/follow-ups/{follow_up.pk}/")
    expect(fact(ap, "申请人对整改的评价")).to_contain_text("基本满意")
    expect(step.get_by_role("heading", level=2)).to_have_text("办理：回访")
    step.get_by_label("回访方式").select_option(label="电话")
    step.get_by_label("回访情况（申请人的意见）").fill("申请人认可整改结果")
    a.submit(step.get_by_role("button", name="提交"))
    expect(ap.locator(".messages")).to_contain_text("已办理：回访")
    expect(ap.locator("#follow-up-state")).to_have_text("已办结")
    expect(ap.locator("section[aria-labelledby=step-title]")).to_have_count(0)
    a.check("follow-up-closed")
    a.goto("/workbench/ratings/")
    expect(ap.locator("#follow-ups")).to_contain_text("没有待整改的差评")

    # --- The supervisor sees the figures ----------------------------------------------------
    s.goto("/workbench/ratings/")
    expect(sp.locator("#figure-total")).to_have_text("1")
    figures = sp.locator("section[aria-labelledby=figures-title]")
    expect(fact(sp, "差评整改率")).to_have_text(HUNDRED)
    expect(figures.locator("tbody tr").first).to_contain_text("非常不满意")
    s.check("supervisor-ratings")

    # --- Signed out: 好差评公开 without the case or the applicant -------------------------------
    v = journey()
    vp = v.page
    v.goto("/")
    with vp.expect_navigation():
        vp.locator("footer").get_by_role("link", name="好差评公开").click()
    expect(vp.get_by_role("heading", level=1)).to_have_text("好差评公开")
    dept = vp.locator("section[aria-labelledby=by-dept-title] tbody tr").filter(
        has=vp.locator("th", has_text=case.department.name)
    )
    expect(dept).to_have_count(1)
    cells = dept.locator("td")
    expect(cells.nth(0)).to_have_text("1")  # 评价数
    expect(cells.nth(2)).to_have_text("1")  # 差评
    expect(cells.nth(3)).to_have_text(HUNDRED)  # 整改率
    expect(vp.locator("section[aria-labelledby=bad-title]")).to_contain_text("已办结")
    main = vp.locator("main")
    expect(main).not_to_contain_text(case.number)
    expect(main).not_to_contain_text("张三")
    expect(main).not_to_contain_text(COMMENT)
    v.check("public-disclosure")


def test_window_rating_device(journey, accepted):
    from yiwang.ratings.models import Rating

    case = accepted
    k = signed_in(journey, "demo-clerk")
    kp = k.page
    k.goto(f"/workbench/cases/{case.number}/")
    expect(kp.get_by_role("link", name="代录电话或短信评价")).to_be_visible()
    k.check("case-rating-links")
    with kp.expect_navigation():
        kp.get_by_role("link", name="请申请人评价（评价器）").click()
    expect(kp.get_by_role("heading", level=1)).to_have_text("请您评价本次服务")
    levels = kp.locator("#field-level")
    assert_large_targets(levels)
    expect(kp.get_by_label("总体评价", exact=True)).to_have_count(0)  # asked once, by the levels
    k.check("device-blank")
    # The applicant taps anywhere on the tile.
    levels.locator("label").filter(has_text=re.compile(r"^满意$")).click(position={"x": 150, "y": 20})
    expect(levels.get_by_label("满意", exact=True)).to_be_checked()
    expect(tag_group(kp, "满意的地方")).to_be_visible()
    expect(tag_group(kp, "不满意的地方")).to_be_hidden()
    kp.get_by_label("服务态度").select_option(label="非常满意")
    k.check("device-filled")
    k.submit(kp.get_by_role("button", name="提交评价"))
    expect(kp).to_have_url(re.compile(rf"/workbench/cases/{re.escape(case.number)}/$"))
    expect(kp.locator(".messages")).to_contain_text("评价已记录")
    expect(kp.get_by_role("link", name="请申请人评价（评价器）")).to_have_count(0)
    expect(kp.get_by_role("link", name="代录电话或短信评价")).to_have_count(0)
    k.check("case-rated-at-window")
    rating = Rating.objects.get()
    assert rating.level == 4 and rating.channel == "window"
    assert rating.indicators.get("attitude") == 5
