"""The correction notice (一次性告知) built from the case, in the browser (issue 13): the clerk opens a
submitted case from the queue, ticks two of its materials (each shown with the file received), picks
a preset reason for each, adds a note and sends the notice; the clicks are counted (`Clicks`) and
held to a ceiling. The applicant then reads the list, each material with its reasons in words, on
their case page. axe-clean on every page looked at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from yiwang.cases import drafts

from .conftest import Clicks
from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM_DATA = {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45}
FORM_MATERIAL = "食品经营许可申请书"
LICENCE = "营业执照"
# From the queue: open the case, open the panel, tick and give a reason twice, send.
CLICK_CEILING = 7


@pytest.fixture
def case(make_published, users):
    """A case demo-citizen submitted with both materials uploaded."""
    entry = make_published()
    applicant = users["demo-citizen"]
    case = drafts.start_application(applicant, entry)
    drafts.save_form(applicant, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(applicant, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    return drafts.submit(applicant, case)


def signed_in(journey, username: str):
    j = journey()
    j.sign_in(username, DEMO_PASSWORD)
    return j


def test_the_clerk_ticks_two_materials_with_reasons_and_the_applicant_sees_the_list(journey, case):
    from yiwang.cases.models import Case

    k = signed_in(journey, "demo-clerk")
    kp = k.page
    # Nothing ticked: the form says so, in Chinese, and keeps the panel open.
    k.goto(f"/workbench/cases/{case.number}/")
    panel = kp.locator("#action-request_correction")
    panel.locator("summary").click()
    k.submit(panel.get_by_role("button", name="一次性告知补正"))
    expect(kp.locator("#errors-request_correction")).to_contain_text("请至少勾选一项需要补正的材料或表单内容")
    expect(kp.locator("#case-state")).to_contain_text("待受理")
    k.check("correction-nothing-ticked")

    k.goto("/workbench/cases/")
    clicks = Clicks(k)
    row = kp.locator("table.case-table tbody tr").filter(has_text=case.number)
    clicks.navigate(row.get_by_role("link", name=case.number), "打开办件")
    expect(kp.get_by_role("heading", level=1)).to_have_text(case.title)

    panel = kp.locator("#action-request_correction")
    clicks.click(panel.locator("summary"), "一次性告知补正")
    # Built from the case: its materials with the file received, its fields with their values.
    materials = panel.get_by_role("group", name="申请材料")
    expect(materials).to_contain_text(f"{FORM_MATERIAL}.pdf")
    expect(materials).to_contain_text("已上传 1 个文件")
    expect(panel.get_by_role("group", name="申请表填写内容")).to_contain_text("已填：好味道小吃")
    reasons = panel.get_by_role("group", name=f"“{FORM_MATERIAL}”的补正原因")
    expect(reasons).to_be_hidden()  # the reasons show once the material is ticked
    k.check("correction-form-open")

    clicks.click(panel.get_by_label(FORM_MATERIAL, exact=True), f"勾选：{FORM_MATERIAL}")
    expect(reasons).to_be_visible()
    clicks.click(reasons.get_by_label("缺少签名或盖章"), "原因：缺少签名或盖章")
    clicks.click(panel.get_by_label(LICENCE, exact=True), f"勾选：{LICENCE}")
    licence_reasons = panel.get_by_role("group", name=f"“{LICENCE}”的补正原因")
    clicks.click(licence_reasons.get_by_label("已过有效期"), "原因：已过有效期")
    panel.get_by_label(f"“{LICENCE}”的补正要求").fill("请上传有效期内的营业执照")
    k.check("correction-form-ticked")
    clicks.navigate(panel.get_by_role("button", name="一次性告知补正"), "一次性告知补正")

    expect(kp.locator(".messages")).to_contain_text("已完成")
    expect(kp.locator("#case-state")).to_contain_text("待补正")
    record = kp.locator("section[aria-labelledby=corrections-title]")
    expect(record).to_contain_text(f"{FORM_MATERIAL}（材料）：缺少签名或盖章")
    expect(record).to_contain_text(f"{LICENCE}（材料）：已过有效期；请上传有效期内的营业执照")
    k.check("correction-sent")

    print(f"\nclicks ({len(clicks.log)}, pages {clicks.pages}): " + " → ".join(clicks.log))
    assert len(clicks.log) <= CLICK_CEILING, clicks.log
    items = Case.objects.get(pk=case.pk).corrections.get().items
    assert [(i["label"], i["reasons"]) for i in items] == [
        (FORM_MATERIAL, ["missing_signature"]),
        (LICENCE, ["expired"]),
    ]

    # --- The applicant sees the list, in words, and exactly those materials to upload again ------
    c = signed_in(journey, "demo-citizen")
    page = c.page
    c.goto(f"/my/cases/{case.number}/")
    correction = page.locator("#correction")
    expect(correction).to_contain_text("需要补正以下 2 项")
    listed = correction.locator("ol.correction-items > li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text(FORM_MATERIAL)
    expect(listed.nth(0).locator(".correction-reasons li")).to_have_text(["缺少签名或盖章"])
    expect(listed.nth(1)).to_contain_text(LICENCE)
    expect(listed.nth(1).locator(".correction-reasons li")).to_have_text(["已过有效期"])
    expect(listed.nth(1)).to_contain_text("请上传有效期内的营业执照")
    expect(correction.locator("li.case-material h3")).to_have_text([FORM_MATERIAL, LICENCE])
    expect(correction).not_to_contain_text("missing_signature")
    expect(page.get_by_role("link", name=re.compile(rf"去上传\s*：{FORM_MATERIAL}"))).to_be_visible()
    c.check("applicant-correction")
