"""The applicant's case pages (网上申报 and 我的办件): start an application from the guide, fill the
form (saved as a draft, autosaved by portal.js), upload materials, choose how to receive the
result, submit; the receipt (回执) and its PDF; the list of one's cases; the case page with every
due date, the timeline, the correction notice (一次性告知), 容缺 materials and withdrawal. (消息: notice_views.)

Views read through `cases.access` / `cases.queries` and change things only through
`cases.services`. A case the user may not see (or a forged number or draft key) answers 404.
Bad input is shown next to its control and named in a summary; nothing already saved is lost
(see `case_forms`: a failed save keeps every valid field, and a POST that arrives after the session
expired is restored once the applicant has signed in again). The pages of one case are built by
`case_pages`; what every view shares (signing in, the case, where a request goes back to) is
`applicant_access`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts import access as account_access
from yiwang.accounts.models import AccountKind
from yiwang.cases import changes, clock, drafts, queries, services
from yiwang.cases.rules import State
from yiwang.catalog import queries as catalog_queries
from yiwang.catalog.models import EntryStatus, OnlineDepth
from yiwang.portal import case_forms
from yiwang.portal import case_presenters as present
from yiwang.portal.applicant_access import (
    applicant_case,
    applicant_required,
    case_url,
    messages_of,
    refused,
    wants_json,
)
from yiwang.portal.case_pages import form_targets, render_case

PAGE_SIZE = 10
MAX_DRAFTS_LISTED = 50
EDITABLE_STATES = case_forms.EDITABLE_STATES


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
    targets = form_targets(drafts.case_schema(case), {**case.form_data, **(data or {})})
    if wants_json(request):
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
