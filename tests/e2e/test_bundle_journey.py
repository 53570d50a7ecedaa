"""一件事一次办 and 一链通办 in the browser: a citizen searches 开饭店 on /items/ and finds 我要开饭店
above the single services, reads the one guide, clicks 一次申请, answers the questions, fills the
one form, uploads each material once, chooses delivery once and submits once; the application page
shows the registration started and the food permit waiting for it. Staff decide the registration
on the spot (the service layer) and the outbox is delivered: the citizen reloads and sees the food
permit started by itself (a case number, 待受理), its 营业执照 provided by the e-licence the
registration issued. The citizen's clicks are counted and held under a ceiling; the second step
works at a 390 px wide viewport; axe-clean on every page looked at."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from catalog.guide_samples import PDF
from yiwang.bundles.models import BundleApplication
from yiwang.cases import services
from yiwang.cases.models import Case, CaseMaterial
from yiwang.licences.models import Licence

from .conftest import Clicks
from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

BUNDLE = "我要开饭店"
REGISTER = "个体工商户设立登记"
FOOD = "食品经营许可"
SIGN = "户外招牌设置审批"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"
LICENCE = "营业执照"
# Everything a citizen clicks, from the search page to the food permit's page: search, the bundle
# card, 一次申请, two yes/no answers, 下一步, three file choosers, delivery, submit, the food permit.
CLICK_CEILING = 12
PHONE_WIDTH = 390
DESKTOP = {"width": 1280, "height": 900}  # the journey's usual viewport (conftest.Journey)


def no_horizontal_scroll(page, width: int = PHONE_WIDTH) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px: scrollWidth {scroll}"


def beside(box, unit) -> None:
    """The unit is on the same line as its box, to its right."""
    a, b = box.bounding_box(), unit.bounding_box()
    assert a and b, "not laid out"
    middle = a["y"] + a["height"] / 2
    assert b["x"] >= a["x"] + a["width"] - 1, f"the unit is not right of its box: {a} {b}"
    assert b["y"] <= middle <= b["y"] + b["height"], f"the unit is not on its box's line: {a} {b}"


def required(label: str) -> re.Pattern:
    """A required control's accessible name: its label and a visually hidden （必填）."""
    return re.compile(rf"^{re.escape(label)}\s*（必填）$")


def case_row(page, title: str):
    return page.locator("table.case-table tbody tr").filter(has=page.locator("th", has_text=title))


