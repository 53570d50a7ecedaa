"""The item administrator's journey: claim and compile an entry, fill the guide, the audit flags a
missing sample form, upload it, submit; a reviewer publishes. axe-clean on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import seed_food_permit_item
from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def region(live_server, settings, tmp_path):
    return seed_food_permit_item(settings, tmp_path)


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_item_admin_compiles_and_reviewer_publishes(journey, region):
    from yiwang.catalog.models import Entry

    j = journey()
    page = j.page
    j.goto("/accounts/login/")
    j.check("login")
    j.sign_in("demo-itemadmin", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("link", name="认领事项")).to_be_visible()
    j.check("workbench-home")

    # 认领 and 编制
    with page.expect_navigation():
        page.get_by_role("link", name="认领事项").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("认领事项")
    j.check("claim")
    j.submit(page.get_by_role("button", name=re.compile("认领.*食品经营许可")))
    expect(page.locator(".messages")).to_contain_text("已认领“食品经营许可”")
    j.check("claimed")
    j.submit(page.locator("#pending").get_by_role("button", name=re.compile("编制.*食品经营许可")))
    expect(page).to_have_url(re.compile(r"/workbench/catalog/entries/\d+/edit/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("编制办事指南")
    expect(page.locator("#audit")).to_contain_text("申请材料清单为空")
    j.check("editor-new")

    # fill the guide; one material, a blank form but no sample form
    page.locator("#id_guide-plain_title").fill("开饭店办食品经营许可证")
    page.locator("#id_guide-acceptance_conditions").fill(
        "申请人已取得营业执照，有与经营食品品种相适应的经营场所。"
    )
    page.locator("#id_guide-legal_limit").fill("20")
    page.locator("#id_guide-promised_limit").fill("5")
    page.locator("#id_guide-location").fill("青山市人民路100号政务服务中心一楼A区12号窗口")
    page.locator("#id_guide-hours").fill("周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）")
    page.locator("#id_guide-consult_phone").fill("0471-8001234")
    page.locator("#id_guide-complaint_phone").fill("12345")
    page.locator("#id_guide-result_name").fill("食品经营许可证")
    page.locator("#section-handling").get_by_label("窗口办理").check()
    page.get_by_role("button", name="添加材料").click()  # the script adds the row in place
    page.locator("#id_materials-0-name").fill("食品经营许可申请书")
    page.locator("#id_materials-0-blank_form_upload").set_input_files(pdf("申请书空白表.pdf"))
    page.get_by_role("button", name="添加常见问题").click()
    page.locator("#id_faqs-0-question").fill("网上申请后多久能拿到许可证？")
    page.locator("#id_faqs-0-answer").fill("承诺5个工作日内办结。")
    j.submit(page.get_by_role("button", name="保存草稿").first)
    expect(page.locator(".messages")).to_contain_text("已保存草稿")
    sample = page.locator("#el-materials-0-sample-form")
    expect(sample).to_contain_text("没有示例样表")
    expect(page.locator("#audit")).to_contain_text("材料 1 · 示例样表")
    expect(page.locator("#el-materials-0")).to_have_count(0)
    expect(page.get_by_role("link", name="申请书空白表.pdf")).to_be_visible()
    j.check("editor-flagged")

    # submitting is blocked while the error stands
    j.submit(page.get_by_role("button", name="保存并提交审核").first)
    expect(page.locator(".messages")).to_contain_text("未能提交审核")
    j.check("editor-submit-blocked")

    # the form builder: one field, previewed
    with page.expect_navigation():
        page.get_by_role("link", name="设计申请表单").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("申请表单设计")
    page.locator(".builder-toolbox").get_by_role("button", name="单行文字").click()  # added in place
    page.locator("#fields-0-label").fill("店铺名称")  # the new field is open
    page.locator("#fields-0-required").check()
    page.locator("#fields-0 .builder-advanced > summary").click()  # 高级: the generated key
    expect(page.locator("#fields-0-name")).to_have_value("text_1")
    page.locator("#fields-0-name").fill("shop_name")
    expect(page.locator("#schema-preview")).to_contain_text("店铺名称", timeout=10_000)  # live preview (htmx)
    j.submit(page.get_by_role("button", name="保存表单").first)
    expect(page.locator(".messages")).to_contain_text("申请表单已保存")
    expect(page.locator("#schema-preview label")).to_contain_text("店铺名称")
    j.check("form-builder")
    with page.expect_navigation():
        page.get_by_role("link", name="返回指南编制").click()
    expect(page.locator("#el-materials-0-sample-form")).to_contain_text("没有示例样表")
    j.check("editor-again")

    # upload the sample form and submit
    page.locator("#id_materials-0-sample_form_upload").set_input_files(pdf("申请书示例.pdf"))
    j.submit(page.get_by_role("button", name="保存并提交审核").first)
    expect(page.locator(".messages")).to_contain_text("v1 已提交审核")
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    j.check("entry-submitted")
    j.sign_out()

    # the reviewer publishes
    r = journey()
    rp = r.page
    r.sign_in("demo-reviewer", DEMO_PASSWORD)
    expect(rp.get_by_role("link", name="待审核")).to_be_visible()
    r.check("reviewer-home")
    with rp.expect_navigation():
        rp.get_by_role("link", name="待审核").click()
    expect(rp.locator("main table")).to_contain_text("食品经营许可")
    r.check("review-queue")
    with rp.expect_navigation():
        rp.get_by_role("link", name=re.compile("审核.*食品经营许可")).click()
    expect(rp.get_by_role("heading", level=1)).to_contain_text("审核办事指南")
    expect(rp.locator("main")).to_contain_text("首次发布")
    expect(rp.locator("main")).to_contain_text("食品经营许可申请书")
    r.check("review")
    r.submit(rp.get_by_role("button", name="发布"))
    expect(rp.locator(".messages")).to_contain_text("v1 已发布")
    r.check("review-published")

    entry = Entry.objects.get(catalog_item__basic_code="150100123000")
    assert entry.status == "active" and entry.published.number == 1
    material = entry.published.materials.get()
    assert material.blank_form.original_name == "申请书空白表.pdf"
    assert material.sample_form.original_name == "申请书示例.pdf"
    assert entry.published.form_schema["fields"][0]["name"] == "shop_name"
    rp.goto(f"/workbench/catalog/entries/{entry.pk}/")
    expect(rp.locator("#entry-status")).to_have_text("在用")
    r.check("entry-published")


def test_other_catalog_pages_are_accessible(journey, region):
    """axe on the pages the journey above does not reach: errors, conflicts, history, diff, the
    form builder with a table and show-if, the supervisor's quality page."""
    from yiwang.accounts.models import User
    from yiwang.catalog import guide_document, services
    from yiwang.catalog.models import CatalogItem
    from yiwang.core import uploads

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    admin = users["demo-itemadmin"]
    claim = services.claim_item(region.departments["city_market"], CatalogItem.objects.get(), admin)
    entry = services.compile_entry(claim, admin)
    v1 = entry.versions.get()
    blank = uploads.store_bytes(PDF, "空白表.pdf", allowed=("pdf",), user=admin)
    sample = uploads.store_bytes(PDF, "样表.pdf", allowed=("pdf",), user=admin)
    doc = {
        "plain_title": "开饭店办证",
        "legal_limit": 20,
        "promised_limit": 5,
        "location": "青山市人民路100号政务服务中心一楼12号窗口",
        "hours": "周一至周五 9:00-17:00",
        "consult_phone": "0471-8001234",
        "complaint_phone": "12345",
        "situations": [{"seq": 1, "name": "个体工商户", "description": "", "form_schema": {}}],
        "materials": [
            {"name": "申请书", "blank_form": str(blank.pk), "sample_form": str(sample.pk)},
            {"name": "营业执照", "kind": "copy", "situation": 1},
        ],
        "form_schema": {
            "fields": [
                {
                    "name": "kind",
                    "label": "申请类型",
                    "type": "choice",
                    "required": True,
                    "options": [{"value": "new", "label": "首次"}, {"value": "renew", "label": "换领"}],
                },
                {
                    "name": "old",
                    "label": "原证号",
                    "type": "text",
                    "show_if": {"field": "kind", "equals": "renew"},
                },
                {
                    "name": "tags",
                    "label": "经营项目",
                    "type": "multichoice",
                    "options": [{"value": "a"}, {"value": "b"}],
                },
                {"name": "addr", "label": "经营地址", "type": "address"},
                {
                    "name": "staff",
                    "label": "从业人员",
                    "type": "table",
                    "columns": [
                        {"name": "name", "label": "姓名", "type": "text", "required": True},
                        {"name": "tel", "label": "电话", "type": "phone"},
                    ],
                },
            ]
        },
    }
    services.save_draft(v1, doc, admin)
    services.submit_version(v1, admin)
    services.publish_version(v1, users["demo-reviewer"])
    v2 = services.start_new_draft(entry, admin)
    mats = guide_document.version_to_document(v2)["materials"]
    mats[0]["kind"] = "copy"
    services.save_draft(v2, {"hours": "周一至周六 9:00-17:00", "materials": mats}, admin)
    base = f"/workbench/catalog/entries/{entry.pk}"

    j = journey()
    page = j.page
    j.sign_in("demo-itemadmin", DEMO_PASSWORD)
    j.goto("/workbench/catalog/")
    j.check("entry-list")
    j.goto(f"{base}/edit/")
    page.locator("#id_guide-promised_limit").fill("30")
    page.locator("#id_materials-0-name").fill("")
    response = j.submit(page.get_by_role("button", name="保存草稿").first)
    assert response.status == 400
    expect(page.locator("#form-errors")).to_contain_text("未保存")
    j.check("editor-errors")
    j.goto(f"{base}/form/")
    page.locator("#fields-4 > details > summary").click()  # the table field, opened
    j.check("builder-table")
    page.locator("#fields-0 > details > summary").click()
    page.locator("#fields-0 .builder-advanced > summary").click()
    page.locator("#fields-0-name").fill("Bad Name")
    response = j.submit(page.get_by_role("button", name="保存表单").first)
    assert response.status == 400
    j.check("builder-errors")
    j.goto(f"{base}/form/situations/1/")
    j.check("builder-situation")
    services.submit_version(v2, admin)
    j.goto(f"{base}/")
    j.check("entry-history")
    j.goto(f"{base}/versions/1/")
    j.check("version-1")
    j.goto(f"{base}/versions/2/diff/")
    expect(page.locator("main table")).to_contain_text("周一至周六 9:00-17:00")
    j.check("diff")
    j.goto("/workbench/catalog/reviews/")
    j.check("forbidden")

    s = journey()
    s.sign_in("demo-admin", DEMO_PASSWORD)
    s.goto("/workbench/catalog/quality/")
    expect(s.page.locator("#total-entries")).to_have_text("1")
    s.check("quality")
    s.goto("/workbench/catalog/quality/?severity=warning")
    s.check("quality-warnings")
    s.goto(f"{base}/review/")
    s.check("review-with-diff")
    response = s.submit(s.page.get_by_role("button", name="退回"))
    assert response.status == 400
    s.check("review-return-needs-reason")
    s.goto(f"{base}/")
    s.page.locator("#status-target").select_option("suspended")
    response = s.submit(s.page.get_by_role("button", name="确认"))
    assert response.status == 400
    s.check("status-needs-reason")
    # meanwhile another reviewer cancels the entry: the stale form answers 409 with the reason
    s.page.locator("#status-reason").fill("系统升级")
    services.set_entry_status(entry, users["demo-reviewer"], "cancelled", "职能划转")
    response = s.submit(s.page.get_by_role("button", name="确认"))
    assert response.status == 409
    expect(s.page.locator("#form-errors")).to_contain_text("“取消”的事项不能改为“暂停”")
    s.check("status-conflict")
