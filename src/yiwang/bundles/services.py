"""Every state change of bundles: defining and publishing them, applying once for all their cases,
and moving a chain on when an upstream case completes or stops it.

Applying (`apply`) checks the whole application first (answers, the one form, every distinct
material, delivery) without writing; then ONE transaction writes the parent application, one case
per selected entry (submitted at once, or a held draft while it waits for its upstream), one file
row per distinct upload however many cases use it, and the outbox message of the one notice. All or
nothing, and idempotent per account and `Idempotency-Key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from yiwang.accounts.models import User
from yiwang.bundles import access, checks, queries, rules
from yiwang.bundles.definition import Definition, EntryFacts
from yiwang.bundles.models import (
    Bundle,
    BundleApplication,
    BundleMember,
    BundleVersion,
    MemberState,
)
from yiwang.cases import clock, numbering, submission
from yiwang.catalog import services as catalog_services
from yiwang.catalog.models import VersionState
from yiwang.core import generations, outbox, rows, uploads
from yiwang.core.models import Division


class StateConflict(Exception):
    """An action the version's or application's state does not allow (409)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class Rejected(Exception):
    """The application has problems (422; 413 when a file is too large): nothing was written."""

    def __init__(self, problems: dict[str, list[str]], *, too_large: bool = False):
        self.problems, self.too_large = problems, too_large
        super().__init__(problems)


# --- Definitions -------------------------------------------------------------------------------


def parse_definition(document: Any) -> Definition:
    """A definition document, typed; a malformed one is refused naming where. It arrives as JSON
    typed into a page, so text no database stores (NUL, a lone surrogate) is refused here too, and
    a combined form the definition writes out is checked like any form."""
    from yiwang.catalog import form_schema
    from yiwang.core import storable, validation

    found = storable.problems(document)
    if found:
        where = ".".join(str(p) for p in found[0][0]) or "-"
        message = validation.message_for({"type": found[0][1]})
        raise ValidationError(
            {"definition": [_("定义第 %(where)s 项有误：%(msg)s") % {"where": where, "msg": message}]}
        )
    try:
        definition = Definition.model_validate(document)
    except SchemaError as exc:
        messages = []
        for error in exc.errors()[:10]:
            where = ".".join(str(p) for p in error["loc"])
            messages.append(
                _("定义第 %(where)s 项有误：%(msg)s") % {"where": where or "-", "msg": error["msg"]}
            )
        raise ValidationError({"definition": messages}) from None
    if definition.fields and (errors := form_schema.schema_errors({"fields": list(definition.fields)})):
        raise ValidationError({"definition": errors})
    return definition


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def create_bundle(user: User | None, *, code: str, name: str, division: Division) -> BundleVersion:
    """A new bundle with its first draft version (empty until saved)."""
    if user is not None:
        _require(access.can_create(user))
    code = (code or "").strip()
    if Bundle.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("代码“%(code)s”已被使用。") % {"code": code}]})
    bundle = Bundle.objects.create(code=code, name=name.strip()[:100], division=division, is_active=True)
    if user is not None and not access.can_edit(user, bundle):
        raise PermissionDenied
    return BundleVersion.objects.create(bundle=bundle, number=1, name=bundle.name, created_by=user)


def open_draft(bundle: Bundle) -> BundleVersion | None:
    return (
        bundle.versions.filter(state__in=[VersionState.DRAFT, VersionState.RETURNED, VersionState.SUBMITTED])
        .order_by("-number")
        .first()
    )


@transaction.atomic
def start_new_draft(bundle: Bundle, user: User | None) -> BundleVersion:
    """Edit a published bundle: copy its newest version into a draft (or return the open one)."""
    if user is not None:
        _require(access.can_edit(user, bundle))
    Bundle.objects.select_for_update().get(pk=bundle.pk)
    if (draft := open_draft(bundle)) is not None:
        return draft
    newest = bundle.versions.order_by("-number").first()
    assert newest is not None
    return BundleVersion.objects.create(
        bundle=bundle,
        number=newest.number + 1,
        name=newest.name,
        plain_title=newest.plain_title,
        aliases=newest.aliases,
        audience=newest.audience,
        summary=newest.summary,
        definition=newest.definition,
        created_by=user,
    )


