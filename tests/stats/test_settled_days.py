"""Settled days are read once per process (`stats.queries`, ADR 0012): a repeated question reads
only its live days, a late event on a settled day shows at once (it bumps the `stats` generation),
and an event of today shows at once without a bump.

The memo is used only outside a transaction, which a test database never is: `memo_usable` is
made true here and the commit callbacks run, as a server's request and a worker's commit would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats.conftest import EXPECTED_COUNTS
from yiwang.cases import clock
from yiwang.core import generations
from yiwang.stats import queries, services
from yiwang.stats.models import Daily

NOV = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}


@pytest.fixture
def outside_transactions(monkeypatch):
    monkeypatch.setattr(generations, "memo_usable", lambda: True)
    generations.forget_seen()
    queries.forget_settled()


def _aggregates(captured) -> int:
    """The period's sums read (every counter summed; the cost per case's own small read of the
    finished cases per department-month is not kept)."""
    return sum(1 for q in captured if 'COALESCE(SUM("stats_' in q["sql"])


def _one_more(day: dt.date, **counts) -> dict:
    row = Daily.objects.filter(day__month=11).order_by("id").first()
    key = (day, row.department_id, row.division_code, row.entry_id, row.channel, row.intake)
    return {key: counts}


def test_a_repeated_question_reads_no_settled_day_again(
    dataset, users, outside_transactions, django_capture_on_commit_callbacks
):
    supervisor = users["demo-supervisor"]
    f = queries.make_filter(**NOV)
    assert queries.overview(supervisor, f)["counts"] == EXPECTED_COUNTS
    first = queries.by(supervisor, "department", f)
    with CaptureQueriesContext(connection) as again:
        assert queries.overview(supervisor, f)["counts"] == EXPECTED_COUNTS
        assert queries.by(supervisor, "department", f) == first
    assert _aggregates(again.captured_queries) == 0

    # A late event (a worker back after an outage) on a settled day: seen at once, everywhere.
    with django_capture_on_commit_callbacks(execute=True):
        services.add(_one_more(dt.date(2026, 11, 20), submitted=1, online=1))
    assert queries.overview(supervisor, f)["counts"]["submitted"] == EXPECTED_COUNTS["submitted"] + 1
    by_department = queries.by(supervisor, "department", f)["results"]
    assert sum(r["counts"]["submitted"] for r in by_department) == EXPECTED_COUNTS["submitted"] + 1


def test_todays_events_are_read_each_time_without_a_bump(
    dataset, users, outside_transactions, django_capture_on_commit_callbacks
):
    supervisor = users["demo-supervisor"]
    today = clock.today()
    f = queries.make_filter(start=dt.date(2026, 11, 1), end=today)
    before = queries.overview(supervisor, f)["counts"]["submitted"]
    generation = generations.current(generations.STATS)
    with django_capture_on_commit_callbacks(execute=True):
        services.add(_one_more(today, submitted=1))
    assert generations.current(generations.STATS) == generation
    assert queries.overview(supervisor, f)["counts"]["submitted"] == before + 1
    assert sum(r["counts"]["submitted"] for r in queries.by(supervisor, "month", f)["results"]) == before + 1


def test_a_rebuild_moves_the_generation(
    dataset, users, outside_transactions, django_capture_on_commit_callbacks
):
    generation = generations.current(generations.STATS)
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild()
    assert generations.current(generations.STATS) > generation


@pytest.mark.parametrize("dimension", ["division", "department", "item", "window", "channel", "month"])
def test_todays_rows_summed_here_give_what_the_tables_give(dataset, users, dimension):
    """With the clock on 11-01, all of November is live and summed in Python from its rows (once
    for the whole page within `one_reading`); today, all of it is settled and summed in SQL."""
    supervisor = users["demo-supervisor"]
    f = queries.make_filter(**NOV)
    settled = queries.by(supervisor, dimension, f)
    with clock.frozen(dt.date(2026, 11, 1)), queries.one_reading():
        assert queries.overview(supervisor, f)["counts"] == EXPECTED_COUNTS
        live = queries.by(supervisor, dimension, f)
    assert live["results"] == settled["results"]
    assert sum(r["counts"]["submitted"] for r in live["results"]) == EXPECTED_COUNTS["submitted"]
