"""The applicant's case pages (网上申报 and 我的办件): start an application from the guide, fill the
form (saved as a draft, autosaved by portal.js), upload materials, choose how to receive the
result, submit; the receipt (回执) and its PDF; the list of one's cases; the case page with every
due date, the timeline, the correction notice (一次性告知), 容缺 materials and withdrawal. (消息: notice_views.)

Views read through `cases.access` / `cases.queries` and change things only through
`cases.services`. A case the user may not see (or a forged number or draft key) answers 404.
Bad input is shown next to its control and named in a summary; nothing already saved is lost
(see `case_forms`: a failed save keeps every valid field, and a POST that arrives after the session
expired is restored once the applicant has signed in again).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts import access as account_access
from yiwang.accounts.models import AccountKind
from yiwang.cases import access, changes, clock, drafts, queries, services
from yiwang.cases.models import (
    DECISION_DOCUMENT_KINDS,
    Case,
    CaseDocument,
    DeliveryMethod,
    DocumentKind,
)
from yiwang.cases.rules import State
from yiwang.catalog import queries as catalog_queries
from yiwang.catalog.models import EntryStatus, OnlineDepth
from yiwang.core import uploads
from yiwang.portal import case_forms
from yiwang.portal import case_presenters as present
from yiwang.portal.presenters import limit_text
from yiwang.workbench.schema_forms import bind_schema

PAGE_SIZE = 10
MAX_DRAFTS_LISTED = 50
EDITABLE_STATES = case_forms.EDITABLE_STATES
CLOSED_STATES = {State.NOT_ACCEPTED, State.DELIVERED, State.WITHDRAWN, State.TERMINATED}


# --- Signing in, and where a request goes back to -----------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def in_place(request: HttpRequest) -> bool:
    """A request of the page's own script (application.js: an upload or a removal done in place),
    answered with the parts of the page it changes instead of a new page."""
    return request.headers.get("HX-Request") == "true"


def case_url(case: Case) -> str:
    return reverse("portal:case", args=[case.number or str(case.draft_key)])


def applicant_required(*, stash: bool = False) -> Callable:
    """Signed-in applicants only. Anyone else is sent to sign in and brought back to a page that
    answers GET (the case page, or the start page with the chosen situation); a script gets 401.
    Staff accounts have the workbench: the applicant's case pages answer them 404."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                ref, code = kwargs.get("ref"), kwargs.get("code")
                if ref:
                    target = reverse("portal:case", args=[ref])
                    if stash and request.method == "POST":
                        case_forms.stash(request, ref)
                elif code:
                    target = reverse("portal:case-start", args=[code])
                    situation = (request.POST.get("situation") or request.GET.get("situation") or "").strip()
                    if situation.isdigit():
                        target += "?" + urlencode({"situation": situation})
                elif request.method == "GET":
                    target = request.get_full_path()
                else:
                    target = reverse("portal:cases")
                if _wants_json(request) or in_place(request):
                    login_url = reverse("accounts:login") + "?" + urlencode({"next": target})
                    return JsonResponse(
                        {
                            "code": "login_required",
                            "message": _("登录已超时，请重新登录。已保存的内容不会丢失。"),
                            "login_url": login_url,
                        },
                        status=401,
                    )
                return redirect_to_login(target)
            if user.kind == AccountKind.STAFF:
                if kwargs.get("code"):
                    messages.error(request, _("工作人员账号不能在网上申请；窗口收件请在工作台登记。"))
                    return redirect("portal:guide", kwargs["code"])
                if kwargs.get("ref"):
                    raise Http404
                return redirect("workbench:home")
            response = view(request, *args, **kwargs)
            # Personal data: not kept by the browser's cache (a shared computer's back button).
            add_never_cache_headers(response)
            return response

        return wrapper

    return decorate


def applicant_case(request: HttpRequest, ref: str) -> Case:
    case = access.case_for(request.user, ref)
    if case is None:
        raise Http404
    return case


