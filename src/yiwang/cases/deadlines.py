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
