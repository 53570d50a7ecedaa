"""The handling procedure (行政许可法 arts. 29–45) as one declared transition table.

Pure data and functions: no database. Each `Transition` declares everything about one action:
the states it leaves from, the state it goes to, who may take it, the guards that must hold on the
case (`Facts`, read by the services), and the shape of its payload (a Pydantic model of
`payloads`, which the API documents as one member of a discriminated union and the workbench turns
into its form). The services look an action up here, check the actor, the guards and the payload,
and move the case to the target given here with a conditional UPDATE on its revision, so two staff
acting at once cannot both win. An action not allowed now is refused naming the actions that are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_noop

from yiwang.cases.payloads import (
    AcceptWithPending,
    Commitment,
    Deliver,
    Extend,
    NoFields,
    Opinion,
    OptionalReason,
    Payload,
    Reason,
    ReasonRemedy,
    RequestCorrection,
    Resume,
    Suspend,
)


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
