"""Guide documents as people read them: element labels, choice labels instead of codes, and a
diff of two versions that names what changed (材料“营业执照”：材料类型 复印件 → 原件)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalog import rules
from yiwang.catalog.guide_document import FAQ_FIELDS, FEE_FIELDS, MATERIAL_FIELDS, SCALAR_FIELDS
from yiwang.catalog.models import EntryVersion, Faq, Fee, Material, Situation, TimeUnit, Topic
from yiwang.workbench.catalog_forms import HANDLING_FORM_CHOICES, REVIEW_ROLE_CHOICES, SECTIONS

EMPTY = "—"
RULE_TITLES = {r.code: r.title for r in rules.RULES}
RULE_SEVERITY = {r.code: r.severity for r in rules.RULES}


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def display(model, name: str, value: Any) -> str:
    """One value of a model field as text: choice labels, 是/否, — for empty."""
    if value is None or value == "" or value == []:
        return EMPTY
    field = model._meta.get_field(name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _list_text(name: str, value: list) -> list[str]:
    if not value:
        return []
    if name == "handling_forms":
        labels = dict(HANDLING_FORM_CHOICES)
        return ["、".join(str(labels.get(v, v)) for v in value)]
    if name == "topics":
        names = dict(Topic.objects.filter(code__in=value).values_list("code", "name"))
        return ["、".join(names.get(v, v) for v in value)]
    if name == "aliases":
        return ["、".join(str(v) for v in value)]
    lines = []
    roles = dict(REVIEW_ROLE_CHOICES)
    units = dict(TimeUnit.choices)
    for i, step in enumerate(value, start=1):
        if not isinstance(step, dict):
            lines.append(f"{i}. {step}")
            continue
        text = f"{i}. {step.get('name', '')}"
        if step.get("description"):
            text += f"：{step['description']}"
        if step.get("role"):
            text += f"（{roles.get(step['role'], step['role'])}）"
        if step.get("limit") not in (None, ""):
            text += f"（{step['limit']} {units.get(step.get('unit'), step.get('unit') or '')}）"
        lines.append(text)
    return lines


def _schema_text(schema: Any) -> list[str]:
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not fields:
        return []
    return [
        _("表单字段：%(labels)s")
        % {"labels": "、".join(str(f.get("label") or f.get("name")) for f in fields if isinstance(f, dict))}
    ]


CHILD_MODELS = {
    "materials": (Material, [*MATERIAL_FIELDS, "situation", "blank_form", "sample_form"], "name"),
    "fees": (Fee, FEE_FIELDS, "name"),
    "faqs": (Faq, FAQ_FIELDS, "question"),
    "situations": (Situation, ["seq", "name", "name_en", "description", "form_schema"], "name"),
}
CHILD_NOUN = {
    "materials": gettext_lazy("材料"),
    "fees": gettext_lazy("收费项目"),
    "faqs": gettext_lazy("问题"),
    "situations": gettext_lazy("情形"),
}


def _child_value(element: str, key: str, value: Any) -> str:
    if key in ("blank_form", "sample_form"):
        return _("已上传") if value else _("未上传")
    if key == "situation":
        return _("情形%(seq)s") % {"seq": value} if value else _("所有情形")
    if key == "form_schema":
        return "；".join(_schema_text(value)) or EMPTY
    model = CHILD_MODELS[element][0]
    return display(model, key, value)


def _child_label(element: str, key: str) -> str:
    if key == "situation":
        return _("适用情形")
    model = CHILD_MODELS[element][0]
    return _label(model, key)


def _children_diff(element: str, before: list, after: list) -> tuple[list[str], list[str]]:
    """Items matched by name: removed, added, and changed fields."""
    _model, keys, title_key = CHILD_MODELS[element]
    noun = CHILD_NOUN[element]

    def keyed(items):
        out, seen = {}, {}
        for item in items or []:
            title = str(item.get(title_key, ""))
            seen[title] = seen.get(title, 0) + 1
            out[(title, seen[title])] = item
        return out

    old, new = keyed(before), keyed(after)
    before_lines, after_lines = [], []
    for key in old:
        if key not in new:
            before_lines.append(_("删除%(noun)s“%(name)s”") % {"noun": noun, "name": key[0]})
    for key, item in new.items():
        if key not in old:
            after_lines.append(_("新增%(noun)s“%(name)s”") % {"noun": noun, "name": key[0]})
            continue
        changed = [k for k in keys if old[key].get(k) != item.get(k)]
        for k in changed:
            what = f"{noun}“{key[0]}”·{_child_label(element, k)}"
            before_lines.append(f"{what}：{_child_value(element, k, old[key].get(k))}")
            after_lines.append(f"{what}：{_child_value(element, k, item.get(k))}")
    if not before_lines and not after_lines:
        before_lines.append(_("（顺序调整）"))
        after_lines.append(_("（顺序调整）"))
    return before_lines, after_lines


def readable_diff(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`queries.diff_versions` output with before/after as lines of readable text."""
    out = []
    for change in changes:
        element, before, after = change["element"], change["before"], change["after"]
        if element in CHILD_MODELS:
            before_lines, after_lines = _children_diff(element, before, after)
        elif element == "form_schema":
            before_lines, after_lines = _schema_text(before) or [EMPTY], _schema_text(after) or [EMPTY]
            if before_lines == after_lines:
                before_lines, after_lines = [_("（字段设置有修改）")], [_("（字段设置有修改）")]
        elif element in SCALAR_FIELDS:
            before_lines = [display(EntryVersion, element, before)]
            after_lines = [display(EntryVersion, element, after)]
        else:
            before_lines = _list_text(element, before) or [EMPTY]
            after_lines = _list_text(element, after) or [EMPTY]
        out.append(
            {"element": element, "label": change["label"], "before": before_lines, "after": after_lines}
        )
    return out


