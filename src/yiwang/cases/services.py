"""Every change to a case, one function per action, each in a transaction writing its event.

The procedure itself is `cases.rules` (which action from which state, by whom, with which fields);
the deadlines are `cases.deadlines`. Here an action is checked against both, applied with a
conditional UPDATE on the case's `revision` (two staff acting at once: exactly one wins, the other
gets `CaseConflict`), traced by a hash-chained `CaseEvent`, and told to the applicant.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from yiwang.accounts import access as account_access
from yiwang.accounts import services as accounts
from yiwang.accounts.models import AccountKind, Enterprise, Person, StaffRole, User
from yiwang.cases import access, clock, deadlines, numbering, published, trace
from yiwang.cases.carriers import carrier
from yiwang.cases.models import (
    ACTOR_ROLE_LABELS,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    Correction,
    Delivery,
    DeliveryMethod,
    IdempotencyKey,
)
from yiwang.cases.rules import (
    REMEDY_STATUTORY,
    STEP_ROLE,
    TRANSITIONS,
    Actor,
    Facts,
    IllegalTransition,
    State,
    Transition,
    allowed_actions,
    audience_problem,
    next_state,
    possible_actions,
    with_statutory_remedy,
)
from yiwang.catalog import form_schema
from yiwang.catalog.models import CaseKind, Entry, EntryStatus, Material, Necessity, Situation
from yiwang.core import outbox, uploads, validation
from yiwang.core.models import OutboxMessage
from yiwang.core.workdays import YearNotInCalendar, current_calendar

DEFAULT_REVIEW_STEPS = published.DEFAULT_REVIEW_STEPS
REMEDY_DEFAULT = REMEDY_STATUTORY


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


# --- Deadlines ---------------------------------------------------------------------------------


def _clock(case: Case) -> deadlines.ClockInput:
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
    s = deadlines.schedule_or_provisional(current_calendar(), _clock(case), settings.CASE_WARN_WORKDAYS)
    return {
        "acceptance_due": s.acceptance_due,
        "decision_due": s.decision_due,
        "delivery_due": s.delivery_due,
        "due_date": s.due_date,
        "warn_from": s.warn_from,
        "due_provisional": s.provisional,
    }


# --- Writing a change --------------------------------------------------------------------------


def _commit(
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
    if reschedule:
        changes = {**changes, **schedule_fields(case)}
    at = clock.now()
    seq = case.event_count + 1
    event = CaseEvent(
        case_id=case.pk,
        seq=seq,
        at=at,
        actor=acting.user,
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


# --- Applicants and drafts ---------------------------------------------------------------------


def _published_entry(entry: Entry) -> None:
    if entry.published_id is None or entry.status != EntryStatus.ACTIVE:
        raise ValidationError({"entry": [_("该事项当前未发布或已暂停办理，不能申请。")]})


def _situation(entry: Entry, situation_id: int | None) -> Situation | None:
    if situation_id in (None, ""):
        if entry.published.situations.exists():
            raise ValidationError({"situation": [_("请选择办理情形。")]})
        return None
    situation = entry.published.situations.filter(pk=situation_id).first()
    if situation is None:
        raise ValidationError({"situation": [_("所选情形不属于该事项。")]})
    return situation


def profile_of(person: Person | None, enterprise: Enterprise | None) -> dict[str, str]:
    """Values a form may prefill (`form_schema.PREFILL_SOURCES`)."""
    profile: dict[str, str] = {}
    if person is not None:
        profile.update(
            name=person.name, id_number=person.id_number, phone=person.phone, address=person.address
        )
    if enterprise is not None:
        profile.update(
            enterprise_name=enterprise.name,
            uscc=enterprise.uscc,
            legal_representative=enterprise.legal_representative,
            address=enterprise.address or profile.get("address", ""),
        )
        profile.setdefault("phone", enterprise.phone)
    return profile


def case_schema(case: Case) -> dict:
    """The form the applicant fills: the entry's, with the situation's fields appended."""
    return published.published(case.version).schema_for(case.situation_id)


@transaction.atomic
def start_application(
    user: User,
    entry: Entry,
    *,
    situation_id: int | None = None,
    enterprise: Enterprise | None = None,
) -> Case:
    """An applicant starts a draft for a published entry (as a person, or for an enterprise)."""
    _published_entry(entry)
    person = getattr(user, "person", None) if user.kind == AccountKind.PERSON else None
    if user.kind == AccountKind.ENTERPRISE:
        enterprise = user.enterprise
    elif enterprise is not None and not account_access.can_act_for(user, enterprise):
        raise ValidationError({"enterprise": [_("您不是该单位授权的经办人。")]})
    if person is None and enterprise is None:
        raise ValidationError({"__all__": [_("请先完成实名认证后再申请。")]})
    if why := audience_problem(entry.published.audience, for_enterprise=enterprise is not None):
        raise ValidationError({"enterprise": [_(why)]})
    return _create_draft(
        user,
        entry,
        _situation(entry, situation_id),
        applicant_person=None if enterprise else person,
        applicant_enterprise=enterprise,
        agent=person if enterprise else None,
        channel=Channel.ONLINE,
        intake_department_id=None,
        acting=acting_applicant(user),
    )


@transaction.atomic
def start_window_intake(
    clerk: User,
    entry: Entry,
    *,
    situation_id: int | None = None,
    id_number: str = "",
    uscc: str = "",
    name: str = "",
    phone: str = "",
) -> Case:
    """一窗受理: a clerk registers an application brought to the hall, for an applicant identified
    by ID number (a person) or credit code (an enterprise, with the person bringing it as agent)."""
    if not account_access.has_role(clerk, StaffRole.WINDOW_CLERK):
        raise NotYourAction(_("只有窗口人员可以登记窗口收件。"), [])
    _published_entry(entry)
    person = enterprise = None
    if why := audience_problem(entry.published.audience, for_enterprise=bool(uscc.strip())):
        raise ValidationError({"uscc": [_(why)]})
    if uscc.strip():
        enterprise = accounts.enterprise_for_window(name=name, uscc=uscc, phone=phone)
    elif id_number.strip():
        if not name.strip():
            raise ValidationError({"name": [_("请填写申请人姓名。")]})
        person = accounts.person_for_window(name=name.strip(), id_number=id_number, phone=phone)
    else:
        raise ValidationError({"id_number": [_("请填写申请人的身份证号码或统一社会信用代码。")]})
    case = _create_draft(
        clerk,
        entry,
        _situation(entry, situation_id),
        applicant_person=person,
        applicant_enterprise=enterprise,
        agent=None,
        channel=Channel.WINDOW,
        intake_department_id=clerk.staff.department_id,
        acting=acting_staff(clerk, Actor.WINDOW_CLERK),
    )
    if phone:
        case.contact_phone = phone
        Case.objects.filter(pk=case.pk).update(contact_phone=phone)
    return case


def _create_draft(user, entry, situation, *, acting: Acting, **fields) -> Case:
    version = entry.published
    applicant = fields["applicant_enterprise"] or fields["applicant_person"]
    profile = profile_of(fields["applicant_person"] or fields["agent"], fields["applicant_enterprise"])
    case = Case(
        draft_key=uuid.uuid4(),
        created_at=clock.now(),
        updated_at=clock.now(),
        entry=entry,
        version=version,
        situation=situation,
        department_id=entry.department_id,
        division_code=entry.department.division.code,
        created_by=user,
        title=entry.name,
        applicant_name=applicant.name,
        contact_phone=profile.get("phone", ""),
        state=State.DRAFT,
        **fields,
    )
    case.form_data = form_schema.prefill(case_schema(case), profile)
    case.save(force_insert=True)
    _commit(case, acting, "create", {}, reschedule=False, data={"channel": case.channel})
    return case


def _editing(user: User, case: Case) -> Acting:
    """Who is editing a draft (or a correction): its applicant, or the clerk of a window case."""
    if access.is_applicant_of(user, case):
        return acting_applicant(user)
    if case.channel == Channel.WINDOW and Actor.WINDOW_CLERK in access.staff_actors(user, case):
        return acting_staff(user, Actor.WINDOW_CLERK)
    raise NotYourAction(_("您不能修改该申请。"), [])


def open_correction(case: Case) -> Correction | None:
    if case.state != State.CORRECTION_REQUESTED:
        return None
    return case.corrections.filter(answered_at__isnull=True).order_by("-round").first()


def save_form(user: User, case: Case, data: dict[str, Any], *, contact_phone: str | None = None) -> Case:
    """Autosave the form: bad values are refused (named), missing ones allowed until submission.

    In a correction only the fields the correction names may change; the rest stay as submitted.
    """
    _editing(user, case)
    schema = case_schema(case)
    if case.state == State.CORRECTION_REQUESTED:
        correction = open_correction(case)
        allowed = {i["field"] for i in (correction.items if correction else []) if i.get("field")}
        data = {**case.form_data, **{k: v for k, v in data.items() if k in allowed}}
    elif case.state != State.DRAFT:
        raise CaseConflict(_("申请已提交，不能再修改表单。"), allowed=[])
    cleaned = form_schema.clean_data(schema, data, partial=True)
    with transaction.atomic():
        changes: dict[str, Any] = {"form_data": cleaned}
        if contact_phone is not None:
            changes["contact_phone"] = contact_phone.strip()[:20]
        # Autosaves are frequent: they bump the revision but leave no event of their own.
        updated = Case.objects.filter(pk=case.pk, revision=case.revision).update(
            revision=F("revision") + 1, updated_at=clock.now(), **changes
        )
        if not updated:
            raise CaseConflict(_("该申请已在其他地方更新，请刷新后继续。"), code="stale")
        for k, v in changes.items():
            setattr(case, k, v)
        case.revision += 1
    return case


def set_delivery(user: User, case: Case, method: str, *, recipient="", phone="", address="") -> Delivery:
    """The applicant's choice of how to receive the result (before the decision)."""
    _editing(user, case)
    if case.state not in {State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED}:
        raise CaseConflict(_("办件已受理，送达方式请联系窗口变更。"), allowed=[])
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    if method == DeliveryMethod.EXPRESS:
        if not case.version.express_delivery:
            raise ValidationError({"method": [_("该事项不支持快递送达。")]})
        errors = {
            k: [_("快递送达须填写此项。")]
            for k, v in (("recipient", recipient), ("phone", phone), ("address", address))
            if not str(v).strip()
        }
        if errors:
            raise ValidationError(errors)
    delivery, _created = Delivery.objects.update_or_create(
        case=case,
        defaults={
            "method": method,
            "recipient": recipient.strip()[:50],
            "phone": phone.strip()[:20],
            "address": address.strip()[:200],
        },
    )
    return delivery


