"""The handling procedure (行政许可法 arts. 29–45) as one declared transition table.

Pure data and functions: no database. Each `Transition` declares everything about one action:
the states it leaves from, the state it goes to, who may take it, the guards that must hold on the
case (`Facts`, read by the services), and the shape of its payload (a Pydantic model, which the
API documents as one member of a discriminated union and the workbench turns into its form). The
services look an action up here, check the actor, the guards and the payload, and move the case
to the target given here with a conditional UPDATE on its revision, so two staff acting at once
cannot both win. An action not allowed now is refused naming the actions that are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yiwang.core.validation import RowId


class State(StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已提交（待受理）
    CORRECTION_REQUESTED = "correction_requested"  # 待补正（一次性告知）
    ACCEPTED = "accepted"  # 已受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    UNDER_REVIEW = "under_review"  # 审查中（one or more review steps）
    SUSPENDED = "suspended"  # 特别程序（hearing, inspection, expert review …; the clock stops）
    APPROVED = "approved"  # 准予许可
    REFUSED = "refused"  # 不予许可
    COMPLETED = "completed"  # 办结（result produced）
    DELIVERED = "delivered"  # 已送达
    WITHDRAWN = "withdrawn"  # 申请人撤回
    TERMINATED = "terminated"  # 终止


class Actor(StrEnum):
    APPLICANT = "applicant"
    WINDOW_CLERK = "window_clerk"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    SYSTEM = "system"  # the worker: deemed acceptance when nobody acted within 5 working days


FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.DELIVERED, State.WITHDRAWN, State.TERMINATED})
# States in which the decision clock runs (it stops during correction and special procedures).
CLOCK_RUNNING = frozenset({State.ACCEPTED, State.UNDER_REVIEW})
BEFORE_DECISION = frozenset(
    {State.SUBMITTED, State.CORRECTION_REQUESTED, State.ACCEPTED, State.UNDER_REVIEW, State.SUSPENDED}
)
REVIEW = frozenset({State.ACCEPTED, State.UNDER_REVIEW})


# --- Payloads: one model per shape, named fields with their limits -----------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Payload(BaseModel):
    """An action's fields. Unknown fields are refused, so a misspelt field is named, not ignored."""

    model_config = ConfigDict(extra="forbid")


class NoFields(Payload):
    pass


class Opinion(Payload):
    opinion: Text = Field("", title=gettext_noop("意见"))


# 一次性告知: the preset reasons a material or a form field is sent back for, declared once (the
# workbench's form, the API's schema and every display of a notice read them from here).
class CorrectionReason(StrEnum):
    UNCLEAR_SCAN = "unclear_scan"
    MISSING_SIGNATURE = "missing_signature"
    EXPIRED = "expired"
    WRONG_FORM = "wrong_form"
    INCONSISTENT = "inconsistent"
    MISSING_PAGES = "missing_pages"
    WRONG_ENTRY = "wrong_entry"
    OTHER = "other"


CORRECTION_REASONS: dict[str, str] = {
    CorrectionReason.UNCLEAR_SCAN: gettext_noop("扫描件不清晰"),
    CorrectionReason.MISSING_SIGNATURE: gettext_noop("缺少签名或盖章"),
    CorrectionReason.EXPIRED: gettext_noop("已过有效期"),
    CorrectionReason.WRONG_FORM: gettext_noop("使用了错误的表格/版本"),
    CorrectionReason.INCONSISTENT: gettext_noop("内容与其他材料不一致"),
    CorrectionReason.MISSING_PAGES: gettext_noop("缺少页面"),
    CorrectionReason.WRONG_ENTRY: gettext_noop("信息填写有误"),
    CorrectionReason.OTHER: gettext_noop("其他"),
}
# A form field has no scan, signature or pages: these are the reasons that fit one.
FIELD_REASONS = (
    CorrectionReason.WRONG_ENTRY,
    CorrectionReason.INCONSISTENT,
    CorrectionReason.EXPIRED,
    CorrectionReason.OTHER,
)
CORRECTION_KINDS = ("material", "field", "other")
NOTE_MAX = 500
_REASON_DOC = "；".join(f"{code}：{label}" for code, label in CORRECTION_REASONS.items())


