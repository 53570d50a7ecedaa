"""What the applicant's case pages show, in plain words: event labels, due dates with their urgency
in text (never colour alone), the material checklist with necessity, and the "还缺" list that
links every missing field and material to its place on the page.

The facts (the parties, the form's values, materials, events, the delivery) come from
`cases.queries`, masked by its one rule; these functions only put them in the page's words and
anchors, and the templates only display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from yiwang.cases import queries
from yiwang.cases.corrections import reason_labels
from yiwang.cases.models import Case, CaseEvent, CaseMaterial
from yiwang.cases.rules import State
from yiwang.catalog.models import Necessity
from yiwang.workbench.schema_forms import SchemaField

FORM_PREFIX = "f-"
FORM_ID_PREFIX = "sf-"

NECESSITY_LABELS = {
    Necessity.REQUIRED: gettext_lazy("必要"),
    Necessity.CONDITIONAL: gettext_lazy("情形必要"),
    Necessity.OPTIONAL: gettext_lazy("非必要"),
}

URGENCY_TEXT = {
    "overdue": gettext_lazy("已超期"),
    "warning": gettext_lazy("即将到期"),
    "normal": gettext_lazy("期限内"),
}

# Accepted upload types, for the file inputs' `accept` and the help text (the server sniffs the
# content whatever the name says: core.uploads).
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.ofd"


# --- Due dates ---------------------------------------------------------------------------------


def current_due_label(case: Case) -> str:
    """Which deadline `case.due_date` is, in the applicant's words."""
    if case.state == State.SUBMITTED:
        return _("受理期限")
    if case.state in (State.ACCEPTED, State.UNDER_REVIEW):
        return _("办结期限")
    if case.state in (State.APPROVED, State.REFUSED, State.COMPLETED):
        return _("送达期限")
    return _("当前期限")


def paused_text(case: Case) -> str:
    """Why no deadline runs now (the clock waits), or ''."""
    if case.state == State.CORRECTION_REQUESTED:
        return _("等待您补正材料，补正期间暂停计时。")
    if case.state == State.SUSPENDED:
        procedure = case.special_procedure or _("特别程序")
        return _("正在进行%(procedure)s，所需时间不计入办理时限。") % {"procedure": procedure}
    return ""


@dataclass
class CaseRow:
    """One line of 我的办件."""

    case: Case
    ref: str
    state_label: str
    due_label: str
    due_date: dt.date | None
    due_provisional: bool
    urgency: str
    urgency_text: str
    waiting_text: str
    is_draft: bool


def case_row(case: Case, today: dt.date) -> CaseRow:
    urgency = queries.urgency(case, today)
    return CaseRow(
        case=case,
        ref=case.number or str(case.draft_key),
        state_label=case.state_label,
        due_label=current_due_label(case),
        due_date=case.due_date,
        due_provisional=case.due_provisional,
        urgency=urgency,
        urgency_text=str(URGENCY_TEXT.get(urgency, "")),
        waiting_text=paused_text(case) if case.due_date is None else "",
        is_draft=case.state == State.DRAFT,
    )


# --- The timeline --------------------------------------------------------------------------------


@dataclass
class EventView:
    at: dt.datetime
    actor_label: str
    action_label: str
    state_change: str
    reason: str
    details: list[str] = field(default_factory=list)


# What the applicant did to a draft before submitting it: their own work in progress, not a step of
# the case (the materials list shows what was sent). A licence the platform attached stays.
DRAFT_WORK = {"attach_material", "remove_material", "use_licence"}


def applicant_steps(events: list[CaseEvent]) -> list[CaseEvent]:
    """The case's steps as the applicant's timeline shows them."""
    return [
        e
        for e in events
        if not (e.from_state == State.DRAFT and e.action in DRAFT_WORK and e.actor_role != "system")
    ]


def event_view(event: CaseEvent) -> EventView:
    e = queries.event_row(event)
    change = ""
    if e["from_state"] != e["to_state"] and e["to_state"]:
        change = _("%(before)s → %(after)s") % {"before": e["from_label"] or "—", "after": e["to_label"]}
    return EventView(e["at"], e["actor"], e["action_label"], change, e["reason"], e["details"])