def refused(request: HttpRequest, case: Case, message: str, *, status: int = 409) -> HttpResponse:
    """An action that cannot happen now: the message on the case page (or as JSON)."""
    if _wants_json(request):
        return JsonResponse({"code": "conflict", "message": message}, status=status)
    messages.error(request, message)
    return redirect(case_url(case))


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for msgs in exc.message_dict.values() for m in msgs]
    return [str(m) for m in exc.messages]


# --- Starting an application ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@applicant_required()
def case_start(request: HttpRequest, code: str) -> HttpResponse:
    """申请办理: POSTed from the guide (situation, and for an agent the enterprise); GET shows the
    same choices, e.g. after signing in, or when an agent has to say for whom they apply."""
    entry = (
        catalog_queries.published_entries()
        .select_related("published", "department")
        .filter(code=code)
        .first()
    )
    if entry is None:
        raise Http404
    user = request.user
    version = entry.published
    situations = list(version.situations.all())
    enterprises = account_access.enterprises_acted_for(user) if user.kind == AccountKind.PERSON else []
    person = getattr(user, "person", None) if user.kind == AccountKind.PERSON else None
    unavailable = ""
    if entry.status != EntryStatus.ACTIVE:
        unavailable = _("该事项当前暂停办理，不能申请。")
    elif version.online_depth < OnlineDepth.SUBMIT:
        unavailable = _("该事项暂不支持网上申请，请按办事指南到办理地点办理。")
    source = request.POST if request.method == "POST" else request.GET
    chosen_situation = (source.get("situation") or "").strip()
    chosen_applicant = (source.get("applicant") or "").strip()
    open_drafts = list(
        queries.applicant_cases(user).filter(entry=entry, state=State.DRAFT).select_related("situation")[:5]
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and not unavailable:
        situation = None
        if situations:
            situation = next((s for s in situations if str(s.seq) == chosen_situation), None)
            if situation is None:
                errors["situation"] = [_("请选择办理情形。")]
        enterprise = None
        if enterprises and version.audience != "person":  # an entry for 自然人 only: always oneself
            enterprise = next((e for e in enterprises if str(e.pk) == chosen_applicant), None)
            if enterprise is None and not (chosen_applicant == "self" and person is not None):
                errors["applicant"] = [_("请选择以谁的名义申请：本人，或您代办的企业。")]
        if not errors:
            same = next(
                (
                    d
                    for d in open_drafts
                    if d.situation_id == (situation.pk if situation else None)
                    and d.applicant_enterprise_id == (enterprise.pk if enterprise else None)
                ),
                None,
            )
            if same is not None and request.POST.get("new") != "1":
                messages.info(request, _("您已有这项申请的草稿，已为您打开，可以接着填写。"))
                return redirect(case_url(same))
            try:
                case = drafts.start_application(
                    user, entry, situation_id=situation.pk if situation else None, enterprise=enterprise
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("已创建申请草稿。填写的内容会自动保存，可以随时回来继续。"))
                return redirect(case_url(case))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/cases/start.html",
        {
            "entry": entry,
            "version": version,
            "title": (version.plain_title or version.name).strip(),
            "situations": situations,
            "chosen_situation": chosen_situation,
            "enterprises": enterprises,
            "person": person,
            "chosen_applicant": chosen_applicant,
            "drafts": open_drafts,
            "errors": errors,
            "error_list": [str(m) for msgs in errors.values() for m in msgs],
            "unavailable": unavailable,
        },
        status=status,
    )


# --- 我的办件 -------------------------------------------------------------------------------------


