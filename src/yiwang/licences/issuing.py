"""Issuing licences: from an approved case (through the outbox, after the decision committed), or
as a new version of an existing licence (renewal, change, re-issue).

The licence's data comes from the case: each field of the type's schema takes the application
form's value of the same name (or the one its `from` names), else the holder's profile (`prefill`);
the approver may adjust them within the schema before approving (`save_draft`). Issuing allocates
the serial, builds the GB/T 36904 identifier, signs the QR payload with the department's current
seal and picks a random place in the issuer's status list, in one short transaction; the PDF is
rendered after it commits (`documents.attach`), so a slow rendering never holds the write lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import Enterprise, Person, User
from yiwang.cases import clock
from yiwang.cases.models import Case
from yiwang.catalog import form_schema
from yiwang.core import masking
from yiwang.core.models import Department
from yiwang.licences import identifiers, keys, qr_payload, status_list
from yiwang.licences.models import (
    HolderKind,
    Licence,
    LicenceDraft,
    LicenceEvent,
    LicenceSerial,
    LicenceType,
    SealKey,
    Status,
)

# The approving actions after which the case's licence is issued.
APPROVING_ACTIONS = ("approve", "decide_on_the_spot", "approve_on_commitment")


class CannotIssue(Exception):
    """The licence cannot be issued now (no seal for the department, …): the outbox retries and an
    administrator sees why."""


def type_for_entry(entry_id: int) -> LicenceType | None:
    """The licence type an entry's approval issues, if any."""
    return LicenceType.objects.filter(entries__id=entry_id, is_active=True).select_related("agency").first()


def _profile(case: Case) -> dict[str, str]:
    from yiwang.cases.drafts import profile_of

    return profile_of(case.applicant_person, case.applicant_enterprise)


def proposed_data(case: Case, licence_type: LicenceType) -> dict[str, Any]:
    """The licence's fields as the case gives them, with the approver's adjustments on top."""
    form = case.form_data or {}
    profile = _profile(case)
    data: dict[str, Any] = {}
    for field in licence_type.fields:
        name = field["name"]
        value = form.get(field.get("from") or name)
        if value in (None, "", []) and field.get("prefill"):
            value = profile.get(field["prefill"])
        if value not in (None, "", []):
            data[name] = value
    draft = LicenceDraft.objects.filter(case=case, licence_type=licence_type).first()
    if draft is not None:
        data.update(draft.data)
    return data


def save_draft(user: User, case: Case, data: dict[str, Any]) -> LicenceDraft:
    """The approver adjusts the licence's fields before deciding, within the type's schema."""
    from yiwang.licences.access import may_adjust

    licence_type = type_for_entry(case.entry_id)
    if licence_type is None:
        raise ValidationError({"licence": [_("该事项不核发电子证照。")]})
    if not may_adjust(user, case):
        raise PermissionError(_("只有本件的审批人员可以在决定前调整证照内容。"))
    if case.decided_on is not None:
        raise ValidationError({"licence": [_("办件已作出决定，证照内容不能再调整；如需变更请换发新版本。")]})
    cleaned = form_schema.clean_data(licence_type.schema, data, partial=True)
    draft, _created = LicenceDraft.objects.update_or_create(
        case=case,
        defaults={
            "licence_type": licence_type,
            "data": cleaned,
            "updated_by": user,
            "updated_at": timezone.now(),
        },
    )
    return draft


def shown_data(licence_type: LicenceType, data: dict[str, Any]) -> dict[str, str]:
    """The fields the licence shows, label → text, in the layout's order (what the QR carries)."""
    labels = {f["name"]: f for f in licence_type.fields}
    order = (licence_type.layout or {}).get("shown") or [f["name"] for f in licence_type.fields]
    shown: dict[str, str] = {}
    for name in order:
        field = labels.get(name)
        value = data.get(name)
        if field is None or value in (None, "", []):
            continue
        shown[field["label"]] = _text(field, value)
    return shown


def _text(field: dict, value: Any) -> str:
    if field.get("type") == "choice":
        for option in field.get("options", []):
            if option.get("value") == value:
                return str(option.get("label"))
    if field.get("type") == "multichoice" and isinstance(value, list):
        labels = {o.get("value"): o.get("label") for o in field.get("options", [])}
        return "、".join(str(labels.get(v, v)) for v in value)
    if field.get("type") == "address" and isinstance(value, dict):
        return str(value.get("detail", ""))
    return str(value)


def masked_holder_id(kind: str, holder_id: str) -> str:
    """The holder's code as the QR and public answers show it: an ID number masked, a USCC whole
    (an enterprise's code is public)."""
    if kind == HolderKind.ENTERPRISE:
        return holder_id
    return masking.mask_id_number(holder_id)


