"""A bounded in-process memo for values many requests read and nobody changes: kept as the very
objects (no pickling, unlike Django's local-memory cache, whose unpickling of a province's
department list cost more than the query it saved). Keys must name everything the value depends
on (a generation, the language); entries also expire after `ttl` seconds."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Memo:
    def __init__(self, size: int, ttl: float):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], Any], keep: Callable[[Any], bool] | None = None) -> Any:
        """The value kept under `key`, else `compute()`'s, kept unless `keep` says otherwise."""
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] > now:
                self._items.move_to_end(key)
                return hit[1]
        value = compute()  # outside the lock: two threads may both compute, one value wins
        if keep is not None and not keep(value):
            return value
        with self._lock:
            self._items[key] = (now + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def forget(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
