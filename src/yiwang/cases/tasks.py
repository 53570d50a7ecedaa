"""Background work on cases, run by `yiwang worker` (django-tasks with the database backend)."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.cases import sweeps

log = logging.getLogger(__name__)


@task()
def sweep_deadlines() -> dict[str, int]:
    """Deemed acceptance after five working days and overdue 容缺 commitments. Safe to run any
    number of times. (Provisional due dates are recomputed when a year is entered, by the
    `cases.provisional` subscriber, not here.)"""
    result = {
        "deemed_accepted": sweeps.deem_overdue_acceptances(),
        "commitments_flagged": sweeps.flag_overdue_commitments(),
    }
    log.info("deadline sweep", extra=result)
    return result
