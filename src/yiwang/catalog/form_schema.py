"""Declarative application forms: a schema stored as data, checked when saved, rendered as an
accessible page, and used to validate what an applicant submits (server-side, always).

Schema::

    {"fields": [
      {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": true,
       "max_length": 50, "prefill": "name", "help": "与身份证一致"},
      {"name": "kind", "label": "申请类型", "type": "choice",
       "options": [{"value": "new", "label": "首次申领"}, {"value": "renew", "label": "换领"}]},
      {"name": "old_number", "label": "原证号", "type": "text", "show_if": {"field": "kind", "equals": "renew"}},
      {"name": "members", "label": "家庭成员", "type": "table", "min_rows": 1, "max_rows": 10,
       "columns": [{"name": "name", "label": "姓名", "type": "text", "required": true}, ...]}
    ]}

Types: text, textarea, number, money, date, choice, multichoice, id_number, uscc, phone, address
(value {"division": "12-digit code", "detail": "..."}), table (rows of the other types).
`show_if` hides a field unless another field equals (or is in) a value; hidden fields are neither
required nor kept. A field that repeats a step the platform asks itself (送达方式, 邮寄地址, the
applicant's 联系电话: `duplicates_platform_step`) is left out of the application
(`application_schema`) and flagged by the guide audit.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.core.identifiers import validate_id_number, validate_uscc

FIELD_TYPES = {
    "text": "单行文字",
    "textarea": "多行文字",
    "number": "数字",
    "money": "金额（元）",
    "date": "日期",
    "choice": "单选",
    "multichoice": "多选",
    "id_number": "身份证号码",
    "uscc": "统一社会信用代码",
    "phone": "电话",
    "address": "地址",
    "table": "表格（多行）",
}
PREFILL_SOURCES = {"name", "id_number", "phone", "uscc", "enterprise_name", "address", "legal_representative"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_FIELDS = 200


# --- The schema itself ----------------------------------------------------------------------


def schema_errors(schema: Any) -> list[str]:
    """Everything wrong with a schema, as messages naming the field; empty when valid."""
    if schema in (None, {}):
        return []
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [_('表单结构应为 {"fields": [...]}。')]
    if len(schema["fields"]) > MAX_FIELDS:
        return [_("表单字段不能超过 %(max)s 个。") % {"max": MAX_FIELDS}]
    return _fields_errors(schema["fields"], prefix="", allow_table=True)


def _fields_errors(fields: list, *, prefix: str, allow_table: bool) -> list[str]:
    problems: list[str] = []
    names: set[str] = set()
    for i, field in enumerate(fields):
        where = f"{prefix}{i + 1}"
        if not isinstance(field, dict):
            problems.append(_("第 %(n)s 个字段应为对象。") % {"n": where})
            continue
        name = field.get("name", "")
        label = field.get("label") or name or where
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.append(
                _("字段“%(label)s”的名称应以小写字母开头，只含小写字母、数字和下划线。") % {"label": label}
            )
        elif name in names:
            problems.append(_("字段名称“%(name)s”重复。") % {"name": name})
        if isinstance(name, str):  # a list or a map as a name is reported above, not kept
            names.add(name)
        if not str(field.get("label", "")).strip():
            problems.append(_("字段“%(name)s”缺少标签。") % {"name": name})
        kind = field.get("type")
        if kind not in FIELD_TYPES or (kind == "table" and not allow_table):
            problems.append(_("字段“%(label)s”的类型“%(type)s”不支持。") % {"label": label, "type": kind})
            continue
        if kind in ("choice", "multichoice"):
            options = field.get("options")
            values = [o.get("value") for o in options or [] if isinstance(o, dict)]
            if (
                not options
                or len(values) != len(options)
                or any(v is None or not str(v).strip() for v in values)
            ):
                problems.append(_("选择字段“%(label)s”需要至少一个有值的选项。") % {"label": label})
            elif len(set(values)) != len(values):
                problems.append(_("选择字段“%(label)s”的选项值重复。") % {"label": label})
        if kind == "table":
            columns = field.get("columns")
            if not isinstance(columns, list) or not columns:
                problems.append(_("表格字段“%(label)s”需要至少一列。") % {"label": label})
            else:
                problems += _fields_errors(columns, prefix=f"{where}.", allow_table=False)
        for low, high in (("min", "max"), ("min_length", "max_length"), ("min_rows", "max_rows")):
            lo, hi = field.get(low), field.get(high)
            for key, bound in ((low, lo), (high, hi)):
                if bound is not None and not isinstance(bound, (int, float)):
                    problems.append(_("字段“%(label)s”的 %(key)s 应为数字。") % {"label": label, "key": key})
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
                problems.append(
                    _("字段“%(label)s”的 %(low)s 大于 %(high)s。")
                    % {"label": label, "low": low, "high": high}
                )
        pattern = field.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                problems.append(_("字段“%(label)s”的格式规则（正则表达式）无效。") % {"label": label})
        if field.get("prefill") not in (None, "", *PREFILL_SOURCES):
            problems.append(
                _("字段“%(label)s”的预填来源“%(src)s”不支持。") % {"label": label, "src": field["prefill"]}
            )
    by_name = {f.get("name"): f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
    for field in fields:
        cond = field.get("show_if") if isinstance(field, dict) else None
        if cond is not None and (
            not isinstance(cond, dict)
            or not isinstance(cond.get("field"), str)
            or cond.get("field") not in names
            or cond.get("field") == field.get("name")
        ):
            problems.append(
                _("字段“%(label)s”的显示条件引用了不存在的字段。") % {"label": field.get("label", "")}
            )
        elif cond is not None:
            problems += _condition_value_errors(field, cond, by_name[cond["field"]])
    return problems


def condition_values(cond: dict, other: dict) -> tuple[list[Any], list[Any]]:
    """(the values a display condition names, those of them the choice field `other` cannot
    take); both empty when `other` is not a choice or the condition names no value."""
    if other.get("type") not in ("choice", "multichoice") or not ("equals" in cond or "in" in cond):
        return [], []
    options = {str(o.get("value")) for o in other.get("options") or [] if isinstance(o, dict)}
    wanted = [cond["equals"]] if "equals" in cond else cond["in"]
    if not isinstance(wanted, list):
        wanted = [wanted]
    return wanted, [value for value in wanted if str(value) not in options]


def _condition_value_errors(field: dict, cond: dict, other: dict) -> list[str]:
    """A condition on a choice field whose value is none of its options is never met: the field
    would never be shown (and a required one never asked). One message per such value."""
    return [
        _("字段“%(label)s”的显示条件取值“%(value)s”不是字段“%(other)s”的选项，该字段永远不会显示。")
        % {"label": field.get("label", ""), "value": value, "other": other.get("label") or other.get("name")}
        for value in condition_values(cond, other)[1]
    ]


def without_never_shown(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`fields` without those no answer can show: a condition on a choice field naming none of
    its options, or on a field itself left out. A form whose choice was narrowed (a bundle's one
    form offering only 首次申领) so drops the fields only the removed options showed (补换原因)."""
    kept = list(fields)
    while True:
        by_name = {f.get("name"): f for f in kept}
        dead = set()
        for f in kept:
            cond = f.get("show_if")
            if not isinstance(cond, dict):
                continue
            other = by_name.get(cond.get("field"))
            if other is None:
                dead.add(f.get("name"))
                continue
            wanted, impossible = condition_values(cond, other)
            if wanted and len(impossible) == len(wanted):
                dead.add(f.get("name"))
        if not dead:
            return kept
        kept = [f for f in kept if f.get("name") not in dead]


