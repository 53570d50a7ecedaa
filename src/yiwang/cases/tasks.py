"""Background work on cases, run by `yiwang worker` (django-tasks with the database backend)."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.cases import services

log = logging.getLogger(__name__)


@task()
def sweep_deadlines() -> dict[str, int]:
    """Deemed acceptance after five working days, overdue 容缺 commitments, and provisional due
    dates once their year's schedule is entered. Safe to run any number of times."""
    result = {
        "deemed_accepted": services.deem_overdue_acceptances(),
        "commitments_flagged": services.flag_overdue_commitments(),
        "provisional_recomputed": services.recompute_provisional_if_known(),
    }
    log.info("deadline sweep", extra=result)
    return result
