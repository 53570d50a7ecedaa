"""The objects a process keeps for its whole life, kept out of the garbage collector's full passes.

A serving process holds about 150,000 objects after its first request (Django, the apps, URL
resolvers, compiled templates, the calendar). Each full collection walked all of them: a 70–80 ms
pause landed on one page view in a hundred (measured with bench/stats.py's pages at a million
cases). After the process's first request they are moved to the permanent generation
(`gc.freeze`, meant for exactly this), so a full pass walks only what was made since.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

_done = threading.Event()
_lock = threading.Lock()


def freeze_after_first_request(**_: Any) -> None:
    """`request_finished` receiver: once per process, collect the first request's garbage and
    freeze what is left."""
    if _done.is_set():
        return
    with _lock:
        if _done.is_set():
            return
        gc.collect()
        gc.freeze()
        _done.set()
