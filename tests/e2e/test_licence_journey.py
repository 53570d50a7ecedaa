"""Electronic licences in the browser: an approved case issues a signed licence (the outbox
delivered); the holder finds it in 我的证照 with its QR, downloads its PDF and shares a link; signed
out, anyone verifies it by its identifier or its QR's text (the holder's name masked) and through
the shared link; on another application the licence is offered for a material, one tick of
consent uses it instead of an upload, and the window clerk sees it as a verified licence; the
issuing department's approver suspends it and verification says so. axe-clean on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM_MATERIAL = "食品经营许可申请书"
PERMIT = "食品经营许可证"


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


def named(visible: str, hidden: str) -> re.Pattern:
    """A control's accessible name: its visible text and a visually hidden "：<what>"."""
    return re.compile(rf"^{re.escape(visible)}\s*：{re.escape(hidden)}$")


def material_item(page, material: str):
    return page.locator("li.case-material").filter(has=page.get_by_role("heading", name=material, exact=True))


def assert_pdf_download(j, link) -> None:
    """The link downloads a PDF: the file saved starts %PDF-, and the answer says application/pdf."""
    page = j.page
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    with open(download.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-", "the downloaded file is not a PDF"
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def verify(j, text: str):
    """Paste an identifier or a QR's text into the public verification form and submit it."""
    form = j.page.locator("form.verify-form")
    form.get_by_label("二维码内容或证照标识").fill(text)
    j.submit(form.get_by_role("button", name="核验"))
    return j.page.locator("section.verdict")


@pytest.fixture
def reuse_entry(make_published, food_type):
    """A second published entry whose second material is the food business permit: the licence
    library provides it (the material names the licence type by its code)."""
    from yiwang.catalog.models import Material

    entry = make_published(shared_licence=True)
    Material.objects.filter(version=entry.published, licence_type_code="LIC-BUSINESS").update(
        licence_type_code=food_type.code, name=PERMIT
    )
    return entry


def test_licence_issued_verified_shared_reused_and_suspended(
    journey, live_server, settings, submitted, approve, food_type, seal_key, deliver_outbox, reuse_entry
):
    from yiwang.cases.models import Case
    from yiwang.licences.models import Licence

    settings.PUBLIC_BASE_URL = live_server.url  # the address the licence's links carry

    # --- An approved case issues the licence once the worker delivers the outbox --------------
    case = approve(submitted())
    deliver_outbox()
    licence = Licence.objects.get(case=case)
    assert licence.holder_name == "张三"

    # --- The holder finds it in 我的证照, downloads it and shares a link ------------------------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    expect(page.locator("#licence-count")).to_contain_text("本人 1 张")
    c.check("my-space")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="我的证照").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证照")
    card = page.locator("li.licence-card").filter(has_text=licence.number)
    expect(card.locator(".tag")).to_have_text("有效")
    c.check("wallet")
    with page.expect_navigation():
        card.get_by_role("link", name=PERMIT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PERMIT)
    expect(page.locator("main .tag").first).to_have_text("有效")
    expect(page.locator("dd.identifier")).to_have_text(licence.identifier)
    qr = page.get_by_role("img", name="证照核验二维码")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("i => i.complete && i.naturalWidth > 0"), "the QR code is drawn"
    c.check("licence-detail")
    assert_pdf_download(c, page.get_by_role("link", name="下载电子证照（PDF）"))

    page.get_by_label("有效天数").select_option("3")
    c.submit(page.get_by_role("button", name="生成分享链接"))
    expect(page.locator(".messages")).to_contain_text("分享链接已生成")
    share_url = page.get_by_label("分享链接", exact=True).input_value()
    assert share_url.startswith(f"{live_server.url}/licences/shared/"), share_url
    page.reload()  # the detail page lists downloads in its use log
    expect(page.locator("section[aria-labelledby=uses-h] table")).to_contain_text("下载")
    expect(page.get_by_label("分享链接", exact=True)).to_have_count(0)  # shown only once
    c.check("licence-shared")

    # --- Signed out: verification by identifier, by the QR's text, and through the link ------
    v = journey()
    vp = v.page
    v.goto("/")
    with vp.expect_navigation():
        vp.locator("footer").get_by_role("link", name="电子证照核验").click()
    expect(vp.get_by_role("heading", level=1)).to_have_text("电子证照核验")
    v.check("verify-blank")
    verdict = verify(v, licence.identifier)
    expect(verdict.get_by_role("heading")).to_have_text("真实有效")
    expect(verdict).to_contain_text("当前状态有效")
    expect(verdict).to_contain_text(licence.number)
    holder = verdict.locator("dt", has_text="持证主体").locator("xpath=following-sibling::dd[1]")
    expect(holder).to_have_text("张*")
    expect(verdict).not_to_contain_text("张三")
    v.check("verify-by-identifier")
    verdict = verify(v, licence.payload)
    assert licence.payload.startswith("YWL1:")
    expect(verdict.get_by_role("heading")).to_have_text("真实有效")
    expect(verdict).to_contain_text(licence.number)
    expect(verdict).not_to_contain_text("张三")
    v.check("verify-by-payload")
    v.goto(share_url)
    expect(vp.locator("main")).to_contain_text("持证人通过分享链接向您出示了这张电子证照")
    expect(vp.locator("section.verdict").get_by_role("heading")).to_have_text("真实有效")
    expect(vp.locator("section.verdict")).to_contain_text(licence.number)
    expect(vp.locator("main")).not_to_contain_text("张三")
    v.check("shared-link")

    # --- Another application: the permit is offered, one tick of consent uses it -----------
    c.goto(f"/items/{reuse_entry.code}/")
    c.check("guide-reuse")
    c.submit(page.locator("#apply").get_by_role("button", name="申请办理"))
    expect(page).to_have_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")
    page.get_by_label("店铺名称").fill("好味道小吃（二店）")
    page.get_by_label("经营面积").fill("60")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("窗口领取").check()
    page.get_by_label(named("选择文件", FORM_MATERIAL)).set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    # Uploaded in place as soon as it is chosen (application.js): the page stays.
    expect(page.locator("#upload-status")).to_contain_text("已上传“申请书.pdf”")
    expect(material_item(page, FORM_MATERIAL)).to_contain_text("已上传 1 个文件")
    permit = material_item(page, PERMIT)
    offer = permit.locator(".licence-offer")
    expect(offer).to_contain_text(f"可使用您的电子证照：{PERMIT} {licence.number}")
    expect(permit).to_contain_text("无需提交：工作人员调取电子证照")
    c.check("application-offer")
    offer.get_by_label("同意调取并使用该电子证照作为本项材料").check()
    c.submit(offer.get_by_role("button", name=named("使用电子证照", PERMIT)))
    expect(page.locator(".messages")).to_contain_text(f"已使用电子证照“{PERMIT} {licence.number}”作为材料")
    expect(permit).to_contain_text("已使用电子证照")
    expect(permit.get_by_role("link", name=f"电子证照 {licence.number}")).to_be_visible()
    expect(permit.locator(".licence-offer")).to_have_count(0)
    expect(page.get_by_label("店铺名称")).to_have_value("好味道小吃（二店）")
    expect(page.locator("#missing-none")).to_be_visible()
    c.check("application-licence-used")
    c.submit(page.get_by_role("button", name="提交申请"))
    expect(page).to_have_url(re.compile(r"/my/cases/\d+[^/]*/receipt/$"))
    second = Case.objects.get(entry=reuse_entry)
    assert second.state == "submitted"
    expect(page.locator("main")).to_contain_text(f"{PERMIT}（电子证照 {licence.number}）")
    c.check("receipt-licence")

    # --- The window clerk sees the material as a verified licence ---------------------------
    k = signed_in(journey, "demo-clerk")
    kp = k.page
    k.goto("/workbench/cases/")
    row = kp.locator("table.case-table tbody tr").filter(has_text=second.number)
    expect(row).to_be_visible()
    k.check("queue")
    with kp.expect_navigation():
        row.get_by_role("link", name=second.number).click()
    materials = kp.locator("#materials")
    material_row = materials.locator("tr").filter(has_text=PERMIT)
    expect(material_row.locator(".licence-verified")).to_have_text("电子证照 · 已核验")
    expect(materials.locator("tr").filter(has_text=FORM_MATERIAL)).to_contain_text("申请书.pdf")
    k.check("case-licence-material")

    # --- The issuing department's approver suspends it; verification says 暂扣 ---------------
    a = signed_in(journey, "demo-approver")
    ap = a.page
    a.goto("/workbench/licences/")
    listed = ap.locator("main tr").filter(has_text=licence.number)
    expect(listed).to_be_visible()
    a.check("licences")
    with ap.expect_navigation():
        listed.get_by_role("link", name=licence.number).click()
    expect(ap.locator("#licence-status")).to_have_text("有效")
    a.check("licence")
    panel = ap.locator("#status-suspend")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.get_by_label("原因").fill("食品安全检查不合格，责令整改")
    a.submit(panel.get_by_role("button", name="暂扣"))
    expect(ap.locator(".messages")).to_contain_text(f"已暂扣证照 {licence.number}")
    expect(ap.locator("#licence-status")).to_have_text("暂扣")
    expect(ap.locator("#history")).to_contain_text("食品安全检查不合格")
    a.check("licence-suspended")

    v.goto("/licences/verify/")
    verdict = verify(v, licence.identifier)
    expect(verdict.get_by_role("heading")).to_have_text("证照真实，但不能使用")
    expect(verdict).to_contain_text("已被暂扣")
    expect(verdict).to_contain_text("原因：食品安全检查不合格，责令整改")
    v.check("verify-suspended")

    c.goto("/my/licences/")
    expect(page.locator("li.licence-card").filter(has_text=licence.number).locator(".tag")).to_have_text(
        "暂扣"
    )
    c.check("wallet-suspended")
