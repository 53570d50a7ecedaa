"""Questions the search did not answer, and what item administrators teach it.

A question is logged when it finds nothing (by the search page) or when its results were left
without opening any (reported by the page as the citizen leaves it). Personal data is never kept:
a question with a run of digits (an ID or phone number) or an e-mail address is not logged at all,
and nothing about who asked is. An administrator fixes a miss in one step by teaching it as an
everyday phrase of a basic-catalog item (every implementation is re-indexed at once), or dismisses
it; a question that again finds nothing after being fixed reopens.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.catalog import search_index
from yiwang.catalog.models import CatalogItem, SearchMiss, SearchPhrase

MAX_LOGGED = 50
_PERSONAL = re.compile(r"\d{4,}|[0-9xX]{15,}|\S+@\S+")


def loggable(q: str) -> str:
    """The question as logged ("" = not at all): whitespace collapsed, without personal data."""
    text = " ".join((q or "").split())
    if not text or len(text) > MAX_LOGGED or _PERSONAL.search(text):
        return ""
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        return ""
    return text


def _bump(query: str, counter: str, reopen: bool) -> None:
    now = timezone.now()
    changes = {counter: F(counter) + 1, "last_seen": now}
    if reopen:
        changes["resolved_at"] = None
    if SearchMiss.objects.filter(query=query).update(**changes):
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(query=query, **{counter: 1}, first_seen=now, last_seen=now)
    except IntegrityError:  # another request created it first
        SearchMiss.objects.filter(query=query).update(**changes)


def record_no_result(q: str) -> None:
    if query := loggable(q):
        _bump(query, "no_result", reopen=True)


def record_no_click(q: str) -> None:
    if query := loggable(q):
        _bump(query, "no_click", reopen=False)


def open_misses():
    return SearchMiss.objects.filter(resolved_at__isnull=True).order_by(
        -(F("no_result") + F("no_click")), "-last_seen"
    )


def teach(miss: SearchMiss, item: CatalogItem, user: User, phrase: str | None = None) -> SearchPhrase:
    """Teach the question (or a shorter `phrase` of it) as an everyday phrase of `item`; every
    published implementation is re-indexed now, so the next search finds it."""
    phrase = " ".join((phrase or miss.query).split())[:MAX_LOGGED]
    with transaction.atomic():
        taught, _created = SearchPhrase.objects.get_or_create(
            catalog_item=item, phrase=phrase, defaults={"added_by": user}
        )
        search_index.index_item(item.pk)
        SearchMiss.objects.filter(pk=miss.pk).update(
            resolved_at=timezone.now(),
            resolved_by=user,
            resolution=_("已作为“%(item)s”的日常说法“%(phrase)s”") % {"item": item.name, "phrase": phrase},
        )
    return taught


def dismiss(miss: SearchMiss, user: User) -> None:
    SearchMiss.objects.filter(pk=miss.pk).update(
        resolved_at=timezone.now(), resolved_by=user, resolution=_("已忽略：不是办事问题")
    )


def forget_phrase(taught: SearchPhrase) -> None:
    """Take a taught phrase back (it pointed to the wrong item); the entries are re-indexed."""
    item = taught.catalog_item
    with transaction.atomic():
        taught.delete()
        search_index.index_item(item.pk)
