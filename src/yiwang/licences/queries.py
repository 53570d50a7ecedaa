"""The one read model of a licence, shared by the API, the portal's wallet and the workbench: its
facts, its status, what it shows, and the holder's data in full only to the holder and to the staff
of the issuing department (others see it masked, as `cases.queries` does for a case)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from yiwang.accounts import access as account_access
from yiwang.accounts.models import AccountKind, StaffRole, User
from yiwang.core import masking
from yiwang.licences import issuing, qr_payload
from yiwang.licences.models import HolderKind, Licence, LicenceUse


def reads_in_full(user: User, licence: Licence) -> bool:
    """The holder (any account the wallet shows it to) and the issuing department's handling staff."""
    if user.is_authenticated and user.kind != AccountKind.STAFF:
        return True  # only the holder's own licences reach a non-staff reader (`access`)
    return (
        hasattr(user, "staff")
        and user.staff.department_id == licence.issuer_id
        and account_access.has_role(user, StaffRole.WINDOW_CLERK, StaffRole.REVIEWER, StaffRole.APPROVER)
    )


def view(licence: Licence, user: User) -> dict[str, Any]:
    full = reads_in_full(user, licence)
    person = licence.holder_kind == HolderKind.PERSON
    holder_id = (
        licence.holder_id if full else issuing.masked_holder_id(licence.holder_kind, licence.holder_id)
    )
    holder_name = licence.holder_name if (full or not person) else masking.mask_name(licence.holder_name)
    size = qr_payload.size_report(licence.payload)
    return {
        "identifier": licence.identifier,
        "type": licence.type_name,
        "type_code": licence.licence_type.code,
        "number": licence.number,
        "version": licence.version,
        "status": licence.status,
        "status_text": licence.get_status_display(),
        "status_reason": licence.status_reason,
        "usable": licence.usable,
        "holder_kind": licence.holder_kind,
        "holder_name": holder_name,
        "holder_id": holder_id,
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "jurisdiction": licence.jurisdiction,
        "related_item": licence.related_item,
        "data": licence.shown,
        "qr_payload": licence.payload,
        "qr_chars": size["qr_chars"],
        "kid": licence.seal_key.kid,
        "case_number": licence.case.number if licence.case_id and licence.case else None,
        "document_url": reverse("api:licence_document", args=[licence.identifier]),
        "verification_url": issuing.verification_url(licence.identifier),
    }


def use_view(use: LicenceUse) -> dict[str, Any]:
    return {
        "kind": use.kind,
        "kind_text": use.get_kind_display(),
        "case_number": use.case_number or (use.case.number if use.case_id and use.case else "") or "",
        "by": use.by_label,
        "at": use.at,
    }
