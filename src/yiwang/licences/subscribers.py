"""What the licences app does after other domains' changes commit (the outbox, ADR 0005), and its
periodic job: a licence is issued once its case is approved; licences expire by date."""

from __future__ import annotations

import logging

from django.conf import settings

from yiwang.core import outbox, schedule
from yiwang.core.models import OutboxMessage

log = logging.getLogger(__name__)

APPROVAL_TOPICS = ["case.approve", "case.decide_on_the_spot", "case.approve_on_commitment"]


def on_approval(message: OutboxMessage) -> None:
    """Issue the approved case's licence, render its PDF, then deliver electronically if the case
    waits only for it. Not transactional: each step is idempotent and commits on its own, so the
    PDF is rendered outside the issuing transaction (a retry finds the licence and goes on)."""
    from yiwang.cases.models import Case
    from yiwang.cases.services import deliver_when_ready
    from yiwang.licences import documents, issuing

    case = Case.objects.filter(pk=message.payload.get("case")).first()
    if case is None or not case.number:
        return
    licence = issuing.issue_for_case(case)
    if licence is None:
        return
    documents.attach(licence)
    deliver_when_ready(case)


def result_pending(case) -> bool:
    """Electronic delivery waits while the case's licence is still to be issued."""
    from yiwang.licences import issuing
    from yiwang.licences.models import Licence

    if issuing.type_for_entry(case.entry_id) is None:
        return False
    return not Licence.objects.filter(case=case, previous__isnull=True, document__isnull=False).exists()


def register() -> None:
    from yiwang.cases import delivery
    from yiwang.licences.tasks import expire_licences

    outbox.subscribe("licences.issue", APPROVAL_TOPICS, on_approval, transactional=False)
    delivery.result_pending_checks["licences"] = result_pending
    schedule.every("licences.expire", settings.LICENCE_EXPIRY_SWEEP_SECONDS, expire_licences)
