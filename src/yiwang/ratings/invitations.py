"""The message asking an applicant to rate a stage left unrated: sent once, never a reminder
chain, and never a default rating (no rating is ever assumed 满意)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.ratings import services

STAGE_WORDS = {"acceptance": gettext_noop("受理"), "completion": gettext_noop("办结")}


def send_due(limit: int = 500) -> int:
    from yiwang.notices.services import notify
    from yiwang.notices.subscribers import applicant_account

    now = timezone.now()
    sent = 0
    for invitation in services.due_invitations(now, limit):
        case = invitation.case
        with transaction.atomic():
            if not services.mark_invited(invitation, now):
                continue
            notify(
                applicant_account(case),
                "rating_invitation",
                {"number": case.number, "title": case.title, "stage": _(STAGE_WORDS[invitation.stage])},
                link=f"/my/cases/{case.number}/rate/",
                phone=case.contact_phone,
            )
        sent += 1
    return sent
