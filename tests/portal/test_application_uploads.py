"""Uploading and removing materials in place on the application page (issue 13), server side.

application.js sends the upload form with `HX-Request: true`; the answer is a fragment (the
material's item, the "还缺" list, the review's list of materials, and the sentence the live region
reads out), never a redirect. A refused file is a 4xx whose fragment puts a clear Chinese message
at the file's field (aria-invalid, aria-describedby); never a 500; nothing already saved is lost.
Without the header (no script) the same views post and redirect as before."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases import drafts
from yiwang.cases.models import Case

IN_PLACE = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def citizen(client, users):
    client.force_login(users["demo-citizen"])
    return users["demo-citizen"]


@pytest.fixture
def draft(client, citizen, published):
    """A draft with its form saved (what the applicant typed, which nothing here may lose)."""
    response = client.post(reverse("portal:case-start", args=[published.code]), {"applicant": "self"})
    assert response.status_code == 302
    case = Case.objects.get(entry=published, created_by=citizen)
    drafts.save_form(citizen, case, FORM_DATA, contact_phone="13812345678")
    return case


def materials_of(case):
    return [item.material for item in drafts.checklist(case)]


def upload(client, case, material, data=PDF, filename="申请书.pdf", headers=IN_PLACE, **fields):
    return client.post(
        reverse("portal:case-upload", args=[case.draft_key]),
        {
            "material": "" if material is None else material.pk,
            "file": SimpleUploadedFile(filename, data),
            **fields,
        },
        **headers,
    )


def body(response) -> str:
    return response.content.decode()


def announced(response) -> str:
    found = re.search(r"<p data-announce>(.*?)</p>", body(response), re.S)
    assert found, body(response)[:2000]
    return found.group(1).strip()


def unchanged(case, before_files: int):
    """What was saved before the request is all still there."""
    case.refresh_from_db()
    assert case.state == "draft"
    assert case.form_data == {**FORM_DATA} and case.contact_phone == "13812345678"
    assert case.materials.count() == before_files


def test_an_upload_in_place_answers_the_parts_of_the_page_it_changes(client, draft):
    first, second = materials_of(draft)
    response = upload(client, draft, first)
    assert response.status_code == 200 and "Location" not in response
    html = body(response)
    item = html.split(f'id="material-{first.pk}"', 1)[1].split("</li>", 1)[0]
    assert "已上传 1 个文件" in item and "申请书.pdf" in item
    assert f'id="material-{second.pk}"' not in html  # only the material uploaded to
    assert 'id="missing"' in html and 'id="review-materials"' in html
    missing = html.split('id="missing"', 1)[1].split("</div>", 1)[0]
    assert second.name in missing and first.name not in missing
    assert announced(response) == f"已上传“申请书.pdf”：{first.name}。"
    assert "<html" not in html and 'id="application-form"' not in html  # a fragment, not a page
    assert response["Cache-Control"].startswith("max-age=0")  # personal data: not kept
    unchanged(draft, 1)

    # The second one: nothing is missing any more.
    html = body(upload(client, draft, second, filename="营业执照.pdf"))
    assert 'id="missing-none" class="ok-text">' in html and 'id="missing-list"' in html


def test_a_supplementary_material_in_place(client, draft):
    response = upload(client, draft, None, filename="照片.pdf", name="店铺照片")
    assert response.status_code == 200
    block = body(response).split('id="extra-materials"', 1)[1]
    assert "店铺照片" in block and 'value=""' in block  # the name field emptied for the next one
    assert announced(response) == "已上传“照片.pdf”：店铺照片。"

    # Refused: the name typed stays, the message sits at the file field.
    response = upload(client, draft, None, data=b"GIF89a not a pdf", filename="照片2.pdf", name="门头照片")
    assert response.status_code == 400
    block = body(response).split('id="extra-materials"', 1)[1]
    assert 'value="门头照片"' in block
    assert 'id="upload-extra-error"' in block and 'aria-describedby="upload-extra-error"' in block
    assert "文件内容不是允许的格式" in announced(response)
    unchanged(draft, 1)

    # Removed in place: the block of supplementary materials answers without it.
    received = draft.materials.get()
    response = client.post(
        reverse("portal:case-remove-file", args=[draft.draft_key, received.pk]), **IN_PLACE
    )
    assert response.status_code == 200
    assert "店铺照片" not in body(response).split('id="extra-materials"', 1)[1].split("</form>", 1)[0]
    assert announced(response) == "已删除“店铺照片”的一个文件。"
    unchanged(draft, 0)


@pytest.mark.parametrize(
    ("data", "name", "status", "words"),
    [
        (b"just text, not a pdf", "申请书.pdf", 400, "文件内容不是允许的格式"),
        (b"MZ\x90\x00not a pdf at all", "申请书.exe", 400, ""),
        (b"", "空的.pdf", 400, ""),
    ],
)
def test_a_refused_file_is_a_4xx_with_the_message_at_its_field(client, draft, data, name, status, words):
    first = materials_of(draft)[0]
    upload(client, draft, materials_of(draft)[1], filename="营业执照.pdf")  # saved before: must stay
    response = upload(client, draft, first, data=data, filename=name)
    assert response.status_code == status
    html = body(response)
    item = html.split(f'id="material-{first.pk}"', 1)[1].split("</li>", 1)[0]
    error_id = f"upload-{first.pk}-error"
    assert f'id="{error_id}"' in item and f'aria-describedby="{error_id}"' in item
    assert 'aria-invalid="true"' in item and "未上传" in item
    message = announced(response)
    assert message.startswith(f"{first.name}：")  # read out with the material it was for
    message = message.removeprefix(f"{first.name}：")
    assert message and re.search(r"[\u4e00-\u9fff]", message) and words in message
    assert message in item  # the same words at the field
    unchanged(draft, 1)


def test_too_large_is_a_413_and_no_file_a_400(client, draft, monkeypatch):
    from yiwang.core import uploads

    first = materials_of(draft)[0]
    monkeypatch.setattr(uploads, "DEFAULT_MAX_BYTES", 1024)
    response = upload(client, draft, first, data=PDF + b"0" * 2048, filename="大文件.pdf")
    assert response.status_code == 413
    assert announced(response).startswith(f"{first.name}：文件过大：")
    monkeypatch.undo()
    response = client.post(
        reverse("portal:case-upload", args=[draft.draft_key]), {"material": first.pk}, **IN_PLACE
    )
    assert response.status_code == 400 and announced(response) == f"{first.name}：请选择要上传的文件。"
    # A material not of this entry: 400 with the reason (no item of the page to replace).
    response = upload(client, draft, type("M", (), {"pk": 999999})())
    assert response.status_code == 400 and "不属于本事项" in announced(response)
    # A forged material number: 404, as without the script.
    response = client.post(
        reverse("portal:case-upload", args=[draft.draft_key]),
        {"material": "abc", "file": SimpleUploadedFile("a.pdf", PDF)},
        **IN_PLACE,
    )
    assert response.status_code == 404
    unchanged(draft, 0)


def test_the_page_says_what_the_browser_checks_before_sending(client, draft):
    page = body(client.get(reverse("portal:case", args=[draft.draft_key])))
    section = page.split('id="step-materials"', 1)[1].split(">", 1)[0]
    assert 'data-max-bytes="10485760"' in section and "data-msg-too-large=" in section
    assert "application.js" in page and "data-upload-in-place" in page and "data-upload-auto" in page
    assert 'accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.ofd"' in page
    assert 'id="upload-status" class="visually-hidden" role="status" aria-live="polite"' in page


def test_removing_in_place(client, draft):
    first = materials_of(draft)[0]
    upload(client, draft, first)
    received = draft.materials.get()
    remove = reverse("portal:case-remove-file", args=[draft.draft_key, received.pk])
    response = client.post(remove, **IN_PLACE)
    assert response.status_code == 200 and "Location" not in response
    item = body(response).split(f'id="material-{first.pk}"', 1)[1].split("</li>", 1)[0]
    assert "未上传" in item and "申请书.pdf" not in item
    assert announced(response) == f"已删除“{first.name}”的一个文件。"
    unchanged(draft, 0)
    # Gone already (another tab): 404 as before, never a 500.
    assert client.post(remove, **IN_PLACE).status_code == 404


def test_after_submission_elsewhere_the_page_is_told_why(client, draft, citizen):
    first, second = materials_of(draft)
    upload(client, draft, first)
    upload(client, draft, second, filename="营业执照.pdf")
    received = draft.materials.first()
    draft.refresh_from_db()
    drafts.set_delivery(citizen, draft, "pickup")
    draft.refresh_from_db()
    drafts.submit(citizen, draft)  # e.g. from another tab
    response = upload(client, draft, first, filename="再一个.pdf")
    assert response.status_code == 409 and "已提交" in announced(response)
    response = client.post(
        reverse("portal:case-remove-file", args=[draft.draft_key, received.pk]), **IN_PLACE
    )
    assert response.status_code == 409 and "申请已提交" in announced(response)
    assert draft.materials.count() == 2


def test_signed_out_the_script_is_told_to_sign_in_again(client, draft):
    client.logout()
    response = upload(client, draft, materials_of(draft)[0])
    assert response.status_code == 401
    assert response.json()["code"] == "login_required" and "next=" in response.json()["login_url"]


def test_without_the_script_the_forms_still_post_and_reload(client, draft):
    first = materials_of(draft)[0]
    response = upload(client, draft, first, headers={})
    assert response.status_code == 302 and response["Location"].endswith(f"#material-{first.pk}")
    response = upload(client, draft, first, data=b"text", headers={})
    assert response.status_code == 400 and 'id="error-summary"' in body(response)  # the whole page
    received = draft.materials.get()
    response = client.post(reverse("portal:case-remove-file", args=[draft.draft_key, received.pk]))
    assert response.status_code == 302
    unchanged(draft, 0)
