"""Cases as staff read them: the queue rows, the deadlines with working days left, the form data
with its schema labels, the materials received (superseded files included), and the trace.

Reads only; every change goes through `cases.services`. The one query of its own here is the
告知承诺 follow-up list (cases approved on commitment whose verification is still open).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.accounts.models import StaffRole, User
from yiwang.cases import clock, queries, services
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    Channel,
    DeliveryMethod,
    action_label,
    state_label,
)
from yiwang.core.masking import mask_id_number, mask_phone
from yiwang.core.workdays import YearNotInCalendar, current_calendar

TRACKING_STATUSES = [
    ("accepted", gettext_lazy("已揽收")),
    ("in_transit", gettext_lazy("运输中")),
    ("out_for_delivery", gettext_lazy("派送中")),
    ("signed", gettext_lazy("已签收")),
]
VERIFICATION_RESULTS = [
    ("consistent", gettext_lazy("核查一致（承诺属实）")),
    ("inconsistent", gettext_lazy("核查不一致（承诺不实）")),
]
URGENCY_TEXT = {"overdue": gettext_lazy("已超期"), "warning": gettext_lazy("即将到期")}
EMPTY = "—"


def _role_label(role: str) -> str:
    """A review step's role as the staff roles name it."""
    return str(StaffRole(role).label) if role in StaffRole.values else role


# --- Deadlines -----------------------------------------------------------------------------------


@dataclass
class Due:
    date: dt.date | None
    urgency: str  # overdue / warning / normal / ''
    remaining: int | None  # working days left (negative: overdue by)
    provisional: bool

    @property
    def urgency_text(self) -> str:
        return str(URGENCY_TEXT.get(self.urgency, ""))

    @property
    def remaining_text(self) -> str:
        if self.remaining is None:
            return ""
        if self.remaining < 0:
            return _("超期 %(n)s 个工作日") % {"n": -self.remaining}
        if self.remaining == 0:
            return _("今日到期")
        return _("剩余 %(n)s 个工作日") % {"n": self.remaining}


def due_of(case: Case, today: dt.date, calendar=None) -> Due:
    """The running deadline with the working days left: pure arithmetic, no query per case."""
    remaining = None
    if case.due_date is not None:
        try:
            remaining = (calendar or current_calendar()).workdays_between(today, case.due_date)
        except YearNotInCalendar:
            remaining = None
    return Due(case.due_date, queries.urgency(case, today), remaining, case.due_provisional)


# --- The queue -----------------------------------------------------------------------------------


@dataclass
class QueueRow:
    case: Case
    applicant_id: str  # masked ID number or credit code (credit codes are public)
    due: Due

    @property
    def channel_label(self) -> str:
        return str(Channel(self.case.channel).label) if self.case.channel in Channel.values else ""


def queue_rows(cases: list[Case]) -> list[QueueRow]:
    today = clock.today()
    calendar = current_calendar()
    rows = []
    for case in cases:
        if case.applicant_enterprise_id:
            ident = case.applicant_enterprise.uscc
        elif case.applicant_person_id:
            ident = mask_id_number(case.applicant_person.id_number)
        else:
            ident = ""
        rows.append(QueueRow(case, ident, due_of(case, today, calendar)))
    return rows


def verification_queue(cases: QuerySet[Case]) -> QuerySet[Case]:
    """告知承诺制: of `cases`, those approved on commitment whose follow-up check is still open,
    the earliest check due first."""
    return cases.filter(verification_due__isnull=False, verified_at__isnull=True).order_by(
        F("verification_due").asc(), "id"
    )


def sees_verification(user: User) -> bool:
    from yiwang.accounts import access as account_access

    return account_access.has_role(
        user, StaffRole.REVIEWER, StaffRole.APPROVER, StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN
    )


# --- The applicant -------------------------------------------------------------------------------


@dataclass
class Party:
    kind: str  # person / enterprise
    name: str
    identifier_label: str
    identifier: str
    phone: str
    extra: list[tuple[str, str]] = field(default_factory=list)


