"""卡包 (the holder's wallet) and public licence verification (证照核验).

The wallet lists the applicant's licences and those of the enterprises they act for; a licence's
page shows it with its QR, its PDF, its use log and the links the holder shared. Verification is
public: paste the QR's text or type the identifier; a shared link opens the licence with its
verification, until it expires.

三个凡是 on the application page: a material the licence library holds for the applicant is
offered from the wallet (`reuse.offers`); one tick of consent (`case_use_licence`) attaches it, and
the case's pages and receipt then show it as "电子证照 <number>" rather than as an upload
(`mark_licences`, `used_licences`, `issued_for`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases import changes
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.rules import State
from yiwang.core import uploads
from yiwang.licences import access, documents, identifiers, queries, reuse, verification, wallet
from yiwang.licences.links import absolute
from yiwang.licences.models import Licence, ShareLink, Status
from yiwang.portal.applicant_access import applicant_case, applicant_required, case_url, messages_of, refused
from yiwang.portal.case_pages import render_case


def _mine_or_404(request: HttpRequest, identifier: str):
    licence = access.licence_for(request.user, identifier)
    if licence is None or not access.is_holder(request.user, licence):
        raise Http404
    return licence


@applicant_required()
def licence_list(request: HttpRequest) -> HttpResponse:
    licences = list(
        access.visible_licences(request.user).select_related("seal_key", "case").order_by("-issued_on", "-id")
    )
    return render(
        request,
        "portal/licences/list.html",
        {"licences": [queries.view(lic, request.user) for lic in licences]},
    )


@applicant_required()
def licence_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _mine_or_404(request, identifier)
    shares = ShareLink.objects.filter(licence=licence, revoked_at__isnull=True).order_by("-created_at")[:20]
    return render(
        request,
        "portal/licences/detail.html",
        {
            "licence": queries.view(licence, request.user),
            "qr": documents.qr_svg_data_uri(licence.payload, scale=3),
            "uses": [queries.use_view(u) for u in wallet.uses(licence)],
            "shares": shares,
            "shared_url": request.session.pop("licence_shared_url", None),
        },
    )


@applicant_required()
def licence_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = documents.attach(_mine_or_404(request, identifier))  # rendered now if the worker has not yet
    wallet.log_download(request.user, licence)
    return uploads.serve(licence.document)


@require_POST
@applicant_required()
def licence_share(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _mine_or_404(request, identifier)
    try:
        _link, token = wallet.share(request.user, licence, request.POST.get("days", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        request.session["licence_shared_url"] = absolute("portal:licence-shared", token)
        messages.success(request, _("分享链接已生成，只显示这一次，请复制后发给对方。"))
    return redirect("portal:licence", identifier=licence.identifier)


@require_POST
@applicant_required()
def licence_unshare(request: HttpRequest, identifier: str, share_id: int) -> HttpResponse:
    licence = _mine_or_404(request, identifier)
    link = ShareLink.objects.filter(licence=licence, pk=share_id).first()
    if link is None:
        raise Http404
    wallet.revoke_share(link)
    messages.success(request, _("分享链接已停用。"))
    return redirect("portal:licence", identifier=licence.identifier)


def licence_verify(request: HttpRequest) -> HttpResponse:
    """Public: by identifier (?id=, as the licence's printed link) or by the QR's text (POST)."""
    answer = None
    identifier = (request.GET.get("id") or "").strip()[:200]
    payload = ""
    if request.method == "POST":
        payload = (request.POST.get("payload") or "").strip()[:4000]
        if payload.startswith("1.2.156."):
            identifier, payload = payload, ""
        if payload:
            answer = verification.by_payload(payload)
    if identifier and answer is None:
        answer = verification.by_identifier(identifier)
    return render(
        request,
        "portal/licences/verify.html",
        {"answer": answer, "identifier": identifier, "payload": payload},
        status=200,
    )


def licence_shared(request: HttpRequest, token: str) -> HttpResponse:
    licence = wallet.open_shared(token)
    if licence is None:
        return render(request, "portal/licences/shared_gone.html", status=404)
    return render(
        request,
        "portal/licences/verify.html",
        {
            "answer": verification.by_identifier(licence.identifier),
            "identifier": licence.identifier,
            "shared": True,
        },
    )


# --- 三个凡是: a material provided by the applicant's licence -----------------------------------


def _licence_fact(licence: Licence | None, identifier: str) -> dict[str, Any]:
    if licence is None:  # never deleted (PROTECT); only the identifier is left to show
        return {
            "identifier": identifier,
            "type": "",
            "number": identifier,
            "usable": False,
            "status_text": "",
        }
    usable = licence.usable
    status_text = licence.get_status_display()
    if licence.status == Status.VALID and not usable:  # valid on record, past its date
        status_text = _("已过有效期")
    return {
        "identifier": licence.identifier,
        "type": licence.type_name,
        "number": licence.number,
        "valid_until": licence.valid_until,
        "usable": usable,
        "status_text": status_text,
    }


def _licences_of(case: Case) -> tuple[dict[int, str], dict[str, Licence]]:
    """The case's materials provided by a licence (received id → identifier) and those licences."""
    received = dict(
        CaseMaterial.objects.filter(case=case)
        .exclude(licence_identifier="")
        .values_list("pk", "licence_identifier")
    )
    licences = {
        lic.identifier: lic
        for lic in Licence.objects.filter(identifier__in=set(received.values())).select_related(
            "licence_type"
        )
    }
    return received, licences


def mark_licences(case: Case, rows: list, *, offers: bool = False) -> list:
    """Mark the checklist rows' files that are licences (`f.licence`), split them from the uploads
    (`row.licence_files`, `row.upload_files`), and with `offers` give each row what the wallet can
    provide for it (`row.offer`, a `reuse.Offer`, or None)."""
    received, licences = _licences_of(case) if any(row.files for row in rows) else ({}, {})
    by_material = {o.material.pk: o for o in reuse.offers(case)} if offers else {}
    for row in rows:
        for f in row.files:
            identifier = received.get(f["id"])
            if identifier:
                f["licence"] = _licence_fact(licences.get(identifier), identifier)
        row.licence_files = [f for f in row.files if f.get("licence")]
        row.upload_files = [f for f in row.files if not f.get("licence")]
        row.offer = by_material.get(row.id)
    return rows


def used_licences(case: Case) -> list[dict[str, Any]]:
    """The licences the applicant consented to use as material, for the receipt."""
    received, licences = _licences_of(case)
    rows = CaseMaterial.objects.filter(pk__in=received, replaced=False).order_by("uploaded_at", "pk")
    return [
        {
            "material": m.name,
            "at": m.uploaded_at,
            **_licence_fact(licences.get(m.licence_identifier), m.licence_identifier),
        }
        for m in rows
    ]


def issued_for(user: User, case: Case) -> list[dict[str, Any]]:
    """The licences issued for the case that the reader holds (the wallet's own access rule)."""
    if case.state == State.DRAFT:
        return []
    licences = access.visible_licences(user).filter(case=case).order_by("-version", "-id")
    return [
        {**_licence_fact(lic, lic.identifier), "has_document": lic.document_id is not None}
        for lic in licences
    ]


@require_POST
@applicant_required()
def case_use_licence(request: HttpRequest, ref: str) -> HttpResponse:
    """使用电子证照: the applicant's consent (one tick) to provide a material with their licence."""
    case = applicant_case(request, ref)
    raw = (request.POST.get("material") or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Http404
    material_id = int(raw)
    error, status = "", 400
    if request.POST.get("consent") != "1":
        error = _("请勾选“同意调取并使用该电子证照作为本项材料”后再使用电子证照。")
    else:
        identifier = (request.POST.get("identifier") or "").strip()
        try:
            identifiers.parse(identifier)
        except identifiers.InvalidIdentifier:
            identifier = ""  # nothing of the applicant's: `reuse.use` answers "not found"
        try:
            received = reuse.use(request.user, case, material_id, identifier)
        except ValidationError as exc:
            error = " ".join(messages_of(exc))
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            error, status = exc.message, 409
    if error:
        if case.state != State.DRAFT:
            return refused(request, case, error, status=status)
        return render_case(request, case, status=status, upload_errors={f"material.{material_id}": [error]})
    licence = Licence.objects.select_related("licence_type").get(identifier=received.licence_identifier)
    messages.success(
        request,
        _("已使用电子证照“%(type)s %(number)s”作为材料：%(material)s。")
        % {"type": licence.type_name, "number": licence.number, "material": received.name},
    )
    return redirect(case_url(case) + f"#material-{material_id}")
