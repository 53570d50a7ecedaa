"""The worker as a real process: killed with SIGKILL in the middle of delivering the outbox, then
started again, it still applies every event exactly once to each subscriber's effect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from yiwang.cases.models import Case
from yiwang.core.models import OutboxDelivery, OutboxMessage
from yiwang.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)


def _worker(database_url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "yiwang.settings"}
    return subprocess.Popen(
        [sys.executable, "-m", "yiwang", "worker", "--interval", "0.05", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_delivery_loses_and_repeats_nothing(submitted, database_url):
    cases = [submitted() for _ in range(40)]
    messages = OutboxMessage.objects.filter(topic="case.submit").count()
    assert messages == 40
    connection.close()  # let the worker have the database (SQLite: one writer)

    worker = _worker(database_url)
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline and not OutboxDelivery.objects.filter(subscriber="notices.case").exists()
    ):
        time.sleep(0.01)
    connection.close()
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    delivered_before_kill = OutboxDelivery.objects.filter(subscriber="notices.case").count()
    assert 1 <= delivered_before_kill < messages  # really killed in the middle

    # A new worker picks up where the killed one stopped (its claims expire; here at once).
    OutboxMessage.objects.filter(done_at__isnull=True).update(claimed_until=None)
    connection.close()
    finisher = _worker(database_url, "--until-idle")
    assert finisher.wait(timeout=120) == 0

    problems = list(OutboxDelivery.objects.exclude(state="delivered").values_list("subscriber", "last_error"))
    assert problems == []
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    assert OutboxDelivery.objects.filter(subscriber="notices.case", state="delivered").count() == messages
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert Notice.objects.filter(key="case_submitted", link=f"/my/cases/{case.number}/").count() == 1
