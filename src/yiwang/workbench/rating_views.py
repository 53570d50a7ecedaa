"""好差评 in the workbench: the department's 差评 follow-ups as to-do items with their deadlines'
lights, one follow-up with its next step and an appeal, the supervisor's rulings, the ratings
received (which case gave a good rating is never shown), and on a case the window's rating device
and a handler's entry of a rating given by phone or SMS.

Objects are looked up through `ratings.access` (anything else answers 404); every change goes
through `ratings.services`. Bad input re-renders the page with the errors by their fields (400);
a step out of turn shows the service's message (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.cases import access as case_access
from yiwang.cases import changes, clock
from yiwang.ratings import access, form_input, queries, rules, services
from yiwang.ratings.models import Appeal
from yiwang.ratings.rules import Channel
from yiwang.supervision import access as supervision_access
from yiwang.workbench.access import staff_required


def _crumbs(*links: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("好差评"), reverse("workbench:ratings")), *links]


@staff_required
def ratings_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    follow_ups = [queries.follow_up_view(f, user) for f in queries.follow_up_queue(user)]
    appeals = [
        queries.appeal_view(a, user) for a in access.visible_appeals(user).order_by("state", "-filed_at")[:50]
    ]
    visible = access.visible_ratings(user)
    recent = [
        queries.rating_view(r, user)
        for r in visible.select_related("case", "follow_up").order_by("-rated_at")[:30]
    ]
    return render(
        request,
        "workbench/ratings/home.html",
        {
            "crumbs": [(_("好差评"), "")],
            "follow_ups": follow_ups,
            "overdue": sum(1 for f in follow_ups if f["colour"] == "red"),
            "appeals": appeals,
            "figures": queries.figures(visible),
            "recent": recent,
            "definitions": {k: _(v) for k, v in queries.DEFINITIONS.items()},
        },
    )


def _step_context(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "methods": [(k, _(v)) for k, v in rules.METHOD_LABELS.items()],
        "findings": [(k, _(v)) for k, v in rules.FINDING_LABELS.items()],
        "rectify_kinds": [(k, _(v)) for k, v in rules.RECTIFY_LABELS.items()],
        "appeal_kinds": [(k.value, _(v)) for k, v in rules.APPEAL_KIND_LABELS.items()],
    }


@require_http_methods(["GET", "POST"])
@staff_required
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """One 差评's loop: the rating, the case (masked applicant), the steps so far, the next one."""
    follow_up = access.follow_up_for(request.user, follow_up_id)
    if follow_up is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        posted = {
            k: (request.POST.get(k) or "")[:1000] for k in ("step", "method", "finding", "kind", "note")
        }
        step, errors = form_input.step_from_post(request.POST)
        if step is not None:
            try:
                services.take_step(request.user, follow_up, step)
            except (changes.CaseConflict, changes.NotYourAction) as exc:
                messages.error(request, exc.message)
                status = 409
            else:
                messages.success(request, _("已办理：%(step)s。") % {"step": _(rules.STEPS[step.step].label)})
                return redirect("workbench:rating-follow-up", follow_up_id=follow_up.pk)
        else:
            status = 400
        follow_up.refresh_from_db()
    view = queries.follow_up_view(follow_up, request.user)
    return render(
        request,
        "workbench/ratings/follow_up.html",
        {
            "crumbs": _crumbs((view["case_number"], "")),
            "f": view,
            # A supervisor of the tree orders the department to act on the 差评's case (督办).
            "may_order": supervision_access.may_order(request.user, follow_up.division_code),
            "order_due": clock.today() + dt.timedelta(days=3),
            "today": clock.today(),
            "errors": errors,
            "posted": posted,
            **_step_context(view),
        },
        status=status,
    )


@require_POST
@staff_required
def follow_up_appeal(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = access.follow_up_for(request.user, follow_up_id)
    if follow_up is None:
        raise Http404
    kind = request.POST.get("kind", "")
    if kind not in {k.value for k in rules.AppealKind}:
        messages.error(request, _("请选择申诉类型。"))
    else:
        try:
            services.appeal(
                request.user, follow_up.rating, rules.AppealKind(kind), request.POST.get("reasons", "")[:1000]
            )
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, _("申诉已提交，等待监察人员裁定；整改期间照常办理。"))
    return redirect("workbench:rating-follow-up", follow_up_id=follow_up.pk)


@require_POST
@staff_required
def appeal_ruling(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = access.visible_appeals(request.user).filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    decision = request.POST.get("decision", "")
    if decision not in ("upheld", "rejected"):
        messages.error(request, _("请选择裁定结果。"))
    else:
        try:
            services.rule(
                request.user,
                appeal,
                upheld=decision == "upheld",
                reason=request.POST.get("reason", "")[:1000],
            )
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(
                request,
                _("已裁定：%(state)s。")
                % {"state": dict(Appeal.STATES)[Appeal.UPHELD if decision == "upheld" else Appeal.REJECTED]},
            )
    return redirect(reverse("workbench:ratings") + "#appeals")


def case_links(actors: set, case) -> dict[str, bool] | None:
    """On the case page, for its handlers, while a stage awaits its rating: the window's device
    (window clerks) and the entry of a rating given by phone or SMS."""
    from yiwang.cases.rules import Actor

    if not case.number or not any(r.may_rate() for r in queries.stages(case)):
        return None
    return {"device": Actor.WINDOW_CLERK in actors, "entry": True}


@require_http_methods(["GET", "POST"])
@staff_required
def case_rating(request: HttpRequest, number: str) -> HttpResponse:
    """On a case: the window's rating device (`?mode=device`, the applicant taps at the counter)
    or a handler's entry of a rating the applicant gave by phone or SMS (recorded as entered)."""
    case = case_access.case_for(request.user, number)
    if case is None or not case.number:
        raise Http404
    mode = request.POST.get("mode") or request.GET.get("mode") or "device"
    if mode == "device":
        channel = Channel.WINDOW
        allowed = access.may_show_device(request.user, case)
    else:
        channel = Channel.SMS if request.POST.get("channel") == "sms" else Channel.PHONE
        allowed = access.may_enter_for_applicant(request.user, case)
    if not allowed:
        raise Http404
    rows = [r for r in queries.stages(case) if r.may_rate()]
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and rows:
        values = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
        values["tags"] = request.POST.getlist("tags")
        given, errors = form_input.rating_from_post(request.POST, channel)
        if given is not None:
            try:
                services.rate(request.user, case, given, channel=channel)
            except (changes.CaseConflict, changes.NotYourAction) as exc:
                messages.error(request, exc.message)
                status = 409
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(
                    request,
                    _("评价已记录，谢谢！") if mode == "device" else _("已代录评价（记录为工作人员代录）。"),
                )
                return redirect("workbench:case-detail", number=case.number)
        status = status if not errors else 400
    spec = queries.form_spec(channel)
    return render(
        request,
        "workbench/ratings/case_rating.html",
        {
            "case": case,
            "mode": mode,
            "channel": channel,
            "stage": rows[0] if rows else None,
            "levels": spec["levels"],
            "indicators": [{**i, "value": str(values.get(f"ind-{i['key']}", ""))} for i in spec["indicators"]]
            if mode == "device"
            else [],
            "tag_groups": spec["tag_groups"] if mode == "device" else [],
            "values": values,
            "errors": errors,
        },
        status=status,
    )