# --- Materials -----------------------------------------------------------------------------------


@dataclass
class MaterialRow:
    """One material of the checklist, with its files and the upload state."""

    id: int
    name: str
    necessity: str
    necessity_label: str
    condition: str
    tolerable: bool
    files: list[dict]  # `queries.material_fact`s with the portal's address
    provided: bool
    blocking: bool
    shared: bool = False  # an electronic licence the department looks up itself (无需提交)
    errors: list[str] = field(default_factory=list)
    note: str = ""  # a correction's requirement for this material

    @property
    def anchor(self) -> str:
        return f"material-{self.id}"

    @property
    def input_id(self) -> str:
        return f"upload-{self.id}"


def file_url(case: Case, received: CaseMaterial) -> str:
    return reverse("portal:case-file", args=[case.number or str(case.draft_key), received.pk])


def files_of(case: Case, received: list[CaseMaterial]) -> list[dict]:
    return [queries.material_fact(case, m, file_url) for m in received]


def material_rows(case: Case, items, errors: dict[str, list[str]] | None = None) -> list[MaterialRow]:
    """The checklist (`drafts.checklist`) as rows; `errors` keyed `material.<id>`."""
    errors = errors or {}
    rows = []
    for item in items:
        m = item.material
        rows.append(
            MaterialRow(
                id=m.pk,
                name=m.name,
                necessity=item.necessity,
                necessity_label=str(NECESSITY_LABELS.get(item.necessity, item.necessity)),
                condition=m.condition,
                tolerable=item.tolerable,
                files=files_of(case, item.files),
                provided=item.provided,
                blocking=item.blocking,
                shared=item.shared,
                errors=[str(e) for e in errors.get(f"material.{m.pk}", [])],
            )
        )
    return rows


# --- The correction notice (一次性告知) ----------------------------------------------------------


def correction_reasons(item: dict) -> list[str]:
    """An item's preset reasons in words (none for an item stored before there were any)."""
    return reason_labels(item)


def correction_requirement(item: dict) -> str:
    """What the applicant has to do about one item, in one line: its reasons, then the note."""
    return "；".join(p for p in ("、".join(reason_labels(item)), str(item.get("note") or "").strip()) if p)


# --- The form: labels and anchors for the "还缺" list and error summaries -----------------------


def field_targets(bound: list[SchemaField]) -> dict[str, tuple[str, str]]:
    """Error key → (label, element id) for every control of a bound schema form (table cells are
    keyed `table.<row>.<column>` like `form_schema.clean_data`'s errors)."""
    targets: dict[str, tuple[str, str]] = {}
    for f in bound:
        targets[f.name] = (f.label, _anchor(f))
        for row in f.rows:
            for cell in row["cells"]:
                targets[f"{f.name}.{row['number']}.{cell.name}"] = (
                    f"{row['legend']} {cell.label}",
                    _anchor(cell),
                )
    return targets


def _anchor(f: SchemaField) -> str:
    """The element a link to the control goes to: the input itself, or a group's wrapper."""
    return f"{f.id}-wrap" if f.widget in ("radios", "checkboxes", "table") else f.id


@dataclass(frozen=True)
class Problem:
    text: str
    href: str


def problem_list(
    problems: dict[str, list[str]],
    targets: dict[str, tuple[str, str]],
    materials: dict[int, str] | None = None,
    *,
    extra: dict[str, tuple[str, str]] | None = None,
) -> list[Problem]:
    """Every problem named, linked to its control: fields by label, materials by name (`materials`:
    id → name, put before a message that does not name its material, e.g. a refused upload's).
    The supplementary materials' upload (`material.extra`) links to its file input."""
    out: list[Problem] = []
    extra = extra or {}
    materials = materials or {}
    for key, messages in problems.items():
        messages = [str(m) for m in (messages if isinstance(messages, (list, tuple)) else [messages])]
        if key.startswith("material."):
            part = key.split(".", 1)[1]
            if not part.isdigit():
                for message in messages:
                    out.append(Problem(message, "#upload-extra"))
                continue
            name = materials.get(int(part), "")
            for message in messages:
                text = f"{name}：{message}" if name and name not in message else message
                out.append(Problem(text, f"#material-{part}"))
            continue
        label, anchor = targets.get(key) or extra.get(key) or ("", "")
        for message in messages:
            text = f"{label}：{message}" if label else message
            out.append(Problem(text, f"#{anchor}" if anchor else ""))
    return out


