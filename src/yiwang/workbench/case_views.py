"""Case pages of the workbench (审批工作台): the queue, the case page with its action panel, the
materials viewer, the 告知承诺 follow-up, express tracking and the printable receipt (window
intake: `intake_views`).

Reads go through `cases.queries` / `cases.access` (a case the user may not see answers 404);
every change through `cases.services`. An action the case no longer allows (another staff member
acted first, or the page is stale) shows the service's conflict message and what is allowed now
(HTTP 409); bad input re-renders the page with the typed values and each error next to its field
(HTTP 400). Nothing answers 500 for a user's mistake.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts import access as account_access
from yiwang.accounts.models import StaffRole
from yiwang.bundles import queries as bundle_queries
from yiwang.cases import access, clock, drafts, queries, services
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.delivery import dispatched_text, express_in_transit
from yiwang.cases.models import STATE_CHOICES, Case, Channel, DeliveryMethod, action_label
from yiwang.cases.rules import Actor, State
from yiwang.core import uploads
from yiwang.core.queries import departments_in_subtree
from yiwang.workbench import case_display as display
from yiwang.workbench import case_forms, licence_views, rating_views, supervision_views
from yiwang.workbench.access import staff_required
from yiwang.workbench.schema_forms import data_from_post

PAGE_SIZE = 20
ENTRY_CAP = 500  # the 事项 filter lists at most this many entries; past it the code is typed
COUNT_CAP = 10_000  # the queue counts at most this many (a LIMITed count stays fast at millions)
FORM_PREFIX = "f-"


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: "全部" and "已办结" of a whole city grow without bound, and an
    exact COUNT(*) over millions of closed cases is not worth a page view. Past the cap the page
    says "more than"; filters narrow the list."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def crumbs(*items) -> list[tuple[str, str | None]]:
    return [(str(label), url) for label, url in items]


def queue_crumb() -> tuple[str, str]:
    return (_("办件"), reverse("workbench:case-queue"))


def case_or_404(request: HttpRequest, number: str) -> Case:
    case = access.case_for(request.user, number)
    if case is None or case.state == State.DRAFT:
        raise Http404
    return case


def is_window_clerk(user) -> bool:
    return account_access.has_role(user, StaffRole.WINDOW_CLERK)


def is_case_supervisor(user) -> bool:
    return account_access.has_role(user, StaffRole.SUPERVISOR) or account_access.is_platform_admin(user)


def message_list(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for ms in exc.message_dict.values() for m in ms]
    return [str(m) for m in exc.messages]


# --- The queue ---------------------------------------------------------------------------------


VERIFICATION_TAB = "verification"


@staff_required
def case_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    get = request.GET
    supervisor = is_case_supervisor(user)
    verification = display.sees_verification(user)
    tab = get.get("tab") or "todo"
    if tab not in queries.TABS and not (tab == VERIFICATION_TAB and verification):
        tab = "todo"
    department = None
    if supervisor and (get.get("department") or "").isdigit():
        department = int(get["department"])
    filters = queries.QueueFilters(
        tab="all" if tab == VERIFICATION_TAB else tab,
        state=(get.get("state") or "").strip()[:24],
        entry=(get.get("entry") or "").strip()[:31],
        channel=(get.get("channel") or "").strip()[:8],
        applicant=(get.get("applicant") or "").strip()[:60],
        department=department,
    )
    qs = queries.staff_queue(user, filters).select_related("applicant_person", "applicant_enterprise")
    if tab == VERIFICATION_TAB:
        qs = display.verification_queue(qs)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(get.get("page"))
    rows = display.queue_rows(list(page.object_list))
    counts = queries.tab_counts(user)
    if verification:
        counts[VERIFICATION_TAB] = display.verification_queue(access.visible_cases(user)).count()
    labels = dict(queries.TAB_LABELS)
    if not account_access.has_role(user, *account_access.HANDLING_ROLES):
        labels["todo"] = queries.WATCHING_LABEL  # acting on nothing, they watch what runs
    tabs = [{"key": key, "label": _(labels[key]), "count": counts.get(key)} for key in queries.TABS]
    if verification:
        tabs.insert(
            5, {"key": VERIFICATION_TAB, "label": _("告知承诺待核查"), "count": counts[VERIFICATION_TAB]}
        )
    entries = list(
        access.queue_entries(user, department).values_list(
            "code", "name", "department_id", "department__name"
        )[: ENTRY_CAP + 1]
    )
    if len(entries) > ENTRY_CAP or (filters.entry and filters.entry not in {e[0] for e in entries}):
        entries = []  # too many to list (a large tree), or a code typed in: the code is typed
    by_department: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for code, name, department_id, department_name in entries:
        by_department.setdefault(department_id, (department_name, []))[1].append((code, name))
    departments = []
    if supervisor:
        departments = list(
            departments_in_subtree(user.staff.division)
            .order_by("division__code", "name")
            .values_list("pk", "name")
        )
    query = get.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    tab_query.pop("state", None)
    return render(
        request,
        "workbench/cases/queue.html",
        {
            "tabs": tabs,
            "tab": tab,
            "tab_label": next(t["label"] for t in tabs if t["key"] == tab),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "tab_query": tab_query.urlencode(),
            "filters": filters,
            "count_cap": COUNT_CAP,
            "department": department,
            "states": STATE_CHOICES[1:],
            "channels": Channel.choices,
            "entry_groups": list(by_department.values()),  # (department name, [(code, name)])
            "departments": departments,
            "show_department": supervisor or len({r.case.department_id for r in rows}) > 1,
            "is_window_clerk": is_window_clerk(user),
            "crumbs": crumbs((_("办件"), None)),
        },
    )


# --- The case page -----------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    bound: case_forms.ActionForm | None = None,
    verify_form: case_forms.VerificationForm | None = None,
    tracking_form: case_forms.TrackingForm | None = None,
    upload_errors: dict[str, list[str]] | None = None,
    upload_data: dict | None = None,
    conflict: dict[str, Any] | None = None,
    licence_section: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actors = access.staff_actors(user, case)
    handling = bool(actors)
    available = services.available_actions(user, case) if handling else []
    delivery = getattr(case, "delivery", None)
    if express_in_transit(delivery):  # delivered when signed for, not by a click here
        available = [a for a in available if a != "deliver"]
    action_forms = []
    for action in available:
        if bound is not None and bound.action == action:
            action_forms.append(bound)
        elif (form := case_forms.action_form(action, case)) is not None:
            action_forms.append(form)
    today = clock.today()
    full = queries.reads_in_full(user, case)
    material_rows, extras = display.material_rows(case)
    licence_views.mark_licence_materials(case, material_rows, extras)
    documents = queries.documents_of(case)
    delivery_facts = queries.delivery_of(case, full=full, applicant=False, documents=documents)
    status_labels = dict(display.TRACKING_STATUSES)
    for event in delivery_facts["tracking"] if delivery_facts else []:
        event["status_label"] = str(status_labels.get(event["status"], event["status"]))
    can_verify = (
        bool(case.commitment_text)
        and case.verified_at is None
        and bool(actors & {Actor.REVIEWER, Actor.APPROVER})
    )
    can_track = (
        handling
        and delivery is not None
        and delivery.method == DeliveryMethod.EXPRESS
        and bool(delivery.tracking_number)
    )
    # Window cases: the clerk uploads what the applicant brings (补正, 容缺补交) for them.
    uploadable, correction_schema, open_correction = [], None, None
    if case.channel == Channel.WINDOW and Actor.WINDOW_CLERK in actors:
        open_correction = drafts.open_correction(case)
        if open_correction is not None:
            listed = {i.get("material") for i in open_correction.items}
            names = {i.get("field") for i in open_correction.items if i.get("field")}
            uploadable = [r for r in material_rows if r.material_id in listed]
            schema = drafts.case_schema(case)
            fields = [f for f in schema.get("fields", []) if f.get("name") in names]
            correction_schema = {"fields": fields} if fields else None
        elif case.pending_materials and case.state not in {State.DRAFT, *queries.CLOSED_STATES}:
            uploadable = [r for r in material_rows if r.pending]
    for row in uploadable:
        row.errors = (upload_errors or {}).get(f"material.{row.material_id}", [])
    corrections = display.correction_records(case)
    allowed_labels = []
    if conflict is not None:
        allowed_labels = [action_label(a) for a in conflict.get("allowed") or []]
    return render(
        request,
        "workbench/cases/detail.html",
        {
            "case": case,
            "handling": handling,
            "supervisor_view": not handling,
            "due": display.due_of(case, today),
            "step": display.step_text(case),
            "steps": display.steps_of(case),
            "channel_label": Channel(case.channel).label if case.channel in Channel.values else case.channel,
            "parties": display.applicant_of(case, full=full),
            "contact_phone": queries.contact_phone(case, full=full),
            "form_values": queries.form_answers(case, full=full),
            "material_rows": material_rows,
            "extras": extras,
            "pending_names": [r.name for r in material_rows if r.pending],
            "corrections": corrections,
            "trace": display.trace_rows(case),
            "delivery": delivery_facts,
            "documents": documents,
            "action_forms": action_forms,
            "single_action": len(action_forms) == 1,
            "bound_action": bound.action if bound is not None else "",
            "verify_form": verify_form or (case_forms.VerificationForm() if can_verify else None),
            "can_verify": can_verify,
            "tracking_form": tracking_form or (case_forms.TrackingForm() if can_track else None),
            "can_track": can_track,
            "uploadable": uploadable,
            "upload_errors": upload_errors or {},
            "correction_schema": correction_schema,
            "correction_data": upload_data if upload_data is not None else case.form_data,
            "open_correction": open_correction,
            "conflict": conflict,
            "allowed_labels": allowed_labels,
            "licence_section": licence_section or licence_views.case_licence(user, case),
            "is_window_clerk": is_window_clerk(user),
            "rating_links": rating_views.case_links(actors, case) if handling else None,
            "supervision_history": supervision_views.case_history(user, case),
            # 一件事: the other cases of the bundle (titles, departments, states; never their data).
            "bundle": bundle_queries.context_for_case(case),
            "crumbs": crumbs(queue_crumb(), (case.number, None)),
        },
        status=status,
    )


@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, case_or_404(request, number))


def _conflict(request: HttpRequest, number: str, exc: CaseConflict | NotYourAction) -> HttpResponse:
    """Show the page as it now stands with the service's message and the actions allowed now."""
    case = case_or_404(request, number)  # fresh: another staff member may have moved it
    allowed = services.available_actions(request.user, case)
    status = 403 if isinstance(exc, NotYourAction) else 409
    return _detail(request, case, conflict={"message": exc.message, "allowed": allowed}, status=status)


