"""Turning a year's official schedule (holiday periods and make-up working days) into days.

Pure functions: they take the adjustments and give the days, so the library seed, the admin, the
import command and the tests all build a year the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.core.workdays import DayInfo

HOLIDAY, MAKEUP = "holiday", "makeup"

# chinesecalendar names holidays in English; the platform shows the official Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    kind: str  # HOLIDAY or MAKEUP
    name: str
    start: dt.date
    end: dt.date


def validate_adjustments(year: int, adjustments: Iterable[Adjustment]) -> list[Adjustment]:
    """Check that every adjustment lies in `year`, is ordered and does not contradict another."""
    result = sorted(adjustments, key=lambda a: (a.start, a.kind))
    seen: dict[dt.date, str] = {}
    for adj in result:
        if adj.kind not in (HOLIDAY, MAKEUP):
            raise ValidationError(
                _("类型只能是 holiday（节假日）或 makeup（调休上班）。"), code="calendar_kind"
            )
        if adj.end < adj.start:
            raise ValidationError(
                _("%(name)s：结束日期 %(end)s 早于开始日期 %(start)s。")
                % {"name": adj.name, "start": adj.start, "end": adj.end},
                code="calendar_range",
            )
        if adj.start.year != year or adj.end.year != year:
            raise ValidationError(
                _("%(name)s 的日期 %(start)s–%(end)s 不在 %(year)s 年内。")
                % {"name": adj.name, "start": adj.start, "end": adj.end, "year": year},
                code="calendar_year",
            )
        day = adj.start
        while day <= adj.end:
            if day in seen and seen[day] != adj.kind:
                raise ValidationError(
                    _("%(date)s 既被设为节假日又被设为调休上班。") % {"date": day}, code="calendar_conflict"
                )
            seen[day] = adj.kind
            day += dt.timedelta(days=1)
    return result


def build_year(year: int, adjustments: Iterable[Adjustment]) -> list[DayInfo]:
    """Every day of `year`: weekends off, holiday periods off, make-up days on."""
    holiday: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for adj in validate_adjustments(year, adjustments):
        target = holiday if adj.kind == HOLIDAY else makeup
        day = adj.start
        while day <= adj.end:
            target[day] = adj.name
            day += dt.timedelta(days=1)
    days = []
    day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    while day <= end:
        if day in makeup:
            days.append(DayInfo(day, True, makeup[day], True))
        elif day in holiday:
            days.append(DayInfo(day, False, holiday[day], False))
        else:
            days.append(DayInfo(day, day.weekday() < 5))
        day += dt.timedelta(days=1)
    return days


def library_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays})


def library_adjustments(year: int) -> list[Adjustment]:
    """The official schedule of `year` as chinesecalendar records it, as contiguous periods."""
    from chinese_calendar import constants

    result: list[Adjustment] = []
    for kind, table in ((HOLIDAY, constants.holidays), (MAKEUP, constants.workdays)):
        days = sorted((d, HOLIDAY_NAMES_ZH.get(n, n)) for d, n in table.items() if d.year == year)
        for day, name in days:
            last = result[-1] if result else None
            if (
                last is not None
                and last.kind == kind
                and last.name == name
                and last.end + dt.timedelta(days=1) == day
            ):
                result[-1] = Adjustment(kind, name, last.start, day)
            else:
                result.append(Adjustment(kind, name, day, day))
    return result


def parse_schedule_csv(text: str) -> dict[int, list[Adjustment]]:
    """Parse `kind,name,start,end` rows (end optional; kind holiday|makeup, or 节假日|调休上班).

    Raises ValidationError naming the line of the first bad row.
    """
    import csv
    import io

    kinds = {
        "holiday": HOLIDAY,
        "节假日": HOLIDAY,
        "休": HOLIDAY,
        "makeup": MAKEUP,
        "调休上班": MAKEUP,
        "班": MAKEUP,
    }
    years: dict[int, list[Adjustment]] = {}
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if lineno == 1 and row[0].strip().lower() in {"kind", "类型"}:
            continue
        try:
            kind = kinds[row[0].strip()]
            name = row[1].strip()
            start = dt.date.fromisoformat(row[2].strip())
            end = dt.date.fromisoformat(row[3].strip()) if len(row) > 3 and row[3].strip() else start
        except (KeyError, IndexError, ValueError):
            raise ValidationError(
                _("第 %(line)s 行格式不正确，应为：类型(holiday/makeup),名称,开始日期(YYYY-MM-DD),结束日期")
                % {"line": lineno},
                code="calendar_csv",
            ) from None
        years.setdefault(start.year, []).append(Adjustment(kind, name, start, end))
    for year, adjustments in years.items():
        validate_adjustments(year, adjustments)
    return years
