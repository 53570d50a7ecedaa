"""Races: staff acting on one case at once (exactly one wins), submissions taking numbers at once
(all distinct), the same Idempotency-Key twice at once (one case)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yiwang.cases import numbering, services
from yiwang.cases.changes import CaseConflict
from yiwang.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db(transaction=True)


def race(n: int, work) -> list:
    """Run work(i) in n threads released together; returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_clerks_accepting_at_once_one_wins(submitted, users):
    case = submitted()
    copies = [Case.objects.select_related("version", "entry").get(pk=case.pk) for _ in range(2)]
    actors = [users["demo-clerk"], users["demo-reviewer"]]
    results = race(
        2,
        lambda i: services.act(
            actors[i],
            copies[i],
            "accept" if i == 0 else "request_correction",
            {"items": [{"note": "补"}]} if i else {},
        ),
    )
    wins = [r for r in results if isinstance(r, Case)]
    losses = [r for r in results if isinstance(r, CaseConflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state in ("accepted", "correction_requested")
    assert CaseEvent.objects.filter(case=case, action__in=["accept", "request_correction"]).count() == 1


def test_parallel_accepts_of_the_same_case(submitted, users):
    case = submitted()
    copies = [Case.objects.select_related("version", "entry").get(pk=case.pk) for _ in range(4)]
    results = race(4, lambda i: services.act(users["demo-clerk"], copies[i], "accept"))
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert all(isinstance(r, (Case, CaseConflict)) for r in results), results


def test_numbers_taken_at_once_are_distinct(published):
    import datetime as dt

    day = dt.date(2026, 11, 23)
    numbers = race(6, lambda i: numbering.next_number(published.code, day))
    assert all(isinstance(n, str) for n in numbers), numbers
    assert sorted(int(n[-5:]) for n in numbers) == [1, 2, 3, 4, 5, 6]


def test_vendor_is_known():
    assert connection.vendor in ("sqlite", "postgresql")
