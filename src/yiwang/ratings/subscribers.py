"""What the ratings app does after other changes commit (the outbox, ADR 0005): records the stages
a case has reached (the invitations to rate), tells a department of a 差评 and the applicant of its
answer; and its periodic job, the invitation message after some days without a rating."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from yiwang.core import outbox, schedule
from yiwang.core.models import OutboxMessage

INVITE_SWEEP_SECONDS = 3600


def on_case_event(message: OutboxMessage) -> None:
    from yiwang.cases.models import Case
    from yiwang.ratings import services

    case = Case.objects.select_related("version").filter(pk=message.payload.get("case")).first()
    if case is None or not case.number:
        return
    at = dt.datetime.fromisoformat(message.payload["at"]) if message.payload.get("at") else timezone.now()
    services.open_invitations(case, at, message.payload.get("to") or None)


def on_bad_rating(message: OutboxMessage) -> None:
    """A 差评 opens the loop: tell the department's handling staff (their to-do lists show it too)."""
    from yiwang.accounts.access import handlers_of
    from yiwang.notices.services import notify
    from yiwang.ratings import rules
    from yiwang.ratings.models import FollowUp

    payload = message.payload
    if not payload.get("bad") or not payload.get("follow_up"):
        return
    follow_up = FollowUp.objects.filter(pk=payload["follow_up"]).first()
    if follow_up is None or not follow_up.is_open:
        return  # put right (or ruled) before the worker came to it: nothing left to ask
    context = {
        "number": payload.get("number", ""),
        "title": payload.get("title", ""),
        # Translated when the notice is rendered, in each reader's language.
        "level": gettext_lazy(rules.LEVEL_LABELS[payload["level"]])
        if payload.get("level") in rules.LEVEL_LABELS
        else "",
        "contact_due": follow_up.contact_due.isoformat(),
        "answer_due": follow_up.answer_due.isoformat(),
    }
    for member in handlers_of(follow_up.department_id):
        notify(
            member.user,
            "rating_bad_received",
            context,
            link=f"/workbench/ratings/follow-ups/{follow_up.pk}/",
            at=follow_up.opened_at,  # dated by the rating, however late the worker delivers it
        )


def on_answer(message: OutboxMessage) -> None:
    """The department answered a 差评: the applicant hears the answer and may rate the rectification."""
    from yiwang.notices.services import notify
    from yiwang.notices.subscribers import applicant_account
    from yiwang.ratings.models import FollowUp

    follow_up = (
        FollowUp.objects.select_related(
            "rating__case__created_by",
            "rating__case__applicant_person__user",
            "rating__case__applicant_enterprise__user",
            "department",
        )
        .filter(pk=message.payload.get("follow_up"))
        .first()
    )
    if follow_up is None:
        return
    case = follow_up.rating.case
    notify(
        applicant_account(case),
        "rating_answered",
        {
            "number": case.number,
            "title": case.title,
            "department": follow_up.department.name,
            "answer": follow_up.answer,
        },
        link=f"/my/cases/{case.number}/",
        phone=case.contact_phone,
        at=follow_up.answered_at,  # dated by the answer, however late the worker delivers it
    )


def register() -> None:
    from yiwang.ratings.tasks import send_invitations

    outbox.subscribe("ratings.stages", ["case.*"], on_case_event)
    outbox.subscribe("ratings.bad_rating", ["rating.given"], on_bad_rating)
    outbox.subscribe("ratings.answer", ["rating.follow_up.answer"], on_answer)
    schedule.every("ratings.invite", INVITE_SWEEP_SECONDS, send_invitations)
