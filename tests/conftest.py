"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest


@pytest.fixture
def workday_calendar(db):
    """The working-day calendar, reseeded if a transactional test flushed it."""
    from yiwang.core import services, workdays

    services.ensure_calendar()
    workdays.invalidate()
    return workdays.current_calendar()