# --- Questions the platform asks in its own steps -------------------------------------------
# Every application (portal, API, window, bundle) asks in the platform's own steps how the result
# reaches the applicant (送达方式, with the express recipient and address) and the applicant's
# contact phone. A form field asking the same again is left out of the application (`application_schema`)
# and flagged by the guide audit (`rules.form_duplicates_platform_step`).
PLATFORM_STEPS = {"delivery": gettext_lazy("送达方式"), "contact_phone": gettext_lazy("联系电话")}
_DELIVERY_LABEL = re.compile(
    r"(送达方式|送达地址|领取方式|领证方式|取件方式|取证方式|邮寄方式|寄送方式|邮寄地址|收件地址|快递地址|"
    r"寄送地址|收货地址|收件人|是否(需要)?邮寄)"
)
# The applicant's (or the agent's) own phone: not another person's (法定代表人电话, 紧急联系人电话).
_CONTACT_LABEL = re.compile(
    r"(申请人|经办人|联系人|本人)?(的)?(联系电话|联系手机|手机号码|手机号|手机|电话号码|电话|联系方式)"
)
_BRACKETS = re.compile(r"[（(][^（）()]*[)）]|\s+")


def duplicates_platform_step(field: Any) -> str | None:
    """Which platform step a form field asks again (a key of PLATFORM_STEPS), or None. Read from the
    field's label, as the applicant reads it: “结果领取方式”, “邮寄地址”, “收件人” repeat the delivery
    step; “联系电话”, “手机号码”, “经办人联系电话” (a phone or text field) the contact phone."""
    if not isinstance(field, dict) or field.get("type") == "table":
        return None
    label = _BRACKETS.sub("", str(field.get("label") or ""))
    if _DELIVERY_LABEL.search(label):
        return "delivery"
    if field.get("type") in ("phone", "text") and _CONTACT_LABEL.fullmatch(label):
        return "contact_phone"
    return None


