"""Demo ratings (好差评): the stages the demo cases reached, rated by most of their applicants over
the weeks the cases ran, and the bad-rating loop (差评整改) standing at each of its steps.

Built only through `ratings.services` (open_invitations, rate, take_step, rate_rectification,
appeal, rule, mark_invited) inside `clock.frozen(...)` blocks, as the demo cases are:

- every stage a numbered case reached is recorded when the case reached it (the acceptance or
  decision event in its trace), as the worker does from the outbox;
- about two thirds of the stages are rated a little after they opened: online by the applicant
  (minutes to a couple of days later), at the counter's rating device right after a window served
  the applicant, and a few entered by staff from a return call or an SMS reply; nearly all
  非常满意 or 满意, with the channel's indicators and the level's tags, some with a comment;
- about a dozen 差评, each taken through the loop by the staff of the department it concerns: one fresh
  (to verify), one to rectify, one to answer, one awaiting the return visit, several closed (with
  the applicant's rating of the rectification, of each kind, or without), one overdue, one with a
  step done late, and appeals pending, upheld (恶意差评, ruled by demo-supervisor) and rejected.
  Two are 张三's own: one whose answer awaits his rating of the rectification, one the market
  regulator (demo-reviewer, demo-approver) has still to act on.

No invitation message is sent: a stage left unrated past the invitation delay is only marked
invited at the time the worker would have sent it, so the worker does not invite the whole demo at
once when it starts. The outbox messages the services write are left to the worker. Nothing is
dated today or later. Choices are seeded. Loading again creates nothing: any rating means the
ratings are loaded.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from yiwang.accounts.models import Staff, StaffRole, User
from yiwang.cases import clock
from yiwang.cases.models import Case, CaseEvent
from yiwang.demo import cases as demo_cases
from yiwang.notices.subscribers import applicant_account
from yiwang.ratings import access, rules, services
from yiwang.ratings.models import Appeal, FollowUp, Invitation, Policy, Rating
from yiwang.ratings.rules import Channel, LoopState, RatingIn, Stage

SEED = 3906
MARKET = "青山市市场监督管理局"
MAX_DELAY = 4  # working days from a stage opening to a 差评 of it
# States from which the case had been accepted (a suspension or a refusal comes after acceptance).
ACCEPTED_STATES = frozenset(
    {"accepted", "under_review", "suspended", "approved", "refused", "completed", "delivered"}
)


@dataclass
class RatingSummary:
    invitations: int = 0
    created: int = 0
    bad: int = 0
    channels: Counter = field(default_factory=Counter)
    loops: Counter = field(default_factory=Counter)
    seconds: float = 0.0


# --- What applicants say --------------------------------------------------------------------------

GOOD_COMMENTS = {
    Channel.ONLINE: [
        "网上就办完了，一次都没跑，点赞！",
        "材料清单写得很清楚，一次就通过了。",
        "比承诺的时间快了好几天，很满意。",
        "进度随时能查，每一步都有短信通知，很贴心。",
        "第一次在网上办，比想象中简单多了。",
        "电子证照直接调用，不用再上传复印件，方便。",
        "晚上在家就提交了，第二天就受理了。",
        "审核人员打电话提醒我补充材料，很负责。",
        "结果寄到家里，省得再跑一趟。",
    ],
    Channel.WINDOW: [
        "窗口工作人员很耐心，帮我把表格逐项核对了一遍。",
        "当场就办好了，效率很高。",
        "排队时间不长，工作人员态度很好。",
        "老人办事有人帮着填表，很周到。",
        "一个窗口就办完了，不用来回跑。",
        "工作人员讲得很清楚，一次就办成了。",
    ],
}
FAIR_COMMENTS = {
    Channel.ONLINE: [
        "整体不错，就是等待时间稍长。",
        "办得挺顺利，希望材料还能再精简一些。",
        "服务挺好，网站上传材料有时候有点慢。",
    ],
    Channel.WINDOW: [
        "办得挺顺利，就是排队时间有点长。",
        "服务不错，希望能多开几个窗口。",
    ],
}
BASIC_COMMENTS = [
    "基本顺利，中间补正了一次，指南可以写得更清楚些。",
    "等的时间比较长，不过最后办成了。",
    "能办成，但有些材料要求说得不太明白。",
]
PHONE_COMMENTS = [
    "回访时申请人表示办理顺利，对服务满意。",
    "申请人电话中表示结果已收到，办理很快。",
    "申请人表示工作人员解释清楚，满意。",
]
SMS_COMMENTS = ["短信回复：满意，谢谢。", "短信回复：很好，办得快。", "短信回复：满意。"]


@dataclass(frozen=True)
class Story:
    """One 差评 and what the department found and did about it."""

    level: int
    tags: tuple[str, ...]
    comment: str
    finding: str = "founded"  # founded / partly / unfounded
    verification: str = ""
    kind: str = "rectified"  # rectified / explained
    rectification: str = ""
    answer: str = ""
    visit: str = ""
    appeal: str = ""
    ruling: str = ""


STORIES: dict[str, Story] = {
    "slow_acceptance": Story(
        2,
        ("办理慢",),
        "网上提交后等了好几天才受理，打电话问了两次都说在排队，也没人告诉我大概要多久。",
        finding="partly",
        verification="经电话联系申请人并调阅办件记录，该件在法定期限内受理，但受理前未告知申请人"
        "排队情况和预计受理时间，申请人反映的情况部分属实。",
        rectification="已要求窗口对网上申请当日完成初审，不能当日受理的通过短信告知预计受理时间。",
        answer="您好，您的申请已受理，正在审查中。您反映的受理前不知道进度的问题，我们已改为当日"
        "初审并短信告知预计受理时间。感谢您的监督。",
        visit="电话回访，申请人表示已收到受理通知，对答复表示认可。",
    ),
    "slow": Story(
        2,
        ("办理慢", "超时未办结"),
        "提交材料后一直显示审查中，打电话问也说不清什么时候能办完，等了很久。",
        verification="经电话联系申请人并调阅办件记录，该件在审查环节停留时间较长，期间未主动告知"
        "申请人办理进度，情况属实。",
        rectification="已在科室内通报该件办理情况，要求承办人员每日跟踪在办件进度；需要较长时间的，"
        "主动以短信告知申请人办理进度和预计办结时间。",
        answer="您好，您反映的办理进度不透明问题经核实属实。我们已要求承办人员主动告知办理进度，"
        "对给您带来的不便深表歉意，感谢您的监督。",
        visit="电话回访，申请人表示已收到办理结果，对整改措施表示认可。",
    ),
    "duplicate": Story(
        1,
        ("材料重复提交", "多次跑腿"),
        "系统里能查到的身份证明，补正时又让我上传复印件，还专门跑了一趟窗口交原件。",
        finding="partly",
        verification="经电话联系申请人并调阅办件记录，补正通知要求提交可通过系统核验的身份证明材料"
        "属实；到窗口递交原件系申请人自行前往，补正可在网上完成。部分属实。",
        rectification="已在该事项材料清单中将身份证明改为系统核验，不再要求上传复印件；组织窗口和"
        "审查人员学习“三个凡是”要求，能通过共享或电子证照获取的材料一律不再要求申请人提交。",
        answer="您好，经核实，补正时要求您重复提交可通过系统核验的身份证明材料，确属我们工作不到位。"
        "该事项已改为系统核验身份信息，不再需要上传复印件，补正材料也可以直接在网上提交，无需到"
        "窗口。对给您带来的不便深表歉意。",
        visit="电话回访，申请人表示已看到答复，希望其他事项也能这样办。",
    ),
    "guide": Story(
        2,
        ("指南不清楚", "多次跑腿"),
        "办事指南上写的材料和实际要求的不一样，按指南准备的材料被退回补正。",
        verification="经核对办事指南，“经营场所证明”一项表述不够具体，未写明租赁场所须同时提交"
        "产权证明，情况属实。",
        rectification="已修订该事项办事指南，写明租赁场所须提交租赁合同和产权证明复印件，并补充"
        "填写示例；修订后的指南已发布。",
        answer="您好，您反映的办事指南表述不清问题属实。我们已修订指南、补充示例，给您带来不便深表歉意。",
        visit="电话回访，申请人表示新指南清楚多了。",
    ),
    "system": Story(
        2,
        ("系统难用",),
        "网上提交时上传材料总是失败，换了浏览器才传上去，折腾了一晚上。",
        finding="partly",
        verification="经联系申请人并会同平台运维人员核查，当晚确有较大扫描件上传超时的情况，"
        "其他时段正常，部分属实。",
        rectification="已会同平台运维单位调整上传超时设置，并在上传页面增加文件大小提示和压缩说明。",
        answer="您好，您反映的材料上传失败问题已查明，系较大文件上传超时所致，现已修复并增加提示。"
        "感谢您的反馈。",
        visit="短信回访，申请人回复：后来再上传就正常了。",
    ),
    "explained": Story(
        2,
        ("办理慢",),
        "从交材料到拿到结果时间太长了，中间也没人解释为什么。",
        finding="unfounded",
        verification="经调阅办件记录，该件自受理至办结均在承诺时限内，未发现超期；申请人所说的"
        "等待时间包含受理前的材料审核时间。不属实。",
        kind="explained",
        rectification="该件办理符合规定，已向申请人说明办理时限的计算方式；同时在办事指南中补充"
        "说明各环节的办理时间。",
        answer="您好，经核实，您的申请自受理至办结在承诺时限内完成，受理前的材料审核时间不计入"
        "办理时限。我们已在办事指南中补充说明各环节的时间，感谢您的理解。",
        visit="电话回访，申请人对说明不完全认可，认为整体时间仍然偏长。",
    ),
    "attitude": Story(
        2,
        ("态度不好",),
        "窗口工作人员不耐烦，问了两遍就让我“自己看指南”，态度生硬。",
        verification="调取窗口服务视频并电话联系申请人核实，该窗口工作人员解答咨询时语气生硬、"
        "未耐心解释，情况属实。",
        rectification="已对当事窗口工作人员批评教育并在中心内部通报，扣减当月服务考核分；组织窗口"
        "人员开展服务规范和首问负责制培训。",
        answer="您好，您反映的窗口服务态度问题经核实属实。我们已对当事工作人员批评教育并组织全体"
        "窗口人员培训，再次向您致歉，欢迎继续监督。",
        visit="电话回访，申请人表示接受道歉，希望窗口服务态度保持下去。",
        appeal="经查叫号记录，该申请人当日在综合窗口办理了两个事项，评价器弹出时其办理的是其他"
        "部门的业务，评价对象有误，申请认定为误评。",
        ruling="经调取叫号记录和窗口视频，申请人评价时正在本窗口办理该事项，评价对象无误，"
        "申诉不成立，请按规定完成整改和答复。",
    ),
    "malicious": Story(
        1,
        ("办理慢", "态度不好"),
        "不给办还让我等这么久，什么服务！差评！",
        finding="unfounded",
        verification="经调阅办件记录并调取录音录像，工作人员已一次性告知不予办理的理由和救济途径，"
        "办理在法定期限内完成，服务过程规范。申请人在电话中表示“不给办就给差评”。不属实。",
        appeal="申请人不符合法定条件，我局依法作出决定并书面告知理由和救济途径，办理未超期限，"
        "服务过程有录音录像为证；申请人明确表示因未获办理而给予差评，与服务质量无关，属恶意差评。",
        ruling="经调阅办件记录和录音录像，办理过程规范、未超期限，申请人给予差评的理由与服务质量"
        "无关，认定为恶意差评，不计入满意度统计，整改结束。",
    ),
    "pending_appeal": Story(
        1,
        ("多次跑腿",),
        "办个证这么麻烦，太折腾人了。",
        finding="unfounded",
        verification="经电话联系申请人并调阅办件记录，该件材料一次提交齐全、当日受理，办理用时远低于"
        "承诺时限；申请人电话中未能说明具体问题。不属实。",
        appeal="该件材料一次提交齐全、当日受理，未要求申请人补正或到现场，办理用时远低于承诺时限；"
        "评价内容与实际办理情况不符，申请人亦未能说明具体问题，申请认定为恶意差评。",
    ),
}


# --- The loop's scenarios -----------------------------------------------------------------------

RECTIFICATION_VIEWS = {
    "satisfied": rules.FollowUpRating.SATISFIED,
    "basic": rules.FollowUpRating.BASIC,
    "dissatisfied": rules.FollowUpRating.DISSATISFIED,
}


@dataclass(frozen=True)
class Scenario:
    """A 差评 given `ages` working days before today and the loop's actions after it, each
    (action, working days after the rating); an action marked optional (ending in "?") happens
    only if its day is before today."""

    name: str
    story: str
    ages: tuple[int, int]
    actions: tuple[tuple[str, int], ...] = ()
    zhang: bool = False  # on 张三's own case
    market: bool = False  # rather the market regulator's (its demo staff have the follow-up)
    refused: bool = False  # rather a stage opened by a refusal (不予受理, 不予许可)
    window: bool = False  # at the counter's device; else online by the applicant
    covers: str = ""  # skipped when an earlier scenario left a loop in this state
    recent: bool = False  # the most recent fitting stage rather than one at random


SCENARIOS = (
    # 张三's: the department answered, his rating of the rectification awaited.
    Scenario(
        "zhang_answered",
        "duplicate",
        (5, 15),
        (("verify", 1), ("rectify", 2), ("answer", 4), ("return_visit?", 6)),
        zhang=True,
        recent=True,
    ),
    # 张三's: the market regulator has it to verify (or, a day later, to rectify).
    Scenario(
        "zhang_open", "slow_acceptance", (1, 3), (("verify?", 1),), zhang=True, market=True, recent=True
    ),
    Scenario("verify", "slow", (1, 1), market=True, covers=LoopState.VERIFY),
    Scenario("rectify", "guide", (2, 4), (("verify", 1),), market=True, covers=LoopState.RECTIFY),
    Scenario("answer", "system", (3, 4), (("verify", 1), ("rectify", 2)), covers=LoopState.ANSWER),
    Scenario(
        "return_visit",
        "slow",
        (5, 6),
        (("verify", 1), ("rectify", 2), ("answer", 4)),
        covers=LoopState.RETURN_VISIT,
    ),
    # Verified, never rectified: the answer is overdue (red).
    Scenario("overdue", "slow", (8, 14), (("verify", 1),), market=True),
    Scenario(
        "appeal_pending", "pending_appeal", (2, 5), (("verify", 1), ("appeal:malicious", 1)), market=True
    ),
    Scenario(
        "appeal_upheld",
        "malicious",
        (8, 25),
        (("verify", 1), ("appeal:malicious", 1), ("uphold", 3)),
        market=True,
        refused=True,
    ),
    Scenario(
        "appeal_rejected",
        "attitude",
        (10, 28),
        (
            ("verify", 1),
            ("appeal:mistaken", 1),
            ("reject", 3),
            ("rectify", 4),
            ("answer", 5),
            ("return_visit", 6),
        ),
        window=True,
    ),
    Scenario(
        "closed_satisfied",
        "duplicate",
        (8, 30),
        (("verify", 1), ("rectify", 2), ("answer", 4), ("view:satisfied", 4), ("return_visit", 5)),
    ),
    Scenario(
        "closed_basic",
        "guide",
        (8, 30),
        (("verify", 1), ("rectify", 3), ("answer", 5), ("return_visit", 6), ("view:basic", 6)),
        market=True,
    ),
    # The verification came a day late (flagged), the explanation did not convince the applicant.
    Scenario(
        "closed_late",
        "explained",
        (9, 30),
        (("verify_late", 2), ("rectify", 4), ("answer", 5), ("view:dissatisfied", 5), ("return_visit", 6)),
    ),
)


# --- The stages the cases reached ----------------------------------------------------------------


@dataclass
class Opening:
    """A stage a case reached, and what the loader knows of how its applicant could rate it."""

    case: Case
    stage: Stage
    at: dt.datetime
    day: int  # index on the line of the working day on or after `at`
    account: User | None  # the applicant's account
    counter: tuple[dt.datetime, int] | None  # when the applicant stood at a window after it, and its clerk
    staff: list[int]  # staff who acted on the case, latest first (for a phone or SMS entry)
    refusal: bool = False


def _events_by_case() -> dict[int, list[tuple]]:
    """Each numbered case's events in order: (at, action, to_state, actor id, actor role)."""
    found: dict[int, list[tuple]] = {}
    rows = (
        CaseEvent.objects.filter(case__number__isnull=False)
        .order_by("case_id", "seq")
        .values_list("case_id", "at", "action", "to_state", "actor_id", "actor_role")
    )
    for row in rows:
        found.setdefault(row[0], []).append(row[1:])
    return found