# --- Materials ---------------------------------------------------------------------------------


def required_materials(case: Case) -> list[Material]:
    """The catalog materials that apply to the case's situation, in guide order (a published
    version's list never changes: `cases.published` keeps it in memory)."""
    return published.published(case.version).materials_for(case.situation_id)


def _uploadable(user: User, case: Case, material: Material | None) -> Acting:
    """Who uploads, if this material may be uploaded now: anything to a draft, only the listed
    materials in a correction, only the pending 容缺 materials after acceptance."""
    acting = _editing(user, case)
    if case.state == State.CORRECTION_REQUESTED:
        correction = open_correction(case)
        listed = {i.get("material") for i in (correction.items if correction else [])}
        if material is None or material.pk not in listed:
            raise CaseConflict(_("补正时只需上传告知书列明的材料。"), allowed=[])
    elif case.state != State.DRAFT and (material is None or material.pk not in case.pending_materials):
        raise CaseConflict(_("办件已提交，只能补交容缺受理时约定的材料。"), allowed=[])
    return acting


def attach_material(
    user: User, case: Case, material_id: int | None, data: bytes, filename: str, *, name: str = ""
) -> CaseMaterial:
    """Store one file against a material of the case (sniffed and size-checked)."""
    material = None
    if material_id not in (None, ""):
        material = next((m for m in required_materials(case) if m.pk == int(material_id)), None)
        if material is None:
            raise ValidationError({"material": [_("该材料不属于本事项的材料清单。")]})
    acting = _uploadable(user, case, material)
    stored = uploads.store_bytes(data, filename, user=user, field="file")
    with transaction.atomic():
        round_ = case.corrections.count() if case.state == State.CORRECTION_REQUESTED else 0
        if material is not None and case.state != State.DRAFT:
            CaseMaterial.objects.filter(case=case, material=material, replaced=False).update(replaced=True)
        received = CaseMaterial.objects.create(
            case=case,
            uploaded_at=clock.now(),
            material=material,
            name=(material.name if material else (name or filename))[:200],
            file=stored,
            uploaded_by=user,
            correction_round=round_,
        )
        changes: dict[str, Any] = {}
        if material is not None and material.pk in case.pending_materials:
            pending = [m for m in case.pending_materials if m != material.pk]
            changes = {"pending_materials": pending}
            if not pending:
                changes.update(commitment_due=None, commitment_overdue=False)
        _commit(
            case,
            acting,
            "attach_material",
            changes,
            reschedule=False,
            data={"material": received.name, "file": str(stored.pk), "sha256": stored.sha256},
        )
    return received


