"""Fixed-window counters shared by every process: `bump` adds one to several counters of the
current window in ONE statement and returns their new values.

`INSERT … VALUES (k1, w, 1), (k2, w, 1) ON CONFLICT (key, window_start) DO UPDATE SET n = n + 1
RETURNING key, n` (PostgreSQL 9.5+, SQLite 3.35+), as `cases.numbering` takes case numbers: the
row lock (PostgreSQL) or the write lock (SQLite) makes concurrent bumps return consecutive values,
never the same one, so a limit checked against the returned value cannot be raced. It runs in
autocommit (its own short write transaction), outside any transaction of the request, so a request
that fails still counts. The statement starts with `TAG`, so benchmarks can tell it apart.
"""

from __future__ import annotations

import functools
import time

from django.db import connection

from yiwang.core import rows
from yiwang.core.models import RateCounter

TAG = "/* rate-limit */"


@functools.cache
def _upsert_sql(vendor: str, rows: int) -> str:
    del vendor  # the cache key: quoting differs by database
    qn = connection.ops.quote_name
    table = qn(RateCounter._meta.db_table)
    key, window, n = qn("key"), qn("window_start"), qn("n")
    values = ", ".join(["(%s, %s, 1)"] * rows)
    return (
        f"{TAG} INSERT INTO {table} ({key}, {window}, {n}) VALUES {values} "
        f"ON CONFLICT ({key}, {window}) DO UPDATE SET {n} = {table}.{n} + 1 RETURNING {key}, {n}"
    )


@functools.cache
def _along_sql(vendor: str, rows: int, select: str) -> str:
    """The upsert and `select` in one statement: each bumped counter's row carries the select's
    one row (or NULLs when it finds none)."""
    del vendor
    qn = connection.ops.quote_name
    upsert = _upsert_sql(connection.vendor, rows).removeprefix(TAG).strip()
    return f"{TAG} WITH b AS ({upsert}) SELECT b.{qn('key')}, b.{qn('n')}, q.* FROM b LEFT JOIN ({select}) q ON TRUE"


def bump_along(
    keys: list[str], window_start: int, select: str, params: list[object]
) -> tuple[dict[str, int], tuple | None]:
    """`bump`, and the first row of `select` (a read-only SELECT returning at most one row, whose
    first column is never NULL in a row it finds), in one round trip on PostgreSQL (a
    data-modifying WITH); two statements on SQLite, whose WITH cannot modify. The API's limiter
    reads the bearer token's account this way: it ran as a statement of its own at authentication,
    a second round trip for every API request with a token."""
    keys = sorted(set(keys))
    bump_params: list[object] = []
    for key in keys:
        bump_params += [key, window_start]
    if connection.vendor != "postgresql":
        counts = dict(rows.execute(_upsert_sql(connection.vendor, len(keys)), bump_params))
        return counts, rows.fetch(select, params)
    found = rows.execute(_along_sql(connection.vendor, len(keys), select), bump_params + list(params))
    counts = {key: n for key, n, *_rest in found}
    first = found[0][2:] if found else ()
    return counts, (tuple(first) if first and first[0] is not None else None)


def window_of(seconds: int, now: float | None = None) -> tuple[int, int]:
    """The current window's start and the seconds left in it (at least 1)."""
    now = time.time() if now is None else now
    start = int(now // seconds) * seconds
    return start, max(1, int(start + seconds - now + 0.999))


def bump(keys: list[str], window_start: int) -> dict[str, int]:
    """Add one to each key's counter in the window starting at `window_start`; the new counts."""
    keys = sorted(set(keys))  # one lock order for every caller: no deadlock between two bumps
    params: list[object] = []
    for key in keys:
        params += [key, window_start]
    return dict(rows.execute(_upsert_sql(connection.vendor, len(keys)), params))


def purge(older_than_seconds: int = 3600) -> int:
    """Drop the counters of windows that started more than `older_than_seconds` ago."""
    deleted, _detail = RateCounter.objects.filter(window_start__lt=time.time() - older_than_seconds).delete()
    return deleted
