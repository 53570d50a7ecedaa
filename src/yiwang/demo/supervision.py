"""Demo electronic supervision (电子监察): the cards the demo cases earned, 督办 and answers.

The worker judges each case event as it delivers the outbox; the loader does the same judging
now, through `supervision.services` (`judge_event` per event in order, dated by the event, then one
pass for today), so the demo opens with its cards in place — every colour, each with its history —
and the worker's later delivery of the same events finds them (judged once per event). Then, as
people would have: demo-supervisor orders action on two of the market regulator's red cards and
on one department; demo-approver explains one card and reports on one order. Loading again
creates nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import clock
from yiwang.cases.changes import event_message
from yiwang.cases.models import Case, CaseEvent
from yiwang.core import workdays
from yiwang.supervision import services
from yiwang.supervision.models import Order, Warning

MARKET = "青山市市场监督管理局"


@dataclass
class SupervisionSummary:
    created: int = 0
    red: int = 0
    yellow: int = 0
    orders: int = 0
    seconds: float = 0.0


def load_supervision() -> SupervisionSummary:
    started = time.monotonic()
    summary = SupervisionSummary()
    if Warning.objects.exists() or not Case.objects.exclude(number=None).exists():
        return summary
    settings = services.settings_of()
    cases = {c.pk: c for c in Case.objects.exclude(number=None).select_related("version")}
    events = CaseEvent.objects.filter(case_id__in=cases).exclude(action="create").order_by("case_id", "seq")
    for event in events.iterator(chunk_size=2000):
        case = cases[event.case_id]
        if event.to_state == "draft":
            continue
        with clock.frozen(event.at):
            services.judge_event(case, event_message(case, event).payload, settings)
    services.run_pass(clock.today())
    _people_act(summary)
    live = Warning.objects.all()
    summary.created = live.count()
    summary.red = live.filter(colour="red").count()
    summary.yellow = live.filter(colour="yellow").count()
    summary.orders = Order.objects.count()
    summary.seconds = time.monotonic() - started
    return summary


def _people_act(summary: SupervisionSummary) -> None:
    supervisor = User.objects.filter(username="demo-supervisor").first()
    approver = User.objects.filter(username="demo-approver").first()
    if supervisor is None or approver is None:
        return
    today = clock.today()
    market_red = list(
        Warning.objects.filter(department__name=MARKET, colour="red")
        .select_related("case")
        .order_by("raised_at")[:3]
    )
    now = timezone.localtime()
    if market_red:
        with clock.frozen(now - dt.timedelta(hours=3)):
            first = services.issue_order(
                supervisor,
                warning=market_red[0],
                instruction="请于期限内办结并书面说明超期原因，同时告知申请人办理进度。",
                due_date=workdays.add_workdays_or_assumed(today, 2),
            )
        if len(market_red) > 1:
            with clock.frozen(now - dt.timedelta(hours=2)):
                services.issue_order(
                    supervisor,
                    warning=market_red[1],
                    instruction="该件已亮红牌，请科室负责人督促承办人当日处理。",
                    due_date=workdays.add_workdays_or_assumed(today, 1),
                )
        with clock.frozen(now - dt.timedelta(hours=1)):
            services.answer(
                approver,
                market_red[0],
                "承办人参加业务培训三天，AB 岗未及时接手。",
                "已落实 AB 岗，今日内办结；科室每日下班前检查临期办件。",
            )
            services.report_order(approver, first, "已办结并电话告知申请人，超期原因已书面说明。")
    civil = Warning.objects.exclude(department__name=MARKET).select_related("department").first()
    if civil is not None:
        with clock.frozen(now - dt.timedelta(minutes=30)):
            services.issue_order(
                supervisor,
                department=civil.department,
                instruction="本月预警较多，请梳理临期办件清单，落实每日提醒，月底前反馈整改情况。",
                due_date=workdays.add_workdays_or_assumed(today, 10),
            )