def document_sections(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The scalar and simple list elements of a guide document, grouped like the editor."""
    sections = []
    for key, title, names, _prefixes in SECTIONS:
        items = []
        for name in names:
            if name in SCALAR_FIELDS:
                items.append(
                    {
                        "label": _label(EntryVersion, name),
                        "lines": [display(EntryVersion, name, doc.get(name))],
                    }
                )
            else:
                label = _label(EntryVersion, name)
                items.append({"label": label, "lines": _list_text(name, doc.get(name) or []) or [EMPTY]})
        if key == "limits" and doc.get("special_procedures"):
            items.append(
                {
                    "label": _label(EntryVersion, "special_procedures"),
                    "lines": _list_text("special_procedures", doc["special_procedures"]),
                }
            )
        if key == "procedure":
            for name in ("procedure", "review_steps"):
                items.append(
                    {
                        "label": _label(EntryVersion, name),
                        "lines": _list_text(name, doc.get(name) or []) or [EMPTY],
                    }
                )
            items.append({"label": _("申请表单"), "lines": _schema_text(doc.get("form_schema")) or [EMPTY]})
        sections.append({"key": key, "title": title, "items": items})
    return sections


def material_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    situations = {s["seq"]: s["name"] for s in doc.get("situations") or []}
    rows = []
    for m in doc.get("materials") or []:
        rows.append(
            {
                "name": m.get("name"),
                "name_en": m.get("name_en") or "",
                "kind": display(Material, "kind", m.get("kind")),
                "necessity": display(Material, "necessity", m.get("necessity")),
                "condition": m.get("condition") or "",
                "situation": situations.get(m.get("situation"), "") if m.get("situation") else _("所有情形"),
                "source": display(Material, "source", m.get("source")),
                "copies": m.get("paper_copies"),
                "blank_form": m.get("blank_form"),
                "sample_form": m.get("sample_form"),
            }
        )
    return rows


def findings_summary(findings: list[rules.Finding]) -> dict[str, int]:
    errors = sum(1 for f in findings if f.severity == rules.ERROR)
    return {"errors": errors, "warnings": len(findings) - errors}
