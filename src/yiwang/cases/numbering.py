"""Case numbers (办件编号): implementation code + yyyymmdd + a 5-digit sequence per entry and day.

The sequence comes from a counter row per entry and day, taken in ONE statement inside the
submitting transaction: an upsert that creates the row at 1 or increments it, returning the value
(`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, PostgreSQL 9.5+ and SQLite 3.35+). The row lock
(PostgreSQL) or the write lock (SQLite, IMMEDIATE transactions) makes concurrent submissions take
consecutive numbers, never the same one; a rolled-back submission gives its number back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models

from yiwang.cases.models import CaseNumberCounter
from yiwang.core import rows

SEQUENCE_DIGITS = 5


def next_number(entry_code: str, day: dt.date) -> str:
    return take(entry_code, day)[0]


def take(
    entry_code: str, day: dt.date, reserve: Sequence[tuple[type[models.Model], int]] = ()
) -> tuple[str, list[list[int]] | None]:
    """The next number, and in the same statement on PostgreSQL the next generated keys of the
    models in `reserve` (`rows.reserved_ids`: a submission names its case and events before
    writing them all in one statement); None for the keys elsewhere."""
    prefix = f"{entry_code}{day:%Y%m%d}"
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    ids = rows.reserved_ids(reserve)
    ((last, *reserved),) = rows.execute(
        f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "
        f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last"
        + (f", {ids[0]}" if ids else ""),
        [prefix, *(ids[1] if ids else ())],
    )
    return f"{prefix}{last:0{SEQUENCE_DIGITS}d}", (reserved if ids else None)
