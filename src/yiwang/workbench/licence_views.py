"""Licence pages of the workbench (证照管理): the licences issued within the staff member's reach,
one licence with its history and uses, status changes and new versions for the issuing
department's approvers; on a case, the licence its approval will issue (the approver adjusts its
fields before deciding) and materials provided by a licence shown as verified; the licence types
(证照类型) for item and platform administrators. Seals: `seal_views`.

Every licence is looked up through `licences.access` (one the user may not see answers 404);
every change goes through the licences app (`statuses`, `issuing`, `type_services`). Bad input
re-renders the page with what was typed and the errors next to their fields (HTTP 400); a change
the licence no longer allows shows the service's message (HTTP 409).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yiwang.accounts import access as account_access
from yiwang.accounts.models import StaffRole, User
from yiwang.cases import access as case_access
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.rules import State
from yiwang.licences import (
    access,
    documents,
    issuing,
    keys,
    queries,
    statuses,
    type_services,
    verification,
    wallet,
)
from yiwang.licences.models import Licence, LicenceDraft, LicenceEvent, LicenceType, Status
from yiwang.workbench.access import forbidden, role_required
from yiwang.workbench.licence_forms import LicenceTypeForm, ReissueForm, StatusForm, allowed_actions
from yiwang.workbench.schema_forms import data_from_post
from yiwang.workbench.templatetags.case_tiles import CASE_ROLES

PAGE_SIZE = 20
DATA_PREFIX = "d-"  # the reissue form's data fields
DRAFT_PREFIX = "lic-"  # the case page's licence fields
# A case whose decision is still to come: its approver may adjust the licence it will issue.
UNDECIDED_STATES = {
    State.SUBMITTED,
    State.CORRECTION_REQUESTED,
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.SUSPENDED,
}
EVENT_LABELS = {
    "issue": gettext_lazy("签发"),
    "reissue": gettext_lazy("换发新版本"),
    "expire": gettext_lazy("失效"),
    "status": gettext_lazy("状态变更"),
    **{action: gettext_lazy(label) for action, (_s, _t, label) in statuses.CHANGES.items()},
}


def sees_licences(user: User) -> bool:
    """The roles that handle cases see the licences their department (or subtree) issued."""
    return account_access.has_role(user, *CASE_ROLES)


def crumbs(*items) -> list[tuple[str, str | None]]:
    return [(str(label), url) for label, url in items]


def list_crumb() -> tuple[str, str]:
    return (_("证照管理"), reverse("workbench:licences"))


def licence_or_404(request: HttpRequest, identifier: str) -> Licence:
    licence = access.licence_for(request.user, identifier)
    if licence is None:
        raise Http404
    return licence


def verify_url(identifier: str) -> str:
    return reverse("portal:licence-verify") + "?" + urlencode({"id": identifier})


def actor_name(user: User | None) -> str:
    if user is None:
        return _("系统")
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.display_name


# --- 证照管理: the list --------------------------------------------------------------------------


@role_required(sees_licences)
def licence_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:80]
    qs = access.visible_licences(user).select_related("seal_key", "case").order_by("-issued_on", "-id")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(identifier__icontains=q)
            | Q(holder_name__icontains=q)
            | Q(holder_id=q.upper())
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/licences/list.html",
        {
            "page": page,
            "rows": [queries.view(lic, user) for lic in page.object_list],
            "statuses": Status.choices,
            "status": status,
            "q": q,
            "query": query.urlencode(),
            "show_issuer": account_access.has_role(user, StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN),
            "crumbs": crumbs((_("证照管理"), None)),
        },
    )


# --- One licence ----------------------------------------------------------------------------------


def event_rows(licence: Licence) -> list[dict[str, Any]]:
    labels = dict(Status.choices)
    return [
        {
            "at": e.at,
            "action": str(EVENT_LABELS.get(e.action, e.action)),
            "from_status": labels.get(e.from_status, ""),
            "to_status": labels.get(e.to_status, e.to_status),
            "reason": e.reason,
            "actor": actor_name(e.actor),
        }
        for e in LicenceEvent.objects.filter(licence=licence)
        .select_related("actor__staff")
        .order_by("at", "id")
    ]


def _detail(
    request: HttpRequest,
    licence: Licence,
    *,
    bound_status: StatusForm | None = None,
    reissue_form: ReissueForm | None = None,
    reissue_data: dict | None = None,
    reissue_errors: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    licence = Licence.objects.select_related("licence_type", "issuer__division", "seal_key", "case").get(
        pk=licence.pk
    )
    may_change = access.may_change_status(user, licence)
    newer = Licence.objects.filter(previous=licence).only("identifier", "version").first()
    status_forms = []
    if may_change:
        for action in allowed_actions(licence.status):
            if bound_status is not None and bound_status.action == action:
                status_forms.append(bound_status)
            else:
                status_forms.append(StatusForm(action))
    can_reissue = may_change and newer is None and licence.status in (Status.VALID, Status.SUSPENDED)
    case_url = None
    if licence.case_id and case_access.case_for(user, licence.case.number) is not None:
        case_url = reverse("workbench:case-detail", args=[licence.case.number])
    return render(
        request,
        "workbench/licences/detail.html",
        {
            "licence": queries.view(licence, user),
            "qr": documents.qr_svg_data_uri(licence.payload, scale=3),
            "verify_url": verify_url(licence.identifier),
            "events": event_rows(licence),
            "uses": [queries.use_view(u) for u in wallet.uses(licence)],
            "previous": licence.previous if licence.previous_id else None,
            "newer": newer,
            "case_url": case_url,
            "seal_withdrawn": licence.seal_key.withdrawn_at is not None,
            "may_change": may_change,
            "status_forms": status_forms,
            "bound_action": bound_status.action if bound_status is not None else "",
            "can_reissue": can_reissue,
            "reissue_form": reissue_form or (ReissueForm() if can_reissue else None),
            "reissue_schema": licence.licence_type.schema,
            "reissue_data": reissue_data if reissue_data is not None else licence.data,
            "reissue_errors": reissue_errors or {},
            "data_prefix": DATA_PREFIX,
            "crumbs": crumbs(list_crumb(), (f"{licence.type_name} {licence.number}", None)),
        },
        status=status,
    )


@role_required(sees_licences)
def licence_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    return _detail(request, licence_or_404(request, identifier))


@role_required(sees_licences)
@require_POST
def licence_status(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = licence_or_404(request, identifier)
    if not access.may_change_status(request.user, licence):
        return forbidden(request, _("只有发证部门的审批人员可以变更证照状态。"))
    action = (request.POST.get("action") or "").strip()
    if action not in statuses.CHANGES:
        raise Http404
    form = StatusForm(action, request.POST)
    if not form.is_valid():
        return _detail(request, licence, bound_status=form, status=400)
    try:
        statuses.change(licence, action, form.cleaned_data["reason"], request.user)
    except ValidationError as exc:
        form.add_service_errors(exc)
        conflict = not (hasattr(exc, "error_dict") and "reason" in exc.error_dict)
        return _detail(request, licence, bound_status=form, status=409 if conflict else 400)
    messages.success(
        request, _("已%(action)s证照 %(number)s。") % {"action": form.label, "number": licence.number}
    )
    return redirect("workbench:licence", identifier=licence.identifier)


@role_required(sees_licences)
@require_POST
def licence_reissue(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = licence_or_404(request, identifier)
    if not access.may_change_status(request.user, licence):
        return forbidden(request, _("只有发证部门的审批人员可以换发证照。"))
    form = ReissueForm(request.POST)
    data = data_from_post(licence.licence_type.schema, request.POST, prefix=DATA_PREFIX)
    shown = {**licence.data, **data}
    if not form.is_valid():
        return _detail(request, licence, reissue_form=form, reissue_data=shown, status=400)
    try:
        fresh = issuing.reissue(licence, request.user, data, form.cleaned_data["reason"])
    except issuing.CannotIssue as exc:
        form.add_error(None, str(exc))
        return _detail(request, licence, reissue_form=form, reissue_data=shown, status=409)
    except ValidationError as exc:
        names = {f["name"] for f in licence.licence_type.fields}
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        field_errors = {k: v for k, v in errors.items() if k.split(".")[0] in names}
        form.add_service_errors(ValidationError({k: v for k, v in errors.items() if k not in field_errors}))
        if field_errors:
            form.add_error(None, _("证照数据项有误，请修改标出的内容。"))
        return _detail(
            request, licence, reissue_form=form, reissue_data=shown, reissue_errors=field_errors, status=400
        )
    documents.attach(fresh)
    messages.success(
        request,
        _("已换发新版本（第 %(v)s 版），原版本 %(old)s 已失效。")
        % {"v": fresh.version, "old": licence.number},
    )
    return redirect("workbench:licence", identifier=fresh.identifier)


# --- On the case page -----------------------------------------------------------------------------


def case_licence(
    user: User, case: Case, *, data: dict | None = None, errors: dict | None = None
) -> dict | None:
    """The case page's "将签发的电子证照" section, or None when the case's entry issues no licence."""
    licence_type = issuing.type_for_entry(case.entry_id)
    if licence_type is None:
        return None
    issued = [
        {
            "number": lic.number,
            "version": lic.version,
            "status_text": lic.get_status_display(),
            "usable": lic.usable,
            "url": reverse("workbench:licence", args=[lic.identifier])
            if access.licence_for(user, lic.identifier) is not None
            else None,
        }
        for lic in Licence.objects.filter(case=case).order_by("version")
    ]
    actors = case_access.staff_actors(user, case)
    undecided = case.decided_on is None and case.state in UNDECIDED_STATES
    adjustable = undecided and not issued and access.may_adjust(user, case)
    approved = case.events.filter(action__in=issuing.APPROVING_ACTIONS).exists()
    proposed: dict[str, Any] = {}
    if not issued and actors:
        proposed = issuing.proposed_data(case, licence_type)
    draft = (
        LicenceDraft.objects.filter(case=case, licence_type=licence_type).select_related("updated_by").first()
    )
    return {
        "type": licence_type,
        "issued": issued,
        "adjustable": adjustable,
        "undecided": undecided,
        "waiting": approved and not issued,
        "no_seal": not issued and bool(actors) and keys.current_key(case.department_id) is None,
        "schema": licence_type.schema,
        "data": data if data is not None else proposed,
        "shown": issuing.shown_data(licence_type, proposed) if proposed and not adjustable else {},
        "errors": errors or {},
        "draft_by": actor_name(draft.updated_by) if draft is not None else "",
        "draft_at": draft.updated_at if draft is not None else None,
        "prefix": DRAFT_PREFIX,
    }


@role_required(sees_licences)
@require_POST
def case_licence_draft(request: HttpRequest, number: str) -> HttpResponse:
    """The approver saves the licence's fields before deciding (`issuing.save_draft`)."""
    from yiwang.cases.changes import CaseConflict, NotYourAction
    from yiwang.workbench import case_views

    case = case_views.case_or_404(request, number)
    section = case_licence(request.user, case)
    if section is None:
        raise Http404
    if not section["adjustable"]:
        if not access.may_adjust(request.user, case):
            exc: Exception = NotYourAction(_("只有本件的审批人员可以在决定前调整证照内容。"), [])
        else:
            exc = CaseConflict(_("本件已作出决定，证照内容不能再调整。"))
        return case_views._conflict(request, number, exc)
    data = data_from_post(section["schema"], request.POST, prefix=DRAFT_PREFIX)
    try:
        issuing.save_draft(request.user, case, data)
    except PermissionError as exc:
        return case_views._conflict(request, number, NotYourAction(str(exc), []))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        section = case_licence(request.user, case, data=data, errors=errors)
        return case_views._detail(request, case, licence_section=section, status=400)
    messages.success(request, _("已保存将签发的电子证照内容，审批通过后按此签发。"))
    return redirect(reverse("workbench:case-detail", args=[case.number]) + "#licence")


