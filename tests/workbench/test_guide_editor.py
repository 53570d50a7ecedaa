"""The guide editor: every element in its section, findings next to the element, formsets,
uploads of blank and sample forms (type sniffed, 10 MB), nothing half-saved and nothing typed lost."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.guide_samples import PDF, PNG

from .htmlforms import form_fields

pytestmark = pytest.mark.django_db


def edit_url(entry) -> str:
    return f"/workbench/catalog/entries/{entry.pk}/edit/"


def editor_form(client, entry) -> dict:
    response = client.get(edit_url(entry))
    assert response.status_code == 200
    return form_fields(response.content.decode(), css_class="guide-form")


def element_html(page: str, anchor: str) -> str:
    """The markup of one element's block (from its anchor to the next element)."""
    start = page.rindex("<div", 0, page.index(f'id="{anchor}"'))
    following = re.search(r'<div class="(field|formset)[^"]*" id="el-', page[start + 10 :])
    # (the element's own block starts at `start`; the next one ends it)
    return page[start : start + 10 + following.start()] if following else page[start:]


def add_material(data: dict, index: int, name: str, **fields) -> None:
    data["materials-TOTAL_FORMS"] = str(index + 1)
    row = {
        "name": name,
        "kind": "original",
        "necessity": "required",
        "source": "applicant",
        "paper_copies": "1",
        "paper_size": "A4",
        "is_key": "on",
    }
    row.update(fields)
    for key, value in row.items():
        data[f"materials-{index}-{key}"] = value


def test_sections_and_findings_next_to_elements(as_user, bare_entry):
    page = as_user("demo-itemadmin").get(edit_url(bare_entry)).content.decode()
    for heading in (
        "基本信息",
        "时限",
        "办理方式",
        "地点与电话",
        "网办与便民",
        "结果",
        "收费",
        "常见问题",
        "材料",
        "情形",
        "流程",
    ):
        assert f">{heading}</h2>" in page
    location = element_html(page, "el-location")
    assert "没有填写办理地点" in location and "field-flagged" in location
    assert 'aria-describedby="id_guide-location-findings"' in location
    assert "申请材料清单为空" in element_html(page, "el-materials")
    # the summary links to the element
    assert '<a href="#el-location">办理地点</a>' in page