class CorrectionItem(BaseModel):
    """One thing to correct: a material of the case's checklist, a field of its form, or (`other`)
    a requirement tied to neither; with the preset reasons and a note. The shape before the reasons
    (`{"material": id, "note": "…"}`, `{"field": name, "note": "…"}`, `{"note": "…"}`) is still
    accepted: `kind` is then taken from what the item names."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["material", "field", "other"] | None = Field(
        None,
        title=gettext_noop("类别"),
        description="material：材料（须给 material）；field：表单字段（须给 field）；"
        "other：其他事项（只写 note）。省略时按给出的 material 或 field 推定。",
    )
    material: RowId | None = Field(None, title=gettext_noop("材料"), description="材料清单中的材料编号")
    field: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        None, title=gettext_noop("表单字段"), description="表单字段名"
    )
    reasons: list[CorrectionReason] = Field(
        default_factory=list,
        max_length=len(CorrectionReason),
        title=gettext_noop("补正原因"),
        description=f"预设的补正原因，可多选：{_REASON_DOC}。表单字段只可选 "
        + "、".join(FIELD_REASONS)
        + "。每项至少给出一个原因或写明 note；选 other 时须写明 note。",
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)] = Field(
        "", title=gettext_noop("补正要求"), description="补充说明（可选；未选原因或选了 other 时必填）"
    )


class RequestCorrection(Payload):
    items: list[CorrectionItem] = Field(
        default_factory=list,
        max_length=200,
        title=gettext_noop("补正事项"),
        description="需要补正的材料和表单字段，每项列明原因；至少一项，或写明 reason。"
        '兼容旧格式（不带原因）：{"material": 编号, "note": "…"}、{"field": 字段名, "note": "…"}、'
        '{"note": "…"}（其他事项）仍可使用。',
    )
    reason: Text = Field("", title=gettext_noop("补正说明"), description="对申请人的总体说明（可选）")


class AcceptWithPending(Payload):
    pending_materials: list[int] = Field(..., min_length=1, max_length=100, title=gettext_noop("容缺的材料"))
    commitment_date: dt.date = Field(..., title=gettext_noop("承诺补齐日期"))


class ReasonRemedy(Payload):
    reason: Required = Field(..., title=gettext_noop("理由"))
    remedy: Required = Field(
        ...,
        title=gettext_noop("救济途径"),
        description="告知申请人依法申请行政复议或者提起行政诉讼的权利、机关和期限",
    )


class Suspend(Payload):
    procedure: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        ..., title=gettext_noop("特别程序")
    )
    reason: Required = Field(..., title=gettext_noop("原因与告知内容"))


class Resume(Payload):
    reason: Text = Field("", title=gettext_noop("特别程序结果"))


class Extend(Payload):
    days: int = Field(..., ge=1, le=10, title=gettext_noop("延长工作日数"))
    reason: Required = Field(..., title=gettext_noop("延长理由"))


class Commitment(Payload):
    commitment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)] = (
        Field(..., title=gettext_noop("申请人承诺内容"))
    )


class Reason(Payload):
    reason: Required = Field(..., title=gettext_noop("理由"))


class OptionalReason(Payload):
    reason: Text = Field("", title=gettext_noop("理由"))


class Deliver(Payload):
    method: Literal["pickup", "express", "electronic"] = Field(..., title=gettext_noop("送达方式"))
    pickup_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)] = Field(
        "", title=gettext_noop("取件码")
    )
    recipient: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = Field(
        "", title=gettext_noop("收件人")
    )
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = Field(
        "", title=gettext_noop("收件人电话")
    )
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", title=gettext_noop("收件地址")
    )


# --- Facts and guards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the guards need to know of a case (the services read it; the table stays pure)."""

    state: State
    step: int = 0  # index of the current review step
    step_roles: tuple[str, ...] = ("reviewer", "approver")  # the role of each review step
    instant: bool = False  # 即办件
    tolerance: bool = False  # the entry allows 容缺受理
    commitment: bool = False  # the entry uses 告知承诺制
    acceptance_overdue: bool = False  # art. 32: the five working days to accept have passed
    missing_required: tuple[str, ...] = ()  # required materials still missing (names)
    pending: bool = False  # 容缺 materials still outstanding

    @property
    def step_role(self) -> str:
        return self.step_roles[min(self.step, len(self.step_roles) - 1)] if self.step_roles else "approver"

    @property
    def last_step(self) -> bool:
        return self.step >= len(self.step_roles) - 1


