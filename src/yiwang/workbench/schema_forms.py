"""Render a declarative form schema (catalog.form_schema) as an accessible HTML form, and read a
posted form back into the data `form_schema.clean_data` expects.

Used by the form builder's live preview and, through the `schema_form` template tag
(`{% load schema_forms %}{% schema_form schema data errors prefix="f-" %}`), by any page where an
applicant fills in an application form. Every control has a label, required fields are marked in
text (not only by colour), help and error texts are tied to their control with aria-describedby,
and grouped controls (choices, addresses, table rows) are fieldsets with a legend.

Names in the posted form: a field `x` is `<prefix>x`; a multichoice posts several `<prefix>x`; an
address posts `<prefix>x-division` and `<prefix>x-detail`; a table posts `<prefix>x-TOTAL` and each
cell as `<prefix>x-<row>-<column>` (rows counted from 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yiwang.catalog import form_presets
from yiwang.catalog.form_schema import FIELD_TYPES, is_visible

CHOICE_RADIO_MAX = 6  # up to this many options: radio buttons; more: a drop-down list
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    id: str


@dataclass
class SchemaField:
    """One control (or group of controls) ready for the template."""

    kind: str  # the schema type
    widget: str  # input / textarea / select / radios / checkboxes / address / table
    name: str
    html_name: str
    id: str
    label: str
    required: bool
    help: str = ""
    errors: list[str] = field(default_factory=list)
    value: Any = ""
    input_type: str = "text"
    attrs: dict[str, Any] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    condition: str = ""
    hidden: bool = False
    show_if_field: str = ""
    show_if_value: str = ""
    suffix: str = ""
    rows: list[dict] = field(default_factory=list)  # tables: [{"number", "legend", "cells"}]
    total_name: str = ""
    division_options: list[Option] = field(default_factory=list)
    detail_value: str = ""
    detail_id: str = ""
    detail_errors: list[str] = field(default_factory=list)

    @property
    def help_id(self) -> str:
        return f"{self.id}-help" if self.help else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}-error" if self.errors else ""

    @property
    def describedby(self) -> str:
        return " ".join(x for x in (self.help_id, self.error_id) if x)

    @property
    def is_group(self) -> bool:
        return self.widget in ("radios", "checkboxes", "address", "table")

    @property
    def attr_items(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self.attrs.items() if v not in (None, "", False)]


def _safe_id(text: str) -> str:
    return _ID_SAFE.sub("-", text)


def _int(value: Any) -> int:
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _condition_text(fld: dict, labels: dict[str, str], choices: dict[str, dict[str, str]]) -> str:
    """ "当“经营项目”为“冷食类食品制售”时填写": the other field's label and its option's label, never
    the internal option value the schema stores."""
    cond = fld.get("show_if")
    if not isinstance(cond, dict) or not cond.get("field"):
        return ""
    other = labels.get(cond["field"], cond["field"])
    shown = choices.get(cond["field"], {})
    if "equals" in cond:
        value = shown.get(str(cond["equals"]), cond["equals"])
        return _("当“%(field)s”为“%(value)s”时填写") % {"field": other, "value": value}
    if "in" in cond and isinstance(cond["in"], list):
        return _("当“%(field)s”为“%(value)s”之一时填写") % {
            "field": other,
            "value": "、".join(shown.get(str(v), str(v)) for v in cond["in"]),
        }
    return _("当“%(field)s”已填写时填写") % {"field": other}


def _errors_for(errors: dict[str, list[str]], key: str) -> list[str]:
    value = errors.get(key) or []
    return [str(m) for m in value] if isinstance(value, (list, tuple)) else [str(value)]


def bind_field(
    fld: dict,
    data: dict,
    errors: dict[str, list[str]],
    *,
    prefix: str = "",
    id_prefix: str = "sf-",
    error_key: str | None = None,
    labels: dict[str, str] | None = None,
    apply_visibility: bool = True,
    divisions: list[tuple[str, str]] | None = None,
    choices: dict[str, dict[str, str]] | None = None,
) -> SchemaField | None:
    """One schema field with its value and errors; None for a field the renderer cannot show."""
    if not isinstance(fld, dict):
        return None
    kind = fld.get("type")
    name = str(fld.get("name") or "")
    if kind not in FIELD_TYPES or not name:
        return None
    html_name = f"{prefix}{name}"
    error_key = error_key or name
    value = data.get(name) if isinstance(data, dict) else None
    cond = fld.get("show_if") if isinstance(fld.get("show_if"), dict) else None
    sf = SchemaField(
        kind=kind,
        widget="input",
        name=name,
        html_name=html_name,
        id=_safe_id(f"{id_prefix}{html_name}"),
        label=str(fld.get("label") or name),
        required=bool(fld.get("required")),
        help=str(fld.get("help") or ""),
        errors=_errors_for(errors, error_key),
        value=_str(value) if not isinstance(value, (list, dict)) else value,
        condition=_condition_text(fld, labels or {}, choices or {}),
        show_if_field=f"{prefix}{cond['field']}" if cond and cond.get("field") else "",
        show_if_value=_str(cond.get("equals")) if cond and "equals" in cond else "",
    )
    if apply_visibility and cond and cond.get("field"):
        try:
            sf.hidden = not is_visible(fld, data or {})
        except (TypeError, KeyError):
            sf.hidden = False
    attrs = sf.attrs
    if kind in ("text", "textarea"):
        sf.widget = "textarea" if kind == "textarea" else "input"
        attrs["maxlength"] = fld.get("max_length")
        named = form_presets.pattern_named(fld.get("pattern")) if kind == "text" else None
        if named is not None:  # a named format: the keyboard and autofill that suit it
            sf.input_type = named.input_type
            attrs.update(inputmode=named.inputmode, autocomplete=named.autocomplete)
            attrs["spellcheck"] = "false"
    elif kind in ("number", "money"):
        sf.input_type = "text"
        attrs["inputmode"] = "decimal"
        sf.suffix = _("元") if kind == "money" else ""
        bounds = []
        if fld.get("min") is not None:
            bounds.append(_("最小 %(n)s") % {"n": fld["min"]})
        if fld.get("max") is not None:
            bounds.append(_("最大 %(n)s") % {"n": fld["max"]})
        if bounds and not sf.help:
            sf.help = "，".join(bounds)
    elif kind == "date":
        sf.input_type = "date"
        attrs["min"] = fld.get("min_date")
        attrs["max"] = fld.get("max_date")
    elif kind == "phone":
        sf.input_type = "tel"
        attrs["autocomplete"] = "tel"
        attrs["maxlength"] = 20
    elif kind in ("id_number", "uscc"):
        attrs["maxlength"] = 18
        attrs["autocomplete"] = "off"
        attrs["spellcheck"] = "false"
    elif kind in ("choice", "multichoice"):
        options = [o for o in fld.get("options") or [] if isinstance(o, dict)]
        chosen = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        chosen = {str(v) for v in chosen}
        sf.options = [
            Option(
                value=_str(o.get("value")),
                label=str(o.get("label") or o.get("value") or ""),
                checked=_str(o.get("value")) in chosen,
                id=f"{sf.id}-{i}",
            )
            for i, o in enumerate(options)
        ]
        if kind == "multichoice":
            sf.widget = "checkboxes"
        else:
            sf.widget = "radios" if len(sf.options) <= CHOICE_RADIO_MAX else "select"
    elif kind == "address":
        sf.widget = "address"
        current = value if isinstance(value, dict) else {}
        sf.detail_value = _str(current.get("detail"))
        sf.detail_id = f"{sf.id}-detail"
        sf.division_options = [
            Option(value=code, label=label, checked=code == _str(current.get("division")), id="")
            for code, label in (divisions or [])
        ]
    elif kind == "table":
        sf.widget = "table"
        sf.total_name = f"{html_name}-TOTAL"
        rows = value if isinstance(value, list) else []
        count = max(len(rows) + 1, _int(fld.get("min_rows")), 1)
        if _int(fld.get("max_rows")):
            count = min(count, max(_int(fld.get("max_rows")), len(rows), 1))
        columns = [c for c in fld.get("columns") or [] if isinstance(c, dict)]
        col_labels = {str(c.get("name")): str(c.get("label") or c.get("name")) for c in columns}
        for r in range(count):
            row_data = rows[r] if r < len(rows) and isinstance(rows[r], dict) else {}
            cells = []
            for col in columns:
                cell = bind_field(
                    col,
                    row_data,
                    errors,
                    prefix=f"{html_name}-{r}-",
                    id_prefix=id_prefix,
                    error_key=f"{name}.{r + 1}.{col.get('name')}",
                    labels=col_labels,
                    apply_visibility=apply_visibility,
                    divisions=divisions,
                )
                if cell is not None:
                    cells.append(cell)
            sf.rows.append(
                {
                    "number": r + 1,
                    "legend": _("%(label)s 第 %(n)s 行") % {"label": sf.label, "n": r + 1},
                    "cells": cells,
                }
            )
        sf.value = ""
    return sf


def bind_schema(
    schema: Any,
    data: dict | None = None,
    errors: dict | None = None,
    *,
    prefix: str = "",
    id_prefix: str = "sf-",
    apply_visibility: bool = True,
    divisions: list[tuple[str, str]] | None = None,
) -> list[SchemaField]:
    """Every renderable field of a schema, bound to data and errors."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return []
    labels = {str(f.get("name")): str(f.get("label") or f.get("name")) for f in fields if isinstance(f, dict)}
    choices = {
        str(f.get("name")): {
            str(o.get("value")): str(o.get("label") or o.get("value"))
            for o in f.get("options") or []
            if isinstance(o, dict)
        }
        for f in fields
        if isinstance(f, dict) and isinstance(f.get("options"), list)
    }
    if divisions is None and any(isinstance(f, dict) and _uses_address(f) for f in fields):
        divisions = division_choices()
    out = []
    for fld in fields:
        sf = bind_field(
            fld,
            data or {},
            errors or {},
            prefix=prefix,
            id_prefix=id_prefix,
            labels=labels,
            apply_visibility=apply_visibility,
            divisions=divisions,
            choices=choices,
        )
        if sf is not None:
            out.append(sf)
    return out


