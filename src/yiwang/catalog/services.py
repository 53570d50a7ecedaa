"""Every state change of the catalog: catalog items, claims, compiling entries, the guide version
workflow (compile → submit → review → publish), suspension and cancellation, audit results."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.catalog import access, codes, guide_document, rules, search_index
from yiwang.catalog.models import (
    AuditFinding,
    CatalogItem,
    Claim,
    Entry,
    EntryStatus,
    EntryVersion,
    ItemType,
    Situation,
    VersionState,
)
from yiwang.core.models import Department, DivisionLevel


class StateConflict(Exception):
    """An action that the version's or entry's current state does not allow (409)."""

    def __init__(self, message: str, allowed: list[str] | None = None):
        self.message, self.allowed = message, allowed or []
        super().__init__(message)


# --- Basic catalog and claims ---------------------------------------------------------------


def create_catalog_item(
    *,
    basic_code: str,
    name: str,
    item_type: str,
    legal_basis: str = "",
    levels: list[int] | None = None,
    initiation: str = "application",
) -> CatalogItem:
    errors: dict[str, list[str]] = {}
    type_row = ItemType.objects.filter(code=item_type).first()
    if type_row is None:
        errors["item_type"] = [_("未知的事项类型代码：%(code)s。") % {"code": item_type}]
    try:
        basic_code = codes.validate_basic_code(basic_code, type_row.code if type_row else None)
    except ValidationError as exc:
        errors["basic_code"] = exc.messages
    else:
        if CatalogItem.objects.filter(basic_code=basic_code).exists():
            errors["basic_code"] = [_("基本编码 %(code)s 已存在。") % {"code": basic_code}]
    if not name.strip():
        errors["name"] = [_("请填写事项名称。")]
    levels = sorted(set(levels or [DivisionLevel.CITY, DivisionLevel.COUNTY]))
    if any(level not in DivisionLevel.values for level in levels):
        errors["levels"] = [_("行使层级不正确。")]
    if errors:
        raise ValidationError(errors)
    return CatalogItem.objects.create(
        basic_code=basic_code,
        name=name.strip(),
        item_type=type_row,
        legal_basis=legal_basis,
        levels=levels,
        initiation=initiation,
    )


def claim_item(department: Department, item: CatalogItem, user: User | None = None) -> Claim:
    """A department claims an item it exercises at its own level."""
    level = department.division.level
    if item.levels and level not in item.levels:
        raise ValidationError(
            {
                "catalog_item": [
                    _("“%(item)s”不在%(level)s行使，不能认领。")
                    % {"item": item.name, "level": DivisionLevel(level).label}
                ]
            }
        )
    claim, created = Claim.objects.get_or_create(
        department=department, catalog_item=item, defaults={"claimed_by": user}
    )
    if not created:
        raise ValidationError({"catalog_item": [_("本部门已认领该事项。")]})
    return claim


@transaction.atomic
def compile_entry(claim: Claim, user: User | None = None, document: dict[str, Any] | None = None) -> Entry:
    """Start the implementation list entry of a claim, with its first draft guide."""
    if hasattr(claim, "entry"):
        raise ValidationError({"claim": [_("该认领事项已编制实施清单。")]})
    department, item = claim.department, claim.catalog_item
    code = codes.implementation_code(department.uscc, department.division.level, item.basic_code)
    entry = Entry.objects.create(
        code=code, claim=claim, department=department, catalog_item=item, name=item.name
    )
    version = EntryVersion.objects.create(
        entry=entry, number=1, name=item.name, legal_basis=item.legal_basis, created_by=user
    )
    if document:
        guide_document.apply_document(version, document)
    return entry


# --- The version workflow ---------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def current_draft(entry: Entry) -> EntryVersion | None:
    return (
        entry.versions.filter(state__in=[VersionState.DRAFT, VersionState.RETURNED, VersionState.SUBMITTED])
        .order_by("-number")
        .first()
    )


@transaction.atomic
def start_new_draft(entry: Entry, user: User | None) -> EntryVersion:
    """Edit a published guide: copy the newest version into a new draft (or return the open one)."""
    if user is not None:
        _require(access.can_compile(user, entry))
    Entry.objects.select_for_update().filter(pk=entry.pk).first()
    open_draft = current_draft(entry)
    if open_draft is not None:
        return open_draft
    source = entry.versions.order_by("-number").first()
    number = (entry.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = EntryVersion.objects.get(pk=source.pk)
    draft.pk, draft.id = None, None
    draft.number, draft.state, draft.created_by, draft.created_at = (
        number,
        VersionState.DRAFT,
        user,
        timezone.now(),
    )
    draft.submitted_at = draft.submitted_by = draft.reviewed_at = draft.reviewed_by = draft.published_at = (
        None
    )
    draft.review_comment = ""
    draft.save()
    draft.topics.set(source.topics.all())
    situations = {}
    for s in source.situations.all():
        situations[s.pk] = Situation.objects.create(
            version=draft,
            seq=s.seq,
            name=s.name,
            name_en=s.name_en,
            description=s.description,
            form_schema=s.form_schema,
        )
    for relation in ("materials", "fees", "faqs"):
        for child in getattr(source, relation).all():
            child.pk, child.id, child.version = None, None, draft
            if relation == "materials" and child.situation_id:
                child.situation = situations[child.situation_id]
            child.save()
    return draft


@transaction.atomic
def save_draft(version: EntryVersion, document: dict[str, Any], user: User | None) -> list[rules.Finding]:
    """Save guide elements into an editable version and audit it (findings are returned, errors
    among them do not stop saving a draft, only submitting and publishing)."""
    if user is not None:
        _require(access.can_compile(user, version.entry))
    version = EntryVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise StateConflict(
            _("版本 v%(n)s 处于“%(state)s”状态，不能修改；请新建草稿。")
            % {"n": version.number, "state": version.get_state_display()},
            ["start_new_draft"],
        )
    guide_document.apply_document(version, document)
    return record_audit(version)


def record_audit(version: EntryVersion) -> list[rules.Finding]:
    """Audit a version and keep its findings for the supervisor's view."""
    findings = rules.audit(guide_document.version_to_document(version))
    AuditFinding.objects.filter(version=version).delete()
    AuditFinding.objects.bulk_create(
        AuditFinding(
            version=version,
            department_id=version.entry.department_id,
            rule=f.rule,
            element=f.element,
            severity=f.severity,
            message=f.message[:300],
            suggestion=f.suggestion[:300],
        )
        for f in findings
    )
    return findings