@applicant_required()
def case_list(request: HttpRequest) -> HttpResponse:
    """The applicant's drafts (to continue), then their submitted cases, newest first, paginated."""
    user = request.user
    today = clock.today()
    draft_rows = [
        present.case_row(c, today)
        # A bundle's waiting case is not the applicant's to continue: it shows in 我的一件事.
        for c in queries.applicant_cases(user).filter(state=State.DRAFT, held_reason="")[:MAX_DRAFTS_LISTED]
    ]
    paginator = Paginator(queries.applicant_cases(user, include_drafts=False), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/cases/list.html",
        {
            "drafts": draft_rows,
            "rows": [present.case_row(c, today) for c in page.object_list],
            "page": page,
            "today": today,
        },
    )


# --- One case: the application page (drafts) or the case page ---------------------------------


@applicant_required()
def case_detail(request: HttpRequest, ref: str) -> HttpResponse:
    case = applicant_case(request, ref)
    if case.number and ref != case.number:
        return redirect(case_url(case))  # a submitted draft's old address
    case_forms.restore_stash(request, case, ref)
    return render_case(request, case)


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


def _targets(schema: dict, data: dict) -> dict[str, tuple[str, str]]:
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


def rating_panel(user, case: Case) -> dict[str, Any]:
    from yiwang.portal import rating_views  # it imports this module: bound when first used

    return rating_views.panel(user, case)


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
    targets = _targets(schema, form_data)
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
    targets = _targets(schema, form_data)
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
        "ratings": rating_panel(user, case),
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


def _problems_json(problems: list[present.Problem]) -> list[dict[str, str]]:
    return [{"text": p.text, "href": p.href} for p in problems]


def _field_errors_json(
    errors: dict[str, list[str]], targets: dict[str, tuple[str, str]]
) -> list[dict[str, str]]:
    """An autosave's refused values, each with its control (`href`) and the message to show next
    to it (`message`, without the label the control already has)."""
    out = []
    for key, msgs in errors.items():
        label, anchor = targets.get(key, ("", ""))
        for message in msgs:
            message = str(message)
            out.append(
                {
                    "text": f"{label}：{message}" if label else message,
                    "href": f"#{anchor}" if anchor else "",
                    "message": message,
                }
            )
    return out


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


@require_POST
@applicant_required(stash=True)
def case_save(request: HttpRequest, ref: str) -> HttpResponse:
    """保存草稿 / 提交申请 (drafts), 保存 / 提交补正材料 (corrections); `do=autosave` from portal.js
    answers JSON with what was saved, what was wrong and what is still missing."""
    case = applicant_case(request, ref)
    do = request.POST.get("do", "save")
    if case.state not in EDITABLE_STATES:
        if do == "submit" and case.number:  # a second click on 提交申请: it is already in
            return redirect("portal:case-receipt", case.number)
        return refused(request, case, _("申请已提交，不能再修改。"))
    if (do == "submit" and case.state != State.DRAFT) or (do == "resubmit" and case.state == State.DRAFT):
        do = "save"
    data = case_forms.posted_form(case, request.POST)
    contact_phone = request.POST.get("contact_phone") if case.state == State.DRAFT else None
    posted_delivery = case_forms.posted_delivery(request.POST)
    try:
        errors = case_forms.save_form(request, case, data, contact_phone)
        errors.update(case_forms.save_delivery(request, case, posted_delivery, autosave=do == "autosave"))
    except (changes.CaseConflict, changes.NotYourAction) as exc:
        return refused(request, case, exc.message)
    targets = _targets(drafts.case_schema(case), {**case.form_data, **(data or {})})
    if _wants_json(request):
        # Every valid value is saved; a refused one is a 422 naming it (and its control), so the
        # page says 未保存 and shows the message next to the field.
        missing = drafts.submission_problems(case) if case.state == State.DRAFT else {}
        body: dict[str, Any] = {
            "saved": not errors,
            "saved_at": timezone.localtime(clock.now()).strftime("%H:%M"),
            "errors": _field_errors_json(errors, targets),
            "missing": _problems_json(present.problem_list(missing, targets)),
        }
        if errors:
            first = body["errors"][0]["text"].rstrip("。")
            body.update(
                code="invalid",
                message=body["errors"][0]["text"]
                if len(body["errors"]) == 1
                else _("%(first)s等 %(n)s 处填写有误") % {"first": first, "n": len(body["errors"])},
                fields={k: [str(m) for m in v] for k, v in errors.items()},
            )
        return JsonResponse(body, status=422 if errors else 200)
    if do == "autosave":  # a beacon sent while leaving the page: nothing to show
        return HttpResponse(status=204)
    render_kwargs = {"data": data, "delivery": posted_delivery, "contact_phone": contact_phone}
    if errors:
        if do == "submit":  # name everything still in the way, not only the values just refused
            errors = {**drafts.submission_problems(case), **errors}
        return render_case(
            request, case, status=400, errors=errors, submitted=do == "submit", **render_kwargs
        )
    if do == "submit":
        try:
            drafts.submit(request.user, case)
        except ValidationError as exc:
            return render_case(
                request, case, status=400, errors=exc.message_dict, submitted=True, **render_kwargs
            )
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            return refused(request, case, exc.message)
        messages.success(request, _("申请已提交。请保存或打印回执，凭办件编号查询办理进度。"))
        return redirect("portal:case-receipt", case.number)
    if do == "resubmit":
        try:
            services.act(request.user, case, "resubmit")
        except ValidationError as exc:
            return render_case(request, case, status=400, errors=exc.message_dict, **render_kwargs)
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            return refused(request, case, exc.message)
        messages.success(request, _("补正材料已提交，请等待工作人员审核。"))
        return redirect(case_url(case))
    messages.success(request, _("已保存。"))
    return redirect(case_url(case) + ("#step-form" if case.state == State.DRAFT else "#correction"))