def save_draft(version: BundleVersion, user: User | None, **content: Any) -> list[str]:
    """Save a draft's content; returns what would still keep it from being published."""
    bundle = version.bundle
    if user is not None:
        _require(access.can_edit(user, bundle))
    if not version.is_editable:
        raise StateConflict(_("只有编制中或已退回的版本可以修改。"))
    if "definition" in content:
        definition = parse_definition(content["definition"])
        content["definition"] = definition.model_dump(mode="json", exclude_defaults=True)
    for key in ("name", "plain_title", "summary", "audience", "aliases", "definition"):
        if key in content:
            setattr(version, key, content[key])
    if not (version.name or "").strip():
        raise ValidationError({"name": [_("请填写一件事的名称。")]})
    version.save()
    return publish_problems(version)


def publish_problems(version: BundleVersion) -> list[str]:
    if not version.definition:
        return [_("请先定义一件事包含的事项。")]
    definition, facts = queries.facts_of(version)
    return checks.problems(definition, facts, version.audience)


def _blocking(version: BundleVersion) -> None:
    found = publish_problems(version)
    if found:
        raise ValidationError({"definition": found})


@transaction.atomic
def submit_version(version: BundleVersion, user: User | None) -> BundleVersion:
    if user is not None:
        _require(access.can_edit(user, version.bundle))
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise StateConflict(_("只有编制中或已退回的版本可以提交审核。"))
    _blocking(version)
    version.state, version.submitted_at, version.submitted_by = VersionState.SUBMITTED, timezone.now(), user
    version.save(update_fields=["state", "submitted_at", "submitted_by"])
    return version


@transaction.atomic
def return_version(version: BundleVersion, user: User | None, comment: str) -> BundleVersion:
    if user is not None:
        _require(access.can_review(user, version.bundle))
    try:
        return catalog_services.send_back(version, user, comment)
    except catalog_services.StateConflict as exc:
        raise StateConflict(exc.message) from None


@transaction.atomic
def publish_version(version: BundleVersion, user: User | None, comment: str = "") -> BundleVersion:
    """The reviewer publishes; the checks run again on the entries as they are now."""
    if user is not None:
        _require(access.can_review(user, version.bundle))
    bundle = Bundle.objects.select_for_update().get(pk=version.bundle_id)
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.SUBMITTED:
        raise StateConflict(_("只有待审核的版本可以发布。"))
    if user is not None and version.created_by_id == user.pk:
        raise StateConflict(_("审核人不能发布自己编制的版本。"))
    _blocking(version)
    now = timezone.now()
    bundle.versions.filter(state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)
    version.state, version.reviewed_at, version.reviewed_by = VersionState.PUBLISHED, now, user
    version.published_at, version.review_comment = now, comment
    version.save(update_fields=["state", "reviewed_at", "reviewed_by", "published_at", "review_comment"])
    bundle.published, bundle.name = version, version.name
    bundle.search_text = " ".join([version.name, version.plain_title, *map(str, version.aliases or [])])
    bundle.save(update_fields=["published", "name", "search_text"])
    generations.bump(generations.CATALOG)  # the portal's search shows bundles above entries
    return version


# --- Applying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileIn:
    material: str  # the merged material's key (`rules.MergedMaterial.key`)
    filename: str
    data: bytes


@dataclass
class ApplicationIn:
    bundle: Bundle
    answers: dict[str, Any]
    form_data: dict[str, Any]
    files: list[FileIn]
    delivery: dict[str, str] | None = None
    contact_phone: str | None = None
    applicant: dict[str, str] | None = None  # window intake (一窗受理)
    enterprise_uscc: str | None = None
    # The applicant's consent to use e-licences they hold (三个凡是): material key -> identifier.
    licences: dict[str, str] = field(default_factory=dict)