def test_open_a_restaurant_in_one_application_and_the_chain_starts_the_food_permit(
    journey, restaurant, users, deliver_outbox, tmp_path
):
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(PDF)

    c = journey()
    page = c.page
    c.sign_in("demo-citizen", DEMO_PASSWORD)
    clicks = Clicks(c)

    # --- 开饭店 on the search page: the bundle card comes before the single services ---------
    c.goto("/items/")
    search = page.locator("form[role=search]")
    search.get_by_role("searchbox", name="搜索办事服务").fill("开饭店")
    clicks.click(search.get_by_role("button", name="搜索", exact=True), "搜索")
    # htmx swaps the results in place: the form is marked while its request is out.
    expect(search).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page).to_have_url(re.compile(r"/items/\?q=" + re.escape(quote("开饭店"))))
    results = page.locator("#results")
    card = results.locator(".result-bundle").filter(has_text=BUNDLE)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("一件事一次办")
    expect(results.locator("ol.result-list > li.result").first).to_be_visible()
    assert page.evaluate(
        """() => {
            const bundle = document.querySelector('#results .result-bundle');
            const single = document.querySelector('#results ol.result-list');
            return !!(bundle.compareDocumentPosition(single) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    ), "the bundle card comes before the single services"
    c.check("search")

    # --- The one guide -----------------------------------------------------------------------
    clicks.navigate(card.get_by_role("link", name=BUNDLE), "我要开饭店")
    expect(page).to_have_url(re.compile(r"/bundles/open-restaurant/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BUNDLE)
    items = page.locator("section[aria-labelledby=items-title]")
    for title in (REGISTER, FOOD, SIGN, FIRE):
        expect(items).to_contain_text(title)
    expect(page.locator("section[aria-labelledby=materials-title]")).to_contain_text(
        f"由“{REGISTER}”核发后自动调用"
    )
    c.check("guide")

    # --- Step 1: the questions ---------------------------------------------------------------
    clicks.navigate(page.get_by_role("link", name="一次申请"), "一次申请")
    expect(page).to_have_url(re.compile(r"/bundles/open-restaurant/apply/$"))
    expect(page.locator("main")).to_contain_text("第 1 步（共 2 步）")
    questions = page.locator("#bundle-questions")
    seats = questions.get_by_role("spinbutton", name="经营场所有多少个座位？")
    expect(seats).to_be_visible()
    c.check("apply-questions")
    # On a phone, 390 px wide, the questions fit and the unit stays beside its box.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    expect(questions.get_by_role("button", name="下一步")).to_be_visible()
    no_horizontal_scroll(page)
    beside(seats, questions.locator("#field-a-seats .suffix"))
    c.check("apply-questions-390")
    page.set_viewport_size(DESKTOP)
    seats.fill("30")
    clicks.click(questions.get_by_role("group", name="是否在门头设置招牌？").get_by_label("否"), "招牌：否")
    clicks.click(
        questions.get_by_role("group", name="是否只销售预包装食品？").get_by_label("否"), "预包装：否"
    )
    clicks.navigate(questions.get_by_role("button", name="下一步"), "下一步")

    # --- Step 2: one form, one set of materials, one delivery, one submit ---------------------
    expect(page.locator("main")).to_contain_text("第 2 步（共 2 步）")
    plan = page.locator("ol.bundle-plan")
    expect(plan.locator("li")).to_have_count(2)
    expect(plan.locator("li").nth(0)).to_contain_text(f"{REGISTER}")
    expect(plan.locator("li").nth(0)).to_contain_text("提交后即开始办理")
    expect(plan.locator("li").nth(1)).to_contain_text(f"待“{REGISTER}”办结后自动提交")
    expect(page.locator("main")).not_to_contain_text(SIGN)
    expect(page.locator("main")).not_to_contain_text(FIRE)
    form = page.locator("#bundle-form")
    # Only the questions the applicant cannot be spared: name and phone come from the account.
    expect(form.get_by_role("textbox", name=required("申请人姓名"))).to_have_value("张三")
    # The contact phone is the platform's own step (asked once, not by each member's form).
    expect(form.get_by_role("textbox", name="联系电话")).to_have_value("13800138000")
    uploads = form.locator("input[type=file]")
    expect(uploads).to_have_count(3)  # 居民身份证 once for both; 营业执照 comes from the chain
    expect(form.locator("#field-m-0")).to_contain_text(f"用于：{REGISTER}、{FOOD}")
    expect(form).to_contain_text(f"{LICENCE} — 由“{REGISTER}”核发后自动调用，无需提交")
    c.check("apply-form")

    # The same step on a phone, 390 px wide: nothing scrolls sideways; the citizen goes on there.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    expect(page.locator("#bundle-submit")).to_be_visible()
    no_horizontal_scroll(page)
    c.check("apply-form-390")

    form.get_by_role("textbox", name=required("个体工商户名称")).fill("张三小吃店")
    form.get_by_role("textbox", name=required("经营场所")).fill("青山市人民路 8 号")
    form.get_by_role("textbox", name=required("经营面积（平方米）")).fill("60")
    for name in ("居民身份证", "经营场所使用证明", "食品安全管理制度文本"):
        chooser = form.get_by_role("button", name=required(name))
        clicks.choose_file(chooser, pdf, f"选择文件：{name}")
        assert chooser.evaluate("el => el.files.length") == 1, name
    clicks.click(form.get_by_label("电子送达（电子证照进入卡包）"), "电子送达")
    expect(form.get_by_label("电子送达（电子证照进入卡包）")).to_be_checked()
    no_horizontal_scroll(page)
    clicks.navigate(page.locator("#bundle-submit"), "一次提交")

    # --- The one view: the registration started, the food permit waiting ---------------------
    expect(page).to_have_url(re.compile(r"/my/bundles/[0-9a-f-]{36}/$"))
    application = BundleApplication.objects.get()
    cases = Case.objects.filter(bundle_member__application=application)
    register = cases.get(title=REGISTER)
    food = cases.get(title=FOOD)
    assert register.number and not food.number
    expect(page.get_by_role("heading", level=1)).to_have_text(BUNDLE)
    expect(page.locator("p.lead")).to_contain_text(application.number)
    expect(page.locator("p.lead")).to_contain_text("已有结果 0 / 2 件")
    row = case_row(page, REGISTER)
    expect(row.get_by_role("link", name=REGISTER)).to_have_attribute("href", f"/my/cases/{register.number}/")
    expect(row.locator("td").nth(1)).to_contain_text("待受理")
    row = case_row(page, FOOD)
    expect(row.get_by_role("link")).to_have_count(0)  # no case number yet
    expect(row).to_contain_text(f"前置事项：{REGISTER}")
    expect(row.locator("td").nth(1)).to_contain_text("等待前置事项")
    no_horizontal_scroll(page)
    # The timeline reads as a date and a time.
    expect(page.locator("ol.timeline time").first).to_have_text(
        re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
    )
    c.check("application-390")
    page.set_viewport_size(DESKTOP)
    c.check("application")

    # --- Staff decide the registration on the spot; the outbox is delivered -----------------
    services.act(users["demo-approver"], register, "decide_on_the_spot")
    deliver_outbox()
    licence = Licence.objects.get(case=register)
    assert licence.type_name == LICENCE

    # --- The citizen reloads: the food permit started by itself -------------------------------
    page.reload()
    food.refresh_from_db()
    assert food.number, "the food permit was not started by the chain"
    # One application, submitted once; the 居民身份证 uploaded once serves both cases.
    assert BundleApplication.objects.count() == 1 and cases.count() == 2
    ids = CaseMaterial.objects.filter(case__in=cases, name__startswith="居民身份证").values_list(
        "file_id", flat=True
    )
    assert len(ids) == 2 and len(set(ids)) == 1, list(ids)
    row = case_row(page, FOOD)
    link = row.get_by_role("link", name=FOOD)
    expect(link).to_have_attribute("href", f"/my/cases/{food.number}/")
    expect(row.locator("td").nth(1)).to_have_text("待受理")
    # 当场办结 leaves the registration 准予许可: it has its result (the licence), the food permit not yet.
    expect(case_row(page, REGISTER).locator("td").nth(1)).to_have_text("准予许可")
    expect(page.locator("p.lead")).to_contain_text("已有结果 1 / 2 件")
    expect(page.locator("ol.timeline")).to_contain_text(f"{FOOD} · ")
    c.check("application-food-started")

    clicks.navigate(link, FOOD)
    expect(page).to_have_url(re.compile(rf"/my/cases/{re.escape(food.number)}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FOOD)
    expect(page.locator("main .case-facts dd.code").first).to_have_text(food.number)
    expect(page.locator("main .state")).to_have_text("待受理")
    submitted = page.locator("section[aria-labelledby=materials-title]")
    provided = submitted.locator("li").filter(has_text=f"{LICENCE}：")
    expect(provided).to_have_count(1)
    expect(provided.get_by_role("link")).to_have_text(f"电子证照 {licence.number}")
    expect(page.get_by_role("link", name=f"{BUNDLE}（{application.number}）")).to_have_attribute(
        "href", f"/my/bundles/{application.key}/"
    )
    c.check("food-case")

    # --- Clicks, from the search page to the food permit's page ------------------------------
    print(f"\nclicks ({len(clicks.log)}): " + " → ".join(clicks.log))
    assert len(clicks.log) <= CLICK_CEILING, clicks.log
