"""Refuse, before any view runs, a request no view could handle safely: a body over its size limit
(413, judged by Content-Length before a byte is read), text no database can store in the path
(404: no object has such a name), the query string, a form post or an upload's file name (422 in
the API, naming the field; a 400 page elsewhere). JSON bodies are checked by the API's parser,
which can name the field path inside them.

Every answer has the usual shape: the API's `{code, message, fields}`, or a page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from yiwang.core import body_limits, storable, validation

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _answer(request: HttpRequest, status: int, body: dict, template: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, template, {"message": body["message"]}, status=status)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return _answer(request, 413, validation.error_body("too_large", body_limits.message(limit)), "413.html")


def _unstorable_fields(request: HttpRequest) -> dict[str, list[str]]:
    """`{field: [message]}` for each query or form parameter, or upload file name, holding text
    that cannot be stored."""
    found: dict[str, list[str]] = {}
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            for text in (key, *values):
                if kind := storable.problem(text):
                    found.setdefault(storable.shown(key), []).append(validation.message_for({"type": kind}))
                    break
    if request.method == "POST" and request.content_type == "multipart/form-data":
        for key, uploads in request.FILES.lists():
            if any(storable.problem(upload.name or "") for upload in uploads):
                found.setdefault(storable.shown(key), []).append(_("文件名含有无法保存的字符。"))
    return found


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        limit = body_limits.limit_for(request)
        declared = body_limits.declared_length(request)
        if declared is not None and declared > limit:
            return too_large(request, limit)
        if declared is None and not body_limits.within_limit(request, limit):
            return too_large(request, limit)
        if storable.problem(request.path_info):
            body = validation.error_body("not_found", _("未找到该资源。"))
            return _answer(request, 404, body, "404.html")
        try:
            fields = _unstorable_fields(request)
        except RequestDataTooBig:
            return too_large(request, limit)
        except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            body = validation.error_body("bad_request", _("请求内容无法解析。"))
            return _answer(request, 400, body, "400.html")
        if fields and _is_api(request):
            body = validation.error_body("invalid", _("请求参数有误，请检查标出的字段。"), fields)
            return _answer(request, 422, body, "400.html")
        if fields:
            message = _("提交的内容含有无法保存的字符（例如空字符），请修改后重试。")
            return _answer(request, 400, validation.error_body("invalid", message, fields), "400.html")
        return None