def applicant_of(case: Case, *, full: bool) -> list[Party]:
    """The applicant (and agent): the full ID number and phone only for the handling staff."""
    parties: list[Party] = []
    person, enterprise, agent = case.applicant_person, case.applicant_enterprise, case.agent

    def id_text(value: str) -> str:
        return value if full else mask_id_number(value)

    def phone_text(value: str) -> str:
        return (value if full else mask_phone(value)) or EMPTY

    if enterprise is not None:
        extra = []
        if enterprise.legal_representative:
            extra.append((_("法定代表人"), enterprise.legal_representative))
        parties.append(
            Party(
                "enterprise",
                enterprise.name,
                _("统一社会信用代码"),
                enterprise.uscc,
                phone_text(enterprise.phone),
                extra,
            )
        )
    if person is not None:
        parties.append(
            Party(
                "person",
                person.name,
                _("居民身份证号码"),
                id_text(person.id_number),
                phone_text(person.phone),
            )
        )
    if agent is not None:
        parties.append(
            Party(
                "agent",
                agent.name,
                _("经办人身份证号码"),
                id_text(agent.id_number),
                phone_text(agent.phone),
            )
        )
    return parties


# --- The form data, read-only --------------------------------------------------------------------


@dataclass
class FieldValue:
    label: str
    text: str = ""
    columns: list[str] = field(default_factory=list)  # tables
    rows: list[list[str]] = field(default_factory=list)


def _division_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    from yiwang.core.models import Division

    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def _address_codes(fields: list[dict], data: dict) -> set[str]:
    codes = set()
    for f in fields:
        value = data.get(f.get("name"))
        if f.get("type") == "address" and isinstance(value, dict) and value.get("division"):
            codes.add(str(value["division"]))
        if f.get("type") == "table" and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    codes |= _address_codes(f.get("columns") or [], row)
    return codes


def _value_text(f: dict, value: Any, divisions: dict[str, str], *, full: bool) -> str:
    if value in (None, "", [], {}):
        return EMPTY
    kind = f.get("type")
    options = {str(o.get("value")): str(o.get("label") or o.get("value")) for o in f.get("options") or []}
    if kind == "choice":
        return options.get(str(value), str(value))
    if kind == "multichoice":
        values = value if isinstance(value, list) else [value]
        return "、".join(options.get(str(v), str(v)) for v in values)
    if kind == "address" and isinstance(value, dict):
        division = divisions.get(str(value.get("division", "")), str(value.get("division", "")))
        return " ".join(x for x in (division, str(value.get("detail", ""))) if x)
    if kind == "id_number" and not full:
        return mask_id_number(str(value))
    if kind == "phone" and not full:
        return mask_phone(str(value))
    if kind == "money":
        return _("%(n)s 元") % {"n": value}
    return str(value)


def form_values(case: Case, *, full: bool) -> list[FieldValue]:
    """The submitted form with the schema's labels; tables as rows; hidden fields left out."""
    schema = services.case_schema(case)
    fields = [f for f in schema.get("fields", []) if isinstance(f, dict) and f.get("name")]
    data = case.form_data if isinstance(case.form_data, dict) else {}
    divisions = _division_names(_address_codes(fields, data))
    out = []
    for f in fields:
        value = data.get(f["name"])
        if f.get("show_if") and value in (None, "", [], {}):
            continue  # a conditional field that did not apply
        label = str(f.get("label") or f["name"])
        if f.get("type") == "table":
            columns = [c for c in f.get("columns") or [] if isinstance(c, dict)]
            rows = [
                [_value_text(c, row.get(c.get("name")), divisions, full=full) for c in columns]
                for row in (value if isinstance(value, list) else [])
                if isinstance(row, dict)
            ]
            out.append(
                FieldValue(
                    label,
                    EMPTY if not rows else "",
                    [str(c.get("label") or c["name"]) for c in columns],
                    rows,
                )
            )
        else:
            out.append(FieldValue(label, _value_text(f, value, divisions, full=full)))
    known = {f["name"] for f in fields}
    for name, value in data.items():  # values of fields no longer in the schema stay visible
        if name not in known and value not in (None, "", [], {}):
            out.append(FieldValue(name, str(value)))
    return out


