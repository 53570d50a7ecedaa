"""Change counters shared by every process (`core.models.Generation`): a cache keyed by a
generation needs no invalidation, since `bump` in the changing transaction makes the next key new.

`seen` is what the hottest pages key on (the guide, a repeated search): the counter as this process
read it at most `FRESH` seconds ago, so that they need no statement at all. Another process's
change is therefore seen here within `FRESH` seconds; this process's own at once, since `bump`
forgets the copy after its commit. Inside a transaction `seen` reads the counter and keeps
nothing: the transaction may have bumped it, and another thread must not key what it reads of the
old data on the new number before the commit (ADR 14)."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from yiwang.core.memo import Memo
from yiwang.core.models import Generation

CATALOG = "catalog"  # what search shows: published entries, their tokens, bundles, phrases
STATS = "stats"  # the statistics of settled days (stats.queries): a late event, a rebuild
FRESH = 1.0  # seconds

_seen = Memo(size=16, ttl=FRESH)


def current(key: str) -> int:
    """The counter as committed now (one statement)."""
    return Generation.objects.filter(key=key).values_list("n", flat=True).first() or 0


def seen(key: str) -> int:
    """The counter as this process read it at most `FRESH` seconds ago, or after its last `bump`."""
    if not memo_usable():
        return current(key)
    return _seen.get(key, lambda: current(key))


def memo_usable() -> bool:
    """Whether what is read now may be kept in a per-process memo keyed by `seen`: not inside a
    transaction, whose reads may include its own uncommitted changes."""
    return not connection.in_atomic_block


def forget_seen() -> None:
    """Read every counter afresh next time (tests: a rolled-back database reuses numbers)."""
    _seen.clear()


def bump(key: str) -> None:
    if not Generation.objects.filter(key=key).update(n=F("n") + 1):
        try:
            with transaction.atomic():
                Generation.objects.create(key=key, n=1)
        except IntegrityError:  # created meanwhile by another transaction
            Generation.objects.filter(key=key).update(n=F("n") + 1)
    # Once committed, read again (a read by another thread before the commit kept the old number).
    transaction.on_commit(lambda: _seen.forget(key))
