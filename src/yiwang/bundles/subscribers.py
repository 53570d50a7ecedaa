"""What bundles do after other changes commit (the outbox, ADR 0005): move a chain on when an
upstream case is decided or stops, and tell the applicant once per bundle event."""

from __future__ import annotations

import logging

from yiwang.core import outbox
from yiwang.core.models import OutboxMessage

log = logging.getLogger(__name__)

# Events after which a waiting case may start (an upstream succeeded) or must stop (it failed).
CHAIN_TOPICS = [
    "case.approve",
    "case.decide_on_the_spot",
    "case.approve_on_commitment",
    "case.complete",
    "case.deliver",
    "case.refuse",
    "case.not_accept",
    "case.withdraw",
    "case.terminate",
]
NOTICES = {
    "bundle.submitted": "bundle_submitted",
    "bundle.case_started": "bundle_case_started",
    "bundle.stopped": "bundle_stopped",
}


def on_case_decided(message: OutboxMessage) -> None:
    """Not transactional: the upstream licence is issued and rendered first (each step commits on
    its own and is idempotent), then `advance` moves the chain in one transaction."""
    from yiwang.bundles import chain
    from yiwang.bundles.models import BundleMember

    member = (
        BundleMember.objects.filter(case_id=message.payload.get("case")).select_related("application").first()
    )
    if member is None:
        return
    chain.ensure_licences(member.application)
    done = chain.advance(member.application)
    if done:
        log.info("bundle %s: %s", member.application.number, ", ".join(done))


def on_bundle_event(message: OutboxMessage) -> None:
    """One notice per bundle event, to the account that applied (or the applicant's own)."""
    from yiwang.bundles.models import BundleApplication
    from yiwang.notices.services import notify
    from yiwang.notices.subscribers import applicant_account

    key = NOTICES.get(message.topic)
    application = BundleApplication.objects.filter(pk=message.payload.get("application")).first()
    if key is None or application is None:
        return
    first = application.members.select_related(
        "case__created_by", "case__applicant_person__user", "case__applicant_enterprise__user"
    ).first()
    if first is None:
        return
    p = message.payload
    context = {
        "title": application.title,
        "number": application.number,
        "started": "、".join(p.get("started", [])) or "—",
        "waiting": "、".join(p.get("waiting", [])) or "—",
        "case_title": p.get("title", ""),
        "case_number": p.get("case") or "",
        "reason": p.get("reason", ""),
        "stopped": "、".join(p.get("stopped", [])),
    }
    notify(
        applicant_account(first.case),
        key,
        context,
        link=f"/my/bundles/{application.key}/",
        phone=first.case.contact_phone,
    )


def register() -> None:
    outbox.subscribe("bundles.chain", CHAIN_TOPICS, on_case_decided, transactional=False)
    outbox.subscribe("bundles.notices", list(NOTICES), on_bundle_event)