@dataclass(frozen=True)
class Guard:
    """A condition on the case (and the acting role) that the action needs; `why` says, in the
    source language, why the action is not possible now (formatted with the facts)."""

    name: str
    holds: Callable[[Facts, Actor], bool]
    why: str


def _is_step_role(f: Facts, a: Actor) -> bool:
    return f.step_role == a.value


STEP_ROLE = Guard("step_role", _is_step_role, gettext_noop("当前审查环节不由您的角色办理。"))
NOT_LAST_STEP = Guard(
    "not_last_step", lambda f, a: not f.last_step, gettext_noop("当前已是决定环节，请作出决定。")
)
LAST_STEP = Guard("last_step", lambda f, a: f.last_step, gettext_noop("尚未到决定环节。"))
HAS_PREVIOUS_STEP = Guard(
    "previous_step", lambda f, a: f.step > 0, gettext_noop("当前是第一个审查环节，没有上一环节。")
)
INSTANT = Guard("instant", lambda f, a: f.instant, gettext_noop("该事项不是即办件。"))
COMMITMENT = Guard("commitment", lambda f, a: f.commitment, gettext_noop("该事项未实行告知承诺制。"))
TOLERANCE = Guard("tolerance", lambda f, a: f.tolerance, gettext_noop("该事项不支持容缺受理。"))
IN_ACCEPTANCE_PERIOD = Guard(
    "acceptance_period",
    lambda f, a: not f.acceptance_overdue,
    gettext_noop(
        "受理期限已过：未在五个工作日内一次性告知补正或作出不予受理决定的，"
        "依法自收到申请之日起即为受理（《行政许可法》第三十二条）。"
    ),
)
MATERIALS_COMPLETE = Guard(
    "materials_complete",
    lambda f, a: not f.missing_required,
    gettext_noop("仍缺少必要材料：%(missing)s。请一次性告知补正，或对非关键材料容缺受理。"),
)
NO_PENDING = Guard(
    "no_pending",
    lambda f, a: not f.pending,
    gettext_noop("容缺受理的材料尚未补齐，补齐后才能作出准予许可决定。"),
)


# --- The table ------------------------------------------------------------------------------------


class Keep(StrEnum):
    """A target that is not a fixed state: the state is kept (extension) or restored (resume)."""

    SAME = "same"
    RESTORE = "restore"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[State]
    target: State | Keep
    actors: frozenset[Actor]
    payload: type[Payload] = NoFields
    guards: tuple[Guard, ...] = field(default=())
    label: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        """The payload fields the action must carry."""
        return tuple(name for name, f in self.payload.model_fields.items() if f.is_required())

    def failed_guard(self, facts: Facts, actor: Actor) -> Guard | None:
        return next((g for g in self.guards if not g.holds(facts, actor)), None)


def _t(action, sources, target, actors, payload=NoFields, guards=(), label=""):
    return Transition(action, frozenset(sources), target, frozenset(actors), payload, tuple(guards), label)


