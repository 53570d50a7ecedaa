"""The time the case services see. Normally the real time; `frozen` sets it for a block, so the
demo can build cases submitted weeks ago and tests can walk a case through the calendar."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("case_clock", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    if not isinstance(at, dt.datetime):
        at = timezone.make_aware(dt.datetime.combine(at, dt.time(10, 0)))
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
