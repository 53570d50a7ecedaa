"""Property tests of the declarative application forms (catalog.form_schema): generated valid
schemas pass `schema_errors`; each kind of breakage is reported; `clean_data` accepts values made
to fit and rejects values outside the rules; `show_if` hides fields; partial mode for drafts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from yiwang.catalog import form_schema
from yiwang.catalog.form_schema import (
    FIELD_TYPES,
    PREFILL_SOURCES,
    clean_data,
    is_visible,
    schema_errors,
    without_never_shown,
)
from yiwang.core.identifiers import ric_check_digit, uscc_with_check

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
LABELS = st.text(alphabet="申请人姓名电话地址金额日期类型面积成员备注号码", min_size=1, max_size=8)
PATTERNS = [r"[A-Z]{2}\d{4}", r"\d{6}", r"[a-z]+", r"(京|津|沪)[A-Z]\w{5}"]
SIMPLE_TYPES = [t for t in FIELD_TYPES if t != "table"]
settings.register_profile("yiwang", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("yiwang")


@st.composite
def options(draw):
    values = draw(
        st.lists(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), min_size=1, max_size=6, unique=True)
    )
    return [{"value": v, "label": draw(LABELS)} for v in values]


@st.composite
def field_of(draw, kind: str, name: str, allow_table: bool = True):
    f = {"name": name, "label": draw(LABELS), "type": kind}
    if draw(st.booleans()):
        f["required"] = True
    if draw(st.booleans()):
        f["help"] = draw(LABELS)
    if kind in ("choice", "multichoice"):
        f["options"] = draw(options())
    if kind in ("number", "money"):
        low = draw(st.integers(0, 1000))
        f["min"], f["max"] = low, low + draw(st.integers(0, 1000))
    if kind in ("text", "textarea"):
        if draw(st.booleans()):
            f["max_length"] = draw(st.integers(6, 60))
        if kind == "text" and draw(st.booleans()):
            f["pattern"] = draw(st.sampled_from(PATTERNS))
    if kind == "date" and draw(st.booleans()):
        f["min_date"], f["max_date"] = "2020-01-01", "2030-12-31"
    if draw(st.booleans()):
        f["prefill"] = draw(st.sampled_from(sorted(PREFILL_SOURCES)))
    if kind == "table":
        names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
        f["columns"] = [
            draw(field_of(draw(st.sampled_from(SIMPLE_TYPES)), n, allow_table=False)) for n in names
        ]
        f["min_rows"] = draw(st.integers(0, 2))
        f["max_rows"] = f["min_rows"] + draw(st.integers(0, 5))
    return f


@st.composite
def schemas(draw, types=tuple(FIELD_TYPES), min_fields=1, max_fields=8):
    names = draw(st.lists(NAMES, min_size=min_fields, max_size=max_fields, unique=True))
    fields = [draw(field_of(draw(st.sampled_from(types)), n)) for n in names]
    for i, f in enumerate(fields):
        if i and draw(st.booleans()):
            other = fields[draw(st.integers(0, i - 1))]
            if other["type"] in ("choice", "multichoice"):  # one of its options, or never met
                value = draw(st.sampled_from([o["value"] for o in other["options"]]))
            else:
                value = draw(st.text(max_size=4))
            f["show_if"] = {"field": other["name"], "equals": value}
    return {"fields": fields}


# --- The schema itself ------------------------------------------------------------------------


@given(schemas())
def test_generated_valid_schemas_pass(schema):
    assert schema_errors(schema) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(schemas(min_fields=2), st.data())
def test_any_json_in_a_name_or_a_condition_is_a_message_not_an_exception(schema, data):
    """A guide document comes in as JSON from the API and imports: a list or a map where a name,
    a condition's field or its value belongs is reported, never raised."""
    fields = schema["fields"]
    target = fields[data.draw(st.integers(0, len(fields) - 1))]
    key = data.draw(st.sampled_from(["name", "show_if"]))
    if key == "name":
        target["name"] = data.draw(JSON)
    else:
        target["show_if"] = data.draw(
            JSON | st.fixed_dictionaries({"field": JSON}, optional={"equals": JSON, "in": JSON})
        )
    assert isinstance(schema_errors(schema), list)