S, A = State, Actor
REVIEW_ACTORS = [A.REVIEWER, A.APPROVER]
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", [S.DRAFT], S.SUBMITTED, [A.APPLICANT, A.WINDOW_CLERK], label=gettext_noop("提交申请")),
        # 一次性告知: every item to correct at once; the clock waits for the applicant.
        _t(
            "request_correction",
            [S.SUBMITTED],
            S.CORRECTION_REQUESTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            RequestCorrection,
            [IN_ACCEPTANCE_PERIOD],
            gettext_noop("一次性告知补正"),
        ),
        _t(
            "resubmit",
            [S.CORRECTION_REQUESTED],
            S.SUBMITTED,
            [A.APPLICANT, A.WINDOW_CLERK],
            label=gettext_noop("提交补正材料"),
        ),
        _t(
            "accept",
            [S.SUBMITTED],
            S.ACCEPTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            guards=[MATERIALS_COMPLETE],
            label=gettext_noop("受理"),
        ),
        # 容缺受理: accepted with a non-key material missing against a commitment date.
        _t(
            "accept_with_pending",
            [S.SUBMITTED],
            S.ACCEPTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            AcceptWithPending,
            [TOLERANCE],
            gettext_noop("容缺受理"),
        ),
        _t("deem_accepted", [S.SUBMITTED], S.ACCEPTED, [A.SYSTEM], label=gettext_noop("逾期视为受理")),
        _t(
            "not_accept",
            [S.SUBMITTED, S.CORRECTION_REQUESTED],
            S.NOT_ACCEPTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            ReasonRemedy,
            [IN_ACCEPTANCE_PERIOD],
            gettext_noop("不予受理"),
        ),
        _t(
            "pass_step",
            REVIEW,
            S.UNDER_REVIEW,
            REVIEW_ACTORS,
            Opinion,
            [STEP_ROLE, NOT_LAST_STEP],
            gettext_noop("审查通过"),
        ),
        # A reviewer who finds the application should be refused says so with reasons; the
        # decision stays with the approver's step (art. 34: the decision is the body's).
        _t(
            "propose_refusal",
            REVIEW,
            S.UNDER_REVIEW,
            REVIEW_ACTORS,
            Reason,
            [STEP_ROLE, NOT_LAST_STEP],
            gettext_noop("提出不予许可意见"),
        ),
        _t(
            "return_step",
            [S.UNDER_REVIEW],
            S.UNDER_REVIEW,
            REVIEW_ACTORS,
            Reason,
            [STEP_ROLE, HAS_PREVIOUS_STEP],
            gettext_noop("退回上一环节"),
        ),
        _t(
            "suspend",
            REVIEW,
            S.SUSPENDED,
            REVIEW_ACTORS,
            Suspend,
            label=gettext_noop("特别程序"),
        ),
        _t("resume", [S.SUSPENDED], Keep.RESTORE, REVIEW_ACTORS, Resume, label=gettext_noop("特别程序结束")),
        _t("extend", REVIEW, Keep.SAME, [A.APPROVER], Extend, label=gettext_noop("延长期限")),
        # The decision is the last review step; with a single step it follows acceptance directly.
        _t(
            "approve",
            REVIEW,
            S.APPROVED,
            [A.APPROVER],
            Opinion,
            [STEP_ROLE, LAST_STEP, NO_PENDING],
            gettext_noop("准予许可"),
        ),
        # 即办件 and 告知承诺制: accepted and decided in one sitting.
        _t(
            "decide_on_the_spot",
            [S.SUBMITTED],
            S.APPROVED,
            [A.WINDOW_CLERK, A.APPROVER],
            Opinion,
            [INSTANT, MATERIALS_COMPLETE],
            gettext_noop("当场办结"),
        ),
        _t(
            "approve_on_commitment",
            [S.SUBMITTED],
            S.APPROVED,
            [A.WINDOW_CLERK, A.APPROVER],
            Commitment,
            [COMMITMENT],
            gettext_noop("告知承诺审批"),
        ),
        _t(
            "refuse",
            REVIEW,
            S.REFUSED,
            [A.APPROVER],
            ReasonRemedy,
            [STEP_ROLE, LAST_STEP],
            gettext_noop("不予许可"),
        ),
        _t(
            "complete",
            [S.APPROVED, S.REFUSED],
            S.COMPLETED,
            [A.REVIEWER, A.APPROVER, A.WINDOW_CLERK],
            Opinion,
            label=gettext_noop("办结"),
        ),
        _t(
            "deliver",
            [S.COMPLETED],
            S.DELIVERED,
            [A.WINDOW_CLERK, A.SYSTEM],
            Deliver,
            label=gettext_noop("送达"),
        ),
        _t(
            "withdraw",
            BEFORE_DECISION,
            S.WITHDRAWN,
            [A.APPLICANT],
            OptionalReason,
            label=gettext_noop("撤回申请"),
        ),
        _t("terminate", BEFORE_DECISION, S.TERMINATED, [A.APPROVER], Reason, label=gettext_noop("终止办理")),
    )
}


