"""The handling procedure (行政许可法 arts. 29–45) as one declared transition table.

Pure data and functions: no database. The case services (to come) look an action up here, check
the actor's role and the required fields, and move the case with a conditional UPDATE on its
state, so two staff acting at once cannot both win. An action not allowed in the current state is
refused naming the actions that are (`allowed_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_noop


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


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[State]
    target: State | None  # None: the state is kept (extension) or restored (resume)
    actors: frozenset[Actor]
    required: tuple[str, ...] = field(default=())  # payload fields the action must carry
    label: str = ""


def _t(action, sources, target, actors, required=(), label=""):
    return Transition(action, frozenset(sources), target, frozenset(actors), tuple(required), label)


S, A = State, Actor
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
            ["items"],
            gettext_noop("一次性告知补正"),
        ),
        _t(
            "resubmit",
            [S.CORRECTION_REQUESTED],
            S.SUBMITTED,
            [A.APPLICANT, A.WINDOW_CLERK],
            label=gettext_noop("提交补正材料"),
        ),
        _t("accept", [S.SUBMITTED], S.ACCEPTED, [A.WINDOW_CLERK, A.REVIEWER], label=gettext_noop("受理")),
        # 容缺受理: accepted with a non-key material missing against a commitment date.
        _t(
            "accept_with_pending",
            [S.SUBMITTED],
            S.ACCEPTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            ["pending_materials", "commitment_date"],
            gettext_noop("容缺受理"),
        ),
        _t("deem_accepted", [S.SUBMITTED], S.ACCEPTED, [A.SYSTEM], label=gettext_noop("逾期视为受理")),
        _t(
            "not_accept",
            [S.SUBMITTED, S.CORRECTION_REQUESTED],
            S.NOT_ACCEPTED,
            [A.WINDOW_CLERK, A.REVIEWER],
            ["reason", "remedy"],
            gettext_noop("不予受理"),
        ),
        _t(
            "pass_step",
            [S.ACCEPTED, S.UNDER_REVIEW],
            S.UNDER_REVIEW,
            [A.REVIEWER, A.APPROVER],
            label=gettext_noop("审查通过"),
        ),
        _t(
            "suspend",
            [S.ACCEPTED, S.UNDER_REVIEW],
            S.SUSPENDED,
            [A.REVIEWER, A.APPROVER],
            ["procedure", "reason"],
            gettext_noop("特别程序"),
        ),
        _t("resume", [S.SUSPENDED], None, [A.REVIEWER, A.APPROVER], label=gettext_noop("特别程序结束")),
        _t(
            "extend",
            [S.ACCEPTED, S.UNDER_REVIEW],
            None,
            [A.APPROVER],
            ["days", "reason"],
            gettext_noop("延长期限"),
        ),
        # The decision is the last review step; with a single step it follows acceptance directly.
        _t("approve", [S.ACCEPTED, S.UNDER_REVIEW], S.APPROVED, [A.APPROVER], label=gettext_noop("准予许可")),
        # 即办件 and 告知承诺制: accepted and decided in one sitting.
        _t(
            "decide_on_the_spot",
            [S.SUBMITTED],
            S.APPROVED,
            [A.WINDOW_CLERK, A.APPROVER],
            label=gettext_noop("当场办结"),
        ),
        _t(
            "approve_on_commitment",
            [S.SUBMITTED],
            S.APPROVED,
            [A.WINDOW_CLERK, A.APPROVER],
            ["commitment"],
            gettext_noop("告知承诺审批"),
        ),
        _t(
            "refuse",
            [S.ACCEPTED, S.UNDER_REVIEW],
            S.REFUSED,
            [A.APPROVER],
            ["reason", "remedy"],
            gettext_noop("不予许可"),
        ),
        _t(
            "complete",
            [S.APPROVED, S.REFUSED],
            S.COMPLETED,
            [A.REVIEWER, A.APPROVER, A.WINDOW_CLERK],
            label=gettext_noop("办结"),
        ),
        _t(
            "deliver",
            [S.COMPLETED],
            S.DELIVERED,
            [A.WINDOW_CLERK, A.SYSTEM],
            ["method"],
            gettext_noop("送达"),
        ),
        _t("withdraw", BEFORE_DECISION, S.WITHDRAWN, [A.APPLICANT], label=gettext_noop("撤回申请")),
        _t("terminate", BEFORE_DECISION, S.TERMINATED, [A.APPROVER], ["reason"], gettext_noop("终止办理")),
    )
}


class IllegalTransition(Exception):
    def __init__(self, action: str, state: State, allowed: list[str]):
        self.action, self.state, self.allowed = action, state, allowed
        super().__init__(f"{action} is not allowed in {state}; allowed: {', '.join(allowed) or 'none'}")


def allowed_actions(state: State, actor: Actor | None = None) -> list[str]:
    """The actions possible in `state` (for `actor`, if given), in table order."""
    return [
        t.action for t in TRANSITIONS.values() if state in t.sources and (actor is None or actor in t.actors)
    ]


def next_state(state: State, action: str, *, resume_to: State | None = None) -> State:
    """Where `action` takes a case in `state`; raises IllegalTransition naming the allowed actions.

    `resume` returns to the state the case was suspended from (`resume_to`); `extend` keeps it.
    """
    transition = TRANSITIONS.get(action)
    if transition is None or state not in transition.sources:
        raise IllegalTransition(action, state, allowed_actions(state))
    if transition.target is not None:
        return transition.target
    if action == "resume":
        if resume_to not in CLOCK_RUNNING:
            raise ValueError("resume needs the state the case was suspended from")
        return resume_to
    return state


def missing_fields(action: str, payload: dict) -> list[str]:
    """Required payload fields of `action` that are absent or blank."""

    def blank(value: object) -> bool:
        return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())

    return [f for f in TRANSITIONS[action].required if blank(payload.get(f))]
