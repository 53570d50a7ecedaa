"""The worker's sweeps over cases: deemed acceptance (art. 32), overdue commitments (容缺受理),
provisional deadlines recomputed when a year's schedule is entered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yiwang.cases.changes import SYSTEM, CaseConflict, commit, schedule_fields, today
from yiwang.cases.models import (
    Case,
)
from yiwang.cases.rules import (
    State,
)
from yiwang.cases.services import record_deemed_acceptance
from yiwang.catalog.models import Material
from yiwang.core.models import OutboxMessage


def deem_overdue_acceptances(on: dt.date | None = None) -> int:
    """Record deemed acceptance (art. 32) for every submitted case whose five days have passed:
    one read for all of them, then per case only its own writes (the change, its event, its
    outbox message); a case a clerk changed meanwhile is left to that change."""
    on = on or today()
    done = 0
    for case in Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=on).select_related("version"):
        try:
            with transaction.atomic():
                record_deemed_acceptance(case)
            done += 1
        except CaseConflict:
            continue
    return done


def flag_overdue_commitments(on: dt.date | None = None) -> int:
    """容缺受理: flag (once) the cases whose committed date passed with materials still missing."""
    on = on or today()
    flagged = 0
    overdue = list(
        Case.objects.filter(
            commitment_due__lt=on,
            commitment_overdue=False,
            state__in=[State.ACCEPTED, State.UNDER_REVIEW, State.SUSPENDED],
        ).select_related("version")
    )
    wanted = {pk for case in overdue for pk in case.pending_materials}
    material_names = dict(Material.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for case in overdue:
        if not case.pending_materials:
            continue
        names = "、".join(material_names.get(pk, str(pk)) for pk in case.pending_materials)
        try:
            with transaction.atomic():
                commit(
                    case,
                    SYSTEM,
                    "commitment_overdue",
                    {"commitment_overdue": True},
                    reschedule=False,
                    data={"materials": names},
                )
        except CaseConflict:
            continue
        flagged += 1
    return flagged


def recompute_provisional(message: OutboxMessage | None = None) -> int:
    """A year's schedule was entered (`calendar.year_entered`): recompute the provisional due dates,
    each through the same revision-guarded change as any other (those still reaching into an
    unknown year stay provisional). Runs once per entered year, in the worker, not on every sweep."""
    from yiwang.core import workdays

    workdays.invalidate()  # the worker's calendar: the year was entered by another process
    done = 0
    for case in Case.objects.filter(due_provisional=True).select_related("version").iterator(chunk_size=500):
        fields = schedule_fields(case)
        if fields["due_provisional"] or all(getattr(case, k) == v for k, v in fields.items()):
            continue
        try:
            commit(case, SYSTEM, "recompute_deadlines", {}, data={"provisional": False})
        except CaseConflict:
            continue  # changed meanwhile: that change already used the entered year
        done += 1
    return done
