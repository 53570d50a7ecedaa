"""The form builder: rows ↔ schema, add/remove/move, nested table columns, server-side schema
validation, the live preview (an accessible rendering of the schema), per situation; and what a
clerk uses instead of schema (issue 13): ready fields and blank fields by type one click away,
generated keys, named formats, Chinese labels, folded properties, in-place updates (htmx) and
plain form posts without JavaScript."""

from __future__ import annotations

import json
import re

import pytest

from yiwang.catalog import form_presets
from yiwang.catalog.form_schema import FIELD_TYPES, clean_data

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
        ({"fields-2-show_if_value": "换领"}, "显示条件取值“换领”不是字段“申请类型”的选项"),
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


def test_a_condition_on_a_choice_offers_its_options(as_user, with_schema):
    """The value of a display condition on a choice field is one of that field's options: they
    are offered (a datalist, and named in the hint the input points to); a text field's not."""
    page = as_user("demo-itemadmin").get(form_url(with_schema)).content.decode()
    value = re.search(r'<input[^>]*id="fields-2-show_if_value"[^>]*>', page)[0]
    assert 'value="renew"' in value
    assert 'list="fields-2-show_if_options"' in value
    assert 'aria-describedby="fields-2-show_if_hint"' in value
    datalist = re.search(r'<datalist id="fields-2-show_if_options">(.*?)</datalist>', page)[1]
    assert re.findall(r'<option value="([^"]*)">([^<]*)</option>', datalist) == [
        ("new", "首次申领"),
        ("renew", "换领"),
    ]
    hint = re.search(r'<p class="help" id="fields-2-show_if_hint">(.*?)</p>', page)[1]
    assert "new（首次申领）" in hint and "renew（换领）" in hint
    assert "list=" not in re.search(r'<input[^>]*id="fields-0-show_if_value"[^>]*>', page)[0]


def test_choosing_a_conditions_field_offers_its_options_at_once(as_user, with_schema):
    """Choosing the field a condition depends on posts the builder (`condition:<i>`, as the
    select does with scripts on): the page comes back, nothing saved, with that field's options
    offered for the value, the row open and the focus still on the choice. A table's columns
    have no such post (their conditions are checked when saved)."""
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data.update({"fields-3-show_if_field": "kind", "op": "condition:3"})
    page = client.post(form_url(with_schema), data, HTTP_HX_REQUEST="true").content.decode()
    hint = re.search(r'<p class="help" id="fields-3-show_if_hint">(.*?)</p>', page)[1]
    assert "new（首次申领）" in hint and "renew（换领）" in hint
    select = re.search(r'<select[^>]*id="fields-3-show_if_field"[^>]*>', page)[0]
    assert "autofocus" in select and 'hx-vals=\'{"op": "condition:3"}\'' in select
    assert re.search(r'<details class="field-props" data-state="fields-3-open" open>', page)
    assert with_schema.versions.get().form_schema == SCHEMA  # nothing saved
    column = re.search(r'<select[^>]*id="fields-4-columns-0-show_if_field"[^>]*>', page)[0]
    assert "hx-post" not in column


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


# --- Issue 13: the builder a county clerk can use ------------------------------------------------


def post_op(client, entry, data: dict, op: str, seq=None, **headers):
    """Post the builder with an operation; the next state of the form (as the browser would post it)."""
    response = client.post(form_url(entry, seq), {**data, "op": op}, **headers)
    assert response.status_code == 200, response.content.decode()[:2000]
    return form_fields(response.content.decode(), form_id="schema-builder"), response.content.decode()


def saved_schema(entry) -> dict:
    return entry.versions.get().form_schema


