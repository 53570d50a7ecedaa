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
from yiwang.cases.corrections import correction_item, reason_labels
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


# --- The correction notice (一次性告知): what the clerk ticks ------------------------------------


@dataclass
class CorrectionTarget:
    """A material or form field of the case the clerk may send back, with what the case holds for
    it: the files received (each `(name, url)`), or the value filled in."""

    kind: str  # material / field
    key: str  # the material's id or the field's name, as the payload names it
    label: str
    status: str  # in words: 已上传 2 个文件 / 未上传（可容缺） / the value
    files: list[tuple[str, str]] = field(default_factory=list)
    missing: bool = False


def correction_targets(case: Case) -> tuple[list[CorrectionTarget], list[CorrectionTarget]]:
    """The case's own materials (each with its files, or why there is none) and the visible fields
    of its form (each with its value), for the correction form: read by the staff handling the
    case, so in full."""
    from yiwang.cases import drafts

    materials = []
    for item in drafts.checklist(case):
        m = item.material
        files = [(f.file.original_name or f.name, case_file_url(case, f)) for f in item.files]
        if files:
            status = ngettext("已上传 %(n)s 个文件", "已上传 %(n)s 个文件", len(files)) % {"n": len(files)}
        elif m.pk in (case.pending_materials or []):
            status = _("容缺，待补交")
        elif item.shared:
            status = _("无需提交：部门调取电子证照")
        elif item.tolerable and item.missing:
            status = _("未上传（可容缺）")
        else:
            status = _("未上传") + f"（{m.get_necessity_display()}）"
        materials.append(CorrectionTarget("material", str(m.pk), m.name, status, files, not files))
    schema_fields = {f.get("name") for f in drafts.case_schema(case).get("fields", []) if isinstance(f, dict)}
    fields = []
    for answer in queries.form_answers(case, full=True):
        if answer.name not in schema_fields:
            continue  # a value of a field the form no longer has: nothing to correct there
        if answer.kind == "table":
            text = ngettext("%(n)s 行", "%(n)s 行", len(answer.rows)) % {"n": len(answer.rows)}
            empty = not answer.rows
        else:
            text, empty = answer.text, not answer.text
        status = _("已填：%(value)s") % {"value": text} if not empty else _("未填写")
        fields.append(CorrectionTarget("field", answer.name, answer.label, status, [], empty))
    return materials, fields


@dataclass
class CorrectionLine:
    """One item of a notice as read: what, which reasons in words, the note."""

    kind: str  # material / field / other
    label: str
    reasons: list[str]
    note: str

    @property
    def kind_label(self) -> str:
        return str(CORRECTION_KIND_LABELS.get(self.kind, ""))


CORRECTION_KIND_LABELS = {"material": gettext_lazy("材料"), "field": gettext_lazy("表单"), "other": ""}


def correction_lines(items: list) -> list[CorrectionLine]:
    """A stored notice's items in words, whichever shape they were stored in."""
    lines = []
    for raw in items if isinstance(items, list) else []:
        item = correction_item(raw)
        lines.append(
            CorrectionLine(item["kind"], item["label"] or _("其他"), reason_labels(item), item["note"])
        )
    return lines


def correction_records(case: Case) -> list[dict]:
    """Every notice of the case, in rounds, with its items in words and its overall note."""
    return [
        {
            "round": c.round,
            "requested_at": c.requested_at,
            "requested_by": c.requested_by,
            "answered_at": c.answered_at,
            "note": c.note,
            "lines": correction_lines(c.items),
        }
        for c in case.corrections.select_related("requested_by").all()
    ]


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
