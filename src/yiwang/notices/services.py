"""Sending a message to an applicant on every channel they have: in-site, e-mail, SMS outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from yiwang.core import outbox
from yiwang.notices.models import MessageTemplate, Notice, SmsMessage
from yiwang.notices.templates_default import DEFAULTS

log = logging.getLogger(__name__)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    sms: str
    send_email: bool


def render(key: str, context: dict[str, Any]) -> Text:
    """The message `key` filled from `context`; unknown placeholders are left empty."""
    row = MessageTemplate.objects.filter(key=key).first()
    if row is not None:
        title, body, sms, send_email = row.title, row.body, row.sms, row.send_email
    else:
        default = DEFAULTS[key]
        title, body, sms, send_email = default["title"], default["body"], default["sms"], True
    values = _Blank({k: "" if v is None else str(v) for k, v in context.items()})
    return Text(
        title.format_map(values), body.format_map(values), sms.format_map(values) if sms else "", send_email
    )


def notify(
    user, key: str, context: dict[str, Any], *, link: str = "", phone: str = "", at=None
) -> Notice | None:
    """Tell one applicant: an in-site notice (if they have an account), an e-mail (if they have an
    address) and an SMS to the outbox (if there is a phone and the template has an SMS text).
    Called by the notices subscriber, inside its delivery transaction."""
    text = render(key, context)
    notice = None
    if user is not None:
        notice = Notice.objects.create(
            user=user,
            key=key,
            title=text.title,
            body=text.body,
            link=link,
            **({"created_at": at} if at else {}),
        )
        if text.send_email and user.email:
            # Sent by the mail subscriber once this transaction commits (and retried if the
            # mail server is down), never from inside it.
            outbox.publish("mail.send", {"to": user.email, "subject": text.title, "body": text.body})
        phone = phone or user.phone
    if text.sms and phone:
        SmsMessage.objects.create(phone=phone, text=text.sms, key=key, **({"created_at": at} if at else {}))
    return notice


def mark_read(user, notice_id: int) -> bool:
    from django.utils import timezone

    return bool(
        Notice.objects.filter(user=user, pk=notice_id, read_at__isnull=True).update(read_at=timezone.now())
    )
