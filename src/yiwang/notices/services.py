"""Sending a message to an applicant on every channel they have: in-site, e-mail, SMS outbox.

A message is written in the language of the account it is for (`User.language`, the language of
the pages it last used; Chinese for a phone number without an account): the template's English
texts for English (issue 13), else the Chinese. Its placeholders are filled in that language too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from yiwang.core import outbox
from yiwang.notices.models import MessageTemplate, Notice, SmsMessage
from yiwang.notices.templates_default import DEFAULTS, ENGLISH

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


def language_of(user) -> str:
    """The language to write to an account in (Chinese without one)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _is_english(language: str) -> bool:
    return (language or "").lower().startswith("en")


def _texts(key: str, language: str) -> tuple[str, str, str, bool]:
    """(title, body, sms, send e-mail) of a message in a language: the administrator's edited row,
    its English texts for English where written (else the English defaults, else the Chinese)."""
    row = MessageTemplate.objects.filter(key=key).first()
    if row is not None:
        title, body, sms, send_email = row.title, row.body, row.sms, row.send_email
    else:
        default = DEFAULTS[key]
        title, body, sms, send_email = default["title"], default["body"], default["sms"], True
    if not _is_english(language):
        return title, body, sms, send_email
    if row is not None and row.title_en.strip() and row.body_en.strip():
        english = {"title": row.title_en, "body": row.body_en, "sms": row.sms_en}
    else:
        english = ENGLISH.get(key)
    if english is None:
        return title, body, sms, send_email
    # No English SMS text: the Chinese one, if there is one (it still says the case moved).
    return english["title"], english["body"], (english["sms"] or sms) if sms else "", send_email


def _counts(context: dict[str, Any]) -> dict[str, str]:
    """Counts written out with their noun, inflected in the active language (`{days_text}`)."""
    out = {}
    days = context.get("days")
    if isinstance(days, int) or (isinstance(days, str) and days.isdigit()):
        n = int(days)
        out["days_text"] = ngettext("%(n)s个工作日", "%(n)s个工作日", n) % {"n": n}
    return out


def render(key: str, context: dict[str, Any], language: str | None = None) -> Text:
    """The message `key` filled from `context`, in `language` (default: the active one); unknown
    placeholders are left empty."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        title, body, sms, send_email = _texts(key, language)
        values = _Blank({k: "" if v is None else str(v) for k, v in context.items()})
        values.update({k: v for k, v in _counts(context).items() if k not in context})
    return Text(
        title.format_map(values), body.format_map(values), sms.format_map(values) if sms else "", send_email
    )


def notify(
    user, key: str, context: dict[str, Any], *, link: str = "", phone: str = "", at=None
) -> Notice | None:
    """Tell one applicant: an in-site notice (if they have an account), an e-mail (if they have an
    address) and an SMS to the outbox (if there is a phone and the template has an SMS text).
    Called by the notices subscriber, inside its delivery transaction."""
    text = render(key, context, language_of(user))
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
