"""Every change to a case, one function per action, each in a transaction writing its event.

The procedure itself is `cases.rules` (which action from which state, by whom, with which fields);
the deadlines are `cases.deadlines`. Here an action is checked against both, applied with a
conditional UPDATE on the case's `revision` (two staff acting at once: exactly one wins, the other
gets `CaseConflict`), traced by a hash-chained `CaseEvent`, and told to the applicant.

What each transition does is `cases.handlers` (one handler per row of the table); where a case
stands (its step, the facts the guards read, art. 32) is `cases.procedure`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from yiwang.accounts.models import User
from yiwang.cases import access, clock, published
from yiwang.cases import delivery as delivery_results
from yiwang.cases.carriers import carrier
from yiwang.cases.changes import (
    SYSTEM,
    Acting,
    CaseConflict,
    NotYourAction,
    acting_applicant,
    acting_staff,
    commit,
)
from yiwang.cases.handlers import HANDLERS
from yiwang.cases.models import Case, CaseMaterial, Delivery, DeliveryMethod
from yiwang.cases.procedure import facts_of
from yiwang.cases.rules import (
    REMEDY_STATUTORY,
    STEP_ROLE,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    State,
    Transition,
    allowed_actions,
    next_state,
    possible_actions,
)
from yiwang.core import validation

DEFAULT_REVIEW_STEPS = published.DEFAULT_REVIEW_STEPS
REMEDY_DEFAULT = REMEDY_STATUTORY


# --- The procedure ---------------------------------------------------------------------------


def available_actions(user: User, case: Case, materials: list[CaseMaterial] | None = None) -> list[str]:
    """The actions `user` may take on `case` now, in table order (what the pages offer)."""
    actors = _actors(user, case)
    if not actors:
        return []
    facts = facts_of(case, materials)
    possible = set(possible_actions(facts, actors))
    if facts.acceptance_overdue:  # art. 32: accepted as of receipt, so what follows acceptance too
        possible |= set(
            possible_actions(replace(facts, state=State.ACCEPTED, acceptance_overdue=False), actors)
        )
    return [a for a in TRANSITIONS if a in possible and a != "submit"]


def _actors(user: User, case: Case) -> set[Actor]:
    actors = set(access.staff_actors(user, case))
    if access.is_applicant_of(user, case):
        actors.add(Actor.APPLICANT)
    return actors


def _parse(transition: Transition, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return transition.payload.model_validate(payload).model_dump()
    except PydanticError as exc:
        raise ValidationError(validation.by_field(exc.errors())) from None


def act(user: User | None, case: Case, action: str, payload: dict[str, Any] | None = None) -> Case:
    """Take a procedure action on `case`; `user` None is the system (the worker).

    Everything about the action comes from its row in `rules.TRANSITIONS`: the states it leaves
    from, who may take it, its guards, its payload's shape, and the state it leads to."""
    payload = dict(payload or {})
    state = State(case.state)
    transition = TRANSITIONS.get(action)
    if transition is None or action == "submit":
        raise CaseConflict(
            _("未知的操作：%(action)s。") % {"action": action},
            code="illegal_action",
            allowed=available_actions(user, case) if user else [],
        )
    facts = facts_of(case)
    if facts.acceptance_overdue and state not in transition.sources and State.ACCEPTED in transition.sources:
        # Art. 32: past the five days the case is accepted as of receipt, whether or not the
        # worker has recorded it yet: record that now, then take the action from there (both
        # or neither: a refused action undoes the record too).
        with transaction.atomic():
            record_deemed_acceptance(case)
            return act(user, case, action, payload)
    if state not in transition.sources:
        raise CaseConflict(
            _("办件当前状态（%(state)s）不能执行“%(action)s”。")
            % {"state": case.state_label, "action": _(transition.label)},
            code="illegal_action",
            allowed=available_actions(user, case) if user else allowed_actions(state, Actor.SYSTEM),
        )
    if user is None:
        actor = Actor.SYSTEM
        if actor not in transition.actors:
            raise IllegalTransition(action, state, allowed_actions(state, Actor.SYSTEM))
    else:
        actors = [a for a in _actors(user, case) if a in transition.actors]
        if not actors:
            raise NotYourAction(
                _("您的角色不能对该办件执行“%(action)s”。") % {"action": _(transition.label)},
                available_actions(user, case),
            )
        fitting = [a for a in actors if transition.failed_guard(facts, a) is None]
        if not fitting:
            guard = transition.failed_guard(facts, actors[0])
            if guard is STEP_ROLE:
                raise NotYourAction(
                    _("您的角色不能对该办件执行“%(action)s”。") % {"action": _(transition.label)},
                    available_actions(user, case),
                )
            raise CaseConflict(
                _(guard.why) % {"missing": "、".join(facts.missing_required)},
                code=f"guard_{guard.name}",
                allowed=available_actions(user, case),
            )
        # A user holding several roles acts in the first that fits, in a fixed order.
        actor = min(fitting, key=list(Actor).index)
    if user is None and (guard := transition.failed_guard(facts, actor)) is not None:
        raise CaseConflict(_(guard.why), code=f"guard_{guard.name}", allowed=[])
    data = _parse(transition, payload)
    acting = (
        SYSTEM
        if user is None
        else acting_applicant(user)
        if actor == Actor.APPLICANT
        else acting_staff(user, actor)
    )
    with transaction.atomic():
        HANDLERS[action](case, _target(acting, action, case), data)
    return case


