"""好差评: rating a case (the applicant; staff entering a rating given by phone or SMS; the window's
rating device), the bad-rating loop's steps, the applicant's rating of the rectification, appeals
and rulings, and the public disclosure figures.

A case, loop or appeal the caller may not see answers 404 (`ratings.access`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.cases import access as case_access
from yiwang.core.models import Division
from yiwang.core.validation import RowId
from yiwang.ratings import access, queries, rules, services
from yiwang.ratings.rules import Channel, RatingIn

router = Router(tags=["ratings"])


class RatingBody(RatingIn):
    channel: Literal["online", "window", "phone", "sms"] = Field(
        "online",
        description="online：申请人本人（网上）；window：窗口评价器（窗口人员的柜台）；"
        "phone、sms：承办人员代录申请人电话或短信回复的评价（记录为代录）",
    )


class StageOut(Schema):
    stage: str
    label: str
    open: bool = Field(description="办件已到这一环节")
    may_rate: bool = Field(description="调用者可以评价（申请人本人、未评价）")
    rating: dict[str, Any] | None


class CaseRatingsOut(Schema):
    stages: list[StageOut]
    form: dict[str, Any] = Field(description="评价等级、分项指标、各等级的标签")


class RectificationIn(Schema):
    view: Literal["satisfied", "basic", "dissatisfied"] = Field(
        description="对整改结果：满意、基本满意、不满意"
    )


class AppealIn(Schema):
    kind: Literal["malicious", "mistaken"] = Field(description="malicious 恶意差评；mistaken 误评")
    reasons: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class RulingIn(Schema):
    upheld: bool = Field(description="申诉是否成立")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class FollowUpFilter(Schema):
    state: Literal["open", "closed", "all"] = Field("open", description="open 未办结（默认）；closed；all")


class DisclosureQuery(Schema):
    division: str | None = Field(None, pattern=r"^\d{2,12}$", description="区划代码（含下级）")
    since: dt.date | None = Field(None, description="起始日期（默认近一年）")


def _case_or_404(request: HttpRequest, number: str):
    case = case_access.case_for(request.user, number)
    if case is None:
        raise Http404
    return case


def _follow_up_or_404(request: HttpRequest, follow_up_id: int):
    follow_up = access.follow_up_for(request.user, follow_up_id)
    if follow_up is None:
        raise Http404
    return follow_up


@router.get(
    "/cases/{number}/rating",
    auth=signed_in,
    response=CaseRatingsOut,
    summary="本件的评价：可评价的环节、已有评价和整改答复、评价表的选项",
)
def case_ratings(request: HttpRequest, number: str):
    return queries.case_ratings(_case_or_404(request, number), request.user)


@router.post(
    "/cases/{number}/rating",
    auth=signed_in,
    response={201: dict[str, Any], **answers(403)},
    summary="评价本件（一事一评：承诺件受理、办结各一次；即办件一次）",
)
def rate_case(request: HttpRequest, number: str, payload: RatingBody):
    """The applicant rates a stage the case has reached (409 `not_yet` before it, 409 `rated` for a
    stage already rated). Staff handling the case may record a rating the applicant gave by phone
    or SMS (`channel`), recorded as entered by them."""
    case = _case_or_404(request, number)
    given = RatingIn.model_validate(payload.model_dump(exclude={"channel"}))
    rating = services.rate(request.user, case, given, channel=Channel(payload.channel))
    return Status(201, queries.rating_view(rating, request.user))


@router.post(
    "/ratings/{rating_id}/rectification",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="申请人评价差评的整改结果（一次：满意、基本满意、不满意）",
)
def rate_rectification(request: HttpRequest, rating_id: RowId, payload: RectificationIn):
    rating = access.applicant_rating(request.user, rating_id)
    if rating is None:
        raise Http404
    follow_up = services.rate_rectification(request.user, rating, rules.FollowUpRating(payload.view))
    return queries.follow_up_summary(follow_up)


@router.get(
    "/ratings",
    auth=signed_in,
    response=list[dict[str, Any]],
    summary="本部门（监察人员：本辖区）收到的评价；非差评不显示办件",
)
def list_ratings(request: HttpRequest):
    qs = access.visible_ratings(request.user).select_related("case", "follow_up").order_by("-rated_at")[:200]
    return [queries.rating_view(r, request.user) for r in qs]


@router.get(
    "/ratings/follow-ups",
    auth=signed_in,
    response=list[dict[str, Any]],
    summary="差评整改：本部门待办（监察人员：本辖区），按期限排序",
)
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpFilter]):
    qs = access.visible_follow_ups(request.user)
    if filters.state == "open":
        qs = qs.filter(state__in=[s.value for s in rules.LOOP_OPEN])
    elif filters.state == "closed":
        qs = qs.exclude(state__in=[s.value for s in rules.LOOP_OPEN])
    return [queries.follow_up_view(f, request.user) for f in qs.order_by("due_date", "id")[:200]]


@router.get(
    "/ratings/follow-ups/{follow_up_id}", auth=signed_in, response=dict[str, Any], summary="一条差评整改"
)
def get_follow_up(request: HttpRequest, follow_up_id: RowId):
    return queries.follow_up_view(_follow_up_or_404(request, follow_up_id), request.user)


@router.post(
    "/ratings/follow-ups/{follow_up_id}/steps",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary='办理差评整改的下一环节：{"step": "verify" | "rectify" | "answer" | "return_visit", ...}',
)
def take_step(request: HttpRequest, follow_up_id: RowId, payload: rules.StepIn):
    """Steps in turn (409 naming the one due otherwise); a step after its deadline is accepted and
    flagged late."""
    follow_up = services.take_step(request.user, _follow_up_or_404(request, follow_up_id), payload)
    return queries.follow_up_view(follow_up, request.user)


@router.post(
    "/ratings/{rating_id}/appeal",
    auth=signed_in,
    response={201: dict[str, Any], **answers(403)},
    summary="被评价部门对差评提出申诉（恶意差评或误评），由监察人员裁定",
)
def file_appeal(request: HttpRequest, rating_id: RowId, payload: AppealIn):
    rating = access.visible_ratings(request.user).filter(pk=rating_id, bad=True).first()
    if rating is None:
        raise Http404
    row = services.appeal(request.user, rating, rules.AppealKind(payload.kind), payload.reasons)
    return Status(201, queries.appeal_view(row, request.user))


@router.get("/ratings/appeals", auth=signed_in, response=list[dict[str, Any]], summary="差评申诉")
def list_appeals(request: HttpRequest):
    qs = access.visible_appeals(request.user).order_by("state", "-filed_at")[:200]
    return [queries.appeal_view(a, request.user) for a in qs]


@router.post(
    "/ratings/appeals/{appeal_id}/ruling",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="监察人员裁定差评申诉（附理由；成立的差评不计入满意率，裁定结果公开）",
)
def rule_appeal(request: HttpRequest, appeal_id: RowId, payload: RulingIn):
    appeal = access.visible_appeals(request.user).filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    row = services.rule(request.user, appeal, upheld=payload.upheld, reason=payload.reason)
    return queries.appeal_view(row, request.user)


@router.get(
    "/ratings/disclosure",
    auth=None,
    response=dict[str, Any],
    summary="好差评公开：按部门、事项的满意率、差评及整改情况（不含个人信息）",
)
def disclosure(request: HttpRequest, filters: Query[DisclosureQuery]):
    prefix = ""
    if filters.division:
        division = Division.objects.filter(code=filters.division.ljust(12, "0")).first()
        if division is None:
            raise ValidationError({"division": [_("没有这个区划代码。")]})
        prefix = division.prefix
    since = filters.since or (dt.date.today() - dt.timedelta(days=365))
    return queries.disclosure(prefix, since)
