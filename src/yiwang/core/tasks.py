"""Background housekeeping of core, run by `yiwang worker`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from yiwang.core import outbox, rate_counters


@task()
def purge_rate_counters() -> int:
    """Counters of past rate-limit windows (an hour back is far more than any window)."""
    return rate_counters.purge(3600)


@task()
def purge_delivered() -> dict[str, int]:
    """What the worker no longer needs, after `OUTBOX_RETENTION_DAYS`: delivered outbox messages
    and their receipts (a dead one stays for the administrator), and the results of finished
    background tasks (every periodic job leaves one)."""
    from django_tasks_db.models import DBTaskResult

    days = settings.OUTBOX_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    tasks, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"outbox_messages": outbox.purge(days), "task_results": tasks}
