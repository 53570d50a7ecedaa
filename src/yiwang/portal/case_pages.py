"""The applicant's two pages of one case: the application page of a draft (the form, the
materials, how to receive the result, what is still missing) and the case page of a submitted case
(every due date, the timeline, the correction notice, 容缺 materials, the decision and its
documents, delivery, licences and ratings); and the part of the application page an upload or a
removal done in place answers with (`application_fragment`).

Read through `cases.access` / `cases.queries`; bad input is shown next to its control and named in
a summary (`case_presenters.problem_list`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from yiwang.cases import access, clock, drafts, queries, services
from yiwang.cases.models import (
    DECISION_DOCUMENT_KINDS,
    Case,
    CaseDocument,
    DeliveryMethod,
    DocumentKind,
)
from yiwang.cases.rules import State
from yiwang.core import uploads
from yiwang.portal import case_forms, rating_views
from yiwang.portal import case_presenters as present
from yiwang.portal.presenters import limit_text
from yiwang.workbench.schema_forms import bind_schema

CLOSED_STATES = {State.NOT_ACCEPTED, State.DELIVERED, State.WITHDRAWN, State.TERMINATED}


def render_case(request: HttpRequest, case: Case, *, status: int = 200, **kwargs: Any) -> HttpResponse:
    if case.state == State.DRAFT:
        return render(
            request, "portal/cases/apply.html", _application_context(request, case, **kwargs), status=status
        )
    return render(request, "portal/cases/case.html", _case_context(request, case, **kwargs), status=status)


def _extra_targets() -> dict[str, tuple[str, str]]:
    # Built per request so the labels follow the active language.
    return {
        "contact_phone": (_("联系电话"), "contact-phone"),
        "delivery_method": (_("领取方式"), "delivery-pickup"),
        "delivery_recipient": (_("收件人"), "delivery-recipient"),
        "delivery_phone": (_("收件人电话"), "delivery-phone"),
        "delivery_address": (_("收件地址"), "delivery-address"),
    }


def form_targets(schema: dict, data: dict) -> dict[str, tuple[str, str]]:
    """Each control's label and anchor on the application page (the form's fields, the contact
    phone and the delivery), for the error summary and an autosave's answer."""
    bound = bind_schema(
        schema,
        data,
        {},
        prefix=present.FORM_PREFIX,
        id_prefix=present.FORM_ID_PREFIX,
        apply_visibility=False,
        divisions=[],
    )
    return {**_extra_targets(), **present.field_targets(bound)}


def _delivery_values(case: Case, posted: dict[str, str] | None) -> dict[str, str]:
    if posted is not None:
        return posted
    delivery = getattr(case, "delivery", None)
    if delivery is None:
        return {"method": DeliveryMethod.PICKUP, "recipient": "", "phone": "", "address": ""}
    return {
        "method": delivery.method,
        "recipient": delivery.recipient,
        "phone": delivery.phone,
        "address": delivery.address,
    }


def _licence_views():
    from yiwang.portal import licence_views  # it imports this module: bound when first used

    return licence_views


def _upload_help() -> str:
    return _("可上传 PDF、JPG、PNG、Word、Excel 或 OFD 文件，每个文件不超过 %(mb)s MB。") % {
        "mb": uploads.DEFAULT_MAX_BYTES // (1024 * 1024)
    }


