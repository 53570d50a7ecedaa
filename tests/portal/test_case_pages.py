"""The applicant's case pages through the Django test client: start from the guide, fill and
autosave the form, upload materials, submit, the receipt and its PDF, 我的办件, the case page with
a correction answered, withdrawal, messages; and that nobody else reaches any of it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from case_fixtures import FORM_DATA, publish, seed_catalog_types
from catalog.guide_samples import PDF, PNG, db_document, make_entry, store_pdf
from yiwang.cases import clock, drafts, services, sweeps
from yiwang.cases.carriers import carrier
from yiwang.cases.models import Case
from yiwang.notices.models import Notice

JSON = {"HTTP_ACCEPT": "application/json"}


# --- Fixtures (media, users, published: tests/case_fixtures.py) ----------------------------------


@pytest.fixture
def with_situations(region, media, users, workday_calendar):
    """A published entry with two situations; the second has a material of its own."""
    seed_catalog_types()
    admin = users["demo-itemadmin"]
    blank, sample = store_pdf("申请书空白.pdf", admin), store_pdf("申请书样表.pdf", admin)
    document = db_document(
        str(blank.pk),
        str(sample.pk),
        situations=[
            {"seq": 1, "name": "新开店铺", "description": ""},
            {"seq": 2, "name": "连锁门店", "description": ""},
        ],
    )
    document["materials"].append(
        {"name": "总店授权书", "kind": "original", "necessity": "required", "situation": 2}
    )
    entry = make_entry(
        region.departments["city_market"], basic_code="150100777000", user=admin, document=document
    )
    return publish(entry, user=admin, reviewer=users["demo-approver"], audience="both")


@pytest.fixture
def citizen(client, users):
    client.force_login(users["demo-citizen"])
    return users["demo-citizen"]


def start(client, entry, **data):
    """Apply from the guide (demo-citizen is also demo-enterprise's agent: as themself by default)."""
    data.setdefault("applicant", "self")
    response = client.post(reverse("portal:case-start", args=[entry.code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    key = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Case.objects.get(draft_key=key)


def form_post(**values):
    """The application form as the page posts it (`has_form` marks that the form is there)."""
    return {"has_form": "1", **{f"f-{k}": v for k, v in values.items()}}


def upload(client, case, material_id, data=PDF, name="file.pdf"):
    ref = case.number or str(case.draft_key)
    return client.post(
        reverse("portal:case-upload", args=[ref]),
        {"material": "" if material_id is None else material_id, "file": SimpleUploadedFile(name, data)},
    )


def complete_draft(client, case):
    response = client.post(
        reverse("portal:case-save", args=[case.draft_key]),
        {**form_post(**FORM_DATA), "contact_phone": "13800138000", "delivery_method": "pickup", "do": "save"},
    )
    assert response.status_code == 302
    for item in drafts.checklist(case):
        assert upload(client, case, item.material.pk, name=f"{item.material.name}.pdf").status_code == 302


def submitted_case(client, entry):
    case = start(client, entry)
    complete_draft(client, case)
    response = client.post(reverse("portal:case-save", args=[case.draft_key]), {"do": "submit"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == "submitted"
    return case


def next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def text(response) -> str:
    """The page's text without tags, whitespace collapsed (for "is this named" checks)."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Starting ---------------------------------------------------------------------------------


def test_guide_offers_applying_and_sign_in_comes_back(client, published):
    guide = client.get(reverse("portal:guide", args=[published.code]))
    start_url = reverse("portal:case-start", args=[published.code])
    assert f'action="{start_url}"' in guide.content.decode()
    assert "申请办理" in text(guide)
    response = client.post(start_url, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert next_of(response) == start_url
    assert not Case.objects.exists()


def test_start_creates_a_draft_and_opens_the_application_page(client, citizen, published):
    case = start(client, published)
    assert case.state == "draft" and case.created_by == citizen
    page = client.get(reverse("portal:case", args=[case.draft_key]))
    assert page.status_code == 200
    body = text(page)
    for label in (
        "申请人姓名",
        "店铺名称",
        "经营面积（平方米）",
        "食品经营许可申请书",
        "营业执照",
        "提交申请",
    ):
        assert label in body
    assert "必要" in body and "未上传" in body
    # The 还缺 list names every missing field and material.
    missing = page.content.decode().split('id="missing-list"', 1)[1].split("</ul>", 1)[0]
    for name in ("店铺名称", "经营面积", "食品经营许可申请书", "营业执照"):
        assert name in missing
    assert "申请人姓名" not in missing  # prefilled from the profile
    # Starting again from the guide reopens the same draft instead of making another.
    again = start(client, published)
    assert again.pk == case.pk


def test_situation_and_agent_choices(client, users, with_situations):
    entry = with_situations
    client.force_login(users["demo-citizen"])  # also the authorised agent of demo-enterprise
    guide = client.get(reverse("portal:guide", args=[entry.code]))
    assert "情形2：连锁门店" in text(guide) and "代办企业：青山市好味道餐饮有限公司" in text(guide)
    start_url = reverse("portal:case-start", args=[entry.code])
    response = client.post(start_url, {"applicant": "self"})
    assert response.status_code == 400 and "请选择办理情形" in text(response)
    response = client.post(start_url, {"situation": "2"})
    assert response.status_code == 400 and "以谁的名义申请" in text(response)
    enterprise = users["demo-enterprise"].enterprise
    case = start(client, entry, situation="2", applicant=str(enterprise.pk))
    assert case.applicant_enterprise == enterprise and case.situation.seq == 2
    page = client.get(reverse("portal:case", args=[case.draft_key]))
    assert "总店授权书" in text(page)  # the situation's own material
    assert client.post(start_url, {"situation": "9", "applicant": "self"}).status_code == 400


def test_no_online_application_where_the_guide_offers_none(client, citizen, make_published, users):
    entry = make_published(online_depth=1)  # 网上咨询 only
    guide = client.get(reverse("portal:guide", args=[entry.code]))
    assert "暂不支持网上申请" in text(guide) and 'id="apply-button"' not in guide.content.decode()
    response = client.post(reverse("portal:case-start", args=[entry.code]), {"applicant": "self"})
    assert response.status_code == 400 and "暂不支持网上申请" in text(response)
    assert not Case.objects.exists()
    client.force_login(users["demo-clerk"])
    response = client.post(reverse("portal:case-start", args=[entry.code]), {})
    assert response.status_code == 302 and response["Location"] == reverse("portal:guide", args=[entry.code])
    assert client.get(reverse("portal:case-start", args=["NO-SUCH-CODE"])).status_code == 302
    client.force_login(citizen)
    assert client.get(reverse("portal:case-start", args=["NO-SUCH-CODE"])).status_code == 404


# --- Filling in: autosave, plain save, session expiry --------------------------------------------


def test_autosave_saves_every_valid_value_and_names_the_bad_ones(client, citizen, published):
    case = start(client, published)
    url = reverse("portal:case-save", args=[case.draft_key])
    response = client.post(url, {**form_post(shop_name="好味道", area="很大"), "do": "autosave"}, **JSON)
    # A refused value is a 422 naming it, its control and the message shown next to it; the
    # valid values are saved all the same.
    assert response.status_code == 422
    body = response.json()
    assert body["saved"] is False and body["code"] == "invalid" and body["saved_at"]
    assert [e["text"] for e in body["errors"]] == ["经营面积（平方米）：请输入数字。"]
    assert body["errors"][0]["href"] == "#sf-f-area" and body["errors"][0]["message"] == "请输入数字。"
    assert body["fields"] == {"area": ["请输入数字。"]}
    assert body["message"] == "经营面积（平方米）：请输入数字。"
    missing = " ".join(m["text"] for m in body["missing"])
    assert "经营面积" in missing and "营业执照" in missing and "店铺名称" not in missing
    case.refresh_from_db()
    assert case.form_data["shop_name"] == "好味道" and "area" not in case.form_data
    # A beacon sent while leaving the page (no JSON wanted) saves quietly.
    response = client.post(url, {**form_post(shop_name="好味道2"), "do": "autosave"})
    assert response.status_code == 204
    case.refresh_from_db()
    assert case.form_data["shop_name"] == "好味道2"


def test_plain_post_saves_without_script_and_shows_errors_next_to_fields(client, citizen, published):
    case = start(client, published)
    url = reverse("portal:case-save", args=[case.draft_key])
    response = client.post(url, {**form_post(**FORM_DATA), "contact_phone": "13800138000", "do": "save"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "已保存" in text(page)
    response = client.post(
        url, {**form_post(shop_name="新名字", area="-3"), "contact_phone": "12", "do": "save"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'href="#sf-f-area"' in html and 'href="#contact-phone"' in html
    assert 'aria-describedby="sf-f-area-error"' in html or "sf-f-area-error" in html
    assert 'value="-3"' in html  # what was typed stays on the page
    case.refresh_from_db()
    assert case.form_data["shop_name"] == "新名字" and case.form_data["area"] == 45  # the bad one kept
    assert case.contact_phone == "13800138000"


def test_expired_session_keeps_what_was_typed(client, users, published):
    client.force_login(users["demo-citizen"])
    case = start(client, published)
    client.logout()
    url = reverse("portal:case-save", args=[case.draft_key])
    response = client.post(url, {**form_post(shop_name="断线前"), "do": "autosave"}, **JSON)
    assert response.status_code == 401 and "next=" in response.json()["login_url"]
    response = client.post(url, {**form_post(shop_name="断线前", area="12"), "do": "save"})
    assert response.status_code == 302
    page_url = reverse("portal:case", args=[case.draft_key])
    assert response["Location"].startswith(reverse("accounts:login")) and next_of(response) == page_url
    client.force_login(users["demo-citizen"])  # signing in keeps the anonymous session's data
    page = client.get(page_url)
    assert page.status_code == 200 and "已恢复" in text(page)
    case.refresh_from_db()
    assert case.form_data["shop_name"] == "断线前" and case.form_data["area"] == 12


# --- Materials -------------------------------------------------------------------------------------


def test_uploads_are_checked_and_can_be_removed(client, citizen, published, monkeypatch):
    from yiwang.core import uploads

    case = start(client, published)
    first = drafts.checklist(case)[0].material
    response = upload(client, case, first.pk, data=b"just text, not a pdf", name="申请书.pdf")
    assert response.status_code == 400
    assert "文件内容不是允许的格式" in text(response)
    assert f'id="upload-{first.pk}-error"' in response.content.decode()
    monkeypatch.setattr(uploads, "DEFAULT_MAX_BYTES", 1024)
    response = upload(client, case, first.pk, data=PDF + b"0" * 2048, name="big.pdf")
    assert response.status_code == 413 and "文件过大" in text(response)
    monkeypatch.undo()
    assert upload(client, case, first.pk, data=PNG, name="photo.png").status_code == 302
    item = drafts.checklist(case)[0]
    assert item.provided and item.files[0].file.kind == "png"
    page = client.get(reverse("portal:case", args=[case.draft_key]))
    assert "photo.png" in text(page) and "已上传 1 个文件" in text(page)
    download = client.get(reverse("portal:case-file", args=[case.draft_key, item.files[0].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    remove = reverse("portal:case-remove-file", args=[case.draft_key, item.files[0].pk])
    assert client.post(remove).status_code == 302
    assert not drafts.checklist(case)[0].provided
    assert (
        client.post(reverse("portal:case-upload", args=[case.draft_key]), {"material": "abc"}).status_code
        == 404
    )
    response = client.post(reverse("portal:case-upload", args=[case.draft_key]), {"material": first.pk})
    assert response.status_code == 400 and "请选择要上传的文件" in text(response)
    response = upload(client, case, 999999)
    assert response.status_code == 400 and "不属于本事项" in text(response)


# --- Submitting, the receipt, 我的办件 ----------------------------------------------------------


def test_submit_with_problems_names_each_and_loses_nothing(client, citizen, published):
    case = start(client, published)
    response = client.post(
        reverse("portal:case-save", args=[case.draft_key]),
        {
            **form_post(applicant_name="张三", shop_name="好味道小吃"),
            "delivery_method": "pickup",
            "do": "submit",
        },
    )
    assert response.status_code == 400
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    for name in ("经营面积", "食品经营许可申请书", "营业执照"):
        assert name in summary
    assert "店铺名称" not in summary
    assert "填写正确的内容已保存" in text(response)
    case.refresh_from_db()
    assert case.state == "draft" and case.form_data["shop_name"] == "好味道小吃"


def test_submit_gives_a_receipt_and_its_pdf(client, citizen, published):
    case = submitted_case(client, published)
    response = client.post(reverse("portal:case-save", args=[case.draft_key]), {"do": "submit"})
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.number}/receipt/")
    receipt = client.get(reverse("portal:case-receipt", args=[case.number]))
    assert receipt.status_code == 200
    body = text(receipt)
    id_number = citizen.person.id_number
    assert case.number in body and "张三" in body and published.department.name in body
    assert id_number not in body and f"{id_number[:4]}**********{id_number[-4:]}" in body
    assert case.acceptance_due.strftime("%Y-%m-%d") in body
    assert "食品经营许可申请书" in body and "我的办件" in body
    pdf = client.get(reverse("portal:case-receipt-pdf", args=[case.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # The draft's old address leads to the case now.
    old = client.get(reverse("portal:case", args=[case.draft_key]))
    assert old.status_code == 302 and old["Location"] == reverse("portal:case", args=[case.number])


def test_my_cases_lists_drafts_and_cases_with_due_dates(client, citizen, published):
    case = submitted_case(client, published)
    draft = start(client, published)
    page = client.get(reverse("portal:cases"))
    assert page.status_code == 200
    body = text(page)
    assert case.number in body and "待受理" in body and "受理期限" in body
    assert "期限内" in body or "即将到期" in body  # urgency in words, not colour only
    assert reverse("portal:case", args=[draft.draft_key]) in page.content.decode() and "继续填写" in body
    assert client.get(reverse("portal:cases") + "?page=abc").status_code == 200
    assert client.get(reverse("portal:cases") + "?page=999").status_code == 200


def test_my_cases_has_no_n_plus_one(client, citizen, published, users, django_assert_max_num_queries):
    for _ in range(12):
        case = drafts.start_application(citizen, published)
        drafts.save_form(citizen, case, FORM_DATA)
        for item in drafts.checklist(case):
            drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
    for _ in range(3):
        drafts.start_application(citizen, published)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("portal:cases"))
    assert page.status_code == 200 and text(page).count("待受理") == 10
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:cases") + "?page=2").status_code == 200


# --- The case page: correction, decision, delivery, withdrawal --------------------------------


def test_correction_is_answered_through_the_page(client, citizen, published, users):
    case = submitted_case(client, published)
    first, second = (i.material for i in drafts.checklist(case))
    services.act(
        users["demo-clerk"],
        case,
        "request_correction",
        {
            "items": [
                {"material": first.pk, "note": "请加盖公章"},
                {"field": "shop_name", "note": "店铺名称应与营业执照一致"},
            ]
        },
    )
    page = client.get(reverse("portal:case", args=[case.number]))
    html, body = page.content.decode(), text(page)
    assert "补正告知（一次性告知）" in body and "请加盖公章" in body and "店铺名称应与营业执照一致" in body
    assert f'id="upload-{first.pk}"' in html and f'id="upload-{second.pk}"' not in html
    assert 'name="f-shop_name"' in html and 'name="f-area"' not in html
    assert "王晓梅" not in body  # the clerk's role and department, never their name
    assert "窗口人员" in body
    save = reverse("portal:case-save", args=[case.number])
    response = client.post(save, {**form_post(shop_name="好味道小吃店"), "do": "resubmit"})
    assert response.status_code == 400 and "食品经营许可申请书" in text(response)
    assert upload(client, case, second.pk).status_code == 409  # not listed in the notice
    assert upload(client, case, first.pk, name="盖章版.pdf").status_code == 302
    response = client.post(save, {**form_post(shop_name="好味道小吃店", area="999"), "do": "resubmit"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "submitted"
    assert case.form_data["shop_name"] == "好味道小吃店" and case.form_data["area"] == 45
    page = client.get(reverse("portal:case", args=[case.number]))
    assert "提交补正材料" in text(page) and "一次性告知补正" in text(page)  # in the timeline


def test_refusal_shows_reason_and_remedy_and_pickup_code(client, citizen, published, users):
    case = submitted_case(client, published)
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step", {"opinion": "材料齐全"})
    services.act(
        users["demo-approver"],
        case,
        "refuse",
        {"reason": "经营场所不符合要求", "remedy": services.REMEDY_DEFAULT},
    )
    services.act(users["demo-approver"], case, "complete")
    page = client.get(reverse("portal:case", args=[case.number]))
    body = text(page)
    assert "经营场所不符合要求" in body and "行政复议" in body and "行政诉讼" in body
    case.delivery.refresh_from_db()
    assert case.delivery.pickup_code and case.delivery.pickup_code in body
    for name in ("张志强", "李建国", "王晓梅"):
        assert name not in body
    for label in ("受理", "审查通过", "不予许可", "办结", "创建申请", "提交申请"):
        assert label in body
    timeline = body[body.index("办理过程") :] if "办理过程" in body else body
    assert "上传材料" not in timeline  # the case's steps, not each draft-time upload (issue 13)
    assert "撤回申请" not in body  # decided: too late to withdraw
    assert client.get(reverse("portal:case-withdraw", args=[case.number])).status_code == 302


def test_express_delivery_and_tracking(client, citizen, make_published, users, deliver_outbox):
    entry = make_published(express_delivery=True)
    case = start(client, entry)
    save = reverse("portal:case-save", args=[case.draft_key])
    response = client.post(save, {"delivery_method": "express", "delivery_recipient": "张三", "do": "save"})
    assert response.status_code == 400
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "收件人电话" in summary and "收件地址" in summary
    complete_draft(client, case)
    response = client.post(
        save,
        {
            "delivery_method": "express",
            "delivery_recipient": "张三",
            "delivery_phone": "13800138000",
            "delivery_address": "青山市人民路1号",
            "do": "submit",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step")
    services.act(users["demo-approver"], case, "approve")
    services.act(users["demo-approver"], case, "complete")
    services.act(users["demo-clerk"], case, "deliver", {"method": "express"})
    case = Case.objects.get(pk=case.pk)
    # Handed over; the carrier is booked after commit, by the worker (an outside system).
    body = text(client.get(reverse("portal:case", args=[case.number])))
    assert not case.delivery.tracking_number and "已交寄，正在向快递公司下单" in body
    deliver_outbox()
    case = Case.objects.get(pk=case.pk)
    notice = Notice.objects.filter(key="case_dispatched").get()
    assert case.delivery.tracking_number in notice.body
    carrier().record(case.delivery, "in_transit", "运输中：青山市分拨中心")  # as the carrier reports it
    body = text(client.get(reverse("portal:case", args=[case.number])))
    assert case.delivery.tracking_number in body and "运输中：青山市分拨中心" in body
    # One masking rule (cases.queries.reads_in_full): the applicant reads their own phone in full,
    # read-only staff see it masked (tests/cases/test_read_model.py).
    assert "张三（13800138000）" in body
    # On its way, not delivered: delivered when the carrier reports it signed for.
    assert case.state == "completed" and "寄递中：快递签收后即为送达" in body
    services.record_tracking(users["demo-clerk"], case, "signed", "本人签收")
    body = text(client.get(reverse("portal:case", args=[case.number])))
    assert Case.objects.get(pk=case.pk).state == "delivered" and "办理结果已送达" in body


def test_pending_materials_of_a_tolerant_acceptance_are_uploaded_from_the_case_page(
    client, citizen, make_published, users
):
    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    with clock.frozen(dt.date(2026, 11, 2)):
        case = start(client, entry)
        page = client.get(reverse("portal:case", args=[case.draft_key]))
        assert "可容缺" in text(page)
        first, second = (i.material for i in drafts.checklist(case))
        client.post(
            reverse("portal:case-save", args=[case.draft_key]), {**form_post(**FORM_DATA), "do": "save"}
        )
        assert upload(client, case, first.pk).status_code == 302
        response = client.post(reverse("portal:case-save", args=[case.draft_key]), {"do": "submit"})
        assert response.status_code == 302  # the tolerable material may be missing
        case.refresh_from_db()
        receipt = text(client.get(reverse("portal:case-receipt", args=[case.number])))
        assert "容缺后补的材料" in receipt and second.name in receipt  # named on the receipt
        services.act(
            users["demo-clerk"],
            case,
            "accept_with_pending",
            {"pending_materials": [second.pk], "commitment_date": "2026-11-06"},
        )
        receipt = text(client.get(reverse("portal:case-receipt", args=[case.number])))
        assert "请于 2026-11-06 前补交" in receipt  # and its date, once accepted with it pending
    with clock.frozen(dt.date(2026, 11, 9)):
        sweeps.flag_overdue_commitments()
        page = client.get(reverse("portal:case", args=[case.number]))
        html, body = page.content.decode(), text(page)
        assert "待补交的容缺材料" in body and "2026-11-06" in body and "已超过承诺日期" in body
        assert f'id="upload-{second.pk}"' in html and f'id="upload-{first.pk}"' not in html
        assert upload(client, case, first.pk).status_code == 409  # only the pending one
        assert upload(client, case, second.pk, name="补交.pdf").status_code == 302
    case.refresh_from_db()
    assert case.pending_materials == [] and not case.commitment_overdue
    assert "待补交的容缺材料" not in text(client.get(reverse("portal:case", args=[case.number])))


def test_withdraw_with_confirmation(client, citizen, published):
    case = submitted_case(client, published)
    url = reverse("portal:case-withdraw", args=[case.number])
    assert "撤回申请" in text(client.get(reverse("portal:case", args=[case.number])))
    confirm = client.get(url)
    assert confirm.status_code == 200 and "我确认撤回这项申请" in text(confirm)
    response = client.post(url, {"reason": "不需要了"})
    assert response.status_code == 400 and "请勾选" in text(response)
    case.refresh_from_db()
    assert case.state == "submitted"
    assert client.post(url, {"reason": "不需要了", "confirm": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "withdrawn"
    body = text(client.get(reverse("portal:case", args=[case.number])))
    assert "已撤回" in body and "不需要了" in body


# --- Messages ----------------------------------------------------------------------------------------


def test_notices_list_and_mark_read(client, citizen, published, users, deliver_outbox):
    case = submitted_case(client, published)
    deliver_outbox()
    space = client.get(reverse("portal:my-space"))
    assert "1 条未读" in text(space) and reverse("portal:cases") in space.content.decode()
    page = client.get(reverse("portal:notices"))
    assert page.status_code == 200 and case.number in text(page) and "未读" in text(page)
    notice = citizen.notices.get()
    assert client.post(reverse("portal:notice-read", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    services.act(users["demo-clerk"], case, "accept")
    deliver_outbox()
    assert citizen.notices.filter(read_at__isnull=True).count() == 1
    assert client.post(reverse("portal:notices-read-all")).status_code == 302
    assert not citizen.notices.filter(read_at__isnull=True).exists()
    other = users["demo-citizen2"].notices.create(key="x", title="别人的", body="…")
    assert client.post(reverse("portal:notice-read", args=[other.pk])).status_code == 404


# --- Access ------------------------------------------------------------------------------------------


def test_another_citizen_gets_404_everywhere(client, users, published):
    client.force_login(users["demo-citizen"])
    draft = start(client, published)
    case = submitted_case(client, published)
    received = case.materials.first()
    client.force_login(users["demo-citizen2"])
    for ref in (case.number, str(draft.draft_key)):
        assert client.get(reverse("portal:case", args=[ref])).status_code == 404
        assert client.post(reverse("portal:case-save", args=[ref]), {"do": "save"}).status_code == 404
        assert client.post(reverse("portal:case-upload", args=[ref]), {"material": ""}).status_code == 404
    for name in ("portal:case-receipt", "portal:case-receipt-pdf", "portal:case-withdraw"):
        assert client.get(reverse(name, args=[case.number])).status_code == 404
    assert client.get(reverse("portal:case-file", args=[case.number, received.pk])).status_code == 404
    # Forged numbers and keys, and another case's file through one's own case.
    for ref in ("15010012300020260101000001", str(uuid.uuid4()), "x" * 60, "../admin"):
        assert client.get(f"/my/cases/{ref}/").status_code == 404
    client.force_login(users["demo-citizen"])
    own = start(client, published, new="1")
    assert client.get(reverse("portal:case-file", args=[own.draft_key, received.pk])).status_code == 404
    assert (
        client.post(reverse("portal:case-remove-file", args=[own.draft_key, received.pk])).status_code == 404
    )
    # Staff use the workbench; the applicant's pages do not show them cases.
    client.force_login(users["demo-clerk"])
    assert client.get(reverse("portal:case", args=[case.number])).status_code == 404
    assert client.get(reverse("portal:cases")).status_code == 302


def test_the_enterprise_and_its_agent_both_see_the_enterprise_case(client, users, published):
    client.force_login(users["demo-citizen"])
    enterprise = users["demo-enterprise"].enterprise
    case = start(client, published, applicant=str(enterprise.pk))
    client.force_login(users["demo-enterprise"])
    assert client.get(reverse("portal:case", args=[case.draft_key])).status_code == 200
    assert (
        reverse("portal:case", args=[case.draft_key]) in client.get(reverse("portal:cases")).content.decode()
    )
    client.force_login(users["demo-citizen2"])
    assert client.get(reverse("portal:case", args=[case.draft_key])).status_code == 404


def test_a_draft_can_be_discarded_but_not_a_submitted_case(client, published, users, submitted):
    from yiwang.cases.models import Case

    client.force_login(users["demo-citizen"])
    draft = drafts.start_application(users["demo-citizen"], published)
    other = Client()
    other.force_login(users["demo-citizen2"])
    assert other.post(reverse("portal:case-discard", args=[draft.draft_key])).status_code == 404
    response = client.post(reverse("portal:case-discard", args=[draft.draft_key]))
    assert response.status_code == 302 and not Case.objects.filter(pk=draft.pk).exists()
    case = submitted()
    client.post(reverse("portal:case-discard", args=[case.number]))
    assert Case.objects.get(pk=case.pk).state == "submitted"


def test_discarding_a_draft_asks_first_and_the_list_links_by_the_items_name(as_user, published, users):
    from yiwang.cases.models import Case

    client = as_user("demo-citizen")
    draft = drafts.start_application(users["demo-citizen"], published)
    listing = client.get(reverse("portal:cases")).content.decode()
    ask = reverse("portal:case-discard", args=[draft.draft_key])
    assert f'href="{ask}"' in listing
    page = client.get(ask)
    assert page.status_code == 200 and "确认删除草稿" in page.content.decode()
    assert Case.objects.filter(pk=draft.pk).exists()  # asking deleted nothing
    assert client.post(ask).status_code == 302
    assert not Case.objects.filter(pk=draft.pk).exists()