def _uses_address(fld: dict) -> bool:
    if fld.get("type") == "address":
        return True
    return fld.get("type") == "table" and any(
        isinstance(c, dict) and c.get("type") == "address" for c in fld.get("columns") or []
    )


def division_choices() -> list[tuple[str, str]]:
    """Divisions for address fields, indented by level (a select; fine for a city's tree)."""
    from yiwang.core.models import Division

    return [
        (d.code, "\u3000" * (d.level - 1) + d.name)
        for d in Division.objects.only("code", "name", "level").order_by("code")
    ]


# --- Reading a posted form back ---------------------------------------------------------------


def _read_value(fld: dict, post, html_name: str) -> Any:
    kind = fld.get("type")
    if kind == "multichoice":
        return [v for v in post.getlist(html_name) if v != ""]
    if kind == "address":
        division = (post.get(f"{html_name}-division") or "").strip()
        detail = (post.get(f"{html_name}-detail") or "").strip()
        return {"division": division, "detail": detail} if (division or detail) else None
    value = post.get(html_name)
    return None if value is None else str(value)


def data_from_post(schema: Any, post, *, prefix: str = "") -> dict[str, Any]:
    """The data dict (for `form_schema.clean_data`) of a form rendered by `bind_schema`.

    Empty table rows are dropped; absent fields are left out, so `partial` cleaning works."""
    data: dict[str, Any] = {}
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for fld in fields if isinstance(fields, list) else []:
        if not isinstance(fld, dict) or not fld.get("name"):
            continue
        name = str(fld["name"])
        html_name = f"{prefix}{name}"
        if fld.get("type") == "table":
            try:
                total = min(int(post.get(f"{html_name}-TOTAL") or 0), 500)
            except ValueError:
                total = 0
            rows = []
            for r in range(total):
                row = {}
                for col in fld.get("columns") or []:
                    if not isinstance(col, dict) or not col.get("name"):
                        continue
                    value = _read_value(col, post, f"{html_name}-{r}-{col['name']}")
                    if value not in (None, "", []):
                        row[str(col["name"])] = value
                if row:
                    rows.append(row)
            data[name] = rows
            continue
        value = _read_value(fld, post, html_name)
        if value is not None:
            data[name] = value
    return data
