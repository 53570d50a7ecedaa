"""The correction notice (一次性告知) built from the case (issue 13): the clerk names the case's own
materials and form fields, each with preset reasons and a note, plus an overall note; the service
keeps it as a structured list; the applicant reads it in words (API, case page, in-site notice) and
can fix exactly those. The shape before the reasons is still accepted and still shown, and bad input
is a 422 naming the item, never a 500. Through the public API and pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases import drafts
from yiwang.cases.corrections import CORRECTION_REASONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, api_token):
    tokens: dict[str, str] = {}

    def call(method: str, path: str, username: str, body=None, **headers):
        if username not in tokens:
            tokens[username] = api_token(username)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[username]}"
        if body is None:
            return getattr(client, method)(f"/api/v1{path}", **headers)
        return getattr(client, method)(f"/api/v1{path}", body, content_type="application/json", **headers)

    return call


def correct(api, case, body: dict, username: str = "demo-clerk"):
    return api("post", f"/cases/{case.number}/actions", username, {"action": "request_correction", **body})


def materials_of(case):
    return [i.material for i in drafts.checklist(case)]


def test_the_notice_is_a_structured_list_the_applicant_reads_in_words(
    api, api_token, client, submitted, as_user, deliver_outbox
):
    case = submitted()
    form_material, licence = materials_of(case)
    response = correct(
        api,
        case,
        {
            "items": [
                {"kind": "material", "material": form_material.pk, "reasons": ["missing_signature"]},
                {
                    "material": licence.pk,
                    "reasons": ["expired", "unclear_scan", "expired"],
                    "note": "请上传有效期内的营业执照",
                },
                {"kind": "field", "field": "shop_name", "reasons": ["inconsistent"]},
            ],
            "reason": "请于十个工作日内补正。",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "correction_requested"
    case.refresh_from_db()
    correction = case.corrections.get()
    assert correction.note == "请于十个工作日内补正。"
    assert correction.items == [
        {
            "kind": "material",
            "material": form_material.pk,
            "field": None,
            "label": form_material.name,
            "reasons": ["missing_signature"],
            "note": "",
        },
        {
            "kind": "material",
            "material": licence.pk,
            "field": None,
            "label": licence.name,
            "reasons": ["expired", "unclear_scan"],  # repeated codes kept once
            "note": "请上传有效期内的营业执照",
        },
        {
            "kind": "field",
            "material": None,
            "field": "shop_name",
            "label": "店铺名称",
            "reasons": ["inconsistent"],
            "note": "",
        },
    ]

    # --- The applicant: the API, the case page and the in-site notice, in words ---------------
    detail = api("get", f"/cases/{case.number}", "demo-citizen").json()
    assert [i["label"] for i in detail["correction"]] == [form_material.name, licence.name, "店铺名称"]
    assert detail["correction"][1]["reason_labels"] == ["已过有效期", "扫描件不清晰"]
    assert detail["correction_note"] == "请于十个工作日内补正。"
    page = as_user("demo-citizen").get(f"/my/cases/{case.number}/").content.decode()
    section = page[page.index('id="correction"') :]
    section = section[: section.index("</section>")]
    assert "需要补正以下 3 项" in section
    for words in (
        "缺少签名或盖章",
        "已过有效期",
        "扫描件不清晰",
        "内容与其他材料不一致",
        "请上传有效期内的营业执照",
    ):
        assert words in section
    assert "补正说明" in section and "请于十个工作日内补正。" in section
    assert "missing_signature" not in section  # codes never reach the applicant
    deliver_outbox()
    notices = api("get", "/notices", "demo-citizen").json()["results"]
    body = next(n["body"] for n in notices if "补正" in n["title"])
    assert f"1. {form_material.name}：缺少签名或盖章" in body
    assert f"2. {licence.name}：已过有效期、扫描件不清晰；请上传有效期内的营业执照" in body
    assert "3. 店铺名称：内容与其他材料不一致" in body and "补正说明：请于十个工作日内补正。" in body
    # The staff page keeps the record in words too.
    staff_page = as_user("demo-clerk").get(f"/workbench/cases/{case.number}/").content.decode()
    assert "已过有效期、扫描件不清晰；请上传有效期内的营业执照" in staff_page

    # --- The applicant fixes exactly those: the named field and materials, nothing else --------
    area = api("put", f"/cases/{case.number}/form", "demo-citizen", {"form_data": {**FORM_DATA, "area": 99}})
    assert area.status_code == 200 and area.json()["form_data"]["area"] == FORM_DATA["area"]
    named = api(
        "put", f"/cases/{case.number}/form", "demo-citizen", {"form_data": {"shop_name": "好味道小吃店"}}
    )
    assert named.json()["form_data"]["shop_name"] == "好味道小吃店"
    resubmit = api("post", f"/cases/{case.number}/actions", "demo-citizen", {"action": "resubmit"})
    assert resubmit.status_code == 422
    assert set(resubmit.json()["fields"]) == {f"material.{form_material.pk}", f"material.{licence.pk}"}
    token = api_token("demo-citizen")
    for material in (form_material, licence):
        uploaded = client.post(
            f"/api/v1/cases/{case.number}/materials",
            {
                "file": SimpleUploadedFile(f"{material.name}-补正.pdf", PDF, "application/pdf"),
                "material": material.pk,
            },
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert uploaded.status_code == 201, uploaded.content
    resubmit = api("post", f"/cases/{case.number}/actions", "demo-citizen", {"action": "resubmit"})
    assert resubmit.status_code == 200 and resubmit.json()["state"] == "submitted"
    assert resubmit.json()["correction"] is None


def test_the_shape_before_the_reasons_is_still_accepted_and_old_notices_still_read(api, submitted, as_user):
    from yiwang.cases.models import Case, Correction

    case = submitted()
    first = materials_of(case)[0]
    response = correct(
        api,
        case,
        {"items": [{"material": first.pk, "note": "请加盖公章"}, {"note": "请携带身份证原件"}], "reason": ""},
    )
    assert response.status_code == 200, response.content
    items = Case.objects.get(pk=case.pk).corrections.get().items
    assert [(i["kind"], i["reasons"], i["note"]) for i in items] == [
        ("material", [], "请加盖公章"),
        ("other", [], "请携带身份证原件"),
    ]

    # A case corrected before there were reasons: items stored as {material, field, label, note}.
    old = submitted()
    old_material = materials_of(old)[0]
    drafts_items = [
        {"material": old_material.pk, "field": None, "label": old_material.name, "note": "请盖章"},
        {"material": None, "field": "shop_name", "label": "店铺名称", "note": "与执照一致"},
        {"material": None, "field": None, "label": "", "note": "其他说明"},
    ]
    assert correct(api, old, {"items": [{"note": "placeholder"}]}).status_code == 200
    Correction.objects.filter(case=old).update(items=drafts_items)
    detail = api("get", f"/cases/{old.number}", "demo-citizen").json()
    assert [(i["kind"], i["label"], i["reasons"], i["note"]) for i in detail["correction"]] == [
        ("material", old_material.name, [], "请盖章"),
        ("field", "店铺名称", [], "与执照一致"),
        ("other", "", [], "其他说明"),
    ]
    page = as_user("demo-citizen").get(f"/my/cases/{old.number}/").content.decode()
    assert "请盖章" in page and "与执照一致" in page and "其他说明" in page
    staff_page = as_user("demo-clerk").get(f"/workbench/cases/{old.number}/").content.decode()
    assert f"{old_material.name}</strong>（材料）：请盖章" in staff_page
    assert "其他</strong>：其他说明" in staff_page


def test_the_openapi_document_declares_the_reasons_and_both_shapes(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    item = next(v for k, v in components.items() if k == "CorrectionItem")
    assert set(item["properties"]) == {"kind", "material", "field", "reasons", "note"}
    assert "note" in item["description"] and "material" in item["description"]
    body = components["ActionRequestCorrection"]["properties"]
    assert "兼容旧格式" in body["items"]["description"] and "总体说明" in body["reason"]["description"]
    reasons = components["CorrectionReason"]
    assert reasons["enum"] == list(CORRECTION_REASONS)
    described = item["properties"]["reasons"]["description"]
    assert all(label in described for label in CORRECTION_REASONS.values())


HUGE = "长" * 501


@pytest.mark.parametrize(
    ("items", "extra", "key", "words"),
    [
        (
            [{"material": 999999, "reasons": ["unclear_scan"]}],
            {},
            "items.0.material",
            "不属于本事项的材料清单",
        ),
        ([{"material": 2**70, "reasons": ["unclear_scan"]}], {}, "items.0.material", "不能大于"),
        ([{"material": "M1", "reasons": ["unclear_scan"]}], {}, "items.0.material", "应为数字"),
        ([{"field": "nope", "reasons": ["wrong_entry"]}], {}, "items.0.field", "表单中没有该字段"),
        ([{"kind": "material", "reasons": ["unclear_scan"]}], {}, "items.0.material", "请指明需要补正的材料"),
        ([{"kind": "other"}], {}, "items.0.note", "请写明需要补正的内容和要求"),
        ([{"field": "shop_name", "reasons": ["bogus"]}], {}, "items.0.reasons.0", "取值不在允许范围内"),
        ([{"field": "shop_name", "reasons": ["unclear_scan"]}], {}, "items.0.reasons", "不适用于表单字段"),
        ([{"field": "shop_name", "reasons": ["other"]}], {}, "items.0.note", "选择“其他”时"),
        ([{"field": "shop_name"}], {}, "items.0.reasons", "请选择补正原因"),
        ([{"field": "shop_name", "note": HUGE}], {}, "items.0.note", "长度不能超过 500"),
        ([{"field": "shop_name", "note": "a\x00b"}], {}, "items.0.note", "空字符"),
        (
            [{"field": "shop_name", "reasons": ["wrong_entry"], "colour": "red"}],
            {},
            "items.0.colour",
            "不认识",
        ),
        ([{"field": "shop_name", "reasons": ["wrong_entry"]}], {"reason": "说" * 2001}, "reason", "不能超过"),
        ([], {}, "items", "请至少勾选一项"),
        ("all of it", {}, "items", "格式不正确"),
        ([{"note": "x"}] * 201, {}, "items", "最多 200 项"),
    ],
)
def test_bad_input_is_a_422_naming_the_item(api, submitted, items, extra, key, words):
    case = submitted()
    response = correct(api, case, {"items": items, **extra})
    assert response.status_code == 422, response.content
    body = response.json()
    assert key in body["fields"], body
    assert any(words in m for m in body["fields"][key]), body
    case.refresh_from_db()
    assert case.state == "submitted" and not case.corrections.exists()


def test_a_material_or_field_listed_twice_or_both_at_once_is_refused(api, submitted):
    case = submitted()
    first = materials_of(case)[0]
    twice = correct(
        api,
        case,
        {
            "items": [
                {"material": first.pk, "reasons": ["unclear_scan"]},
                {"material": first.pk, "reasons": ["missing_pages"]},
            ]
        },
    )
    assert twice.status_code == 422 and "与第 1 项重复" in twice.json()["fields"]["items.1.material"][0]
    both = correct(
        api, case, {"items": [{"material": first.pk, "field": "shop_name", "reasons": ["inconsistent"]}]}
    )
    assert both.status_code == 422 and "一项只能指向" in both.json()["fields"]["items.0.field"][0]
    # An overall note alone is a notice (nothing ticked, everything said in words).
    alone = correct(api, case, {"reason": "请到窗口核验身份证原件。"})
    assert alone.status_code == 200 and alone.json()["correction"] == []
    assert alone.json()["correction_note"] == "请到窗口核验身份证原件。"


def test_the_workbench_form_refuses_bad_posts_at_the_field(as_user, submitted):
    case = submitted()
    first = materials_of(case)[0]
    client = as_user("demo-clerk")

    def post(data: dict):
        payload = {"action": "request_correction", "revision": case.revision}
        payload.update({f"request_correction-{k}": v for k, v in data.items()})
        return client.post(f"/workbench/cases/{case.number}/act/", payload)

    response = post({f"m{first.pk}": "on", f"m{first.pk}_reasons": "bogus"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="errors-request_correction"' in page and "bogus" in page  # Django: not a valid choice
    response = post({f"m{first.pk}": "on", f"m{first.pk}_reasons": "unclear_scan", f"m{first.pk}_note": HUGE})
    assert response.status_code == 400 and "500" in response.content.decode()
    response = post({f"m{first.pk}": "on", f"m{first.pk}_note": "a\x00b"})
    assert response.status_code == 400  # the request guard: text no database can store
    # A field offers only the reasons that fit a field.
    page = client.get(f"/workbench/cases/{case.number}/").content.decode()
    shop = page[page.index('name="request_correction-f_shop_name_reasons"') - 2000 :]
    shop = shop[: shop.index("request_correction-f_shop_name_note")]
    assert "信息填写有误" in shop and "扫描件不清晰" not in shop
    case.refresh_from_db()
    assert case.state == "submitted"
