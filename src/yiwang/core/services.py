"""State changes of the core domain: divisions, departments, and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.core import calendar_schedule, outbox, workdays
from yiwang.core.identifiers import (
    division_level,
    division_parent_code,
    normalise_division_code,
    validate_uscc,
)
from yiwang.core.models import (
    CalendarAdjustment,
    CalendarDay,
    CalendarYear,
    Department,
    DepartmentNature,
    Division,
)

# --- Divisions and departments --------------------------------------------------------------


def create_division(code: str, name: str) -> Division:
    """Create a division under its parent, which must already exist (except for a province)."""
    code12 = normalise_division_code(code)
    try:
        level = division_level(code12)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    if not name.strip():
        raise ValidationError({"name": [_("请填写区划名称。")]})
    parent = None
    parent_code = division_parent_code(code12)
    if parent_code is not None:
        parent = Division.objects.filter(code=parent_code).first()
        if parent is None:
            raise ValidationError(
                {"code": [_("上级区划 %(parent)s 不存在，请先建立上级区划。") % {"parent": parent_code}]}
            )
    if Division.objects.filter(code=code12).exists():
        raise ValidationError({"code": [_("区划代码 %(code)s 已存在。") % {"code": code12}]})
    return Division.objects.create(code=code12, name=name.strip(), level=level, parent=parent)


def get_division_by_code(code: str) -> Division:
    """The division with this 6- or 12-digit code, or a ValidationError naming `division`."""
    code12 = normalise_division_code(code)
    division = Division.objects.filter(code=code12).first()
    if division is None:
        raise ValidationError({"division": [_("未知的区划代码：%(code)s。") % {"code": code}]})
    return division


def create_department(
    *,
    name: str,
    uscc: str,
    division: Division | str,
    nature: str = DepartmentNature.ADMINISTRATIVE,
    parent: Department | None = None,
    short_name: str = "",
    phone: str = "",
    address: str = "",
) -> Department:
    errors: dict[str, list[str]] = {}
    if isinstance(division, str):
        try:
            division = get_division_by_code(division)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages
    else:
        if Department.objects.filter(uscc=uscc).exists():
            errors["uscc"] = [_("统一社会信用代码 %(uscc)s 已被其他部门使用。") % {"uscc": uscc}]
    if not name.strip():
        errors["name"] = [_("请填写部门名称。")]
    if nature not in DepartmentNature.values:
        errors["nature"] = [_("实施主体性质不正确。")]
    if errors:
        raise ValidationError(errors)
    assert isinstance(division, Division)
    if Department.objects.filter(division=division, name=name.strip()).exists():
        raise ValidationError({"name": [_("该区划下已有同名部门。")]})
    return Department.objects.create(
        name=name.strip(),
        short_name=short_name,
        uscc=uscc,
        division=division,
        nature=nature,
        parent=parent,
        phone=phone,
        address=address,
    )


# --- Working-day calendar -------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def save_year_schedule(
    year: int,
    adjustments: Iterable[calendar_schedule.Adjustment],
    *,
    source: str = CalendarYear.Source.ADMIN,
    notice: str = "",
) -> CalendarYear:
    """Enter (or replace) one year's official schedule and regenerate its days and ordinals."""
    adjustments = calendar_schedule.validate_adjustments(year, adjustments)
    days = calendar_schedule.build_year(year, adjustments)
    cal_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "notice": notice}
    )
    cal_year.adjustments.all().delete()
    CalendarAdjustment.objects.bulk_create(
        CalendarAdjustment(calendar_year=cal_year, kind=a.kind, name=a.name, start=a.start, end=a.end)
        for a in adjustments
    )
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=d.date,
            is_workday=d.is_workday,
            holiday_name=d.holiday_name,
            is_makeup_workday=d.is_makeup_workday,
            workday_ordinal=0,
        )
        for d in days
    )
    renumber_workdays(from_date=dt.date(year, 1, 1))
    transaction.on_commit(workdays.invalidate)
    # Deadlines computed provisionally for this year (cases) are recomputed by its subscriber.
    outbox.publish("calendar.year_entered", {"year": year})
    return cal_year


@transaction.atomic
def regenerate_year(cal_year: CalendarYear) -> None:
    """Rebuild a year's days from its stored adjustments (after an edit in the admin)."""
    adjustments = [
        calendar_schedule.Adjustment(a.kind, a.name, a.start, a.end) for a in cal_year.adjustments.all()
    ]
    save_year_schedule(cal_year.year, adjustments, source=cal_year.source, notice=cal_year.notice)


def renumber_workdays(from_date: dt.date) -> None:
    """Recompute the cumulative working-day ordinal of every day on or after `from_date`."""
    before = (
        CalendarDay.objects.filter(date__lt=from_date)
        .order_by("-date")
        .values_list("workday_ordinal", flat=True)
    ).first() or 0
    count = before
    changed = []
    for day in (
        CalendarDay.objects.filter(date__gte=from_date)
        .order_by("date")
        .only("date", "is_workday", "workday_ordinal")
    ):
        if day.is_workday:
            count += 1
        if day.workday_ordinal != count:
            day.workday_ordinal = count
            changed.append(day)
    CalendarDay.objects.bulk_update(changed, ["workday_ordinal"], batch_size=2000)


def seed_calendar_from_library(*, overwrite: bool = False) -> list[int]:
    """Load every year chinesecalendar knows; keep years an administrator entered unless told."""
    loaded = []
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    for year in calendar_schedule.library_years():
        if year in existing and not overwrite:
            continue
        save_year_schedule(
            year,
            calendar_schedule.library_adjustments(year),
            source=CalendarYear.Source.LIBRARY,
            notice="chinesecalendar",
        )
        loaded.append(year)
    return loaded


def ensure_calendar() -> None:
    """Seed the calendar if the table is empty (fresh database or a flushed test database)."""
    if not CalendarYear.objects.exists():
        seed_calendar_from_library()