def test_ready_fields_are_one_click_each_and_complete(as_user, entry):
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry)
    for preset in form_presets.READY_FIELDS:
        data, _page = post_op(client, entry, data, f"ready:{preset.key}")
    data, _page = post_op(client, entry, data, "ready:name")  # a second 姓名 gets its own key
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    fields = saved_schema(entry)["fields"]
    expected_keys = ["name", "id_number", "uscc", "mobile", "address", "date", "name_2"]
    assert [f["name"] for f in fields] == expected_keys
    for fld, preset in zip(
        fields, [*form_presets.READY_FIELDS, form_presets.READY_BY_KEY["name"]], strict=True
    ):
        assert fld == {"name": fld["name"], **preset.make()}
    assert fields[1]["type"] == "id_number" and fields[2]["type"] == "uscc"  # the check digit, too
    assert fields[3]["pattern"] == form_presets.PATTERNS_BY_KEY["mobile"].regex
    # what the applicant's answers are checked against
    from yiwang.core.identifiers import ric_check_digit

    person = "11010119900307123"
    good = {
        "name": "张三",
        "id_number": person + ric_check_digit(person),
        "mobile": "13800138000",
        "date": "2025-05-01",
    }
    schema = {"fields": [f for f in fields if f["name"] in good]}
    assert clean_data(schema, good)["mobile"] == "13800138000"
    with pytest.raises(Exception, match="11位手机号码"):
        clean_data(schema, {**good, "mobile": "12345678901"})


def test_blank_fields_by_type_get_generated_unique_keys(as_user, entry):
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry)
    for preset in form_presets.BLANK_FIELDS:
        data, _page = post_op(client, entry, data, f"new:{preset.key}")
    data, _page = post_op(client, entry, data, "new:text")
    data, _page = post_op(client, entry, data, "add")  # the plain 添加 of a post without a type
    names = [data[f"fields-{i}-name"] for i in range(int(data["fields-TOTAL"]))]
    assert names == [
        "text_1",
        "textarea_1",
        "number_1",
        "money_1",
        "choice_1",
        "multichoice_1",
        "yesno_1",
        "table_1",
        "text_2",
        "text_3",
    ]
    yes_no = int(names.index("yesno_1"))
    assert data[f"fields-{yes_no}-type"] == "choice" and data[f"fields-{yes_no}-options"] == "是\n否"
    # unfinished fields are not saved: each says what is missing, opened, nothing is lost
    data["op"] = "save"
    response = client.post(form_url(entry), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写字段标题（申请人看到的文字）" in page and "请填写选项，每行一个" in page
    assert len(re.findall(r'<details class="field-props" data-state="[^"]+" open>', page)) == 10
    assert form_fields(page, form_id="schema-builder")["fields-TOTAL"] == "10"
    assert saved_schema(entry) in ({}, None)


def test_keys_stay_once_saved_and_are_regenerated_only_when_cleared(as_user, with_schema):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data, _page = post_op(client, with_schema, data, "new:number")
    assert data["fields-5-name"] == "number_1"
    data["fields-5-label"] = "从业人数"
    data, _page = post_op(client, with_schema, data, "up:5")  # moving keeps keys
    assert data["fields-4-name"] == "number_1" and data["fields-5-name"] == "members"
    data["fields-4-type"] = "text"  # a changed type keeps the key given
    data["fields-0-name"] = ""  # cleared under 高级: a new one
    data["op"] = "save"
    assert client.post(form_url(with_schema), data).status_code == 302
    names = [f["name"] for f in saved_schema(with_schema)["fields"]]
    assert names == ["text_1", "kind", "old_number", "area", "number_1", "members"]
    again = builder_data(client, with_schema)
    assert [again[f"fields-{i}-name"] for i in range(6)] == names


def test_a_situation_form_does_not_take_the_item_forms_keys(as_user, with_schema, staff):
    from yiwang.catalog import guide_document, services

    version = with_schema.versions.get()
    doc = guide_document.version_to_document(version)
    doc["situations"] = [{"seq": 1, "name": "个体工商户", "description": "", "form_schema": {}}]
    services.save_draft(
        version, {"situations": doc["situations"], "materials": doc["materials"]}, staff["demo-itemadmin"]
    )
    with_schema.versions.get().situations.update(
        form_schema={"fields": [{"name": "text_1", "label": "字号", "type": "text"}]}
    )
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema, seq=1)
    data, _page = post_op(client, with_schema, data, "new:text", seq=1)
    assert data["fields-1-name"] == "text_2"
    data, _page = post_op(client, with_schema, data, "new:number", seq=1)
    data, _page = post_op(client, with_schema, data, "ready:name", seq=1)
    assert data["fields-3-name"] == "name"  # the item form has applicant_name, not name
    # and the item form keeps clear of the situation's keys
    data = builder_data(client, with_schema)
    data, _page = post_op(client, with_schema, data, "new:text")
    assert data["fields-5-name"] == "text_2"


