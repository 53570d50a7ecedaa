"""The form builder: rows ↔ schema, add/remove/move, nested table columns, server-side schema
validation, the live preview (an accessible rendering of the schema), per situation."""

from __future__ import annotations

import pytest

from .htmlforms import form_fields

pytestmark = pytest.mark.django_db

SCHEMA = {
    "fields": [
        {
            "name": "applicant_name",
            "label": "申请人姓名",
            "type": "text",
            "required": True,
            "max_length": 50,
            "prefill": "name",
            "help": "与身份证一致",
        },
        {
            "name": "kind",
            "label": "申请类型",
            "type": "choice",
            "options": [{"value": "new", "label": "首次申领"}, {"value": "renew", "label": "换领"}],
        },
        {
            "name": "old_number",
            "label": "原证号",
            "type": "text",
            "show_if": {"field": "kind", "equals": "renew"},
            "pattern_message": "证号格式不对",
            "pattern": "[A-Z]{2}\\d+",
        },
        {"name": "area", "label": "经营面积", "type": "number", "min": 1, "max": 10000},
        {
            "name": "members",
            "label": "从业人员",
            "type": "table",
            "min_rows": 1,
            "max_rows": 10,
            "columns": [
                {"name": "name", "label": "姓名", "type": "text", "required": True},
                {"name": "health", "label": "健康证号", "type": "text"},
            ],
        },
    ]
}


def form_url(entry, seq=None) -> str:
    base = f"/workbench/catalog/entries/{entry.pk}/form/"
    return base if seq is None else f"{base}situations/{seq}/"


@pytest.fixture
def with_schema(entry):
    version = entry.versions.get()
    version.form_schema = SCHEMA
    version.save()
    return entry


def builder_data(client, entry, seq=None) -> dict:
    response = client.get(form_url(entry, seq))
    assert response.status_code == 200
    return form_fields(response.content.decode(), form_id="schema-builder")


def test_round_trip_keeps_the_schema(as_user, with_schema):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    assert data["fields-TOTAL"] == "5" and data["fields-4-columns-TOTAL"] == "2"
    assert data["fields-1-options"] == "new|首次申领\nrenew|换领"
    data["op"] = "save"
    response = client.post(form_url(with_schema), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert with_schema.versions.get().form_schema == SCHEMA  # pattern_message travelled in `extra`


def test_preview_is_an_accessible_form(as_user, with_schema):
    page = as_user("demo-itemadmin").get(form_url(with_schema)).content.decode()
    preview = page.split('id="schema-preview"')[1]
    assert '<label for="pv-preview-applicant_name">申请人姓名' in preview
    assert 'aria-required="true"' in preview and "（必填）" in preview
    assert 'aria-describedby="pv-preview-applicant_name-help"' in preview
    assert "<legend>申请类型" in preview and 'type="radio"' in preview
    assert "当“申请类型”为“换领”时填写" in preview  # the option's label, not its value
    assert "<legend>从业人员 第 1 行</legend>" in preview
    assert 'name="preview-members-0-health"' in preview


def test_row_operations(as_user, with_schema):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data["op"] = "down:0"
    page = client.post(form_url(with_schema), data).content.decode()
    data = form_fields(page, form_id="schema-builder")
    assert data["fields-0-name"] == "kind" and data["fields-1-name"] == "applicant_name"
    data["op"] = "remove:3"
    data = form_fields(client.post(form_url(with_schema), data).content.decode(), form_id="schema-builder")
    assert data["fields-TOTAL"] == "4" and data["fields-3-name"] == "members"
    data["op"] = "addcol:3"
    data = form_fields(client.post(form_url(with_schema), data).content.decode(), form_id="schema-builder")
    assert data["fields-3-columns-TOTAL"] == "3"
    data.update({"fields-3-columns-2-name": "post", "fields-3-columns-2-label": "岗位"})
    data["op"] = "upcol:3:2"
    data = form_fields(client.post(form_url(with_schema), data).content.decode(), form_id="schema-builder")
    assert data["fields-3-columns-1-name"] == "post"
    data["op"] = "add"
    data = form_fields(client.post(form_url(with_schema), data).content.decode(), form_id="schema-builder")
    assert data["fields-TOTAL"] == "5"
    data.update(
        {
            "fields-4-name": "email",
            "fields-4-label": "电子邮箱",
            "fields-4-type": "text",
            "fields-4-pattern": r"[^@]+@[^@]+",
        }
    )
    data["op"] = "save"
    assert client.post(form_url(with_schema), data).status_code == 302
    saved = with_schema.versions.get().form_schema
    assert [f["name"] for f in saved["fields"]] == [
        "kind",
        "applicant_name",
        "old_number",
        "members",
        "email",
    ]
    assert [c["name"] for c in saved["fields"][3]["columns"]] == ["name", "post", "health"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fields-1-name": "applicant_name"}, "字段名称“applicant_name”重复"),
        ({"fields-2-pattern": "[unclosed"}, "格式规则（正则表达式）无效"),
        ({"fields-1-options": ""}, "需要至少一个有值的选项"),
        ({"fields-2-show_if_field": "nothing_here"}, "显示条件引用了不存在的字段"),
        ({"fields-3-min": "100", "fields-3-max": "10"}, "min 大于 max"),
        ({"fields-3-min": "十"}, "“最小值”应为数字"),
        ({"fields-0-name": "Applicant Name"}, "名称应以小写字母开头"),
    ],
)
def test_bad_schemas_are_refused_with_clear_messages(as_user, with_schema, change, message):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data.update(change)
    data["op"] = "save"
    response = client.post(form_url(with_schema), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "尚未保存" in page
    assert with_schema.versions.get().form_schema == SCHEMA  # unchanged


def test_live_preview_endpoint(as_user, with_schema):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data["fields-0-label"] = "经营者姓名"
    response = client.post(
        f"/workbench/catalog/entries/{with_schema.pk}/form/preview/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "经营者姓名" in fragment and "<html" not in fragment


def test_situation_form(as_user, entry, staff):
    from yiwang.catalog import guide_document, services

    version = entry.versions.get()
    doc = guide_document.version_to_document(version)
    doc["situations"] = [{"seq": 1, "name": "个体工商户", "description": "", "form_schema": {}}]
    doc["materials"][1]["situation"] = 1
    services.save_draft(
        version, {"situations": doc["situations"], "materials": doc["materials"]}, staff["demo-itemadmin"]
    )
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry, seq=1)
    assert data["fields-TOTAL"] == "0"
    data["op"] = "add"
    data = form_fields(client.post(form_url(entry, 1), data).content.decode(), form_id="schema-builder")
    data.update(
        {"fields-0-name": "shop", "fields-0-label": "字号名称", "fields-0-required": "on", "op": "save"}
    )
    assert client.post(form_url(entry, 1), data).status_code == 302
    version = entry.versions.get()
    situation = version.situations.get()
    assert situation.form_schema == {
        "fields": [{"name": "shop", "label": "字号名称", "type": "text", "required": True}]
    }
    assert version.materials.get(order=1).situation_id == situation.pk  # its materials survive
    assert client.get(form_url(entry, 9)).status_code == 404
