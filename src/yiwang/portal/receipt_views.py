"""The receipt (回执) of a submitted case on the portal: a page and a PDF."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from yiwang.cases import drafts
from yiwang.cases.models import (
    Case,
    DeliveryMethod,
)
from yiwang.portal import case_presenters as present
from yiwang.portal import licence_views, receipt_pdf
from yiwang.portal.applicant_access import applicant_case, applicant_required, case_url
from yiwang.portal.presenters import limit_text

# --- The receipt (回执) ------------------------------------------------------------------------


def _receipt_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    if not case.number:
        raise Http404
    checklist = drafts.checklist(case)
    rows = [r for r in present.material_rows(case, checklist) if r.files]
    # 容缺: what is still to come, and by when (the commitment date once accepted with it pending).
    pending = set(case.pending_materials or [])
    to_come = [i.material.name for i in checklist if i.material.pk in pending or (i.missing and i.tolerable)]
    licence_views.mark_licences(case, rows)
    delivery = getattr(case, "delivery", None)
    page_url = request.build_absolute_uri(case_url(case))
    return {
        "case": case,
        "number": case.number,
        "title": case.title,
        "applicant_name": case.applicant_name,
        **present.identity(case, full=False),  # on paper: masked for everyone
        "submitted_at": case.submitted_at,
        "department": case.department,
        "acceptance_due": case.acceptance_due,
        "due_provisional": case.due_provisional,
        "promised": limit_text(case.version.promised_limit, case.version.promised_limit_unit),
        "materials": rows,
        "extras": present.files_of(case, drafts.extra_materials(case)),
        "licences_used": licence_views.used_licences(case),  # 三个凡是: with the applicant's consent
        "to_come": to_come,
        "to_come_due": case.commitment_due,
        "delivery_label": DeliveryMethod(delivery.method).label if delivery else "",
        "consult_phone": case.version.consult_phone,
        "location": case.version.location,
        "page_url": page_url,
        "list_url": request.build_absolute_uri(reverse("portal:cases")),
        "qr_data_uri": receipt_pdf.qr_data_uri(page_url),
        "state_label": case.state_label,
    }


@applicant_required()
def case_receipt(request: HttpRequest, ref: str) -> HttpResponse:
    case = applicant_case(request, ref)
    if case.number and ref != case.number:
        return redirect("portal:case-receipt", case.number)
    return render(request, "portal/cases/receipt.html", _receipt_context(request, case))


@applicant_required()
def case_receipt_pdf(request: HttpRequest, ref: str) -> HttpResponse:
    case = applicant_case(request, ref)
    pdf = receipt_pdf.render_receipt_pdf(_receipt_context(request, case))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("%(number)s-受理回执.pdf") % {"number": case.number}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
