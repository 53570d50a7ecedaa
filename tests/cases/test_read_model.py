"""One read model of a case (cases.queries), masked by one rule (`queries.reads_in_full`): the
applicant and the staff who handle the case read ID numbers and phones in full; read-only staff
(supervisor, platform administrator, item administrator) read them masked. The same case through
the API, the applicant's portal page and the workbench page shows the same masking for the
applicant's ID number, the contact phone and the form's ID-number and phone fields (by the form
schema's types, a phone prefilled into a text field and a table's ID-number column included)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from case_fixtures import FORM
from catalog.guide_samples import PDF
from yiwang.cases import drafts
from yiwang.core.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db

READ_FORM = {
    "fields": [
        *FORM["fields"],
        {"name": "operator_id", "label": "经营者身份证号码", "type": "id_number", "required": True},
        {"name": "operator_phone", "label": "经营者电话", "type": "phone", "required": True},
        {"name": "mobile", "label": "备用手机", "type": "text", "prefill": "phone"},
        {
            "name": "staff",
            "label": "从业人员",
            "type": "table",
            "columns": [
                {"name": "name", "label": "姓名", "type": "text"},
                {"name": "id", "label": "身份证号码", "type": "id_number"},
            ],
        },
    ]
}
CONTACT_PHONE = "13700137000"
OPERATOR_PHONE = "13912345678"
MOBILE = "13611112222"

# Who reads the case in full: the applicant and the handling staff (window clerk of the city's
# hall, the department's approver); the read-only staff read it masked.
ROLES = {
    "demo-citizen": True,
    "demo-clerk": True,
    "demo-approver": True,
    "demo-supervisor": False,
    "demo-admin": False,
    "demo-itemadmin": False,
}


@pytest.fixture
def case(make_published, users, id_number):

    entry = make_published(form_schema=READ_FORM)
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    data = {
        "applicant_name": "张三",
        "shop_name": "好味道小吃",
        "area": 45,
        "operator_id": id_number(seq="456"),
        "operator_phone": OPERATOR_PHONE,
        "mobile": MOBILE,
        "staff": [{"name": "李四", "id": id_number(birth="19920101", seq="789")}],
    }
    drafts.save_form(citizen, case, data, contact_phone=CONTACT_PHONE)
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    return drafts.submit(citizen, case)


def secrets(case) -> dict[str, tuple[str, str]]:
    """Each personal value of the case: (in full, masked)."""
    data = case.form_data
    pairs = {
        "applicant_id": case.applicant_person.id_number,
        "contact_phone": CONTACT_PHONE,
        "operator_id": data["operator_id"],
        "operator_phone": OPERATOR_PHONE,
        "mobile": MOBILE,
        "staff_id": data["staff"][0]["id"],
    }
    masks = {"contact_phone": mask_phone, "operator_phone": mask_phone, "mobile": mask_phone}
    return {k: (v, masks.get(k, mask_id_number)(v)) for k, v in pairs.items()}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def api_read(user, number: str) -> dict:
    response = client_for(user).get(f"/api/v1/cases/{number}")
    assert response.status_code == 200, response.content
    body = response.json()
    return {
        "applicant_id": body["applicant_id"],
        "contact_phone": body["contact_phone"],
        "operator_id": body["form_data"]["operator_id"],
        "operator_phone": body["form_data"]["operator_phone"],
        "mobile": body["form_data"]["mobile"],
        "staff_id": body["form_data"]["staff"][0]["id"],
    }


def assert_page_shows(page: str, values: dict[str, tuple[str, str]], full: bool) -> None:
    for name, (clear, masked) in values.items():
        if full:
            assert clear in page, name
        else:
            assert masked in page and clear not in page, name


@pytest.mark.parametrize("username", list(ROLES))
def test_the_api_and_the_pages_mask_alike(case, users, username):
    full = ROLES[username]
    user = users[username]
    values = secrets(case)
    expected = {name: clear if full else masked for name, (clear, masked) in values.items()}
    assert api_read(user, case.number) == expected
    if username == "demo-citizen":
        page = page_text(client_for(user).get(f"/my/cases/{case.number}/"))
    else:
        page = page_text(client_for(user).get(f"/workbench/cases/{case.number}/"))
    assert_page_shows(page, values, full)
    if not full:  # nor the applicant's own phone on their profile
        assert "13800138000" not in page


def test_the_receipts_are_masked_for_everyone(case, users):
    values = secrets(case)
    receipts = [
        page_text(client_for(users["demo-citizen"]).get(f"/my/cases/{case.number}/receipt/")),
        page_text(client_for(users["demo-clerk"]).get(f"/workbench/cases/{case.number}/receipt/")),
    ]
    clear, masked = values["applicant_id"]
    for receipt in receipts:
        assert masked in receipt and clear not in receipt


def test_express_delivery_contact_is_masked_for_read_only_staff(case, users):
    from yiwang.cases.models import Delivery

    Delivery.objects.update_or_create(
        case=case,
        defaults={
            "method": "express",
            "recipient": "张三丰",
            "phone": "13512345678",
            "address": "青山市人民路1号",
        },
    )
    for username, full in (("demo-approver", True), ("demo-supervisor", False)):
        page = page_text(client_for(users[username]).get(f"/workbench/cases/{case.number}/"))
        body = client_for(users[username]).get(f"/api/v1/cases/{case.number}").json()["delivery"]
        if full:
            assert "13512345678" in page and "青山市人民路1号" in page and body["phone"] == "13512345678"
        else:
            assert "13512345678" not in page and "135****5678" in page and "青山市人民路1号" not in page
            assert body["phone"] == "135****5678" and body["address"] == "" and body["recipient"] == "张**"
    page = page_text(client_for(users["demo-citizen"]).get(f"/my/cases/{case.number}/"))
    assert "张三丰（13512345678）" in page and "青山市人民路1号" in page