# --- Materials -----------------------------------------------------------------------------------


@dataclass
class MaterialRow:
    name: str
    necessity: str
    is_key: bool
    material_id: int | None
    pending: bool
    files: list[CaseMaterial]  # every file received, newest last; superseded ones marked `replaced`
    tolerable: bool = False  # may be accepted as pending (容缺)
    blocking: bool = False  # required and missing: blocks submission
    errors: list[str] = field(default_factory=list)

    @property
    def current(self) -> list[CaseMaterial]:
        return [f for f in self.files if not f.replaced]


def material_rows(case: Case) -> tuple[list[MaterialRow], list[CaseMaterial]]:
    """Each catalog material with every file received for it, and the extra documents."""
    received: dict[int | None, list[CaseMaterial]] = {}
    for item in case.materials.select_related("file").order_by("uploaded_at", "id"):
        received.setdefault(item.material_id, []).append(item)
    pending = set(case.pending_materials or [])
    rows = [
        MaterialRow(
            m.name,
            m.get_necessity_display(),
            m.is_key,
            m.pk,
            m.pk in pending,
            received.pop(m.pk, []),
        )
        for m in services.required_materials(case)
    ]
    extras = received.pop(None, [])
    for files in received.values():  # files against a material no longer listed (another situation)
        extras.extend(files)
    return rows, extras


# --- Review steps and the trace ------------------------------------------------------------------


@dataclass
class Step:
    number: int
    name: str
    role: str
    status: str  # done / current / todo


def steps_of(case: Case) -> list[Step]:
    steps = services.review_steps(case)
    current = services.current_step(case)
    decided = case.decided_on is not None
    out = []
    for i, s in enumerate(steps):
        if current is not None:
            status = "done" if i < case.review_step else ("current" if i == case.review_step else "todo")
        else:
            status = "done" if decided else "todo"
        role = _role_label(s.get("role", "approver"))
        out.append(Step(i + 1, str(s.get("name", "")), role, status))
    return out


def step_text(case: Case) -> str:
    step = services.current_step(case)
    if step is None:
        return ""
    role = _role_label(step.get("role", "approver"))
    return f"{step.get('name', '')}（{role}）"


@dataclass
class TraceRow:
    at: dt.datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    reason: str
    detail: str


def _event_detail(event) -> str:
    data = event.data or {}
    parts = []
    if data.get("material"):
        parts.append(str(data["material"]))
    if data.get("procedure") and event.action == "suspend":
        parts.append(_("程序：%(p)s") % {"p": data["procedure"]})
    if data.get("days"):
        parts.append(_("延长 %(n)s 个工作日") % {"n": data["days"]})
    if data.get("commitment_date"):
        parts.append(_("承诺补齐日期：%(d)s") % {"d": data["commitment_date"]})
    if data.get("result"):
        parts.append(dict(VERIFICATION_RESULTS).get(data["result"], data["result"]))
    if data.get("method"):
        method = data["method"]
        parts.append(str(DeliveryMethod(method).label) if method in DeliveryMethod.values else method)
    if data.get("tracking_number"):
        parts.append(_("运单号：%(n)s") % {"n": data["tracking_number"]})
    if data.get("remedy"):
        parts.append(_("救济途径：%(r)s") % {"r": data["remedy"]})
    if event.action == "request_correction" and isinstance(data.get("items"), list):
        parts += [
            f"{i.get('label') or _('其他')}：{i.get('note', '')}"
            for i in data["items"]
            if isinstance(i, dict)
        ]
    return "；".join(str(p) for p in parts)


def trace_rows(case: Case) -> list[TraceRow]:
    return [
        TraceRow(
            e.at,
            e.actor_text,
            action_label(e.action),
            state_label(e.from_state) if e.from_state != e.to_state else "",
            state_label(e.to_state) if e.from_state != e.to_state else "",
            e.reason,
            _event_detail(e),
        )
        for e in queries.timeline(case)
    ]
