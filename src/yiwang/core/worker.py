"""`yiwang worker`: one loop that delivers the outbox, enqueues due periodic jobs and runs queued
tasks (django-tasks' database backend). Run one or several; they share the work through the
database (claims on outbox messages, the `PeriodicJob` rows, the task queue's own locking).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from types import FrameType

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from yiwang.core import outbox, schedule

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, *, interval: float = 1.0, worker_id: str | None = None, until_idle: bool = False):
        self.interval = interval
        self.worker_id = (worker_id or f"{socket.gethostname()}-{os.getpid()}")[:64]
        self.until_idle = until_idle
        self.running = True
        # The task queue: django-tasks' own worker in batch mode runs whatever is ready, then returns.
        self.tasks = TaskWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """Finish the current round, then leave (a second signal leaves at once)."""
        if not self.running:
            raise SystemExit(1)
        log.info("worker stopping", extra={"worker": self.worker_id, "signal": signum})
        self.running = False

    def run_once(self) -> int:
        """One round; returns how much was done (0: nothing was due)."""
        close_old_connections()
        done = outbox.dispatch(self.worker_id)
        done += len(schedule.tick(self.worker_id))
        self.tasks.run()  # batch mode: every ready task, then back here
        close_old_connections()
        return done

    def run(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        log.info("worker started", extra={"worker": self.worker_id})
        while self.running:
            done = self.run_once()
            if not done and self.until_idle:
                break
            if not done and self.running:
                time.sleep(self.interval)
