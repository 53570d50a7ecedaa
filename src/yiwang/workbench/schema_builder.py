"""The form builder's list of fields: a schema as editable rows, posted rows back to a schema, and
the row operations (ready fields, blank fields by type, remove, move up/down, table columns).

A clerk never types a key or a regular expression: a new field's key is generated (`name`,
`mobile`, `choice_1`… see `catalog.form_presets.new_key`), unique in the form and kept once given
(editable under 高级); a text field's format is picked by name (`form_presets.PATTERNS`), a regular
expression without a name shows as 自定义 under 高级.

Posted names: `fields-TOTAL`, `fields-<i>-<key>`; a table field's columns `fields-<i>-columns-TOTAL`
and `fields-<i>-columns-<j>-<key>`. Which properties a row edits depends on its type
(`TYPE_KEYS`); everything else of the stored field (e.g. `min_length`, a `show_if` with `in`, a
property of another type) travels in a hidden `extra` JSON value, so saving never drops it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalog import form_presets
from yiwang.catalog.form_schema import FIELD_TYPES, NAME_RE

PREFILL_LABELS = {
    "name": gettext_lazy("姓名"),
    "id_number": gettext_lazy("身份证号码"),
    "phone": gettext_lazy("手机号码"),
    "address": gettext_lazy("住址"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "enterprise_name": gettext_lazy("企业名称"),
    "legal_representative": gettext_lazy("法定代表人"),
}
COMMON_KEYS = {"name", "label", "type", "required", "help", "show_if"}
_TEXT = {"max_length", "pattern", "pattern_message", "prefill"}
TYPE_KEYS: dict[str, set[str]] = {
    "text": _TEXT,
    "textarea": _TEXT,
    "number": {"min", "max"},
    "money": {"min", "max"},
    "date": {"min_date", "max_date"},
    "choice": {"options"},
    "multichoice": {"options"},
    "id_number": {"prefill"},
    "uscc": {"prefill"},
    "phone": {"prefill"},
    "address": set(),
    "table": {"columns", "min_rows", "max_rows"},
}
# The property groups of a row and the types that show them (the template and the script hide
# the others; hidden inputs are still posted and ignored for a type that does not use them).
GROUP_TYPES = {
    "options": ("choice", "multichoice"),
    "bounds": ("number", "money"),
    "dates": ("date",),
    "text": ("text", "textarea"),
    "prefill": ("text", "textarea", "id_number", "uscc", "phone"),
    "table": ("table",),
}
TEXT_KEYS = (
    "name",
    "label",
    "type",
    "help",
    "options",
    "min",
    "max",
    "min_date",
    "max_date",
    "max_length",
    "pattern_name",
    "pattern",
    "pattern_message",
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
    row.update(type="text", required=False, errors=[], open=False, advanced=False)
    if not column:
        row["columns"] = []
    return row


def option_lines(text: str) -> list[dict[str, str]]:
    """The options a builder row's text gives, one per line: `value` or `value|label`."""
    options = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            value, _sep, label = line.partition("|")
            options.append({"value": value.strip(), "label": (label or value).strip()})
    return options


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_from_field(fld: Any, column: bool = False) -> dict[str, Any]:
    """One schema field as builder inputs (strings): the properties its type edits; the rest in
    `extra`."""
    row = empty_row(column)
    if not isinstance(fld, dict):
        row["extra"] = json.dumps({"_invalid": fld}, ensure_ascii=False)
        return row
    kind = _text(fld.get("type"))
    edited = COMMON_KEYS | TYPE_KEYS.get(kind, set())
    if column:
        edited = edited - {"columns", "min_rows", "max_rows"}
    row.update(
        name=_text(fld.get("name")),
        label=_text(fld.get("label")),
        type=kind,
        required=bool(fld.get("required")),
        help=_text(fld.get("help")),
    )
    for key in ("min", "max", "min_date", "max_date", "max_length", "prefill", "min_rows", "max_rows"):
        if key in edited:
            row[key] = _text(fld.get(key))
    extra = {k: v for k, v in fld.items() if k not in edited}
    if "pattern" in edited:
        pattern, message = fld.get("pattern"), fld.get("pattern_message")
        named = form_presets.pattern_named(pattern)
        if named is not None:
            row["pattern_name"] = named.key
            if message not in (None, "") and message != named.message:
                row["pattern_message"] = _text(message)
        elif pattern not in (None, ""):
            row["pattern_name"] = form_presets.CUSTOM
            row["pattern"] = _text(pattern)
            row["pattern_message"] = _text(message)
        elif message not in (None, ""):
            row["pattern_message"] = _text(message)
    if "options" in edited:
        options = fld.get("options")
        if isinstance(options, list):
            lines = []
            for o in options:
                if isinstance(o, dict):
                    value, label = _text(o.get("value")), _text(o.get("label"))
                    lines.append(value if not label or label == value else f"{value}|{label}")
            row["options"] = "\n".join(lines)
        elif options is not None:
            extra["options"] = options
    cond = fld.get("show_if")
    if isinstance(cond, dict) and set(cond) <= {"field", "equals"}:
        row["show_if_field"] = _text(cond.get("field"))
        row["show_if_value"] = _text(cond.get("equals"))
    elif cond is not None:
        extra["show_if"] = cond
    if "columns" in edited:
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
        row["open"] = post.get(f"{p}-open") == "1"
        row["advanced"] = post.get(f"{p}-advanced") == "1"
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


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(text: str, row: dict, label: str) -> str | None:
    if text == "":
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        dt.date.fromisoformat(text)
    except ValueError:
        row["errors"].append(_("“%(what)s”应为日期，如 2025-01-31。") % {"what": label})
        return None
    return text