def _application_context(
    request: HttpRequest,
    case: Case,
    *,
    data: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    upload_errors: dict[str, list[str]] | None = None,
    delivery: dict[str, str] | None = None,
    contact_phone: str | None = None,
    submitted: bool = False,
) -> dict[str, Any]:
    schema = drafts.case_schema(case)
    full = queries.reads_in_full(request.user, case)
    form_data = case.form_data if data is None else data
    errors = dict(errors or {})
    upload_errors = dict(upload_errors or {})
    targets = form_targets(schema, form_data)
    checklist = drafts.checklist(case)
    materials = present.material_rows(case, checklist, {**errors, **upload_errors})
    _licence_views().mark_licences(case, materials, offers=True)  # 三个凡是: offered from the wallet
    problems = drafts.submission_problems(case)
    field_errors = {k: v for k, v in errors.items() if not k.startswith("material.")}
    summary = present.problem_list({**errors, **upload_errors}, targets, {r.id: r.name for r in materials})
    return {
        "case": case,
        "ref": str(case.draft_key),
        "title": case.title,
        "version": case.version,
        "schema": schema,
        "form_data": form_data,
        "form_errors": field_errors,
        "form_prefix": present.FORM_PREFIX,
        "error_summary": summary,
        "submitted_with_problems": submitted,
        "materials": materials,
        "extras": present.files_of(case, drafts.extra_materials(case)),
        "extra_errors": [str(m) for m in upload_errors.get("material.extra", [])],
        "missing": present.problem_list(problems, targets),
        "review_rows": present.review_rows(queries.form_answers(case, full=full)),
        "delivery": _delivery_values(case, delivery),
        "delivery_errors": {
            k.removeprefix("delivery_"): v for k, v in errors.items() if k.startswith("delivery_")
        },
        "express_allowed": case.version.express_delivery,
        "delivery_methods": DeliveryMethod,
        "contact_phone": case.contact_phone if contact_phone is None else contact_phone,
        "contact_phone_errors": errors.get("contact_phone", []),
        "upload_accept": present.UPLOAD_ACCEPT,
        "upload_help": _upload_help(),
        "upload_max_bytes": uploads.DEFAULT_MAX_BYTES,
        "promised": limit_text(case.version.promised_limit, case.version.promised_limit_unit),
        "autosave_url": reverse("portal:case-save", args=[str(case.draft_key)]),
    }


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    data: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    upload_errors: dict[str, list[str]] | None = None,
    **_ignored: Any,
) -> dict[str, Any]:
    today = clock.today()
    errors = dict(errors or {})
    upload_errors = dict(upload_errors or {})
    user = request.user
    actions = services.available_actions(user, case)
    checklist = drafts.checklist(case)
    rows = present.material_rows(case, checklist, {**errors, **upload_errors})
    _licence_views().mark_licences(case, rows)
    by_id = {r.id: r for r in rows}

    correction = drafts.open_correction(case)
    correction_items: list[dict[str, Any]] = []
    correction_materials: list[present.MaterialRow] = []
    correction_schema: dict | None = None
    schema = drafts.case_schema(case)
    form_data = case.form_data if data is None else {**case.form_data, **data}
    targets = form_targets(schema, form_data)
    if correction is not None:
        for n, item in enumerate(correction.items, start=1):
            material_id, field_name = item.get("material"), item.get("field")
            row = by_id.get(material_id) if material_id else None
            correction_items.append(
                {
                    "n": n,
                    "label": item.get("label") or _("其他"),
                    "note": item.get("note", ""),
                    "reasons": present.correction_reasons(item),
                    "kind": _("材料") if material_id else (_("表单") if field_name else ""),
                    "material_anchor": row.anchor if row else "",
                    "field_anchor": targets.get(field_name, ("", ""))[1] if field_name else "",
                    "done": bool(row and any(f["uploaded_at"] > correction.requested_at for f in row.files)),
                }
            )
            if row is not None and row not in correction_materials:
                row.note = present.correction_requirement(item)
                correction_materials.append(row)
        correction_schema = case_forms.editable_schema(case)
        if not correction_schema.get("fields"):
            correction_schema = None

    pending_rows = [by_id[m] for m in case.pending_materials if m in by_id]
    commitment_overdue = bool(
        case.pending_materials
        and (case.commitment_overdue or (case.commitment_due is not None and case.commitment_due < today))
    )
    full = queries.reads_in_full(user, case)
    documents = queries.documents_of(case)
    delivery = queries.delivery_of(
        case, full=full, applicant=access.is_applicant_of(user, case), documents=documents
    )
    closed_or_decided = case.state in {State.NOT_ACCEPTED, State.REFUSED, State.TERMINATED} or bool(
        case.decision_reason
    )
    remedy = case.remedy or (
        services.REMEDY_DEFAULT if case.state in {State.NOT_ACCEPTED, State.REFUSED} else ""
    )
    urgency = queries.urgency(case, today)
    return {
        "case": case,
        "ref": case.number,
        "title": case.title,
        "state_label": case.state_label,
        "department": case.department,
        "actions": actions,
        "can_withdraw": "withdraw" in actions,
        "can_resubmit": "resubmit" in actions,
        "current_due_label": present.current_due_label(case),
        "urgency": urgency,
        "urgency_text": present.URGENCY_TEXT.get(urgency, ""),
        "paused_text": present.paused_text(case),
        "next_step": present.next_step_text(case),
        "events": [present.event_view(e) for e in present.applicant_steps(queries.timeline(case))],
        "identity": present.identity(case, full=full),
        "contact_phone": queries.contact_phone(case, full=full),
        "correction": correction,
        "correction_items": correction_items,
        "correction_materials": correction_materials,
        "correction_schema": correction_schema,
        "form_data": form_data,
        "form_errors": {k: v for k, v in errors.items() if not k.startswith("material.")},
        "form_prefix": present.FORM_PREFIX,
        "error_summary": present.problem_list(
            {**errors, **upload_errors}, targets, {r.id: r.name for r in rows}
        ),
        "pending_rows": pending_rows,
        "commitment_overdue": commitment_overdue,
        "can_upload_pending": bool(pending_rows) and case.state not in CLOSED_STATES,
        "materials": [r for r in rows if r.files],
        "extras": present.files_of(case, drafts.extra_materials(case)),
        "delivery": delivery,
        "documents": documents,
        "decision_documents": [d for d in documents if d.kind in DECISION_DOCUMENT_KINDS],
        "documents_pending": _documents_pending(case, documents),
        "show_decision": closed_or_decided,
        "remedy": remedy,
        "review_rows": present.review_rows(queries.form_answers(case, full=full)),
        "upload_accept": present.UPLOAD_ACCEPT,
        "upload_help": _upload_help(),
        "today": today,
        "save_url": reverse("portal:case-save", args=[case.number]),
        "licences_issued": _licence_views().issued_for(user, case),
        "ratings": rating_views.panel(user, case),
        "bundle_application": _bundle_application(case),
    }