@pytest.mark.parametrize("pattern", form_presets.PATTERNS, ids=lambda p: p.key)
def test_a_known_regex_shows_its_name_and_saves_unchanged(as_user, entry, pattern):
    field = {
        "name": "value",
        "label": "号码",
        "type": "text",
        "pattern": pattern.regex,
        "pattern_message": pattern.message,
    }
    version = entry.versions.get()
    version.form_schema = {"fields": [field]}
    version.save()
    client = as_user("demo-itemadmin")
    page = client.get(form_url(entry)).content.decode()
    data = form_fields(page, form_id="schema-builder")
    assert data["fields-0-pattern_name"] == pattern.key
    assert f'<option value="{pattern.key}" selected>{pattern.label}</option>' in page
    assert data["fields-0-pattern"] == "" and data["fields-0-pattern_message"] == ""  # nothing under 高级
    assert 'id="fields-0-pattern" ' in page and pattern.regex not in page.split('id="schema-preview"')[0]
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    assert saved_schema(entry) == {"fields": [field]}


def test_named_formats_chosen_by_name(as_user, entry):
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry)
    data, _page = post_op(client, entry, data, "new:text")
    data.update({"fields-0-label": "邮政编码", "fields-0-pattern_name": "postcode"})
    data, _page = post_op(client, entry, data, "new:text")
    data.update(
        {
            "fields-1-label": "单位电话",
            "fields-1-pattern_name": "landline",
            "fields-1-pattern_message": "请填写单位的固定电话。",
        }
    )
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    postcode, phone = saved_schema(entry)["fields"]
    assert postcode["pattern"] == r"\d{6}" and postcode["pattern_message"] == "请输入6位邮政编码。"
    assert phone["pattern"] == form_presets.PATTERNS_BY_KEY["landline"].regex
    assert phone["pattern_message"] == "请填写单位的固定电话。"  # the clerk's own words kept
    # switching to another format takes that format's message; 无 removes both
    data = builder_data(client, entry)
    assert data["fields-1-pattern_message"] == "请填写单位的固定电话。"
    data.update(
        {"fields-0-pattern_name": "email", "fields-1-pattern_name": "", "fields-1-pattern_message": ""}
    )
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    email, phone = saved_schema(entry)["fields"]
    assert email["pattern_message"] == form_presets.PATTERNS_BY_KEY["email"].message
    assert "pattern" not in phone and "pattern_message" not in phone


def test_an_unknown_regex_is_custom_under_advanced(as_user, entry):
    field = {"name": "plate", "label": "车牌号", "type": "text", "pattern": "[京津沪][A-Z]\\d{5}"}
    for anchored, shown in (("^1[3-9]\\d{9}$", "mobile"), (field["pattern"], form_presets.CUSTOM)):
        version = entry.versions.get()
        version.form_schema = {"fields": [{**field, "pattern": anchored}]}
        version.save()
        page = as_user("demo-itemadmin").get(form_url(entry)).content.decode()
        data = form_fields(page, form_id="schema-builder")
        assert data["fields-0-pattern_name"] == shown
    assert data["fields-0-pattern"] == field["pattern"]
    assert "自定义（在“高级”中填写正则表达式）" in page
    client = as_user("demo-itemadmin")
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    assert saved_schema(entry) == {"fields": [field]}
    # 自定义 chosen without a regex, or a regex that is not one: a clear 400 on the field
    advanced_open = '<details class="builder-advanced" data-state="fields-0-advanced" open>'
    for change, message, where in (
        ({"fields-0-pattern": ""}, "选择了“自定义”格式，请在“高级”中填写正则表达式", advanced_open),
        ({"fields-0-pattern": "[unclosed"}, "自定义格式的正则表达式无效", advanced_open),
        ({"fields-0-pattern_name": "nonsense"}, "请从列表中选择格式", 'data-state="fields-0-open" open>'),
    ):
        response = client.post(form_url(entry), {**data, **change})
        page = response.content.decode()
        assert response.status_code == 400 and message in page
        assert where in page  # the field (and 高级 when the fault is there) opened on it
    assert saved_schema(entry) == {"fields": [field]}


