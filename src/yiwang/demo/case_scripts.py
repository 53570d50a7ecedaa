"""The script of one demo case: its steps in working days after its submission — a correction
requested after a day or two, acceptance, the review steps, special procedures that stop the clock,
extensions, the decision, completion and delivery — and the script placed on the working days
before today (`schedule`) so that the case stands where its script ends.
"""

from __future__ import annotations

import random
import re
from typing import Any

from yiwang.cases import deadlines, services
from yiwang.cases.models import DeliveryMethod
from yiwang.demo.case_plans import EntryInfo, Plan, Step
from yiwang.demo.workdays import Line

EARLIEST = 30  # working days back: about six weeks
HISTORY = 255  # working days back: about a year

REMEDY = services.REMEDY_DEFAULT
OPINIONS_PASS = ["材料齐全，符合法定形式，同意提交决定。", "经审查符合条件，拟同意。", "审查通过。"]
OPINIONS_APPROVE = ["同意。", "符合条件，准予许可。", "经审查符合规定，予以批准。"]
WITHDRAW = ["填报信息有误，撤回后重新申请。", "已在其他地区办理。"]
WITHDRAW_PERSON = [*WITHDRAW, "个人计划有变，暂不申请。"]
WITHDRAW_ENTERPRISE = [*WITHDRAW, "经营计划调整，暂不申请。"]
TERMINATE_PERSON = "申请人死亡，依法终止办理。"
TERMINATE_ENTERPRISE = "申请单位已办理注销登记，依法终止办理。"
COMMITMENT = (
    "本人（单位）已知晓办理该事项的全部条件和要求，所提交材料真实有效，符合告知的全部条件；"
    "如承诺不实，愿意承担相应法律责任，并接受事后核查。"
)


class Script:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.t = 0
        self.anchor = 0

    def add(self, gap: int, who: str, do: str, *, optional: bool = False, **data: Any) -> int:
        self.t += gap
        self.steps.append(Step(self.t, who, do, data, optional))
        return self.t

    @property
    def last(self) -> int:
        return max((s.t for s in self.steps if not s.optional), default=0)


