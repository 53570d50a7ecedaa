"""Case handling in the browser: a citizen applies online, the clerk asks for a correction (一次性
告知), the citizen corrects, the case is accepted, reviewed, approved, completed and delivered at
the window against the pickup code, and the decision is downloaded as a PDF; autosave across
devices; window intake (一窗受理); bad input; the English UI. axe-clean on every page looked at, in
长辈模式 too for the application and case pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yiwang.cases import drafts

from .people import DEMO_PASSWORD, id_number

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM_MATERIAL = "食品经营许可申请书"
LICENCE = "营业执照"


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


@pytest.fixture
def entry(live_server, make_published):
    """A published entry of 青山市市场监督管理局 (form: 申请人姓名, 店铺名称, 经营面积; materials:
    the application form and the business licence, both uploaded by the applicant)."""
    return make_published()


def signed_in(journey, username: str, **kwargs):
    j = journey(**kwargs)
    j.sign_in(username, DEMO_PASSWORD)
    return j


def named(visible: str, hidden: str) -> re.Pattern:
    """A control's accessible name: its visible text and a visually hidden "：<what>" (Chromium
    puts a space between them, as the hidden span is positioned out of flow)."""
    return re.compile(rf"^{re.escape(visible)}\s*：{re.escape(hidden)}$")


def upload(j, material: str, file_name: str):
    """Choose a file for one material of the checklist and upload it (the case page: it reloads)."""
    page = j.page
    page.get_by_label(re.compile(rf"\s*：{re.escape(material)}$")).set_input_files(pdf(file_name))
    return j.submit(page.get_by_role("button", name=named("上传", material)))


def upload_in_place(j, material: str, file_name: str):
    """Choose a file for one material of the application page: it is uploaded at once, in place
    (application.js), and the live region says so."""
    page = j.page
    page.get_by_label(re.compile(rf"\s*：{re.escape(material)}$")).set_input_files(pdf(file_name))
    expect(page.locator("#upload-status")).to_have_text(f"已上传“{file_name}”：{material}。")


def assert_links_resolve(links) -> None:
    """Every in-page link of a problem list goes to an element of the page."""
    hrefs = links.evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        assert href.startswith("#") and links.page.locator(href).count() == 1, f"{href} goes nowhere"


class HeldAutosaves:
    """Hold the page's autosave requests (portal.js, JSON) until released, and note every other
    POST the page sends meanwhile (a form's submit, an upload)."""

    def __init__(self, page):
        self.page, self.held, self.posts = page, [], []
        page.route("**/save/", self._route)
        page.on("request", self._request)

    @staticmethod
    def _is_autosave(request) -> bool:
        return "application/json" in (request.headers.get("accept") or "")

    def _route(self, route):
        if self._is_autosave(route.request):
            self.held.append(route)
        else:
            route.continue_()

    def _request(self, request):
        if request.method == "POST" and not self._is_autosave(request):
            self.posts.append(request.url)

    def wait_until_held(self) -> None:
        for _ in range(100):
            if self.held:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError("no autosave was sent")

    def release(self) -> None:
        self.page.remove_listener("request", self._request)
        for route in self.held:
            route.continue_()
        self.page.unroute("**/save/", self._route)


def material_item(page, material: str):
    return page.locator("li.case-material").filter(has=page.get_by_role("heading", name=material, exact=True))


def act(j, action: str, **fields):
    """Open one action of the workbench case page, fill it and submit it."""
    page = j.page
    panel = page.locator(f"#action-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for label, value in fields.items():
        panel.get_by_label(label).fill(value)
    return j.submit(panel.locator("button[type=submit]"))


def test_apply_correct_and_deliver(journey, entry):
    from yiwang.cases.models import Case

    # --- The citizen applies from the guide --------------------------------------------------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/items/{entry.code}/")
    c.check("guide")
    c.submit(page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(page).to_have_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("已创建申请草稿")
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")  # prefilled from the profile
    missing = page.locator("#missing-list")
    expect(missing).to_contain_text("店铺名称")
    expect(missing).to_contain_text(FORM_MATERIAL)
    c.check("application-new")

    page.get_by_label("店铺名称").fill("好味道小吃")
    page.get_by_label("经营面积").fill("45")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("窗口领取").check()
    # The upload happens in place: the page stays, nothing typed is lost.
    upload_in_place(c, FORM_MATERIAL, "申请书.pdf")
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃")
    expect(page.get_by_label("经营面积")).to_have_value("45")
    expect(material_item(page, FORM_MATERIAL)).to_contain_text("已上传 1 个文件")
    expect(material_item(page, LICENCE)).to_contain_text("未上传")
    expect(missing).not_to_contain_text(FORM_MATERIAL)
    expect(missing).to_contain_text(LICENCE)
    upload_in_place(c, LICENCE, "营业执照.pdf")
    expect(material_item(page, LICENCE)).to_contain_text("已上传 1 个文件")
    expect(page.locator("#missing-none")).to_be_visible()
    expect(missing).to_be_hidden()
    c.check("application-complete")
    c.toggle_elderly()
    assert c.body_is_elderly()
    # The file choosers grow with the text (the browser's own control keeps 13px otherwise).
    chooser_px = page.get_by_label(named("再上传一个文件", LICENCE)).evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert chooser_px >= c.body_font_px(), f"file chooser {chooser_px}px in 长辈模式"
    c.check("application-elderly")
    c.toggle_elderly()

    c.submit(page.get_by_role("button", name="提交申请"))
    expect(page).to_have_url(re.compile(r"/my/cases/\d+[^/]*/receipt/$"))
    case = Case.objects.get(entry=entry)
    assert case.state == "submitted" and case.number
    expect(page.get_by_role("heading", level=1)).to_have_text("申请回执")
    expect(page.locator(".receipt-table")).to_contain_text(case.number)
    expect(page.locator(".receipt-materials")).to_contain_text("申请书.pdf")
    c.check("receipt")
    with page.expect_navigation():
        page.get_by_role("link", name="查看办理进度").click()
    expect(page.locator(".case-facts")).to_contain_text("待受理")
    c.check("case-submitted")

    # --- The clerk asks for a correction -----------------------------------------------------
    k = signed_in(journey, "demo-clerk")
    kp = k.page
    k.goto("/workbench/cases/")
    row = kp.locator("table.case-table tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("张三")
    expect(row).to_contain_text("网上")
    k.check("queue")
    with kp.expect_navigation():
        row.get_by_role("link", name=case.number).click()
    expect(kp.get_by_role("heading", level=1)).to_have_text(case.title)
    k.check("case-submitted")
    panel = kp.locator("#action-request_correction")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.get_by_label(FORM_MATERIAL, exact=True).check()
    panel.get_by_label(f"“{FORM_MATERIAL}”的补正要求").fill("申请书第2页缺少签名，请签名后重新扫描上传。")
    k.submit(panel.get_by_role("button", name="一次性告知补正"))
    expect(kp.locator(".messages")).to_contain_text("已完成")
    expect(kp.locator("#case-state")).to_contain_text("待补正")
    k.check("case-correction-requested")

    # --- The citizen corrects only that material ---------------------------------------------
    c.goto(f"/my/cases/{case.number}/")
    correction = page.locator("#correction")
    expect(correction).to_contain_text("补正告知（一次性告知）")
    expect(correction).to_contain_text("申请书第2页缺少签名")
    expect(correction.locator("li.case-material")).to_have_count(1)
    expect(correction.locator("li.case-material h3")).to_have_text(FORM_MATERIAL)
    c.check("case-correction")
    c.toggle_elderly()
    c.check("case-correction-elderly")
    c.toggle_elderly()
    upload(c, FORM_MATERIAL, "申请书-签名版.pdf")
    expect(correction).to_contain_text("已上传补正文件")
    c.submit(correction.get_by_role("button", name="提交补正材料"))
    expect(page.locator(".messages")).to_contain_text("补正材料已提交")
    expect(page.locator(".case-facts")).to_contain_text("待受理")
    expect(page.locator("#correction")).to_have_count(0)
    c.check("case-resubmitted")

    # --- Accept, review, approve, complete ---------------------------------------------------
    k.goto(f"/workbench/cases/{case.number}/")
    act(k, "accept")
    expect(kp.locator("#case-state")).to_contain_text("已受理")
    k.check("case-accepted")

    r = signed_in(journey, "demo-reviewer")
    r.goto(f"/workbench/cases/{case.number}/")
    r.check("case-to-review")
    act(r, "pass_step", 意见="材料齐全，符合条件。")
    expect(r.page.locator("#case-state")).to_contain_text("审查中")

    a = signed_in(journey, "demo-approver")
    a.goto(f"/workbench/cases/{case.number}/")
    a.check("case-to-approve")
    act(a, "approve", 意见="准予许可。")
    expect(a.page.locator("#case-state")).to_contain_text("准予")
    act(a, "complete")
    expect(a.page.locator("#case-state")).to_contain_text("已办结")
    a.check("case-completed")

    # --- The pickup code, shown to the citizen, and delivery at the window ------------------
    c.goto(f"/my/cases/{case.number}/")
    code = page.locator(".pickup-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    pickup_code = code.inner_text()
    c.check("case-completed")

    k.goto(f"/workbench/cases/{case.number}/")
    panel = kp.locator("#action-deliver")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.get_by_label("窗口领取").check()
    panel.get_by_label("取件码").fill(f"{(int(pickup_code) + 1) % 10**6:06d}")  # a wrong code
    response = k.submit(panel.get_by_role("button", name="送达"))
    assert response.status == 400
    expect(panel.get_by_label("取件码")).to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".field-error")).to_contain_text("取件码不正确")
    k.check("case-deliver-wrong-code")
    panel.get_by_label("取件码").fill(pickup_code)
    k.submit(panel.get_by_role("button", name="送达"))
    expect(kp.locator("#case-state")).to_contain_text("已送达")
    k.check("case-delivered")

    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator(".case-facts")).to_contain_text("已送达")
    timeline = page.locator("ol.timeline")
    for label in ["提交申请", "一次性告知补正", "提交补正材料", "受理", "审查通过", "准予", "办结", "送达"]:
        expect(timeline).to_contain_text(label)
    # One dot per step: the details listed under a step are not steps of their own.
    dots = timeline.locator("li li").evaluate_all(
        "els => els.filter(e => getComputedStyle(e, '::before').content !== 'none').length"
    )
    assert dots == 0, "details of a step are drawn as steps of the timeline"
    c.check("case-delivered")
    c.toggle_elderly()
    c.check("case-delivered-elderly")

    c.goto("/my/cases/")
    expect(page.locator("table.case-table").filter(has_text=case.number)).to_contain_text("已送达")
    # In 长辈模式 the rows are cards without the column headers: each cell is labelled.
    labels = page.locator("table.case-table td").evaluate_all(
        "els => els.map(e => getComputedStyle(e, '::before').content)"
    )
    assert all(label.startswith('"') for label in labels), labels
    assert any("当前期限" in label for label in labels), labels
    c.check("my-cases-elderly")
    c.toggle_elderly()
    c.check("my-cases")
    from yiwang.core import outbox

    outbox.drain()  # what the worker beside the server does after each change commits
    c.goto("/my/notices/")
    expect(page.locator(".notice-list")).to_contain_text("补正")
    c.check("notices")

    # --- The documents the case produced, made by the worker, downloaded by the citizen -------
    c.goto(f"/my/cases/{case.number}/")
    documents = page.locator("#documents")
    expect(documents).to_contain_text("受理通知书")
    link = documents.get_by_role("link", name="准予许可决定书")
    expect(link).to_be_visible()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    c.check("case-documents")


def start_application(j, entry):
    """From the guide's 申请办理 box to the new draft's application page."""
    j.goto(f"/items/{entry.code}/")
    j.submit(j.page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(j.page).to_have_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    return j.page.url


def test_autosave_keeps_the_draft_across_devices(journey, entry):
    c = signed_in(journey, "demo-citizen")
    page = c.page
    url = start_application(c, entry)
    status = page.get_by_role("status").filter(has_text="上次保存")
    expect(status).to_have_attribute("aria-live", "polite")

    # Leaving a field saves it; the status line (aria-live) says so.
    page.get_by_label("店铺名称").fill("好味道小吃")
    page.get_by_label("经营面积").focus()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^已保存 \d\d:\d\d$"))
    expect(page.locator("#missing-list")).not_to_contain_text("店铺名称")
    c.check("application-autosaved")

    # A value the form refuses is named in the status (未保存 only) and at its field, not saved.
    page.get_by_label("经营面积").fill("很大")
    page.get_by_label("联系电话").focus()
    expect(page.locator("#autosave-status")).to_have_text("未保存：经营面积（平方米）：请输入数字。")
    expect(page.get_by_label("经营面积")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("经营面积")).to_have_accessible_description(re.compile("请输入数字"))
    c.check("application-autosave-invalid")
    page.get_by_label("经营面积").fill("45")
    page.get_by_label("联系电话").focus()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^已保存 \d\d:\d\d$"))
    expect(page.get_by_label("经营面积")).not_to_have_attribute("aria-invalid", "true")

    # An upload (in place) waits for a save still on its way (else the draft would change under it).
    autosaves = HeldAutosaves(page)
    page.get_by_label("店铺名称").fill("好味道小吃（人民路店）")
    page.keyboard.press("Tab")  # leaving the field starts an autosave
    autosaves.wait_until_held()
    page.get_by_label(named("选择文件", FORM_MATERIAL)).set_input_files(pdf("申请书.pdf"))
    page.wait_for_timeout(300)
    assert not autosaves.posts, "the upload left before the autosave on its way was answered"
    autosaves.release()
    expect(page.locator("#upload-status")).to_have_text(f"已上传“申请书.pdf”：{FORM_MATERIAL}。")
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃（人民路店）")

    # Reload: the value is there.
    page.get_by_label("店铺名称").fill("好味道小吃")
    page.keyboard.press("Tab")
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^已保存 \d\d:\d\d$"))
    page.reload()
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃")
    expect(page.get_by_label("经营面积")).to_have_value("45")

    # Another device: a new browser signed in as the same user finds the draft in 我的办件.
    d = signed_in(journey, "demo-citizen")
    d.goto("/my/cases/")
    drafts_section = d.page.locator("section").filter(has=d.page.get_by_role("heading", name="未提交的草稿"))
    d.check("my-cases-draft")
    with d.page.expect_navigation():
        drafts_section.get_by_role("link", name=re.compile("^继续填写")).click()
    assert d.page.url == url
    expect(d.page.get_by_label("店铺名称")).to_have_value("好味道小吃")
    expect(d.page.get_by_label("经营面积")).to_have_value("45")
    expect(material_item(d.page, FORM_MATERIAL)).to_contain_text("已上传 1 个文件")


def test_window_intake(journey, entry):
    from yiwang.cases.models import Case

    k = signed_in(journey, "demo-clerk")
    page = k.page
    k.goto("/workbench/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name="窗口收件（一窗受理）").click()
    k.check("intake-search")
    page.get_by_label("事项名称或实施编码").fill(entry.code)
    k.submit(page.get_by_role("button", name="查找"))
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^选择")).click()
    expect(page.locator("main")).to_contain_text(entry.code)
    k.check("intake-applicant")

    number = id_number("150102", "19800101", "456")
    page.get_by_label("自然人").check()
    page.get_by_label("申请人姓名或单位名称").fill("李四")
    page.get_by_label("居民身份证号码").fill(number)
    page.get_by_label("联系电话").fill("13800001111")
    k.submit(page.get_by_role("button", name="下一步：填写申请"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("窗口收件")
    expect(page.locator("main")).to_contain_text("李四")
    k.check("intake-form")

    # Submitted too early: each problem at its field, the summary counts them, nothing typed lost.
    page.get_by_label("店铺名称").fill("李记面馆")
    response = k.submit(page.get_by_role("button", name="提交并受理"))
    assert response.status == 400
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("需要修改")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    for text in ["经营面积", FORM_MATERIAL, LICENCE]:
        expect(links.filter(has_text=text)).to_have_count(1)
    assert_links_resolve(links)
    expect(page.get_by_label("店铺名称")).to_have_value("李记面馆")
    area = page.get_by_label("经营面积")
    expect(area).to_have_attribute("aria-invalid", "true")
    border = "e => getComputedStyle(e).borderTopColor"
    assert area.evaluate(border) != page.get_by_label("店铺名称").evaluate(border), "no red border"
    expect(page.locator(".file-slot.field-invalid")).to_have_count(2)
    links.filter(has_text="经营面积").click()
    expect(area).to_be_focused()
    k.check("intake-problems")

    page.get_by_label("申请人姓名").fill("李四")
    page.get_by_label("店铺名称").fill("李记面馆")
    page.get_by_label("经营面积").fill("30")
    page.get_by_label(named("上传扫描件", FORM_MATERIAL)).set_input_files(pdf("申请书扫描件.pdf"))
    page.get_by_label(named("上传扫描件", LICENCE)).set_input_files(pdf("营业执照扫描件.pdf"))
    page.get_by_label("窗口领取").check()
    k.submit(page.get_by_role("button", name="提交并受理"))
    expect(page.get_by_role("heading", level=1)).to_have_text("收件完成")
    case = Case.objects.get(entry=entry)
    assert case.channel == "window" and case.state == "accepted" and case.materials.count() == 2
    expect(page.locator("#case-number")).to_have_text(case.number)
    k.check("intake-done")

    k.goto("/workbench/cases/?tab=all")
    row = page.locator("table.case-table tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("李四")
    expect(row).to_contain_text("窗口")
    k.goto("/workbench/cases/?tab=all&channel=window")
    expect(page.locator("table.case-table tbody tr").filter(has_text=case.number)).to_have_count(1)
    k.check("queue-window")


def test_bad_input_is_named_and_nothing_is_lost(journey, entry):
    c = signed_in(journey, "demo-citizen")
    page = c.page
    start_application(c, entry)
    # Leaving a field starts an autosave; 提交申请 waits for it, or the draft would have changed
    # under the submission ("已在其他地方更新").
    autosaves = HeldAutosaves(page)
    page.get_by_label("申请人姓名").fill("")
    page.get_by_label("经营面积").fill("很大")
    page.get_by_label("联系电话").fill("123")
    page.get_by_role("button", name="提交申请").click()
    autosaves.wait_until_held()
    page.wait_for_timeout(300)
    assert not autosaves.posts, "提交申请 left before the autosave on its way was answered"
    with page.expect_navigation() as navigation:
        autosaves.release()
    response = navigation.value
    assert response.status == 400

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_contain_text("还不能提交")
    links = summary.get_by_role("link")
    for text in ["申请人姓名", "店铺名称", "经营面积", "联系电话", FORM_MATERIAL, LICENCE]:
        expect(links.filter(has_text=text)).to_have_count(1)
    assert_links_resolve(links)
    # Nothing typed is lost, even what was refused.
    expect(page.get_by_label("经营面积")).to_have_value("很大")
    expect(page.get_by_label("联系电话")).to_have_value("123")
    # Each problem is next to its field and the field says it is invalid.
    for label in ["申请人姓名", "店铺名称", "经营面积", "联系电话"]:
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    c.check("application-problems")

    # Each link takes the keyboard to its field (or to the material's upload).
    for text, target in [
        ("经营面积", page.get_by_label("经营面积")),
        ("联系电话", page.get_by_label("联系电话")),
    ]:
        links.filter(has_text=text).click()
        expect(target).to_be_focused()
    links.filter(has_text=LICENCE).click()
    expect(material_item(page, LICENCE)).to_be_focused()  # its name, state and upload
    page.keyboard.press("Tab")
    expect(page.get_by_label(named("选择文件", LICENCE))).to_be_focused()

    # The right values, then a file of the wrong type: a clear message at that material.
    page.get_by_label("申请人姓名").fill("张三")
    page.get_by_label("店铺名称").fill("好味道小吃")
    page.get_by_label("经营面积").fill("45")
    page.get_by_label("联系电话").fill("13912345678")
    # (Uploaded in place: the page stays; the server's refusal is a 400 shown at the field.)
    page.get_by_label(named("选择文件", FORM_MATERIAL)).set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00not a pdf at all"}
    )
    # The live region names the material the file was for.
    expect(page.locator("#upload-status")).to_have_text(
        re.compile(f"^{FORM_MATERIAL}：文件内容不是允许的格式")
    )
    file_input = page.get_by_label(named("选择文件", FORM_MATERIAL))
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_accessible_description(re.compile("文件内容不是允许的格式"))
    expect(material_item(page, FORM_MATERIAL).locator(".field-error")).to_contain_text(
        "文件内容不是允许的格式"
    )
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃")  # the page stayed
    expect(page.get_by_label("联系电话")).to_have_value("13912345678")
    c.check("application-wrong-file")

    # The same for a supplementary material (其他补充材料): the link goes to its file chooser.
    page.get_by_label("材料名称").fill("店铺照片")
    page.locator("#upload-extra").set_input_files(
        {"name": "照片.png", "mimeType": "image/png", "buffer": b"GIF89a not a png"}
    )
    page.locator("#extra-materials").get_by_role("button", name="上传").click()
    expect(page.locator("#upload-extra")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#upload-extra")).to_have_accessible_description(re.compile("文件内容不是允许的格式"))
    expect(page.get_by_label("材料名称")).to_have_value("店铺照片")  # kept for the next try
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃")
    c.check("application-wrong-extra-file")


def test_case_page_in_english(journey, entry, users):
    """The translations are being completed: check structure and status, not English wording."""
    from catalog.guide_samples import PDF as SAMPLE_PDF

    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45})
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, SAMPLE_PDF, f"{item.material.name}.pdf")
    drafts.submit(citizen, case)

    e = journey(locale="en")
    page = e.page
    e.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#id_username").fill("demo-citizen")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    e.submit(page.locator("main button[type=submit]"))
    for path in (f"/my/cases/{case.number}/", f"/my/cases/{case.number}/receipt/", "/my/cases/"):
        response = e.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        expect(page.locator("main")).to_contain_text(case.number)
        e.check(path.strip("/").replace("/", "-"))
    expect(page.locator("main table")).to_have_count(1)  # submitted cases (no drafts table)


def test_withdraw_a_case_and_discard_a_draft(journey, entry, users):
    """The applicant withdraws a submitted case (after confirming) and throws a draft away."""
    from catalog.guide_samples import PDF as SAMPLE_PDF

    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45})
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, SAMPLE_PDF, f"{item.material.name}.pdf")
    drafts.submit(citizen, case)
    draft = drafts.start_application(citizen, entry)

    j = signed_in(journey, "demo-citizen")
    page = j.page
    j.goto(f"/my/cases/{case.number}/")
    j.submit(page.get_by_role("link", name=re.compile("撤回申请")).first)
    j.check("withdraw-confirm")
    j.submit(page.get_by_role("button", name="确认撤回"))  # not confirmed yet: named, nothing done
    expect(page.locator("#error-summary")).to_contain_text("我确认撤回这项申请")
    page.get_by_label("撤回原因（可不填）").fill("已在窗口办理")
    page.get_by_label("我确认撤回这项申请").check()
    j.submit(page.get_by_role("button", name="确认撤回"))
    expect(page.locator("main")).to_contain_text("已撤回")
    expect(page.locator(".timeline")).to_contain_text("撤回申请")

    j.goto("/my/cases/")
    j.submit(page.get_by_role("link", name=named("删除草稿", entry.name)))
    expect(page.get_by_role("heading", level=1)).to_have_text("删除草稿")  # it asks first
    j.check("discard-confirm")
    j.submit(page.get_by_role("button", name="确认删除草稿"))
    expect(page.locator("main")).to_contain_text("草稿已删除")
    expect(page.locator(f"a[href*='{draft.draft_key}']")).to_have_count(0)
    j.check("cases-after-discard")
