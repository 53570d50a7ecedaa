"""The reusable schema renderer (includes/schema_form.html + the `schema_form` tag) and reading a
posted form back (`data_from_post`): what an applicant types comes back as clean_data expects."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.template import Context, Template

from yiwang.catalog.form_schema import clean_data
from yiwang.workbench.schema_forms import bind_schema, data_from_post

from .htmlforms import form_fields

SCHEMA = {
    "fields": [
        {
            "name": "who",
            "label": "申请人",
            "type": "text",
            "required": True,
            "help": "与身份证一致",
            "max_length": 20,
        },
        {
            "name": "kind",
            "label": "类型",
            "type": "choice",
            "options": [{"value": "new", "label": "首次"}, {"value": "renew", "label": "换领"}],
        },
        {
            "name": "old",
            "label": "原证号",
            "type": "text",
            "required": True,
            "show_if": {"field": "kind", "equals": "renew"},
        },
        {
            "name": "tags",
            "label": "经营项目",
            "type": "multichoice",
            "options": [
                {"value": "a", "label": "热食"},
                {"value": "b", "label": "冷食"},
                {"value": "c", "label": "饮品"},
            ],
        },
        {"name": "area", "label": "面积", "type": "number", "min": 1},
        {"name": "fee", "label": "注册资本", "type": "money"},
        {"name": "day", "label": "开业日期", "type": "date"},
        {
            "name": "staff",
            "label": "从业人员",
            "type": "table",
            "max_rows": 5,
            "columns": [
                {"name": "name", "label": "姓名", "type": "text", "required": True},
                {"name": "tel", "label": "电话", "type": "phone"},
            ],
        },
    ]
}


def render(schema, data=None, errors=None, live=True, prefix="f-") -> str:
    template = Template(
        "{% load schema_forms %}<form id='t'>{% schema_form schema data errors prefix=prefix live=live %}</form>"
    )
    return template.render(
        Context({"schema": schema, "data": data, "errors": errors, "prefix": prefix, "live": live})
    )


def as_post(fields: dict) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in fields.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def test_labels_required_help_errors_and_groups():
    html = render(SCHEMA, {"who": ""}, {"who": ["此项为必填项。"], "staff.1.name": ["此项为必填项。"]})
    assert '<label for="sf-f-who">申请人' in html and "（必填）" in html
    assert 'aria-describedby="sf-f-who-help sf-f-who-error"' in html and 'aria-invalid="true"' in html
    assert '<p class="help" id="sf-f-who-help">与身份证一致</p>' in html
    assert "<legend>类型" in html and 'type="radio"' in html
    assert "<legend>经营项目" in html and html.count('type="checkbox"') == 3
    assert "<legend>从业人员 第 1 行</legend>" in html
    # the hidden show_if field (kind is not renew) is rendered hidden with its condition for the script
    assert 'data-show-if-field="f-kind" data-show-if-value="renew" hidden' in html


def test_posted_form_round_trips_to_clean_data():
    data = {
        "who": "张三",
        "kind": "renew",
        "old": "QS123",
        "tags": ["a", "c"],
        "area": "120",
        "fee": "1000.50",
        "day": "2026-03-02",
        "staff": [{"name": "李四", "tel": "13800138000"}, {"name": "王五"}],
    }
    html = render(SCHEMA, data)
    posted = form_fields(html, form_id="t")
    assert posted["f-staff-TOTAL"] == "3"  # two rows and one empty row to add another
    parsed = data_from_post(SCHEMA, as_post(posted), prefix="f-")
    assert parsed["staff"] == data["staff"]  # the empty row is dropped
    cleaned = clean_data(SCHEMA, parsed)
    assert cleaned["tags"] == ["a", "c"] and cleaned["area"] == 120 and cleaned["fee"] == "1000.50"
    assert cleaned["old"] == "QS123"


def test_robust_to_broken_schemas():
    broken = {
        "fields": [
            {"name": "x", "type": "weird"},
            "nonsense",
            {"label": "no name", "type": "text"},
            {"name": "c", "label": "选", "type": "choice", "options": [{"label": "no value"}]},
        ]
    }
    fields = bind_schema(broken, {}, {})
    assert [f.name for f in fields] == ["c"]
    assert "选" in render(broken)
    assert bind_schema(None) == [] and bind_schema({"fields": "x"}) == []


@pytest.mark.django_db
def test_address_fields_offer_divisions(region):
    schema = {"fields": [{"name": "addr", "label": "经营地址", "type": "address", "required": True}]}
    html = render(schema, {"addr": {"division": "159902001001", "detail": "光明路1号"}})
    assert '<option value="159902001001" selected>' in html and 'value="光明路1号"' in html
    posted = form_fields(html, form_id="t")
    assert data_from_post(schema, as_post(posted), prefix="f-") == {
        "addr": {"division": "159902001001", "detail": "光明路1号"}
    }


def test_a_condition_names_the_options_label_never_its_internal_value():
    from yiwang.workbench.schema_forms import bind_schema

    schema = {
        "fields": [
            {
                "name": "items",
                "label": "经营项目",
                "type": "multichoice",
                "options": [
                    {"value": "hot", "label": "热食类食品制售"},
                    {"value": "cold", "label": "冷食类食品制售"},
                ],
            },
            {
                "name": "cold_note",
                "label": "冷食类品种说明",
                "type": "text",
                "show_if": {"field": "items", "equals": "cold"},
            },
            {
                "name": "either",
                "label": "说明",
                "type": "text",
                "show_if": {"field": "items", "in": ["hot", "cold"]},
            },
        ]
    }
    bound = {f.name: f for f in bind_schema(schema, {}, {}, apply_visibility=False)}
    assert bound["cold_note"].condition == "当“经营项目”为“冷食类食品制售”时填写"
    assert bound["either"].condition == "当“经营项目”为“热食类食品制售、冷食类食品制售”之一时填写"
