"""Reuse of licences as application material (三个凡是): whatever the licence library holds for the
applicant is not asked of them again. A material whose catalog entry names a licence type is
offered from the applicant's wallet; one tick (the holder's consent) attaches the licence, which
then counts as provided in the checklist and opens for the clerk as a verified licence. Every use
is logged for the holder. A revoked, suspended or expired licence is never used."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases import clock, drafts
from yiwang.cases.models import Case, CaseMaterial
from yiwang.catalog.models import Material
from yiwang.licences.models import Licence, LicenceType, LicenceUse, Status, UseKind


@dataclass(frozen=True)
class Offer:
    """A material the licence library can provide, and what the applicant holds for it."""

    material: Material
    licence_type: LicenceType
    licence: Licence | None  # the usable licence to offer, newest first
    unusable: Licence | None  # one they hold that cannot be used (revoked, expired …), to explain
    used: str  # the identifier already attached to the case for this material, or ""

    @property
    def problem(self) -> str:
        if self.licence is not None:
            return ""
        if self.unusable is not None:
            return _(
                "您的%(type)s（%(number)s）当前状态为“%(status)s”，不能使用，请上传其他证明材料或先办理相关手续。"
            ) % {
                "type": self.licence_type.name,
                "number": self.unusable.number,
                "status": _status_text(self.unusable),
            }
        # The material is one the department looks up (无需提交): it never blocks submission, so
        # the applicant is told it is not on the platform and may help with a scan.
        return _(
            "未在电子证照库中找到申请人名下的%(type)s。无需提交，工作人员将向发证机关核实；如有纸质证照，也可上传扫描件。"
        ) % {"type": self.licence_type.name}


def _status_text(licence: Licence) -> str:
    if licence.status == Status.VALID and not licence.usable:
        return str(Status.EXPIRED.label)
    return licence.get_status_display()


def licence_types_for(codes: set[str]) -> dict[str, LicenceType]:
    """The licence types a material's `licence_type_code` names (by code, or by name)."""
    if not codes:
        return {}
    found: dict[str, LicenceType] = {}
    for licence_type in LicenceType.objects.filter(Q(code__in=codes) | Q(name__in=codes), is_active=True):
        for key in (licence_type.code, licence_type.name):
            if key in codes:
                found.setdefault(key, licence_type)
    return found


def holder_q(case: Case) -> Q:
    if case.applicant_enterprise_id:
        return Q(holder_enterprise_id=case.applicant_enterprise_id)
    return Q(holder_person_id=case.applicant_person_id, holder_enterprise__isnull=True)


def offers(case: Case) -> list[Offer]:
    """For each of the case's materials that is a licence type: what the applicant holds."""
    materials = [m for m in drafts.required_materials(case) if m.licence_type_code]
    types = licence_types_for({m.licence_type_code for m in materials})
    if not types:
        return []
    held = list(
        Licence.objects.filter(holder_q(case), licence_type__in={t.pk for t in types.values()})
        .select_related("licence_type")
        .order_by("-issued_on", "-version", "-id")
    )
    used = dict(
        CaseMaterial.objects.filter(case=case, replaced=False)
        .exclude(licence_identifier="")
        .values_list("material_id", "licence_identifier")
    )
    result = []
    for material in materials:
        licence_type = types.get(material.licence_type_code)
        if licence_type is None:
            continue
        mine = [lic for lic in held if lic.licence_type_id == licence_type.pk]
        usable = next((lic for lic in mine if lic.usable), None)
        unusable = None if usable else next(iter(mine), None)
        result.append(Offer(material, licence_type, usable, unusable, used.get(material.pk, "")))
    return result


def use(user: User, case: Case, material_id: int, identifier: str) -> CaseMaterial:
    """The applicant consents to provide a material with their licence (one tick)."""
    from yiwang.licences import documents

    offer = next((o for o in offers(case) if o.material.pk == int(material_id)), None)
    if offer is None:
        raise ValidationError({"material": [_("该材料不能用电子证照提供。")]})
    licence = (
        Licence.objects.filter(
            holder_q(case), identifier=(identifier or "").strip(), licence_type=offer.licence_type
        )
        .select_related("licence_type", "issuer")
        .first()
    )
    if licence is None:
        raise ValidationError({"licence": [_("未找到申请人名下的这张电子证照。")]})
    if not licence.usable:
        raise ValidationError(
            {
                "licence": [
                    _("这张证照当前状态为“%(status)s”，不能作为申请材料。")
                    % {"status": _status_text(licence)}
                ]
            }
        )
    if licence.document_id is None:
        licence = documents.attach(licence)
    with transaction.atomic():
        received = drafts.attach_licence(user, case, offer.material.pk, licence.document, licence.identifier)
        LicenceUse.objects.create(
            licence=licence,
            kind=UseKind.MATERIAL,
            case=case,
            case_number=case.number or "",
            by=user,
            by_label=_("申请%(title)s") % {"title": case.title[:80]},
            at=clock.now(),
        )
    return received
