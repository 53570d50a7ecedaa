"""Reads of cases for the pages, the API and (later) supervision and statistics.

Lists read the stored due-date columns through the queue indexes; tab counts cover only the open
states (a handful per department at any time), never the ever-growing history of closed cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_noop

from yiwang.accounts.models import User
from yiwang.cases import access, clock, drafts
from yiwang.cases.corrections import correction_item, correction_item_text, reason_labels
from yiwang.cases.form_values import Answer, answers, masked_form
from yiwang.cases.models import (
    OPEN_STATES,
    STATE_LABELS,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    action_label,
    state_label,
)
from yiwang.cases.published import published
from yiwang.cases.rules import State
from yiwang.core.masking import mask_id_number, mask_name, mask_phone

# States whose deadline runs (the work in hand); correction and suspension wait for someone else.
RUNNING_STATES = [
    State.SUBMITTED,
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.APPROVED,
    State.REFUSED,
    State.COMPLETED,
]
CLOSED_STATES = [State.NOT_ACCEPTED, State.DELIVERED, State.WITHDRAWN, State.TERMINATED]

TABS = ["todo", "due_soon", "overdue", "correction", "suspended", "closed", "all"]
TAB_LABELS = {
    "todo": gettext_noop("待办"),
    "due_soon": gettext_noop("即将到期"),
    "overdue": gettext_noop("已超期"),
    "correction": gettext_noop("待补正"),
    "suspended": gettext_noop("特别程序"),
    "closed": gettext_noop("已办结"),
    "all": gettext_noop("全部"),
}
# 待办 of staff whose roles act on nothing in the procedure: every running case they see.
WATCHING_LABEL = gettext_noop("在办")  # the todo tab of staff who act on nothing


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "todo"
    state: str = ""
    entry: str = ""  # implementation code
    channel: str = ""
    applicant: str = ""  # name (prefix), ID number, credit code or case number
    department: int | None = None  # supervisors: one department of their tree


def _tab_q(tab: str, today: dt.date, user: User) -> Q:
    if tab == "todo":  # of the running cases, those waiting for `user` (在办 for watchers)
        return access.todo_filter(user, RUNNING_STATES)
    if tab == "due_soon":
        return Q(state__in=RUNNING_STATES, warn_from__lte=today, due_date__gte=today)
    if tab == "overdue":
        return Q(state__in=RUNNING_STATES, due_date__lt=today)
    if tab == "correction":
        return Q(state=State.CORRECTION_REQUESTED)
    if tab == "suspended":
        return Q(state=State.SUSPENDED)
    if tab == "closed":
        # Every closed case has closed_at; saying so lets the index skip the open ones' NULLs.
        return Q(state__in=CLOSED_STATES, closed_at__isnull=False)
    return ~Q(state=State.DRAFT)


def _applicant_q(text: str) -> Q:
    name = text.strip()
    text = name.upper()
    if len(text) == 44 and text[31:].isdigit():
        return Q(number=text)
    if len(text) == 18 and text[:17].isdigit():
        return Q(applicant_person__id_number=text)
    if len(text) == 18:
        return Q(applicant_enterprise__uscc=text)
    q = Q(applicant_name__startswith=name)
    if connection.vendor == "sqlite" and name.lower() == name.upper():
        # SQLite's LIKE never uses an index; for a name without letter case the same prefix as a
        # range of its BINARY order does (PostgreSQL uses its pattern index for the LIKE).
        q &= Q(applicant_name__gte=name, applicant_name__lt=name + "\U0010ffff")
    return q


def staff_queue(user: User, filters: QueueFilters) -> QuerySet[Case]:
    """The cases `user` may handle, filtered, most urgent first (no due date last)."""
    today = clock.today()
    tab = filters.tab if filters.tab in TABS else "todo"
    qs = access.visible_cases(user).filter(_tab_q(tab, today, user))
    if filters.state and filters.state in STATE_LABELS:
        qs = qs.filter(state=filters.state)
    if filters.entry:
        qs = qs.filter(entry__code=filters.entry.strip())
    if filters.channel in Channel.values:
        qs = qs.filter(channel=filters.channel)
    if filters.applicant.strip():
        qs = qs.filter(_applicant_q(filters.applicant))
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    order = ["-closed_at", "-id"] if filters.tab == "closed" else [F("due_date").asc(nulls_last=True), "id"]
    return qs.select_related("department").order_by(*order)


def tab_counts(user: User) -> dict[str, int]:
    """Counts for the open tabs in one indexed query over the open cases only (counting a column
    of the `case_open_counts` index, so the database reads the index alone where the visible
    cases and 待办 need nothing else: a watcher's tree). 待办 is `staff_queue`'s own condition."""
    today = clock.today()
    running = Q(state__in=RUNNING_STATES)
    counts = (
        access.visible_cases(user)
        .filter(state__in=OPEN_STATES)
        .aggregate(
            todo=Count("state", filter=_tab_q("todo", today, user)),
            due_soon=Count("state", filter=running & Q(warn_from__lte=today, due_date__gte=today)),
            overdue=Count("state", filter=running & Q(due_date__lt=today)),
            correction=Count("state", filter=Q(state=State.CORRECTION_REQUESTED)),
            suspended=Count("state", filter=Q(state=State.SUSPENDED)),
        )
    )
    return {k: v or 0 for k, v in counts.items()}


def applicant_cases(user: User, *, include_drafts: bool = True) -> QuerySet[Case]:
    """An applicant's own cases (and their enterprises'), newest first."""
    q = access.applicant_filter(user)
    if q is None:
        return Case.objects.none()
    qs = Case.objects.filter(q)
    if not include_drafts:
        qs = qs.exclude(state=State.DRAFT)
    return qs.select_related("department").order_by("-created_at", "-id")


def timeline(case: Case) -> list[CaseEvent]:
    """The trace, as the applicant and staff see it (role and department, never a person's data)."""
    return list(case.events.select_related("actor_department").order_by("seq"))


def urgency(case: Case, today: dt.date | None = None) -> str:
    """'overdue', 'warning', 'normal', or '' when no deadline runs (for colours and labels)."""
    today = today or clock.today()
    if case.due_date is None:
        return ""
    if case.due_date < today:
        return "overdue"
    if case.warn_from is not None and case.warn_from <= today:
        return "warning"
    return "normal"


# --- One case, as every reader sees it -----------------------------------------------------------


def reads_in_full(user: User, case: Case) -> bool:
    """Whether `user` sees the applicant's personal data (ID numbers, phones) in clear: the
    applicant, and the staff who handle the case (they must reach the applicant). Read-only staff
    (supervisors, administrators) see it masked, in the API, the portal and the workbench alike."""
    return access.is_applicant_of(user, case) or bool(access.staff_actors(user, case))


def _id_text(value: str, full: bool) -> str:
    return value if full else mask_id_number(value)


def _phone_text(value: str, full: bool) -> str:
    return value if full else mask_phone(value)


def applicant_id(case: Case, *, full: bool) -> str:
    """The applicant's identifier: the credit code (public) or the ID number, masked unless `full`."""
    if case.applicant_enterprise_id:
        return case.applicant_enterprise.uscc
    return _id_text(case.applicant_person.id_number, full) if case.applicant_person_id else ""


def contact_phone(case: Case, *, full: bool) -> str:
    return _phone_text(case.contact_phone, full)


def parties(case: Case, *, full: bool) -> list[dict[str, str]]:
    """The applicant (an enterprise, a person) and the agent, masked unless `full`: kind, name,
    id_kind (uscc / id_number), identifier, phone, legal_representative."""
    out = []
    if (enterprise := case.applicant_enterprise) is not None:
        out.append(
            {
                "kind": "enterprise",
                "name": enterprise.name,
                "id_kind": "uscc",
                "identifier": enterprise.uscc,
                "phone": _phone_text(enterprise.phone, full),
                "legal_representative": enterprise.legal_representative,
            }
        )
    for kind, who in (("person", case.applicant_person), ("agent", case.agent)):
        if who is not None:
            out.append(
                {
                    "kind": kind,
                    "name": who.name,
                    "id_kind": "id_number",
                    "identifier": _id_text(who.id_number, full),
                    "phone": _phone_text(who.phone, full),
                    "legal_representative": "",
                }
            )
    return out


def form_data(case: Case, *, full: bool) -> dict:
    """The saved form values, ID numbers and phones masked unless `full` (by the schema's types)."""
    if full:
        return case.form_data
    return masked_form(published(case.version).schema_for(case.situation_id), case.form_data)


def form_answers(case: Case, *, full: bool) -> list[Answer]:
    """The form in words with the schema's labels (`form_values.answers`), masked unless `full`."""
    return answers(published(case.version).schema_for(case.situation_id), case.form_data, full=full)


# --- Materials, steps, the trace and the delivery, as every reader sees them --------------------


def received_materials(case: Case) -> list[CaseMaterial]:
    """Every file received for the case, superseded ones included, oldest first."""
    return list(case.materials.select_related("file").order_by("uploaded_at", "pk"))


def file_url(case: Case, received: CaseMaterial) -> str:
    return f"/api/v1/cases/{case.number or case.draft_key}/materials/{received.pk}/file"


def material_fact(case: Case, m: CaseMaterial, url=file_url) -> dict[str, Any]:
    """One file received; `url(case, m)` the reader's address of it (the API's by default)."""
    return {
        "id": m.pk,
        "material": m.material_id,
        "name": m.name,
        "filename": m.file.original_name,
        "size": m.file.size,
        "content_type": m.file.content_type,
        "sha256": m.file.sha256,
        "uploaded_at": m.uploaded_at,
        # Attached by the platform, not by a person (a bundle's upstream licence, 一链通办).
        "by_system": m.uploaded_by_id is None,
        "correction_round": m.correction_round,
        "replaced": m.replaced,
        "url": url(case, m),
    }


def material_groups(case: Case, received: list[CaseMaterial], url=file_url) -> tuple[list[dict], list[dict]]:
    """Each catalog material of the case's situation with the files received for it (superseded
    ones marked) and whether it is pending (容缺); then the files received for no listed material."""
    by_material: dict[int | None, list[dict]] = {}
    for m in received:
        by_material.setdefault(m.material_id, []).append(material_fact(case, m, url))
    pending = set(case.pending_materials or [])
    groups = [
        {"material": m, "files": by_material.pop(m.pk, []), "pending": m.pk in pending}
        for m in published(case.version).materials_for(case.situation_id)
    ]
    return groups, [f for files in by_material.values() for f in files]


def review_steps(case: Case) -> list[dict[str, Any]]:
    """The guide's review steps (number, name, role) and where the case is: done, current, todo."""
    steps, decided = published(case.version).review_steps, case.decided_on is not None
    running = case.state in (State.ACCEPTED, State.UNDER_REVIEW)
    current = min(case.review_step, len(steps) - 1) if running else None

    def status(i: int) -> str:
        if current is None:
            return "done" if decided else "todo"
        return "done" if i < current else ("current" if i == current else "todo")

    return [
        {
            "number": i + 1,
            "name": str(s.get("name", "")),
            "role": s.get("role", "approver"),
            "status": status(i),
        }
        for i, s in enumerate(steps)
    ]


VERIFICATION_RESULT_LABELS = {
    "consistent": gettext_noop("核查一致（承诺属实）"),
    "inconsistent": gettext_noop("核查不一致（承诺不实）"),
}


def event_details(event: CaseEvent) -> list[str]:
    """What an event's data says, in words (never a person's data: the data holds none)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from yiwang.cases.models import DeliveryMethod

    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    action, out = event.action, []
    if data.get("material"):
        out.append(_("材料：%(name)s") % {"name": data["material"]})
    if action == "request_correction":
        items = [i for i in data.get("items") or [] if isinstance(i, dict)]
        out += [f"{n}. {correction_item_text(i)}" for n, i in enumerate(items, 1)]
    if data.get("commitment_date"):
        out.append(_("承诺补齐日期：%(date)s") % {"date": data["commitment_date"]})
    if data.get("days"):
        days = int(data["days"]) if str(data["days"]).isdigit() else 2
        out.append(ngettext("延长 %(n)s 个工作日", "延长 %(n)s 个工作日", days) % {"n": data["days"]})
    if action == "suspend" and data.get("procedure"):
        out.append(_("程序：%(name)s") % {"name": data["procedure"]})
    if action == "pass_step" and data.get("step"):
        out.append(_("环节：%(name)s") % {"name": data["step"]})
    if data.get("result") in VERIFICATION_RESULT_LABELS:
        out.append(_(VERIFICATION_RESULT_LABELS[data["result"]]))
    if data.get("method") in DeliveryMethod.values:
        out.append(_("送达方式：%(method)s") % {"method": DeliveryMethod(data["method"]).label})
    if data.get("tracking_number"):
        out.append(_("快递单号：%(number)s") % {"number": data["tracking_number"]})
    if data.get("remedy"):
        out.append(_("救济途径：%(remedy)s") % {"remedy": data["remedy"]})
    return out


def event_row(e: CaseEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor_text,  # role and department; never a staff member's name
        "action": e.action,
        "action_label": action_label(e.action),
        "from_state": e.from_state,
        "to_state": e.to_state,
        "from_label": state_label(e.from_state),
        "to_label": state_label(e.to_state),
        "reason": e.reason,
        "details": event_details(e),
    }


def delivery_of(case: Case, *, full: bool, applicant: bool, documents: list | None = None) -> dict | None:
    """The result's delivery: the pickup code for the applicant alone, the recipient, phone and
    address masked unless `full`, the carrier's tracking and where it stands."""
    delivery = getattr(case, "delivery", None)
    if delivery is None:
        return None
    where = delivery_state(case, documents)
    return {
        "method": delivery.method,
        "method_label": delivery.get_method_display(),
        "pickup_code": delivery.pickup_code if applicant else "",
        "pickup_code_issued": bool(delivery.pickup_code),
        "recipient": delivery.recipient if full else mask_name(delivery.recipient),
        "phone": _phone_text(delivery.phone, full),
        "address": delivery.address if full else "",
        "carrier": delivery.carrier,
        "tracking_number": delivery.tracking_number,
        "dispatched_at": delivery.dispatched_at,
        "delivered_at": delivery.delivered_at,
        "tracking": [
            {"at": t.at, "status": t.status, "description": t.description}
            for t in (delivery.tracking.all() if delivery.pk and delivery.tracking_number else [])
        ],
        "state": where,
        "state_label": delivery_state_label(where),
    }


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "draft_key": str(case.draft_key),
        "entry": case.entry.code,
        "title": case.title,
        "department": case.department.name,
        "channel": case.channel,
        "state": case.state,
        "state_label": case.state_label,
        "applicant": case.applicant_name,
        "submitted_at": case.submitted_at,
        "due_date": case.due_date,
        "due_provisional": case.due_provisional,
        "urgency": urgency(case),
    }


