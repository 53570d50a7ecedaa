"""电子监察 in the workbench: the supervisor's dashboard (cards by colour and rule, the warnings
list with filters, 督办, quarterly grades) and the handler's own view (their department's warnings
to answer and 督办 to report), one warning with its trail, one order, and the rules' settings.

Objects are looked up through `supervision.access` (anything else answers 404); every change goes
through `supervision.services`; bad input re-renders with the message (400), a change no longer
possible shows the service's message (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.cases import access as case_access
from yiwang.cases import changes, clock
from yiwang.core import workdays
from yiwang.core.models import Department
from yiwang.core.validation import row_id
from yiwang.ratings import queries as rating_queries
from yiwang.supervision import access, queries, rules, services
from yiwang.workbench.access import forbidden, staff_required


def _crumbs(*links: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("电子监察"), reverse("workbench:supervision")), *links]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _errors_text(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


PAGE_SIZE = 50  # cards per page of the list, the latest first
MAX_PAGE = 1000


@staff_required
def supervision_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    watching = access.watches(user) is not None
    if not watching and access.handles(user) is None:
        return forbidden(request)
    g = request.GET
    f = queries.WarningFilter(
        colour=g.get("colour", ""),
        rule=g.get("rule", ""),
        state=g.get("state", "" if watching else "open"),
        live=g.get("live", ""),
        department=row_id(g.get("department")),
        since=_date(g.get("since")),
        until=_date(g.get("until")),
    )
    # A page of the latest cards (one more id read tells whether a next page exists).
    number = min(row_id(g.get("page")) or 1, MAX_PAGE)
    listed = queries.warnings(user, f)
    start = (number - 1) * PAGE_SIZE
    ids = list(listed.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    warnings = [queries.warning_view(w, user) for w in queries.in_order(listed, ids[:PAGE_SIZE])]
    kept = {k: v for k, v in g.items() if k != "page" and v}
    orders = [
        queries.order_view(o, user) for o in access.visible_orders(user).order_by("state", "due_date")[:50]
    ]
    overview = queries.dashboard(user)
    top = max([r["count"] for r in overview["by_rule"]] + [1])
    return render(
        request,
        "workbench/supervision/home.html",
        {
            "crumbs": [(_("电子监察"), "")],
            "watching": watching,
            "overview": overview,
            "bar_scale": top,
            "warnings": warnings,
            "page": number,
            "first_shown": start + 1,
            "previous_url": "?" + urlencode({**kept, "page": number - 1}) + "#warnings" if number > 1 else "",
            "next_url": "?" + urlencode({**kept, "page": number + 1}) + "#warnings"
            if len(ids) > PAGE_SIZE and number < MAX_PAGE
            else "",
            "filters": f,
            "raw": g,
            "rule_choices": [(c, _(s.label)) for c, s in rules.RULES.items()],
            "orders": orders,
            "follow_ups": [
                rating_queries.follow_up_view(x, user) for x in rating_queries.follow_up_queue(user, limit=20)
            ],
            "today": clock.today(),
            "is_admin": access.may_configure(user),
        },
    )


@staff_required
def grades_page(request: HttpRequest) -> HttpResponse:
    """The quarterly grading of the departments in the supervisor's reach (its own page: at a
    province's scale it reads a quarter of decided cases, kept off the dashboard)."""
    if access.watches(request.user) is None:
        return forbidden(request)
    quarter = request.GET.get("quarter", "")
    if not (len(quarter) == 6 and quarter[:4].isdigit() and quarter[4] == "Q" and quarter[5] in "1234"):
        quarter = rules.quarter_of(clock.today())
    return render(
        request,
        "workbench/supervision/grades.html",
        {
            "crumbs": _crumbs((_("部门季度评分"), "")),
            "quarter": quarter,
            "grades": queries.grades(request.user, quarter),
            "today": clock.today(),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def warning_detail(request: HttpRequest, warning_id: int) -> HttpResponse:
    warning = access.visible_warnings(request.user).filter(pk=warning_id).first()
    if warning is None:
        raise Http404
    error, status = "", 200
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: (request.POST.get(k) or "")[:2000] for k in ("reason", "action")}
        try:
            services.answer(request.user, warning, posted["reason"], posted["action"])
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            error, status = _errors_text(exc), 400
        else:
            messages.success(request, _("已说明预警。"))
            return redirect("workbench:supervision-warning", warning_id=warning.pk)
    view = queries.warning_view(warning, request.user)
    spec = rules.RULES.get(warning.rule)
    return render(
        request,
        "workbench/supervision/warning.html",
        {
            "crumbs": _crumbs((view["rule_text"], "")),
            "w": view,
            "description": _(spec.description) if spec else "",
            "history": queries.case_history(warning.case, request.user),
            "orders": [
                queries.order_view(o, request.user)
                for o in warning.orders.select_related("case", "department")
            ],
            "error": error,
            "posted": posted,
            "default_due": workdays.add_workdays_or_assumed(clock.today(), 3),
            "today": clock.today(),
        },
        status=status,
    )


@require_POST
@staff_required
def order_new(request: HttpRequest) -> HttpResponse:
    """督办 from the dashboard (a department) or from a warning (its case)."""
    warning = case = department = None
    back = reverse("workbench:supervision")
    if (warning_id := row_id(request.POST.get("warning"))) is not None:
        warning = access.visible_warnings(request.user).filter(pk=warning_id).first()
        if warning is None:
            raise Http404
        back = reverse("workbench:supervision-warning", args=[warning.pk])
    elif request.POST.get("case"):
        case = case_access.case_for(request.user, request.POST["case"])
        if case is None:
            raise Http404
    elif (department_id := row_id(request.POST.get("department"))) is not None:
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise Http404
    due = _date(request.POST.get("due_date"))
    if due is None:
        messages.error(request, _("请填写办理期限（YYYY-MM-DD）。"))
        return redirect(back)
    try:
        order = services.issue_order(
            request.user,
            instruction=request.POST.get("instruction", "")[:2000],
            due_date=due,
            case=case,
            department=department,
            warning=warning,
        )
    except changes.NotYourAction as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect(back)
    messages.success(request, _("已发出督办。"))
    return redirect("workbench:supervision-order", order_id=order.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.visible_orders(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    error, status, posted = "", 200, ""
    if request.method == "POST":
        posted = (request.POST.get("report") or "")[:2000]
        try:
            services.report_order(request.user, order, posted)
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            error, status = _errors_text(exc), 400
        else:
            messages.success(request, _("已反馈督办办理情况。"))
            return redirect("workbench:supervision-order", order_id=order.pk)
    view = queries.order_view(order, request.user)
    return render(
        request,
        "workbench/supervision/order.html",
        {"crumbs": _crumbs((_("督办"), "")), "o": view, "error": error, "posted": posted},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def rule_settings(request: HttpRequest) -> HttpResponse:
    """The rules and their settings; platform administrators change them."""
    if access.watches(request.user) is None:
        return forbidden(request)
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")
        spec = rules.RULES.get(code)
        if spec is None:
            raise Http404
        params: dict[str, Any] = {}
        bad = False
        for key in spec.params:
            raw = (request.POST.get(f"param-{key}") or "").strip()
            if not raw.isdigit():
                bad = True
            else:
                params[key] = int(raw)
        try:
            if bad:
                raise ValidationError({"params": [_("参数应为规则已有的参数，取值为 0 到 10000 的整数。")]})
            services.configure(request.user, code, enabled=request.POST.get("enabled") == "1", params=params)
        except changes.NotYourAction as exc:
            messages.error(request, exc.message)
            status = 403
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
            status = 400
        else:
            messages.success(request, _("已保存规则“%(rule)s”。") % {"rule": _(spec.label)})
            return redirect("workbench:supervision-rules")
    return render(
        request,
        "workbench/supervision/rules.html",
        {
            "crumbs": _crumbs((_("监察规则"), "")),
            "rules": queries.rule_rows(),
            "may_configure": access.may_configure(request.user),
        },
        status=status,
    )


def case_history(user, case) -> list[dict[str, Any]]:
    """The case page's 亮灯记录 (for the staff who may see its warnings)."""
    return queries.case_history(case, user)
