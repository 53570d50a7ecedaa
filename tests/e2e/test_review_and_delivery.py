"""Review steps and delivery in the browser: the approver returns a case to the review step, the
reviewer proposes refusal, the approver refuses with a remedy that names neither 行政复议 nor 行政诉讼
and the applicant is told of both anyway, with the 不予许可决定书 to download; an entry for 法人
only, seen by a natural person, by their enterprise's agent and by the enterprise; express delivery
(交寄, in transit, signed for), electronic delivery, and window pickup against the pickup code.
axe-clean on every page looked at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yiwang.cases import drafts
from yiwang.core import outbox

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FORM_DATA = {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45}
ENTERPRISE = "青山市好味道餐饮有限公司"  # demo-enterprise; demo-citizen (张三) is its agent
ADDRESS = "青山市昆都仑区钢铁大街 88 号"


@pytest.fixture
def entry(make_published):
    """A published entry of 青山市市场监督管理局 (review steps 审查 by the reviewer, 决定 by the
    approver) that may be delivered by express as well."""
    return make_published(express_delivery=True)


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


def open_action(j, action: str):
    """The panel of one action on the workbench case page, opened."""
    panel = j.page.locator(f"#action-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


def act(j, action: str, **fields):
    """Open one action of the workbench case page, fill it and submit it."""
    panel = open_action(j, action)
    for label, value in fields.items():
        panel.get_by_label(label).fill(value)
    return j.submit(panel.locator("button[type=submit]"))


def applied(users, entry, *, delivery: str = "pickup", username: str = "demo-citizen"):
    """A case the applicant submitted with every material and the given delivery method."""
    from catalog.guide_samples import PDF

    applicant = users[username]
    case = drafts.start_application(applicant, entry)
    drafts.save_form(applicant, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(applicant, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    if delivery == "express":
        drafts.set_delivery(
            applicant, case, "express", recipient="张三", phone="13800138000", address=ADDRESS
        )
    else:
        drafts.set_delivery(applicant, case, delivery)
    return drafts.submit(applicant, case)


def advanced(users, case, *steps: tuple[str, str, dict]):
    """Take the given (username, action, payload) steps on the case, as the services do."""
    from yiwang.cases import services
    from yiwang.cases.models import Case

    for username, action, payload in steps:
        case = services.act(users[username], Case.objects.get(pk=case.pk), action, payload)
    return Case.objects.get(pk=case.pk)


ACCEPT = ("demo-clerk", "accept", {})
PASS_REVIEW = ("demo-reviewer", "pass_step", {"opinion": "材料齐全，符合条件。"})
APPROVE = ("demo-approver", "approve", {"opinion": "准予许可。"})
COMPLETE = ("demo-approver", "complete", {})


def assert_pdf_download(j, link) -> None:
    """The link downloads a PDF: the browser saves a file that starts %PDF-, and the answer to the
    same address says application/pdf."""
    page = j.page
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    with open(download.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-", "the downloaded file is not a PDF"
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


# --- Review steps: returned, proposed for refusal, refused with the statutory remedy ---------------


def test_return_step_propose_refusal_and_refuse(journey, entry, users):
    from yiwang.cases.models import Case

    case = advanced(users, applied(users, entry), ACCEPT, PASS_REVIEW)
    assert case.state == "under_review" and case.review_step == 1

    # --- The approver sends it back to the review step, with the reasons -------------------------
    a = signed_in(journey, "demo-approver")
    ap = a.page
    a.goto(f"/workbench/cases/{case.number}/")
    expect(ap.locator("#case-step")).to_contain_text("决定")
    expect(ap.locator("#action-return_step summary")).to_have_text("退回上一环节")
    a.check("approver-case-under-review")
    act(a, "return_step", 理由="经营场所平面图与营业执照地址不一致，请重新审查。")
    expect(ap.locator(".messages")).to_contain_text("已完成“退回上一环节”")
    expect(ap.locator("#case-state")).to_contain_text("审查中")
    expect(ap.locator("#case-step")).to_contain_text("审查（")
    # The decision is no longer the approver's to take: the case is at the review step.
    expect(ap.locator("#action-approve")).to_have_count(0)
    expect(ap.locator("#action-refuse")).to_have_count(0)
    a.check("approver-case-returned")

    # --- The reviewer finds it back in the to-do list, with the reasons ---------------------------
    r = signed_in(journey, "demo-reviewer")
    rp = r.page
    r.goto("/workbench/cases/")
    row = rp.locator("table.case-table tbody tr").filter(has_text=case.number)
    expect(row).to_be_visible()
    r.check("reviewer-queue-returned")
    with rp.expect_navigation():
        row.get_by_role("link", name=case.number).click()
    expect(rp.locator("#case-step")).to_contain_text("审查（")
    trace = rp.locator("#trace")
    expect(trace).to_contain_text("退回上一环节")
    expect(trace).to_contain_text("经营场所平面图与营业执照地址不一致")
    expect(rp.locator("#action-pass_step")).to_have_count(1)
    expect(rp.locator("#action-propose_refusal summary")).to_have_text("提出不予许可意见")
    r.check("reviewer-case-returned")

    # --- The reviewer proposes refusal; the decision goes to the approver -------------------------
    act(r, "propose_refusal", 理由="经营场所紧邻污染源，不符合食品经营场所条件，建议不予许可。")
    expect(rp.locator(".messages")).to_contain_text("已完成“提出不予许可意见”")
    expect(rp.locator("#case-step")).to_contain_text("决定")
    expect(rp.locator("#action-propose_refusal")).to_have_count(0)
    expect(rp.locator("#action-pass_step")).to_have_count(0)
    r.check("reviewer-refusal-proposed")

    # --- The approver refuses with a remedy naming neither 复议 nor 诉讼 -------------------------
    a.goto(f"/workbench/cases/{case.number}/")
    trace = ap.locator("#trace")
    expect(trace).to_contain_text("提出不予许可意见")
    expect(trace).to_contain_text("经营场所紧邻污染源")
    panel = open_action(a, "refuse")
    remedy_field = panel.get_by_label("救济途径")
    expect(remedy_field).to_have_value(re.compile("行政复议"))  # the statutory text, offered
    a.check("approver-refusal-proposed")
    remedy = "如有疑问，可向本机关政策法规科咨询。"
    panel.get_by_label("理由").fill("经营场所紧邻污染源，不符合《食品经营许可管理办法》规定的条件。")
    remedy_field.fill(remedy)
    a.submit(panel.get_by_role("button", name="不予许可"))
    expect(ap.locator(".messages")).to_contain_text("已完成“不予许可”")
    expect(ap.locator("#case-state")).to_contain_text("不予许可")
    summary = ap.locator(".panel").filter(has=ap.get_by_role("heading", name="办件概况"))
    expect(summary).to_contain_text(remedy)
    expect(summary).to_contain_text("行政复议")
    a.check("approver-refused")
    refused = Case.objects.get(pk=case.pk)
    assert refused.state == "refused"
    assert remedy in refused.remedy and "行政复议" in refused.remedy and "行政诉讼" in refused.remedy

    # --- The applicant is told the reasons and both remedies; the decision is a PDF --------------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator(".case-facts")).to_contain_text("不予许可")
    decision = page.locator("section.decision")
    expect(decision).to_contain_text("经营场所紧邻污染源")
    expect(decision).to_contain_text(remedy)
    expect(decision).to_contain_text(re.compile(r"六十日内.*申请\s*行政复议"))
    expect(decision).to_contain_text(re.compile(r"六个月内.*提起\s*行政诉讼"))
    expect(page.locator("#documents-pending")).to_be_visible()  # the worker has not run yet
    c.check("applicant-refused-document-pending")

    outbox.drain()  # what the worker beside the server does after each change commits
    c.goto(f"/my/cases/{case.number}/")
    documents = page.locator("#documents")
    link = documents.get_by_role("link", name="不予许可决定书")
    expect(link).to_be_visible()
    expect(page.locator("#documents-pending")).to_have_count(0)
    c.check("applicant-refused-document")
    assert_pdf_download(c, link)


# --- An entry for 法人 only -----------------------------------------------------------------------


def test_enterprise_only_entry(journey, make_published):
    from yiwang.cases.models import Case

    entry = make_published(audience="enterprise")
    guide = f"/items/{entry.code}/"

    # A natural person who acts for no enterprise applies from the guide before signing in: the
    # start page they land on says why they cannot, and offers nothing to start.
    p = journey()
    page = p.page
    p.goto(guide)
    expect(page.locator("#conditions")).to_contain_text("法人")
    p.submit(page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    p.sign_in("demo-citizen2", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/my/cases/new/{entry.code}/$"))
    expect(page.locator("main")).to_contain_text("仅限法人（单位）申请")
    expect(page.get_by_label(re.compile("^本人"))).to_have_count(0)
    expect(page.get_by_role("button", name="开始填写")).to_have_count(0)
    p.check("start-person")
    # Back at the guide, signed in: the apply box says why, with no 本人 and no button.
    p.goto(guide)
    apply_box = page.locator("#apply")
    expect(apply_box.locator("#apply-enterprise-only")).to_contain_text("仅限法人（单位）申请")
    expect(apply_box.get_by_label("本人")).to_have_count(0)
    expect(apply_box.get_by_role("button", name="申请办理")).to_have_count(0)
    p.check("guide-person")
    assert not Case.objects.filter(entry=entry).exists()

    # A natural person who is an enterprise's agent: only the enterprise, chosen for them.
    a = signed_in(journey, "demo-citizen")
    page = a.page
    a.goto(guide)
    apply_box = page.locator("#apply")
    expect(apply_box).to_contain_text("该事项仅限法人（单位）申请")
    expect(apply_box.get_by_label("本人")).to_have_count(0)
    expect(apply_box.get_by_label(f"代办企业：{ENTERPRISE}")).to_be_checked()
    a.check("guide-agent")
    a.goto(f"/my/cases/new/{entry.code}/")
    expect(page.get_by_label(re.compile("^本人"))).to_have_count(0)
    expect(page.get_by_label(f"代办企业：{ENTERPRISE}")).to_be_checked()
    expect(page.locator("main")).to_contain_text("该事项仅限法人（单位）申请")
    a.check("start-agent")
    a.goto(guide)
    a.submit(page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(page).to_have_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("已创建申请草稿")
    case = Case.objects.get(entry=entry, applicant_enterprise__isnull=False)
    assert case.applicant_enterprise.name == ENTERPRISE and case.agent is not None
    a.check("application-agent")

    # The enterprise itself applies from the guide.
    e = signed_in(journey, "demo-enterprise")
    page = e.page
    e.goto(guide)
    expect(page.locator("#apply-enterprise-only")).to_have_count(0)
    e.check("guide-enterprise")
    e.submit(page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(page).to_have_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("已创建申请草稿")
    e.check("application-enterprise")
    assert Case.objects.filter(entry=entry, applicant_enterprise__name=ENTERPRISE).count() == 2


# --- Delivery ------------------------------------------------------------------------------------


def test_express_delivery_in_transit_then_signed_for(journey, entry, users):
    from yiwang.cases.models import Case

    case = advanced(users, applied(users, entry, delivery="express"), ACCEPT, PASS_REVIEW, APPROVE)

    # --- The window completes the case and hands the result to the carrier -----------------------
    k = signed_in(journey, "demo-clerk")
    kp = k.page
    k.goto(f"/workbench/cases/{case.number}/")
    act(k, "complete")
    expect(kp.locator("#case-state")).to_contain_text("已办结")
    expect(kp.locator("#delivery-state")).to_contain_text("待寄出")
    panel = open_action(k, "deliver")
    expect(panel.get_by_label("快递邮寄")).to_be_checked()
    expect(panel.get_by_label("收件地址")).to_have_value(ADDRESS)
    k.check("clerk-completed-express")
    k.submit(panel.get_by_role("button", name="送达"))
    # Handed to the carrier, not delivered: the message and the page say so.
    expect(kp.locator(".messages")).to_contain_text("办理结果已交寄")
    expect(kp.locator(".messages")).to_contain_text("快递签收后即为送达")
    expect(kp.locator(".messages")).not_to_contain_text("已完成")
    expect(kp.locator("#case-state")).to_contain_text("已办结")
    expect(kp.locator("#delivery-state")).to_contain_text("正在向快递公司下单")
    outbox.drain()  # the worker books the parcel with the carrier after the dispatch committed
    kp.reload()
    expect(kp.locator("#delivery-state")).to_contain_text("寄递中")
    delivery_section = kp.locator("#delivery")
    expect(delivery_section).to_contain_text(re.compile(r"运单号\s*本地寄递 YW\d{14}"))
    expect(kp.locator("#action-deliver")).to_have_count(0)  # delivered when signed for
    k.check("clerk-dispatched")
    number = Case.objects.get(pk=case.pk).delivery.tracking_number

    # --- The applicant sees it on its way, not delivered ------------------------------------------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator("#delivery-state")).to_contain_text("寄递中")
    expect(page.locator("#delivery-state")).not_to_contain_text("已送达")
    expect(page.locator(".case-facts")).to_contain_text("已办结")
    expect(page.locator(".case-facts")).not_to_contain_text("已送达")
    expect(page.locator("main")).to_contain_text(number)
    c.check("applicant-in-transit")

    # --- The carrier's events, entered at the workbench; signed for delivers ----------------------
    form = delivery_section.locator("form")
    form.get_by_label("寄递状态").select_option(label="派送中")
    form.get_by_label("说明").fill("快递员正在派送")
    k.submit(form.get_by_role("button", name="登记"))
    expect(kp.locator(".messages")).to_contain_text("已登记寄递信息")
    expect(kp.locator("#case-state")).to_contain_text("已办结")
    expect(delivery_section.locator("table")).to_contain_text("派送中")
    form.get_by_label("寄递状态").select_option(label="已签收")
    form.get_by_label("说明").fill("本人签收")
    k.submit(form.get_by_role("button", name="登记"))
    expect(kp.locator("#case-state")).to_contain_text("已送达")
    expect(kp.locator("#delivery-state")).to_contain_text("已送达")
    k.check("clerk-signed-for")

    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator(".case-facts")).to_contain_text("已送达")
    expect(page.locator("#delivery-state")).to_contain_text("已送达")
    expect(page.locator("main")).to_contain_text("本人签收")
    c.check("applicant-delivered-express")
    assert Case.objects.get(pk=case.pk).state == "delivered"


def test_electronic_delivery_downloads_the_decision(journey, entry, users):
    from yiwang.cases.models import Case

    case = advanced(users, applied(users, entry, delivery="electronic"), ACCEPT, PASS_REVIEW, APPROVE)

    a = signed_in(journey, "demo-approver")
    a.goto(f"/workbench/cases/{case.number}/")
    act(a, "complete")
    expect(a.page.locator("#case-state")).to_contain_text("已办结")
    a.check("approver-completed-electronic")

    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    # Not delivered before the decision can be downloaded.
    expect(page.locator("#delivery-state")).to_contain_text("正在生成决定文书")
    expect(page.locator(".case-facts")).not_to_contain_text("已送达")
    c.check("applicant-electronic-preparing")

    outbox.drain()  # the worker makes the decision document, then delivers electronically
    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator(".case-facts")).to_contain_text("已送达")
    link = page.get_by_role("link", name="下载准予许可决定书")
    expect(link).to_be_visible()
    c.check("applicant-electronic-delivered")
    assert_pdf_download(c, link)
    assert Case.objects.get(pk=case.pk).state == "delivered"


def test_pickup_needs_the_right_code(journey, entry, users):
    case = advanced(users, applied(users, entry), ACCEPT, PASS_REVIEW, APPROVE, COMPLETE)

    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    code = page.locator(".pickup-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    pickup_code = code.inner_text()
    expect(page.locator("#delivery-state")).to_contain_text("待领取")
    c.check("applicant-pickup-code")

    k = signed_in(journey, "demo-clerk")
    kp = k.page
    k.goto(f"/workbench/cases/{case.number}/")
    panel = open_action(k, "deliver")
    expect(panel.get_by_label("窗口领取")).to_be_checked()
    k.check("clerk-pickup")
    panel.get_by_label("取件码").fill(f"{(int(pickup_code) + 1) % 10**6:06d}")  # a wrong code
    response = k.submit(panel.get_by_role("button", name="送达"))
    assert response.status == 400
    panel = kp.locator("#action-deliver")
    expect(panel.get_by_label("取件码")).to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".field-error")).to_contain_text("取件码不正确")
    expect(kp.locator("#case-state")).to_contain_text("已办结")
    k.check("clerk-pickup-wrong-code")

    panel.get_by_label("取件码").fill("")
    response = k.submit(panel.get_by_role("button", name="送达"))
    assert response.status == 400
    expect(kp.locator("#action-deliver .field-error")).to_contain_text("请输入申请人出示的取件码")

    kp.locator("#action-deliver").get_by_label("取件码").fill(pickup_code)
    k.submit(kp.locator("#action-deliver").get_by_role("button", name="送达"))
    expect(kp.locator(".messages")).to_contain_text("已完成“送达”")
    expect(kp.locator("#case-state")).to_contain_text("已送达")
    k.check("clerk-picked-up")

    c.goto(f"/my/cases/{case.number}/")
    expect(page.locator(".case-facts")).to_contain_text("已送达")
    expect(page.locator("#delivery-state")).to_contain_text("已送达")
    c.check("applicant-picked-up")