def case_detail(
    user: User,
    case: Case,
    *,
    materials: list[CaseMaterial] | None = None,
    events: list[CaseEvent] | None = None,
) -> dict[str, Any]:
    """The case as `user` may read it (the API's shape; pages lay it out). `materials` and
    `events`, when the caller has just written them, spare reading them back."""
    from yiwang.cases import procedure, services

    full = reads_in_full(user, case)
    is_applicant = access.is_applicant_of(user, case)
    correction = drafts.open_correction(case)
    if materials is None:
        materials = received_materials(case)
    if events is None:
        events = timeline(case)
    step = procedure.current_step(case)
    current = [m for m in materials if not m.replaced]
    provided = {m.material_id for m in current}
    parts = published(case.version)
    documents = documents_of(case)
    return {
        **case_summary(case),
        "situation": case.situation_id,
        "applicant_id": applicant_id(case, full=full),
        "agent": case.agent.name if case.agent else "",
        "contact_phone": contact_phone(case, full=full),
        "form_data": form_data(case, full=full),
        "acceptance_due": case.acceptance_due,
        "decision_due": case.decision_due,
        "delivery_due": case.delivery_due,
        "warn_from": case.warn_from,
        "accepted_on": case.accepted_on,
        "decided_on": case.decided_on,
        "limit_workdays": case.limit_workdays,
        "limit_unit": case.limit_unit,
        "paused_workdays": case.paused_workdays,
        "extension_workdays": case.extension_workdays,
        "review_step": step["name"] if step else "",
        "special_procedure": case.special_procedure,
        "pending_materials": case.pending_materials,
        "commitment_due": case.commitment_due,
        "commitment_overdue": case.commitment_overdue,
        "decision_reason": case.decision_reason,
        "remedy": case.remedy,
        "correction": (
            [{**correction_item(i), "reason_labels": reason_labels(i)} for i in correction.items]
            if correction
            else None
        ),
        "correction_note": correction.note if correction else "",
        "delivery": delivery_of(case, full=full, applicant=is_applicant, documents=documents),
        "checklist": [
            {
                "material": m.pk,
                "name": m.name,
                "necessity": m.necessity,
                "is_key": m.is_key,
                "tolerable": parts.tolerance_acceptance and not m.is_key,
                "provided": m.pk in provided,
            }
            for m in parts.materials_for(case.situation_id)
        ],
        "materials": [material_fact(case, m) for m in materials],
        "events": [event_row(e) for e in events],
        "allowed_actions": (["submit"] if case.state == State.DRAFT else [])
        + services.available_actions(user, case, current),
        "missing": drafts.submission_problems(case) if case.state == State.DRAFT else {},
        "documents": [document_row(case, d) for d in documents],
    }