@staff_required
@require_POST
def case_act(request: HttpRequest, number: str) -> HttpResponse:
    case = case_or_404(request, number)
    user = request.user
    action = (request.POST.get("action") or "").strip()[:40]
    revision = (request.POST.get("revision") or "").strip()
    if revision and revision != str(case.revision):
        stale = CaseConflict(_("该办件刚刚已被他人处理，请刷新后查看最新状态。"), code="stale")
        return _conflict(request, number, stale)
    form = case_forms.action_form(action, case, request.POST)
    if form is None or action not in services.available_actions(user, case):
        try:
            services.act(user, case, action, {})  # raises: names what is allowed instead
        except (CaseConflict, NotYourAction) as exc:
            return _conflict(request, number, exc)
        except ValidationError:
            pass
        if form is None:
            raise Http404
    if not form.is_valid():
        return _detail(request, case, bound=form, status=400)
    label = form.label
    try:
        services.act(user, case, action, form.payload())
    except (CaseConflict, NotYourAction) as exc:
        return _conflict(request, number, exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        case = case_or_404(request, number)
        form.case = case
        return _detail(request, case, bound=form, status=400)
    delivery = getattr(case, "delivery", None) if action == "deliver" else None
    if express_in_transit(delivery):  # handed to the carrier: delivered when signed for
        messages.success(request, dispatched_text(delivery))
    else:
        messages.success(request, _("已完成“%(action)s”。") % {"action": label})
    return redirect("workbench:case-detail", number=case.number)


@staff_required
@require_POST
def case_verify(request: HttpRequest, number: str) -> HttpResponse:
    """告知承诺制: record the follow-up check of what the applicant committed to."""
    case = case_or_404(request, number)
    form = case_forms.VerificationForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, verify_form=form, status=400)
    try:
        services.record_verification(
            request.user, case, result=form.cleaned_data["result"], note=form.cleaned_data["note"]
        )
    except (CaseConflict, NotYourAction) as exc:
        return _conflict(request, number, exc)
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            for m in msgs:
                form.add_error(key if key in form.fields else None, m)
        return _detail(request, case, verify_form=form, status=400)
    messages.success(request, _("已登记核查结果。"))
    return redirect("workbench:case-detail", number=case.number)


