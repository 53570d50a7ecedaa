"""The form builder's table of fields: a schema as editable rows, posted rows back to a schema,
and the row operations (add, remove, move up/down, nested table columns).

Posted names: `fields-TOTAL`, `fields-<i>-<key>`; a table field's columns `fields-<i>-columns-TOTAL`
and `fields-<i>-columns-<j>-<key>`. Schema keys the builder does not edit (e.g. `min_length`,
`pattern_message`, a `show_if` with `in`) travel in a hidden `extra` JSON value so saving never
drops them.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalog.form_schema import FIELD_TYPES

PREFILL_LABELS = {
    "name": gettext_lazy("姓名"),
    "id_number": gettext_lazy("身份证号码"),
    "phone": gettext_lazy("手机号码"),
    "address": gettext_lazy("住址"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "enterprise_name": gettext_lazy("企业名称"),
    "legal_representative": gettext_lazy("法定代表人"),
}
EDITED_KEYS = {
    "name",
    "label",
    "type",
    "required",
    "help",
    "options",
    "min",
    "max",
    "min_date",
    "max_date",
    "max_length",
    "pattern",
    "prefill",
    "show_if",
    "columns",
    "min_rows",
    "max_rows",
}
TEXT_KEYS = (
    "name",
    "label",
    "type",
    "help",
    "options",
    "min",
    "max",
    "max_length",
    "pattern",
    "prefill",
    "show_if_field",
    "show_if_value",
    "min_rows",
    "max_rows",
    "extra",
)
MAX_ROWS = 200


def empty_row(column: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {k: "" for k in TEXT_KEYS}
    row.update(type="text", required=False, errors=[])
    if not column:
        row["columns"] = []
    return row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_from_field(fld: Any, column: bool = False) -> dict[str, Any]:
    """One schema field as builder inputs (strings)."""
    row = empty_row(column)
    if not isinstance(fld, dict):
        row["extra"] = json.dumps({"_invalid": fld}, ensure_ascii=False)
        return row
    kind = fld.get("type", "")
    row.update(
        name=_text(fld.get("name")),
        label=_text(fld.get("label")),
        type=_text(kind),
        required=bool(fld.get("required")),
        help=_text(fld.get("help")),
        max_length=_text(fld.get("max_length")),
        pattern=_text(fld.get("pattern")),
        prefill=_text(fld.get("prefill")),
        min_rows=_text(fld.get("min_rows")),
        max_rows=_text(fld.get("max_rows")),
    )
    if kind == "date":
        row["min"], row["max"] = _text(fld.get("min_date")), _text(fld.get("max_date"))
    else:
        row["min"], row["max"] = _text(fld.get("min")), _text(fld.get("max"))
    options = fld.get("options")
    if isinstance(options, list):
        lines = []
        for o in options:
            if isinstance(o, dict):
                value, label = _text(o.get("value")), _text(o.get("label"))
                lines.append(value if not label or label == value else f"{value}|{label}")
        row["options"] = "\n".join(lines)
    cond = fld.get("show_if")
    extra = {k: v for k, v in fld.items() if k not in EDITED_KEYS}
    if kind != "date":
        extra.update({k: fld[k] for k in ("min_date", "max_date") if k in fld})
    if isinstance(cond, dict) and set(cond) <= {"field", "equals"}:
        row["show_if_field"] = _text(cond.get("field"))
        row["show_if_value"] = _text(cond.get("equals"))
    elif cond is not None:
        extra["show_if"] = cond
    if not column:
        columns = fld.get("columns")
        if isinstance(columns, list):
            row["columns"] = [row_from_field(c, column=True) for c in columns]
        elif columns is not None:
            extra["columns"] = columns
    if extra:
        row["extra"] = json.dumps(extra, ensure_ascii=False)
    return row


def rows_from_schema(schema: Any) -> list[dict[str, Any]]:
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [row_from_field(f) for f in fields] if isinstance(fields, list) else []


def _read_rows(post, prefix: str, column: bool) -> list[dict[str, Any]]:
    try:
        total = int(post.get(f"{prefix}-TOTAL") or 0)
    except ValueError:
        total = 0
    rows = []
    for i in range(max(0, min(total, MAX_ROWS))):
        p = f"{prefix}-{i}"
        row = empty_row(column)
        for key in TEXT_KEYS:
            row[key] = (post.get(f"{p}-{key}") or "").strip()
        row["type"] = row["type"] or "text"
        row["required"] = post.get(f"{p}-required") in ("on", "1", "true")
        if not column:
            row["columns"] = _read_rows(post, f"{p}-columns", column=True)
        rows.append(row)
    return rows


def rows_from_post(post) -> list[dict[str, Any]]:
    return _read_rows(post, "fields", column=False)


def _number(text: str, row: dict, label: str, *, integer: bool = False, minimum: int | None = None):
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        row["errors"].append(_("“%(what)s”应为数字。") % {"what": label})
        return None
    if value != value or value in (float("inf"), float("-inf")):
        row["errors"].append(_("“%(what)s”应为数字。") % {"what": label})
        return None
    if integer and not value.is_integer():
        row["errors"].append(_("“%(what)s”应为整数。") % {"what": label})
        return None
    if minimum is not None and value < minimum:
        row["errors"].append(_("“%(what)s”不能小于 %(n)s。") % {"what": label, "n": minimum})
        return None
    return int(value) if value.is_integer() else value


def _field_from_row(row: dict[str, Any], column: bool) -> dict[str, Any]:
    row["errors"] = []
    fld: dict[str, Any] = {}
    if row.get("extra"):
        try:
            extra = json.loads(row["extra"])
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            fld.update({k: v for k, v in extra.items() if k != "_invalid"})
    kind = row["type"]
    fld.update(name=row["name"], label=row["label"], type=kind)
    if row["required"]:
        fld["required"] = True
    if row["help"]:
        fld["help"] = row["help"]
    if kind in ("choice", "multichoice"):
        options = []
        for line in row["options"].splitlines():
            line = line.strip()
            if not line:
                continue
            value, _sep, label = line.partition("|")
            options.append({"value": value.strip(), "label": (label or value).strip()})
        fld["options"] = options
    elif row["options"].strip():
        row["errors"].append(_("只有单选、多选字段需要选项。"))
    if kind == "date":
        for key, text in (("min_date", row["min"]), ("max_date", row["max"])):
            if text:
                fld[key] = text
        if row["min"] and row["max"] and row["min"] > row["max"]:
            row["errors"].append(_("最早日期晚于最晚日期。"))
    elif kind in ("number", "money"):
        for key in ("min", "max"):
            value = _number(row[key], row, _("最小值") if key == "min" else _("最大值"))
            if value is not None:
                fld[key] = value
    elif row["min"] or row["max"]:
        row["errors"].append(_("只有数字、金额、日期字段可以设置最小值、最大值。"))
    if row["max_length"]:
        value = _number(row["max_length"], row, _("最大长度"), integer=True, minimum=1)
        if value is not None:
            fld["max_length"] = value
    if row["pattern"]:
        fld["pattern"] = row["pattern"]
    if row["prefill"]:
        fld["prefill"] = row["prefill"]
    if row["show_if_field"]:
        cond: dict[str, Any] = {"field": row["show_if_field"]}
        if row["show_if_value"]:
            cond["equals"] = row["show_if_value"]
        fld["show_if"] = cond
    elif row["show_if_value"]:
        row["errors"].append(_("填写了显示条件的值，但没有选择条件字段。"))
    if not column and kind == "table":
        for key, label in (("min_rows", _("最少行数")), ("max_rows", _("最多行数"))):
            value = _number(row[key], row, label, integer=True, minimum=0)
            if value is not None:
                fld[key] = value
        fld["columns"] = [_field_from_row(c, column=True) for c in row["columns"]]
    elif not column and row["columns"]:
        row["errors"].append(_("只有表格字段可以有列；改回“表格”类型或删除这些列。"))
    return fld


def schema_from_rows(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """The schema of the rows and whether any row has an input error (marked on the row)."""
    fields = [_field_from_row(r, column=False) for r in rows]
    bad = any(r["errors"] or any(c["errors"] for c in r.get("columns", [])) for r in rows)
    return ({"fields": fields} if fields else {}), bad


def apply_op(rows: list[dict[str, Any]], op: str) -> bool:
    """Apply a row operation (`add`, `remove:3`, `up:3`, `addcol:3`, `downcol:3:1` ...); True when
    the rows changed."""
    verb, _sep, rest = op.partition(":")
    try:
        args = [int(x) for x in rest.split(":")] if rest else []
    except ValueError:
        return False
    if verb == "add" and len(rows) < MAX_ROWS:
        rows.append(empty_row())
        return True
    if verb in ("remove", "up", "down", "addcol") and len(args) == 1 and 0 <= args[0] < len(rows):
        return _move(rows, verb, args[0], lambda: empty_row(column=True))
    if verb in ("removecol", "upcol", "downcol") and len(args) == 2 and 0 <= args[0] < len(rows):
        columns = rows[args[0]].setdefault("columns", [])
        if 0 <= args[1] < len(columns):
            return _move(columns, verb.removesuffix("col"), args[1], None)
    return False


def _move(items: list, verb: str, i: int, new_column) -> bool:
    if verb == "remove":
        items.pop(i)
    elif verb == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif verb == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]
    elif verb == "addcol":
        items[i].setdefault("columns", []).append(new_column())
        items[i]["type"] = "table"
    else:
        return False
    return True


def type_choices(column: bool = False) -> list[tuple[str, str]]:
    return [(k, v) for k, v in FIELD_TYPES.items() if not (column and k == "table")]
