"""Statutory deadlines of a case, in working days (行政许可法 arts. 32, 42, 44, 45, 82).

Pure functions over a `WorkdayCalendar`: the case services store their results as date columns
and recompute them on every change, so supervision reads indexed dates and never loops in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yiwang.core.workdays import WorkdayCalendar

ACCEPTANCE_WORKDAYS = 5  # art. 32: tell everything to correct, or accept, within 5 working days
DELIVERY_WORKDAYS = 10  # art. 44: issue and deliver the certificate within 10 working days
LEGAL_DECISION_WORKDAYS = 20  # art. 42: decide within 20 working days of acceptance (no shorter promise)
LEGAL_EXTENSION_WORKDAYS = 10  # art. 42: extension by the head of the body, at most 10 working days


@dataclass(frozen=True)
class DecisionClock:
    """The decision period: started on acceptance, stopped during correction and special
    procedures (`paused_workdays`), lengthened by approved extensions."""

    accepted_on: dt.date
    limit_workdays: int
    paused_workdays: int = 0
    extension_workdays: int = 0

    def due(self, calendar: WorkdayCalendar) -> dt.date:
        return calendar.add_workdays(
            self.accepted_on, self.limit_workdays + self.paused_workdays + self.extension_workdays
        )

    def remaining(self, calendar: WorkdayCalendar, today: dt.date) -> int:
        """Working days left until the due date (negative when overdue)."""
        return calendar.workdays_between(today, self.due(calendar))


def acceptance_due(calendar: WorkdayCalendar, submitted_on: dt.date) -> dt.date:
    return calendar.add_workdays(submitted_on, ACCEPTANCE_WORKDAYS)


def delivery_due(calendar: WorkdayCalendar, decided_on: dt.date) -> dt.date:
    return calendar.add_workdays(decided_on, DELIVERY_WORKDAYS)


def paused_workdays(calendar: WorkdayCalendar, paused_on: dt.date, resumed_on: dt.date) -> int:
    """Working days a suspension took: after the pause day, up to and including the resume day."""
    return max(calendar.workdays_between(paused_on, resumed_on), 0)


def warn_from(calendar: WorkdayCalendar, due: dt.date, clock_started: dt.date, warn_workdays: int) -> dt.date:
    """The day a yellow warning starts: `warn_workdays` before the due date, not before the start."""
    span = calendar.workdays_between(clock_started, due)
    return calendar.add_workdays(clock_started, max(span - warn_workdays, 0))


def check_extension(
    days: int, already_extended: int, legal_extension: int = LEGAL_EXTENSION_WORKDAYS
) -> None:
    """An extension must be positive and stay within the legal extension altogether."""
    if days <= 0:
        raise ValueError("an extension adds at least one working day")
    if already_extended + days > legal_extension:
        raise ValueError(f"extensions may add at most {legal_extension} working days in all")


WORKDAY_HOURS = 8


def decision_due(
    calendar: WorkdayCalendar,
    accepted_on: dt.date,
    limit: int,
    unit: str = "workday",
    paused: int = 0,
    extension: int = 0,
) -> dt.date:
    """The decision due date for a promised limit in its own unit.

    Natural days run on the calendar and a period ending on a rest day ends on the next working
    day; hours count 8 to a working day (up to 8 hours: the same day). Pauses and extensions are
    always working days (arts. 42, 45).
    """
    if unit == "natural_day":
        base = calendar.workday_on_or_after(accepted_on + dt.timedelta(days=limit))
    elif unit == "hour":
        base = calendar.add_workdays(accepted_on, -(-limit // WORKDAY_HOURS) if limit > WORKDAY_HOURS else 0)
    else:
        base = calendar.add_workdays(accepted_on, limit)
    return calendar.add_workdays(base, paused + extension)


@dataclass(frozen=True)
class Schedule:
    acceptance_due: dt.date | None
    decision_due: dt.date | None
    delivery_due: dt.date | None
    due_date: dt.date | None  # the deadline that runs now
    warn_from: dt.date | None
    provisional: bool = False


@dataclass(frozen=True)
class ClockInput:
    state: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    decided_on: dt.date | None
    limit: int
    unit: str
    paused: int
    extension: int


ACCEPTANCE_STATES = {"submitted"}
DECISION_STATES = {"accepted", "under_review"}
DELIVERY_STATES = {"approved", "refused", "completed"}


def schedule(calendar: WorkdayCalendar, clock: ClockInput, warn_workdays: int) -> Schedule:
    """Every due date of a case from its clock, and which one runs in its state.

    A paused clock (correction, special procedure) has no running deadline; the decision due date
    is kept as it stood and moves on when the clock resumes with the paused days added.
    """
    acceptance = acceptance_due(calendar, clock.submitted_on) if clock.submitted_on else None
    decision = (
        decision_due(calendar, clock.accepted_on, clock.limit, clock.unit, clock.paused, clock.extension)
        if clock.accepted_on
        else None
    )
    delivery = delivery_due(calendar, clock.decided_on) if clock.decided_on else None
    due = start = None
    if clock.state in ACCEPTANCE_STATES:
        due, start = acceptance, clock.submitted_on
    elif clock.state in DECISION_STATES:
        due, start = decision, clock.accepted_on
    elif clock.state in DELIVERY_STATES:
        due, start = delivery, clock.decided_on
    warn = warn_from(calendar, due, start, warn_workdays) if due and start else None
    return Schedule(acceptance, decision, delivery, due, warn)


_assumed: dict[int, tuple[WorkdayCalendar, WorkdayCalendar]] = {}


def schedule_or_provisional(calendar: WorkdayCalendar, clock: ClockInput, warn_workdays: int) -> Schedule:
    """`schedule`, or when a date falls in a year whose holidays are not entered yet, the schedule
    with that year's Mondays to Fridays taken as working days, marked provisional. Cases are never
    refused for want of next year's schedule; entering it recomputes the provisional ones."""
    from yiwang.core.workdays import YearNotInCalendar

    try:
        return schedule(calendar, clock, warn_workdays)
    except YearNotInCalendar:
        pass
    cached = _assumed.get(id(calendar))
    if cached is None or cached[0] is not calendar:
        horizon = dt.date.today() + dt.timedelta(days=3 * 366)
        cached = (calendar, calendar.with_weekdays_assumed(horizon))
        _assumed.clear()
        _assumed[id(calendar)] = cached
    s = schedule(cached[1], clock, warn_workdays)
    return Schedule(
        s.acceptance_due, s.decision_due, s.delivery_due, s.due_date, s.warn_from, provisional=True
    )