def test_save_complete_guide_then_submit(as_user, bare_entry, media):
    from yiwang.catalog.models import EntryVersion

    client = as_user("demo-itemadmin")
    data = editor_form(client, bare_entry)
    data.update(
        {
            "guide-plain_title": "办食品生产许可证",
            "guide-legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "guide-legal_limit": "20",
            "guide-promised_limit": "10",
            "guide-location": "青山市人民路100号政务服务中心一楼A区12号窗口",
            "guide-hours": "周一至周五 9:00-12:00，13:30-17:00",
            "guide-consult_phone": "0471-8001234",
            "guide-complaint_phone": "12345",
            "guide-acceptance_conditions": "已取得营业执照。",
            "guide-result_name": "食品生产许可证",
            "guide-handling_forms": ["window", "online"],
            "guide-online_depth": "4",
        }
    )
    add_material(data, 0, "营业执照", kind="copy", source="government", licence_type_code="LIC-BL")
    data["faqs-TOTAL_FORMS"] = "1"
    data.update({"faqs-0-question": "要多久？", "faqs-0-answer": "10个工作日。"})
    data["procedure-TOTAL_FORMS"] = "2"
    data.update({"procedure-0-name": "受理", "procedure-1-name": "决定"})
    data["op"] = "save"
    response = client.post(edit_url(bare_entry), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = EntryVersion.objects.get(entry=bare_entry)
    assert version.location.startswith("青山市人民路") and version.promised_limit == 10
    assert version.handling_forms == ["window", "online"]
    assert [m.name for m in version.materials.all()] == ["营业执照"]
    assert version.procedure == [{"name": "受理", "description": ""}, {"name": "决定", "description": ""}]
    page = client.get(response["Location"]).content.decode()
    assert "已保存草稿。指南检查发现 0 个错误" in page
    # submit
    data = editor_form(client, bare_entry)
    data["op"] = "submit"
    response = client.post(edit_url(bare_entry), data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == "submitted"
    # the editor is closed while under review
    response = client.get(edit_url(bare_entry), follow=True)
    assert "已提交审核" in response.content.decode()


def test_invalid_input_saves_nothing_and_keeps_what_was_typed(as_user, entry):
    from yiwang.catalog.models import EntryVersion

    client = as_user("demo-itemadmin")
    before = EntryVersion.objects.get(entry=entry)
    data = editor_form(client, entry)
    data["guide-location"] = "青山市解放路8号新地址大厅"
    data["guide-promised_limit"] = "30"  # longer than the legal 20: refused by guide_document
    add_material(data, 2, "新增的材料名称")
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "未保存" in page and "承诺时限（30）不能长于法定时限（20）" in page
    assert "青山市解放路8号新地址大厅" in page and "新增的材料名称" in page
    after = EntryVersion.objects.get(entry=entry)
    assert after.location == before.location and after.promised_limit == before.promised_limit
    assert after.materials.count() == 2
    # a row error from the form itself (material without a name) is shown on the row
    data = editor_form(client, entry)
    data["materials-1-name"] = ""
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 400
    assert (
        "这个字段是必填项" in response.content.decode()
        or "This field is required" in response.content.decode()
    )
    assert EntryVersion.objects.get(entry=entry).materials.count() == 2


def test_audit_flags_missing_sample_form_and_upload_fixes_it(as_user, entry, media):
    from yiwang.catalog.models import Material

    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["materials-0-sample_form_clear"] = "on"
    data["op"] = "submit"
    response = client.post(edit_url(entry), data, follow=True)
    page = response.content.decode()
    assert "未能提交审核" in page
    block = element_html(page, "el-materials-0-sample-form")
    assert "没有示例样表" in block
    assert entry.versions.get().state == "draft"
    # upload a sample (a .docx name with PDF content: kept as a PDF, by sniffing, named .pdf)
    data = form_fields(page, css_class="guide-form")
    data["materials-0-sample_form_upload"] = SimpleUploadedFile("样表.docx", PDF)
    data["op"] = "submit"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    material = Material.objects.get(version__entry=entry, order=0)
    assert material.sample_form.kind == "pdf" and material.sample_form.original_name == "样表.pdf"
    assert entry.versions.get().state == "submitted"
    # the file is served to the department, not to others
    url = f"/workbench/catalog/entries/{entry.pk}/files/{material.sample_form_id}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert as_user("demo-itemadmin-hrss").get(url).status_code == 404


def test_png_named_pdf_is_refused_and_nothing_saved(as_user, entry, media):
    from yiwang.catalog.models import Material
    from yiwang.core.models import StoredFile

    client = as_user("demo-itemadmin")
    files_before = StoredFile.objects.count()
    old = Material.objects.get(version__entry=entry, order=0).blank_form_id
    data = editor_form(client, entry)
    data["guide-hours"] = "周一至周五 8:30-12:00"
    data["materials-0-blank_form_upload"] = SimpleUploadedFile("空白表.pdf", PNG)
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "文件内容不是允许的格式" in element_html(page, "el-materials-0-blank-form")
    assert "周一至周五 8:30-12:00" in page
    assert StoredFile.objects.count() == files_before
    assert Material.objects.get(version__entry=entry, order=0).blank_form_id == old
    assert entry.versions.get().hours != "周一至周五 8:30-12:00"


def test_too_large_file_is_refused_with_a_clear_message(as_user, entry, media):
    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["materials-1-blank_form_upload"] = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (10 * 1024 * 1024))
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 400
    assert "文件过大" in response.content.decode() and "上限为 10 MB" in response.content.decode()


def test_upload_is_kept_when_another_element_has_an_error(as_user, entry, media):
    from yiwang.catalog.models import Material

    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["materials-1-blank_form_upload"] = SimpleUploadedFile("执照说明.pdf", PDF)
    data["guide-name"] = ""  # required
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "执照说明.pdf" in page  # shown as uploaded, kept in the row
    data = form_fields(page, css_class="guide-form")
    assert data["materials-1-blank_form_id"]
    data["guide-name"] = "食品经营许可（新办）"
    data["op"] = "save"
    assert client.post(edit_url(entry), data).status_code == 302
    material = Material.objects.get(version__entry=entry, order=1)
    assert material.blank_form.original_name == "执照说明.pdf"


def test_a_foreign_file_id_cannot_be_attached(as_user, entry, media, staff):
    from catalog.guide_samples import store_pdf
    from yiwang.catalog.models import Material

    other = store_pdf("别人的文件.pdf", staff["demo-itemadmin-hrss"])
    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["materials-1-blank_form_id"] = str(other.pk)
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 400
    assert "引用的文件不可用" in response.content.decode()
    assert Material.objects.get(version__entry=entry, order=1).blank_form_id is None


def test_add_row_without_script_and_delete_rows(as_user, entry):
    from yiwang.catalog.models import EntryVersion

    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["guide-location"] = "青山市解放路8号新大厅"
    data["op"] = "add:fees"
    response = client.post(edit_url(entry), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="fees-0-name"' in page and "青山市解放路8号新大厅" in page
    assert EntryVersion.objects.get(entry=entry).fees.count() == 0  # nothing saved by adding a row
    data = form_fields(page, css_class="guide-form")
    data.update(
        {"fees-0-name": "工本费", "fees-0-standard": "10元/证", "fees-0-basis": "", "guide-is_free": ""}
    )
    data.pop("guide-is_free")
    data["materials-1-DELETE"] = "on"
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 302
    version = EntryVersion.objects.get(entry=entry)
    assert [m.name for m in version.materials.all()] == ["食品经营许可申请书"]
    assert version.fees.get().name == "工本费" and version.is_free is False
    page = client.get(edit_url(entry)).content.decode()
    assert "没有收费依据" in element_html(page, "el-fees-0-basis")


def test_situations_keep_their_form_and_materials(as_user, entry):
    from yiwang.catalog.models import EntryVersion

    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    data["situations-TOTAL_FORMS"] = "2"
    data.update({"situations-0-name": "首次申请", "situations-1-name": "变更"})
    data["op"] = "save"
    assert client.post(edit_url(entry), data).status_code == 302
    version = EntryVersion.objects.get(entry=entry)
    assert [(s.seq, s.name) for s in version.situations.all()] == [(1, "首次申请"), (2, "变更")]
    situation = version.situations.get(seq=2)
    situation.form_schema = {"fields": [{"name": "reason", "label": "变更原因", "type": "text"}]}
    situation.save()
    data = editor_form(client, entry)
    data["materials-1-situation"] = "2"
    data["situations-0-description"] = "第一次办理"
    data["op"] = "save"
    assert client.post(edit_url(entry), data).status_code == 302
    version = EntryVersion.objects.get(entry=entry)
    assert version.situations.get(seq=2).form_schema["fields"][0]["name"] == "reason"
    assert version.materials.get(order=1).situation.seq == 2
    # deleting the situation that a material points at is refused, nothing saved
    data = editor_form(client, entry)
    data["situations-1-DELETE"] = "on"
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 400
    assert "材料所属情形 2 不存在" in response.content.decode()
    assert EntryVersion.objects.get(entry=entry).situations.count() == 2


def test_editing_a_submitted_version_is_a_conflict(as_user, entry, staff):
    from yiwang.catalog import services

    client = as_user("demo-itemadmin")
    data = editor_form(client, entry)
    services.submit_version(entry.versions.get(), staff["demo-itemadmin"])  # meanwhile, in another tab
    data["op"] = "save"
    response = client.post(edit_url(entry), data)
    assert response.status_code == 409
    assert "不能修改" in response.content.decode()