def review_rows(answers: list[queries.Answer]) -> list[tuple[str, str]]:
    """The form's values (`queries.form_answers`, already masked) as the review section lists them."""
    return [(a.label, _table_text(a.rows) if a.kind == "table" else a.text) for a in answers]


def _table_text(rows: list[list[str]]) -> str:
    """A table's rows on one line each: the count, then every row's values."""
    if not rows:
        return ""
    lines = ["、".join(cell for cell in row if cell) for row in rows]
    return ngettext("%(n)s 行", "%(n)s 行", len(rows)) % {"n": len(rows)} + "：" + "；".join(lines)


def identity(case: Case, *, full: bool) -> dict[str, str]:
    """The applicant's and the agent's identifiers (`queries.parties`) with their labels."""
    out = {"id_label": "", "id_value": "", "agent_name": "", "agent_id": ""}
    for p in queries.parties(case, full=full):
        if p["kind"] == "agent":
            out.update(agent_name=p["name"], agent_id=p["identifier"])
        elif not out["id_value"]:
            label = _("统一社会信用代码") if p["id_kind"] == "uscc" else _("身份证号码")
            out.update(id_label=label, id_value=p["identifier"])
    return out


def next_step_text(case: Case) -> str:
    """What happens now, or what the applicant has to do, in one sentence."""

    def date(day: dt.date | None) -> str:
        return day.strftime("%Y-%m-%d") if day else ""

    state = case.state
    if state == State.SUBMITTED:
        return _("等待受理：工作人员会在 %(date)s 前告知是否受理；材料需要补正的，会一次性告诉您。") % {
            "date": date(case.acceptance_due)
        }
    if state == State.CORRECTION_REQUESTED:
        return _("需要您补正：请按下面的补正告知补齐，然后点“提交补正材料”。")
    if state in (State.ACCEPTED, State.UNDER_REVIEW):
        return _("已受理，正在审查，承诺在 %(date)s 前办结。") % {"date": date(case.decision_due)}
    if state == State.SUSPENDED:
        return paused_text(case)
    if state in (State.APPROVED, State.REFUSED):
        return _("已作出决定，正在制作办理结果。")
    if state == State.COMPLETED:
        delivery = getattr(case, "delivery", None)
        where = queries.delivery_state(case)
        if where == "in_transit":
            return _("办理结果已寄出（快递单号 %(number)s），快递签收后即为送达。") % {
                "number": delivery.tracking_number
            }
        if where == "returned":
            return _("快件已退回，工作人员会与您联系重新送达。")
        if delivery is not None and delivery.method == "express":
            return _("已办结：办理结果将通过快递寄给您。")
        if where == "preparing_document":
            return _("已办结：正在生成决定文书，生成后即可在本页下载，下载即为电子送达。")
        if where == "awaiting_electronic":
            return _("已办结：决定文书已生成，可在本页下载。")
        if delivery is not None and delivery.method == "pickup":
            return _("已办结：请凭取件码到窗口领取办理结果。")
        return _("已办结，办理结果正在送达。")
    if state == State.DELIVERED:
        return _("办理结果已送达，本件办理完成。")
    if state == State.NOT_ACCEPTED:
        return _("不予受理，理由和救济途径见下方。")
    if state == State.WITHDRAWN:
        return _("您已撤回这项申请。")
    if state == State.TERMINATED:
        return _("本件已终止办理，原因见下方。")
    return ""
