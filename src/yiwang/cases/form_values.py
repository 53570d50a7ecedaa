"""A case's form as it is read: the values masked by the field types of the form schema (ID
numbers and phones, tables included) and put in words with the schema's labels. `cases.queries`
applies them with the reader's rule (`queries.reads_in_full`); nothing else masks form values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from yiwang.core.masking import mask_id_number, mask_phone


def masked_form(schema: dict, data: dict) -> dict:
    """The form's values with ID numbers and phones masked (fields by type, tables included)."""
    out = dict(data)
    for f in (schema or {}).get("fields", []):
        name, value = f["name"], data.get(f["name"])
        if value in (None, ""):
            continue
        if f.get("type") == "id_number" or f.get("prefill") == "id_number":
            out[name] = mask_id_number(str(value))
        elif f.get("type") == "phone" or f.get("prefill") == "phone":
            out[name] = mask_phone(str(value))
        elif f.get("type") == "table" and isinstance(value, list):
            out[name] = [
                masked_form({"fields": f.get("columns", [])}, r) if isinstance(r, dict) else r for r in value
            ]
    return out


@dataclass
class Answer:
    """One field of the form as read: its label and its value in words (tables: columns, rows)."""

    name: str
    label: str
    kind: str
    text: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def answers(schema: dict, raw: dict, *, full: bool) -> list[Answer]:
    """The form with the schema's labels, option labels, division names and money in words, masked
    unless `full`; fields hidden by their condition left out, and so are the fields an application
    no longer asks (they repeat a platform step) unless an older case holds a value; values of
    fields no longer in the schema last."""
    from yiwang.catalog.form_schema import duplicates_platform_step, is_visible
    from yiwang.core.models import Division

    fields = [f for f in (schema or {}).get("fields", []) if isinstance(f, dict) and f.get("name")]
    raw = raw if isinstance(raw, dict) else {}
    data = raw if full else masked_form(schema, raw)
    codes = _address_codes(fields, data)
    divisions = dict(Division.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    out = []
    for f in fields:
        if not is_visible(f, raw) or (
            duplicates_platform_step(f) and raw.get(f["name"]) in (None, "", [], {})
        ):
            continue
        value, answer = (
            data.get(f["name"]),
            Answer(f["name"], str(f.get("label") or f["name"]), f.get("type", "")),
        )
        if answer.kind == "table":
            columns = [c for c in f.get("columns") or [] if isinstance(c, dict) and c.get("name")]
            answer.columns = [str(c.get("label") or c["name"]) for c in columns]
            answer.rows = [
                [value_text(c, row.get(c["name"]), divisions) for c in columns]
                for row in (value if isinstance(value, list) else [])
                if isinstance(row, dict)
            ]
        else:
            answer.text = value_text(f, value, divisions)
        out.append(answer)
    known = {f["name"] for f in fields}
    out += [
        Answer(name, name, "", str(value))
        for name, value in data.items()
        if name not in known and value not in (None, "", [], {})
    ]
    return out


def _address_codes(fields: list[dict], data: dict) -> set[str]:
    codes = set()
    for f in fields:
        value = data.get(f.get("name"))
        if f.get("type") == "address" and isinstance(value, dict) and value.get("division"):
            codes.add(str(value["division"]))
        if f.get("type") == "table" and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    codes |= _address_codes(f.get("columns") or [], row)
    return codes


def value_text(f: dict, value: Any, divisions: dict[str, str]) -> str:
    """A saved (already masked) value in words: "" when empty."""
    if value in (None, "", [], {}):
        return ""
    kind = f.get("type")
    options = {str(o.get("value")): str(o.get("label") or o.get("value")) for o in f.get("options") or []}
    if kind == "choice":
        return options.get(str(value), str(value))
    if kind == "multichoice":
        return "、".join(options.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value]))
    if kind == "address" and isinstance(value, dict):
        division = divisions.get(str(value.get("division", "")), str(value.get("division", "")))
        return " ".join(x for x in (division, str(value.get("detail", ""))) if x)
    if kind == "money":
        return gettext("%(n)s 元") % {"n": value}
    return str(value)