@staff_required
@require_POST
def case_tracking(request: HttpRequest, number: str) -> HttpResponse:
    """Record an express tracking event (the post room, or a carrier reporting by phone)."""
    case = case_or_404(request, number)
    if not access.staff_actors(request.user, case):
        return _conflict(request, number, NotYourAction(_("只有办理该办件的工作人员可以登记寄递信息。"), []))
    form = case_forms.TrackingForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, tracking_form=form, status=400)
    try:
        services.record_tracking(
            request.user, case, form.cleaned_data["status"], form.cleaned_data["description"]
        )
    except CaseConflict as exc:
        return _conflict(request, number, exc)
    messages.success(request, _("已登记寄递信息。"))
    return redirect(reverse("workbench:case-detail", args=[case.number]) + "#delivery")


def _read_upload(upload) -> bytes:
    if upload.size is not None and upload.size > uploads.DEFAULT_MAX_BYTES:
        raise ValidationError(
            _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
            % {"size": upload.size / 1048576, "max": uploads.DEFAULT_MAX_BYTES / 1048576}
        )
    return upload.read()


def attach_files(request: HttpRequest, case: Case, material_ids: list[int]) -> dict[str, list[str]]:
    """Store each file posted as `file-<material id>`; errors keyed `material.<id>`.

    CaseConflict and NotYourAction propagate (the caller shows them)."""
    errors: dict[str, list[str]] = {}
    for material_id in material_ids:
        for upload in request.FILES.getlist(f"file-{material_id}"):
            try:
                drafts.attach_material(request.user, case, material_id, _read_upload(upload), upload.name)
            except ValidationError as exc:
                errors.setdefault(f"material.{material_id}", []).extend(message_list(exc))
    return errors