# --- Discarding a draft and withdrawal -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@applicant_required()
def case_discard(request: HttpRequest, ref: str) -> HttpResponse:
    """删除草稿: a draft the applicant no longer wants (a submitted case is withdrawn instead). The
    list's link asks first (GET: what will be deleted, and the button that deletes it)."""
    case = applicant_case(request, ref)
    if request.method == "GET":
        if case.state != State.DRAFT:
            raise Http404
        received = case.materials.count()
        return render(request, "portal/cases/discard.html", {"case": case, "ref": ref, "received": received})
    try:
        drafts.discard_draft(request.user, case)
    except (changes.CaseConflict, changes.NotYourAction) as exc:
        return refused(request, case, exc.message)
    messages.success(request, _("草稿已删除。"))
    return redirect("portal:cases")


@require_http_methods(["GET", "POST"])
@applicant_required()
def case_withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    """撤回申请, with a confirmation step (possible until the decision)."""
    case = applicant_case(request, ref)
    if case.state == State.DRAFT:
        raise Http404
    if "withdraw" not in services.available_actions(request.user, case):
        return refused(request, case, _("办件当前状态（%(state)s）不能撤回。") % {"state": case.state_label})
    error = ""
    reason = (request.POST.get("reason") or "").strip()[:2000]
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            error = _("请勾选“我确认撤回这项申请”。")
        else:
            try:
                services.act(request.user, case, "withdraw", {"reason": reason})
            except (changes.CaseConflict, changes.NotYourAction) as exc:
                return refused(request, case, exc.message)
            except ValidationError as exc:
                error = " ".join(messages_of(exc))
            else:
                messages.success(request, _("申请已撤回。"))
                return redirect(case_url(case))
    return render(
        request,
        "portal/cases/withdraw.html",
        {"case": case, "title": case.title, "reason": reason, "error": error},
        status=400 if error else 200,
    )


def _bundle_application(case: Case):
    """The 一件事 application the case belongs to (the applicant's one view links back)."""
    from yiwang.bundles.models import BundleApplication

    return BundleApplication.objects.filter(members__case=case).only("key", "title", "number").first()
