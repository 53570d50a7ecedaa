"""电子监察 as declared rules: pure data and functions, no database.

Each rule names a trigger, its colour, whether the worker's pass re-evaluates it over indexed
columns (a *state* rule: it trips while its condition holds and clears by itself when it no longer
does) or it is judged once on the case event that may trip it (an *event* rule: it stays until the
handler answers it), its parameters with their defaults, and what it means. Administrators turn
rules on and off and change the parameters (`Rule` rows); the code here is the one definition.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_noop


class Colour(StrEnum):
    YELLOW = "yellow"  # 黄牌：临近期限
    RED = "red"  # 红牌：已逾期或违规


COLOUR_LABELS = {Colour.YELLOW: gettext_noop("黄牌"), Colour.RED: gettext_noop("红牌")}


@dataclass(frozen=True)
class RuleSpec:
    code: str
    label: str
    colour: Colour
    kind: str  # "state" (re-evaluated by the pass) or "event" (judged on a case event)
    description: str
    params: dict[str, int] = field(default_factory=dict)
    subject: str = "case"  # what it watches: "case", or "follow_up" (a 差评's loop)


RULES: dict[str, RuleSpec] = {
    r.code: r
    for r in (
        RuleSpec(
            "acceptance_overdue",
            gettext_noop("受理超时"),
            Colour.RED,
            "state",
            gettext_noop("提交（或补正后提交）满 5 个工作日仍未受理、不予受理或一次性告知补正。"),
        ),
        RuleSpec(
            "deadline_near",
            gettext_noop("临近办理期限"),
            Colour.YELLOW,
            "state",
            gettext_noop(
                "当前期限（受理、办结或送达）临近：进入办件的预警期（期限前 3 个工作日起），或只剩规定的"
                "工作日数（默认最迟期限前 1 个工作日），或办结时限已用去规定的比例（设置后生效）。"
            ),
            {"workdays_left": 1, "share_percent": 0},
        ),
        RuleSpec(
            "deadline_overdue",
            gettext_noop("超期未办结"),
            Colour.RED,
            "state",
            gettext_noop("当前期限（受理、办结或送达）已过仍未完成。"),
        ),
        RuleSpec(
            "step_overrun",
            gettext_noop("审查环节超时"),
            Colour.YELLOW,
            "state",
            gettext_noop(
                "当前审查环节用时超过其分配的时限（默认为承诺时限按环节数平分），即使总期限尚未到期。"
            ),
            {"share_percent": 0},  # 0: the limit shared equally among the steps
        ),
        RuleSpec(
            "correction_pending",
            gettext_noop("补正久拖"),
            Colour.YELLOW,
            "state",
            gettext_noop("一次性告知补正后超过规定工作日申请人仍未补正：应联系申请人或依法终止。"),
            {"workdays": 10},
        ),
        RuleSpec(
            "commitment_overdue",
            gettext_noop("容缺承诺逾期"),
            Colour.RED,
            "state",
            gettext_noop("容缺受理承诺补交材料的日期已过，材料仍未补齐。"),
        ),
        RuleSpec(
            "reason_missing",
            gettext_noop("延期或暂停理由不足"),
            Colour.YELLOW,
            "event",
            gettext_noop("延长期限或进入特别程序时，理由少于规定字数（如只写“延期”）。"),
            {"min_chars": 8},
        ),
        RuleSpec(
            "refused_complete",
            gettext_noop("材料齐全不予受理"),
            Colour.RED,
            "event",
            gettext_noop("申请材料齐全、未要求补正，却作出不予受理决定。"),
        ),
        RuleSpec(
            "outside_system",
            gettext_noop("疑似体外循环"),
            Colour.RED,
            "event",
            gettext_noop(
                "窗口办件自创建起几分钟内即办结（非即办件），或办件创建前已有同一发证部门在系统外"
                "（不经办件）向同一申请人核发了该事项的证照。"
            ),
            {"minutes": 10, "days": 30},
        ),
        RuleSpec(
            "follow_up_overdue",
            gettext_noop("差评整改逾期"),
            Colour.RED,
            "state",
            gettext_noop("差评的核实、整改答复或回访超过规定期限。"),
            subject="follow_up",
        ),
    )
}
PARAM_LABELS = {
    "workdays_left": gettext_noop("期限前几个工作日亮黄牌"),
    "share_percent": gettext_noop(
        "时限用去的百分比（审查环节：每个环节可用的百分比，0 为按环节数平分；临近期限：0 为不按比例）"
    ),
    "workdays": gettext_noop("工作日数"),
    "min_chars": gettext_noop("理由最少字数"),
    "minutes": gettext_noop("分钟数"),
    "days": gettext_noop("回溯天数（办件创建前几天内的系统外发证）"),
}
STATE_RULES = [r for r in RULES.values() if r.kind == "state"]
EVENT_RULES = [r for r in RULES.values() if r.kind == "event"]


def params_of(code: str, configured: dict | None) -> dict[str, int]:
    """A rule's parameters: the defaults, overridden by what an administrator configured (only
    the known keys, as non-negative integers)."""
    merged = dict(RULES[code].params)
    for key, value in (configured or {}).items():
        if key in merged and isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000:
            merged[key] = value
    return merged


# --- Pure judgements ------------------------------------------------------------------------------


def step_workdays(limit: int, steps: int, share_percent: int = 0) -> int:
    """Working days a review step may take: its share of the case's limit (equal shares unless a
    percentage is configured), at least one."""
    if limit <= 0:
        return 1
    if share_percent:
        return max(1, math.ceil(limit * share_percent / 100))
    return max(1, math.ceil(limit / max(steps, 1)))


def yellow_share_workdays(limit: int, extension: int, share_percent: int) -> int | None:
    """Working days after acceptance from which a case is yellow by the share of its limit used
    (the extension counts as limit); None when no share is set."""
    if not share_percent or limit <= 0:
        return None
    return max(1, math.ceil((limit + extension) * share_percent / 100))


def reason_too_short(reason: str, min_chars: int) -> bool:
    """A reason that says nothing: fewer than `min_chars` characters once spaces and punctuation
    are left out."""
    meaningful = [c for c in reason if c.isalnum()]
    return len(meaningful) < min_chars


def looks_outside(
    *,
    window: bool,
    instant: bool,
    created_at: dt.datetime,
    closed_at: dt.datetime | None,
    result_before: bool,
    minutes: int,
) -> bool:
    """体外循环: a window case of a 承诺件 closed within minutes of its creation (the work was done
    before it was registered), or a result that existed before the case (`result_before`: a
    licence the case's entry issues, given to its applicant by its department without a case in
    the days before it was created, see `supervision.services`)."""
    if result_before:
        return True
    if window and not instant and closed_at is not None:
        return closed_at - created_at < dt.timedelta(minutes=minutes)
    return False


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """'2026Q4' → (2026-10-01, 2027-01-01): the first day and the first day after."""
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end


@dataclass(frozen=True)
class GradeInput:
    cases: int  # cases the department handled in the quarter (closed or decided in it)
    red: int
    yellow: int
    unanswered: int  # warnings not answered within their time
    on_time_rate: float | None


def grade(figures: GradeInput) -> tuple[int, str]:
    """Quarterly grading of a department by the rules' outcomes: 100 points, less 2 per red card
    and 0.5 per yellow per hundred cases handled (so a big department is not punished for its
    size), less 1 per warning left unanswered; A ≥ 90, B ≥ 75, C ≥ 60, else D."""
    per_hundred = 100 / max(figures.cases, 100)
    score = 100 - 2 * figures.red * per_hundred - 0.5 * figures.yellow * per_hundred - figures.unanswered
    score = max(0, min(100, round(score)))
    letter = "A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D"
    return score, letter


def answer_due(raised_on: dt.date, add: Callable[[dt.date, int], dt.date], workdays: int = 2) -> dt.date:
    """The handler answers a warning (reason and action) within two working days."""
    return add(raised_on, workdays)
