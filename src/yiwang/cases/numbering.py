"""Case numbers (办件编号): implementation code + yyyymmdd + a 5-digit sequence per entry and day.

The sequence comes from a counter row per entry and day, taken in ONE statement inside the
submitting transaction: an upsert that creates the row at 1 or increments it, returning the value
(`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, PostgreSQL 9.5+ and SQLite 3.35+). The row lock
(PostgreSQL) or the write lock (SQLite, IMMEDIATE transactions) makes concurrent submissions take
consecutive numbers, never the same one; a rolled-back submission gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from yiwang.cases.models import CaseNumberCounter
from yiwang.core import rows

SEQUENCE_DIGITS = 5


def next_number(entry_code: str, day: dt.date) -> str:
    prefix = f"{entry_code}{day:%Y%m%d}"
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    ((last,),) = rows.execute(
        f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "
        f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last",
        [prefix],
    )
    return f"{prefix}{last:0{SEQUENCE_DIGITS}d}"
