"""What the form builder offers a clerk instead of raw schema: named formats (the regular
expressions a text field's `pattern` stores), ready fields one click away and blank fields by type.

Declared once here and used by the builder (workbench/schema_builder.py), the application form's
renderer (input hints for a known format) and the tests. Nothing here changes the stored schema
format (catalog/form_schema.py): a named format is stored as its `pattern` and `pattern_message`,
a ready field as an ordinary field.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.catalog.form_schema import NAME_RE


@dataclass(frozen=True)
class NamedPattern:
    """A format a clerk picks by name; `regex` is what the schema's `pattern` stores (matched in
    full by `form_schema`), `message` its `pattern_message`; the rest are hints for the applicant's
    input (keyboard, autofill)."""

    key: str
    label: Any
    regex: str
    message: Any
    input_type: str = "text"
    inputmode: str = ""
    autocomplete: str = ""


PATTERNS: tuple[NamedPattern, ...] = (
    NamedPattern(
        "id_number",
        _("身份证号码"),
        r"\d{17}[\dXx]",
        "请输入18位身份证号码。",
        autocomplete="off",
    ),
    NamedPattern(
        "uscc",
        _("统一社会信用代码"),
        r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
        "请输入18位统一社会信用代码（数字和大写字母）。",
        autocomplete="off",
    ),
    NamedPattern("mobile", _("手机号码"), r"1[3-9]\d{9}", "请输入11位手机号码。", "tel", "", "tel"),
    NamedPattern(
        "landline",
        _("固定电话"),
        r"0\d{2,3}-?\d{7,8}",
        "请输入带区号的固定电话，如 0471-8001234。",
        "tel",
        "",
        "tel",
    ),
    NamedPattern(
        "postcode", _("邮政编码"), r"\d{6}", "请输入6位邮政编码。", "text", "numeric", "postal-code"
    ),
    NamedPattern(
        "email",
        _("电子邮箱"),
        r"[^@\s]+@[^@\s]+\.[^@\s]+",
        "请输入电子邮箱地址，如 name@example.cn。",
        "email",
        "",
        "email",
    ),
)
PATTERNS_BY_KEY = {p.key: p for p in PATTERNS}
CUSTOM = "custom"  # the builder's choice for a regular expression that has no name


def _bare(regex: str) -> str:
    """A regex without the anchors `fullmatch` makes unnecessary (`^…$`, `\\A…\\Z`)."""
    return re.sub(r"^(\^|\\A)|(\$|\\Z)$", "", regex.strip())


def pattern_named(regex: Any) -> NamedPattern | None:
    """The named format a stored regular expression is, or None (no pattern, or a custom one)."""
    if not isinstance(regex, str) or not regex.strip():
        return None
    bare = _bare(regex)
    return next((p for p in PATTERNS if p.regex == bare), None)


def is_default_message(message: Any) -> bool:
    """A `pattern_message` that is one of the named formats' own (so changing the format changes
    it too, and the builder shows it as “默认”)."""
    return isinstance(message, str) and any(message == str(p.message) for p in PATTERNS)


@dataclass(frozen=True)
class Preset:
    """A field added with one click: `key` is the op value and the base of the field's generated
    key; `template` the schema field it adds, without its `name` (its label is stored content, in
    Chinese whatever the clerk's interface language)."""

    key: str
    label: Any
    template: dict[str, Any]

    def make(self) -> dict[str, Any]:
        return copy.deepcopy(self.template)


def _pattern(key: str) -> dict[str, Any]:
    p = PATTERNS_BY_KEY[key]
    return {"pattern": p.regex, "pattern_message": p.message}


READY_FIELDS: tuple[Preset, ...] = (
    Preset(
        "name",
        _("姓名"),
        {"label": "姓名", "type": "text", "required": True, "max_length": 50, "prefill": "name"},
    ),
    # The identifier types check the check digit (GB 11643, GB 32100), more than any pattern can.
    Preset(
        "id_number",
        _("身份证号码"),
        {"label": "身份证号码", "type": "id_number", "required": True, "prefill": "id_number"},
    ),
    Preset(
        "uscc",
        _("统一社会信用代码"),
        {"label": "统一社会信用代码", "type": "uscc", "required": True, "prefill": "uscc"},
    ),
    # The applicant's own phone is asked by the platform's contact step (a form field asking it
    # again is dropped: form_schema.duplicates_platform_step), so the ready phone field is the
    # other person a form typically needs to reach; the clerk renames it as the form requires.
    Preset(
        "mobile",
        _("手机号码"),
        {
            "label": "法定代表人（负责人）手机号码",
            "type": "text",
            "required": True,
            "max_length": 11,
            **_pattern("mobile"),
        },
    ),
    Preset("address", _("地址"), {"label": "地址", "type": "address", "required": True}),
    Preset("date", _("日期"), {"label": "日期", "type": "date", "required": True}),
)
READY_BY_KEY = {p.key: p for p in READY_FIELDS}

YES_NO = [{"value": "是", "label": "是"}, {"value": "否", "label": "否"}]
BLANK_FIELDS: tuple[Preset, ...] = (
    Preset("text", _("单行文字"), {"label": "", "type": "text"}),
    Preset("textarea", _("多行文字"), {"label": "", "type": "textarea"}),
    Preset("number", _("数字"), {"label": "", "type": "number"}),
    Preset("money", _("金额"), {"label": "", "type": "money"}),
    Preset("choice", _("单选"), {"label": "", "type": "choice", "options": []}),
    Preset("multichoice", _("多选"), {"label": "", "type": "multichoice", "options": []}),
    Preset("yesno", _("是/否"), {"label": "", "type": "choice", "options": YES_NO}),
    Preset(
        "table",
        _("表格"),
        {"label": "", "type": "table", "columns": [{"name": "text_1", "label": "", "type": "text"}]},
    ),
)
BLANK_BY_KEY = {p.key: p for p in BLANK_FIELDS}


def new_key(base: str, taken: set[str]) -> str:
    """A field key not in `taken`: `base` itself for a ready field (`name`, `mobile`), else
    `base_1`, `base_2`… (always with a number for a blank field's type, `text_1`)."""
    base = re.sub(r"[^a-z0-9_]", "", base.lower()) or "field"
    if not base[0].isalpha():
        base = "f" + base
    base = base[:30]
    if base not in taken and base in READY_BY_KEY and NAME_RE.match(base):
        return base
    n = 1 if base not in READY_BY_KEY else 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
