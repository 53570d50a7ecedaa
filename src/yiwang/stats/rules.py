"""Statistics (issue 11 §4) as pure rules: no database.

- The counters kept per day and dimension (`COUNTERS`), each with what it counts.
- What one case event adds to them (`case_event_counts`), and how many times the applicant had
  to come in person (`visits`): the same function serves the outbox subscriber and the rebuild.
- Every figure shown (`FIGURES`): its formula over the counters and its definition in Chinese (the
  source language), written on the page and in each API answer. A rate whose denominator is 0 is
  None ("—"), never 0 % or 100 %.
- The dimensions a query groups by, the bounds of a query's period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_noop

# --- The counters ------------------------------------------------------------------------------

COUNTERS: dict[str, str] = {
    "started": gettext_noop("开始填报的申请（含未提交的草稿）"),
    "submitted": gettext_noop("提交的申请"),
    "online": gettext_noop("网上申请"),
    "nearby": gettext_noop("在乡镇（街道）、村（社区）窗口受理"),
    "decided": gettext_noop("作出决定（准予或不予许可）"),
    "decided_on_time": gettext_noop("按时作出决定"),
    "instant": gettext_noop("当场办结（即办件）"),
    "workdays_used_sum": gettext_noop("受理至决定所用工作日（合计）"),
    "workdays_promised_sum": gettext_noop("承诺时限工作日（合计）"),
    "materials_required": gettext_noop("必要材料数（提交时合计）"),
    "materials_spared": gettext_noop("其中申请人免于提交的（电子证照、数据共享调取）"),
    "limit_compared": gettext_noop("作出决定且法定、承诺时限单位相同的件数"),
    "limit_compression_bp": gettext_noop("逐件时限压缩比例合计（万分之一）"),
    "finished": gettext_noop("办结完毕（已送达，或不予受理）"),
    "no_visit": gettext_noop("零跑动办结"),
    "one_visit": gettext_noop("最多跑一次办结"),
    "full_online": gettext_noop("网上申请且电子送达"),
    "rating_opened": gettext_noop("可评价的环节"),
    "rated": gettext_noop("收到的评价"),
    "rated_good": gettext_noop("基本满意及以上的评价"),
    "rated_bad": gettext_noop("差评（申诉成立的除外）"),
    "ruled": gettext_noop("申诉成立（恶意差评、误评）的评价"),
    "bad_rectified": gettext_noop("整改答复并完成回访的差评"),
}

# Case events that count (`case.<action>`); every other event adds nothing.
SUBMIT = "submit"
DECISIONS = frozenset({"approve", "refuse", "decide_on_the_spot", "approve_on_commitment"})
ON_THE_SPOT = frozenset({"decide_on_the_spot", "approve_on_commitment"})  # decided in the same sitting
FINISHING = frozenset({"deliver", "not_accept"})
COUNTED_ACTIONS = frozenset({SUBMIT, *DECISIONS, *FINISHING})
# Read from a case's trail when it finishes (visits): decided on the spot, corrections brought in.
TRAIL_ACTIONS = frozenset({*ON_THE_SPOT, "resubmit"})


@dataclass(frozen=True)
class CaseFacts:
    """What the counters need of a case (fields that no longer change once the event happened)."""

    channel: str  # online / window / mail
    nearby: bool  # taken in at a township or village-level department (就近办)
    decided_on: dt.date | None = None
    decision_due: dt.date | None = None
    limit_workdays: int = 0
    on_the_spot: bool = False  # decided in the sitting it was taken in (即办件, 告知承诺)
    window_resubmits: int = 0  # corrections brought to a window
    # The guide's 法定 and 承诺 limits, when both are stated in the same unit (else 0: not compared)
    legal_limit: int = 0
    promised_limit: int = 0


def comparable_limits(
    legal: int | None, legal_unit: str, promised: int | None, promised_unit: str
) -> tuple[int, int]:
    """(legal, promised) when a guide states both in the same unit (working days, natural days or
    hours), else (0, 0): a compression across units would compare nothing."""
    if not legal or not promised or (legal_unit or "workday") != (promised_unit or "workday"):
        return 0, 0
    return legal, promised


def visits(facts: CaseFacts, action: str, method: str) -> int:
    """How many times the applicant came in person for a case that finished with `action`.

    Applying: once at a window (channel `window`), never online or by post. Correction material
    brought to a window: once each. The result: once when picked up at a window (`pickup`), never
    when delivered electronically or by express — unless it was decided on the spot, when it is
    handed over in the same visit. A 不予受理 notice is given where the application was made."""
    came = 1 if facts.channel == "window" else 0
    came += facts.window_resubmits
    if action == "deliver" and method == "pickup" and not (facts.channel == "window" and facts.on_the_spot):
        came += 1
    return came


def case_event_counts(
    action: str,
    facts: CaseFacts,
    *,
    method: str = "",
    workdays_used: int = 0,
    materials: Mapping | None = None,
) -> dict:
    """The counters one case event adds (on the day of the event). `workdays_used`: working days
    from acceptance to decision (the caller has the calendar); `materials`: the submit event's
    own count of required and spared materials (`cases.drafts.material_counts`; absent from
    events written before it was kept, which then count in neither)."""
    if action == SUBMIT:
        counts = {"submitted": 1, "online": int(facts.channel == "online"), "nearby": int(facts.nearby)}
        if isinstance(materials, Mapping):
            required, spared = materials.get("required"), materials.get("spared")
            if isinstance(required, int) and isinstance(spared, int) and 0 <= spared <= required:
                counts.update(materials_required=required, materials_spared=spared)
        return counts
    if action in DECISIONS:
        on_time = facts.decision_due is None or (
            facts.decided_on is not None and facts.decided_on <= facts.decision_due
        )
        return {
            "decided": 1,
            "decided_on_time": int(on_time),
            "instant": int(action == "decide_on_the_spot"),
            "workdays_used_sum": max(workdays_used, 0),
            "workdays_promised_sum": facts.limit_workdays,
            **_compression(facts),
        }
    if action in FINISHING:
        came = visits(facts, action, method)
        return {
            "finished": 1,
            "no_visit": int(came == 0),
            "one_visit": int(came <= 1),
            "full_online": int(action == "deliver" and facts.channel == "online" and method == "electronic"),
        }
    return {}


def _compression(facts: CaseFacts) -> dict:
    """A decided case's time-limit compression, (法定 − 承诺) ÷ 法定, in ten-thousandths of a case
    (a promised limit longer than the legal one, which the guide audit flags, counts negative)."""
    if not facts.legal_limit:
        return {}
    share = (facts.legal_limit - facts.promised_limit) / facts.legal_limit
    return {"limit_compared": 1, "limit_compression_bp": round(share * BASIS)}


BASIS = 10_000  # what one case compressed by 100 % adds to limit_compression_bp


def rating_counts(*, level: int, bad: bool) -> dict:
    """A rating given (on the day it was given). 基本满意 (3) and better is satisfied."""
    return {"rated": 1, "rated_good": int(level >= 3 and not bad), "rated_bad": int(bad)}


# --- The figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    numerator: str | tuple[str, ...]  # a counter, or (a, b): a − b
    denominator: str | tuple[str, ...]
    definition: str
    kind: str = "rate"  # "rate" (per cent, one decimal) or "average" (two decimals)
    gov_uk: bool = False  # one of the four figures GOV.UK asks of every service
    per: int = 1  # what one unit of the denominator adds to the numerator at 100 %


FIGURES: tuple[Figure, ...] = (
    Figure(
        "online_rate",
        gettext_noop("网办率"),
        "online",
        "submitted",
        gettext_noop("网办率 = 网上申请件数 ÷ 申请件数（按提交日期统计；窗口受理、邮寄申请不计入分子）"),
    ),
    Figure(
        "full_online_rate",
        gettext_noop("全程网办率"),
        "full_online",
        "finished",
        gettext_noop(
            "全程网办率 = 网上申请且办理结果电子送达的办结件数 ÷ 办结件数（已送达或不予受理，按办结日期统计）"
        ),
    ),
    Figure(
        "no_visit_rate",
        gettext_noop("不见面率"),
        "no_visit",
        "finished",
        gettext_noop(
            "不见面率 = 申请人未到现场即办结的件数 ÷ 办结件数。到现场：窗口申请 1 次，"
            "到窗口补正每次 1 次，窗口领取结果 1 次（当场办结当场领取的不另计）"
        ),
    ),
    Figure(
        "instant_rate",
        gettext_noop("即办率"),
        "instant",
        "decided",
        gettext_noop("即办率 = 当场办结的即办件数 ÷ 作出决定的件数（按决定日期统计）"),
    ),
    Figure(
        "one_visit_rate",
        gettext_noop("最多跑一次率"),
        "one_visit",
        "finished",
        gettext_noop("最多跑一次率 = 到现场不超过 1 次即办结的件数 ÷ 办结件数（到现场的计法同不见面率）"),
    ),
    Figure(
        "nearby_rate",
        gettext_noop("就近办率"),
        "nearby",
        "submitted",
        gettext_noop("就近办率 = 在乡镇（街道）、村（社区）便民服务窗口受理的件数 ÷ 申请件数"),
    ),
    Figure(
        "on_time_rate",
        gettext_noop("按时办结率"),
        "decided_on_time",
        "decided",
        gettext_noop(
            "按时办结率 = 在办结期限内（含当日）作出决定的件数 ÷ 作出决定的件数；当场办结的计为按时"
        ),
    ),
    Figure(
        "avg_workdays_used",
        gettext_noop("平均办理用时（工作日）"),
        "workdays_used_sum",
        "decided",
        gettext_noop("平均办理用时 = 各件自受理日至决定日的工作日数之和 ÷ 作出决定的件数"),
        kind="average",
    ),
    Figure(
        "avg_workdays_promised",
        gettext_noop("平均承诺时限（工作日）"),
        "workdays_promised_sum",
        "decided",
        gettext_noop("平均承诺时限 = 各件的承诺办理时限（工作日）之和 ÷ 作出决定的件数"),
        kind="average",
    ),
    Figure(
        "materials_spared_rate",
        gettext_noop("材料精简率"),
        "materials_spared",
        "materials_required",
        gettext_noop(
            "材料精简率 = 申请人免于提交的必要材料数 ÷ 必要材料数，按提交日期统计；免于提交：部门通过"
            "电子证照或数据共享调取，或申请人从卡包选用电子证照，未另行上传"
        ),
    ),
    Figure(
        "limit_compression_rate",
        gettext_noop("时限压缩率"),
        "limit_compression_bp",
        "limit_compared",
        gettext_noop(
            "时限压缩率 = 各件（法定时限 − 承诺时限）÷ 法定时限 的平均值，按决定日期统计；"
            "只计办事指南的法定、承诺时限单位相同（同为工作日、自然日或小时）的件"
        ),
        per=BASIS,
    ),
    Figure(
        "rating_rate",
        gettext_noop("评价率"),
        "rated",
        "rating_opened",
        gettext_noop(
            "评价率 = 收到的评价数 ÷ 可评价的环节数（承诺件受理、办结各一次，即办件一次；按环节开放日期统计）"
        ),
    ),
    Figure(
        "satisfaction_rate",
        gettext_noop("满意率"),
        "rated_good",
        ("rated", "ruled"),
        gettext_noop("满意率 = 基本满意及以上的评价数 ÷ 计入统计的评价数（申诉成立的恶意差评、误评不计入）"),
        gov_uk=True,
    ),
    Figure(
        "rectification_rate",
        gettext_noop("差评整改率"),
        "bad_rectified",
        "rated_bad",
        gettext_noop("差评整改率 = 已整改答复并完成回访的差评数 ÷ 计入统计的差评数（按评价日期统计）"),
    ),
    Figure(
        "completion_rate",
        gettext_noop("申请完成率"),
        "submitted",
        "started",
        gettext_noop(
            "申请完成率 = 提交的申请数 ÷ 开始填报的申请数（含放弃的草稿；分别按提交、开始日期统计）"
        ),
        gov_uk=True,
    ),
    Figure(
        "digital_take_up",
        gettext_noop("数字化使用率"),
        "online",
        "submitted",
        gettext_noop("数字化使用率 = 网上申请件数 ÷ 申请件数（与网办率同一口径）"),
        gov_uk=True,
    ),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}

COST_DEFINITION = gettext_noop(
    "每件成本 = 已录入成本的部门月份的成本合计 ÷ 这些部门月份的办结件数（按整月计算；未录入成本的部门月份不计入）"
)


def _value(totals: Mapping[str, int], part: str | tuple[str, ...]) -> int:
    if isinstance(part, tuple):
        return totals.get(part[0], 0) - sum(totals.get(p, 0) for p in part[1:])
    return totals.get(part, 0)


def compute(figure: Figure, totals: Mapping[str, int]) -> float | None:
    """The figure over `totals`: a percentage (one decimal) or an average (two); None when the
    denominator is 0."""
    whole = _value(totals, figure.denominator)
    if whole <= 0:
        return None
    part = _value(totals, figure.numerator)
    if figure.kind == "average":
        return round(part / whole, 2)
    return round(100 * part / (whole * figure.per), 1)


def compute_all(totals: Mapping[str, int]) -> dict[str, float | None]:
    return {f.key: compute(f, totals) for f in FIGURES}


def cost_per_case(cost: float | None, finished: int) -> float | None:
    if cost is None or finished <= 0:
        return None
    return round(cost / finished, 2)


# --- Dimensions and periods --------------------------------------------------------------------

DIMENSIONS: dict[str, str] = {
    "division": gettext_noop("区划"),
    "department": gettext_noop("部门"),
    "item": gettext_noop("事项"),
    "window": gettext_noop("受理窗口"),
    "channel": gettext_noop("申请渠道"),
    "month": gettext_noop("月份"),
}
MAX_RANGE_DAYS = 3660  # ten years
# Days this old or older are settled: events count on their own day, so only a late one (one of
# yesterday delivered after midnight, a worker back after an outage) or a rebuild still writes to
# them, and that bumps the `stats` generation. Today alone is read afresh every time.
SETTLED_DAYS = 1
DEFAULT_DAYS = 30


def range_problem(start: dt.date, end: dt.date) -> tuple[str, str] | None:
    """(field, message) when the period cannot be asked for, else None."""
    if start > end:
        return "from", gettext_noop("起始日期不能晚于截止日期。")
    if (end - start).days > MAX_RANGE_DAYS:
        return "to", gettext_noop("查询区间不能超过十年。")
    return None


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period of equal length just before [start, end] (None before the calendar's start)."""
    try:
        prev_end = start - dt.timedelta(days=1)
        return prev_end - (end - start), prev_end
    except OverflowError:
        return None