def discard_draft(user: User, case: Case) -> None:
    """The applicant throws away a draft they no longer want (it never had a number)."""
    _editing(user, case)
    if case.state != State.DRAFT:
        raise CaseConflict(_("只有草稿可以删除；已提交的申请可以撤回。"), allowed=[])
    with transaction.atomic():
        # A draft's trace is its own: it goes with the draft (events of a numbered case never do).
        CaseEvent.objects.filter(case=case).delete()
        IdempotencyKey.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk, state=State.DRAFT).delete()


def remove_material(user: User, case: Case, received_id: int) -> None:
    """A draft's file can be taken back; a submitted one is part of the record."""
    acting = _editing(user, case)
    if case.state != State.DRAFT:
        raise CaseConflict(_("申请已提交，材料不能删除。"), allowed=[])
    with transaction.atomic():
        received = CaseMaterial.objects.filter(case=case, pk=received_id).first()
        if received is None:
            raise ValidationError({"material": [_("未找到该材料。")]})
        name = received.name
        received.delete()
        _commit(case, acting, "remove_material", {}, reschedule=False, data={"material": name})


@dataclass(frozen=True)
class ChecklistItem:
    material: Material
    files: list[CaseMaterial]
    necessity: str
    tolerable: bool  # may be missing on submission (容缺受理 of a non-key material)

    @property
    def provided(self) -> bool:
        return bool(self.files)

    @property
    def shared(self) -> bool:
        """An electronic licence the department looks up itself (无需提交); a copy may be attached."""
        return bool(self.material.licence_type_code)

    @property
    def missing(self) -> bool:
        """A required material the applicant has not provided (an e-licence the department looks
        up is never missing): a plain 受理 is refused while one is, 容缺受理 names it."""
        return self.necessity == Necessity.REQUIRED and not self.files and not self.shared

    @property
    def blocking(self) -> bool:
        """Missing, and not one that may be missing on submission (容缺 of a non-key material)."""
        return self.missing and not self.tolerable