def _blocking(findings: list[rules.Finding]) -> ValidationError | None:
    errors = rules.errors_of(findings)
    if not errors:
        return None
    fields: dict[str, list[str]] = {}
    for f in errors:
        fields.setdefault(f.element, []).append(f.message)
    return ValidationError(fields)


@transaction.atomic
def submit_version(version: EntryVersion, user: User | None) -> EntryVersion:
    """Compile → submit for review. Refused while the audit finds an error."""
    if user is not None:
        _require(access.can_compile(user, version.entry))
    version = EntryVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise StateConflict(_("只有编制中或已退回的版本可以提交审核。"), ["save_draft"])
    problem = _blocking(record_audit(version))
    if problem:
        raise problem
    version.state, version.submitted_at, version.submitted_by = VersionState.SUBMITTED, timezone.now(), user
    version.save(update_fields=["state", "submitted_at", "submitted_by"])
    return version


@transaction.atomic
def return_version(version: EntryVersion, user: User | None, comment: str) -> EntryVersion:
    """The reviewer sends a submitted version back with reasons."""
    if user is not None:
        _require(access.can_review(user, version.entry))
    return send_back(version, user, comment)


def send_back(version, user: User | None, comment: str):
    """Return a submitted version (a guide's, or any `ReviewedVersion`) with the reviewer's reasons;
    the caller has checked the reviewer may."""
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("退回时请写明需要修改的内容。")]})
    updated = (
        type(version)
        .objects.filter(pk=version.pk, state=VersionState.SUBMITTED)
        .update(
            state=VersionState.RETURNED,
            reviewed_at=timezone.now(),
            reviewed_by=user,
            review_comment=comment.strip(),
        )
    )
    if not updated:
        raise StateConflict(_("只有待审核的版本可以退回。"))
    version.refresh_from_db()
    return version


@transaction.atomic
def publish_version(version: EntryVersion, user: User | None, comment: str = "") -> EntryVersion:
    """The reviewer publishes: the version becomes the one citizens see, the previous is superseded."""
    if user is not None:
        _require(access.can_review(user, version.entry))
    entry = Entry.objects.select_for_update().get(pk=version.entry_id)
    version = EntryVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.SUBMITTED:
        raise StateConflict(_("只有待审核的版本可以发布。"), ["submit"])
    # Checked on the locked row: the caller's object may predate the submission.
    if user is not None and version.submitted_by_id == user.pk:
        raise StateConflict(_("审核人不能发布自己提交的版本。"))
    problem = _blocking(record_audit(version))
    if problem:
        raise problem
    now = timezone.now()
    entry.versions.filter(state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)
    version.state, version.reviewed_at, version.reviewed_by = VersionState.PUBLISHED, now, user
    version.published_at, version.review_comment = now, comment
    version.save(update_fields=["state", "reviewed_at", "reviewed_by", "published_at", "review_comment"])
    entry.published, entry.published_at = version, now
    entry.name, entry.plain_title = version.name, version.plain_title
    if entry.status == EntryStatus.DRAFT:
        entry.status = EntryStatus.ACTIVE
    entry.save(update_fields=["published", "published_at", "name", "plain_title", "status"])
    search_index.index_entry(entry)
    return version


@transaction.atomic
def set_entry_status(entry: Entry, user: User | None, status: str, reason: str) -> Entry:
    """Suspend (暂停), resume, or cancel (取消) an entry; cancelling is final."""
    if user is not None:
        _require(access.can_review(user, entry))
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    allowed = {
        EntryStatus.ACTIVE: [EntryStatus.SUSPENDED, EntryStatus.CANCELLED],
        EntryStatus.SUSPENDED: [EntryStatus.ACTIVE, EntryStatus.CANCELLED],
        EntryStatus.DRAFT: [EntryStatus.CANCELLED],
        EntryStatus.CANCELLED: [],
    }[entry.status]
    if status not in allowed:
        raise StateConflict(
            _("“%(state)s”的事项不能改为“%(target)s”。")
            % {
                "state": entry.get_status_display(),
                "target": EntryStatus(status).label if status in EntryStatus.values else status,
            },
            [str(s) for s in allowed],
        )
    if status != EntryStatus.ACTIVE and not reason.strip():
        raise ValidationError({"reason": [_("请写明暂停或取消的原因。")]})
    entry.status, entry.status_reason = status, reason.strip()
    entry.save(update_fields=["status", "status_reason"])
    search_index.index_entry(entry)
    return entry