def _documents_pending(case: Case, documents: list[CaseDocument]) -> bool:
    """Decided (or not accepted) and its document not made yet: the worker makes it after commit."""
    kinds = {d.kind for d in documents}
    if case.state == State.NOT_ACCEPTED:
        return DocumentKind.NON_ACCEPTANCE_NOTICE not in kinds
    if case.state in (State.APPROVED, State.REFUSED, State.COMPLETED):
        return not kinds & set(DECISION_DOCUMENT_KINDS)
    return False


def application_fragment(
    request: HttpRequest,
    case: Case,
    material_id: int | None,
    *,
    announce: str,
    status: int = 200,
    upload_errors: dict[str, list[str]] | None = None,
    extra_name: str = "",
) -> HttpResponse:
    """The answer to an upload or a removal done in place (`in_place`): the material's item (or the
    supplementary materials), the "还缺" list and the review's materials, and the sentence read out."""
    context = _application_context(request, case, upload_errors=upload_errors)
    context.update(target_material=material_id, announce=announce, extra_name=extra_name)
    response = render(request, "portal/cases/_upload_answer.html", context, status=status)
    add_never_cache_headers(response)
    return response


def _bundle_application(case: Case):
    """The 一件事 application the case belongs to (the applicant's one view links back)."""
    from yiwang.bundles.models import BundleApplication

    return BundleApplication.objects.filter(members__case=case).only("key", "title", "number").first()
