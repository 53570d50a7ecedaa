"""Building blocks of application forms (catalog.form_schema): small constructors returning plain
field dicts, and the applicant blocks most forms start with."""

from __future__ import annotations

from typing import Any


def f(name: str, label: str, kind: str = "text", required: bool = True, **extra: Any) -> dict[str, Any]:
    """One form field; `extra` carries prefill, help, options, show_if, columns, bounds."""
    return {"name": name, "label": label, "type": kind, "required": required, **extra}


def choice(name: str, label: str, pairs: list[tuple[str, str]], required: bool = True, **extra: Any):
    return f(
        name, label, "choice", required, options=[{"value": v, "label": lab} for v, lab in pairs], **extra
    )


def multi(name: str, label: str, pairs: list[tuple[str, str]], required: bool = True, **extra: Any):
    return f(
        name,
        label,
        "multichoice",
        required,
        options=[{"value": v, "label": lab} for v, lab in pairs],
        **extra,
    )


def when(field: str, equals: str) -> dict[str, str]:
    return {"field": field, "equals": equals}


YES_NO = [("yes", "是"), ("no", "否")]

# The applicant's contact phone and how the result reaches them are asked by the platform's own
# steps (form_schema.duplicates_platform_step): the demo's forms do not ask them again.
PERSON = [
    f("applicant_name", "申请人姓名", max_length=50, prefill="name", help="与居民身份证一致"),
    f("applicant_id_number", "公民身份号码", "id_number", prefill="id_number"),
]

ENTERPRISE = [
    f("enterprise_name", "单位名称", max_length=100, prefill="enterprise_name"),
    f("uscc", "统一社会信用代码", "uscc", prefill="uscc"),
    f("legal_representative", "法定代表人（负责人）", max_length=50, prefill="legal_representative"),
    f("agent_name", "经办人姓名", max_length=50, prefill="name"),
    f("agent_id_number", "经办人公民身份号码", "id_number", prefill="id_number"),
]


def person(*more: dict[str, Any], delivery: bool = False) -> dict[str, Any]:
    """A person's form; `delivery` is kept for the item tables' sake: the platform asks it."""
    del delivery
    return {"fields": [*PERSON, *more]}


def enterprise(*more: dict[str, Any], delivery: bool = False) -> dict[str, Any]:
    del delivery
    return {"fields": [*ENTERPRISE, *more]}
