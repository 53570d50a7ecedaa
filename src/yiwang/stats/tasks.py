"""Background work of statistics, run by `yiwang worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def collect() -> dict[str, int]:
    """Count the applications started and the stages opened to rating since the last run."""
    from yiwang.stats.services import collect as collect_now

    return collect_now()