def mark_licence_materials(case: Case, rows: list, extras: list[dict]) -> None:
    """Materials provided by an electronic licence: each file dict gets `licence` with the online
    verification's answer, so the materials list shows "电子证照 · 已核验" (or why not)."""
    by_file = dict(
        CaseMaterial.objects.filter(case=case)
        .exclude(licence_identifier="")
        .values_list("pk", "licence_identifier")
    )
    if not by_file:
        return
    answers: dict[str, verification.Answer] = {}
    for files in [*(row.files for row in rows), extras]:
        for f in files:
            identifier = by_file.get(f["id"])
            if not identifier:
                continue
            if identifier not in answers:
                answers[identifier] = verification.by_identifier(identifier)
            answer = answers[identifier]
            f["licence"] = {
                "identifier": identifier,
                "verified": answer.code == "valid",
                "message": answer.message,
                "verify_url": verify_url(identifier),
            }


# --- 证照类型 ------------------------------------------------------------------------------------


def types_crumb() -> tuple[str, str]:
    return (_("证照类型"), reverse("workbench:licence-types"))


@role_required(type_services.may_manage_types)
def type_list(request: HttpRequest) -> HttpResponse:
    types = list(type_services.types_for(request.user).prefetch_related("entries").order_by("name"))
    return render(
        request,
        "workbench/licences/type_list.html",
        {"types": types, "crumbs": crumbs((_("证照类型"), None))},
    )


@role_required(type_services.may_manage_types)
def type_edit(request: HttpRequest, type_id: int | None = None) -> HttpResponse:
    user = request.user
    instance = get_object_or_404(type_services.types_for(user), pk=type_id) if type_id else LicenceType()
    if request.method == "POST":
        form = LicenceTypeForm(request.POST, instance=instance, user=user)
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("已保存证照类型“%(name)s”。") % {"name": saved.name})
            return redirect("workbench:licence-types")
        status = 400
    else:
        form = LicenceTypeForm(instance=instance, user=user)
        status = 200
    title = instance.name if instance.pk else _("新建证照类型")
    return render(
        request,
        "workbench/licences/type_form.html",
        {
            "form": form,
            "licence_type": instance,
            "title": title,
            "crumbs": crumbs(types_crumb(), (title, None)),
        },
        status=status,
    )
