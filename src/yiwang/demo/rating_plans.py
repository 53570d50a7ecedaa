"""Planning the demo ratings: the stages the demo cases reached (`Opening`), the handling staff who
act on the loop (`Desk`), and whether, how and when each stage was rated (`Planner`): most of them
well, online, at the counter's device or entered by staff, and the 差评 of the scenarios on the
stages that fit their stories and dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from yiwang.accounts.models import Staff, StaffRole, User
from yiwang.cases.models import Case
from yiwang.demo.rating_stories import (
    BASIC_COMMENTS,
    FAIR_COMMENTS,
    GOOD_COMMENTS,
    PHONE_COMMENTS,
    SMS_COMMENTS,
    STORIES,
    Scenario,
    Story,
)
from yiwang.demo.workdays import Line
from yiwang.ratings import access, rules, services
from yiwang.ratings.rules import Channel, RatingIn, Stage

MAX_DELAY = 4  # working days from a stage opening to a 差评 of it


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
    def __init__(self, rng: random.Random, line: Line, midnight: dt.datetime):
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
