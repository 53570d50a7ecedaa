"""Applications before submission: drafts started online or at the window, their form, delivery
choice and materials, the checklist, and submitting a draft."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import access as account_access
from yiwang.accounts import services as accounts
from yiwang.accounts.models import AccountKind, Enterprise, Person, StaffRole, User
from yiwang.cases import access, clock, numbering, published
from yiwang.cases.changes import (
    SYSTEM,
    Acting,
    CaseConflict,
    NotYourAction,
    acting_applicant,
    acting_staff,
    commit,
)
from yiwang.cases.models import (
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
    Actor,
    State,
    audience_problem,
)
from yiwang.catalog import form_schema
from yiwang.catalog.models import Entry, EntryStatus, Material, Necessity, Situation
from yiwang.core import uploads
from yiwang.core.models import StoredFile


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
    """The form the applicant fills: the entry's, with the situation's fields appended, less the
    fields that repeat a platform step (送达方式, 联系电话: `form_schema.application_schema`)."""
    return form_schema.application_schema(published.published(case.version).schema_for(case.situation_id))


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
    commit(case, acting, "create", {}, reschedule=False, data={"channel": case.channel})
    return case


def _editing(user: User, case: Case) -> Acting:
    """Who is editing a draft (or a correction): its applicant, or the clerk of a window case.
    A held draft (a bundle's case waiting for its upstream) is edited by nobody."""
    if case.held_reason and case.state == State.DRAFT:
        raise NotYourAction(_("该申请属于一件事，正在等待前置事项办结，将自动提交。"), [])
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


def _listed_material(case: Case, material_id: int | str | None) -> Material | None:
    if material_id in (None, ""):
        return None
    material = next((m for m in required_materials(case) if m.pk == int(material_id)), None)
    if material is None:
        raise ValidationError({"material": [_("该材料不属于本事项的材料清单。")]})
    return material


def attach_material(
    user: User, case: Case, material_id: int | None, data: bytes, filename: str, *, name: str = ""
) -> CaseMaterial:
    """Store one file against a material of the case (sniffed and size-checked)."""
    material = _listed_material(case, material_id)
    acting = _uploadable(user, case, material)
    stored = uploads.store_bytes(data, filename, user=user, field="file")
    name = (material.name if material else (uploads.clean_text(name) or stored.original_name))[:200]
    return _receive(case, acting, material, stored, name)


def attach_licence(
    user: User, case: Case, material_id: int, stored: StoredFile, identifier: str
) -> CaseMaterial:
    """A material provided by an electronic licence the applicant consented to use (三个凡是):
    received like an upload, its file the licence's own document, marked with the licence's
    identifier so the clerk opens it as a verified licence. The licences app checks the licence
    is the applicant's and usable before calling this."""
    material = _listed_material(case, material_id)
    if material is None:
        raise ValidationError({"material": [_("请选择要用电子证照提供的材料。")]})
    acting = _uploadable(user, case, material)
    with transaction.atomic():
        if case.state == State.DRAFT:
            # One licence per material in a draft: a second consent replaces the first.
            CaseMaterial.objects.filter(case=case, material=material).exclude(licence_identifier="").delete()
        return _receive(case, acting, material, stored, material.name[:200], licence_identifier=identifier)


def _receive(
    case: Case,
    acting: Acting,
    material: Material | None,
    stored: StoredFile,
    name: str,
    *,
    licence_identifier: str = "",
) -> CaseMaterial:
    with transaction.atomic():
        round_ = case.corrections.count() if case.state == State.CORRECTION_REQUESTED else 0
        if material is not None and case.state != State.DRAFT:
            CaseMaterial.objects.filter(case=case, material=material, replaced=False).update(replaced=True)
        received = CaseMaterial.objects.create(
            case=case,
            uploaded_at=clock.now(),
            material=material,
            name=name,
            file=stored,
            uploaded_by=acting.user,
            correction_round=round_,
            licence_identifier=licence_identifier,
        )
        changes: dict[str, Any] = {}
        if material is not None and material.pk in case.pending_materials:
            pending = [m for m in case.pending_materials if m != material.pk]
            changes = {"pending_materials": pending}
            if not pending:
                changes.update(commitment_due=None, commitment_overdue=False)
        data = {"material": received.name, "file": str(stored.pk), "sha256": stored.sha256}
        if licence_identifier:
            data["licence"] = licence_identifier
        commit(
            case,
            acting,
            "use_licence" if licence_identifier else "attach_material",
            changes,
            reschedule=False,
            data=data,
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
        commit(case, acting, "remove_material", {}, reschedule=False, data={"material": name})


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


def material_counts(required: list[Material], uploaded: set[int], from_wallet: set[int]) -> dict[str, int]:
    """材料精简 as a submission shows it (the submit event's `materials`, counted by statistics):
    the required materials, and those the applicant handed in no file for because the platform
    had it — an e-licence the department looks up itself (无需提交), or one taken from the
    applicant's wallet. `uploaded`, `from_wallet`: material ids with a file the applicant sent,
    with a wallet licence."""
    spared = sum(
        1 for m in required if m.pk not in uploaded and (m.pk in from_wallet or bool(m.licence_type_code))
    )
    return {"required": len(required), "spared": spared}


def _material_counts(items: list[ChecklistItem]) -> dict[str, int]:
    uploaded = {i.material.pk for i in items if any(not f.licence_identifier for f in i.files)}
    from_wallet = {i.material.pk for i in items if any(f.licence_identifier for f in i.files)}
    required = [i.material for i in items if i.necessity == Necessity.REQUIRED]
    return material_counts(required, uploaded, from_wallet)


def submission_problems(case: Case, items: list[ChecklistItem] | None = None) -> dict[str, list[str]]:
    """Everything still missing before submission, each named (fields and materials); `items`:
    the checklist when the caller has it."""
    problems: dict[str, list[str]] = {}
    try:
        form_schema.clean_data(case_schema(case), case.form_data)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    for item in checklist(case) if items is None else items:
        if item.blocking:
            problems[f"material.{item.material.pk}"] = [
                _("请上传材料：%(name)s。") % {"name": item.material.name}
            ]
    return problems


def _submitted(case: Case, parts: published.Published, now) -> dict[str, Any]:
    """What submitting a draft changes: its number, the moment, the guide's limit, the clean form."""
    return {
        "state": State.SUBMITTED,
        "number": numbering.next_number(case.entry.code, timezone.localdate(now)),
        "submitted_at": now,
        "limit_workdays": parts.limit,
        "limit_unit": parts.limit_unit,
        "form_data": form_schema.clean_data(case_schema(case), case.form_data),
    }


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
    items = checklist(case)
    problems = submission_problems(case, items)
    if problems:
        raise ValidationError(problems)
    parts = published.published(case.version)
    try:
        with transaction.atomic():
            now = clock.now()
            commit(
                case,
                acting,
                "submit",
                _submitted(case, parts, now),
                data={"materials": _material_counts(items)},
            )
            if idempotency_key:
                submission.record_key(user, idempotency_key, case)
    except IntegrityError:
        # The same key raced in from a second request: answer the case that won.
        if (existing := submission.by_key(user, idempotency_key)) is None:
            raise
        return existing
    return case


# --- Held drafts (a bundle's waiting cases) ------------------------------------------------------


@dataclass(frozen=True)
class Provided:
    """A material a holder provides when it releases a held draft: an upstream case's licence."""

    material_id: int
    file: StoredFile
    licence_identifier: str
    note: str


def release(case: Case, provided: list[Provided], form_data: dict[str, Any], *, data: dict[str, Any]) -> Case:
    """Submit a held draft by the system, with no action by the applicant (一链通办): the licences
    its upstream cases issued become its materials, their values fill its form, and it is submitted
    (numbered, its statutory clock started). Raises ValidationError naming what is still missing;
    the draft then stays held. Run inside the holder's transaction."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state != State.DRAFT or not case.held_reason:
        return case
    merged = {**(case.form_data or {}), **form_data}
    materials = {m.pk: m for m in required_materials(case)}
    now = clock.now()
    for item in provided:
        material = materials.get(item.material_id)
        if material is None:
            continue
        CaseMaterial.objects.filter(case=case, material=material).delete()
        received = CaseMaterial.objects.create(
            case=case,
            uploaded_at=now,
            material=material,
            name=material.name[:200],
            file=item.file,
            uploaded_by=None,
            licence_identifier=item.licence_identifier,
        )
        commit(
            case,
            SYSTEM,
            "use_licence",
            {},
            reschedule=False,
            data={
                "material": received.name,
                "file": str(item.file.pk),
                "sha256": item.file.sha256,
                "licence": item.licence_identifier,
                "note": item.note,
            },
        )
    case.form_data = form_schema.clean_data(case_schema(case), merged, partial=True)
    items = checklist(case)
    problems = submission_problems(case, items)
    if problems:
        raise ValidationError(problems)
    parts = published.published(case.version)
    data = {**(data or {}), "materials": _material_counts(items)}
    commit(case, SYSTEM, "submit", {**_submitted(case, parts, now), "held_reason": ""}, data=data)
    return case


def hold(case: Case, reason: str) -> None:
    """Change why a held draft waits (a bundle's upstream stopped: it will not start)."""
    Case.objects.filter(pk=case.pk, state=State.DRAFT).exclude(held_reason="").update(
        held_reason=reason[:200]
    )
