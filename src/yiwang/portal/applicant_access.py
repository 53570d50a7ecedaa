"""What every applicant case view shares: signing in (`applicant_required`: signed-in applicants
only, anyone else sent to sign in and brought back, a POST kept across an expired session), the
case the user may see (`applicant_case`, else 404), and where a request goes back to (`case_url`,
`refused` with the messages of a refusal, `messages_of`; a script's request answered as JSON or in
place).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from yiwang.accounts.models import AccountKind
from yiwang.cases import access
from yiwang.cases.models import Case
from yiwang.portal import case_forms


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def in_place(request: HttpRequest) -> bool:
    """A request of the page's own script (application.js: an upload or a removal done in place),
    answered with the parts of the page it changes instead of a new page."""
    return request.headers.get("HX-Request") == "true"


def case_url(case: Case) -> str:
    return reverse("portal:case", args=[case.number or str(case.draft_key)])


def applicant_required(*, stash: bool = False) -> Callable:
    """Signed-in applicants only. Anyone else is sent to sign in and brought back to a page that
    answers GET (the case page, or the start page with the chosen situation); a script gets 401.
    Staff accounts have the workbench: the applicant's case pages answer them 404."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                ref, code = kwargs.get("ref"), kwargs.get("code")
                if ref:
                    target = reverse("portal:case", args=[ref])
                    if stash and request.method == "POST":
                        case_forms.stash(request, ref)
                elif code:
                    target = reverse("portal:case-start", args=[code])
                    situation = (request.POST.get("situation") or request.GET.get("situation") or "").strip()
                    if situation.isdigit():
                        target += "?" + urlencode({"situation": situation})
                elif request.method == "GET":
                    target = request.get_full_path()
                else:
                    target = reverse("portal:cases")
                if wants_json(request) or in_place(request):
                    login_url = reverse("accounts:login") + "?" + urlencode({"next": target})
                    return JsonResponse(
                        {
                            "code": "login_required",
                            "message": _("登录已超时，请重新登录。已保存的内容不会丢失。"),
                            "login_url": login_url,
                        },
                        status=401,
                    )
                return redirect_to_login(target)
            if user.kind == AccountKind.STAFF:
                if kwargs.get("code"):
                    messages.error(request, _("工作人员账号不能在网上申请；窗口收件请在工作台登记。"))
                    return redirect("portal:guide", kwargs["code"])
                if kwargs.get("ref"):
                    raise Http404
                return redirect("workbench:home")
            response = view(request, *args, **kwargs)
            # Personal data: not kept by the browser's cache (a shared computer's back button).
            add_never_cache_headers(response)
            return response

        return wrapper

    return decorate


def applicant_case(request: HttpRequest, ref: str) -> Case:
    case = access.case_for(request.user, ref)
    if case is None:
        raise Http404
    return case


def refused(request: HttpRequest, case: Case, message: str, *, status: int = 409) -> HttpResponse:
    """An action that cannot happen now: the message on the case page (or as JSON)."""
    if wants_json(request):
        return JsonResponse({"code": "conflict", "message": message}, status=status)
    messages.error(request, message)
    return redirect(case_url(case))


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for msgs in exc.message_dict.values() for m in msgs]
    return [str(m) for m in exc.messages]
