"""The OpenAPI document as the contract: every answer an operation can give is declared, in one place.

Most error answers are not produced by the views but by the exception handlers (`api.errors`), the
request guard (`core.request_guard`: 413 by Content-Length, 422 for text no database can store, 404
for such a path) and django-ninja itself (401 without a user, 403 on a failed CSRF check of a
session). `declare(operations)` adds them to each operation by what it is, so a new operation is
covered without repeating them in its decorator:

| answer | to |
|---|---|
| 422 `invalid` | every operation (a query, path or body that does not validate) |
| 429 `rate_limited` (with `Retry-After`) | every operation (the API's rate limit, `api.ratelimit`) |
| 401 `not_authenticated` | operations that need a signed-in user |
| 403 `forbidden` | those, with an unsafe method (a session's failed CSRF check) |
| 400 `invalid_json` / `bad_request`, 413 `too_large` | operations that take a body |
| 404 `not_found` | operations addressing an object by a path parameter |
| 409 `conflict` / `stale` | state-changing operations on such an object |

An operation declares any other answer itself, with the same body: `response={200: X, **answers(403)}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_SOURCES = {"body", "form", "file"}
RETRY_AFTER = "Retry-After"


def _optional_keys(schema: dict[str, Any]) -> None:
    # Keys some answers add beside the three (documented, never required; extra keys are kept).
    schema["properties"].update(
        {
            "allowed": {
                "type": "array",
                "items": {"type": "string"},
                "description": "409/403：此时允许的操作",
            },
            "draft": {"type": "string", "description": "申请未通过校验时保存的草稿编号（draft_key）"},
            "year": {"type": "integer", "description": "工作日历中缺少的年份"},
            "errors": {
                "type": "array",
                "items": {"type": "object"},
                "description": "导入失败时逐条列出的问题（工作表、行、要素）",
            },
        }
    )


class ErrorOut(BaseModel):
    """The one error body of the API, in the request's language (Chinese, or English under
    `Accept-Language: en`). A plain pydantic model, not a ninja Schema: the keys some answers add
    (`allowed`, `draft`, ...) are kept as they are, never filled in as nulls where absent."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_optional_keys)

    code: str = Field(..., description="机器可读的错误代码，如 invalid、not_found、conflict、too_large")
    message: str = Field(..., description="给人看的说明")
    fields: dict[str, list[str]] = Field(
        ..., description="逐字段的问题：{字段路径: [说明]}；与具体字段无关时为空对象"
    )


def answers(*codes: int) -> dict[int, type[ErrorOut]]:
    """`{code: ErrorOut}` for an operation's own error answers."""
    return dict.fromkeys(codes, ErrorOut)


def _sources(operation: Any) -> set[str]:
    return {getattr(model, "__ninja_param_source__", None) for model in operation.models}


def codes_for(operation: Any) -> set[int]:
    """The error answers the handlers, the request guard and django-ninja give `operation`."""
    codes = {422, 429}
    methods = set(operation.methods)
    sources = _sources(operation)
    if operation.auth_callbacks:
        codes.add(401)
        if methods & UNSAFE_METHODS:
            codes.add(403)
    if sources & BODY_SOURCES or methods & {"POST", "PUT", "PATCH"}:
        codes |= {400, 413}
    if "path" in sources:
        codes.add(404)
        if operation.auth_callbacks and methods & UNSAFE_METHODS:
            codes.add(409)
    return codes


def declare(path_operations: Iterable[tuple[str, Any]]) -> None:
    """Declare each operation's error answers with the one error body (replacing a bare `dict`)."""
    model = None
    for _path, operation in path_operations:
        if model is None:
            model = operation._create_response_model(ErrorOut)
        for code in codes_for(operation):
            if code not in operation.response_models or _is_bare_dict(operation.response_models[code]):
                operation.response_models[code] = model


def _is_bare_dict(response_model: Any) -> bool:
    field = getattr(response_model, "model_fields", {}).get("response")
    return field is not None and field.annotation in (dict, dict[str, Any])


def document_retry_after(schema: dict[str, Any]) -> dict[str, Any]:
    """Name the `Retry-After` header of every 429 answer in the OpenAPI document."""
    header = {
        "description": "多少秒后可以重试",
        "schema": {"type": "integer", "minimum": 0},
    }
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            answer = operation.get("responses", {}).get(429) or operation.get("responses", {}).get("429")
            if answer is not None:
                answer.setdefault("headers", {})[RETRY_AFTER] = header
    return schema
