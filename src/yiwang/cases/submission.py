"""Applying in one transaction: everything checked first, then the case written whole.

`apply` is the one path by which a complete application becomes a case: the API's `POST /cases`
(and through it a client's retry with the same `Idempotency-Key`). It checks the entry, the
applicant, the situation, the form, every file and the delivery choice without writing anything,
then writes, in ONE transaction: the case number (one upsert returning the counter), the case
directly in its state with its deadlines, its files, materials and events (bulk inserts), the
delivery choice, the Idempotency-Key and the outbox message. Either the case exists submitted or
nothing does: a crash cannot leave a draft behind a key.

An application with problems is answered with every problem named; what was right is kept as a
draft (in the same single transaction) so nothing the applicant sent is lost, and its key is not
taken, so the corrected retry under the same key submits.

Idempotency is owned here (`by_key`, `record_key`): a key is bound to a case in the transaction
that creates it, and de-duplicated by the table's unique constraint when two requests race.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import access as account_access
from yiwang.accounts import services as accounts
from yiwang.accounts.models import AccountKind, Enterprise, Person, StaffRole, User
from yiwang.cases import clock, numbering, trace
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    Delivery,
    DeliveryMethod,
    IdempotencyKey,
)
from yiwang.cases.published import Published, published
from yiwang.cases.rules import Actor, State, audience_problem
from yiwang.catalog import form_schema
from yiwang.catalog.models import Entry, EntryStatus, Necessity
from yiwang.core import rows, uploads
from yiwang.core.models import StoredFile


@dataclass(frozen=True)
class FileIn:
    material: int | None
    name: str
    filename: str
    data: bytes
    stored: StoredFile | None = None  # checked already (a bundle's file several cases share)
    licence_identifier: str = ""  # the file is this e-licence's document, used with consent


@dataclass
class ApplicationIn:
    entry: Entry  # with `published` and `department__division` loaded
    situation_id: int | None = None
    enterprise_uscc: str | None = None  # an agent applying for an enterprise
    applicant: dict[str, str] | None = None  # window intake: name, id_number, uscc, phone
    form_data: dict[str, Any] = field(default_factory=dict)
    contact_phone: str | None = None
    files: list[FileIn] = field(default_factory=list)
    delivery: dict[str, str] | None = None
    submit: bool = True
    held_reason: str = ""  # a draft held by a bundle until its upstream case completes
    event_data: dict[str, Any] = field(default_factory=dict)  # on the submit event (e.g. the bundle)
    materials_required: bool = True  # False where a holder provides some later (an upstream licence)


class Rejected(Exception):
    """The application has problems (422, or 413 when a file is too large); `draft` keeps what was
    right, or is None when not even a draft could be made (unknown entry, applicant)."""

    def __init__(self, problems: dict[str, list[str]], draft: Case | None, *, too_large: bool = False):
        self.problems, self.draft, self.too_large = problems, draft, too_large
        super().__init__(problems)


# --- Idempotency ---------------------------------------------------------------------------------


def by_key(user: User, key: str) -> Case | None:
    """The case an earlier request of `user` created under `key`, if any."""
    if not key:
        return None
    row = IdempotencyKey.objects.filter(user=user, key=key[:100]).select_related("case").first()
    return row.case if row else None


def record_key(user: User, key: str, case: Case) -> None:
    """Bind `key` to `case` inside the creating transaction; a concurrent twin raises
    IntegrityError (its transaction then rolls back whole and answers the winner's case)."""
    rows.insert([_key_row(user, key, case)])


def _key_row(user: User, key: str, case: Case) -> IdempotencyKey:
    return rows.new(IdempotencyKey, user=user, key=key[:100], case_id=case.pk, created_at=timezone.now())


# --- Checking ------------------------------------------------------------------------------------


@dataclass
class _Who:
    acting_label: str
    actor: Actor
    department_id: int | None
    channel: str
    person: Person | None = None
    enterprise: Enterprise | None = None
    agent: Person | None = None
    intake_department_id: int | None = None
    window: dict[str, str] | None = None  # identified inside the transaction (may record a person)
    phone: str = ""
    department: Any = None  # the acting clerk's department (for the trace)


def _who(user: User, app: ApplicationIn) -> _Who:
    from yiwang.cases.models import ACTOR_ROLE_LABELS

    if account_access.has_role(user, StaffRole.WINDOW_CLERK):
        department = user.staff.department
        applicant = {k: str(v or "").strip() for k, v in (app.applicant or {}).items()}
        if not applicant.get("uscc") and not applicant.get("id_number"):
            raise ValidationError({"id_number": [_("请填写申请人的身份证号码或统一社会信用代码。")]})
        if applicant.get("id_number") and not applicant.get("uscc") and not applicant.get("name"):
            raise ValidationError({"name": [_("请填写申请人姓名。")]})
        return _Who(
            f"{ACTOR_ROLE_LABELS[Actor.WINDOW_CLERK]}（{department.name}）",
            Actor.WINDOW_CLERK,
            department.pk,
            Channel.WINDOW,
            intake_department_id=department.pk,
            window=applicant,
            phone=applicant.get("phone", ""),
            department=department,
        )
    person = getattr(user, "person", None) if user.kind == AccountKind.PERSON else None
    enterprise = None
    if user.kind == AccountKind.ENTERPRISE:
        enterprise = user.enterprise
    elif app.enterprise_uscc:
        enterprise = Enterprise.objects.filter(uscc=app.enterprise_uscc.strip().upper()).first()
        if enterprise is None or not account_access.can_act_for(user, enterprise):
            raise ValidationError({"enterprise": [_("您不是该单位授权的经办人。")]})
    if person is None and enterprise is None:
        raise ValidationError({"__all__": [_("请先完成实名认证后再申请。")]})
    return _Who(
        ACTOR_ROLE_LABELS[Actor.APPLICANT],
        Actor.APPLICANT,
        None,
        Channel.ONLINE,
        person=None if enterprise else person,
        enterprise=enterprise,
        agent=person if enterprise else None,
    )


def _window_enterprise(who: _Who) -> bool:
    return bool(who.window and who.window.get("uscc"))


def _profile(who: _Who) -> dict[str, str]:
    from yiwang.cases.drafts import profile_of

    return profile_of(who.person or who.agent, who.enterprise)


@dataclass
class _Checked:
    parts: Published
    form: dict[str, Any]
    files: list[tuple[FileIn, StoredFile]]
    delivery: dict[str, str] | None
    problems: dict[str, list[str]]
    too_large: bool
    material_counts: dict[str, int]  # drafts.material_counts, for the submit event


def _check(user: User, app: ApplicationIn, who: _Who) -> _Checked:
    entry = app.entry
    if entry.published_id is None or entry.status != EntryStatus.ACTIVE:
        raise ValidationError({"entry": [_("该事项当前未发布或已暂停办理，不能申请。")]})
    parts = published(entry.published)
    if why := audience_problem(
        parts.audience, for_enterprise=who.enterprise is not None or _window_enterprise(who)
    ):
        raise ValidationError({"uscc" if who.window is not None else "enterprise": [_(why)]})
    if app.situation_id in (None, ""):
        if parts.situations:
            raise ValidationError({"situation": [_("请选择办理情形。")]})
    elif app.situation_id not in parts.situations:
        raise ValidationError({"situation": [_("所选情形不属于该事项。")]})
    problems: dict[str, list[str]] = {}
    schema = form_schema.application_schema(parts.schema_for(app.situation_id))  # as drafts.case_schema
    data = {**form_schema.prefill(schema, _profile(who)), **(app.form_data or {})}
    form, form_errors = form_schema.clean_and_report(schema, data, partial=not app.submit)
    problems.update(form_errors)

    materials = {m.pk: m for m in parts.materials_for(app.situation_id)}
    files: list[tuple[FileIn, StoredFile]] = []
    too_large = False
    for i, f in enumerate(app.files):
        if f.material is not None and f.material not in materials:
            problems[f"materials.{i}.material"] = [_("该材料不属于本事项的材料清单。")]
            continue
        if f.stored is not None:
            files.append((f, f.stored))
            continue
        try:
            files.append((f, uploads.check(f.data, f.filename, user=user, field="file")))
        except ValidationError as exc:
            too_large = too_large or any(e.code == "too_large" for e in exc.error_dict.get("file", []))
            for message in exc.message_dict.get("file", []):
                problems.setdefault("file", []).append(message)
                problems.setdefault(f"materials.{i}.file", []).append(message)

    if app.submit and app.materials_required:
        from yiwang.cases.drafts import ChecklistItem

        provided = {f.material for f, _stored in files}
        for m in materials.values():
            item = ChecklistItem(
                m,
                [m] if m.pk in provided else [],
                m.necessity,
                parts.tolerance_acceptance and not m.is_key,  # [m]: "a file of this request"
            )
            if item.blocking:  # the checklist's own rule, over the files of this request
                problems[f"material.{m.pk}"] = [_("请上传材料：%(name)s。") % {"name": m.name}]

    delivery = None
    if app.delivery is not None:
        delivery = {
            k: str(app.delivery.get(k) or "").strip() for k in ("method", "recipient", "phone", "address")
        }
        if delivery["method"] not in DeliveryMethod.values:
            problems["delivery.method"] = [_("请选择送达方式。")]
            delivery = None
        elif delivery["method"] == DeliveryMethod.EXPRESS:
            if not parts.express_delivery:
                problems["delivery.method"] = [_("该事项不支持快递送达。")]
                delivery = None
            else:
                for k in ("recipient", "phone", "address"):
                    if not delivery[k]:
                        problems[f"delivery.{k}"] = [_("快递送达须填写此项。")]
    from yiwang.cases.drafts import material_counts

    uploaded = {f.material for f, _stored in files if f.material is not None and not f.licence_identifier}
    from_wallet = {f.material for f, _stored in files if f.material is not None and f.licence_identifier}
    required = [m for m in materials.values() if m.necessity == Necessity.REQUIRED]
    counts = material_counts(required, uploaded, from_wallet)
    return _Checked(parts, form, files, delivery, problems, too_large, counts)


# --- Writing -------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """An application checked and ready to write (`prepare`, then `write` in the caller's
    transaction): how a bundle writes several cases in one transaction."""

    app: ApplicationIn
    who: _Who
    checked: _Checked

    @property
    def problems(self) -> dict[str, list[str]]:
        return self.checked.problems

    @property
    def parts(self) -> Published:
        return self.checked.parts

    @property
    def files(self) -> list[tuple[FileIn, StoredFile]]:
        return self.checked.files


def prepare(user: User, app: ApplicationIn) -> Prepared:
    """Check everything without writing. Raises ValidationError when nothing could be kept."""
    who = _who(user, app)
    return Prepared(app, who, _check(user, app, who))


def write(user: User, prepared: Prepared, *, submit: bool, key: str = "", files_stored: bool = False) -> Case:
    """Write a prepared case (inside the caller's transaction). `files_stored`: the caller wrote
    the StoredFile rows already (a file several cases share is one row)."""
    return _write(
        user, prepared.app, prepared.who, prepared.checked, submit=submit, key=key, files_stored=files_stored
    )


def apply(user: User, app: ApplicationIn, *, idempotency_key: str = "") -> tuple[Case, bool]:
    """Create the case in one transaction; returns (case, created). A key already used by `user`
    answers its case (created False). Raises Rejected (with the draft kept) or ValidationError
    (nothing could be kept)."""
    key = idempotency_key.strip()[:100]
    who = _who(user, app)
    checked = _check(user, app, who)
    submit = app.submit and not checked.problems
    for f, stored in checked.files:  # bytes first: the rows that name them come in the transaction
        uploads.write(stored, f.data)
    try:
        with transaction.atomic():
            case = _write(user, app, who, checked, submit=submit, key=key if not checked.problems else "")
    except IntegrityError:
        for _f, stored in checked.files:
            uploads.discard(stored)
        existing = by_key(user, key)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        for _f, stored in checked.files:
            uploads.discard(stored)
        raise
    if checked.problems:
        raise Rejected(checked.problems, case, too_large=checked.too_large)
    return case, True


def _write(
    user: User,
    app: ApplicationIn,
    who: _Who,
    checked: _Checked,
    *,
    submit: bool,
    key: str,
    files_stored: bool = False,
) -> Case:
    from yiwang.cases.changes import event_message, schedule_fields

    entry, parts = app.entry, checked.parts
    if who.window is not None:
        if who.window.get("uscc"):
            who.enterprise = accounts.enterprise_for_window(
                name=who.window.get("name", ""), uscc=who.window["uscc"], phone=who.phone
            )
        else:
            who.person = accounts.person_for_window(
                name=who.window["name"], id_number=who.window["id_number"], phone=who.phone
            )
    applicant = who.enterprise or who.person
    profile = _profile(who)
    now = clock.now()
    contact = app.contact_phone if app.contact_phone is not None else (who.phone or profile.get("phone", ""))
    case = rows.new(
        Case,
        draft_key=uuid.uuid4(),
        created_at=now,
        updated_at=now,
        entry=entry,
        version=entry.published,
        department=entry.department,
        situation_id=app.situation_id or None,
        division_code=entry.department.division.code,
        intake_department_id=who.intake_department_id,
        channel=who.channel,
        state=State.DRAFT,
        applicant_person=who.person if not who.enterprise else None,
        applicant_enterprise=who.enterprise,
        agent=who.agent,
        applicant_name=applicant.name,
        created_by=user,
        title=entry.name,
        form_data=checked.form,
        contact_phone=(contact or "").strip()[:20],
        held_reason=app.held_reason[:200],
    )
    if submit:
        case.state = State.SUBMITTED
        case.submitted_at = now
        case.limit_workdays, case.limit_unit = parts.limit, parts.limit_unit
        for k, v in schedule_fields(case).items():
            setattr(case, k, v)

    # The events, chained in memory: create, one per file, submit.
    actor_id, actor_ref = user.pk, trace.actor_ref(user)
    events: list[CaseEvent] = []

    def event(action: str, from_state: str, to_state: str, data: dict[str, Any]) -> None:
        events.append(
            rows.new(
                CaseEvent,
                seq=len(events) + 1,
                at=now,
                actor_id=actor_id,
                actor_ref=actor_ref,
                actor_role=who.actor.value,
                actor_department_id=who.department_id,
                actor_label=who.acting_label,
                action=action,
                from_state=from_state,
                to_state=to_state,
                reason="",
                data=data,
            )
        )

    event("create", State.DRAFT, State.DRAFT, {"channel": case.channel})
    received: list[CaseMaterial] = []
    materials = {m.pk: m for m in parts.materials_for(app.situation_id)}
    for f, stored in checked.files:
        material = materials.get(f.material) if f.material is not None else None
        name = (material.name if material else (uploads.clean_text(f.name) or stored.original_name))[:200]
        received.append(
            rows.new(
                CaseMaterial,
                material_id=material.pk if material else None,
                name=name,
                file=stored,
                uploaded_by_id=actor_id,
                uploaded_at=now,
                licence_identifier=f.licence_identifier,
            )
        )
        data = {"material": name, "file": str(stored.pk), "sha256": stored.sha256}
        if f.licence_identifier:
            data["licence"] = f.licence_identifier
        event("use_licence" if f.licence_identifier else "attach_material", State.DRAFT, State.DRAFT, data)
    if submit:
        event(
            "submit", State.DRAFT, State.SUBMITTED, {**app.event_data, "materials": checked.material_counts}
        )
    case.event_count = len(events)
    case.revision = len(events)

    # Each event's hash names the case by its draft_key, known before the row is written.
    prev = ""
    for e in events:
        e.prev_hash = prev
        e.hash = prev = trace.hash_of(e, case.draft_key)
    case.last_event_hash = prev
    reserved = None
    if submit:
        # On PostgreSQL the case's key and its events' come with the number, so every row below
        # goes in one statement (`rows.insert_all`); elsewhere `reserved` is None. Neither the
        # deadlines nor the events' hashes name the number: it is taken last, as late in the
        # transaction as it can be, and the counter's row lock is held the shorter.
        case.number, reserved = numbering.take(
            entry.code, timezone.localdate(now), reserve=((Case, 1), (CaseEvent, len(events)))
        )
    # Hand-written INSERTs (`core.rows`): the ORM's statement building was half of a
    # submission's CPU. With the keys reserved, one statement for every table; otherwise the
    # case first (its key names it in the others), then the events (the outbox message names the
    # last), then the rest.
    if reserved is not None:
        ((case.pk,), event_ids) = reserved
        for e, pk in zip(events, event_ids, strict=True):
            e.pk = pk
    else:
        rows.insert([case])
    for obj in (*received, *events):
        obj.case_id = case.pk
    if reserved is None:
        rows.insert(events)
    groups: list[list[Any]] = [[case], events] if reserved is not None else []
    if key:
        groups.append([_key_row(user, key, case)])
    if checked.files and not files_stored:
        groups.append([stored for _f, stored in checked.files])
    groups.append(received)
    if checked.delivery is not None:
        d = checked.delivery
        case.delivery = rows.new(
            Delivery,
            case=case,
            method=d["method"],
            recipient=d["recipient"][:50],
            phone=d["phone"][:20],
            address=d["address"][:200],
        )
        groups.append([case.delivery])
    else:
        Case.delivery.related.set_cached_value(case, None)  # known absent: no query to find out
    if submit:
        groups.append([event_message(case, events[-1])])
    rows.insert_all(groups)
    # The answer is built from what is in memory (`queries.case_detail(materials=, events=)`).
    for e in events:
        e.actor_department = who.department
    if who.actor == Actor.APPLICANT:
        case.__dict__["_applicant_of"] = {user.pk: True}
    case.created_events, case.created_materials = events, received
    return case
