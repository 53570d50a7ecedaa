"""Delivery and the contact phone are asked once (issue 13): a form field that repeats the
platform's own step (送达方式, 邮寄地址, 收件人, 领取方式 … or the applicant's 联系电话) is found by one
predicate (`form_schema.duplicates_platform_step`), flagged by the guide audit as a warning, and
left out of the application, through the portal and the API alike: not asked, not required, not
stored. An older case that holds such a value still shows it (masked)."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

from case_fixtures import FORM
from catalog.guide_samples import GOOD, PDF
from yiwang.cases import drafts, queries
from yiwang.cases.models import Case
from yiwang.catalog import form_schema, rules

DELIVERY = {
    "name": "delivery",
    "label": "结果领取方式",
    "type": "choice",
    "required": True,
    "options": [{"value": "window", "label": "窗口自取"}, {"value": "mail", "label": "邮寄送达（免费）"}],
}
MAIL_ADDRESS = {
    "name": "mail_address",
    "label": "邮寄地址",
    "type": "address",
    "show_if": {"field": "delivery", "equals": "mail"},
}
MAIL_COPIES = {
    "name": "mail_copies",
    "label": "邮寄份数",
    "type": "number",
    "show_if": {"field": "delivery", "equals": "mail"},
}
PHONE = {
    "name": "applicant_phone",
    "label": "联系电话",
    "type": "phone",
    "required": True,
    "prefill": "phone",
}
DUPLICATING = {"fields": [*FORM["fields"], PHONE, DELIVERY, MAIL_ADDRESS, MAIL_COPIES]}
ASKED = [f["name"] for f in FORM["fields"]]
DROPPED = ["applicant_phone", "delivery", "mail_address", "mail_copies"]


# --- The predicate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind", "step"),
    [
        ("结果领取方式", "choice", "delivery"),
        ("送达方式", "choice", "delivery"),
        ("证照领取方式", "choice", "delivery"),
        ("邮寄地址", "address", "delivery"),
        ("收件地址", "text", "delivery"),
        ("收件人", "text", "delivery"),
        ("收件人电话", "phone", "delivery"),
        ("是否需要邮寄", "choice", "delivery"),
        ("联系电话", "phone", "contact_phone"),
        ("联系电话（手机）", "phone", "contact_phone"),
        ("手机号码", "text", "contact_phone"),
        ("申请人联系电话", "phone", "contact_phone"),
        ("经办人联系电话", "phone", "contact_phone"),
        # Another person's phone, a place, a name: not the platform's questions.
        ("法定代表人电话", "phone", None),
        ("食品安全管理人员电话", "phone", None),
        ("另一方联系电话", "phone", None),
        ("紧急联系人电话", "phone", None),
        ("联系电话", "number", None),
        ("经营场所", "address", None),
        ("通讯地址", "address", None),
        ("店铺名称", "text", None),
    ],
)
def test_the_predicate_reads_the_label(label, kind, step):
    assert form_schema.duplicates_platform_step({"name": "x", "label": label, "type": kind}) == step


def test_a_table_or_a_malformed_field_repeats_nothing():
    table = {"name": "t", "label": "收件人", "type": "table", "columns": [PHONE]}
    assert form_schema.duplicates_platform_step(table) is None
    assert form_schema.duplicates_platform_step("邮寄地址") is None
    assert form_schema.duplicates_platform_step({"name": "x"}) is None


def test_the_application_schema_drops_them_and_what_only_they_show():
    schema = form_schema.application_schema(DUPLICATING)
    assert [f["name"] for f in schema["fields"]] == ASKED
    assert [f["name"] for f in DUPLICATING["fields"]] == ASKED + DROPPED  # the stored form unchanged
    assert form_schema.application_schema(FORM) is FORM  # nothing repeated: the same schema
    assert form_schema.schema_errors(schema) == []


# --- The guide audit -----------------------------------------------------------------------------


def test_the_audit_warns_at_the_form_with_a_fix():
    doc = {
        **GOOD,
        "form_schema": DUPLICATING,
        "situations": [{"seq": 1, "name": "连锁", "form_schema": {"fields": [PHONE]}}],
    }
    found = [f for f in rules.audit(doc) if f.rule == "form_duplicates_platform_step"]
    assert [(f.element, f.severity) for f in found] == [("form_schema", rules.WARNING)] * 3 + [
        ("situations.0.form_schema", rules.WARNING)
    ]
    messages = [f.message for f in found]
    assert "表单字段“邮寄地址”与平台的送达方式重复，申请时不会再问。" in messages
    assert "表单字段“结果领取方式”与平台的送达方式重复，申请时不会再问。" in messages
    assert "表单字段“联系电话”与平台的联系电话重复，申请时不会再问。" in messages
    assert all("删除该字段" in f.suggestion for f in found)
    # A warning: it does not block submitting or publishing the guide.
    assert not [f for f in rules.errors_of(rules.audit(doc)) if f.rule == "form_duplicates_platform_step"]
    assert not [
        f for f in rules.audit({**GOOD, "form_schema": FORM}) if f.rule == "form_duplicates_platform_step"
    ]


# --- The application: portal and API agree -------------------------------------------------------


@pytest.fixture
def duplicating(make_published):
    return make_published(form_schema=DUPLICATING, express_delivery=True)


def test_the_portal_does_not_ask_require_or_store_them(client, users, duplicating):
    citizen = users["demo-citizen"]
    client.force_login(citizen)
    response = client.post(reverse("portal:case-start", args=[duplicating.code]), {"applicant": "self"})
    assert response.status_code == 302
    case = Case.objects.get(entry=duplicating)
    assert set(case.form_data) <= set(ASKED)  # the profile's phone prefilled nothing in the form
    assert case.contact_phone  # … but the platform's own 联系电话

    page = client.get(reverse("portal:case", args=[case.draft_key])).content.decode()
    for name in DROPPED:
        assert f'name="f-{name}' not in page
    assert "结果领取方式" not in page and "邮寄地址" not in page and "邮寄份数" not in page
    assert page.count(">联系电话<") == 2  # the platform's field and its line in the review, once each

    save = reverse("portal:case-save", args=[case.draft_key])
    post = {
        "has_form": "1",
        "f-applicant_name": "张三",
        "f-shop_name": "好味道小吃",
        "f-area": "45",
        "f-applicant_phone": "13900000000",
        "f-delivery": "mail",
        "f-mail_copies": "2",
        "contact_phone": "13812345678",
        "delivery_method": "pickup",
        "do": "save",
    }
    assert client.post(save, post).status_code == 302
    case.refresh_from_db()
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
    response = client.post(save, {**post, "do": "submit"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == "submitted"
    assert set(case.form_data) == set(ASKED)
    assert case.contact_phone == "13812345678" and case.delivery.method == "pickup"
    labels = [a.label for a in queries.form_answers(case, full=True)]
    assert labels == ["申请人姓名", "店铺名称", "经营面积（平方米）"]  # no empty 联系电话 or 领取方式


def test_the_api_does_not_require_or_store_them(client, api_token, duplicating):
    token = api_token("demo-citizen")
    materials = [m for m in duplicating.published.materials.all() if m.situation_id is None]
    body = {
        "entry": duplicating.code,
        "form_data": {"shop_name": "好味道小吃", "area": 45, "delivery": "mail", "applicant_phone": "139"},
        "contact_phone": "13812345678",
        "delivery": {"method": "pickup"},
        "materials": [
            {"material": m.pk, "filename": "a.pdf", "content_base64": base64.b64encode(PDF).decode()}
            for m in materials
        ],
    }
    response = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # Neither the required 联系电话 (not asked, so not missing) nor the bad "139" (not read) stops it.
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.state == "submitted" and set(case.form_data) == set(ASKED)
    assert case.contact_phone == "13812345678"


def test_an_older_case_still_shows_its_value_masked(submitted, duplicating):
    case = submitted(entry=duplicating)
    Case.objects.filter(pk=case.pk).update(form_data={**case.form_data, "applicant_phone": "13912345678"})
    case.refresh_from_db()
    shown = {a.label: a.text for a in queries.form_answers(case, full=False)}
    assert shown["联系电话"] == "139****5678"
    assert "结果领取方式" not in shown  # no value: not listed