def test_empty_schema_is_valid_and_wrong_shapes_are_not():
    assert schema_errors({}) == [] and schema_errors(None) == []
    assert schema_errors({"fields": "x"}) and schema_errors([1, 2])


def _mutate(schema, data, kind):
    fields = schema["fields"]
    i = data.draw(st.integers(0, len(fields) - 1))
    f = fields[i]
    if kind == "duplicate_name":
        j = data.draw(st.integers(0, len(fields) - 1).filter(lambda j: j != i))
        fields[j]["name"] = f["name"]
        return "重复"
    if kind == "unknown_type":
        f["type"] = data.draw(st.sampled_from(["file", "signature", "", None, "TEXT"]))
        return "不支持"
    if kind == "bad_regex":
        f.update(type="text", pattern=data.draw(st.sampled_from(["[abc", "(x", "*a", "a{2,1}"])))
        return "正则表达式）无效"
    if kind == "show_if_missing":
        f["show_if"] = {"field": "no_such_field_x", "equals": "1"}
        return "显示条件引用了不存在的字段"
    if kind == "show_if_not_an_option":
        j = data.draw(st.integers(0, len(fields) - 1).filter(lambda j: j != i))
        fields[j].update(type="choice", options=[{"value": "yes", "label": "是"}])
        fields[j].pop("columns", None)
        f["show_if"] = {
            "field": fields[j]["name"],
            **data.draw(st.sampled_from([{"equals": "no"}, {"in": ["yes", "no"]}])),
        }
        return "不是字段"
    if kind == "choice_without_options":
        f.update(
            type=data.draw(st.sampled_from(["choice", "multichoice"])),
            options=data.draw(st.sampled_from([[], None, [{"value": ""}], [{"value": " "}], ["a"]])),
        )
        return "需要至少一个有值的选项"
    if kind == "min_over_max":
        f.update(type="number", min=data.draw(st.integers(10, 100)))
        f["max"] = f["min"] - data.draw(st.integers(1, 10))
        return "min 大于 max"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "duplicate_name",
        "unknown_type",
        "bad_regex",
        "show_if_missing",
        "show_if_not_an_option",
        "choice_without_options",
        "min_over_max",
    ],
)
@given(data=st.data())
def test_mutations_are_reported(kind, data):
    schema = data.draw(schemas(min_fields=2))
    expected = _mutate(schema, data, kind)
    problems = schema_errors(schema)
    assert any(expected in p for p in problems), (expected, problems)


@pytest.mark.parametrize("option", [{"label": "无值"}, {"value": None, "label": "空"}])
def test_an_option_without_a_value_is_reported(option):
    schema = {"fields": [{"name": "c", "label": "选", "type": "choice", "options": [option]}]}
    assert any("需要至少一个有值的选项" in p for p in schema_errors(schema))


def test_table_columns_are_checked_and_nested_tables_refused():
    table = {"name": "t", "label": "表", "type": "table", "columns": []}
    assert any("至少一列" in p for p in schema_errors({"fields": [table]}))
    table["columns"] = [
        {
            "name": "inner",
            "label": "内表",
            "type": "table",
            "columns": [{"name": "a", "label": "a", "type": "text"}],
        }
    ]
    assert any("不支持" in p for p in schema_errors({"fields": [table]}))
    table["columns"] = [
        {"name": "a", "label": "甲", "type": "text"},
        {"name": "a", "label": "乙", "type": "text"},
    ]
    assert any("重复" in p for p in schema_errors({"fields": [table]}))


# --- Data against the schema ------------------------------------------------------------------


def _id_number(draw) -> str:
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    body = "110101" + birth.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return body + ric_check_digit(body)


def _uscc(draw) -> str:
    body = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
    return uscc_with_check(f"91110101{body}X")


