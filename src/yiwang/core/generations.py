"""Change counters shared by every process (`core.models.Generation`): a cache keyed by `current`
needs no invalidation, since `bump` in the changing transaction makes the next key new."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from yiwang.core.models import Generation

CATALOG = "catalog"  # what search shows: published entries, their tokens, bundles, phrases


def current(key: str) -> int:
    return Generation.objects.filter(key=key).values_list("n", flat=True).first() or 0


def bump(key: str) -> None:
    if Generation.objects.filter(key=key).update(n=F("n") + 1):
        return
    try:
        with transaction.atomic():
            Generation.objects.create(key=key, n=1)
    except IntegrityError:  # created meanwhile by another transaction
        Generation.objects.filter(key=key).update(n=F("n") + 1)
