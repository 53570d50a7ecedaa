"""Statutory deadlines on the working-day calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.cases import deadlines
from yiwang.core import calendar_schedule
from yiwang.core.workdays import WorkdayCalendar


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    days = []
    for year in (2025, 2026):
        days += [
            (d.date, d.is_workday)
            for d in calendar_schedule.build_year(year, calendar_schedule.library_adjustments(year))
        ]
    return WorkdayCalendar(days)


def test_acceptance_is_due_five_working_days_after_submission_across_national_day(cal):
    # 10-01..10-07 off; 10-10 (a Saturday) is a make-up working day.
    assert deadlines.acceptance_due(cal, dt.date(2026, 9, 30)) == dt.date(2026, 10, 13)


def test_delivery_ten_working_days_after_decision_across_spring_festival(cal):
    # 02-14 and 02-28 are make-up Saturdays; 02-15..02-23 off.
    # 02-13, 02-14, then 02-24..02-28, 03-02, 03-03, 03-04.
    assert deadlines.delivery_due(cal, dt.date(2026, 2, 12)) == dt.date(2026, 3, 4)


def test_suspension_and_extension_push_the_decision_due_date(cal):
    clock = deadlines.DecisionClock(accepted_on=dt.date(2026, 3, 2), limit_workdays=20)
    base = clock.due(cal)
    paused = deadlines.paused_workdays(cal, dt.date(2026, 3, 5), dt.date(2026, 3, 12))
    assert paused == 5
    later = deadlines.DecisionClock(dt.date(2026, 3, 2), 20, paused_workdays=paused, extension_workdays=10)
    assert cal.workdays_between(base, later.due(cal)) == 15
    assert clock.remaining(cal, dt.date(2026, 3, 2)) == 20
    assert clock.remaining(cal, base) == 0


def test_extensions_stay_within_the_legal_ten_days():
    deadlines.check_extension(4, already_extended=6)
    with pytest.raises(ValueError):
        deadlines.check_extension(5, already_extended=6)
    with pytest.raises(ValueError):
        deadlines.check_extension(0, already_extended=0)


@given(
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 6, 30)),
    limit=st.integers(min_value=1, max_value=60),
    paused=st.integers(min_value=0, max_value=20),
    warn=st.integers(min_value=0, max_value=10),
)
def test_due_dates_are_working_days_and_warnings_come_first(cal, start, limit, paused, warn):
    clock = deadlines.DecisionClock(start, limit, paused_workdays=paused)
    due = clock.due(cal)
    assert cal.is_workday(due)
    assert cal.workdays_between(start, due) == limit + paused
    assert start <= deadlines.warn_from(cal, due, start, warn) <= due
    assert due >= deadlines.DecisionClock(start, limit).due(cal)
