"""Case pages of the workbench (审批工作台): the queue, the case page with its action panel, the
materials viewer, the 告知承诺 follow-up, express tracking, window intake (一窗受理) and the
printable receipt.

Reads go through `cases.queries` / `cases.access` (a case the user may not see answers 404);
every change through `cases.services`. An action the case no longer allows (another staff member
acted first, or the page is stale) shows the service's conflict message and what is allowed now
(HTTP 409); bad input re-renders the page with the typed values and each error next to its field
(HTTP 400). Nothing answers 500 for a user's mistake.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
from yiwang.cases import access, clock, drafts, queries, services
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.delivery import dispatched_text, express_in_transit
from yiwang.cases.models import STATE_CHOICES, Case, Channel, DeliveryMethod, action_label
from yiwang.cases.rules import Actor, State
from yiwang.catalog import queries as catalog_queries
from yiwang.catalog.models import Entry, EntryStatus
from yiwang.core import uploads
from yiwang.core.queries import departments_in_subtree
from yiwang.workbench import case_display as display
from yiwang.workbench import case_forms
from yiwang.workbench.access import role_required, staff_required
from yiwang.workbench.schema_forms import bind_schema, data_from_post

PAGE_SIZE = 20
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


def _crumbs(*items) -> list[tuple[str, str | None]]:
    return [(str(label), url) for label, url in items]


def _queue_crumb() -> tuple[str, str]:
    return (_("办件"), reverse("workbench:case-queue"))


def _case_or_404(request: HttpRequest, number: str) -> Case:
    case = access.case_for(request.user, number)
    if case is None or case.state == State.DRAFT:
        raise Http404
    return case


def is_window_clerk(user) -> bool:
    return account_access.has_role(user, StaffRole.WINDOW_CLERK)


def is_case_supervisor(user) -> bool:
    return account_access.has_role(user, StaffRole.SUPERVISOR) or account_access.is_platform_admin(user)


def _message_list(exc: ValidationError) -> list[str]:
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
    tabs = [
        {"key": key, "label": _(queries.TAB_LABELS[key]), "count": counts.get(key)} for key in queries.TABS
    ]
    if verification:
        tabs.insert(
            5, {"key": VERIFICATION_TAB, "label": _("告知承诺待核查"), "count": counts[VERIFICATION_TAB]}
        )
    entries = []
    if not supervisor:
        entries = list(
            Entry.objects.filter(department_id=user.staff.department_id, published__isnull=False)
            .order_by("code")
            .values_list("code", "name")[:300]
        )
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
            "entries": entries,
            "departments": departments,
            "show_department": supervisor or len({r.case.department_id for r in rows}) > 1,
            "is_window_clerk": is_window_clerk(user),
            "crumbs": _crumbs((_("办件"), None)),
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
    corrections = list(case.corrections.select_related("requested_by").all())
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
            "is_window_clerk": is_window_clerk(user),
            "crumbs": _crumbs(_queue_crumb(), (case.number, None)),
        },
        status=status,
    )


@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _case_or_404(request, number))


def _conflict(request: HttpRequest, number: str, exc: CaseConflict | NotYourAction) -> HttpResponse:
    """Show the page as it now stands with the service's message and the actions allowed now."""
    case = _case_or_404(request, number)  # fresh: another staff member may have moved it
    allowed = services.available_actions(request.user, case)
    status = 403 if isinstance(exc, NotYourAction) else 409
    return _detail(request, case, conflict={"message": exc.message, "allowed": allowed}, status=status)


