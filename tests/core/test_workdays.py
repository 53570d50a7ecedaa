"""Working-day arithmetic: the pure calendar, and the calendar seeded from chinesecalendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.core import workdays
from yiwang.core.workdays import WorkdayCalendar, YearNotInCalendar

D = dt.date
FIRST_KNOWN, LAST_KNOWN = D(2004, 1, 1), D(2026, 12, 31)

# Function-scoped fixtures are fine here: the calendar object is immutable.
calendar_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
known_dates = st.dates(min_value=FIRST_KNOWN, max_value=LAST_KNOWN)


def weekdays_only(start: dt.date, end: dt.date) -> list[tuple[dt.date, bool]]:
    days, day = [], start
    while day <= end:
        days.append((day, day.weekday() < 5))
        day += dt.timedelta(days=1)
    return days


# --- Pure unit tests --------------------------------------------------------------------------
class TestPureCalendar:
    def test_plain_weeks(self):
        cal = WorkdayCalendar(weekdays_only(D(2030, 1, 1), D(2030, 12, 31)))
        assert cal.add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Friday → Monday
        assert cal.add_workdays(D(2030, 1, 5), 1) == D(2030, 1, 7)  # Saturday → Monday
        assert cal.add_workdays(D(2030, 1, 5), 0) == D(2030, 1, 5)
        assert cal.add_workdays(D(2030, 1, 1), 5) == D(2030, 1, 8)
        assert cal.workdays_between(D(2030, 1, 4), D(2030, 1, 7)) == 1
        assert cal.workdays_between(D(2030, 1, 7), D(2030, 1, 4)) == -1
        assert cal.is_workday(D(2030, 1, 1)) and not cal.is_workday(D(2030, 1, 5))
        assert cal.next_workday(D(2030, 1, 5)) == D(2030, 1, 7)
        assert cal.workday_on_or_after(D(2030, 1, 5)) == D(2030, 1, 7)
        assert cal.workday_on_or_after(D(2030, 1, 7)) == D(2030, 1, 7)

    def test_negative_n_is_refused(self):
        cal = WorkdayCalendar(weekdays_only(D(2030, 1, 1), D(2030, 12, 31)))
        with pytest.raises(ValueError):
            cal.add_workdays(D(2030, 1, 1), -1)

    def test_empty_calendar_knows_nothing(self):
        cal = WorkdayCalendar([])
        with pytest.raises(YearNotInCalendar) as info:
            cal.add_workdays(D(2030, 1, 1), 1)
        assert info.value.year == 2030

    def test_first_day_of_the_calendar_is_a_workday(self):
        cal = WorkdayCalendar(weekdays_only(D(2030, 1, 1), D(2030, 1, 31)))  # a Tuesday
        assert cal.is_workday(D(2030, 1, 1))
        assert cal.workdays_between(D(2030, 1, 1), D(2030, 1, 1)) == 0

    def test_gap_year_in_the_middle(self):
        """2030 and 2032 known, 2031 not: nothing may be computed across 2031."""
        days = weekdays_only(D(2030, 1, 1), D(2030, 12, 31)) + weekdays_only(D(2032, 1, 1), D(2032, 12, 31))
        cal = WorkdayCalendar(days)
        # Within each known year everything works.
        assert cal.add_workdays(D(2030, 12, 20), 3) == D(2030, 12, 25)
        assert cal.add_workdays(D(2032, 1, 1), 1) == D(2032, 1, 2)
        assert cal.workdays_between(D(2032, 1, 2), D(2032, 1, 5)) == 1
        # Crossing the gap names the missing year, whichever way we go.
        with pytest.raises(YearNotInCalendar) as info:
            cal.add_workdays(D(2030, 12, 30), 5)
        assert info.value.year == 2031
        with pytest.raises(YearNotInCalendar) as info:
            cal.add_workdays(D(2030, 12, 31), 1)
        assert info.value.year == 2031
        with pytest.raises(YearNotInCalendar) as info:
            cal.workdays_between(D(2030, 6, 1), D(2032, 6, 1))
        assert info.value.year == 2031
        with pytest.raises(YearNotInCalendar) as info:
            cal.workdays_between(D(2032, 6, 1), D(2030, 6, 1))
        assert info.value.year == 2031
        # A day inside the gap is unknown.
        for probe in (D(2031, 1, 1), D(2031, 7, 1), D(2031, 12, 31)):
            with pytest.raises(YearNotInCalendar) as info:
                cal.is_workday(probe)
            assert info.value.year == 2031
        # After the last known day.
        with pytest.raises(YearNotInCalendar) as info:
            cal.add_workdays(D(2032, 12, 31), 1)
        assert info.value.year == 2033
        with pytest.raises(YearNotInCalendar) as info:
            cal.add_workdays(D(2029, 12, 31), 1)
        assert info.value.year == 2029

    def test_makeup_day_and_holiday(self):
        days = dict(weekdays_only(D(2030, 1, 1), D(2030, 1, 31)))
        days[D(2030, 1, 5)] = True  # a make-up Saturday
        days[D(2030, 1, 7)] = days[D(2030, 1, 8)] = False  # a two-day holiday
        cal = WorkdayCalendar(days.items())
        assert cal.add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 5)
        assert cal.add_workdays(D(2030, 1, 4), 2) == D(2030, 1, 9)
        assert cal.workdays_between(D(2030, 1, 4), D(2030, 1, 9)) == 2

    @given(
        st.sets(st.dates(min_value=D(2030, 1, 1), max_value=D(2030, 3, 31)), max_size=40),
        st.dates(min_value=D(2030, 1, 1), max_value=D(2030, 3, 31)),
        st.integers(0, 70),
    )
    def test_matches_a_day_by_day_count(self, off_days, start, n):
        """Against the obvious slow algorithm, for arbitrary holiday patterns."""
        days = [
            (d, d.weekday() < 5 and d not in off_days)
            for d, _w in weekdays_only(D(2030, 1, 1), D(2030, 3, 31))
        ]
        cal = WorkdayCalendar(days)
        lookup = dict(days)
        expected, day, left = None, start, n
        if n == 0:
            expected = start
        while expected is None:
            day += dt.timedelta(days=1)
            if day not in lookup:
                break
            if lookup[day]:
                left -= 1
                if left == 0:
                    expected = day
        if expected is None:
            with pytest.raises(YearNotInCalendar):
                cal.add_workdays(start, n)
        else:
            assert cal.add_workdays(start, n) == expected
            assert cal.workdays_between(start, expected) == n


# --- The seeded calendar ---------------------------------------------------------------------
@calendar_settings
@given(start=known_dates, n=st.integers(0, 300))
def test_add_then_count_is_identity(workday_calendar, start, n):
    try:
        due = workday_calendar.add_workdays(start, n)
    except YearNotInCalendar as exc:
        # Only a deadline that really runs past the last known year may fail, naming 2027.
        assert exc.year == 2027
        assert workday_calendar.workdays_between(start, LAST_KNOWN) < n
        return
    assert workday_calendar.workdays_between(start, due) == n
    assert due >= start
    if n > 0:
        assert due > start
        assert workday_calendar.is_workday(due)
        # No earlier day after start already had n working days.
        assert workday_calendar.workdays_between(start, due - dt.timedelta(days=1)) == n - 1


@calendar_settings
@given(start=st.dates(min_value=FIRST_KNOWN, max_value=D(2025, 12, 31)), n=st.integers(0, 200))
def test_add_workdays_is_strictly_monotonic(workday_calendar, start, n):
    assert workday_calendar.add_workdays(start, n) < workday_calendar.add_workdays(start, n + 1)


@calendar_settings
@given(day=st.dates(min_value=FIRST_KNOWN, max_value=D(2026, 12, 20)))
def test_next_workday_is_the_first_working_day_after(workday_calendar, day):
    nxt = workday_calendar.next_workday(day)
    assert nxt > day and workday_calendar.is_workday(nxt)
    probe = day + dt.timedelta(days=1)
    while probe < nxt:
        assert not workday_calendar.is_workday(probe)
        probe += dt.timedelta(days=1)


@calendar_settings
@given(a=known_dates, b=known_dates, c=known_dates)
def test_workdays_between_is_additive(workday_calendar, a, b, c):
    between = workday_calendar.workdays_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(a, b) == -between(b, a)


@calendar_settings
@given(start=known_dates, n=st.integers(0, 60))
def test_module_functions_use_the_stored_calendar(workday_calendar, start, n):
    try:
        expected = workday_calendar.add_workdays(start, n)
    except YearNotInCalendar:
        with pytest.raises(YearNotInCalendar):
            workdays.add_workdays(start, n)
        return
    assert workdays.add_workdays(start, n) == expected


@pytest.mark.parametrize(
    "day", [D(2026, 2, 14), D(2026, 2, 28), D(2026, 1, 4), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
)
def test_2026_makeup_days_are_working_days(workday_calendar, day):
    assert day.weekday() >= 5  # they really are weekend days
    assert workday_calendar.is_workday(day)
    assert workdays.is_workday(day)


def test_2026_spring_festival_and_national_day_are_off(workday_calendar):
    for start, end in ((D(2026, 2, 15), D(2026, 2, 23)), (D(2026, 10, 1), D(2026, 10, 7))):
        day = start
        while day <= end:
            assert not workday_calendar.is_workday(day), day
            day += dt.timedelta(days=1)
    assert workday_calendar.is_workday(D(2026, 2, 13))
    assert workday_calendar.is_workday(D(2026, 2, 24))
    assert workday_calendar.is_workday(D(2026, 10, 8))


def test_2026_concrete_deadlines(workday_calendar):
    assert workdays.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert workdays.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.next_workday(D(2026, 9, 19)) == D(2026, 9, 20)
    assert workdays.next_workday(D(2026, 10, 9)) == D(2026, 10, 10)
    assert workdays.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    # 20 working days from 2026-09-25 (Friday): 09-28..09-30 (3), 10-08..10-10 (3), then 14 more.
    assert workdays.add_workdays(D(2026, 9, 25), 20) == D(2026, 10, 29)


def test_stored_ordinals_agree_with_the_calendar(workday_calendar):
    """SQL code may use `workday_ordinal` directly: it must count like the Python calendar."""
    from yiwang.core.models import CalendarDay

    rows = dict(
        CalendarDay.objects.filter(date__range=(D(2025, 12, 1), D(2026, 12, 31))).values_list(
            "date", "workday_ordinal"
        )
    )
    base = D(2025, 12, 1)
    for day, ordinal in rows.items():
        assert ordinal - rows[base] == workday_calendar.workdays_between(base, day), day


def test_2027_is_not_known_yet(workday_calendar):
    with pytest.raises(YearNotInCalendar) as info:
        workdays.add_workdays(D(2027, 3, 1), 1)
    assert info.value.year == 2027
    assert "2027" in info.value.message
    with pytest.raises(YearNotInCalendar) as info:
        workdays.add_workdays(D(2026, 12, 20), 30)
    assert info.value.year == 2027
    with pytest.raises(YearNotInCalendar) as info:
        workdays.add_workdays(D(2026, 12, 31), 1)
    assert info.value.year == 2027
    with pytest.raises(YearNotInCalendar) as info:
        workdays.workdays_between(D(2026, 12, 1), D(2027, 1, 5))
    assert info.value.year == 2027
    with pytest.raises(YearNotInCalendar) as info:
        workdays.is_workday(D(2003, 6, 1))
    assert info.value.year == 2003
