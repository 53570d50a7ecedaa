"""Where a case stands in its procedure: its review steps and current step, the facts the
transition table's guards read (`rules.Facts`), and whether art. 32's acceptance period has
passed. Read by the services, the transition handlers and the read model."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.cases import published
from yiwang.cases.changes import today
from yiwang.cases.drafts import checklist
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.rules import Facts, State
from yiwang.catalog.models import CaseKind


def review_steps(case: Case) -> list[dict[str, str]]:
    return list(published.published(case.version).review_steps)


def current_step(case: Case) -> dict[str, str] | None:
    if case.state not in {State.ACCEPTED, State.UNDER_REVIEW}:
        return None
    steps = review_steps(case)
    return steps[min(case.review_step, len(steps) - 1)]


def facts_of(case: Case, materials: list[CaseMaterial] | None = None) -> Facts:
    """What the table's guards read of `case` (one query for the checklist of a submitted case,
    none when its current `materials` are given)."""
    parts = published.published(case.version)
    state = State(case.state)
    missing: tuple[str, ...] = ()
    if state == State.SUBMITTED:
        missing = tuple(i.material.name for i in checklist(case, materials) if i.missing)
    return Facts(
        state=state,
        step=case.review_step,
        step_roles=tuple(str(s.get("role", "approver")) for s in parts.review_steps),
        instant=parts.case_kind == CaseKind.INSTANT,
        tolerance=parts.tolerance_acceptance,
        commitment=parts.notification_commitment,
        acceptance_overdue=acceptance_overdue(case),
        missing_required=missing,
        pending=bool(case.pending_materials),
    )


def acceptance_overdue(case: Case, on: dt.date | None = None) -> bool:
    """Art. 32: nobody told the applicant to correct, nor refused, within five working days."""
    return (
        case.state == State.SUBMITTED
        and case.acceptance_due is not None
        and (on or today()) > case.acceptance_due
    )


def received_on(case: Case) -> dt.date:
    """The day the application (or its correction) was received: acceptance dates from it."""
    return timezone.localdate(case.resubmitted_at or case.submitted_at)