def checklist(case: Case, materials: list[CaseMaterial] | None = None) -> list[ChecklistItem]:
    """The live checklist: each material, its files, whether its absence blocks submission.
    `materials`: the case's current (not replaced) files when the caller already has them."""
    received: dict[int | None, list[CaseMaterial]] = {}
    if materials is None:
        materials = list(case.materials.filter(replaced=False).select_related("file").order_by("uploaded_at"))
    for item in materials:
        received.setdefault(item.material_id, []).append(item)
    tolerant = case.version.tolerance_acceptance
    return [
        ChecklistItem(m, received.get(m.pk, []), m.necessity, tolerant and not m.is_key)
        for m in required_materials(case)
    ]


def extra_materials(case: Case) -> list[CaseMaterial]:
    return list(case.materials.filter(material__isnull=True, replaced=False).select_related("file"))


def submission_problems(case: Case) -> dict[str, list[str]]:
    """Everything still missing before submission, each named (fields and materials)."""
    problems: dict[str, list[str]] = {}
    try:
        form_schema.clean_data(case_schema(case), case.form_data)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    for item in checklist(case):
        if item.blocking:
            problems[f"material.{item.material.pk}"] = [
                _("请上传材料：%(name)s。") % {"name": item.material.name}
            ]
    return problems


# --- Submitting ----------------------------------------------------------------------------------


def submit(user: User, case: Case, *, idempotency_key: str = "") -> Case:
    """Submit a draft (the portal's 提交申请, a clerk's intake): the form must be complete and every
    required material attached; one transaction gives the number and the deadlines and writes the
    event and its outbox message. With an Idempotency-Key, a repeat answers the case already
    submitted under that key (`cases.submission` owns the keys)."""
    from yiwang.cases import submission

    if (existing := submission.by_key(user, idempotency_key)) is not None:
        return existing
    acting = _editing(user, case)
    if case.state != State.DRAFT:
        if case.number:  # a double submit of the same draft answers the same case
            return case
        raise CaseConflict(_("该申请不是草稿，不能提交。"), allowed=[])
    problems = submission_problems(case)
    if problems:
        raise ValidationError(problems)
    parts = published.published(case.version)
    try:
        with transaction.atomic():
            now = clock.now()
            changes = {
                "state": State.SUBMITTED,
                "number": numbering.next_number(case.entry.code, timezone.localdate(now)),
                "submitted_at": now,
                "limit_workdays": parts.limit,
                "limit_unit": parts.limit_unit,
                "form_data": form_schema.clean_data(case_schema(case), case.form_data),
            }
            _commit(case, acting, "submit", changes)
            if idempotency_key:
                submission.record_key(user, idempotency_key, case)
    except IntegrityError:
        # The same key raced in from a second request: answer the case that won.
        if (existing := submission.by_key(user, idempotency_key)) is None:
            raise
        return existing
    return case


# --- The procedure ---------------------------------------------------------------------------


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


def _received_on(case: Case) -> dt.date:
    """The day the application (or its correction) was received: acceptance dates from it."""
    return timezone.localdate(case.resubmitted_at or case.submitted_at)


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
            _deem_accepted(case, _target(SYSTEM, "deem_accepted", case), {})
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
        _HANDLERS[action](case, _target(acting, action, case), data)
    return case


