"""What electronic supervision does after other changes commit (the outbox, ADR 0005): judge a
case after each of its events, a 差评 loop after each of its steps; tell a department's handlers of
new warnings and 督办. And its periodic job, the pass over all cases."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yiwang.core import outbox, schedule
from yiwang.core.models import OutboxMessage


def on_case_event(message: OutboxMessage) -> None:
    from yiwang.cases.models import Case
    from yiwang.supervision import services

    case = Case.objects.select_related("version").filter(pk=message.payload.get("case")).first()
    if case is None or not case.number:
        return
    services.judge_case(case, message.payload)


def on_loop_step(message: OutboxMessage) -> None:
    from yiwang.supervision import services

    if message.payload.get("follow_up"):
        services.judge_follow_up(message.payload["follow_up"])


def tell_department(message: OutboxMessage) -> None:
    """New warnings or a 督办 for a department: one notice to each of its handlers; a red card
    also to the supervisors who watch the department (a 督办 comes from one of them)."""
    from yiwang.accounts.access import handlers_of, supervisors_of
    from yiwang.notices.services import notify

    payload = message.payload
    if message.topic == "supervision.ordered":
        key, context, link = "supervision_order", {}, "/workbench/supervision/"
    else:
        if not payload.get("red"):
            return  # yellow cards show in the lists; a red card is also told
        key, context, link = (
            "supervision_red",
            {"red": payload.get("red", 0), "yellow": payload.get("yellow", 0)},
            "/workbench/supervision/",
        )
    at = dt.datetime.fromisoformat(payload["at"]) if payload.get("at") else None
    handlers = {member.user for member in handlers_of(payload.get("department"))}
    for user in sorted(handlers, key=lambda u: u.pk):
        notify(user, key, context, link=link, at=at)
    if key != "supervision_red":
        return
    from yiwang.core.models import Department

    department = (
        Department.objects.filter(pk=payload.get("department")).values_list("name", flat=True).first()
    )
    watched = {**context, "department": department or ""}
    for member in supervisors_of(payload.get("department")):
        if member.user not in handlers:
            notify(member.user, "supervision_red_watched", watched, link=link, at=at)


def register() -> None:
    from yiwang.supervision.tasks import supervision_pass

    outbox.subscribe("supervision.case", ["case.*"], on_case_event)
    outbox.subscribe("supervision.follow_up", ["rating.given", "rating.follow_up.*"], on_loop_step)
    outbox.subscribe("supervision.notices", ["supervision.raised", "supervision.ordered"], tell_department)
    schedule.every("supervision.pass", settings.SUPERVISION_PASS_SECONDS, supervision_pass)
