"""Entering a year's schedule: pure building and parsing, and the service that stores it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yiwang.core import calendar_schedule as cs
from yiwang.core import services, workdays
from yiwang.core.models import CalendarAdjustment, CalendarDay, CalendarYear
from yiwang.core.workdays import YearNotInCalendar

D = dt.date

# A made-up 2027: New Year 01-01..01-03 off, 01-04 Monday; a make-up Saturday 2027-01-09 and a
# mid-week holiday 2027-01-13..01-14.
SCHEDULE_2027 = [
    cs.Adjustment(cs.HOLIDAY, "元旦", D(2027, 1, 1), D(2027, 1, 3)),
    cs.Adjustment(cs.MAKEUP, "测试调休", D(2027, 1, 9), D(2027, 1, 9)),
    cs.Adjustment(cs.HOLIDAY, "测试假日", D(2027, 1, 13), D(2027, 1, 14)),
]


# --- Pure: building a year ----------------------------------------------------------------------
def test_build_year_has_every_day_once():
    days = cs.build_year(2027, SCHEDULE_2027)
    assert len(days) == 365
    assert [d.date for d in days] == sorted({d.date for d in days})
    by_date = {d.date: d for d in days}
    assert not by_date[D(2027, 1, 1)].is_workday and by_date[D(2027, 1, 1)].holiday_name == "元旦"
    assert by_date[D(2027, 1, 9)].is_workday and by_date[D(2027, 1, 9)].is_makeup_workday
    assert not by_date[D(2027, 1, 13)].is_workday
    assert by_date[D(2027, 1, 12)].is_workday and not by_date[D(2027, 1, 12)].is_makeup_workday
    assert not by_date[D(2027, 1, 10)].is_workday  # an ordinary Sunday
    assert len(cs.build_year(2028, [])) == 366


def test_library_2026_matches_the_official_schedule():
    adjustments = cs.library_adjustments(2026)
    spring = [a for a in adjustments if a.kind == cs.HOLIDAY and a.name == "春节"]
    assert [(a.start, a.end) for a in spring] == [(D(2026, 2, 15), D(2026, 2, 23))]
    national = [a for a in adjustments if a.kind == cs.HOLIDAY and a.name == "国庆节"]
    assert national and national[0].start == D(2026, 10, 1) and national[-1].end >= D(2026, 10, 7)
    makeups = {a.start for a in adjustments if a.kind == cs.MAKEUP}
    assert {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    } <= makeups


@pytest.mark.parametrize(
    ("adjustments", "code", "words"),
    [
        (
            [
                cs.Adjustment(cs.HOLIDAY, "甲", D(2027, 5, 1), D(2027, 5, 3)),
                cs.Adjustment(cs.MAKEUP, "乙", D(2027, 5, 2), D(2027, 5, 2)),
            ],
            "calendar_conflict",
            "2027-05-02",
        ),
        ([cs.Adjustment(cs.HOLIDAY, "跨年", D(2026, 12, 31), D(2027, 1, 2))], "calendar_year", "2027"),
        ([cs.Adjustment(cs.MAKEUP, "上年", D(2026, 12, 27), D(2026, 12, 27))], "calendar_year", "上年"),
        ([cs.Adjustment(cs.HOLIDAY, "倒序", D(2027, 5, 3), D(2027, 5, 1))], "calendar_range", "倒序"),
        ([cs.Adjustment("vacation", "错类", D(2027, 5, 3), D(2027, 5, 3))], "calendar_kind", "holiday"),
    ],
)
def test_bad_adjustments_are_refused_with_clear_messages(adjustments, code, words):
    with pytest.raises(ValidationError) as info:
        cs.validate_adjustments(2027, adjustments)
    assert info.value.code == code
    assert words in info.value.messages[0]


def test_overlapping_holidays_of_the_same_kind_are_fine():
    result = cs.validate_adjustments(
        2027,
        [
            cs.Adjustment(cs.HOLIDAY, "乙", D(2027, 5, 2), D(2027, 5, 5)),
            cs.Adjustment(cs.HOLIDAY, "甲", D(2027, 5, 1), D(2027, 5, 3)),
        ],
    )
    assert [a.name for a in result] == ["甲", "乙"]


# --- Pure: parsing CSV -------------------------------------------------------------------------
def test_parse_good_csv():
    text = (
        "kind,name,start,end\n"
        "holiday,元旦,2027-01-01,2027-01-03\n"
        "\n"
        "# comment line\n"
        "调休上班,春节,2027-02-06,\n"
        "休,春节,2027-02-10,2027-02-16\n"
        "班,国庆节,2027-10-09\n"
        "makeup,跨年示例,2028-01-02, \n"
    )
    years = cs.parse_schedule_csv(text)
    assert set(years) == {2027, 2028}
    assert years[2027][0] == cs.Adjustment(cs.HOLIDAY, "元旦", D(2027, 1, 1), D(2027, 1, 3))
    assert cs.Adjustment(cs.MAKEUP, "春节", D(2027, 2, 6), D(2027, 2, 6)) in years[2027]
    assert cs.Adjustment(cs.HOLIDAY, "春节", D(2027, 2, 10), D(2027, 2, 16)) in years[2027]
    assert cs.Adjustment(cs.MAKEUP, "国庆节", D(2027, 10, 9), D(2027, 10, 9)) in years[2027]
    assert years[2028] == [cs.Adjustment(cs.MAKEUP, "跨年示例", D(2028, 1, 2), D(2028, 1, 2))]


def test_chinese_header_is_skipped():
    assert cs.parse_schedule_csv("类型,名称,开始,结束\n节假日,元旦,2027-01-01,2027-01-01\n")[2027]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("kind,name,start,end\nholiday,元旦,2027-01-01\nfestival,元旦,2027-01-01\n", 3),
        ("holiday,元旦,2027-02-30\n", 1),
        ("holiday,元旦,2027/01/01\n", 1),
        ("holiday,元旦\n", 1),
        ("holiday,元旦,2027-01-01,2027-01-03\n\nmakeup,春节,2027-02-06,tomorrow\n", 3),
        ("holiday\n", 1),
    ],
)
def test_bad_csv_rows_name_their_line(text, line):
    with pytest.raises(ValidationError) as info:
        cs.parse_schedule_csv(text)
    assert info.value.code == "calendar_csv"
    assert f"第 {line} 行" in info.value.messages[0]


def test_csv_contradiction_is_refused():
    with pytest.raises(ValidationError) as info:
        cs.parse_schedule_csv("holiday,春节,2027-02-10,2027-02-16\nmakeup,春节,2027-02-13\n")
    assert info.value.code == "calendar_conflict"


def test_empty_csv_is_no_years():
    assert cs.parse_schedule_csv("") == {}
    assert cs.parse_schedule_csv("kind,name,start,end\n") == {}


# --- The service ---------------------------------------------------------------------------------
def test_entering_2027_makes_it_computable(workday_calendar):
    with pytest.raises(YearNotInCalendar):
        workdays.add_workdays(D(2026, 12, 31), 1)
    cached_before = workdays.current_calendar()
    cal_year = services.save_year_schedule(2027, SCHEDULE_2027, notice="国办发明电〔2026〕X号")
    assert cal_year.source == CalendarYear.Source.ADMIN
    assert CalendarAdjustment.objects.filter(calendar_year=cal_year).count() == 3
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    # The cached calendar notices the new year without a restart.
    assert workdays.current_calendar() is not cached_before
    assert workdays.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert workdays.add_workdays(D(2027, 1, 8), 1) == D(2027, 1, 9)  # make-up Saturday
    assert workdays.add_workdays(D(2027, 1, 12), 1) == D(2027, 1, 15)  # over the mid-week holiday
    assert workdays.workdays_between(D(2026, 12, 30), D(2027, 1, 15)) == 1 + 5 + 1 + 2 + 1
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)  # earlier years untouched
    with pytest.raises(YearNotInCalendar) as info:
        workdays.add_workdays(D(2027, 12, 31), 1)
    assert info.value.year == 2028
    # The stored ordinals continue across the new year boundary.
    last_2026 = CalendarDay.objects.get(date=D(2026, 12, 31)).workday_ordinal
    assert CalendarDay.objects.get(date=D(2027, 1, 4)).workday_ordinal == last_2026 + 1


def test_save_runs_the_invalidation_on_commit(workday_calendar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.save_year_schedule(2027, SCHEDULE_2027)
    assert workdays.invalidate in callbacks
    assert workdays.is_workday(D(2027, 1, 9))


def test_replacing_a_year_renumbers_the_following_years(workday_calendar):
    services.save_year_schedule(2027, SCHEDULE_2027)
    before = CalendarDay.objects.get(date=D(2027, 12, 31)).workday_ordinal
    # Make 2026-12-28..12-31 (Mon..Thu) holidays: 4 fewer working days before 2027.
    adjustments = [
        *cs.library_adjustments(2026),
        cs.Adjustment(cs.HOLIDAY, "测试", D(2026, 12, 28), D(2026, 12, 31)),
    ]
    services.save_year_schedule(2026, adjustments)
    assert CalendarDay.objects.get(date=D(2027, 12, 31)).workday_ordinal == before - 4
    assert workdays.add_workdays(D(2026, 12, 25), 1) == D(2027, 1, 4)
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.ADMIN


def test_a_year_after_a_gap_is_usable_but_the_gap_is_not(workday_calendar):
    services.save_year_schedule(2028, [])
    assert workdays.add_workdays(D(2028, 3, 1), 1) == D(2028, 3, 2)
    with pytest.raises(YearNotInCalendar) as info:
        workdays.add_workdays(D(2026, 12, 31), 10)
    assert info.value.year == 2027
    with pytest.raises(YearNotInCalendar) as info:
        workdays.workdays_between(D(2026, 6, 1), D(2028, 6, 1))
    assert info.value.year == 2027
    # Filling the gap later makes the whole range computable.
    services.save_year_schedule(2027, SCHEDULE_2027)
    assert workdays.workdays_between(D(2026, 12, 31), D(2028, 1, 3)) > 240
    days = CalendarDay.objects.filter(date__range=(D(2026, 12, 31), D(2028, 1, 3)))
    ordinals = dict(days.values_list("date", "workday_ordinal"))
    assert ordinals[D(2028, 1, 3)] - ordinals[D(2026, 12, 31)] == workdays.workdays_between(
        D(2026, 12, 31), D(2028, 1, 3)
    )


@pytest.mark.parametrize(
    "adjustments",
    [
        [
            cs.Adjustment(cs.HOLIDAY, "甲", D(2027, 5, 1), D(2027, 5, 3)),
            cs.Adjustment(cs.MAKEUP, "乙", D(2027, 5, 3), D(2027, 5, 3)),
        ],
        [cs.Adjustment(cs.HOLIDAY, "跨年", D(2027, 12, 31), D(2028, 1, 1))],
    ],
)
def test_refused_schedule_changes_nothing(workday_calendar, adjustments):
    with pytest.raises(ValidationError):
        services.save_year_schedule(2027, adjustments)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(YearNotInCalendar):
        workdays.add_workdays(D(2027, 3, 1), 1)


def test_regenerate_year_from_stored_adjustments(workday_calendar):
    cal_year = services.save_year_schedule(2027, SCHEDULE_2027)
    cal_year.adjustments.filter(name="测试假日").delete()
    services.regenerate_year(cal_year)
    assert workdays.is_workday(D(2027, 1, 13))
    assert CalendarDay.objects.get(date=D(2027, 1, 13)).is_workday


def test_import_calendar_command(workday_calendar, tmp_path):
    from django.core.management import CommandError, call_command

    csv_file = tmp_path / "2027.csv"
    csv_file.write_text("\ufeffkind,name,start,end\nholiday,元旦,2027-01-01,2027-01-03\n", encoding="utf-8")
    call_command("import_calendar", str(csv_file), notice="test")
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.IMPORT
    assert not workdays.is_workday(D(2027, 1, 1))
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_calendar", str(csv_file))
    bad = tmp_path / "bad.csv"
    bad.write_text("holiday,元旦,2027-13-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("import_calendar", str(bad), "--replace")