def _pattern_into(fld: dict[str, Any], row: dict[str, Any]) -> None:
    """The row's named (or custom) format as the stored `pattern` and `pattern_message`."""
    choice, message = row["pattern_name"], row["pattern_message"]
    named = form_presets.PATTERNS_BY_KEY.get(choice)
    if named is not None:
        fld["pattern"] = named.regex
        custom = message and not form_presets.is_default_message(message)
        fld["pattern_message"] = message if custom else named.message
    elif choice == form_presets.CUSTOM:
        if not row["pattern"]:
            row["errors"].append(_("选择了“自定义”格式，请在“高级”中填写正则表达式。"))
            row["advanced"] = True
            return
        try:
            re.compile(row["pattern"])
        except re.error:
            row["errors"].append(_("自定义格式的正则表达式无效。"))
            row["advanced"] = True
        fld["pattern"] = row["pattern"]
        if message:
            fld["pattern_message"] = message
    elif choice:
        row["errors"].append(_("请从列表中选择格式。"))
    elif message:
        fld["pattern_message"] = message  # a message without a format: kept as it was


def _field_from_row(row: dict[str, Any], column: bool, strict: bool) -> dict[str, Any]:
    row["errors"] = []
    kind = row["type"]
    edited = COMMON_KEYS | TYPE_KEYS.get(kind, set())
    if column:
        edited = edited - {"columns", "min_rows", "max_rows"}
    fld: dict[str, Any] = {}
    if row.get("extra"):
        try:
            extra = json.loads(row["extra"])
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            keep_show_if = not row["show_if_field"] and "show_if" in extra
            fld.update(
                {
                    k: v
                    for k, v in extra.items()
                    if k != "_invalid" and (k not in edited or (k == "show_if" and keep_show_if))
                }
            )
    fld.update(name=row["name"], label=row["label"], type=kind)
    if strict and not row["label"]:
        row["errors"].append(_("请填写字段标题（申请人看到的文字）。"))
    if row["required"]:
        fld["required"] = True
    if row["help"]:
        fld["help"] = row["help"]
    if "options" in edited:
        options = option_lines(row["options"])
        fld["options"] = options
        if strict and not options:
            row["errors"].append(_("请填写选项，每行一个。"))
        elif len({o["value"] for o in options}) != len(options):
            row["errors"].append(_("有重复的选项。"))
    if "min_date" in edited:
        dates = {}
        for key, label in (("min_date", _("最早日期")), ("max_date", _("最晚日期"))):
            value = _date(row[key], row, label)
            if value is not None:
                fld[key] = dates[key] = value
        if len(dates) == 2 and dates["min_date"] > dates["max_date"]:
            row["errors"].append(_("最早日期晚于最晚日期。"))
    if "min" in edited:
        for key in ("min", "max"):
            value = _number(row[key], row, _("最小值") if key == "min" else _("最大值"))
            if value is not None:
                fld[key] = value
    if "max_length" in edited and row["max_length"]:
        value = _number(row["max_length"], row, _("最多字数"), integer=True, minimum=1)
        if value is not None:
            fld["max_length"] = value
    if "pattern" in edited:
        _pattern_into(fld, row)
    if "prefill" in edited and row["prefill"]:
        fld["prefill"] = row["prefill"]
    if row["show_if_field"]:
        cond: dict[str, Any] = {"field": row["show_if_field"]}
        if row["show_if_value"]:
            cond["equals"] = row["show_if_value"]
        fld["show_if"] = cond
    if "columns" in edited:
        for key, label in (("min_rows", _("最少行数")), ("max_rows", _("最多行数"))):
            value = _number(row[key], row, label, integer=True, minimum=0)
            if value is not None:
                fld[key] = value
        fld["columns"] = [_field_from_row(c, column=True, strict=strict) for c in row["columns"]]
        if strict and not row["columns"]:
            row["errors"].append(_("表格至少需要一列。"))
    elif not column and row["columns"]:
        row["errors"].append(_("只有表格字段可以有列；改回“表格”类型或删除这些列。"))
    return fld


