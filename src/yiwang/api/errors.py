"""One error shape for the whole API: `{"code", "message", "fields"}`, in the request's language."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from django.utils.translation import gettext as _
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from yiwang.accounts.throttle import TooManyAttempts
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.rules import TRANSITIONS
from yiwang.core import body_limits, validation
from yiwang.core.validation import error_body
from yiwang.core.workdays import YearNotInCalendar

log = logging.getLogger("yiwang.api")


class Conflict(Exception):
    """A state conflict (409): an illegal transition or a lost race. `allowed` names what is."""

    def __init__(self, message: str, *, code: str = "conflict", allowed: list[str] | None = None):
        self.message, self.code, self.allowed = message, code, allowed
        super().__init__(message)


# Where django-ninja's error locations start: the request part, and for a body the body
# parameter's name (`payload` throughout the API), then the field's own path. Only there are they
# not field names: `POST /licences/verification` has a field named `payload` in its `payload`.
_REQUEST_PARTS = {"body", "query", "path", "form", "header", "cookie"}
_BODY_PARAMETERS = {"payload"}
# The tag of the action body's discriminated union (`{"action": "refuse", ...}` errors name `remedy`).
_UNION_TAGS = set(TRANSITIONS)


def _field_location(location: tuple | list) -> list:
    """The location without its request part and body parameter's name."""
    parts = list(location)
    if parts and parts[0] in _REQUEST_PARTS:
        part = parts.pop(0)
        if part in ("body", "form") and parts and parts[0] in _BODY_PARAMETERS:
            parts.pop(0)
    return parts


def install(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors = [{**error, "loc": _field_location(error.get("loc", ()))} for error in exc.errors]
        fields = validation.by_field(errors, skip=_UNION_TAGS)
        return api.create_response(
            request, error_body("invalid", _("请求参数有误，请检查标出的字段。"), fields), status=422
        )

    @api.exception_handler(ValidationError)
    def domain_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        message = (
            next(iter(fields.values()))[0] if len(fields) == 1 else _("请求参数有误，请检查标出的字段。")
        )
        return api.create_response(request, error_body("invalid", message, fields), status=422)

    @api.exception_handler(YearNotInCalendar)
    def year_missing(request: HttpRequest, exc: YearNotInCalendar) -> HttpResponse:
        return api.create_response(
            request, error_body("calendar_year_missing", exc.message, year=exc.year), status=422
        )

    @api.exception_handler(TooManyAttempts)
    def throttled(request: HttpRequest, exc: TooManyAttempts) -> HttpResponse:
        response = api.create_response(request, error_body("too_many_attempts", exc.message), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("not_authenticated", _("请先登录，或在 Authorization 头中提供有效令牌。")),
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("未找到该资源。")), status=404)

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        extra = {"allowed": exc.allowed} if exc.allowed is not None else {}
        return api.create_response(request, error_body(exc.code, exc.message, **extra), status=409)

    @api.exception_handler(CaseConflict)
    def case_conflict(request: HttpRequest, exc: CaseConflict) -> HttpResponse:
        extra = {"allowed": exc.allowed} if exc.allowed is not None else {}
        return api.create_response(request, error_body(exc.code, exc.message, **extra), status=409)

    @api.exception_handler(NotYourAction)
    def not_your_action(request: HttpRequest, exc: NotYourAction) -> HttpResponse:
        return api.create_response(
            request, error_body("forbidden_action", exc.message, allowed=exc.allowed), status=403
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # The request guard refuses an oversized body before a view runs (core.request_guard);
        # this is Django's own check, should a body still pass it.
        limit = body_limits.limit_for(request)
        return api.create_response(request, error_body("too_large", body_limits.message(limit)), status=413)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, RequestDataTooBig):
            return too_large(request, exc.__cause__)
        if isinstance(exc.__cause__, SchemaValidationError):
            # A NUL in a JSON body: django-ninja wraps every body-parser error in a 400.
            return schema_invalid(request, exc.__cause__)
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # django-ninja's own words for a malformed JSON body, in English only.
            return api.create_response(
                request, error_body("invalid_json", _("请求体不是有效的 JSON。")), status=400
            )
        code = {400: "bad_request", 403: "forbidden", 413: "too_large", 415: "unsupported_media_type"}.get(
            exc.status_code, "error"
        )
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error", extra={"path": request.path})
        return api.create_response(
            request, error_body("server_error", _("服务器内部错误，已记录，请稍后再试。")), status=500
        )


# --- Django's own 404 and 500 under the API's prefix ---------------------------------------------
# A path no route matches never reaches django-ninja, nor does an error raised by a middleware:
# Django answers them with its handler views, which render the portal's HTML pages. Under
# /api/ a client expects the API's JSON error shape, in the request's language.

API_PREFIX = "/api/"


def _api_answer(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    from yiwang.api.router import api  # the router installs this module's handlers

    return api.create_response(request, body, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_answer(request, error_body("not_found", _("未找到该资源。")), 404)
    return defaults.page_not_found(request, exception)


def json_method_not_allowed(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """`api.urls` with each route's view answering a method it does not offer (405) in the API's
    JSON shape and language, keeping the `Allow` header: django-ninja answers it itself, before
    any exception handler, with the English text "Method not allowed" as an HTML page."""
    patterns, app_name, namespace = urls
    wrapped = [
        URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return wrapped, app_name, namespace


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)  # keeps django-ninja's csrf_exempt mark
    def answering_405_in_json(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        message = _("此地址不接受 %(method)s 请求，可用的方法：%(allowed)s。") % {
            "method": request.method,
            "allowed": allowed,
        }
        answer = _api_answer(request, error_body("method_not_allowed", message), 405)
        answer["Allow"] = allowed
        return answer

    return answering_405_in_json


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_answer(
            request, error_body("server_error", _("服务器内部错误，已记录，请稍后再试。")), 500
        )
    return defaults.server_error(request)
