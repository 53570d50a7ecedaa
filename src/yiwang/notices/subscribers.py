"""What the notices app does with case events (subscribed in `NoticesConfig.ready`).

Each case event that concerns the applicant becomes an in-site notice, an SMS in the SMS outbox and,
where the applicant has an address, a `mail.send` message that the mail subscriber sends after this
transaction commits (mail is outside the database, so it never goes out from inside one).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from yiwang.core import outbox
from yiwang.core.models import OutboxMessage

# Which message each case event sends, and which due date it names.
CASE_NOTICES: dict[str, tuple[str, str | None]] = {
    "submit": ("case_submitted", "acceptance_due"),
    "request_correction": ("case_correction_requested", None),
    "accept": ("case_accepted", "decision_due"),
    "accept_with_pending": ("case_accepted", "decision_due"),
    "deem_accepted": ("case_accepted", "decision_due"),
    "not_accept": ("case_not_accepted", None),
    "suspend": ("case_suspended", None),
    "resume": ("case_resumed", "decision_due"),
    "extend": ("case_extended", "decision_due"),
    "approve": ("case_approved", None),
    "decide_on_the_spot": ("case_approved", None),
    "approve_on_commitment": ("case_approved", None),
    "refuse": ("case_refused", None),
    "complete": ("case_completed", "delivery_due"),
    "dispatch_booked": ("case_dispatched", None),
    "deliver": ("case_delivered", None),
    "withdraw": ("case_withdrawn", None),
    "terminate": ("case_terminated", None),
    "commitment_overdue": ("case_commitment_overdue", "commitment_due"),
}


def _context(payload: dict[str, Any], due_key: str | None) -> dict[str, Any]:
    from django.utils.translation import gettext as _

    from yiwang.cases.models import DeliveryMethod

    data = payload.get("data") or {}
    context: dict[str, Any] = {
        "title": payload.get("title", ""),
        "number": payload.get("number", ""),
        "reason": payload.get("reason", ""),
        "remedy": data.get("remedy", ""),
        "procedure": data.get("procedure", ""),
        "days": data.get("days", ""),
        "due": payload.get(due_key) if due_key else "",
    }
    action = payload.get("action")
    if action == "request_correction":
        from yiwang.cases.corrections import correction_item_text

        lines = [f"{n}. {correction_item_text(i)}" for n, i in enumerate(data.get("items", []), 1)]
        if context["reason"]:
            lines.append(_("补正说明：%(note)s") % {"note": context["reason"]})
        context["items"] = "\n".join(lines)
    elif action == "commitment_overdue":
        context["items"] = data.get("materials", "")
    elif action == "dispatch_booked":
        context["carrier"] = data.get("carrier", "")
        context["tracking_number"] = data.get("tracking_number", "")
    elif action == "deliver":
        method = data.get("method", "")
        context["method"] = DeliveryMethod(method).label if method in DeliveryMethod.values else method
        if method == DeliveryMethod.PICKUP:
            context["detail"] = _("已在窗口领取。")
        elif method == DeliveryMethod.EXPRESS:
            context["detail"] = _("快递单号：%(number)s。") % {"number": data.get("tracking_number", "")}
        else:
            context["detail"] = _("请在“我的办件”中查看电子结果。")
    return context


def on_case_event(message: OutboxMessage) -> None:
    """Tell the applicant of a case event (the account that applied, and the applicant's phone)."""
    import datetime as dt

    from django.utils import translation

    from yiwang.cases.models import Case
    from yiwang.catalog import english
    from yiwang.notices.services import language_of, notify

    payload = message.payload
    spec = CASE_NOTICES.get(payload.get("action", ""))
    if spec is None:
        return
    key, due_key = spec
    if payload.get("action") == "submit" and (payload.get("data") or {}).get("bundle"):
        return  # a bundle's cases are told of once, by the bundle's own notice
    case = (
        Case.objects.select_related(
            "created_by", "applicant_person__user", "applicant_enterprise__user", "version"
        )
        .filter(pk=payload["case"])
        .first()
    )
    if case is None:
        return
    user = applicant_account(case)
    at = dt.datetime.fromisoformat(payload["at"]) if payload.get("at") else None
    language = language_of(user)
    with translation.override(language):  # the context's own words in the reader's language
        context = _context(payload, due_key)
    english_title = (case.version.name_en or case.version.plain_title_en).strip()
    if english.is_english(language) and english_title:
        context["title"] = english_title  # issue 13: the item's English name
    notify(
        user,
        key,
        context,
        link=f"/my/cases/{case.number}/" if case.number else "",
        phone=case.contact_phone,
        at=at,
    )


def applicant_account(case):
    """The account to tell about the case: the one that applied (not a clerk who took it in at a
    window), else the applicant's own account, if any."""
    from yiwang.accounts.models import AccountKind

    user = case.created_by if case.created_by and case.created_by.kind != AccountKind.STAFF else None
    if user is None:
        owner = case.applicant_person or case.applicant_enterprise
        user = getattr(owner, "user", None)
    return user


def send_mail_message(message: OutboxMessage) -> None:
    """The mail itself, after the notice's transaction committed (runs outside any transaction)."""
    p = message.payload
    send_mail(p["subject"], p["body"], settings.DEFAULT_FROM_EMAIL, [p["to"]])


def register() -> None:
    # `delivery.booked` has a case event's shape: the parcel's tracking number, once booked.
    outbox.subscribe("notices.case", ["case.*", "delivery.booked"], on_case_event)
    outbox.subscribe("notices.mail", ["mail.send"], send_mail_message, transactional=False)