def by_key(user: User, key: str) -> BundleApplication | None:
    if not key:
        return None
    return BundleApplication.objects.filter(created_by=user, idempotency_key=key[:100]).first()


def _waiting_reason(after: tuple[str, ...], facts: dict[str, EntryFacts]) -> str:
    names = "、".join(facts[a].name for a in after)
    return _("等待前置事项办结：%(names)s") % {"names": names}


def apply(user: User, app: ApplicationIn, *, idempotency_key: str = "") -> tuple[BundleApplication, bool]:
    """One application for the whole bundle; returns (application, created)."""
    key = (idempotency_key or "").strip()[:100]
    if (existing := by_key(user, key)) is not None:
        return existing, False
    bundle = app.bundle
    version = bundle.published
    if version is None or not bundle.is_active:
        raise ValidationError({"bundle": [_("该一件事当前未发布，不能申请。")]})
    BundleVersion.bundle.field.set_cached_value(version, bundle)  # its division came with it
    definition, facts, entries = queries.facts_and_entries(version)
    problems: dict[str, list[str]] = {}
    answers, answer_problems = rules.clean_answers(definition, app.answers)
    problems.update(answer_problems)
    if problems:
        raise Rejected(problems)
    selected = rules.select(definition, answers, facts)
    if not selected:
        raise Rejected(
            {"answers": [_("按您的回答，本一件事没有需要办理的事项。请检查回答，或直接办理单个事项。")]}
        )
    for s in selected:
        f = facts.get(s.member.entry)
        if f is None or not f.published or s.member.entry not in entries:
            problems.setdefault("bundle", []).append(
                _("事项“%(name)s”当前暂停办理，暂不能申请本一件事。")
                % {"name": f.name if f else s.member.entry}
            )
        elif not f.department_open:
            problems.setdefault("bundle", []).append(
                _("事项“%(name)s”的办理部门暂停受理，暂不能申请本一件事。") % {"name": f.name}
            )
    if problems:
        raise Rejected(problems)

    merged = rules.merged_materials(definition, selected, facts)
    by_material = {m.key: m for m in merged}
    too_large = False
    checked_files: list[tuple[FileIn, Any]] = []
    for i, f in enumerate(app.files):
        if f.material not in by_material:
            problems[f"materials.{i}.material"] = [_("该材料不属于本一件事的材料清单。")]
            continue
        try:
            checked_files.append((f, uploads.check(f.data, f.filename, user=user, field="file")))
        except ValidationError as exc:
            too_large = too_large or any(e.code == "too_large" for e in exc.error_dict.get("file", []))
            problems[f"materials.{i}.file"] = exc.message_dict.get("file", [])
    provided = {f.material for f, _stored in checked_files}
    for m in merged:
        if m.required and not m.from_upstream and m.key not in provided:
            problems[f"material.{m.key}"] = [_("请上传材料：%(name)s。") % {"name": m.name}]

    # Each case, checked as a single application would be (its form, its files, delivery).
    prepared: list[tuple[rules.Selected, submission.Prepared]] = []
    material_of: dict[tuple[str, int], str] = {(c, i): m.key for m in merged for c, i in m.ids.items()}
    for s in selected:
        entry = entries[s.member.entry]
        f = facts[s.member.entry]
        situation_id = _situation_id(entry, s.situation)
        waiting = bool(s.after)
        member_files = [
            submission.FileIn(by_material[fi.material].ids[entry.code], f.name, fi.filename, fi.data, stored)
            for fi, stored in checked_files
            if entry.code in by_material[fi.material].ids
        ]
        one = submission.ApplicationIn(
            entry=entry,
            situation_id=situation_id,
            enterprise_uscc=app.enterprise_uscc,
            applicant=app.applicant,
            form_data=rules.member_form(definition, entry.code, s.situation, facts, app.form_data),
            contact_phone=app.contact_phone,
            files=member_files,
            delivery=app.delivery,
            submit=not waiting,
            held_reason=_waiting_reason(s.after, facts) if waiting else "",
            materials_required=False,  # the merged list above named every missing material once
        )
        try:
            p = submission.prepare(user, one)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                problems.setdefault(k, []).extend(m for m in v if m not in problems.get(k, []))
            continue
        licence_fields = rules.licence_sourced(definition, entry.code, f, s.situation)
        for k, v in p.problems.items():
            if k in licence_fields or k in ("file",) or k.startswith("materials."):
                continue
            if k.startswith("material."):
                k = f"material.{material_of.get((entry.code, int(k.split('.')[1])), k)}"
            else:
                k = rules.source_of(definition, entry.code, k) or k
            problems.setdefault(k, []).extend(m for m in v if m not in problems.get(k, []))
        prepared.append((s, p))
    wallet = _wallet(app, by_material, prepared, problems)
    if problems:
        raise Rejected(problems, too_large=too_large)

    days, _path = rules.critical_path(selected, facts)
    saved = rules.savings(definition, selected, facts)
    distinct = list({id(stored): stored for _f, stored in checked_files}.values())
    for f, stored in checked_files:
        uploads.write(stored, f.data)
    try:
        with transaction.atomic():
            application = _write(user, app, version, answers, prepared, distinct, days, saved, key, facts)
            _log_uses(application, wallet)
    except IntegrityError:
        for stored in distinct:
            uploads.discard(stored)
        if (existing := by_key(user, key)) is None:
            raise
        return existing, False
    except BaseException:
        for stored in distinct:
            uploads.discard(stored)
        raise
    return application, True