def application_schema(schema: dict) -> dict:
    """The form as an application asks and stores it: without the fields that repeat a platform
    step, nor the fields shown only on the answer to one of them (“邮寄份数” when 领取方式 is 邮寄).
    The schema itself when nothing repeats (the common case: no copy)."""
    fields = (schema or {}).get("fields") or []
    dropped = {f.get("name") for f in fields if duplicates_platform_step(f)}
    if not dropped:
        return schema
    while True:  # a field shown on a dropped field's answer is never shown: dropped too
        more = {
            f.get("name")
            for f in fields
            if isinstance(f, dict)
            and isinstance(f.get("show_if"), dict)
            and f["show_if"].get("field") in dropped
        } - dropped
        if not more:
            break
        dropped |= more
    return {
        **schema,
        "fields": [f for f in fields if not isinstance(f, dict) or f.get("name") not in dropped],
    }


# --- Data against the schema ----------------------------------------------------------------


def is_visible(field: dict, data: dict) -> bool:
    cond = field.get("show_if")
    if not cond:
        return True
    value = data.get(cond["field"])
    if "equals" in cond:
        return value == cond["equals"] or (isinstance(value, list) and cond["equals"] in value)
    if "in" in cond:
        return value in cond["in"]
    return bool(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean_value(field: dict, value: Any) -> Any:
    """One value of one field; raises ValidationError with a message for that field."""
    kind = field["type"]
    if kind in ("text", "textarea"):
        value = str(value).strip()
        if field.get("max_length") and len(value) > field["max_length"]:
            raise ValidationError(_("不能超过 %(n)s 个字。") % {"n": field["max_length"]})
        if field.get("min_length") and len(value) < field["min_length"]:
            raise ValidationError(_("至少 %(n)s 个字。") % {"n": field["min_length"]})
        if field.get("pattern") and not re.fullmatch(field["pattern"], value):
            raise ValidationError(field.get("pattern_message") or _("格式不符合要求。"))
        return value
    if kind in ("number", "money"):
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise ValidationError(_("请输入数字。")) from None
        if not number.is_finite():
            raise ValidationError(_("请输入数字。"))
        if kind == "money":
            if number != number.quantize(Decimal("0.01")):
                raise ValidationError(_("金额最多保留两位小数。"))
            if number < 0:
                raise ValidationError(_("金额不能为负数。"))
        if field.get("min") is not None and number < Decimal(str(field["min"])):
            raise ValidationError(_("不能小于 %(n)s。") % {"n": field["min"]})
        if field.get("max") is not None and number > Decimal(str(field["max"])):
            raise ValidationError(_("不能大于 %(n)s。") % {"n": field["max"]})
        return (
            str(number.quantize(Decimal("0.01")))
            if kind == "money"
            else (int(number) if number == number.to_integral_value() else str(number))
        )
    if kind == "date":
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(_("请输入真实存在的日期（YYYY-MM-DD）。")) from None
        earliest, latest = field.get("min_date"), field.get("max_date")
        if earliest and day.isoformat() < earliest:
            raise ValidationError(_("日期不能早于 %(bound)s。") % {"bound": earliest})
        if latest and day.isoformat() > latest:
            raise ValidationError(_("日期不能晚于 %(bound)s。") % {"bound": latest})
        return day.isoformat()
    if kind == "choice":
        allowed = {str(o["value"]) for o in field["options"]}
        if str(value) not in allowed:
            raise ValidationError(_("请从选项中选择。"))
        return str(value)
    if kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        allowed = {str(o["value"]) for o in field["options"]}
        if any(str(v) not in allowed for v in values):
            raise ValidationError(_("请从选项中选择。"))
        return [str(v) for v in values]
    if kind == "id_number":
        return validate_id_number(str(value))
    if kind == "uscc":
        return validate_uscc(str(value))
    if kind == "phone":
        value = str(value).strip()
        if not PHONE_RE.match(value):
            raise ValidationError(_("请输入11位手机号码或带区号的固定电话。"))
        return value
    if kind == "address":
        if not isinstance(value, dict):
            raise ValidationError(_("请选择区划并填写详细地址。"))
        from yiwang.core.models import Division

        division = str(value.get("division", "")).strip()
        detail = str(value.get("detail", "")).strip()
        if not Division.objects.filter(code=division).exists():
            raise ValidationError(_("请选择所在区划。"))
        if not detail:
            raise ValidationError(_("请填写详细地址。"))
        return {"division": division, "detail": detail[:200]}
    raise ValidationError(_("不支持的字段类型。"))


def clean_data(schema: dict, data: dict, *, partial: bool = False) -> dict[str, Any]:
    """Validate submitted data; returns the cleaned data of visible fields or raises
    ValidationError keyed by field name (`members.2.name` inside tables).

    With `partial` (autosaved drafts) missing required values are allowed; bad values are not.
    """
    cleaned, errors = clean_and_report(schema, data, partial=partial)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_and_report(
    schema: dict, data: dict, *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One pass over the form: the cleaned values that are good, and the errors of the others (so
    an application with problems keeps what was right as a draft, and is checked only once)."""
    if not isinstance(data, dict):
        return {}, {"__all__": [_("表单数据应为对象。")]}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field in (schema or {}).get("fields", []):
        name = field["name"]
        if not is_visible(field, {**data, **cleaned}):
            continue
        value = data.get(name)
        if field["type"] == "table":
            rows = value if isinstance(value, list) else []
            if value is not None and not isinstance(value, list):
                errors[name] = [_("表格数据应为多行。")]
                continue
            if not partial and field.get("required") and not rows:
                errors[name] = [_("请至少填写一行。")]
            if field.get("min_rows") and len(rows) < field["min_rows"] and not partial:
                errors[name] = [_("至少填写 %(n)s 行。") % {"n": field["min_rows"]}]
            if field.get("max_rows") and len(rows) > field["max_rows"]:
                errors[name] = [_("最多填写 %(n)s 行。") % {"n": field["max_rows"]}]
            clean_rows = []
            for r, row in enumerate(rows):
                try:
                    clean_rows.append(
                        clean_data(
                            {"fields": field["columns"]},
                            row if isinstance(row, dict) else {},
                            partial=partial,
                        )
                    )
                except ValidationError as exc:
                    for key, messages in exc.message_dict.items():
                        errors[f"{name}.{r + 1}.{key}"] = messages
            cleaned[name] = clean_rows
            continue
        if _empty(value):
            if field.get("required") and not partial:
                errors[name] = [_("此项为必填项。")]
            continue
        try:
            cleaned[name] = _clean_value(field, value)
        except ValidationError as exc:
            errors[name] = exc.messages
    return cleaned, errors


def prefill(schema: dict, profile: dict[str, str]) -> dict[str, Any]:
    """Initial values from the applicant's profile for fields that declare a `prefill` source."""
    return {
        f["name"]: profile[f["prefill"]]
        for f in (schema or {}).get("fields", [])
        if f.get("prefill") in profile and profile[f["prefill"]]
    }


def missing_required(schema: dict, data: dict) -> list[str]:
    """Labels of visible required fields still empty (the applicant's live checklist)."""
    missing = []
    for field in (schema or {}).get("fields", []):
        if field.get("required") and is_visible(field, data) and _empty(data.get(field["name"])):
            missing.append(field.get("label", field["name"]))
    return missing