def _check_keys(rows: list[dict[str, Any]]) -> None:
    """Each row's key well-formed and unique among its siblings; else an error on the row (with
    高级, where the key is, opened)."""
    seen: set[str] = set()
    for row in rows:
        name = row["name"]
        if not NAME_RE.match(name):
            row["errors"].append(_("字段代码应以小写字母开头，只含小写字母、数字和下划线（最多40个字符）。"))
            row["advanced"] = True
        elif name in seen:
            row["errors"].append(_("字段代码“%(name)s”与其他字段重复。") % {"name": name})
            row["advanced"] = True
        seen.add(name)


def schema_from_rows(rows: list[dict[str, Any]], *, strict: bool = False) -> tuple[dict[str, Any], bool]:
    """The schema of the rows and whether any row has an input error (marked on the row, which is
    then shown opened). Values that cannot be right (a number that is not one, a bad key) are
    errors at once; what is merely unfinished (no title, no options yet) only when `strict`
    (saving)."""
    fields = [_field_from_row(r, column=False, strict=strict) for r in rows]
    _check_keys(rows)
    for row in rows:
        if row["type"] == "table":
            _check_keys(row["columns"])
    bad = False
    for row in rows:
        for r in (row, *row.get("columns", [])):
            if r["errors"]:
                r["open"] = bad = True
        if any(c["errors"] for c in row.get("columns", [])):
            row["open"] = True
    return ({"fields": fields} if fields else {}), bad


def assign_keys(rows: list[dict[str, Any]], reserved: set[str] | frozenset = frozenset()) -> None:
    """A generated key for every row (and table column) without one: from its type, unique among
    the rows and the `reserved` keys (the other form an application combines with this one)."""
    taken = {r["name"] for r in rows} | set(reserved)
    for row in rows:
        if not row["name"]:
            row["name"] = form_presets.new_key(_key_base(row), taken)
            taken.add(row["name"])
        columns = row.get("columns") or []
        col_taken = {c["name"] for c in columns}
        for col in columns:
            if not col["name"]:
                col["name"] = form_presets.new_key(_key_base(col), col_taken)
                col_taken.add(col["name"])


