"""The working days around today as a list (`Line`), for the demo loaders that place what happened
on working days before today: the cases' scripts, the ratings, the bundles.
"""

from __future__ import annotations

import datetime as dt

from yiwang.core.workdays import YearNotInCalendar, current_calendar


class Line:
    """The working days around today as a list, so scripts can count both ways (the services'
    calendar, with Monday to Friday assumed for a year whose schedule is not entered yet)."""

    def __init__(self, today: dt.date):
        first, last = today - dt.timedelta(days=480), today + dt.timedelta(days=120)
        calendar = current_calendar()
        try:
            calendar.workdays_between(first, last)
        except YearNotInCalendar:
            calendar = calendar.with_weekdays_assumed(last)
        span = (last - first).days
        self.days = [d for d in (first + dt.timedelta(n) for n in range(span + 1)) if calendar.is_workday(d)]
        # Index of the first working day on or after today: steps must fall before it.
        self.today = next(i for i, d in enumerate(self.days) if d >= today)