def _wallet(app: ApplicationIn, by_material: dict[str, rules.MergedMaterial], prepared, problems) -> dict:
    """The e-licences the applicant consented to use as materials (三个凡是): each checked to be
    theirs, of the material's type and usable, its document rendered (before the transaction), and
    given to every case that needs the material. Returns identifier -> licence."""
    from yiwang.licences import documents
    from yiwang.licences.models import Licence

    if not app.licences or not prepared or prepared[0][1].who.window is not None:
        return {}
    who = prepared[0][1].who
    holder = (
        {"holder_enterprise": who.enterprise}
        if who.enterprise is not None
        else {"holder_person": who.person, "holder_enterprise__isnull": True}
    )
    found = {}
    for key, identifier in app.licences.items():
        m = by_material.get(key)
        if m is None or not m.licence_type or m.from_upstream:
            problems[f"licences.{key}"] = [_("该材料不能用电子证照提供。")]
            continue
        licence = (
            Licence.objects.filter(identifier=str(identifier)[:80], **holder)
            .select_related("licence_type", "document")
            .first()
        )
        if licence is None or m.licence_type not in (licence.licence_type.code, licence.licence_type.name):
            problems[f"licences.{key}"] = [_("未找到申请人名下的这张电子证照。")]
            continue
        if not licence.usable:
            problems[f"licences.{key}"] = [_("这张证照当前不能作为申请材料（已失效、暂扣或撤销）。")]
            continue
        if licence.document_id is None:
            licence = documents.attach(licence)
        found[licence.identifier] = licence
        for _s, p in prepared:
            material_id = m.ids.get(p.app.entry.code)
            if material_id is not None:
                fin = submission.FileIn(
                    material_id,
                    m.name,
                    licence.document.original_name,
                    b"",
                    licence.document,
                    licence.identifier,
                )
                p.checked.files.append((fin, licence.document))
    return found


def _log_uses(application: BundleApplication, wallet: dict) -> None:
    """Every use of a licence, for its holder's record (用证记录)."""
    from yiwang.licences.models import LicenceUse, UseKind

    now = clock.now()
    LicenceUse.objects.bulk_create(
        LicenceUse(
            licence=wallet[fin.licence_identifier],
            kind=UseKind.MATERIAL,
            case=member.case,
            case_number=member.case.number or "",
            by=application.created_by,
            by_label=_("一件事申请：%(title)s") % {"title": member.case.title[:80]},
            at=now,
        )
        for member in application.created_members
        for fin in member.case.prepared_files
        if fin.licence_identifier in wallet
    )


