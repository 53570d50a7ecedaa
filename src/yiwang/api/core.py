"""Divisions, departments and the working-day calendar (public, read-only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.api.pagination import MAX_PAGE_SIZE, PageQuery, paginate
from yiwang.core import services, workdays
from yiwang.core.identifiers import normalise_division_code
from yiwang.core.models import Department, Division

router = Router(tags=["core"])


class DeadlineOut(Schema):
    start: dt.date
    workdays: int
    due: dt.date


class DeadlineQuery(Schema):
    start: dt.date = Field(description="起算日 YYYY-MM-DD（当日不计入）")
    workdays: int = Field(ge=0, le=3650, description="工作日数")


@router.get("/calendar/deadline", response=DeadlineOut, summary="按工作日计算期限")
def deadline(request: HttpRequest, query: Query[DeadlineQuery]):
    """The due date is the `workdays`-th working day after `start`, holidays and 调休 applied."""
    return {
        "start": query.start,
        "workdays": query.workdays,
        "due": workdays.add_workdays(query.start, query.workdays),
    }


class DayOut(Schema):
    date: dt.date
    is_workday: bool
    holiday_name: str
    is_makeup_workday: bool


class MonthQuery(Schema):
    # A pydantic Field as a plain parameter default is not enforced by django-ninja: a schema is.
    year: int = Field(ge=1900, le=2200)
    month: int = Field(ge=1, le=12)


@router.get("/calendar/days", response=list[DayOut], summary="某月的工作日安排")
def month_days(request: HttpRequest, query: Query[MonthQuery]):
    from yiwang.core.models import CalendarDay

    days = list(CalendarDay.objects.filter(date__year=query.year, date__month=query.month).order_by("date"))
    if not days:
        raise workdays.YearNotInCalendar(query.year)
    return days


class DivisionOut(Schema):
    code: str
    short_code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent.code")


class DivisionFilter(PageQuery):
    parent: str | None = Field(None, description="上级区划代码（6或12位），列出其直接下级")
    within: str | None = Field(None, description="区划代码，列出其下全部区划")
    level: int | None = Field(None, ge=1, le=5)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")


class DivisionPage(Schema):
    count: int
    results: list[DivisionOut]


@router.get("/divisions", response=DivisionPage, summary="行政区划")
def list_divisions(request: HttpRequest, filters: Query[DivisionFilter]):
    qs = Division.objects.select_related("parent").order_by("code")
    if filters.parent:
        qs = qs.filter(parent=services.get_division_by_code(filters.parent))
    if filters.within:
        qs = qs.filter(code__startswith=services.get_division_by_code(filters.within).prefix)
    if filters.level:
        qs = qs.filter(level=filters.level)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/divisions/{code}", response=DivisionOut, summary="一个行政区划")
def get_division(request: HttpRequest, code: str):
    code12 = normalise_division_code(code)
    if not (len(code12) == 12 and code12.isascii() and code12.isdigit()):
        raise Http404  # cannot exist; and a NUL in the path would make PostgreSQL fail
    return get_object_or_404(Division.objects.select_related("parent"), code=code12)


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    nature: str
    division_code: str = Field(alias="division.code")
    division_name: str = Field(alias="division.name")
    parent_id: int | None
    phone: str
    address: str


class DepartmentFilter(PageQuery):
    division: str | None = Field(None, description="区划代码：该区划及其下级的部门")
    q: str | None = Field(None, max_length=50)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")


class DepartmentPage(Schema):
    count: int
    results: list[DepartmentOut]


@router.get("/departments", response=DepartmentPage, summary="部门（实施主体）")
def list_departments(request: HttpRequest, filters: Query[DepartmentFilter]):
    qs = (
        Department.objects.filter(is_active=True)
        .select_related("division")
        .order_by("division__code", "name")
    )
    if filters.division:
        qs = qs.filter(division__code__startswith=services.get_division_by_code(filters.division).prefix)
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(short_name__icontains=filters.q) | Q(uscc=filters.q.upper())
        )
    return paginate(qs, filters.page, filters.page_size)


@router.get("/departments/{department_id}", response=DepartmentOut, summary="一个部门")
def get_department(request: HttpRequest, department_id: int):
    return get_object_or_404(Department.objects.select_related("division"), pk=department_id, is_active=True)
