"""Absolute links the licence carries (its verification page): the platform's public address."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import reverse


@functools.lru_cache(maxsize=64)
def _path(name: str, args: tuple) -> str:
    # The URL map does not change while a process runs; reversing costs more than a scan's
    # signature check once the rest is hand-written (verification builds this link every time).
    return reverse(name, args=args)


def absolute(name: str, *args) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + _path(name, args)