@st.composite
def fitting_value(draw, f):
    kind = f["type"]
    if kind in ("text", "textarea"):
        if f.get("pattern"):
            value = draw(st.from_regex(f["pattern"], fullmatch=True))
            assume(len(value) <= f.get("max_length", 10**6) and value == value.strip())
            return value
        return draw(
            st.text(alphabet="我们申请abc123 ", min_size=1, max_size=f.get("max_length", 30)).filter(
                lambda s: s.strip()
            )
        )
    if kind == "number":
        return draw(st.integers(int(f.get("min", 0)), int(f.get("max", 10**6))))
    if kind == "money":
        cents = draw(st.integers(int(f.get("min", 0)) * 100, int(f.get("max", 10**6)) * 100))
        return str(Decimal(cents) / 100)
    if kind == "date":
        low = dt.date.fromisoformat(f.get("min_date", "1900-01-01"))
        high = dt.date.fromisoformat(f.get("max_date", "2100-12-31"))
        return draw(st.dates(low, high)).isoformat()
    if kind == "choice":
        return draw(st.sampled_from([o["value"] for o in f["options"]]))
    if kind == "multichoice":
        return draw(st.lists(st.sampled_from([o["value"] for o in f["options"]]), min_size=1, unique=True))
    if kind == "phone":
        return draw(st.sampled_from(["13", "15", "18", "19"])) + "".join(
            draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9))
        )
    if kind == "id_number":
        return _id_number(draw)
    if kind == "uscc":
        return _uscc(draw)
    if kind == "table":
        count = draw(
            st.integers(max(f.get("min_rows", 0), 1 if f.get("required") else 0), f.get("max_rows", 3) or 3)
        )
        return [{c["name"]: draw(fitting_value(c)) for c in f["columns"]} for _ in range(count)]
    raise AssertionError(kind)


DATA_TYPES = tuple(t for t in FIELD_TYPES if t != "address")


@given(data=st.data())
def test_clean_data_accepts_values_made_to_fit(data):
    schema = data.draw(schemas(types=DATA_TYPES))
    for f in schema["fields"]:
        f.pop("show_if", None)
        if f["type"] == "table":
            f["columns"] = [c for c in f["columns"] if c["type"] != "address"] or [
                {"name": "c", "label": "列", "type": "text"}
            ]
    values = {f["name"]: data.draw(fitting_value(f)) for f in schema["fields"]}
    cleaned = clean_data(schema, values)
    assert set(cleaned) == set(values)
    for f in schema["fields"]:
        if f["type"] == "number":
            assert cleaned[f["name"]] == values[f["name"]]
        if f["type"] in ("choice", "date", "phone", "id_number", "uscc"):
            assert cleaned[f["name"]] == values[f["name"]]


def _errors(schema, data, **kw) -> dict:
    with pytest.raises(ValidationError) as exc:
        clean_data(schema, data, **kw)
    return exc.value.message_dict


@given(
    low=st.integers(-1000, 1000),
    span=st.integers(0, 1000),
    outside=st.integers(1, 10**6),
    above=st.booleans(),
)
def test_numbers_outside_the_range_are_refused(low, span, outside, above):
    schema = {"fields": [{"name": "n", "label": "数", "type": "number", "min": low, "max": low + span}]}
    value = low + span + outside if above else low - outside
    assert "n" in _errors(schema, {"n": str(value)})
    assert clean_data(schema, {"n": str(low)}) == {"n": low}


@given(limit=st.integers(1, 30), extra=st.integers(1, 20))
def test_text_longer_than_max_length_is_refused(limit, extra):
    schema = {"fields": [{"name": "t", "label": "文字", "type": "text", "max_length": limit}]}
    assert "不能超过" in _errors(schema, {"t": "字" * (limit + extra)})["t"][0]
    assert clean_data(schema, {"t": " " + "字" * limit + " "}) == {"t": "字" * limit}