def _script(plan: Plan, rng: random.Random) -> tuple[Script, tuple[int, int]]:
    """The steps of one case, and the range of working days ago its anchor step happened."""
    info, target, flags, window = plan.info, plan.target, plan.flags, plan.channel == "window"
    s = Script()
    closed = (0, 0)  # a closed case: its last step some time in the past six weeks (see schedule)
    if target == "draft":
        s.add(0, "applicant", "draft")
        return s, (1, 12)
    s.add(0, "applicant", "apply")
    # The decision comes on the spot for 即办件 and 告知承诺 (at a window, or the next day online).
    on_spot = info.instant or (flags.get("commitment") and info.commitment)
    if on_spot and target in {"delivered", "completed", "approved"}:
        who = "clerk" if window else "approver"
        if info.instant:
            s.add(
                0 if window else rng.randint(0, 1), who, "decide_on_the_spot", opinion="材料齐全，当场办结。"
            )
        else:
            s.add(0 if window else rng.randint(0, 1), who, "approve_on_commitment", commitment=COMMITMENT)
        s.anchor = s.t
        if target == "approved":
            return s, (1, 2)
        age = _finish(s, plan, rng, same_day=window)
        if not info.instant and rng.random() < 0.6:
            s.add(rng.randint(8, 18), "reviewer", "verify", optional=True)
        return s, age or closed
    if target == "submitted":
        return s, (1, 4)
    if flags.get("correction") or target == "correction":
        s.add(0 if window else rng.randint(1, 2), "clerk", "request_correction")
        if target == "correction":
            s.anchor = s.t
            return s, (1, 6)
        if target == "not_accepted":  # the applicant never answered
            s.add(rng.randint(5, 8), "clerk", "not_accept", why="no_answer", remedy=REMEDY)
            s.anchor = s.t
            return s, closed
        s.add(rng.randint(1, 4), "applicant", "correct")
    if target == "not_accepted":
        s.add(rng.randint(0, 3), "clerk", "not_accept", why="other", remedy=REMEDY)
        s.anchor = s.t
        return s, closed
    if target == "withdrawn" and rng.random() < 0.5:
        s.add(rng.randint(1, 3), "applicant", "withdraw", reason=_withdraw_reason(plan, rng))
        s.anchor = s.t
        return s, closed
    # Acceptance: by the window, 容缺 against a committed date, or deemed by the worker (art. 32).
    pending = info.tolerant and (target == "pending_overdue" or bool(flags.get("pending")))
    if flags.get("deemed"):
        s.add(deadlines.ACCEPTANCE_WORKDAYS + 1, "system", "deem_accepted")
    elif pending:
        s.add(0 if window else rng.randint(0, 1), "clerk", "accept_with_pending")
    else:
        s.add(0 if window else rng.randint(0, 2), "clerk", "accept")
    accept_t = s.t
    limit = max(1, info.limit)
    total = limit  # working days from acceptance to the decision due date, as it grows
    if pending and target != "pending_overdue":
        s.add(rng.randint(1, 3), "applicant", "supply")
    if target == "accepted":
        return _open_review(s, plan, accept_t, total, rng)
    # The review: each step but the last passes, spread over the time limit.
    for _ in info.steps[:-1]:
        s.add(rng.randint(0, max(1, limit // 3)), "step", "pass_step", opinion=rng.choice(OPINIONS_PASS))
        if target == "terminated":
            break
    if flags.get("suspend") or target == "suspended":
        procedure = rng.choice(info.procedures)  # one its guide declares (see case_plans._suits)
        reason = f"需进行“{procedure}”，所需时间不计入办理时限，完成后恢复计时。"
        s.add(rng.randint(0, 1), "reviewer", "suspend", procedure=procedure, reason=reason)
        if target == "suspended":
            s.anchor = s.t
            return s, (1, 8)
        paused = rng.randint(3, 8)
        s.add(paused, "reviewer", "resume", reason=f"{procedure}已完成。")
        total += paused
    if flags.get("extend") and info.limit >= 5:
        days = rng.randint(5, 10)
        s.add(rng.randint(0, 1), "approver", "extend", days=days, reason=_extension_reason(info))
        total += days
    if target in ("under_review", "pending_overdue"):
        return _open_review(s, plan, accept_t, total, rng)
    if target in ("withdrawn", "terminated"):
        if target == "withdrawn":
            s.add(rng.randint(1, 3), "applicant", "withdraw", reason=_withdraw_reason(plan, rng))
        else:
            reason = TERMINATE_ENTERPRISE if plan.applicant.is_enterprise else TERMINATE_PERSON
            s.add(rng.randint(1, 3), "approver", "terminate", reason=reason)
        s.anchor = s.t
        return s, closed
    # The decision: usually within the limit, sometimes late.
    due_gap = total + rng.randint(1, 4) if flags.get("late") else rng.randint(max(1, total * 3 // 10), total)
    decision_t = max(s.t + (1 if len(info.steps) > 1 else 0), accept_t + due_gap)
    if target == "refused" or flags.get("refuse"):
        s.add(decision_t - s.t, "step", "refuse", why="refuse", remedy=REMEDY)
    else:
        s.add(decision_t - s.t, "step", "approve", opinion=rng.choice(OPINIONS_APPROVE))
    s.anchor = s.t
    if target in ("approved", "refused"):
        return s, (1, 2)
    return s, _finish(s, plan, rng, same_day=False) or closed


def _withdraw_reason(plan: Plan, rng: random.Random) -> str:
    return rng.choice(WITHDRAW_ENTERPRISE if plan.applicant.is_enterprise else WITHDRAW_PERSON)


def _extension_reason(info: EntryInfo) -> str:
    """The entry's own joint bodies (联办机构) when it has any, else its own materials to verify."""
    bodies = [b.strip() for b in re.sub(r"[（(][^）)]*[）)]", "", info.joint_bodies).split("、") if b.strip()]
    if bodies:
        more = "等部门" if len(bodies) > 1 else ""
        return f"需会同{bodies[0]}{more}审查，经本机关负责人批准延长办理期限。"
    return f"“{info.entry.name}”申请材料反映的情况需进一步核实，经本机关负责人批准延长办理期限。"


def _open_review(s: Script, plan: Plan, accept_t: int, total: int, rng: random.Random):
    """A case under review today: how long ago it was accepted follows its urgency."""
    s.anchor = accept_t
    done = s.last - accept_t  # the steps since acceptance happened before today
    urgency = plan.flags.get("urgency", "normal")
    if urgency == "overdue":
        remaining = -rng.randint(1, 6)
    elif urgency == "due_soon" or total < 6:
        remaining = rng.randint(0, 2)
    else:
        remaining = rng.randint(4, max(4, total - 1))
    age = max(done + 1, total - remaining)
    if plan.target == "pending_overdue":
        age = max(age, 8)  # the committed date (3 to 7 days after acceptance) has passed
    return s, (age, age)


def _finish(s: Script, plan: Plan, rng: random.Random, *, same_day: bool) -> tuple[int, int] | None:
    """Completion and delivery (with the carrier's tracking for express: delivered when signed
    for); an electronic result is delivered by the system once its decision document exists (the
    loader makes it then, as the worker would). Returns the age range of a case left completed."""
    s.add(0 if same_day else rng.randint(0, 1), "completer", "complete")
    if plan.target == "completed":
        s.anchor = s.t
        return (1, 6)
    if plan.delivery == DeliveryMethod.PICKUP:
        s.add(0 if same_day else rng.randint(1, 6), "clerk", "deliver_pickup")
    elif plan.delivery == DeliveryMethod.EXPRESS:
        s.add(rng.randint(0, 1), "clerk", "deliver_express")
        s.add(0, "clerk", "track", optional=True, status="in_transit")
        s.add(1, "clerk", "track", optional=True, status="out_for_delivery")
        s.add(rng.randint(0, 1), "clerk", "track", optional=True, status="signed")
    s.anchor = s.last
    return None


def schedule(plan: Plan, rng: random.Random, line: Line) -> None:
    """Put the script on the calendar so that its anchor step lies the chosen age before today."""
    script, (low, high) = _script(plan, rng)
    earliest = EARLIEST
    if plan.history:
        # The months before: closing EARLIEST to HISTORY working days ago, the density falling
        # linearly with age (twice as many a month ago as a year ago, as a platform grows).
        earliest = HISTORY
        age = EARLIEST + round((HISTORY - EARLIEST - script.last) * (2 - (4 - 3 * rng.random()) ** 0.5))
        low = high = max(EARLIEST, age)
    elif not low:
        low, high = 1, max(1, EARLIEST - script.last)
    age = rng.randint(low, max(low, high))
    start = max(line.today - age - script.anchor, line.today - earliest - 5)
    start = min(start, line.today - 1 - script.last)  # every step before today
    plan.start, plan.steps = start, script.steps
    plan.minute = rng.randint(8 * 60 + 40, 16 * 60 + 30)