@staff_required
@require_POST
def case_act(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
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
        case = _case_or_404(request, number)
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
    case = _case_or_404(request, number)
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
    case = _case_or_404(request, number)
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


def _attach_files(request: HttpRequest, case: Case, material_ids: list[int]) -> dict[str, list[str]]:
    """Store each file posted as `file-<material id>`; errors keyed `material.<id>`.

    CaseConflict and NotYourAction propagate (the caller shows them)."""
    errors: dict[str, list[str]] = {}
    for material_id in material_ids:
        for upload in request.FILES.getlist(f"file-{material_id}"):
            try:
                drafts.attach_material(request.user, case, material_id, _read_upload(upload), upload.name)
            except ValidationError as exc:
                errors.setdefault(f"material.{material_id}", []).extend(_message_list(exc))
    return errors


@staff_required
@require_POST
def case_materials(request: HttpRequest, number: str) -> HttpResponse:
    """Window cases: files (and listed fields) the applicant brings for a correction or for the
    materials accepted as pending (容缺补交), uploaded by the clerk."""
    case = _case_or_404(request, number)
    material_ids = [m.pk for m in drafts.required_materials(case)]
    data = None
    try:
        errors = _attach_files(request, case, material_ids)
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
    return uploads.serve(queries.material_file(_case_or_404(request, number), received_id), inline=True)


@staff_required
def case_document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A document the case produced (受理通知书, 决定书 …), opened inline; only for staff who may
    see the case."""
    return uploads.serve(queries.document_file(_case_or_404(request, number), document_id), inline=True)


@staff_required
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """A printable receipt (收件回执 / 受理通知) for the applicant at the window."""
    case = _case_or_404(request, number)
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


# --- Window intake (一窗受理) ------------------------------------------------------------------


def _intake_entries(request: HttpRequest, q: str, scope: str) -> list[Entry]:
    """Published, active entries the hall takes in: its own level by default (本级), every
    published entry with scope=all (就近办 / 通办)."""
    staff = request.user.staff
    qs, ranked = catalog_queries.find_items(catalog_queries.ItemFilters(q=""))
    qs = qs.filter(status=EntryStatus.ACTIVE)
    if scope != "all":
        qs = qs.filter(department__division_id=staff.division_id)
    q = q.strip()
    if q and q.replace(" ", "").isalnum() and any(c.isdigit() for c in q) and len(q) >= 6:
        return list(qs.filter(code__startswith=q.upper()).order_by("code")[:20])
    if q:
        ranked = catalog_queries.search.ranked_ids(q, qs)
        by_id = {e.pk: e for e in qs.filter(pk__in=ranked[:200])}
        return [by_id[i] for i in ranked if i in by_id][:20]
    return list(qs.order_by("department__name", "code")[:20])


@role_required(is_window_clerk)
def intake_start(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:60]
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    code = (request.POST.get("entry") or request.GET.get("entry") or "").strip()[:31]
    entry = None
    if code:
        entry = (
            catalog_queries.published_entries()
            .filter(code=code, status=EntryStatus.ACTIVE)
            .select_related("department", "published")
            .first()
        )
        if entry is None:
            messages.error(request, _("未找到该事项，或该事项当前未发布、已暂停办理。"))
    form = case_forms.ApplicantForm(entry, request.POST or None) if entry is not None else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            person = data["kind"] == "person"
            try:
                case = drafts.start_window_intake(
                    request.user,
                    entry,
                    situation_id=data.get("situation"),
                    id_number=data.get("id_number", "") if person else "",
                    uscc="" if person else data.get("uscc", ""),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except NotYourAction as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("workbench:intake-case", key=case.draft_key)
        status = 400
    entries = _intake_entries(request, q, scope) if entry is None else []
    return render(
        request,
        "workbench/cases/intake_start.html",
        {
            "q": q,
            "scope": scope,
            "entries": entries,
            "entry": entry,
            "form": form,
            "crumbs": _crumbs(_queue_crumb(), (_("窗口收件"), None)),
        },
        status=status,
    )


def _draft_or_redirect(request: HttpRequest, key: UUID) -> Case | HttpResponse:
    case = access.window_draft(request.user, key)
    if case is not None:
        return case
    submitted = access.visible_cases(request.user).filter(draft_key=key).first()
    if submitted is not None and submitted.number:  # a repeated submit: show the result
        return redirect("workbench:intake-done", number=submitted.number)
    raise Http404


def _intake_problems(case, data, errors, delivery_form, rows) -> list[tuple[str, str]]:
    """Every problem of the intake page named and linked to its control: (text, "#id")."""
    bound = bind_schema(
        drafts.case_schema(case), data, {}, prefix=FORM_PREFIX, apply_visibility=False, divisions=[]
    )
    targets = {
        f.name: (f.label, f"{f.id}-wrap" if f.widget in ("radios", "checkboxes", "table") else f.id)
        for f in bound
    }
    targets["commitment"] = (_("申请人承诺内容（告知承诺制）"), "commitment")
    targets["commitment_date"] = (_("容缺材料承诺补齐日期"), "commitment_date")
    names = {r.material_id: r.name for r in rows}
    out: list[tuple[str, str]] = []
    for key, msgs in errors.items():
        if key == "__all__":
            continue  # shown as they are, above the list
        if key.startswith("material."):
            part = key.split(".", 1)[1]
            name = names.get(int(part), "") if part.isdigit() else ""
            for m in msgs:
                out.append((f"{name}：{m}" if name and name not in str(m) else str(m), f"#file-{part}"))
            continue
        label, anchor = targets.get(key) or targets.get(key.split(".", 1)[0]) or ("", "")
        for m in msgs:
            out.append((f"{label}：{m}" if label else str(m), f"#{anchor}" if anchor else ""))
    if delivery_form is not None:
        for name, msgs in delivery_form.errors.items():
            field = delivery_form[name] if name in delivery_form.fields else None
            anchor = ""
            if field is not None:
                anchor = field.auto_id + ("_0" if name == "method" else "")
            for m in msgs:
                text = f"{field.label}：{m}" if field is not None else str(m)
                out.append((text, f"#{anchor}" if anchor else ""))
    return out


def _intake_page(request, case, *, data=None, errors=None, delivery_form=None, extra=None, status=200):
    rows, extras = display.material_rows(case, intake=True)
    errors = errors or {}
    items = {i.material.pk: i for i in drafts.checklist(case)}
    for row in rows:
        row.errors = errors.get(f"material.{row.material_id}", [])
        item = items.get(row.material_id)
        row.tolerable = bool(item and item.tolerable)
        row.blocking = bool(item and item.blocking)
    version = case.version
    tolerable_missing = [
        i.material.name
        for i in items.values()
        if i.tolerable and not i.provided and i.necessity == "required"
    ]
    return render(
        request,
        "workbench/cases/intake_case.html",
        {
            "case": case,
            "parties": display.applicant_of(case, full=True),
            "schema": drafts.case_schema(case),
            "data": data if data is not None else case.form_data,
            "errors": errors,
            "form_errors": [m for k, ms in errors.items() if k == "__all__" for m in ms],
            "problems": _intake_problems(
                case, data if data is not None else case.form_data, errors, delivery_form, rows
            )
            if errors or (delivery_form is not None and delivery_form.errors)
            else [],
            "material_rows": rows,
            "extras": extras,
            "delivery_form": delivery_form
            or case_forms.DeliveryChoiceForm(case, initial=_delivery_initial(case)),
            "contact_phone": (extra or {}).get("contact_phone", case.contact_phone),
            "commitment": (extra or {}).get("commitment", ""),
            "commitment_date": (extra or {}).get("commitment_date", ""),
            "instant": version.case_kind == "instant",
            "notification_commitment": version.notification_commitment,
            "tolerance": version.tolerance_acceptance,
            "tolerable_missing": tolerable_missing,
            "error_count": sum(len(v) for v in errors.values())
            + (len(delivery_form.errors) if delivery_form else 0),
            "crumbs": _crumbs(
                _queue_crumb(), (_("窗口收件"), reverse("workbench:intake")), (case.title, None)
            ),
        },
        status=status,
    )


def _delivery_initial(case: Case) -> dict[str, str]:
    delivery = getattr(case, "delivery", None)
    if delivery is None:
        return {"method": DeliveryMethod.PICKUP}
    return {
        "method": delivery.method,
        "recipient": delivery.recipient,
        "phone": delivery.phone,
        "address": delivery.address,
    }


SUBMIT_CHOICES = {"submit", "submit_accept", "submit_decide", "submit_commitment"}


@role_required(is_window_clerk)
def intake_case(request: HttpRequest, key: UUID) -> HttpResponse:
    """Fill the form, upload the scans, choose delivery; submit and accept (or decide) at once."""
    found = _draft_or_redirect(request, key)
    if isinstance(found, HttpResponse):
        return found
    case = found
    if request.method != "POST":
        return _intake_page(request, case)
    post = request.POST
    do = post.get("do") or "save"
    schema = drafts.case_schema(case)
    data = {**case.form_data, **data_from_post(schema, post, prefix=FORM_PREFIX)}
    extra = {
        "contact_phone": (post.get("contact_phone") or "").strip()[:20],
        "commitment": (post.get("commitment") or "").strip(),
        "commitment_date": (post.get("commitment_date") or "").strip()[:10],
    }
    errors: dict[str, list[str]] = {}
    delivery_form = case_forms.DeliveryChoiceForm(case, post)
    try:
        errors.update(_attach_files(request, case, [m.pk for m in drafts.required_materials(case)]))
        try:
            drafts.save_form(request.user, case, data, contact_phone=extra["contact_phone"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if delivery_form.is_valid():
            d = delivery_form.cleaned_data
            try:
                drafts.set_delivery(
                    request.user,
                    case,
                    d["method"],
                    recipient=d.get("recipient", ""),
                    phone=d.get("phone", ""),
                    address=d.get("address", ""),
                )
            except ValidationError as exc:
                delivery_form.add_service_errors(exc)
    except (CaseConflict, NotYourAction) as exc:
        messages.error(request, exc.message)
        return redirect("workbench:intake-case", key=key)
    if do in SUBMIT_CHOICES:
        missing_pending = [
            i for i in drafts.checklist(case) if i.tolerable and not i.provided and i.necessity == "required"
        ]
        if do == "submit_commitment" and not extra["commitment"]:
            errors["commitment"] = [_("告知承诺审批须填写申请人的承诺内容。")]
        if do == "submit_accept" and missing_pending and not extra["commitment_date"]:
            errors["commitment_date"] = [_("有材料容缺，请填写申请人承诺补齐的日期。")]
    if errors or delivery_form.errors:
        return _intake_page(
            request, case, data=data, errors=errors, delivery_form=delivery_form, extra=extra, status=400
        )
    if do not in SUBMIT_CHOICES:
        messages.success(request, _("已保存。"))
        return redirect("workbench:intake-case", key=key)
    try:
        drafts.submit(request.user, case)
    except ValidationError as exc:
        return _intake_page(
            request,
            case,
            data=data,
            errors=exc.message_dict,
            delivery_form=delivery_form,
            extra=extra,
            status=400,
        )
    except (CaseConflict, NotYourAction) as exc:
        messages.error(request, exc.message)
        return redirect("workbench:intake-case", key=key)
    follow = {
        "submit_accept": ("accept", {}),
        "submit_decide": ("decide_on_the_spot", {}),
        "submit_commitment": ("approve_on_commitment", {"commitment": extra["commitment"]}),
    }.get(do)
    if follow is not None:
        action, payload = follow
        if action == "accept" and missing_pending:
            action = "accept_with_pending"
            payload = {
                "pending_materials": [i.material.pk for i in missing_pending],
                "commitment_date": extra["commitment_date"],
            }
        try:
            services.act(request.user, case, action, payload)
        except (CaseConflict, NotYourAction) as exc:
            messages.error(request, _("申请已提交，但未能完成后续操作：%(m)s") % {"m": exc.message})
            return redirect("workbench:case-detail", number=case.number)
        except ValidationError as exc:
            messages.error(
                request,
                _("申请已提交，但未能完成后续操作：%(m)s") % {"m": "；".join(_message_list(exc))},
            )
            return redirect("workbench:case-detail", number=case.number)
    return redirect("workbench:intake-done", number=case.number)


@role_required(is_window_clerk)
def intake_file(request: HttpRequest, key: UUID, received_id: int) -> HttpResponse:
    case = access.window_draft(request.user, key)
    if case is None:
        raise Http404
    return uploads.serve(queries.material_file(case, received_id), inline=True)


@role_required(is_window_clerk)
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    return render(
        request,
        "workbench/cases/intake_done.html",
        {
            "case": case,
            "due": display.due_of(case, clock.today()),
            "crumbs": _crumbs(
                _queue_crumb(), (_("窗口收件"), reverse("workbench:intake")), (case.number, None)
            ),
        },
    )
