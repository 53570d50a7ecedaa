"""好差评 (GB/T 39734-2020, 国办发〔2019〕51号) as pure rules: no database.

- Five levels, 非常满意 5 … 非常不满意 1; 不满意 and 非常不满意 are 差评.
- Indicators by channel (online: overall, efficiency, guide accuracy, convenience, ease of the
  platform; at the window: overall, efficiency, competence, attitude), tag choices per level.
- When a case may be rated (一事一评 online, 一次一评 at the window): a 承诺件 at acceptance and at
  completion, a 即办件 once; a stage opens only when the case has reached it, and is rated once.
- The bad-rating loop (差评整改) as one declared table of steps: verify (contact the applicant and
  check the facts), rectify or explain, answer the applicant, return visit (回访); each step's
  deadline in working days from the rating, configurable (`Policy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Annotated, Literal

from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Level(IntEnum):
    VERY_DISSATISFIED = 1
    DISSATISFIED = 2
    BASIC = 3
    SATISFIED = 4
    VERY_SATISFIED = 5


LEVEL_LABELS: dict[int, str] = {
    5: gettext_noop("非常满意"),
    4: gettext_noop("满意"),
    3: gettext_noop("基本满意"),
    2: gettext_noop("不满意"),
    1: gettext_noop("非常不满意"),
}


def is_bad(level: int) -> bool:
    """差评: 不满意 or 非常不满意."""
    return level <= Level.DISSATISFIED


class Stage(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理环节 (a 承诺件)
    COMPLETION = "completion"  # 办结环节 (a 承诺件), or the one rating of a 即办件


STAGE_LABELS: dict[str, str] = {
    Stage.ACCEPTANCE: gettext_noop("受理环节"),
    Stage.COMPLETION: gettext_noop("办结环节"),
}
INSTANT_STAGE_LABEL = gettext_noop("办件评价")


class Channel(StrEnum):
    """Where the rating came from (GB/T 39734: 网上, 移动端, 窗口评价器, 电话, 短信)."""

    ONLINE = "online"  # the portal or the API, by the applicant
    WINDOW = "window"  # the rating device at the counter, by the applicant
    PHONE = "phone"  # entered by staff from a call (12345 or a return visit)
    SMS = "sms"  # entered by staff from the applicant's SMS reply


CHANNEL_LABELS: dict[str, str] = {
    Channel.ONLINE: gettext_noop("网上评价"),
    Channel.WINDOW: gettext_noop("窗口评价器"),
    Channel.PHONE: gettext_noop("电话评价（工作人员代录）"),
    Channel.SMS: gettext_noop("短信评价（工作人员代录）"),
}
STAFF_ENTERED = frozenset({Channel.PHONE, Channel.SMS})

INDICATORS: dict[str, dict[str, str]] = {
    Channel.ONLINE: {
        "overall": gettext_noop("总体评价"),
        "efficiency": gettext_noop("办事效率"),
        "guide": gettext_noop("办事指南准确"),
        "convenience": gettext_noop("办事便利"),
        "platform": gettext_noop("平台好用"),
    },
    Channel.WINDOW: {
        "overall": gettext_noop("总体评价"),
        "efficiency": gettext_noop("办事效率"),
        "competence": gettext_noop("业务水平"),
        "attitude": gettext_noop("服务态度"),
    },
}
# Staff entering a rating heard on the phone or read in an SMS record what was said: the overall level.
INDICATORS[Channel.PHONE] = {"overall": INDICATORS[Channel.ONLINE]["overall"]}
INDICATORS[Channel.SMS] = INDICATORS[Channel.PHONE]

GOOD_TAGS = (
    gettext_noop("一次办成"),
    gettext_noop("材料简单"),
    gettext_noop("办理快"),
    gettext_noop("指南清楚"),
    gettext_noop("服务热情"),
    gettext_noop("不用跑腿"),
)
BAD_TAGS = (
    gettext_noop("多次跑腿"),
    gettext_noop("材料重复提交"),
    gettext_noop("办理慢"),
    gettext_noop("指南不清楚"),
    gettext_noop("态度不好"),
    gettext_noop("系统难用"),
    gettext_noop("超时未办结"),
)
TAGS: dict[int, tuple[str, ...]] = {
    5: GOOD_TAGS,
    4: GOOD_TAGS,
    3: (gettext_noop("基本顺利"), gettext_noop("等待较久"), gettext_noop("指南有待完善")),
    2: BAD_TAGS,
    1: BAD_TAGS,
}

# The form's tag groups: which levels each fits (the page shows the chosen level's group).
TAG_GROUPS = (
    ("4 5", gettext_noop("满意的地方"), GOOD_TAGS),
    ("3", gettext_noop("可以更好的地方"), TAGS[3]),
    ("1 2", gettext_noop("不满意的地方"), BAD_TAGS),
)


# --- When a case may be rated --------------------------------------------------------------------

COMPLETION_REACHED = frozenset({"approved", "refused", "completed", "delivered"})


def open_stages(*, instant: bool, state: str, accepted: bool) -> tuple[Stage, ...]:
    """The stages the applicant may rate now (already rated or not).

    A 承诺件 opens acceptance once accepted (or refused acceptance: that too was the service
    given) and completion once decided; a 即办件 has one rating, once decided on the spot or
    refused. A case withdrawn or terminated before acceptance was never served and is not rated."""
    if instant:
        return (Stage.COMPLETION,) if state in COMPLETION_REACHED or state == "not_accepted" else ()
    stages: list[Stage] = []
    if accepted or state == "not_accepted":
        stages.append(Stage.ACCEPTANCE)
    if state in COMPLETION_REACHED:
        stages.append(Stage.COMPLETION)
    return tuple(stages)


def stage_label(stage: str, *, instant: bool) -> str:
    return INSTANT_STAGE_LABEL if instant else STAGE_LABELS.get(stage, stage)


# --- What a rating holds ------------------------------------------------------------------------

Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class RatingIn(BaseModel):
    """A rating as given: the level, the channel's indicators (each 1–5), tags of that level, a note.
    Unknown keys are refused; the indicators and tags are checked against the channel (`problems`)."""

    model_config = ConfigDict(extra="forbid")
    stage: Stage | None = Field(None, description="评价环节；省略时为当前可评价的环节")
    level: int = Field(..., ge=1, le=5, description="5 非常满意 4 满意 3 基本满意 2 不满意 1 非常不满意")
    indicators: dict[str, int] = Field(default_factory=dict, description="分项评价（1–5），按渠道的指标")
    tags: list[Annotated[str, StringConstraints(max_length=20)]] = Field(default_factory=list, max_length=10)
    comment: Comment = Field("", description="评价内容（差评时请写明问题，便于整改）")


def problems(rating: RatingIn, channel: str) -> dict[str, str]:
    """Field → message for indicators or tags the channel or level does not offer (untranslated)."""
    found: dict[str, str] = {}
    allowed = INDICATORS[channel]
    for key, value in rating.indicators.items():
        if key not in allowed:
            found["indicators"] = gettext_noop("没有这一分项评价。")
        elif not 1 <= value <= 5:
            found["indicators"] = gettext_noop("分项评价应为 1 到 5。")
    if rating.indicators.get("overall", rating.level) != rating.level:
        found["indicators"] = gettext_noop("总体评价应与评价等级一致。")
    if any(tag not in TAGS[rating.level] for tag in rating.tags):
        found["tags"] = gettext_noop("标签不属于所选的评价等级。")
    if len(set(rating.tags)) != len(rating.tags):
        found["tags"] = gettext_noop("标签重复。")
    return found


# --- The bad-rating loop (差评整改) -----------------------------------------------------------------


class LoopState(StrEnum):
    VERIFY = "verify"  # 待核实（联系申请人，核实情况）
    RECTIFY = "rectify"  # 待整改或说明
    ANSWER = "answer"  # 待答复申请人
    RETURN_VISIT = "return_visit"  # 待回访
    CLOSED = "closed"  # 已办结
    RULED = "ruled"  # 申诉成立（恶意或误评），不再整改


LOOP_STATE_LABELS: dict[str, str] = {
    LoopState.VERIFY: gettext_noop("待核实"),
    LoopState.RECTIFY: gettext_noop("待整改"),
    LoopState.ANSWER: gettext_noop("待答复"),
    LoopState.RETURN_VISIT: gettext_noop("待回访"),
    LoopState.CLOSED: gettext_noop("已办结"),
    LoopState.RULED: gettext_noop("申诉成立，不再整改"),
}
# A tuple, not a set: its order is written into the partial indexes' conditions (migrations).
LOOP_OPEN = (LoopState.VERIFY, LoopState.RECTIFY, LoopState.ANSWER, LoopState.RETURN_VISIT)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class StepPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Verify(StepPayload):
    step: Literal["verify"] = "verify"
    method: Literal["phone", "sms", "visit", "online"] = Field(
        ..., description="联系方式：电话、短信、上门、网上"
    )
    finding: Literal["founded", "partly", "unfounded"] = Field(
        ..., description="核实结果：属实、部分属实、不属实"
    )
    note: Text = Field(..., description="核实情况")


class Rectify(StepPayload):
    step: Literal["rectify"] = "rectify"
    kind: Literal["rectified", "explained"] = Field(..., description="已整改，或作出说明（不属实时）")
    note: Text = Field(..., description="整改措施或情况说明")


class Answer(StepPayload):
    step: Literal["answer"] = "answer"
    note: Text = Field(..., description="给申请人的答复（申请人可见）")


class ReturnVisit(StepPayload):
    step: Literal["return_visit"] = "return_visit"
    method: Literal["phone", "sms", "visit", "online"] = Field(..., description="回访方式")
    note: Text = Field(..., description="回访情况（申请人的意见）")


StepIn = Annotated[Verify | Rectify | Answer | ReturnVisit, Field(discriminator="step")]

METHOD_LABELS = {
    "phone": gettext_noop("电话"),
    "sms": gettext_noop("短信"),
    "visit": gettext_noop("上门"),
    "online": gettext_noop("网上"),
}
FINDING_LABELS = {
    "founded": gettext_noop("属实"),
    "partly": gettext_noop("部分属实"),
    "unfounded": gettext_noop("不属实"),
}
RECTIFY_LABELS = {"rectified": gettext_noop("已整改"), "explained": gettext_noop("情况说明")}


@dataclass(frozen=True)
class Step:
    name: str
    source: LoopState
    target: LoopState
    payload: type[StepPayload]
    due: str  # which deadline the step answers: "contact" or "answer" or "visit"
    label: str


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("verify", LoopState.VERIFY, LoopState.RECTIFY, Verify, "contact", gettext_noop("核实")),
        Step("rectify", LoopState.RECTIFY, LoopState.ANSWER, Rectify, "answer", gettext_noop("整改或说明")),
        Step(
            "answer", LoopState.ANSWER, LoopState.RETURN_VISIT, Answer, "answer", gettext_noop("答复申请人")
        ),
        Step(
            "return_visit",
            LoopState.RETURN_VISIT,
            LoopState.CLOSED,
            ReturnVisit,
            "visit",
            gettext_noop("回访"),
        ),
    )
}
STEP_FOR_STATE: dict[str, Step] = {s.source: s for s in STEPS.values()}


@dataclass(frozen=True)
class LoopPolicy:
    """Working days from the day of the 差评: contact and verify (回访核实), rectify and answer, and the
    return visit after the answer. Local rules differ (5 to 15 working days in all)."""

    contact_workdays: int = 1
    answer_workdays: int = 5
    visit_workdays: int = 1  # after the answer deadline


@dataclass(frozen=True)
class LoopDeadlines:
    contact: dt.date
    answer: dt.date
    visit: dt.date

    def for_step(self, step: Step) -> dt.date:
        return getattr(self, step.due)


def loop_deadlines(
    rated_on: dt.date, policy: LoopPolicy, add: Callable[[dt.date, int], dt.date]
) -> LoopDeadlines:
    """The loop's deadlines, counted in working days by `add` (the platform's calendar)."""
    answer = add(rated_on, policy.answer_workdays)
    return LoopDeadlines(
        contact=add(rated_on, policy.contact_workdays),
        answer=answer,
        visit=add(answer, policy.visit_workdays),
    )


class FollowUpRating(StrEnum):
    """The applicant's one rating of the rectification."""

    SATISFIED = "satisfied"
    BASIC = "basic"
    DISSATISFIED = "dissatisfied"


FOLLOW_UP_LABELS = {
    FollowUpRating.SATISFIED: gettext_noop("满意"),
    FollowUpRating.BASIC: gettext_noop("基本满意"),
    FollowUpRating.DISSATISFIED: gettext_noop("不满意"),
}
# The applicant may rate the rectification once the department has answered.
FOLLOW_UP_OPEN = frozenset({LoopState.RETURN_VISIT, LoopState.CLOSED})


class AppealKind(StrEnum):
    MALICIOUS = "malicious"  # 恶意差评
    MISTAKEN = "mistaken"  # 误评（评错对象或等级）


APPEAL_KIND_LABELS = {
    AppealKind.MALICIOUS: gettext_noop("恶意差评"),
    AppealKind.MISTAKEN: gettext_noop("误评"),
}


def colour(due: dt.date | None, today: dt.date, next_workday: Callable[[dt.date], dt.date]) -> str:
    """A loop step's light, as for case deadlines: red once overdue, yellow from the last working
    day before the deadline (the deadline is the next working day, or today), green before."""
    if due is None:
        return ""
    if today > due:
        return "red"
    if next_workday(today) >= due:
        return "yellow"
    return "green"