@given(opts=options(), bad=st.text(min_size=1, max_size=5))
def test_choices_outside_the_options_are_refused(opts, bad):
    assume(bad not in {o["value"] for o in opts})
    schema = {
        "fields": [
            {"name": "c", "label": "选", "type": "choice", "options": opts},
            {"name": "m", "label": "多选", "type": "multichoice", "options": opts},
        ]
    }
    errors = _errors(schema, {"c": bad, "m": [opts[0]["value"], bad]})
    assert set(errors) == {"c", "m"}


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("date", "2025-02-30"),
        ("date", "昨天"),
        ("money", "1.234"),
        ("money", "-5"),
        ("number", "十"),
        ("number", "NaN"),
        ("phone", "12345"),
        ("id_number", "110101199003071234"),
        ("uscc", "91110101MA01ABCD0X"),
        ("text", "AB12"),
    ],
)
def test_invalid_values_are_refused(kind, value):
    field = {"name": "x", "label": "值", "type": kind}
    if kind == "text":
        field["pattern"] = r"[A-Z]{2}\d{4}"
    assert "x" in _errors({"fields": [field]}, {"x": value})


def test_required_fields_and_tables():
    schema = {
        "fields": [
            {"name": "a", "label": "甲", "type": "text", "required": True},
            {
                "name": "rows",
                "label": "行",
                "type": "table",
                "required": True,
                "max_rows": 2,
                "columns": [
                    {"name": "n", "label": "名", "type": "text", "required": True},
                    {"name": "k", "label": "数", "type": "number", "max": 5},
                ],
            },
        ]
    }
    errors = _errors(schema, {})
    assert errors["a"] == ["此项为必填项。"] and errors["rows"] == ["请至少填写一行。"]
    errors = _errors(schema, {"a": "x", "rows": [{"n": "1"}, {"k": "9"}, {"n": "3"}]})
    assert "最多填写 2 行" in errors["rows"][0]
    assert errors["rows.2.n"] == ["此项为必填项。"] and "不能大于" in errors["rows.2.k"][0]


@given(opts=options(), data=st.data())
def test_show_if_hides_fields(opts, data):
    trigger = data.draw(st.sampled_from([o["value"] for o in opts]))
    chosen = data.draw(st.sampled_from([o["value"] for o in opts]))
    schema = {
        "fields": [
            {"name": "kind", "label": "类型", "type": "choice", "options": opts, "required": True},
            {
                "name": "detail",
                "label": "说明",
                "type": "text",
                "required": True,
                "show_if": {"field": "kind", "equals": trigger},
            },
        ]
    }
    assert schema_errors(schema) == []
    visible = is_visible(schema["fields"][1], {"kind": chosen})
    assert visible == (chosen == trigger)
    if visible:
        assert "detail" in _errors(schema, {"kind": chosen})
        assert clean_data(schema, {"kind": chosen, "detail": "有"}) == {"kind": chosen, "detail": "有"}
    else:
        # hidden: neither required nor kept, even when a value was sent
        assert clean_data(schema, {"kind": chosen, "detail": "忽略"}) == {"kind": chosen}


def test_a_condition_on_a_choice_must_name_one_of_its_options():
    kind = {
        "name": "kind",
        "label": "申请类型",
        "type": "choice",
        "options": [{"value": "new"}, {"value": "renew"}],
    }
    old = {"name": "old", "label": "原证号", "type": "text"}
    for cond, wrong in (
        ({"equals": "renew"}, []),
        ({"in": ["new", "renew"]}, []),
        ({"equals": "换领"}, ["换领"]),  # the option's label, not its value
        ({"in": ["renew", "x", "y"]}, ["x", "y"]),
    ):
        problems = schema_errors({"fields": [kind, {**old, "show_if": {"field": "kind", **cond}}]})
        assert problems == [
            f"字段“原证号”的显示条件取值“{value}”不是字段“申请类型”的选项，该字段永远不会显示。"
            for value in wrong
        ]
    # a condition on a text field may name any value
    assert (
        schema_errors({"fields": [old, {**old, "name": "o2", "show_if": {"field": "old", "equals": "x"}}]})
        == []
    )