def _valid_until(licence_type: LicenceType, start: dt.date) -> dt.date | None:
    if not licence_type.validity_years:
        return None
    if start.year + licence_type.validity_years > dt.MAXYEAR:
        return None  # beyond any calendar: as good as 长期有效 (the form allows at most 100 years)
    try:
        end = start.replace(year=start.year + licence_type.validity_years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + licence_type.validity_years, day=28)
    return end - dt.timedelta(days=1)


def _next_serial(licence_type: LicenceType, issuer: Department) -> int:
    row, _created = LicenceSerial.objects.select_for_update().get_or_create(
        licence_type=licence_type, issuer=issuer
    )
    LicenceSerial.objects.filter(pk=row.pk).update(last=F("last") + 1)
    return row.last + 1


def _status_index(issuer: Department) -> int:
    def taken(index: int) -> bool:
        return Licence.objects.filter(issuer=issuer, status_index=index).exists()

    return status_list.random_index(taken)


def verification_url(identifier: str) -> str:
    from yiwang.licences.links import absolute

    return absolute("portal:licence-verify") + "?id=" + identifier


def claims_of(licence: Licence) -> dict[str, Any]:
    """What the QR carries (qr_payload's keys): the identifier, the data shown, issuer, validity,
    and the address that verifies it."""
    return record_claims(licence) | {"url": verification_url(licence.identifier)}


def record_claims(licence: Licence) -> dict[str, Any]:
    """The claims the licence's record holds, the verification address left out: what a check
    that the record is unchanged compares (the address is not the record's, and building it
    resolves a URL on every scan)."""
    return {
        "v": 1,
        "id": licence.identifier,
        "n": licence.type_name,
        "no": licence.number,
        "h": licence.holder_name,
        "hi": masked_holder_id(licence.holder_kind, licence.holder_id),
        "d": licence.shown,
        "is": licence.issuer_name,
        "ic": licence.issuer_code,
        "f": licence.valid_from.isoformat(),
        "u": licence.valid_until.isoformat() if licence.valid_until else None,
        "t": licence.issued_on.isoformat(),
        "sl": licence.status_index,
    }


def _sign(licence: Licence, key: SealKey) -> str:
    private = keys.private_of(key)
    from yiwang.licences import seal

    return qr_payload.encode(
        claims_of(licence), bytes.fromhex(key.kid), lambda data: seal.sign(private, data)
    )


def person_holder(person: Person) -> dict[str, Any]:
    """`issue`'s holder for a licence a person holds."""
    return {
        "holder_kind": HolderKind.PERSON,
        "holder_name": person.name,
        "holder_id": person.id_number,
        "holder_person": person,
    }


def enterprise_holder(enterprise: Enterprise) -> dict[str, Any]:
    """`issue`'s holder for a licence an enterprise holds."""
    return {
        "holder_kind": HolderKind.ENTERPRISE,
        "holder_name": enterprise.name,
        "holder_id": enterprise.uscc,
        "holder_enterprise": enterprise,
    }


def _holder(case: Case, licence_type: LicenceType) -> dict[str, Any]:
    enterprise = case.applicant_enterprise
    person = case.applicant_person
    if licence_type.holder_kind == HolderKind.ENTERPRISE and enterprise is not None:
        return enterprise_holder(enterprise)
    if person is None:
        raise CannotIssue(_("办件没有可作为持证人的申请人。"))
    return person_holder(person)


# The market entity's category in a USCC (GB 32100, registration authority 9 = market
# regulation): 1 an enterprise, 2 an individual business, 3 a farmers' cooperative.
USCC_CATEGORIES = (("个体工商户", "2"), ("农民专业合作社", "3"))


def _uscc_category(case: Case | None, holder: dict[str, Any]) -> str:
    """What was registered decides, not who holds the licence: a company founded by a person (the
    case's applicant) is an enterprise. Without a case, a person's licence is an individual's."""
    if case is not None:
        item = case.entry.catalog_item.name if case.entry_id else ""
        return next((code for words, code in USCC_CATEGORIES if words in item), "1")
    return "2" if holder.get("holder_person") is not None and holder.get("holder_enterprise") is None else "1"


def _assigned(
    licence_type: LicenceType,
    issuer: Department,
    serial: int,
    holder: dict[str, Any],
    data: dict[str, Any],
    case: Case | None = None,
) -> dict[str, Any]:
    """Values the issuing authority assigns: a field declaring `"assign": "uscc"` (the business
    licence's 统一社会信用代码) gets a new code when the licence is first issued — registration
    authority 9, the entity's category, the issuer's division, the serial as the 9-character body,
    and its check character."""
    from yiwang.core.identifiers import uscc_with_check

    data = dict(data)
    for field in licence_type.fields:
        if field.get("assign") == "uscc" and not data.get(field["name"]):
            category = _uscc_category(case, holder)
            data[field["name"]] = uscc_with_check(f"9{category}{issuer.division.code[:6]}{serial:09d}")
    return data


