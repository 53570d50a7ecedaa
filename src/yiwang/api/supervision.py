"""电子监察: the warnings (yellow and red cards) with filters and their answers, 督办 orders and their
reports, a case's colour history, the dashboard's counts, the quarterly grading of departments,
and the rules with their settings.

A warning, order or case the caller may not see answers 404 (`supervision.access`).
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
from yiwang.api.pagination import PageQuery, paginate
from yiwang.cases import access as case_access
from yiwang.cases import clock
from yiwang.core.models import Department
from yiwang.core.validation import RowId
from yiwang.supervision import access, queries, rules, services

router = Router(tags=["supervision"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class WarningQuery(PageQuery):
    colour: Literal["yellow", "red"] | None = None
    rule: str | None = Field(None, max_length=30, description="规则代码（见 /supervision/rules）")
    state: Literal["open", "answered"] | None = Field(None, description="open 待说明；answered 已说明")
    live: bool = Field(False, description="只看条件仍然成立的预警")
    department: RowId | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class AnswerIn(Schema):
    reason: Text = Field(description="原因")
    action: Text = Field(description="采取的措施")


class OrderIn(Schema):
    case: str | None = Field(None, max_length=48, description="办件编号（与 department 二选一）")
    department: RowId | None = Field(None, description="部门编号")
    warning: RowId | None = Field(None, description="据以督办的预警")
    instruction: Text
    due_date: dt.date = Field(description="办理期限")


class ReportIn(Schema):
    report: Text = Field(description="办理情况")


class RuleIn(Schema):
    enabled: bool
    params: dict[str, int] = Field(default_factory=dict)


class GradeQuery(Schema):
    quarter: str | None = Field(None, pattern=r"^20\d\dQ[1-4]$", description="如 2026Q4；默认本季度")


def _warning_or_404(request: HttpRequest, warning_id: int):
    warning = access.visible_warnings(request.user).filter(pk=warning_id).first()
    if warning is None:
        raise Http404
    return warning


def _check_range(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise ValidationError({"since": [_("起始日期不能晚于截止日期。")]})
    if since and until and (until - since).days > 3660:
        raise ValidationError({"until": [_("查询区间不能超过十年。")]})


@router.get(
    "/supervision/warnings",
    auth=signed_in,
    response=dict[str, Any],
    summary="监察预警（黄牌、红牌）：本部门的，或监察人员辖区的；可按颜色、规则、状态、部门、日期筛选",
)
def list_warnings(request: HttpRequest, filters: Query[WarningQuery]):
    _check_range(filters.since, filters.until)
    f = queries.WarningFilter(
        colour=filters.colour or "",
        rule=filters.rule or "",
        state=filters.state or "",
        live="1" if filters.live else "",
        department=filters.department,
        since=filters.since,
        until=filters.until,
    )
    listed = queries.warnings(request.user, f)
    page = paginate(listed.values_list("pk", flat=True), filters.page, filters.page_size)
    page["results"] = [
        queries.warning_view(w, request.user) for w in queries.in_order(listed, page["results"])
    ]
    return page


@router.get("/supervision/warnings/{warning_id}", auth=signed_in, response=dict[str, Any], summary="一条预警")
def get_warning(request: HttpRequest, warning_id: RowId):
    return queries.warning_view(_warning_or_404(request, warning_id), request.user)


@router.post(
    "/supervision/warnings/{warning_id}/answer",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="经办部门说明预警：原因和措施（两个工作日内；逾期仍可说明，记为逾期）",
)
def answer_warning(request: HttpRequest, warning_id: RowId, payload: AnswerIn):
    warning = services.answer(
        request.user, _warning_or_404(request, warning_id), payload.reason, payload.action
    )
    return queries.warning_view(warning, request.user)


@router.get(
    "/supervision/cases/{number}/history",
    auth=signed_in,
    response=list[dict[str, Any]],
    summary="办件的亮灯记录：何时亮黄牌、红牌，何时解除，说明和督办",
)
def case_history(request: HttpRequest, number: str):
    case = case_access.case_for(request.user, number)
    if case is None:
        raise Http404
    return queries.case_history(case, request.user)


@router.get(
    "/supervision/orders", auth=signed_in, response=list[dict[str, Any]], summary="督办：本部门的或辖区的"
)
def list_orders(request: HttpRequest):
    qs = access.visible_orders(request.user).order_by("state", "due_date", "-id")[:200]
    return [queries.order_view(o, request.user) for o in qs]


@router.post(
    "/supervision/orders",
    auth=signed_in,
    response={201: dict[str, Any], **answers(403, 404)},
    summary="发出督办（监察人员）：针对办件、预警或部门，附要求和期限",
)
def issue_order(request: HttpRequest, payload: OrderIn):
    case = department = warning = None
    if payload.warning:
        warning = _warning_or_404(request, payload.warning)
    elif payload.case:
        case = case_access.case_for(request.user, payload.case)
        if case is None:
            raise Http404
    elif payload.department:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise Http404
    order = services.issue_order(
        request.user,
        instruction=payload.instruction,
        due_date=payload.due_date,
        case=case,
        department=department,
        warning=warning,
    )
    return Status(201, queries.order_view(order, request.user))


@router.post(
    "/supervision/orders/{order_id}/report",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="被督办部门反馈办理情况",
)
def report_order(request: HttpRequest, order_id: RowId, payload: ReportIn):
    order = access.visible_orders(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return queries.order_view(services.report_order(request.user, order, payload.report), request.user)


@router.get(
    "/supervision/overview", auth=signed_in, response=dict[str, Any], summary="监察概况：亮灯数、待说明、督办"
)
def overview(request: HttpRequest):
    return queries.dashboard(request.user)


@router.get(
    "/supervision/grades",
    auth=signed_in,
    response=dict[str, Any],
    summary="部门季度评分：按红黄牌（每百件）、逾期未说明扣分，A ≥ 90，B ≥ 75，C ≥ 60",
)
def grades(request: HttpRequest, filters: Query[GradeQuery]):
    quarter = filters.quarter or rules.quarter_of(clock.today())
    return {
        "quarter": quarter,
        "definition": _(
            "满分 100：每百件办件每张红牌扣 2 分、每张黄牌扣 0.5 分，每条逾期未说明的预警扣 1 分。"
        ),
        "results": queries.grades(request.user, quarter),
    }


@router.get("/supervision/rules", auth=signed_in, response=list[dict[str, Any]], summary="监察规则及其设置")
def list_rules(request: HttpRequest):
    return queries.rule_rows()


@router.put(
    "/supervision/rules/{code}",
    auth=signed_in,
    response={200: list[dict[str, Any]], **answers(403)},
    summary="设置监察规则：启用、参数（平台管理员）",
)
def set_rule(request: HttpRequest, code: str, payload: RuleIn):
    if code not in rules.RULES:
        raise Http404
    services.configure(request.user, code, enabled=payload.enabled, params=payload.params)
    return queries.rule_rows()