def test_a_narrowed_choice_leaves_out_the_fields_only_its_removed_options_showed():
    kind = {"name": "kind", "label": "申请类型", "type": "choice", "options": [{"value": "first"}]}
    reason = {
        "name": "reason",
        "label": "补换原因",
        "type": "text",
        "show_if": {"field": "kind", "equals": "replace"},
    }
    detail = {"name": "detail", "label": "说明", "type": "text", "show_if": {"field": "reason"}}
    either = {
        "name": "either",
        "label": "备注",
        "type": "text",
        "show_if": {"field": "kind", "in": ["first", "x"]},
    }
    kept = without_never_shown([kind, reason, detail, either])
    assert [f["name"] for f in kept] == ["kind", "either"]  # detail hung on reason; either can show
    assert without_never_shown([kind, either]) == [kind, either]


@given(schemas())
def test_what_is_left_never_has_a_condition_no_answer_meets(schema):
    for f in schema["fields"]:  # narrow every choice to its first option
        if f["type"] in ("choice", "multichoice"):
            f["options"] = f["options"][:1]
    kept = without_never_shown(schema["fields"])
    assert not any("永远不会显示" in p or "不存在的字段" in p for p in schema_errors({"fields": kept}))


def test_show_if_on_a_multichoice_and_a_truthy_condition():
    schema = {
        "fields": [
            {
                "name": "m",
                "label": "多选",
                "type": "multichoice",
                "options": [{"value": "a"}, {"value": "b"}],
            },
            {
                "name": "x",
                "label": "甲",
                "type": "text",
                "required": True,
                "show_if": {"field": "m", "equals": "b"},
            },
            {"name": "y", "label": "乙", "type": "text", "required": True, "show_if": {"field": "m"}},
        ]
    }
    assert clean_data(schema, {}) == {}
    assert set(_errors(schema, {"m": ["a"]})) == {"y"}
    assert set(_errors(schema, {"m": ["a", "b"]})) == {"x", "y"}


@given(schema=schemas(types=DATA_TYPES), data=st.data())
def test_partial_mode_allows_missing_values_but_not_bad_ones(schema, data):
    for f in schema["fields"]:
        f["required"] = True
        f.pop("show_if", None)
        if f["type"] == "table":
            f["columns"] = [c for c in f["columns"] if c["type"] != "address"] or [
                {"name": "c", "label": "列", "type": "text"}
            ]
    assert clean_data(schema, {}, partial=True) == {
        f["name"]: [] for f in schema["fields"] if f["type"] == "table"
    }
    with pytest.raises(ValidationError):
        clean_data(schema, {})
    number = {"name": "zz_amount", "label": "数", "type": "number", "required": True, "max": 10}
    schema["fields"].append(number)
    assert "zz_amount" in _errors(schema, {"zz_amount": "11"}, partial=True)


@pytest.mark.django_db
def test_address_needs_a_known_division(region):
    schema = {"fields": [{"name": "addr", "label": "地址", "type": "address", "required": True}]}
    ok = clean_data(schema, {"addr": {"division": "159902001001", "detail": "光明路1号"}})
    assert ok == {"addr": {"division": "159902001001", "detail": "光明路1号"}}
    assert _errors(schema, {"addr": {"division": "999999999999", "detail": "x"}})["addr"] == [
        "请选择所在区划。"
    ]
    assert _errors(schema, {"addr": {"division": "159902001001", "detail": " "}})["addr"] == [
        "请填写详细地址。"
    ]
    assert _errors(schema, {"addr": "光明路1号"})["addr"] == ["请选择区划并填写详细地址。"]


def test_prefill_and_missing_required():
    schema = {
        "fields": [
            {"name": "who", "label": "姓名", "type": "text", "required": True, "prefill": "name"},
            {"name": "tel", "label": "电话", "type": "phone", "required": True, "prefill": "phone"},
        ]
    }
    assert form_schema.prefill(schema, {"name": "张三", "phone": ""}) == {"who": "张三"}
    assert form_schema.missing_required(schema, {"who": "张三"}) == ["电话"]


def test_patterns_in_the_generator_are_valid():
    for p in PATTERNS:
        re.compile(p)
