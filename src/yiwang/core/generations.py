"""Change counters shared by every process (`core.models.Generation`): a cache keyed by a
generation needs no invalidation, since `bump` in the changing transaction makes the next key new.

`seen` is what the hottest pages key on (the guide, a repeated search): the counter as this process
read it at most `FRESH` seconds ago, so that they need no statement at all (all counters are read
together, in one statement). Another process's change is therefore seen here within `FRESH`
seconds; this process's own at once, since `bump` forgets the copy after its commit. Inside a
transaction `seen` reads the counter and keeps nothing: the transaction may have bumped it, and
another thread must not key what it reads of the old data on the new number before the commit
(ADR 14)."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from yiwang.core.memo import Memo
from yiwang.core.models import Generation

CATALOG = "catalog"  # what search shows: published entries, their tokens, bundles, phrases
STATS = "stats"  # the statistics of settled days (stats.queries): a late event, a rebuild
# The names the catalog's pages show beside an entry and that change without it: a division's,
# a department's, an item type's, a topic's (`directory_changed`). Bumped rarely, so the guide's
# rendered bodies can key on it (they do not key on CATALOG, which every publication bumps).
DIRECTORY = "directory"
# Who serves where: a staff account, its roles, its division or whether it is active changed
# (`accounts.staffing`). The supervisors' warning of divisions no window clerk serves keys on it.
STAFFING = "staffing"
FRESH = 1.0  # seconds

_seen = Memo(size=1, ttl=FRESH)
_ALL = "*"


def current(key: str) -> int:
    """The counter as committed now (one statement)."""
    return Generation.objects.filter(key=key).values_list("n", flat=True).first() or 0


def _all() -> dict[str, int]:
    return dict(Generation.objects.values_list("key", "n"))


def seen(key: str) -> int:
    """The counter as this process read it at most `FRESH` seconds ago, or after its last `bump`."""
    if not memo_usable():
        return current(key)
    return _seen.get(_ALL, _all).get(key, 0)


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
    transaction.on_commit(lambda: _seen.forget(_ALL))


def directory_changed() -> None:
    """A division, department, item type or topic was added, renamed, moved or removed: the
    guide pages and search answers that show its name are rendered afresh (`DIRECTORY`, and
    `CATALOG` for search, whose lists of departments and topics change with it)."""
    bump(DIRECTORY)
    bump(CATALOG)