def issue(
    *,
    licence_type: LicenceType,
    issuer: Department,
    holder: dict[str, Any],
    data: dict[str, Any],
    issued_on: dt.date,
    case: Case | None = None,
    related_item: str = "",
    previous: Licence | None = None,
    actor: User | None = None,
    reason: str = "",
) -> Licence:
    """Sign and keep a licence (or a new version of `previous`). The caller renders its PDF after
    the transaction commits (`documents.attach`)."""
    key = keys.current_key(issuer)
    if key is None:
        raise CannotIssue(
            _("%(department)s 尚未生成电子印章密钥，无法签发电子证照。请平台管理员在“电子印章”中生成。")
            % {"department": issuer.name}
        )
    with transaction.atomic():
        if previous is not None:
            previous = Licence.objects.select_for_update().get(pk=previous.pk)
            if Licence.objects.filter(previous=previous).exists():
                raise ValidationError({"licence": [_("该证照已有新版本。")]})
            serial, version = previous.serial, previous.version + 1
        else:
            serial, version = _next_serial(licence_type, issuer), 1
        identifier = identifiers.make(licence_type.code, issuer.uscc, serial, version)
        data = _assigned(licence_type, issuer, serial, holder, data, case)
        licence = Licence(
            identifier=identifier,
            licence_type=licence_type,
            number=f"{licence_type.number_prefix}{issuer.division.code[:6]}{serial:07d}"
            + (f"-{version}" if version > 1 else ""),
            serial=serial,
            version=version,
            previous=previous,
            type_name=licence_type.name,
            issuer=issuer,
            issuer_name=issuer.name,
            issuer_code=issuer.uscc,
            data=data,
            shown=shown_data(licence_type, data),
            issued_on=issued_on,
            valid_from=issued_on,
            valid_until=_valid_until(licence_type, issued_on),
            jurisdiction=issuer.division.name,
            related_item=related_item,
            case=case,
            seal_key=key,
            status_index=_status_index(issuer),
            **holder,
        )
        licence.payload = _sign(licence, key)
        licence.save(force_insert=True)
        LicenceEvent.objects.create(
            licence=licence,
            action="issue" if previous is None else "reissue",
            to_status=Status.VALID,
            reason=reason,
            actor=actor,
        )
        if previous is not None:
            from yiwang.licences.statuses import change_status

            change_status(previous, Status.EXPIRED, _("已换发新版本 %(v)03d") % {"v": version}, actor)
    return licence


def _decision_day(case: Case) -> dt.date:
    """The licence is dated the day the approval was decided (the worker may run later)."""
    from yiwang.cases.models import CaseEvent

    event = CaseEvent.objects.filter(case=case, action__in=APPROVING_ACTIONS).order_by("-seq").first()
    return timezone.localdate(event.at) if event is not None else clock.today()


def issue_for_case(case: Case) -> Licence | None:
    """The licence of an approved case, issued once (a repeated delivery returns the one kept)."""
    existing = Licence.objects.filter(case=case, previous__isnull=True).first()
    if existing is not None:
        return existing
    licence_type = type_for_entry(case.entry_id)
    if licence_type is None:
        return None
    case = Case.objects.select_related(
        "department__division", "applicant_person", "applicant_enterprise", "entry", "version"
    ).get(pk=case.pk)
    data = form_schema.clean_data(licence_type.schema, proposed_data(case, licence_type), partial=True)
    try:
        return issue(
            licence_type=licence_type,
            issuer=case.department,
            holder=_holder(case, licence_type),
            data=data,
            issued_on=_decision_day(case),
            case=case,
            related_item=f"{case.entry.code} {case.title}"[:200],
        )
    except IntegrityError:
        # Issued at the same moment by another delivery of the same event.
        existing = Licence.objects.filter(case=case, previous__isnull=True).first()
        if existing is None:
            raise
        return existing


def reissue(licence: Licence, user: User | None, data: dict[str, Any] | None, reason: str) -> Licence:
    """A new version (变更, 延续, 补发): the old version becomes 失效, the serial stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写换发原因（变更、延续或补发）。")]})
    if licence.status not in (Status.VALID, Status.SUSPENDED):
        raise ValidationError({"licence": [_("只有有效或暂扣的证照可以换发新版本。")]})
    merged = dict(licence.data)
    if data:
        merged.update(form_schema.clean_data(licence.licence_type.schema, data, partial=True))
    holder = {
        "holder_kind": licence.holder_kind,
        "holder_name": licence.holder_name,
        "holder_id": licence.holder_id,
        "holder_person": licence.holder_person,
        "holder_enterprise": licence.holder_enterprise,
    }
    return issue(
        licence_type=licence.licence_type,
        issuer=licence.issuer,
        holder=holder,
        data=merged,
        issued_on=clock.today(),
        case=licence.case,
        related_item=licence.related_item,
        previous=licence,
        actor=user,
        reason=reason[:300],
    )
