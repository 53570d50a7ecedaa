"""Case numbers (办件编号): implementation code + yyyymmdd + a 5-digit sequence per entry and day.

The sequence comes from a counter row incremented with one UPDATE inside the submitting
transaction: the row lock (PostgreSQL) or the write lock (SQLite, IMMEDIATE transactions) makes
concurrent submissions take consecutive numbers, never the same one.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from yiwang.cases.models import CaseNumberCounter

SEQUENCE_DIGITS = 5


def next_number(entry_code: str, day: dt.date) -> str:
    prefix = f"{entry_code}{day:%Y%m%d}"
    for _attempt in range(3):
        # The UPDATE's lock lasts until the transaction ends, so the read sees our own increment.
        with transaction.atomic():
            if CaseNumberCounter.objects.filter(prefix=prefix).update(last=F("last") + 1):
                last = CaseNumberCounter.objects.values_list("last", flat=True).get(prefix=prefix)
                return f"{prefix}{last:0{SEQUENCE_DIGITS}d}"
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(prefix=prefix, last=1)
            return f"{prefix}{1:0{SEQUENCE_DIGITS}d}"
        except IntegrityError:  # another submission created the row first: increment it
            continue
    raise RuntimeError("could not allocate a case number")