# --- Documents the case produced -------------------------------------------------------------------


def documents_of(case: Case) -> list:
    """The case's documents (受理通知书, 决定书 …), in the order of the events they answer. None
    can exist before the decision on acceptance, so those cases are not asked about."""
    if case.pk is None or case.state in (State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED):
        return []
    return list(case.documents.select_related("file").order_by("event_seq", "id"))


def document_url(case: Case, document) -> str:
    return f"/api/v1/cases/{case.number}/documents/{document.pk}/file"


def document_row(case: Case, document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "title": document.title,
        "event_seq": document.event_seq,
        "created_at": document.created_at,
        "size": document.file.size,
        "sha256": document.file.sha256,
        "url": document_url(case, document),
    }


# Where the result stands between completion and delivery, in words both the portal and the
# workbench show (送达 only once it is true: picked up, signed for, or downloadable).
DELIVERY_STATE_LABELS = {
    "awaiting_pickup": gettext_noop("待领取：凭取件码到窗口领取"),
    "awaiting_dispatch": gettext_noop("待寄出"),
    "booking": gettext_noop("已交寄，正在向快递公司下单"),
    "in_transit": gettext_noop("寄递中：快递签收后即为送达"),
    "returned": gettext_noop("快件已退回，待重新送达"),
    "preparing_document": gettext_noop("正在生成决定文书，生成后即电子送达"),
    "awaiting_electronic": gettext_noop("决定文书已生成，正在电子送达"),
    "delivered": gettext_noop("已送达"),
}


