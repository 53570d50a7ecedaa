"""Working-day arithmetic (行政许可法 art. 82: periods count working days, holidays excluded).

`WorkdayCalendar` is built once from the calendar table and answers in O(1): for each known day it
holds the number of working days up to and including it, and for each working day its date. A day in
a year whose schedule was never entered raises `YearNotInCalendar`: the calendar never guesses.

The module functions use a per-process calendar that reloads when the table changes (checked at
most every few seconds, and at once in the process that made the change).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


class YearNotInCalendar(Exception):
    """A date falls in a year whose official schedule has not been entered."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _("%(year)s 年的工作日安排尚未录入，请管理员先在“工作日安排”中录入该年度的节假日与调休。") % {
            "year": self.year
        }


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: dt.date
    is_workday: bool
    holiday_name: str = ""
    is_makeup_workday: bool = False


class WorkdayCalendar:
    """Immutable O(1) working-day arithmetic over the known days."""

    __slots__ = ("_cum", "_first", "_gaps", "_known", "_last", "_workday_ordinals")

    def __init__(self, days: Iterable[tuple[dt.date, bool]]):
        ordered = sorted(days)
        if not ordered:
            self._first = self._last = 0
            self._cum: list[int] = []
            self._gaps: list[int] = []
            self._known: list[bool] = []
            self._workday_ordinals: list[int] = []
            return
        self._first = ordered[0][0].toordinal()
        self._last = ordered[-1][0].toordinal()
        size = self._last - self._first + 1
        known = [False] * size
        workday = [False] * size
        for day, is_workday in ordered:
            i = day.toordinal() - self._first
            known[i] = True
            workday[i] = is_workday
        cum, gaps, workday_ordinals = [0] * size, [0] * size, []
        count = gap = 0
        for i in range(size):
            if workday[i]:
                count += 1
                workday_ordinals.append(self._first + i)
            if not known[i]:
                gap += 1
            cum[i], gaps[i] = count, gap
        self._known, self._cum, self._gaps, self._workday_ordinals = known, cum, gaps, workday_ordinals

    def _index(self, day: dt.date) -> int:
        o = day.toordinal()
        if o < self._first or o > self._last or not self._known[o - self._first]:
            raise YearNotInCalendar(day.year)
        return o - self._first

    def _first_missing_year_after(self, i: int) -> int:
        for j in range(i, len(self._known)):
            if not self._known[j]:
                return dt.date.fromordinal(self._first + j).year
        return dt.date.fromordinal(self._last + 1).year

    def is_workday(self, day: dt.date) -> bool:
        i = self._index(day)
        return self._cum[i] != (self._cum[i - 1] if i else 0)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (the start day itself is not counted).

        With n == 0 the answer is `start`. A negative n is refused: deadlines run forward.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        i = self._index(start)
        if n == 0:
            return start
        k = self._cum[i] + n  # 1-based ordinal of the working day we want
        if k > len(self._workday_ordinals):
            raise YearNotInCalendar(self._first_missing_year_after(i))
        o = self._workday_ordinals[k - 1]
        j = o - self._first
        if self._gaps[j] != self._gaps[i]:
            raise YearNotInCalendar(self._first_missing_year_after(i))
        return dt.date.fromordinal(o)

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]: after a, up to and including b. Negative when b is before a."""
        i, j = self._index(a), self._index(b)
        lo, hi = min(i, j), max(i, j)
        if self._gaps[hi] != self._gaps[lo]:
            raise YearNotInCalendar(self._first_missing_year_after(lo))
        return self._cum[j] - self._cum[i]

    def with_weekdays_assumed(self, until: dt.date) -> WorkdayCalendar:
        """This calendar with every unknown day up to `until` taken as Monday–Friday working days.

        Only for deadlines that must be shown before the State Council has published a year's
        schedule; callers mark such results provisional and recompute them once it is entered.
        """
        days: list[tuple[dt.date, bool]] = []
        first = min(self._first, dt.date.today().toordinal()) if self._known else dt.date.today().toordinal()
        last = max(self._last, until.toordinal())
        for o in range(first, last + 1):
            i = o - self._first
            if 0 <= i < len(self._known) and self._known[i]:
                days.append((dt.date.fromordinal(o), self._cum[i] != (self._cum[i - 1] if i else 0)))
            else:
                days.append((dt.date.fromordinal(o), dt.date.fromordinal(o).weekday() < 5))
        return WorkdayCalendar(days)

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_workday(day) else self.next_workday(day)


_lock = threading.Lock()
_cached: WorkdayCalendar | None = None
_cached_stamp: object = None
_checked_at = 0.0


def _stamp() -> object:
    from django.db.models import Count, Max

    from yiwang.core.models import CalendarYear

    return tuple(CalendarYear.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())


def _load() -> WorkdayCalendar:
    from yiwang.core.models import CalendarDay

    return WorkdayCalendar(CalendarDay.objects.values_list("date", "is_workday").iterator(chunk_size=5000))


def current_calendar() -> WorkdayCalendar:
    """The process's calendar, reloaded when an administrator has changed the table."""
    global _cached, _cached_stamp, _checked_at
    now = time.monotonic()
    if _cached is not None and now - _checked_at < settings.CALENDAR_RECHECK_SECONDS:
        return _cached
    with _lock:
        stamp = _stamp()
        if _cached is None or stamp != _cached_stamp:
            _cached, _cached_stamp = _load(), stamp
        _checked_at = now
        return _cached


def invalidate() -> None:
    """Forget the cached calendar (called after this process changed the table)."""
    global _cached, _checked_at
    with _lock:
        _cached, _checked_at = None, 0.0


def add_workdays(start: dt.date, n: int) -> dt.date:
    return current_calendar().add_workdays(start, n)


def add_workdays_or_assumed(start: dt.date, n: int) -> dt.date:
    """`add_workdays`, or where the count reaches a year nobody entered yet, with that year's
    Mondays to Fridays taken as working days (the nearest honest guess, as for provisional case
    deadlines): for deadlines that must be set now, such as a 差评's or a supervision threshold."""
    try:
        return add_workdays(start, n)
    except YearNotInCalendar:
        until = start + dt.timedelta(days=3 * n + 30)
        return current_calendar().with_weekdays_assumed(until).add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return current_calendar().workdays_between(a, b)


def next_workday(day: dt.date) -> dt.date:
    return current_calendar().next_workday(day)


def is_workday(day: dt.date) -> bool:
    return current_calendar().is_workday(day)