def _situation_id(entry, seq: int | None) -> int | None:
    if seq is None or entry.published_id is None:
        return None
    from yiwang.cases.published import published

    parts = published(entry.published)
    return next((s.pk for s in parts.situations.values() if s.seq == seq), None)


def _write(
    user: User,
    app: ApplicationIn,
    version: BundleVersion,
    answers: dict[str, Any],
    prepared: list[tuple[rules.Selected, submission.Prepared]],
    files: list[Any],
    days: int,
    saved: rules.Savings,
    key: str,
    facts: dict[str, EntryFacts],
) -> BundleApplication:
    bundle = version.bundle
    now = clock.now()
    number = numbering.next_number(f"YJS{bundle.division.code[:6]}", timezone.localdate(now))
    first = prepared[0][1]
    application = BundleApplication(
        number=number,
        bundle=bundle,
        version=version,
        title=version.name,
        channel=first.who.channel,
        created_by=user,
        applicant_person=None,
        applicant_enterprise=None,
        applicant_name="",
        intake_department_id=first.who.intake_department_id,
        division_code=bundle.division.code,
        answers=answers,
        form_data=app.form_data,
        idempotency_key=key,
        submitted_at=now,
        promised_workdays=days,
        savings=saved.as_dict(),
    )
    if files:
        rows.insert(files)
    members: list[BundleMember] = []
    for order, (s, p) in enumerate(prepared):
        p.app.event_data = {"bundle": number}
        case = submission.write(user, p, submit=not s.after, files_stored=True)
        case.prepared_files = [fin for fin, _stored in p.files]
        if order == 0:
            application.applicant_person_id = case.applicant_person_id
            application.applicant_enterprise_id = case.applicant_enterprise_id
            application.applicant_name = case.applicant_name
            rows.insert([application])
        members.append(
            BundleMember(
                application=application,
                case=case,
                entry_code=s.member.entry,
                order=order,
                after=list(s.after),
                state=MemberState.WAITING if s.after else MemberState.STARTED,
                started_at=None if s.after else now,
            )
        )
    rows.insert(members)
    application.created_members = members  # the answer is built from memory (`queries.progress`)
    outbox.publish(
        "bundle.submitted",
        {
            "application": application.pk,
            "number": number,
            "title": application.title,
            "started": [facts[m.entry_code].name for m in members if m.state == MemberState.STARTED],
            "waiting": [facts[m.entry_code].name for m in members if m.state == MemberState.WAITING],
        },
    )
    return application


# --- Rating the bundle once -------------------------------------------------------------------


def rate(user: User, application: BundleApplication, given: Any) -> Any:
    """The applicant rates the whole bundle once it is closed (一件事一评). `given` is a
    `ratings.rules.RatingIn`; levels, indicators and tags are checked by the ratings rules.
    Raises StateConflict before the bundle is closed or when already rated (409)."""
    from yiwang.bundles.models import BundleRating
    from yiwang.ratings import rules as rating_rules

    q = access.applications_q(user)
    if q is None or not BundleApplication.objects.filter(q, pk=application.pk).exists():
        raise PermissionDenied
    found = rating_rules.problems(given, rating_rules.Channel.ONLINE)
    if found:
        raise ValidationError({k: [_(v)] for k, v in found.items()})
    if application.closed_at is None:
        raise StateConflict(_("一件事全部办结后才能评价整体办理情况；各事项可在办结环节分别评价。"))
    try:
        with transaction.atomic():
            rating = BundleRating.objects.create(
                application=application,
                level=given.level,
                bad=rating_rules.is_bad(given.level),
                indicators={**given.indicators, "overall": given.level},
                tags=given.tags,
                comment=given.comment,
                rated_at=clock.now(),
                rater=user,
            )
    except IntegrityError:
        raise StateConflict(_("您已评价过这件事。")) from None
    return rating