@staff_required
@require_POST
def case_materials(request: HttpRequest, number: str) -> HttpResponse:
    """Window cases: files (and listed fields) the applicant brings for a correction or for the
    materials accepted as pending (容缺补交), uploaded by the clerk."""
    case = case_or_404(request, number)
    material_ids = [m.pk for m in drafts.required_materials(case)]
    data = None
    try:
        errors = attach_files(request, case, material_ids)
        correction = drafts.open_correction(case)
        names = {i.get("field") for i in (correction.items if correction else []) if i.get("field")}
        if names:
            schema = {"fields": [f for f in drafts.case_schema(case)["fields"] if f.get("name") in names]}
            data = {**case.form_data, **data_from_post(schema, request.POST, prefix=FORM_PREFIX)}
            try:
                drafts.save_form(request.user, case, data)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    except (CaseConflict, NotYourAction) as exc:
        return _conflict(request, number, exc)
    if errors:
        return _detail(request, case, upload_errors=errors, upload_data=data, status=400)
    messages.success(request, _("材料已保存。"))
    return redirect(reverse("workbench:case-detail", args=[case.number]) + "#materials")


@staff_required
def case_file(request: HttpRequest, number: str, received_id: int) -> HttpResponse:
    """One received file, opened inline; only for staff who may see the case."""
    return uploads.serve(queries.material_file(case_or_404(request, number), received_id), inline=True)


@staff_required
def case_document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A document the case produced (受理通知书, 决定书 …), opened inline; only for staff who may
    see the case."""
    return uploads.serve(queries.document_file(case_or_404(request, number), document_id), inline=True)


@staff_required
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """A printable receipt (收件回执 / 受理通知) for the applicant at the window."""
    case = case_or_404(request, number)
    rows, extras = display.material_rows(case)
    parties = display.applicant_of(case, full=False)  # on paper: masked for everyone
    delivery = getattr(case, "delivery", None)
    return render(
        request,
        "workbench/cases/receipt.html",
        {
            "case": case,
            "parties": parties,
            "material_rows": rows,
            "extras": extras,
            "delivery": delivery,
            "channel_label": Channel(case.channel).label if case.channel in Channel.values else "",
            "printed_at": clock.now(),
            "pending_names": [r.name for r in rows if r.pending],
        },
    )
