"""Background work on licences, run by `yiwang worker` (django-tasks with the database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_licences() -> dict[str, int]:
    """Licences past their validity become 失效 and their issuers' status lists are rebuilt."""
    from yiwang.licences.statuses import expire_due

    return {"expired": expire_due()}
