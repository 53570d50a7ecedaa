"""统计分析: the overview of a period with the previous one beside it, the figures by one dimension
(division children, department, item, window, channel, month) and the Excel export. Every answer
carries each figure's definition. Sums over the daily aggregates, never over cases.

Supervisors and platform administrators see their division subtree, handling staff their
department; anyone else gets 403. An inverted or over-ten-year period, an unknown division,
department or dimension answers 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.cases.changes import NotYourAction
from yiwang.core.validation import RowId
from yiwang.stats import access, export, queries

router = Router(tags=["stats"])

Dimension = Literal["division", "department", "item", "window", "channel", "month"]


class StatsQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    division: str | None = Field(None, max_length=12, description="区划代码（6 位或 12 位）：该区划及下级")
    department: RowId | None = Field(None, description="部门编号")
    item: RowId | None = Field(None, description="实施清单事项编号（按部门下钻到事项时）")
    start: dt.date | None = Field(None, alias="from", description="起始日期（含），默认截止日期前 29 天")
    end: dt.date | None = Field(None, alias="to", description="截止日期（含），默认今天；区间不超过十年")


class ExportQuery(StatsQuery):
    dimension: Dimension = Field("department", description="分组维度")


def _filter(request: HttpRequest, q: StatsQuery) -> queries.Filter:
    if not access.may_view(request.user):
        raise NotYourAction(_("只有监察人员和办件部门的工作人员可以查看统计。"), [])
    return queries.make_filter(
        start=q.start, end=q.end, division=q.division, department=q.department, entry=q.item
    )


@router.get(
    "/stats/overview",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="统计概况：网办率、全程网办率、不见面率、即办率、最多跑一次率、就近办率、按时办结率、"
    "平均用时、评价率、满意率、差评整改率、申请完成率、数字化使用率、每件成本；附上一同长期间和口径",
)
def overview(request: HttpRequest, filters: Query[StatsQuery]):
    return queries.overview(request.user, _filter(request, filters))


@router.get(
    "/stats/by/{dimension}",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="按维度统计：division（下一级区划）、department、item、window（受理窗口）、channel、month",
)
def by_dimension(request: HttpRequest, dimension: Dimension, filters: Query[StatsQuery]):
    return queries.by(request.user, dimension, _filter(request, filters))


@router.get(
    "/stats/export.xlsx",
    auth=signed_in,
    response={200: None, **answers(403)},  # 200: the workbook itself
    summary="导出统计（Excel）：概况、按维度分组、口径",
)
def export_xlsx(request: HttpRequest, filters: Query[ExportQuery]):
    f = _filter(request, filters)
    response = HttpResponse(
        export.dumps_xlsx(request.user, filters.dimension, f), content_type=export.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(filters.dimension, f)}"'
    return response
