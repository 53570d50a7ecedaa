"""一件事 in the workbench: an item administrator defines a bundle, the checks name a cycle, an
unmappable required field and an unpublished entry; a reviewer (not the author) publishes; staff
see a case's bundle context (the other cases' states, not their data); supervisors see figures."""

from __future__ import annotations

import json

from bundles.bundle_fixtures import definition
from yiwang.bundles import services
from yiwang.bundles.models import Bundle
from yiwang.catalog.models import VersionState


def test_an_item_admin_defines_and_a_reviewer_publishes(as_user, restaurant_entries, users):
    admin = as_user("demo-itemadmin")
    created = admin.post("/workbench/bundles/new/", {"name": "我要开小吃店", "code": "open-snack"})
    assert created.status_code == 302
    bundle = Bundle.objects.get(code="open-snack")
    doc = definition(restaurant_entries)
    food = restaurant_entries["food"].code
    doc["members"][0]["after"] = [food]  # registration after the food permit, which is after it
    doc["map"] = {food: {"uscc": "licence.uscc", "area": ""}}  # left to nobody
    page = admin.post(
        "/workbench/bundles/open-snack/",
        {"action": "save", "name": "我要开小吃店", "definition": json.dumps(doc, ensure_ascii=False)},
        follow=True,
    )
    text = page.content.decode()
    assert "前后置关系成环" in text
    assert "个体工商户设立登记 → 食品经营许可" in text or "食品经营许可 → 个体工商户设立登记" in text
    assert "必填字段“经营面积（平方米）”无法从一表中取得" in text
    refused = admin.post(
        "/workbench/bundles/open-snack/",
        {"action": "submit", "name": "我要开小吃店", "definition": json.dumps(doc, ensure_ascii=False)},
    )
    assert refused.status_code == 422
    assert bundle.versions.get().state == VersionState.DRAFT
    good = definition(restaurant_entries)
    assert (
        admin.post(
            "/workbench/bundles/open-snack/",
            {"action": "submit", "name": "我要开小吃店", "definition": json.dumps(good, ensure_ascii=False)},
        ).status_code
        == 302
    )
    # The author cannot publish; the platform administrator can.
    version = bundle.versions.get()
    assert version.state == VersionState.SUBMITTED
    assert (
        as_user("demo-admin").post("/workbench/bundles/open-snack/", {"action": "publish"}).status_code == 302
    )
    bundle.refresh_from_db()
    assert bundle.published_id == version.pk
    assert as_user("demo-citizen").get("/bundles/open-snack/").status_code == 200


def test_an_unpublished_entry_is_named(restaurant_entries, users, region):
    from yiwang.catalog import services as catalog_services

    version = services.create_bundle(users["demo-itemadmin"], code="x", name="X", division=region.city)
    catalog_services.set_entry_status(restaurant_entries["sign"], users["demo-approver"], "suspended", "整改")
    problems = services.save_draft(
        version, users["demo-itemadmin"], definition=definition(restaurant_entries)
    )
    assert any("户外招牌设置审批" in p and "未发布或已暂停" in p for p in problems)


def test_staff_see_the_bundle_context_and_supervisors_the_figures(client, api_token, restaurant, as_user):
    from bundles.test_applying import apply
    from yiwang.cases.models import Case

    token = api_token("demo-citizen")
    assert apply(client, token).status_code == 201
    register = Case.objects.get(title="个体工商户设立登记")
    page = as_user("demo-reviewer").get(f"/workbench/cases/{register.number}/").content.decode()
    assert "所属一件事" in page and "食品经营许可" in page and "等待前置事项" in page
    figures = as_user("demo-supervisor").get("/workbench/bundles/").content.decode()
    assert "一件事办理情况" in figures and "我要开饭店" in figures


def test_bundle_statistics_are_for_supervisors(client, api_token, restaurant, as_user):
    from bundles.test_applying import apply

    assert apply(client, api_token("demo-citizen")).status_code == 201
    supervisor = api_token("demo-supervisor")
    body = client.get("/api/v1/bundles/statistics", HTTP_AUTHORIZATION=f"Bearer {supervisor}").json()
    row = body["bundles"][0]
    assert row["title"] == "我要开饭店" and row["applications"] == 1
    assert (row["materials_separate"], row["materials_bundle"]) == (6, 5)
    citizen = api_token("demo-citizen")
    assert client.get("/api/v1/bundles/statistics", HTTP_AUTHORIZATION=f"Bearer {citizen}").status_code == 403
    stats = as_user("demo-supervisor").get("/workbench/stats/").content.decode()
    assert "一件事办理情况" in stats


def test_a_window_clerk_takes_the_whole_bundle_in_at_one_counter(as_user, restaurant, id_number):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.guide_samples import PDF
    from yiwang.bundles.models import BundleApplication
    from yiwang.cases.models import Case

    clerk = as_user("demo-clerk")
    assert "/workbench/bundles/open-restaurant/intake/" in clerk.get("/workbench/bundles/").content.decode()
    answers = {"a-seats": "20", "a-signboard": "no", "a-prepacked_only": "no"}
    step = clerk.get("/workbench/bundles/open-restaurant/intake/", answers).content.decode()
    files = re.findall(r'name="(m-\d+)"', step)
    post = {**answers, "f-shop_name": "王五面馆", "f-shop_address": "人民路 9 号", "f-area": "40"}
    post.update({"f-applicant_name": "王五", "f-applicant_phone": "13900001111", "delivery-method": "pickup"})
    post.update(
        {name: SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf") for name in files}
    )
    post["idempotency_key"] = "window-1"
    missing = clerk.post("/workbench/bundles/open-restaurant/intake/", post)
    assert missing.status_code == 422 and "身份证" in missing.content.decode()
    post.update(
        {
            "applicant-name": "王五",
            "applicant-id_number": id_number(seq="456"),
            "applicant-phone": "13900001111",
        }
    )
    post.update(
        {name: SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf") for name in files}
    )
    done = clerk.post("/workbench/bundles/open-restaurant/intake/", post)
    assert done.status_code == 302
    application = BundleApplication.objects.get(applicant_name="王五")
    assert application.channel == "window"
    cases = Case.objects.filter(bundle_member__application=application)
    assert {c.channel for c in cases} == {"window"} and cases.count() == 2
    assert clerk.get(done["Location"]).status_code == 200


def test_a_definition_no_database_stores_is_refused_not_a_500(as_user, restaurant_entries):
    admin = as_user("demo-itemadmin")
    admin.post("/workbench/bundles/new/", {"name": "我要开小吃店", "code": "open-snack"})
    good = json.dumps(definition(restaurant_entries), ensure_ascii=False)
    for bad in (
        good.replace('"经营场所有多少个座位？"', '"座位\\ud800"'),  # a lone surrogate, escaped
        good.replace('"above": 50', '"above": 1e400'),  # infinity
        good.replace('"questions": [', '"fields": [{"name": "X", "type": "nope"}], "questions": [', 1),
    ):
        assert bad != good
        page = admin.post(
            "/workbench/bundles/open-snack/", {"action": "save", "name": "我要开小吃店", "definition": bad}
        )
        assert page.status_code == 422, page.status_code
        assert "定义" in page.content.decode() or "字段" in page.content.decode()
    assert Bundle.objects.get(code="open-snack").versions.get().definition == {}
