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

The comments, the 差评's stories and the loop's scenarios are `rating_stories`; the stages, the
staff and the planning of each rating are `rating_plans`; this module opens the stages' invitations
as the worker would and runs every rating and loop step at its own time (`load_ratings`).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import clock
from yiwang.cases.models import Case, CaseEvent
from yiwang.demo import cases as demo_cases
from yiwang.demo.rating_plans import Desk, Opening, Planned, Planner
from yiwang.demo.rating_stories import RECTIFICATION_VIEWS, SCENARIOS, Scenario, Story
from yiwang.demo.workdays import Line
from yiwang.notices.subscribers import applicant_account
from yiwang.ratings import rules, services
from yiwang.ratings.models import Appeal, FollowUp, Invitation, Policy, Rating
from yiwang.ratings.rules import LoopState, Stage

SEED = 3906
MARKET = "青山市市场监督管理局"
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


# --- The stages the cases reached ----------------------------------------------------------------


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
    line = Line(today)
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
