"""Cases as staff read them: the queue rows, the deadlines with working days left, and the facts
of `cases.queries` (the one read model, masked by `queries.reads_in_full`) laid out for the
workbench: the parties, the materials received (superseded files included), the steps, the trace.

Reads only; every change goes through `cases.services`. The one query of its own here is the
告知承诺 follow-up list (cases approved on commitment whose verification is still open).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from yiwang.accounts.models import StaffRole, User
from yiwang.cases import clock, queries
from yiwang.cases.models import Case, CaseMaterial, Channel
from yiwang.core.workdays import YearNotInCalendar, current_calendar

TRACKING_STATUSES = [
    ("accepted", gettext_lazy("已揽收")),
    ("in_transit", gettext_lazy("运输中")),
    ("out_for_delivery", gettext_lazy("派送中")),
    ("signed", gettext_lazy("已签收")),
]
VERIFICATION_RESULTS = [(k, gettext_lazy(label)) for k, label in queries.VERIFICATION_RESULT_LABELS.items()]
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
            return ngettext("超期 %(n)s 个工作日", "超期 %(n)s 个工作日", -self.remaining) % {
                "n": -self.remaining
            }
        if self.remaining == 0:
            return _("今日到期")
        return ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", self.remaining) % {"n": self.remaining}


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
    for case in cases:  # masked in lists, whoever reads them
        rows.append(QueueRow(case, queries.applicant_id(case, full=False), due_of(case, today, calendar)))
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


ID_LABELS = {
    ("enterprise", "uscc"): gettext_lazy("统一社会信用代码"),
    ("person", "id_number"): gettext_lazy("居民身份证号码"),
    ("agent", "id_number"): gettext_lazy("经办人身份证号码"),
}


def applicant_of(case: Case, *, full: bool) -> list[Party]:
    """The applicant (and agent) of `queries.parties`, masked unless `full` (the reader's rule)."""
    parties = []
    for p in queries.parties(case, full=full):
        extra = [(_("法定代表人"), p["legal_representative"])] if p["legal_representative"] else []
        label = str(ID_LABELS.get((p["kind"], p["id_kind"]), ""))
        parties.append(Party(p["kind"], p["name"], label, p["identifier"], p["phone"] or EMPTY, extra))
    return parties


# --- Materials -----------------------------------------------------------------------------------


@dataclass
class MaterialRow:
    name: str
    necessity: str
    is_key: bool
    material_id: int | None
    pending: bool
    files: list[dict]  # `queries.material_fact`s, newest last; superseded ones marked `replaced`
    tolerable: bool = False  # may be accepted as pending (容缺)
    blocking: bool = False  # required and missing: blocks submission
    errors: list[str] = field(default_factory=list)
    licence_type_code: str = ""  # an electronic licence the department looks up (无需提交)

    @property
    def current(self) -> list[dict]:
        return [f for f in self.files if not f["replaced"]]


def case_file_url(case: Case, received: CaseMaterial) -> str:
    return reverse("workbench:case-file", args=[case.number, received.pk])


def intake_file_url(case: Case, received: CaseMaterial) -> str:
    return reverse("workbench:intake-file", args=[case.draft_key, received.pk])


def material_rows(case: Case, *, intake: bool = False) -> tuple[list[MaterialRow], list[dict]]:
    """Each catalog material with every file received for it, and the extra documents."""
    url = intake_file_url if intake else case_file_url
    groups, extras = queries.material_groups(case, queries.received_materials(case), url)
    rows = [
        MaterialRow(
            g["material"].name,
            g["material"].get_necessity_display(),
            g["material"].is_key,
            g["material"].pk,
            g["pending"],
            g["files"],
            licence_type_code=g["material"].licence_type_code,
        )
        for g in groups
    ]
    return rows, extras


# --- Review steps and the trace ------------------------------------------------------------------


@dataclass
class Step:
    number: int
    name: str
    role: str
    status: str  # done / current / todo


def steps_of(case: Case) -> list[Step]:
    return [
        Step(s["number"], s["name"], _role_label(s["role"]), s["status"]) for s in queries.review_steps(case)
    ]


def step_text(case: Case) -> str:
    current = next((s for s in steps_of(case) if s.status == "current"), None)
    return f"{current.name}（{current.role}）" if current else ""


@dataclass
class TraceRow:
    at: dt.datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    reason: str
    detail: str


def trace_rows(case: Case) -> list[TraceRow]:
    rows = []
    for e in map(queries.event_row, queries.timeline(case)):
        changed = e["from_state"] != e["to_state"]
        rows.append(
            TraceRow(
                e["at"],
                e["actor"],
                e["action_label"],
                e["from_label"] if changed else "",
                e["to_label"] if changed else "",
                e["reason"],
                "；".join(e["details"]),
            )
        )
    return rows
