"""Periodic jobs, run by exactly one worker however many worker processes there are.

Apps register a job in their `AppConfig.ready` (`every(name, seconds, task)`). Every worker process
calls `tick()` on each loop; for a job that is due, one conditional UPDATE moves its
`PeriodicJob.next_run_at` on, and only the process whose UPDATE changed the row enqueues the task.
No thread per process, no lease to renew: the row is the schedule.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yiwang.core.models import PeriodicJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    seconds: float
    task: Any  # a django_tasks Task (anything with .enqueue())


_jobs: dict[str, Job] = {}


def every(name: str, seconds: float, task: Any) -> None:
    _jobs[name] = Job(name, seconds, task)


def jobs() -> list[Job]:
    return list(_jobs.values())


def tick(worker: str) -> list[str]:
    """Enqueue the jobs that are due and that this worker won; returns their names."""
    now = timezone.now()
    won = []
    for job in jobs():
        row, _created = PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        if row.next_run_at > now:
            continue
        updated = PeriodicJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=now + dt.timedelta(seconds=job.seconds), last_run_at=now, last_worker=worker[:64]
        )
        if updated:
            job.task.enqueue()
            won.append(job.name)
            log.info("periodic job enqueued", extra={"job": job.name, "worker": worker})
    return won