class IllegalTransition(Exception):
    def __init__(self, action: str, state: State, allowed: list[str]):
        self.action, self.state, self.allowed = action, state, allowed
        super().__init__(f"{action} is not allowed in {state}; allowed: {', '.join(allowed) or 'none'}")


def allowed_actions(state: State, actor: Actor | None = None) -> list[str]:
    """The actions possible in `state` (for `actor`, if given), in table order, guards aside."""
    return [
        t.action for t in TRANSITIONS.values() if state in t.sources and (actor is None or actor in t.actors)
    ]


def possible_actions(facts: Facts, actors: set[Actor]) -> list[str]:
    """The actions one of `actors` may take on a case with these facts: source, actor and every
    guard (what the pages and the API offer)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if facts.state in t.sources
        and any(a in t.actors and t.failed_guard(facts, a) is None for a in actors)
    ]


def step_states() -> frozenset[State]:
    """The states in which the current review step decides whose turn it is: those the actions
    guarded by STEP_ROLE leave from (ACCEPTED, UNDER_REVIEW)."""
    return frozenset(s for t in TRANSITIONS.values() if STEP_ROLE in t.guards for s in t.sources)


def step_turn(state: State, step: int, step_roles: tuple[str, ...]) -> str:
    """Whose turn it is while a case is in review (the role of its current step: `Case.step_role`,
    the queue's 待办), else ""."""
    if state not in step_states():
        return ""
    return Facts(state, step=step, step_roles=step_roles).step_role


def actionable_states(actor: Actor) -> frozenset[State]:
    """The states in which a case waits for `actor`, read from the table (guards aside): what the
    staff queue's 待办 holds (`cases.access.todo_filter`).

    - The states some action of `actor` leaves from, less the ways out open in every state before
      the decision (withdraw, terminate: an exit anyone entitled may take, not the next step).
    - The window goes first: where the window clerk acts too (受理, 办结, 送达) the case waits at
      the window (一窗受理, 统一出件), not for the department's reviewers and approvers (they may
      still act there from the case page, but it is not their work in hand).
    - In `step_states` only the current step's role has the turn: the caller checks the case's
      step (its role is not in the table but in the guide's review steps).
    """
    ways_out = {t.action for t in TRANSITIONS.values() if t.sources == BEFORE_DECISION}

    def sources(who: Actor) -> set[State]:
        return {
            s for t in TRANSITIONS.values() if who in t.actors and t.action not in ways_out for s in t.sources
        }

    states = sources(actor)
    if actor in (Actor.REVIEWER, Actor.APPROVER):
        states -= sources(Actor.WINDOW_CLERK) - step_states()
    return frozenset(states)


def next_state(state: State, action: str, *, resume_to: State | None = None) -> State:
    """Where `action` takes a case in `state`; raises IllegalTransition naming the allowed actions.

    `resume` returns to the state the case was suspended from (`resume_to`); `extend` keeps it.
    """
    transition = TRANSITIONS.get(action)
    if transition is None or state not in transition.sources:
        raise IllegalTransition(action, state, allowed_actions(state))
    if transition.target == Keep.RESTORE:
        if resume_to not in CLOCK_RUNNING:
            raise ValueError("resume needs the state the case was suspended from")
        return resume_to
    if transition.target == Keep.SAME:
        return state
    return State(transition.target)


def missing_fields(action: str, payload: dict) -> list[str]:
    """Required payload fields of `action` that are absent or blank."""

    def blank(value: object) -> bool:
        return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())

    return [f for f in TRANSITIONS[action].required if blank(payload.get(f))]


