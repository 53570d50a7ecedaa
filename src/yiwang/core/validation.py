"""Pydantic's validation errors in the platform's words: one message per error type, in the
reader's language, keyed by field. The API's schema errors and the case actions' payloads both
speak through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import Field

# The largest value of a 64-bit signed integer column (every id is a BigAutoField). A larger number
# in a query cannot match anything and makes SQLite raise (a 500), so such parameters declare it
# as their bound (documented in the OpenAPI schema) and are refused with a 422 naming them.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def row_id(value: object) -> int | None:
    """A row id from a form or query string, or None for anything else (a number no database
    column holds would otherwise reach the database and fail there)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict:
    """The one error shape of the API: `{"code", "message", "fields"}` (and any extra keys)."""
    return {"code": code, "message": message, "fields": fields or {}, **extra}


def message_for(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项为必填项。")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _("未知的操作，可选：%(expected)s。") % {"expected": ctx.get("expected_tags", "")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("日期格式应为 YYYY-MM-DD，且须是真实存在的日期。")
    if kind.startswith("int") or kind.startswith("float") or kind.startswith("decimal"):
        return _("应为数字。")
    if kind == "greater_than_equal":
        return _("不能小于 %(limit)s。") % {"limit": ctx.get("ge")}
    if kind == "greater_than":
        return _("必须大于 %(limit)s。") % {"limit": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("不能大于 %(limit)s。") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return _("长度不能超过 %(limit)s 个字符。") % {"limit": ctx.get("max_length")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("此项为必填项。")
        return _("长度不能少于 %(limit)s 个字符。") % {"limit": ctx.get("min_length")}
    if kind == "too_short":
        if ctx.get("min_length") == 1:
            return _("此项为必填项。")
        return _("至少应有 %(limit)s 项。") % {"limit": ctx.get("min_length")}
    if kind == "too_long":
        return _("最多 %(limit)s 项。") % {"limit": ctx.get("max_length")}
    if kind == "extra_forbidden":
        return _("不认识的字段。")
    if kind in ("literal_error", "enum"):
        return _("取值不在允许范围内，可选：%(expected)s。") % {"expected": ctx.get("expected", "")}
    if kind == "null_character":
        return _("不能包含空字符（U+0000）。")
    if kind == "surrogate_character":
        return _("含有无法保存的字符（单独的代理项 U+D800–U+DFFF）。")
    if kind == "json_invalid":
        return _("请求体不是有效的 JSON。")
    if kind.startswith("string") or kind.startswith("bool"):
        return _("类型不正确。")
    return _("格式不正确。")


def by_field(errors: Iterable[dict[str, Any]], *, skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """`{field: [message]}` from pydantic's error list; `skip` drops location parts that are not
    field names (the request part, the body parameter, a discriminated union's tag)."""
    skipped = set(skip)
    fields: dict[str, list[str]] = {}
    for error in errors:
        parts = [str(p) for p in error.get("loc", ()) if str(p) not in skipped]
        if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            parts = [*parts, "action"]
        fields.setdefault(".".join(parts) or "__all__", []).append(message_for(error))
    return fields