def _open_stages(case: Case, events: list[tuple], summary: RatingSummary) -> list[tuple[Stage, int]]:
    """Open the case's invitations as the worker would have after each event (with the case as it
    stood then); returns each stage with the index of the event that opened it."""
    instant = services.is_instant(case)
    accepted = False
    seen: set[str] = set()
    opened: list[tuple[Stage, int]] = []
    for i, (at, _action, to_state, _actor, _role) in enumerate(events):
        if not to_state:
            continue
        accepted = accepted or to_state in ACCEPTED_STATES
        then = rules.open_stages(
            instant=instant, state=to_state, accepted=accepted and case.accepted_on is not None
        )
        new = [s for s in then if s not in seen]
        if not new:
            continue
        snapshot = copy.copy(case)
        snapshot.state = to_state
        snapshot.accepted_on = case.accepted_on if accepted else None
        summary.invitations += services.open_invitations(snapshot, at)
        seen.update(new)
        opened += [(s, i) for s in new]
    # Whatever the current state opens that the trace did not (nothing, normally), from its last event.
    if events and set(services.open_stages(case)) - seen:
        summary.invitations += services.open_invitations(case, events[-1][0])
    return opened


class Desk:
    """The handling staff (window clerks, reviewers, approvers) of each department."""

    PREFER = {
        "verify": (StaffRole.REVIEWER, StaffRole.WINDOW_CLERK, StaffRole.APPROVER),
        "answer": (StaffRole.APPROVER, StaffRole.REVIEWER, StaffRole.WINDOW_CLERK),
    }

    def __init__(self) -> None:
        self.people: dict[int, list[tuple[User, set[str]]]] = {}
        staff = (
            Staff.objects.select_related("user").prefetch_related("role_grants").order_by("user__username")
        )
        for member in staff:
            roles = {g.role for g in member.role_grants.all()} & set(access.HANDLING_ROLES)
            if roles:
                self.people.setdefault(member.department_id, []).append((member.user, roles))
        self.users = {u.pk: u for mine in self.people.values() for u, _ in mine}

    def pick(self, department_id: int, action: str) -> User | None:
        """The demo accounts one signs in with first (demo-clerk rather than a generated officer),
        then by role: a reviewer verifies, rectifies and visits, an approver answers and appeals."""
        prefer = self.PREFER["answer" if action in ("answer", "appeal") else "verify"]
        mine = self.people.get(department_id, [])
        for signs_in in (True, False):
            for role in prefer:
                for user, roles in mine:
                    if role in roles and user.has_usable_password() == signs_in:
                        return user
        return None