def _target(acting: Acting, action: str, case: Case) -> Acting:
    """The acting party, carrying the state the table sends the case to (`_commit` applies it)."""
    resume_to = State(case.suspended_from or State.ACCEPTED)
    return replace(acting, action=action, target=next_state(State(case.state), action, resume_to=resume_to))


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _text(payload: dict, key: str, limit: int = 2000) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise ValidationError({key: [_("应为文字。")]})
    return value.strip()[:limit]


def _request_correction(case: Case, acting: Acting, payload: dict) -> None:
    items = payload["items"]
    if not isinstance(items, list):
        raise ValidationError({"items": [_("补正事项应为列表。")]})
    materials = {m.pk: m for m in required_materials(case)}
    fields = {f["name"]: f for f in case_schema(case).get("fields", [])}
    clean, errors = [], {}
    for i, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        material, field, note = item.get("material"), item.get("field"), str(item.get("note") or "").strip()
        if material not in (None, "") and _int(material) not in materials:
            errors[f"items.{i}.material"] = [_("该材料不属于本事项的材料清单。")]
        if field not in (None, "") and field not in fields:
            errors[f"items.{i}.field"] = [_("表单中没有该字段。")]
        if not note:
            errors[f"items.{i}.note"] = [_("请写明需要补正的内容和要求。")]
        label = (
            materials[_int(material)].name
            if material not in (None, "") and _int(material) in materials
            else fields.get(field, {}).get("label", "")
            if field
            else ""
        )
        clean.append(
            {
                "material": _int(material) if material not in (None, "") else None,
                "field": field or None,
                "label": label,
                "note": note[:500],
            }
        )
    if errors:
        raise ValidationError(errors)
    round_ = case.corrections.count() + 1
    Correction.objects.create(
        case=case, round=round_, items=clean, requested_by=acting.user, requested_at=clock.now()
    )
    _commit(
        case,
        acting,
        "request_correction",
        {"paused_on": today()},
        reason=payload.get("reason", "") or "",
        data={"round": round_, "items": clean},
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _resubmit(case: Case, acting: Acting, payload: dict) -> None:
    correction = open_correction(case)
    problems: dict[str, list[str]] = {}
    if correction is not None:
        for item in correction.items:
            if (
                item.get("material")
                and not case.materials.filter(
                    material_id=item["material"], uploaded_at__gt=correction.requested_at
                ).exists()
            ):
                problems[f"material.{item['material']}"] = [
                    _("请按告知书上传补正材料：%(name)s。") % {"name": item["label"]}
                ]
    try:
        form_schema.clean_data(case_schema(case), case.form_data)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    if problems:
        raise ValidationError(problems)
    if correction is not None:
        Correction.objects.filter(pk=correction.pk).update(answered_at=clock.now())
    # The five days to decide on acceptance start again from the corrected application.
    _commit(
        case,
        acting,
        "resubmit",
        {"paused_on": None, "resubmitted_at": clock.now()},
        data={"round": correction.round if correction else None},
    )


def _accept(case: Case, acting: Acting, payload: dict) -> None:
    # Past the five days the case counts as accepted from receipt (art. 32), whoever records it.
    accepted_on = _received_on(case) if acceptance_overdue(case) else today()
    _commit(case, acting, "accept", {"accepted_on": accepted_on, "review_step": 0})


def _accept_with_pending(case: Case, acting: Acting, payload: dict) -> None:
    wanted = payload["pending_materials"]
    if not isinstance(wanted, list):
        raise ValidationError({"pending_materials": [_("应为材料编号列表。")]})
    items = {i.material.pk: i for i in checklist(case)}
    errors = []
    pending = []
    for raw in wanted:
        item = items.get(_int(raw))
        if item is None:
            errors.append(_("材料 %(id)s 不属于本事项。") % {"id": raw})
        elif item.material.is_key:
            errors.append(_("“%(name)s”是关键材料，不能容缺。") % {"name": item.material.name})
        elif item.provided:
            errors.append(_("“%(name)s”已提交，无需容缺。") % {"name": item.material.name})
        else:
            pending.append(item.material.pk)
    missing_key = [i.material.name for i in items.values() if i.blocking]
    if missing_key:
        errors.append(_("仍缺少关键材料：%(names)s。") % {"names": "、".join(missing_key)})
    if errors:
        raise ValidationError({"pending_materials": errors})
    commitment = _date(payload, "commitment_date")
    if commitment <= today():
        raise ValidationError({"commitment_date": [_("承诺补齐日期应晚于今天。")]})
    _commit(
        case,
        acting,
        "accept_with_pending",
        {
            "accepted_on": _received_on(case) if acceptance_overdue(case) else today(),
            "review_step": 0,
            "pending_materials": pending,
            "commitment_due": commitment,
            "commitment_overdue": False,
        },
        data={"pending": pending, "commitment_date": commitment.isoformat()},
    )


def _date(payload: dict, key: str) -> dt.date:
    value = payload.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({key: [_("日期格式应为 YYYY-MM-DD，且须是真实存在的日期。")]}) from None


def _deem_accepted(case: Case, acting: Acting, payload: dict) -> None:
    """Art. 32: no answer within five working days counts as accepted from receipt."""
    _commit(
        case,
        acting,
        "deem_accepted",
        {"accepted_on": _received_on(case), "review_step": 0},
        reason="受理期限届满未作决定，依法自收到申请之日起视为受理（《行政许可法》第三十二条）",
    )


def _not_accept(case: Case, acting: Acting, payload: dict) -> None:
    reason, remedy = _text(payload, "reason"), with_statutory_remedy(_text(payload, "remedy"))
    _commit(
        case,
        acting,
        "not_accept",
        {
            "decision_reason": reason,
            "remedy": remedy,
            "closed_at": clock.now(),
        },
        reason=reason,
        data={"remedy": remedy},
    )


def _pass_step(case: Case, acting: Acting, payload: dict) -> None:
    step = current_step(case) or {}
    _commit(
        case,
        acting,
        "pass_step",
        {"review_step": case.review_step + 1},
        reason=_text(payload, "opinion"),
        data={"step": step.get("name", "")},
    )


def _suspend(case: Case, acting: Acting, payload: dict) -> None:
    procedure, reason = _text(payload, "procedure", 100), _text(payload, "reason")
    _commit(
        case,
        acting,
        "suspend",
        {
            "suspended_from": case.state,
            "special_procedure": procedure,
            "paused_on": today(),
        },
        reason=reason,
        data={"procedure": procedure},
    )


def _resume(case: Case, acting: Acting, payload: dict) -> None:
    paused = 0
    if case.paused_on:
        calendar = current_calendar()
        try:
            paused = deadlines.paused_workdays(calendar, case.paused_on, today())
        except YearNotInCalendar:  # resumed in a year whose schedule is not entered: Mon-Fri assumed
            assumed = calendar.with_weekdays_assumed(today() + dt.timedelta(days=1))
            paused = deadlines.paused_workdays(assumed, case.paused_on, today())
    _commit(
        case,
        acting,
        "resume",
        {
            "suspended_from": "",
            "special_procedure": "",
            "paused_on": None,
            "paused_workdays": case.paused_workdays + paused,
        },
        reason=_text(payload, "reason"),
        data={"paused_workdays": paused, "procedure": case.special_procedure},
    )


def _extend(case: Case, acting: Acting, payload: dict) -> None:
    days = _int(payload.get("days"))
    if days is None:
        raise ValidationError({"days": [_("应为数字。")]})
    try:
        deadlines.check_extension(days, case.extension_workdays)
    except ValueError:
        raise ValidationError(
            {
                "days": [
                    _("延长期限须为正数，且累计不超过 %(n)s 个工作日（已延长 %(done)s 个工作日）。")
                    % {"n": deadlines.LEGAL_EXTENSION_WORKDAYS, "done": case.extension_workdays}
                ]
            }
        ) from None
    reason = _text(payload, "reason")
    _commit(
        case,
        acting,
        "extend",
        {"extension_workdays": case.extension_workdays + days},
        reason=reason,
        data={"days": days},
    )


def _approve(case: Case, acting: Acting, payload: dict) -> None:
    _commit(case, acting, "approve", {"decided_on": today()}, reason=_text(payload, "opinion"))


def _propose_refusal(case: Case, acting: Acting, payload: dict) -> None:
    """The reviewer's step ends with a proposal to refuse, with reasons; the approver decides."""
    step = current_step(case) or {}
    _commit(
        case,
        acting,
        "propose_refusal",
        {"review_step": case.review_step + 1},
        reason=_text(payload, "reason"),
        data={"step": step.get("name", ""), "proposal": "refuse"},
    )


def _return_step(case: Case, acting: Acting, payload: dict) -> None:
    """Back to the previous review step, with the reasons (退回上一环节)."""
    steps = review_steps(case)
    back = max(case.review_step - 1, 0)
    _commit(
        case,
        acting,
        "return_step",
        {"review_step": back},
        reason=_text(payload, "reason"),
        data={
            "from_step": (current_step(case) or {}).get("name", ""),
            "to_step": steps[back].get("name", ""),
        },
    )


def _refuse(case: Case, acting: Acting, payload: dict) -> None:
    reason, remedy = _text(payload, "reason"), with_statutory_remedy(_text(payload, "remedy"))
    _commit(
        case,
        acting,
        "refuse",
        {"decided_on": today(), "decision_reason": reason, "remedy": remedy},
        reason=reason,
        data={"remedy": remedy},
    )


def _decide_on_the_spot(case: Case, acting: Acting, payload: dict) -> None:
    """即办件: accepted and decided in one sitting."""
    _commit(
        case,
        acting,
        "decide_on_the_spot",
        {"accepted_on": today(), "decided_on": today()},
        reason=_text(payload, "opinion"),
    )


def _approve_on_commitment(case: Case, acting: Acting, payload: dict) -> None:
    """告知承诺制: approved on the applicant's signed commitment; a follow-up check is due."""
    commitment = _text(payload, "commitment", 5000)
    calendar = current_calendar()
    try:
        check_due = calendar.add_workdays(today(), settings.COMMITMENT_CHECK_WORKDAYS)
    except YearNotInCalendar:  # next year's schedule not entered yet: Monday to Friday assumed
        horizon = today() + dt.timedelta(days=366)
        check_due = calendar.with_weekdays_assumed(horizon).add_workdays(
            today(), settings.COMMITMENT_CHECK_WORKDAYS
        )
    _commit(
        case,
        acting,
        "approve_on_commitment",
        {
            "accepted_on": today(),
            "decided_on": today(),
            "commitment_text": commitment,
            "verification_due": check_due,
        },
        data={"verification_due": check_due.isoformat()},
    )


def _complete(case: Case, acting: Acting, payload: dict) -> None:
    """办结. The result is not delivered here: an electronic result once its decision document is
    kept (`deliver_when_ready`, from the documents subscriber), an express one when the carrier
    reports it signed for, a pickup at the window against the pickup code given now."""
    changes: dict[str, Any] = {"state": State.COMPLETED, "closed_at": clock.now()}
    _commit(case, acting, "complete", changes, reason=_text(payload, "opinion"))
    # Every completed case has a pickup code (none chosen yet: window pickup), so the window can
    # always check it, whatever the method turns out to be.
    delivery = Delivery.objects.filter(case=case).first()
    if delivery is None:
        delivery = Delivery.objects.create(case=case, method=DeliveryMethod.PICKUP)
    if not delivery.pickup_code:
        delivery.pickup_code = f"{secrets.randbelow(10**6):06d}"
        delivery.save(update_fields=["pickup_code"])
    case.delivery = delivery


def _deliver(case: Case, acting: Acting, payload: dict) -> None:
    """送达, only when it is true: at the window against the applicant's pickup code; electronically
    once the decision document can be downloaded; by express, handing the result to the carrier
    (the case stays completed, 寄递中) and delivered when the carrier reports it signed for
    (`record_tracking`, through this same action)."""
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, CaseDocument

    method = payload.get("method")
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    delivery, _created = Delivery.objects.get_or_create(case=case, defaults={"method": method})
    case.delivery = delivery
    data: dict[str, Any] = {"method": method}
    if method == DeliveryMethod.PICKUP:
        code = str(payload.get("pickup_code") or "").strip()
        if not code:
            raise ValidationError({"pickup_code": [_("请输入申请人出示的取件码。")]})
        if not delivery.pickup_code or code != delivery.pickup_code:
            raise ValidationError({"pickup_code": [_("取件码不正确，请核对申请人出示的取件码。")]})
        delivery.delivered_at = clock.now()
    elif method == DeliveryMethod.ELECTRONIC:
        decision = (
            CaseDocument.objects.filter(case=case, kind__in=DECISION_DOCUMENT_KINDS).order_by("-pk").first()
        )
        if decision is None:
            raise CaseConflict(
                _("决定文书尚未生成，申请人还不能下载办理结果：文书生成后系统自动电子送达。"),
                code="document_missing",
            )
        data.update(document=decision.pk, sha256=decision.file.sha256)  # what was made available
        delivery.delivered_at = clock.now()
    elif express_in_transit(delivery):
        raise CaseConflict(
            _("办理结果已交寄（运单号 %(number)s），快递签收后即为送达。")
            % {"number": delivery.tracking_number},
            code="in_transit",
        )
    elif delivery.method == DeliveryMethod.EXPRESS and delivery.delivered_at is not None:
        data.update(tracking_number=delivery.tracking_number, signed_at=delivery.delivered_at.isoformat())
    else:
        # Handing it to the carrier: traced, but the case is not delivered until it is signed for.
        for key, limit in (("recipient", 50), ("phone", 20), ("address", 200)):
            if payload.get(key):
                setattr(delivery, key, str(payload[key]).strip()[:limit])
        missing = [k for k in ("recipient", "phone", "address") if not getattr(delivery, k)]
        if missing:
            raise ValidationError({k: [_("快递送达须填写此项。")] for k in missing})
        delivery.method = method
        delivery.tracking_number, delivery.delivered_at = "", None
        delivery.save()
        number = carrier().dispatch(delivery)
        _commit(
            case,
            acting,
            "dispatch",
            {},
            data={"method": method, "carrier": delivery.carrier, "tracking_number": number},
        )
        return
    delivery.method = method
    delivery.save()
    _commit(case, acting, "deliver", {"state": State.DELIVERED}, data=data)


def _withdraw(case: Case, acting: Acting, payload: dict) -> None:
    _commit(
        case,
        acting,
        "withdraw",
        {"closed_at": clock.now(), "paused_on": None},
        reason=_text(payload, "reason"),
    )


def _terminate(case: Case, acting: Acting, payload: dict) -> None:
    reason = _text(payload, "reason")
    _commit(
        case,
        acting,
        "terminate",
        {
            "closed_at": clock.now(),
            "decision_reason": reason,
            "paused_on": None,
        },
        reason=reason,
    )


_HANDLERS = {
    "request_correction": _request_correction,
    "resubmit": _resubmit,
    "accept": _accept,
    "accept_with_pending": _accept_with_pending,
    "deem_accepted": _deem_accepted,
    "not_accept": _not_accept,
    "pass_step": _pass_step,
    "suspend": _suspend,
    "resume": _resume,
    "extend": _extend,
    "approve": _approve,
    "decide_on_the_spot": _decide_on_the_spot,
    "approve_on_commitment": _approve_on_commitment,
    "refuse": _refuse,
    "propose_refusal": _propose_refusal,
    "return_step": _return_step,
    "complete": _complete,
    "deliver": _deliver,
    "withdraw": _withdraw,
    "terminate": _terminate,
}
if set(_HANDLERS) != set(TRANSITIONS) - {"submit"}:  # the table and its handlers are one thing
    raise RuntimeError(f"transitions without a handler: {set(TRANSITIONS) - set(_HANDLERS) - {'submit'}}")


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
        _commit(
            case,
            acting_staff(user, sorted(actors)[0]),
            "verify_commitment",
            {"verified_at": clock.now()},
            reason=note.strip()[:2000],
            data={"result": result},
            reschedule=False,
        )
    return case


def deem_overdue_acceptances(on: dt.date | None = None) -> int:
    """Record deemed acceptance (art. 32) for every submitted case whose five days have passed:
    one read for all of them, then per case only its own writes (the change, its event, its
    outbox message); a case a clerk changed meanwhile is left to that change."""
    on = on or today()
    done = 0
    for case in Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=on).select_related("version"):
        try:
            with transaction.atomic():
                _deem_accepted(case, _target(SYSTEM, "deem_accepted", case), {})
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
                _commit(
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
            _commit(case, SYSTEM, "recompute_deadlines", {}, data={"provisional": False})
        except CaseConflict:
            continue  # changed meanwhile: that change already used the entered year
        done += 1
    return done


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


def express_in_transit(delivery: Delivery | None) -> bool:
    """Handed to the carrier and not yet signed for (寄递中); a parcel returned is no longer."""
    from yiwang.cases.models import TrackingEvent

    if delivery is None or delivery.method != DeliveryMethod.EXPRESS or not delivery.tracking_number:
        return False
    if delivery.delivered_at is not None:
        return False
    last = TrackingEvent.objects.filter(delivery=delivery).order_by("-at", "-id").first()
    return last is None or last.status != "returned"


def store_document(case: Case, kind: str, event_seq: int, data: bytes, *, title: str, text: str = ""):
    """Keep a document the case produced (a PDF) with the case: once per case, kind and event — a
    repeat answers the one already kept. The licences app attaches the signed licence the same way."""
    from yiwang.cases.models import CaseDocument

    existing = CaseDocument.objects.filter(case=case, kind=kind, event_seq=event_seq).first()
    if existing is not None:
        return existing
    stored = uploads.check(
        data, f"{case.number}-{title}.pdf", allowed=("pdf",), max_bytes=50 * 1024 * 1024, field="document"
    )
    uploads.write(stored, data)
    try:
        with transaction.atomic():
            stored.save(force_insert=True)
            return CaseDocument.objects.create(
                case=case,
                kind=kind,
                event_seq=event_seq,
                title=title[:100],
                file=stored,
                text=text,
                created_at=clock.now(),
            )
    except IntegrityError:
        uploads.discard(stored)  # made at the same time by another delivery of the same event
        return CaseDocument.objects.get(case=case, kind=kind, event_seq=event_seq)


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
        act(None, fresh, "deliver", {"method": DeliveryMethod.ELECTRONIC})
    return True
