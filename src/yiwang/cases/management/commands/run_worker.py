"""`yiwang worker`: run queued tasks, and enqueue the deadline sweep every WORKER_SWEEP_SECONDS."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from yiwang.cases.tasks import sweep_deadlines


def _schedule(stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        sweep_deadlines.enqueue()
        stop.wait(every)


class Command(BaseCommand):
    help = "后台任务：执行队列中的任务，并定期巡检办件期限"

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = threading.Thread(
            target=_schedule, args=(stop, settings.WORKER_SWEEP_SECONDS), daemon=True, name="sweep"
        )
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()