# --- Planning -------------------------------------------------------------------------------------


@dataclass
class Planned:
    """One rating to give."""

    opening: Opening
    channel: Channel
    at: dt.datetime
    user: User
    rating: RatingIn
    scenario: Scenario | None = None
    story: Story | None = None


def _story(s: Scenario, o: Opening) -> Story:
    """The scenario's story, told of the stage rated (waiting to be accepted, or for the result)."""
    if s.story == "slow" and o.stage == Stage.ACCEPTANCE and not services.is_instant(o.case):
        return STORIES["slow_acceptance"]
    return STORIES[s.story]


class Planner:
    def __init__(self, rng: random.Random, line: demo_cases.Line, midnight: dt.datetime):
        self.rng, self.line, self.midnight = rng, line, midnight
        self.last = line.today - 1  # the last working day before today

    def when(self, day: int, low: int = 8 * 60 + 40, high: int = 17 * 60 + 30) -> dt.datetime:
        minute = self.rng.randint(low, high)
        return timezone.make_aware(
            dt.datetime.combine(self.line.days[day], dt.time(minute // 60, minute % 60))
        )

    def day_of(self, at: dt.datetime) -> int:
        return bisect.bisect_left(self.line.days, timezone.localdate(at))

    # Good ratings ---------------------------------------------------------------------------

    def level(self, channel: str) -> int:
        r = self.rng.random()
        very = 0.84 if channel == Channel.WINDOW else 0.78
        if r < very:
            return 5
        return 4 if r < 0.965 else 3

    def indicators(self, level: int, channel: str) -> dict[str, int]:
        if channel in rules.STAFF_ENTERED:
            return {"overall": level}
        values = {}
        for key in rules.INDICATORS[channel]:
            if key == "overall":
                values[key] = level
            elif level >= 4:
                values[key] = level if self.rng.random() < 0.85 else 9 - level
            else:
                values[key] = max(1, min(5, level + self.rng.choice((-1, 0, 0, 1))))
        return values

    def tags(self, level: int, channel: str) -> list[str]:
        if channel in rules.STAFF_ENTERED:
            return []
        offered = list(rules.TAGS[level])
        if level >= 4 and channel == Channel.WINDOW:
            offered.remove("不用跑腿")
        if level >= 4 and channel == Channel.ONLINE:
            offered.remove("服务热情")
        n = self.rng.choice((0, 1, 1, 2, 2, 3)) if level >= 4 else 1
        return self.rng.sample(offered, n)

    def comment(self, level: int, channel: str) -> str:
        rng = self.rng
        if channel == Channel.PHONE:
            return rng.choice(PHONE_COMMENTS) if rng.random() < 0.6 else ""
        if channel == Channel.SMS:
            return rng.choice(SMS_COMMENTS) if rng.random() < 0.5 else ""
        if level == 3:
            return rng.choice(BASIC_COMMENTS) if rng.random() < 0.8 else ""
        pool = GOOD_COMMENTS[channel] if level == 5 else FAIR_COMMENTS[channel]
        chance = (0.35 if channel == Channel.ONLINE else 0.2) if level == 5 else 0.6
        return rng.choice(pool) if rng.random() < chance else ""

    def good(self, o: Opening, desk: Desk) -> Planned | None:
        """Whether, how and when the applicant rated this stage (None: left unrated)."""
        rng = self.rng
        online = o.case.channel == "online" and o.account is not None
        channel: Channel | None = None
        at: dt.datetime | None = None
        user: User | None = None
        if o.counter and (not online or rng.random() < 0.08):
            # At the counter's device, right after the window served the applicant.
            if rng.random() < 0.78:
                channel, user = Channel.WINDOW, desk.users.get(o.counter[1])
                at = o.counter[0] + dt.timedelta(minutes=rng.randint(1, 5), seconds=rng.randint(0, 59))
        elif online or (o.account is not None and rng.random() < 0.3):
            r = rng.random()
            if r < 0.06:
                channel = Channel.SMS
            elif r < 0.1:
                channel = Channel.PHONE
            elif rng.random() < 0.62:
                channel, user = Channel.ONLINE, o.account
        elif rng.random() < 0.5:
            channel = Channel.PHONE if rng.random() < 0.6 else Channel.SMS
        if channel is None:
            return None
        if channel == Channel.ONLINE:
            r = rng.random()
            if r < 0.4:
                delay = dt.timedelta(minutes=rng.randint(5, 90))
            elif r < 0.75:
                delay = dt.timedelta(hours=rng.randint(2, 30), minutes=rng.randint(0, 59))
            elif r < 0.95:
                delay = dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
            else:
                delay = dt.timedelta(days=rng.randint(4, 6))
            at = o.at + delay
            if not 7 <= timezone.localtime(at).hour < 23:  # not in the small hours
                at += dt.timedelta(hours=9)
        elif channel == Channel.SMS:
            at = o.at + dt.timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
            if not 7 <= timezone.localtime(at).hour < 22:
                at += dt.timedelta(hours=10)
        elif channel == Channel.PHONE:
            day = o.day + rng.randint(1, 4)  # the return call, some working days later
            if day > self.last:
                return None
            at = self.when(day, 9 * 60, 17 * 60 + 20)
        assert at is not None
        if at >= self.midnight:
            return None  # not rated yet
        if channel in rules.STAFF_ENTERED:
            handling = (desk.users.get(pk) for pk in o.staff)
            user = next((u for u in handling if u and access.may_enter_for_applicant(u, o.case)), None)
        elif channel == Channel.WINDOW and user is not None and not access.may_show_device(user, o.case):
            user = None
        if user is None:
            return None
        level = self.level(channel)
        given = RatingIn(
            stage=o.stage,
            level=level,
            indicators=self.indicators(level, channel),
            tags=self.tags(level, channel),
            comment=self.comment(level, channel),
        )
        return Planned(o, channel, at, user, given)

    # 差评 ------------------------------------------------------------------------------------

    def fits(self, s: Scenario, o: Opening, zhang: User) -> int | None:
        """The working day of the 差评 if `o` can carry scenario `s`, else None."""
        case = o.case
        if s.window:
            if o.counter is None or case.channel != "window":
                return None
            day = self.day_of(o.counter[0])
            low = high = day
        else:
            if case.channel != "online" or o.account is None:
                return None
            if s.zhang != (o.account.pk == zhang.pk and case.applicant_enterprise_id is None):
                return None
            low, high = o.day, o.day + MAX_DELAY
        last_needed = max((d for a, d in s.actions if not a.endswith("?")), default=0)
        low = max(low, self.line.today - s.ages[1])
        high = min(high, self.line.today - s.ages[0], self.last - last_needed)
        if low > high:
            return None
        return high if s.recent else self.rng.randint(low, high)

    def bad(self, s: Scenario, o: Opening, day: int, desk: Desk) -> Planned:
        story = _story(s, o)
        channel = Channel.WINDOW if s.window else Channel.ONLINE
        if s.window:
            assert o.counter is not None
            at = o.counter[0] + dt.timedelta(minutes=self.rng.randint(1, 4), seconds=self.rng.randint(0, 59))
            user = desk.users[o.counter[1]]
        else:
            low = 8 * 60 + 30
            if day == o.day:
                local = timezone.localtime(o.at)
                low = max(low, local.hour * 60 + local.minute + 20)
            at = self.when(day, low, max(low, 21 * 60 + 30))
            assert o.account is not None
            user = o.account
        indicators = {
            k: (
                story.level
                if k in ("overall", "efficiency")
                else min(5, story.level + self.rng.randint(0, 2))
            )
            for k in rules.INDICATORS[channel]
        }
        given = RatingIn(
            stage=o.stage,
            level=story.level,
            indicators=indicators,
            tags=list(story.tags),
            comment=story.comment,
        )
        return Planned(o, channel, at, user, given, scenario=s, story=story)


def _openings(cases: list[Case], events: dict[int, list[tuple]], planner: Planner, summary) -> list[Opening]:
    found = []
    for case in cases:
        mine = events.get(case.pk, [])
        account = applicant_account(case)
        staff = [
            actor
            for _at, _a, _s, actor, role in reversed(mine)
            if actor and role not in ("applicant", "system")
        ]
        staff = list(dict.fromkeys(staff))
        for stage, index in _open_stages(case, mine, summary):
            at, action, _state, actor, role = mine[index]
            counter = None
            if role == "window_clerk" and case.channel == "window":
                counter = (at, actor)
            else:  # the applicant came to collect the result at a window
                later = [e for e in mine[index + 1 :] if e[1] == "deliver" and e[4] == "window_clerk"]
                if later:
                    counter = (later[0][0], later[0][3])
            found.append(
                Opening(
                    case,
                    stage,
                    at,
                    planner.day_of(at),
                    account,
                    counter,
                    staff,
                    refusal=action in ("refuse", "not_accept"),
                )
            )
    return found


# --- Running -------------------------------------------------------------------------------------


def ratings_loaded() -> bool:
    return Rating.objects.exists()


def load_ratings(*, seed: int = SEED) -> RatingSummary:
    """Rate the demo cases (nothing when any rating exists). Expects the demo cases loaded."""
    started = time.monotonic()
    summary = RatingSummary()
    if ratings_loaded() or not demo_cases.demo_cases_loaded():
        return summary
    rng = random.Random(seed)
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    line = demo_cases.Line(today)
    planner = Planner(rng, line, midnight)
    desk = Desk()
    zhang = User.objects.get(username="demo-citizen")
    supervisor = User.objects.get(username="demo-supervisor")
    cases = list(
        Case.objects.exclude(number=None)
        .select_related(
            "version",
            "entry",
            "department__division",
            "intake_department__division",
            "created_by",
            "applicant_person__user",
            "applicant_enterprise__user",
        )
        .order_by("pk")
    )
    openings = _openings(cases, _events_by_case(), planner, summary)

    # The 差评 first, each on a stage that fits its story and its dates; then the rest.
    planned: list[Planned] = []
    used: set[int] = set()
    covered: set[str] = set()
    for s in SCENARIOS:
        if s.covers and s.covers in covered:
            continue
        found = _place(s, openings, used, planner, zhang)
        if found is None:
            continue
        opening, day = found
        used.add(opening.case.pk)
        planned.append(planner.bad(s, opening, day, desk))
        covered.add(_end_state(s, day, planner.last))
    taken = {(p.opening.case.pk, p.opening.stage) for p in planned}
    for o in openings:
        if (o.case.pk, o.stage) not in taken and (p := planner.good(o, desk)) is not None:
            planned.append(p)

    # Everything in the order it happened, each at its own frozen time.
    actions: list[tuple[dt.datetime, int, Callable[[], None]]] = []
    invitations = {(i.case_id, i.stage): i for i in Invitation.objects.filter(case__number__isnull=False)}
    row = Policy.objects.first()
    invite_days = row.invite_after_days if row else Policy._meta.get_field("invite_after_days").default
    rated_at = {(p.opening.case.pk, p.opening.stage): p.at for p in planned}
    for o in openings:
        invitation = invitations.get((o.case.pk, o.stage))
        invited = o.at + dt.timedelta(days=invite_days, minutes=rng.randint(5, 55))
        rated = rated_at.get((o.case.pk, o.stage))
        if invitation is not None and invited < midnight and (rated is None or rated > invited):
            actions.append((invited, len(actions), _mark_invited(invitation, invited)))
    loops: dict[int, FollowUp] = {}
    for p in planned:
        actions.append((p.at, len(actions), _give(p, summary, loops)))
        if p.scenario is not None:
            actions += _loop_actions(p, planner, desk, supervisor, loops, len(actions))
    actions.sort(key=lambda a: (a[0], a[1]))
    for at, _n, run in actions:
        assert at < midnight, at
        with clock.frozen(at):
            run()
    for follow_up in FollowUp.objects.filter(pk__in=[f.pk for f in loops.values()]):
        summary.loops[follow_up.state] += 1
    summary.seconds = time.monotonic() - started
    return summary


def _place(s: Scenario, openings: list[Opening], used: set[int], planner: Planner, zhang: User):
    """The stage (and the day) for scenario `s`: with its preferences if any fits, else without."""
    market_options = (True, False) if s.market else (False,)
    refused_options = (True, False) if s.refused else (False,)
    for market in market_options:
        for refused in refused_options:
            fitting = []
            for o in openings:
                if o.case.pk in used:
                    continue
                if market and o.case.department.name != MARKET:
                    continue
                if refused and not o.refusal:
                    continue
                day = planner.fits(s, o, zhang)
                if day is not None:
                    fitting.append((o, day))
            if fitting:
                if s.recent:
                    return max(fitting, key=lambda f: (f[1], f[0].at))
                return planner.rng.choice(fitting)
    return None


def _end_state(s: Scenario, day: int, last: int) -> str:
    state = LoopState.VERIFY
    for action, offset in s.actions:
        if day + offset > last:
            break
        name = action.rstrip("?")
        if name.startswith("verify"):
            state = LoopState.RECTIFY
        elif name == "rectify":
            state = LoopState.ANSWER
        elif name == "answer":
            state = LoopState.RETURN_VISIT
        elif name == "return_visit":
            state = LoopState.CLOSED
        elif name == "uphold":
            state = LoopState.RULED
    return state


def _mark_invited(invitation: Invitation, at: dt.datetime) -> Callable[[], None]:
    def run() -> None:
        services.mark_invited(invitation, at)

    return run


def _give(p: Planned, summary: RatingSummary, loops: dict[int, FollowUp]) -> Callable[[], None]:
    def run() -> None:
        rating = services.rate(p.user, p.opening.case, p.rating, channel=p.channel)
        summary.created += 1
        summary.channels[p.channel] += 1
        if rating.bad:
            summary.bad += 1
            loops[p.opening.case.pk] = FollowUp.objects.get(rating=rating)

    return run


def _loop_actions(
    p: Planned, planner: Planner, desk: Desk, supervisor: User, loops: dict[int, FollowUp], n: int
) -> list[tuple[dt.datetime, int, Callable[[], None]]]:
    """The department's steps, the applicant's rating of the rectification, the appeal and its
    ruling, at plausible times after the 差评 (the same day's actions a while apart)."""
    s, story, key = p.scenario, p.story, p.opening.case.pk
    assert s is not None and story is not None
    rating_day = planner.day_of(p.at)
    department = services.responsible_department(p.opening.case, p.channel)
    out: list[tuple[dt.datetime, int, Callable[[], None]]] = []
    last = p.at
    for action, offset in s.actions:
        name = action.rstrip("?")
        day = rating_day + offset
        if day > planner.last:
            break
        if name.startswith("view:"):  # the applicant, in the evening
            at = planner.when(day, 19 * 60, 21 * 60 + 30)
        else:
            at = planner.when(day, 8 * 60 + 50, 16 * 60)
        if at <= last:
            at = last + dt.timedelta(minutes=planner.rng.randint(25, 90))
        last = at
        out.append(
            (at, n + len(out), _loop_step(name, story, key, p, department.pk, desk, supervisor, loops))
        )
    return out


def _loop_step(
    name: str,
    story: Story,
    key: int,
    p: Planned,
    department_id: int,
    desk: Desk,
    supervisor: User,
    loops: dict[int, FollowUp],
) -> Callable[[], None]:
    def run() -> None:
        follow_up = FollowUp.objects.select_related("rating__case").get(pk=loops[key].pk)
        staff = desk.pick(
            department_id, "answer" if name in ("answer",) or name.startswith("appeal") else "verify"
        )
        assert staff is not None, department_id
        if name.startswith("verify"):
            step: rules.StepPayload = rules.Verify(
                method="phone",
                finding=story.finding,
                note=story.verification,  # type: ignore[arg-type]
            )
        elif name == "rectify":
            step = rules.Rectify(kind=story.kind, note=story.rectification)  # type: ignore[arg-type]
        elif name == "answer":
            step = rules.Answer(note=story.answer)
        elif name == "return_visit":
            method = "sms" if story.visit.startswith("短信") else "phone"
            step = rules.ReturnVisit(method=method, note=story.visit)  # type: ignore[arg-type]
        elif name.startswith("view:"):
            services.rate_rectification(p.user, follow_up.rating, RECTIFICATION_VIEWS[name[5:]])
            return
        elif name.startswith("appeal:"):
            row = services.appeal(staff, follow_up.rating, rules.AppealKind(name[7:]), story.appeal)
            # `services.appeal` dates the appeal by the wall clock, not the case clock: as filed then.
            Appeal.objects.filter(pk=row.pk).update(filed_at=clock.now())
            return
        else:  # uphold / reject
            appeal_row = Appeal.objects.select_related("rating").get(rating=follow_up.rating)
            services.rule(supervisor, appeal_row, upheld=name == "uphold", reason=story.ruling)
            return
        loops[key] = services.take_step(staff, follow_up, step)

    return run