def test_the_page_speaks_chinese_and_folds_every_field(as_user, with_schema):
    page = as_user("demo-itemadmin").get(form_url(with_schema)).content.decode()
    editor = page.split('id="schema-preview"')[0]
    for kind, label in FIELD_TYPES.items():
        assert (
            f'<option value="{kind}">{label}</option>' in editor
            or f'<option value="{kind}" selected>{label}</option>' in editor
        )
    for preset in (*form_presets.READY_FIELDS, *form_presets.BLANK_FIELDS):
        assert f">{preset.label}</button>" in editor
    for word in (
        "字段标题（申请人看到的文字）",
        "格式",
        "高级",
        "字段代码",
        "上移",
        "下移",
        "删除",
        "保存表单",
    ):
        assert word in editor
    assert "正则表达式" not in editor.split("高级")[0]  # no regex before 高级
    # each field a folded summary; its properties inside
    assert editor.count('<details class="field-props"') == 5
    assert not re.search(r'<details class="field-props" data-state="[^"]+" open>', editor)
    assert '<summary><span class="field-number">1.</span>' in editor and "申请人姓名" in editor
    # the properties of another type are hidden (still posted): a number has no options
    number = editor.split('id="fields-3"')[1].split('id="fields-4"')[0]
    assert re.search(r'data-types="choice multichoice" hidden><label for="fields-3-options"', number)
    assert re.search(r'data-types="number money"><label for="fields-3-min"', number)
    # the preview is beside the editor, its own column (the CSS), not inside the form
    assert page.index('id="schema-builder"') < page.index('class="builder-preview"')
    assert 'src="/static/yiwang/form-builder.js"' in page and "https://" not in page.split("<body")[0]


def test_in_place_operations_answer_htmx_and_move_the_focus(as_user, with_schema):
    client = as_user("demo-itemadmin")
    data = builder_data(client, with_schema)
    data["fields-1-open"] = "1"  # the clerk had field 2 open
    data, page = post_op(client, with_schema, data, "down:1", HTTP_HX_REQUEST="true")
    assert 'id="builder"' in page
    moved = page.split('id="fields-2"')[1].split('id="fields-3"')[0]
    assert data["fields-2-name"] == "kind" and data["fields-2-open"] == "1"  # still open, moved
    assert re.search(r'value="down:2"[^>]*autofocus', moved)  # the focus follows the field
    data, page = post_op(client, with_schema, data, "ready:id_number", HTTP_HX_REQUEST="true")
    assert data["fields-5-name"] == "id_number" and data["fields-5-open"] == "1"
    assert data["fields-2-open"] == ""  # adding folds the others
    assert re.search(
        r'id="fields-5-label" name="fields-5-label" value="身份证号码" maxlength="100" autofocus', page
    )
    preview = page.split('id="schema-preview"')[1]
    assert "身份证号码" in preview  # the preview comes with it
    data, page = post_op(client, with_schema, data, "remove:5", HTTP_HX_REQUEST="true")
    assert data["fields-TOTAL"] == "5"
    assert re.search(r'<h2 id="fields-title" tabindex="-1" autofocus>', page)
    # nothing of this was saved
    assert saved_schema(with_schema) == SCHEMA


def test_without_javascript_add_and_save_are_plain_posts(as_user, entry):
    """No htmx header: the same page comes back whole; saving redirects."""
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry)
    assert "<noscript>" in client.get(form_url(entry)).content.decode()
    data, page = post_op(client, entry, data, "ready:name")
    assert "<html" in page and "申请表单设计" in page
    data, page = post_op(client, entry, data, "new:choice")
    data.update({"fields-1-label": "申请类型", "fields-1-options": "首次申领\n换领"})
    data, page = post_op(client, entry, data, "preview")  # 刷新预览
    assert "首次申领" in page.split('id="schema-preview"')[1]
    data["op"] = "save"
    response = client.post(form_url(entry), data)
    assert response.status_code == 302 and response["Location"] == form_url(entry)
    assert [f["name"] for f in saved_schema(entry)["fields"]] == ["name", "choice_1"]


