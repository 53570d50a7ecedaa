"""Data built once per test module inside an outer transaction rolled back after the module; each
test then runs in a savepoint inside it, like Django's `setUpTestData`. Not for transactional or
live-server tests: their other connections cannot see it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def kept_for_module(
    django_db_blocker, build: Callable[[], Any], media_root: str | None = None
) -> Iterator[Any]:
    """Yield `build()`'s result, made inside the outer transaction (and with MEDIA_ROOT at
    `media_root`, if given, until the module ends); everything it wrote is rolled back after."""
    from django.db import transaction
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=media_root) if media_root else None
    if media is not None:
        media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with django_db_blocker.unblock():
            data = build()
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        if media is not None:
            media.disable()