def record_deemed_acceptance(case: Case) -> None:
    """Art. 32: record, as the system, that `case` was accepted as of its receipt (its five working
    days passed with no correction asked and no refusal); in the caller's transaction."""
    HANDLERS["deem_accepted"](case, _target(SYSTEM, "deem_accepted", case), {})


def _target(acting: Acting, action: str, case: Case) -> Acting:
    """The acting party, carrying the state the table sends the case to (`commit` applies it)."""
    resume_to = State(case.suspended_from or State.ACCEPTED)
    return replace(acting, action=action, target=next_state(State(case.state), action, resume_to=resume_to))


# --- After the decision: follow-up checks and the worker's sweeps ---------------------------


def record_verification(user: User, case: Case, *, result: str, note: str) -> Case:
    """告知承诺制: the follow-up check of what the applicant committed to."""
    actors = access.staff_actors(user, case) & {Actor.REVIEWER, Actor.APPROVER}
    if not actors:
        raise NotYourAction(_("只有本部门审查或审批人员可以登记核查结果。"), [])
    if not case.commitment_text:
        raise CaseConflict(_("该办件不是告知承诺制办件。"), allowed=[])
    if result not in {"consistent", "inconsistent"}:
        raise ValidationError({"result": [_("请选择核查结论。")]})
    with transaction.atomic():
        commit(
            case,
            acting_staff(user, sorted(actors)[0]),
            "verify_commitment",
            {"verified_at": clock.now()},
            reason=note.strip()[:2000],
            data={"result": result},
            reschedule=False,
        )
    return case


def record_tracking(user: User, case: Case, status: str, description: str) -> None:
    """A carrier's tracking event for the case's express delivery, entered by handling staff (the
    local carrier has no feed of its own). "signed" is what delivers the case (see `tracking_reported`)."""
    if not access.staff_actors(user, case):
        raise NotYourAction(_("只有办理该办件的工作人员可以登记寄递轨迹。"), [])
    tracking_reported(case, status, description)


# --- Result documents and delivery -----------------------------------------------------------


def tracking_reported(case: Case, status: str, description: str) -> None:
    """A tracking event of the case's parcel, as the carrier reports it (entered by staff for the
    local carrier; a carrier's feed would call this too). The carrier's signed-for event delivers
    the case through the `deliver` action, by the system, in the same transaction: one event."""
    delivery = Delivery.objects.filter(case=case).first()
    if delivery is None or delivery.method != DeliveryMethod.EXPRESS or not delivery.tracking_number:
        raise CaseConflict(_("该办件没有快递寄递记录。"), allowed=[])
    with transaction.atomic():
        carrier().record(delivery, status, description)
        case.delivery = delivery
        if status == "signed" and case.state == State.COMPLETED:
            act(None, case, "deliver", {"method": DeliveryMethod.EXPRESS})


def deliver_when_ready(case: Case) -> bool:
    """Electronic delivery (电子送达) is true only when the applicant can download the result: a
    completed case that chose it is delivered by the system once its decision document is kept.
    Called by the documents subscriber after it stores a decision document and on completion; the
    case row is locked so that completion and the document, arriving at once, deliver exactly once."""
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, CaseDocument

    with transaction.atomic():
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("version", "entry", "department")
            .filter(pk=case.pk)
            .first()
        )
        if fresh is None or fresh.state != State.COMPLETED:
            return False
        delivery = Delivery.objects.filter(case=fresh).first()
        if delivery is None or delivery.method != DeliveryMethod.ELECTRONIC:
            return False
        if not CaseDocument.objects.filter(case=fresh, kind__in=DECISION_DOCUMENT_KINDS).exists():
            return False
        if delivery_results.result_pending(fresh):
            return False
        act(None, fresh, "deliver", {"method": DeliveryMethod.ELECTRONIC})
    return True
