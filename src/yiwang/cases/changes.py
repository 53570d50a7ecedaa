"""Writing a change to a case: the revision-guarded UPDATE, its hash-chained event and its outbox
message, in the caller's transaction; who is acting; the deadlines a change recomputes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases import clock, deadlines, published, trace
from yiwang.cases.models import (
    ACTOR_ROLE_LABELS,
    Case,
    CaseEvent,
)
from yiwang.cases.rules import (
    Actor,
    State,
    step_states,
    step_turn,
)
from yiwang.core import outbox
from yiwang.core.models import OutboxMessage
from yiwang.core.workdays import current_calendar


class CaseConflict(Exception):
    """The action cannot happen now (409): illegal in this state, or someone else acted first."""

    def __init__(self, message: str, *, code: str = "conflict", allowed: list[str] | None = None):
        self.message, self.code, self.allowed = message, code, allowed
        super().__init__(message)


class NotYourAction(Exception):
    """The user may see the case but holds no role for this action (403)."""

    def __init__(self, message: str, allowed: list[str]):
        self.message, self.allowed = message, allowed
        super().__init__(message)


@dataclass(frozen=True)
class Acting:
    user: User | None
    actor: Actor
    department_id: int | None
    label: str
    # Set by `act` from the table: the action being taken and the state it leads to.
    action: str = ""
    target: State | None = None


SYSTEM = Acting(None, Actor.SYSTEM, None, ACTOR_ROLE_LABELS[Actor.SYSTEM])


def acting_staff(user: User, actor: Actor) -> Acting:
    department = user.staff.department
    return Acting(user, actor, department.pk, f"{ACTOR_ROLE_LABELS[actor]}（{department.name}）")


def acting_applicant(user: User) -> Acting:
    return Acting(user, Actor.APPLICANT, None, ACTOR_ROLE_LABELS[Actor.APPLICANT])


def today() -> dt.date:
    return clock.today()


def clock_input(case: Case) -> deadlines.ClockInput:
    return deadlines.ClockInput(
        state=case.state,
        # The five days to accept run from the latest receipt: the corrected application's.
        submitted_on=timezone.localdate(case.resubmitted_at or case.submitted_at)
        if case.submitted_at
        else None,
        accepted_on=case.accepted_on,
        decided_on=case.decided_on,
        limit=case.limit_workdays,
        unit=case.limit_unit or "workday",
        paused=case.paused_workdays,
        extension=case.extension_workdays,
    )


def schedule_fields(case: Case) -> dict[str, Any]:
    """The stored deadline columns for the case as it now stands."""
    s = deadlines.schedule_or_provisional(current_calendar(), clock_input(case), settings.CASE_WARN_WORKDAYS)
    return {
        "acceptance_due": s.acceptance_due,
        "decision_due": s.decision_due,
        "delivery_due": s.delivery_due,
        "due_date": s.due_date,
        "warn_from": s.warn_from,
        "due_provisional": s.provisional,
    }


STEP_STATES = step_states()


def step_role_of(case: Case) -> str:
    """The role of the case's current review step while it is in review, else "" (`Case.step_role`:
    whose turn it is, for the queue's 待办). The steps are the guide's, fixed for the case."""
    if case.state not in STEP_STATES:  # no need to read the steps
        return ""
    roles = tuple(str(s.get("role", "approver")) for s in published.published(case.version).review_steps)
    return step_turn(State(case.state), case.review_step, roles)


def commit(
    case: Case,
    acting: Acting,
    action: str,
    changes: dict[str, Any],
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    reschedule: bool = True,
) -> CaseEvent:
    """Apply `changes` if nobody changed the case since it was read, and append the event.

    Must run inside a transaction. Raises CaseConflict when another change came first.
    """
    if acting.target is not None and action == acting.action:
        changes = {**changes, "state": acting.target}  # where the table says the action leads
    before = {k: getattr(case, k) for k in changes}
    from_state = case.state
    for k, v in changes.items():
        setattr(case, k, v)
    if (role := step_role_of(case)) != case.step_role:
        changes = {**changes, "step_role": role}
    if reschedule:
        changes = {**changes, **schedule_fields(case)}
    at = clock.now()
    seq = case.event_count + 1
    event = CaseEvent(
        case_id=case.pk,
        seq=seq,
        at=at,
        actor=acting.user,
        actor_ref=trace.actor_ref(acting.user),
        actor_role=acting.actor.value,
        actor_department_id=acting.department_id,
        actor_label=acting.label,
        action=action,
        from_state=from_state,
        to_state=case.state,
        reason=reason,
        data=data or {},
        prev_hash=case.last_event_hash,
    )
    event.hash = trace.hash_of(event, case.draft_key)
    updated = Case.objects.filter(pk=case.pk, revision=case.revision).update(
        revision=F("revision") + 1, event_count=seq, last_event_hash=event.hash, updated_at=at, **changes
    )
    if not updated:
        for k, v in before.items():
            setattr(case, k, v)
        raise CaseConflict(_("该办件刚刚已被他人处理，请刷新后查看最新状态。"), code="stale")
    event.save(force_insert=True)
    for k, v in changes.items():
        setattr(case, k, v)
    case.revision += 1
    case.event_count, case.last_event_hash, case.updated_at = seq, event.hash, at
    # Drafts are the applicant's own business: nobody outside hears of them until submission.
    if case.state != State.DRAFT:
        event_message(case, event).save(force_insert=True)
    return event


def event_message(case: Case, event: CaseEvent) -> OutboxMessage:
    """The outbox message of a case event: what subscribers (notices, and later licences, ratings,
    supervision, statistics, bundles) need to know without reading the case as it is by then."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return outbox.message(
        f"case.{event.action}",
        {
            "case": case.pk,
            "event": event.pk,
            "seq": event.seq,
            "number": case.number,
            "title": case.title,
            "action": event.action,
            "from": event.from_state,
            "to": event.to_state,
            "at": event.at.isoformat(),
            "actor_role": event.actor_role,
            "reason": event.reason,
            "data": event.data,
            "acceptance_due": day(case.acceptance_due),
            "decision_due": day(case.decision_due),
            "delivery_due": day(case.delivery_due),
            "commitment_due": day(case.commitment_due),
        },
        at=event.at,
    )


def payload_text(payload: dict, key: str, limit: int = 2000) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise ValidationError({key: [_("应为文字。")]})
    return value.strip()[:limit]