def _key_base(row: dict[str, Any]) -> str:
    return row["type"] if row["type"] in FIELD_TYPES else "field"


def apply_op(
    rows: list[dict[str, Any]], op: str, reserved: set[str] | frozenset = frozenset()
) -> tuple[int, str] | None:
    """Apply a row operation; returns where the clerk's attention goes next — (row index, what:
    `label`, `up`, `down`, `list`, `col:<j>:label|up|down`, `addcol`) — or None when nothing
    changed (an unknown op, an index out of range: the page is shown again as posted).

    Ops: `add` (a blank text field), `ready:<key>` (a ready field, `form_presets.READY_FIELDS`),
    `new:<key>` (a blank field of a type, `form_presets.BLANK_FIELDS`), `remove:3`, `up:3`,
    `down:3`, `addcol:3`, `removecol:3:1`, `upcol:3:1`, `downcol:3:1`, and `condition:3` (its
    display condition's field was chosen: the page comes back with that field's options offered
    for the value, the focus still on the choice)."""
    verb, _sep, rest = op.partition(":")
    if verb in ("add", "ready", "new"):
        if len(rows) >= MAX_ROWS:
            return None
        preset = {"ready": form_presets.READY_BY_KEY, "new": form_presets.BLANK_BY_KEY}.get(verb, {}).get(
            rest
        )
        if verb != "add" and preset is None:
            return None
        taken = {r["name"] for r in rows} | set(reserved)
        if preset is None:
            row = empty_row()
        else:
            fld = preset.make()
            fld["name"] = form_presets.new_key(preset.key, taken)
            row = row_from_field(fld)
        for other in rows:
            other["open"] = False
        row["open"] = True
        rows.append(row)
        assign_keys(rows, reserved)
        return len(rows) - 1, "label"
    try:
        args = [int(x) for x in rest.split(":")] if rest else []
    except ValueError:
        return None
    if not args or not 0 <= args[0] < len(rows):
        return None
    i = args[0]
    if verb == "remove" and len(args) == 1:
        rows.pop(i)
        return min(i, len(rows) - 1), "list"
    if verb == "up" and len(args) == 1 and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
        return i - 1, "up" if i - 1 > 0 else "down"
    if verb == "down" and len(args) == 1 and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
        return i + 1, "down" if i + 1 < len(rows) - 1 else "up"
    if verb == "condition" and len(args) == 1:
        rows[i]["open"] = True
        return i, "show_if_field"
    if verb == "addcol" and len(args) == 1:
        columns = rows[i].setdefault("columns", [])
        columns.append(empty_row(column=True))
        rows[i]["type"] = "table"
        rows[i]["open"] = True
        assign_keys(rows, reserved)
        return i, f"col:{len(columns) - 1}:label"
    if verb in ("removecol", "upcol", "downcol") and len(args) == 2:
        columns = rows[i].setdefault("columns", [])
        j = args[1]
        if not 0 <= j < len(columns):
            return None
        rows[i]["open"] = True
        if verb == "removecol":
            columns.pop(j)
            return i, "addcol"
        if verb == "upcol" and j > 0:
            columns[j - 1], columns[j] = columns[j], columns[j - 1]
            return i, f"col:{j - 1}:{'up' if j - 1 > 0 else 'down'}"
        if verb == "downcol" and j < len(columns) - 1:
            columns[j + 1], columns[j] = columns[j], columns[j + 1]
            return i, f"col:{j + 1}:{'down' if j + 1 < len(columns) - 1 else 'up'}"
    return None


def type_choices(column: bool = False) -> list[tuple[str, str]]:
    return [(k, v) for k, v in FIELD_TYPES.items() if not (column and k == "table")]


def pattern_choices() -> list[tuple[str, str]]:
    """The 格式 select: 无, the named formats, 自定义."""
    return [
        ("", _("无")),
        *((p.key, str(p.label)) for p in form_presets.PATTERNS),
        (form_presets.CUSTOM, _("自定义（在“高级”中填写正则表达式）")),
    ]