def test_changing_a_type_drops_the_old_types_properties_quietly(as_user, entry):
    version = entry.versions.get()
    version.form_schema = {
        "fields": [
            {
                "name": "kind",
                "label": "类型",
                "type": "choice",
                "options": [{"value": "a", "label": "甲"}],
                "min_length": 2,  # not the builder's: travels in `extra`
            },
            {"name": "area", "label": "面积", "type": "number", "min": 1, "pattern": "\\d+"},
        ]
    }
    version.save()
    client = as_user("demo-itemadmin")
    data = builder_data(client, entry)
    assert json.loads(data["fields-1-extra"]) == {"pattern": "\\d+"}  # another type's property, kept
    data["fields-0-type"] = "text"  # the options are hidden now, and ignored
    data["op"] = "save"
    assert client.post(form_url(entry), data).status_code == 302
    assert saved_schema(entry)["fields"] == [
        {"name": "kind", "label": "类型", "type": "text", "min_length": 2},
        {"name": "area", "label": "面积", "type": "number", "min": 1, "pattern": "\\d+"},
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"op": "up:x"},
        {"op": "remove:99"},
        {"op": "ready:nope"},
        {"op": "new:"},
        {"op": "downcol:0:9"},
        {"op": "ready:name", "fields-TOTAL": "abc"},
        {"op": "ready:name", "fields-TOTAL": "-5"},
        {"op": "new:text", "fields-TOTAL": "100000"},
        {"op": "preview", "fields-0-extra": "{not json"},
        {"op": "preview", "fields-0-extra": "[1, 2]"},
        {"op": "preview", "fields-0-type": "evil<script>"},
        {"op": "preview", "fields-0-min": "NaN"},
    ],
)
def test_odd_posts_never_fail_the_page(as_user, with_schema, change):
    client = as_user("demo-itemadmin")
    data = {**builder_data(client, with_schema), **change}
    response = client.post(form_url(with_schema), data)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("evil")[-1][:20]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fields-0-type": "evil"}, "类型“evil”不支持"),
        ({"fields-3-type": "date", "fields-3-min_date": "2025-13-45"}, "“最早日期”应为日期"),
        (
            {"fields-3-type": "date", "fields-3-min_date": "2025-05-02", "fields-3-max_date": "2025-05-01"},
            "最早日期晚于最晚日期",
        ),
        ({"fields-1-name": "kind", "fields-0-name": "kind"}, "字段代码“kind”与其他字段重复"),
        ({"fields-0-max_length": "0"}, "“最多字数”不能小于 1"),
        ({"fields-1-options": "甲\n甲"}, "有重复的选项"),
        ({"fields-4-columns-0-label": ""}, "请填写字段标题"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_user, with_schema, change, message):
    client = as_user("demo-itemadmin")
    data = {**builder_data(client, with_schema), **change, "op": "save"}
    response = client.post(form_url(with_schema), data)
    page = response.content.decode()
    assert response.status_code == 400, page[:1000]
    assert message in page and "尚未保存" in page
    assert saved_schema(with_schema) == SCHEMA


def test_the_applicant_form_uses_a_named_formats_keyboard():
    from yiwang.workbench.schema_forms import bind_schema

    fields = [
        {"name": f"f_{p.key}", "label": str(p.label), "type": "text", "pattern": p.regex}
        for p in form_presets.PATTERNS
    ]
    bound = {f.name: f for f in bind_schema({"fields": fields}, {}, {}, divisions=[])}
    assert bound["f_mobile"].input_type == "tel" and bound["f_mobile"].attrs["autocomplete"] == "tel"
    assert bound["f_email"].input_type == "email"
    assert bound["f_postcode"].attrs["inputmode"] == "numeric"
    assert bound["f_id_number"].input_type == "text"
