"""The workbench's licence pages (电子证照): seals for platform administrators, the licences issued
with their status changes and new versions, the approver's adjustments on the case page before
signing, materials provided by a licence shown as verified, and the licence types."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from licences.licence_fixtures import BUSINESS_SCHEMA, FOOD_SCHEMA, licence_type
from yiwang.cases import clock, drafts, services
from yiwang.licences import issuing, keys, reuse, statuses, verification
from yiwang.licences.models import Licence, LicenceDraft, LicenceType, SealKey, Status

from .htmlforms import form_fields

pytestmark = pytest.mark.django_db

SEALS = "/workbench/seals/"
LICENCES = "/workbench/licences/"
TYPES = "/workbench/licence-types/"


def text(response) -> str:
    return response.content.decode()


def licence_url(licence, suffix: str = "") -> str:
    return f"{LICENCES}{licence.identifier}/{suffix}"


def case_url(case, suffix: str = "") -> str:
    return f"/workbench/cases/{case.number}/{suffix}"


@pytest.fixture
def licence(submitted, approve, food_type, seal_key, deliver_outbox):
    """The food business permit issued from an approved case of demo-citizen."""
    case = approve(submitted())
    deliver_outbox()
    return Licence.objects.select_related("licence_type", "issuer").get(case=case, version=1)


# --- 电子印章 ------------------------------------------------------------------------------------


def test_admin_generates_rotates_and_withdraws_a_key(as_user, published, food_type, market):
    admin = as_user("demo-admin")
    page = text(admin.get(SEALS))
    assert (
        market.name in page and "没有可用的密钥" in page and "生成密钥" in page and "食品经营许可证" in page
    )
    response = admin.post(f"/workbench/seals/departments/{market.pk}/keys/")
    assert response.status_code == 302
    first = SealKey.objects.get(department=market)
    page = text(admin.get(SEALS))
    assert first.kid in page and "使用中" in page and "轮换密钥" in page
    # Rotation: a new key in use, the first one closed but not withdrawn.
    admin.post(f"/workbench/seals/departments/{market.pk}/keys/")
    first.refresh_from_db()
    second = keys.current_key(market)
    assert second.pk != first.pk and first.valid_until is not None and first.withdrawn_at is None
    page = text(admin.get(SEALS))
    assert "已轮换" in page and second.kid in page
    # Withdrawal needs a reason.
    response = admin.post(
        f"/workbench/seals/keys/{first.kid}/withdraw/", {f"withdraw-{first.kid}-reason": " "}
    )
    assert response.status_code == 400 and "请填写原因" in text(response)
    first.refresh_from_db()
    assert first.withdrawn_at is None
    fields = form_fields(text(admin.get(SEALS)), form_id=f"withdraw-{first.kid}")
    fields[f"withdraw-{first.kid}-reason"] = "密钥介质遗失"
    response = admin.post(f"/workbench/seals/keys/{first.kid}/withdraw/", fields)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.withdrawn_reason == "密钥介质遗失"
    page = text(admin.get(SEALS))
    assert "已撤销" in page and "密钥介质遗失" in page
    # Nothing private, not even sealed.
    for key in SealKey.objects.filter(department=market):
        assert bytes(key.private_sealed).hex() not in page
        assert keys.private_of(key).hex() not in page


def test_seals_are_for_platform_administrators_only(as_user, client, published, food_type, market, staff):
    for username in ("demo-approver", "demo-itemadmin", "demo-supervisor"):
        user = as_user(username)
        assert user.get(SEALS).status_code == 403, username
        assert user.post(f"/workbench/seals/departments/{market.pk}/keys/").status_code == 403
    assert not SealKey.objects.exists()
    client.force_login(staff["demo-citizen"])
    assert client.get(SEALS).status_code == 404
    admin = as_user("demo-admin")
    assert admin.post("/workbench/seals/departments/999999/keys/").status_code == 404
    assert admin.post("/workbench/seals/keys/0000000000000000/withdraw/", {}).status_code == 404


def test_home_links_by_role(as_user, region):
    admin = text(as_user("demo-admin").get("/workbench/"))
    assert all(u in admin for u in (SEALS, LICENCES, TYPES))
    approver = text(as_user("demo-approver").get("/workbench/"))
    assert LICENCES in approver and SEALS not in approver and TYPES not in approver
    itemadmin = text(as_user("demo-itemadmin").get("/workbench/"))
    assert TYPES in itemadmin and LICENCES not in itemadmin and SEALS not in itemadmin


# --- 证照管理 ------------------------------------------------------------------------------------


def test_approver_suspends_and_restores_with_reasons(as_user, client, licence):
    approver = as_user("demo-approver")
    page = text(approver.get(licence_url(licence)))
    assert (
        licence.number in page
        and 'id="status-form-suspend"' in page
        and 'id="status-form-restore"' not in page
    )
    assert 'id="reissue-form"' in page
    # The reason is required.
    response = approver.post(
        licence_url(licence, "status/"), {"action": "suspend", "status-suspend-reason": ""}
    )
    assert response.status_code == 400 and "请填写原因" in text(response)
    reason = "食品安全检查不合格，责令整改"
    response = approver.post(
        licence_url(licence, "status/"), {"action": "suspend", "status-suspend-reason": reason}
    )
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == Status.SUSPENDED and licence.status_reason == reason
    answer = verification.by_identifier(licence.identifier)
    assert answer.code == "suspended" and answer.status_reason == reason
    public = text(client.get(reverse("portal:licence-verify") + f"?id={licence.identifier}"))
    assert "暂扣" in public and reason in public
    page = text(approver.get(licence_url(licence)))
    assert 'id="status-form-restore"' in page and 'id="status-form-suspend"' not in page
    assert reason in page and "张志强" in page  # the history with its reason and actor
    # Suspending twice is not allowed now: the service's message, 409.
    response = approver.post(
        licence_url(licence, "status/"), {"action": "suspend", "status-suspend-reason": "再次"}
    )
    assert response.status_code == 409 and "暂扣" in text(response)
    response = approver.post(
        licence_url(licence, "status/"), {"action": "restore", "status-restore-reason": "整改完成"}
    )
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == Status.VALID
    assert verification.by_identifier(licence.identifier).code == "valid"
    page = text(approver.get(licence_url(licence)))
    assert "整改完成" in page and "恢复有效" in page


def test_list_filters_and_search(as_user, licence):
    approver = as_user("demo-approver")
    page = text(approver.get(LICENCES))
    assert licence.number in page and "食品经营许可证" in page
    assert licence.number in text(approver.get(LICENCES + "?q=" + licence.number[-5:]))
    assert licence.number in text(approver.get(LICENCES + "?q=张三"))
    assert licence.number not in text(approver.get(LICENCES + "?q=李四"))
    assert licence.number in text(approver.get(LICENCES + "?status=01"))
    assert licence.number not in text(approver.get(LICENCES + "?status=02"))
    # Supervisors see the subtree's licences, the issuer named, a person's name masked.
    page = text(as_user("demo-supervisor").get(LICENCES))
    assert licence.number in page and licence.issuer.name in page and "张*" in page


def test_reviewer_sees_the_licence_but_no_status_forms(as_user, licence):
    reviewer = as_user("demo-reviewer")
    assert licence.number in text(reviewer.get(LICENCES))
    page = text(reviewer.get(licence_url(licence)))
    assert licence.number in page and licence.holder_id in page  # the issuing department reads in full
    assert "status-form-" not in page and 'id="reissue-form"' not in page
    assert "由发证部门的审批人员办理" in page
    response = reviewer.post(
        licence_url(licence, "status/"), {"action": "suspend", "status-suspend-reason": "x"}
    )
    assert response.status_code == 403
    assert reviewer.post(licence_url(licence, "reissue/"), {"reissue-reason": "x"}).status_code == 403
    licence.refresh_from_db()
    assert licence.status == Status.VALID and not Licence.objects.filter(previous=licence).exists()


def test_staff_of_another_department_get_404(as_user, client, licence, staff):
    other = as_user("demo-reviewer-civil")  # reviewer and approver of the civil affairs bureau
    assert licence.number not in text(other.get(LICENCES))
    assert other.get(licence_url(licence)).status_code == 404
    response = other.post(
        licence_url(licence, "status/"), {"action": "suspend", "status-suspend-reason": "x"}
    )
    assert response.status_code == 404
    assert other.post(licence_url(licence, "reissue/"), {"reissue-reason": "x"}).status_code == 404
    assert as_user("demo-itemadmin").get(LICENCES).status_code == 403  # no licence role
    client.force_login(staff["demo-citizen"])  # the holder: the portal's wallet, not the workbench
    assert client.get(LICENCES).status_code == 404 and client.get(licence_url(licence)).status_code == 404


def test_reissue_creates_version_2(as_user, licence):
    approver = as_user("demo-approver")
    fields = form_fields(text(approver.get(licence_url(licence))), form_id="reissue-form")
    assert fields["d-shop_name"] == FORM_DATA["shop_name"] and fields["d-operator"] == "张三"  # prefilled
    fields["d-area"] = "很大"
    fields["reissue-reason"] = ""
    response = approver.post(licence_url(licence, "reissue/"), fields)
    assert response.status_code == 400 and "请填写原因" in text(response)
    fields["reissue-reason"] = "变更店铺名称"
    response = approver.post(licence_url(licence, "reissue/"), fields)
    assert response.status_code == 400 and "请输入数字" in text(response)
    assert 'value="很大"' in text(response)  # what was typed is kept
    fields.update({"d-area": "60", "d-shop_name": "好味道小吃（新店名）"})
    response = approver.post(licence_url(licence, "reissue/"), fields)
    assert response.status_code == 302
    fresh = Licence.objects.get(previous=licence)
    assert response["Location"] == licence_url(fresh)
    assert fresh.version == 2 and fresh.serial == licence.serial and fresh.document_id is not None
    assert fresh.data["shop_name"] == "好味道小吃（新店名）" and fresh.data["area"] == 60
    licence.refresh_from_db()
    assert licence.status == Status.EXPIRED
    assert verification.by_identifier(fresh.identifier).code == "valid"
    page = text(approver.get(licence_url(fresh)))
    assert "变更店铺名称" in page and "查看上一版本" in page and "好味道小吃（新店名）" in page
    page = text(approver.get(licence_url(licence)))
    assert "查看新版本" in page and 'id="reissue-form"' not in page and "status-form-" not in page


# --- On the case page -----------------------------------------------------------------------------


def test_approver_adjusts_the_licence_before_approval(
    as_user, submitted, food_type, seal_key, users, deliver_outbox
):
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step")
    approver = as_user("demo-approver")
    page = text(approver.get(case_url(case)))
    assert "将签发的电子证照" in page and "食品经营许可证" in page
    fields = form_fields(page, form_id="licence-form")
    assert fields["lic-shop_name"] == FORM_DATA["shop_name"] and fields["lic-operator"] == "张三"
    # The reviewer sees what will be issued, but cannot change it.
    reviewer = as_user("demo-reviewer")
    page = text(reviewer.get(case_url(case)))
    assert "将签发的电子证照" in page and 'id="licence-form"' not in page and FORM_DATA["shop_name"] in page
    assert reviewer.post(case_url(case, "licence-draft/"), fields).status_code == 403
    # A bad value is refused next to its field, with what was typed.
    fields.update({"lic-shop_name": "好味道小吃（旗舰店）", "lic-area": "四十"})
    response = approver.post(case_url(case, "licence-draft/"), fields)
    assert (
        response.status_code == 400
        and "请输入数字" in text(response)
        and "好味道小吃（旗舰店）" in text(response)
    )
    assert not LicenceDraft.objects.filter(case=case).exists()
    fields["lic-area"] = "50"
    response = approver.post(case_url(case, "licence-draft/"), fields)
    assert response.status_code == 302
    assert "好味道小吃（旗舰店）" in text(approver.get(case_url(case)))
    services.act(users["demo-approver"], case, "approve")
    deliver_outbox()
    licence = Licence.objects.get(case=case)
    assert licence.data["shop_name"] == "好味道小吃（旗舰店）" and licence.data["area"] == 50
    page = text(approver.get(case_url(case)))
    assert "签发的电子证照" in page and licence.number in page and licence_url(licence) in page
    assert 'id="licence-form"' not in page
    # Decided: no more adjustments.
    assert approver.post(case_url(case, "licence-draft/"), fields).status_code == 409


def test_a_material_provided_by_a_licence_shows_as_verified(
    as_user, make_published, users, market, deliver_outbox
):
    from yiwang.catalog.models import Material

    entry = make_published(shared_licence=True)
    business = licence_type(market, code_suffix="003", name="营业执照", schema=BUSINESS_SCHEMA)
    Material.objects.filter(licence_type_code="LIC-BUSINESS").update(licence_type_code=business.code)
    keys.create_key(market, users["demo-admin"])
    citizen = users["demo-citizen"]
    person = citizen.person
    held = issuing.issue(
        licence_type=business,
        issuer=market,
        holder=issuing.person_holder(person),
        data={"name": person.name, "kind": "个体工商户"},
        issued_on=clock.today(),
    )
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, FORM_DATA)
    for item in drafts.checklist(case):
        if item.material.licence_type_code:
            reuse.use(citizen, case, item.material.pk, held.identifier)
        else:
            drafts.attach_material(citizen, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    case = drafts.submit(citizen, case)
    verify = reverse("portal:licence-verify") + f"?id={held.identifier}"
    for username in ("demo-clerk", "demo-reviewer"):
        page = text(as_user(username).get(case_url(case)))
        assert "电子证照 · 已核验" in page and verify in page, username
    # Once the licence is suspended, the materials list says so and why.
    statuses.change(held, "suspend", "责令停业整顿", users["demo-approver"])
    page = text(as_user("demo-reviewer").get(case_url(case)))
    assert "电子证照 · 已核验" not in page and "电子证照 · 核验未通过" in page and "已被暂扣" in page


def test_a_material_to_look_up_and_not_provided_tells_the_clerk_to_fetch_it(as_user, make_published, users):
    entry = make_published(shared_licence=True)
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, FORM_DATA)
    for item in drafts.checklist(case):
        if not item.material.licence_type_code:
            drafts.attach_material(citizen, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    case = drafts.submit(citizen, case)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(as_user("demo-clerk").get(case_url(case)))))
    materials = page.split("收到的材料", 1)[1][:300]
    assert "营业执照 必要 — 无需提交：请调取电子证照 （证照类型代码 LIC-BUSINESS）" in materials, materials


# --- 证照类型 ------------------------------------------------------------------------------------


def type_post(entry, market, **changes) -> dict:
    data = {
        "code": market.uscc + "009",
        "name": "小作坊登记证",
        "agency": str(market.pk),
        "holder_kind": "person",
        "validity_years": "3",
        "number_prefix": "ZF",
        "entries": [str(entry.pk)],
        "is_active": "on",
        "schema_text": json.dumps(FOOD_SCHEMA, ensure_ascii=False),
        "layout_shown": "shop_name\noperator",
        "layout_title": "",
        "layout_note": "",
    }
    data.update(changes)
    return data


def test_licence_type_form_refuses_bad_codes_and_schemas(as_user, published, market, region):
    itemadmin = as_user("demo-itemadmin")
    assert itemadmin.get(TYPES).status_code == 200
    page = text(itemadmin.get(TYPES + "new/"))
    assert published.name in page and market.name in page
    bad = {
        "code": ("123", "21位"),
        "schema_text": ("{", "不是有效的 JSON"),
    }
    for key, (value, message) in bad.items():
        response = itemadmin.post(TYPES + "new/", type_post(published, market, **{key: value}))
        assert response.status_code == 400 and message in text(response), key
    other = region.departments["city_hrss"]
    response = itemadmin.post(TYPES + "new/", type_post(published, market, code=other.uscc + "001"))
    assert response.status_code == 400 and "定义机构" in text(response) and market.uscc in text(response)
    broken = {"fields": [{"name": "Shop Name", "label": "店铺名称", "type": "text"}]}
    response = itemadmin.post(TYPES + "new/", type_post(published, market, schema_text=json.dumps(broken)))
    assert response.status_code == 400 and "小写字母开头" in text(response)
    unknown = {"fields": [{"name": "shop", "label": "店铺", "type": "colour"}]}
    response = itemadmin.post(TYPES + "new/", type_post(published, market, schema_text=json.dumps(unknown)))
    assert response.status_code == 400 and "不支持" in text(response)
    response = itemadmin.post(TYPES + "new/", type_post(published, market, validity_years="5000"))
    assert response.status_code == 400 and "1 到 100 年" in text(response)
    response = itemadmin.post(TYPES + "new/", type_post(published, market, layout_shown="nowhere"))
    assert response.status_code == 400 and "nowhere" in text(response)
    assert not LicenceType.objects.exists()
    response = itemadmin.post(TYPES + "new/", type_post(published, market))
    assert response.status_code == 302, text(response)
    created = LicenceType.objects.get()
    assert created.code == market.uscc + "009" and created.validity_years == 3
    assert list(created.entries.all()) == [published] and created.layout["shown"] == ["shop_name", "operator"]
    assert issuing.type_for_entry(published.pk) == created
    assert "小作坊登记证" in text(itemadmin.get(TYPES))
    # One type per entry: a second type for the same entry is refused.
    response = itemadmin.post(
        TYPES + "new/", type_post(published, market, code=market.uscc + "010", name="另一种")
    )
    assert response.status_code == 400 and "已核发其他证照类型" in text(response)
    # Blank validity means 长期.
    edit = f"{TYPES}{created.pk}/"
    fields = form_fields(text(itemadmin.get(edit)), form_id="type-form")
    fields["validity_years"] = ""
    assert itemadmin.post(edit, fields).status_code == 302
    created.refresh_from_db()
    assert created.validity_years is None


def test_licence_types_by_role_and_department(as_user, food_type, market):
    assert as_user("demo-reviewer").get(TYPES).status_code == 403
    assert as_user("demo-approver").get(f"{TYPES}{food_type.pk}/").status_code == 403
    hrss = as_user("demo-itemadmin-hrss")
    assert food_type.name not in text(hrss.get(TYPES))
    assert hrss.get(f"{TYPES}{food_type.pk}/").status_code == 404
    admin = as_user("demo-admin")
    assert food_type.name in text(admin.get(TYPES))
    assert admin.get(f"{TYPES}{food_type.pk}/").status_code == 200


def test_a_type_with_issued_licences_keeps_what_they_signed(as_user, licence):
    itemadmin = as_user("demo-itemadmin")
    edit = f"{TYPES}{licence.licence_type_id}/"
    page = text(itemadmin.get(edit))
    assert "已签发该类型的证照" in page
    fields = form_fields(page, form_id="type-form")
    fields.update({"name": "改过的名称", "number_prefix": "SP", "validity_years": "6"})
    assert itemadmin.post(edit, fields).status_code == 302
    licence.licence_type.refresh_from_db()
    assert licence.licence_type.name == "食品经营许可证" and licence.licence_type.number_prefix == "SP"
    assert verification.by_identifier(licence.identifier).code == "valid"