def action_payloads() -> dict[str, type[Payload]]:
    """Each action's payload model, for the API's discriminated union of action bodies."""
    return {a: t.payload for a, t in TRANSITIONS.items()}


def field_titles(action: str) -> dict[str, Any]:
    return {name: f.title for name, f in TRANSITIONS[action].payload.model_fields.items()}


# --- Correction notices (一次性告知) ---------------------------------------------------------------


def correction_item(item: Any) -> dict[str, Any]:
    """An item of a stored notice in today's shape (`kind`, `material`, `field`, `label`,
    `reasons`, `note`), whichever shape it was stored in: items stored before the preset reasons
    have neither `kind` nor `reasons`."""
    item = item if isinstance(item, dict) else {}
    material, name = item.get("material") or None, item.get("field") or None
    kind = item.get("kind")
    if kind not in CORRECTION_KINDS:
        kind = "material" if material else "field" if name else "other"
    reasons = [r for r in item.get("reasons") or [] if isinstance(r, str) and r in CORRECTION_REASONS]
    return {
        "kind": kind,
        "material": material,
        "field": name,
        "label": str(item.get("label") or ""),
        "reasons": reasons,
        "note": str(item.get("note") or ""),
    }


def reason_labels(item: Any) -> list[str]:
    """The item's reasons in the reader's language."""
    from django.utils.translation import gettext as _

    return [_(CORRECTION_REASONS[r]) for r in correction_item(item)["reasons"]]


def correction_item_text(item: Any) -> str:
    """One item in words, for notices and the trace: “申请书：扫描件不清晰、缺少签名或盖章；请重新扫描”."""
    from django.utils.translation import gettext as _

    it = correction_item(item)
    said = "；".join(p for p in ("、".join(reason_labels(it)), it["note"]) if p)
    return f"{it['label'] or _('其他')}：{said}"


# --- Remedies (art. 38) ---------------------------------------------------------------------------

REMEDY_STATUTORY = (
    "如对本决定不服，可以自收到本决定之日起六十日内依法向本机关的本级人民政府或者上一级主管部门申请"
    "行政复议，或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。"
)


def with_statutory_remedy(text: str) -> str:
    """A refusal or non-acceptance must tell the applicant of 行政复议 and 行政诉讼 (art. 38; 行政复议法
    art. 20: 60 days; 行政诉讼法 art. 46: six months). A text that names neither gets the statutory
    text added; one that names them is kept as the officer wrote it."""
    text = (text or "").strip()
    if "行政复议" in text or "行政诉讼" in text:
        return text
    return f"{text}\n{REMEDY_STATUTORY}" if text else REMEDY_STATUTORY


# --- Who may apply (服务对象) ------------------------------------------------------------------------

AUDIENCE_ENTERPRISE_ONLY = gettext_noop(
    "该事项仅限法人（单位）申请：请选择您代为办理的单位，或以单位账户登录后申请。"
)
AUDIENCE_PERSON_ONLY = gettext_noop("该事项仅限自然人本人申请，不能以单位名义申请。")


def audience_problem(audience: str, *, for_enterprise: bool) -> str | None:
    """Why this applicant may not apply for an entry with this 服务对象, or None: an entry for
    法人 only is not applied for by a natural person for themselves, one for 自然人 only not for an
    enterprise."""
    if audience == "enterprise" and not for_enterprise:
        return AUDIENCE_ENTERPRISE_ONLY
    if audience == "person" and for_enterprise:
        return AUDIENCE_PERSON_ONLY
    return None