def delivery_state(case: Case, documents: list | None = None) -> str:
    """A key of DELIVERY_STATE_LABELS, or "" before completion (and for closed cases never
    decided). `documents`, when the caller has them, spares reading them again."""
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, DeliveryMethod, TrackingEvent

    if case.state == State.DELIVERED:
        return "delivered"
    delivery = getattr(case, "delivery", None)
    if case.state != State.COMPLETED or delivery is None:
        return ""
    if delivery.method == DeliveryMethod.EXPRESS:
        if delivery.dispatched_at is None:
            return "awaiting_dispatch"
        if not delivery.tracking_number:
            return "booking"
        last = TrackingEvent.objects.filter(delivery=delivery).order_by("-at", "-id").first()
        if delivery.delivered_at is None and last is not None and last.status == "returned":
            return "returned"
        return "in_transit"
    if delivery.method == DeliveryMethod.ELECTRONIC:
        documents = documents_of(case) if documents is None else documents
        decided = any(d.kind in DECISION_DOCUMENT_KINDS for d in documents)
        return "awaiting_electronic" if decided else "preparing_document"
    return "awaiting_pickup"


def delivery_state_label(state: str) -> str:
    from django.utils.translation import gettext

    return gettext(DELIVERY_STATE_LABELS[state]) if state in DELIVERY_STATE_LABELS else ""


def material_file(case: Case, received_id: int):
    """The stored file of one material received for `case` (already access-checked), or None."""
    received = case.materials.select_related("file").filter(pk=received_id).first()
    return received.file if received else None


def document_file(case: Case, document_id: int):
    """The stored PDF of one document `case` produced (already access-checked), or None."""
    document = case.documents.select_related("file").filter(pk=document_id).first()
    return document.file if document else None
