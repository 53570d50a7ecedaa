"""好差评 in the portal: the prompt on the case page after each stage (never forced), the rating
page, the applicant's rating of the rectification after a 差评's answer, and the public disclosure
page (好差评公开)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts.models import User
from yiwang.cases import changes
from yiwang.cases.models import Case
from yiwang.core.models import Division, DivisionLevel
from yiwang.portal.applicant_access import applicant_case, applicant_required, case_url
from yiwang.ratings import access, form_input, queries, rules, services
from yiwang.ratings.rules import Channel


def panel(user: User, case: Case) -> dict[str, Any]:
    """The case page's rating panel: the stages open or rated, and what the applicant may do."""
    view = queries.case_ratings(case, user)
    return {
        "stages": view["stages"],
        "any": bool(view["stages"]),
        "follow_up_choices": [(k.value, _(v)) for k, v in rules.FOLLOW_UP_LABELS.items()],
    }


def _form_context(
    case: Case, stage_row, values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    spec = queries.form_spec(Channel.ONLINE)
    level = str(values.get("level", ""))
    return {
        "case": case,
        "title": case.title,
        "stage": stage_row,
        "spec": spec,
        "levels": spec["levels"],
        "values": values,
        "chosen_tags": values.get("tags", []),
        "chosen_level": level,
        "indicator_rows": [
            {"key": i["key"], "label": i["label"], "value": str(values.get(f"ind-{i['key']}", ""))}
            for i in spec["indicators"]
        ],
        "tag_groups": spec["tag_groups"],
        "errors": errors,
        "error_summary": [{"href": f"#field-{k}", "text": m} for k, v in errors.items() for m in v],
    }


@require_http_methods(["GET", "POST"])
@applicant_required()
def case_rate(request: HttpRequest, ref: str) -> HttpResponse:
    """Rate the stage the case has reached (the first open one not yet rated, or `?stage=`)."""
    case = applicant_case(request, ref)
    if not case.number:
        raise Http404
    rows = [r for r in queries.stages(case) if r.may_rate()]
    wanted = request.POST.get("stage") or request.GET.get("stage")
    row = next((r for r in rows if r.stage == wanted), rows[0] if rows and not wanted else None)
    if row is None:
        messages.info(request, _("这一环节现在不能评价：办件受理或办结后可以评价，每个环节评价一次。"))
        return redirect(case_url(case))
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {
            "level": request.POST.get("level", ""),
            "tags": request.POST.getlist("tags"),
            "comment": (request.POST.get("comment") or "")[:600],
            **{f"ind-{k}": request.POST.get(f"ind-{k}", "") for k in rules.INDICATORS[Channel.ONLINE]},
        }
        given, errors = form_input.rating_from_post(request.POST, Channel.ONLINE)
        if given is not None:
            given = given.model_copy(update={"stage": rules.Stage(row.stage)})
            try:
                services.rate(request.user, case, given, channel=Channel.ONLINE)
            except (changes.CaseConflict, changes.NotYourAction) as exc:
                messages.error(request, exc.message)
                return redirect(case_url(case))
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                if rules.is_bad(given.level):
                    messages.success(
                        request,
                        _("感谢您的评价。您的意见已转给办理部门整改，部门会在规定时间内联系您并答复。"),
                    )
                else:
                    messages.success(request, _("感谢您的评价！"))
                return redirect(case_url(case) + "#rating")
    return render(
        request,
        "portal/cases/rate.html",
        _form_context(case, row, values, errors),
        status=400 if errors else 200,
    )


@require_POST
@applicant_required()
def case_rectification(request: HttpRequest, ref: str, rating_id: int) -> HttpResponse:
    """The applicant's one rating of the rectification (满意 / 基本满意 / 不满意)."""
    case = applicant_case(request, ref)
    rating = access.applicant_rating(request.user, rating_id)
    if rating is None or rating.case_id != case.pk:
        raise Http404
    view = request.POST.get("view", "")
    if view not in {v.value for v in rules.FollowUpRating}:
        messages.error(request, _("请选择您对整改结果的评价。"))
        return redirect(case_url(case) + "#rating")
    try:
        services.rate_rectification(request.user, rating, rules.FollowUpRating(view))
    except (changes.CaseConflict, changes.NotYourAction) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("感谢您对整改结果的评价。"))
    return redirect(case_url(case) + "#rating")


def disclosure(request: HttpRequest) -> HttpResponse:
    """好差评公开: satisfaction, 差评 and their rectification by department and item, last year."""
    code = (request.GET.get("division") or "").strip()
    division = Division.objects.filter(code=code).first() if code.isdigit() and len(code) == 12 else None
    since = dt.date.today() - dt.timedelta(days=365)
    figures = queries.disclosure(division.prefix if division else "", since)
    return render(
        request,
        "portal/ratings_disclosure.html",
        {
            "figures": figures,
            "division": division,
            "since": since,
            "divisions": Division.objects.filter(level__lte=DivisionLevel.COUNTY).order_by("code"),
        },
    )
