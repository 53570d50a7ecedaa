"""What a published guide version fixes for every case applied under it, read once per process.

A published `EntryVersion` never changes (editing starts a new version), so its materials,
situations, form and review steps can be kept in memory: the hot paths (applying, the checklist,
the case page) then read them without a query. The key includes `published_at`, so a version row
that is replaced (a test database rolled back and its id reused) is never mistaken for another.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from yiwang.cases import deadlines
from yiwang.catalog.models import CaseKind, Entry, EntryVersion, Material, Situation
from yiwang.core import generations, rows
from yiwang.core.memo import Memo
from yiwang.core.models import Department, Division

DEFAULT_REVIEW_STEPS = ({"name": "审查", "role": "reviewer"}, {"name": "决定", "role": "approver"})
CACHE_SIZE = 4096


@dataclass(frozen=True)
class Published:
    version_id: int
    materials: tuple[Material, ...]  # guide order
    situations: dict[int, Situation]
    form_schema: dict[str, Any]
    review_steps: tuple[dict[str, str], ...]
    case_kind: str
    limit: int  # the decision limit a case takes (0 for 即办件)
    limit_unit: str  # workday / day / hour (`deadlines.UNITS`)
    tolerance_acceptance: bool
    notification_commitment: bool
    express_delivery: bool
    audience: str  # person / enterprise / both (服务对象)
    version: EntryVersion | None = field(default=None, compare=False, repr=False)
    _schemas: dict[int | None, dict[str, Any]] = field(default_factory=dict, compare=False)

    def materials_for(self, situation_id: int | None) -> list[Material]:
        return [m for m in self.materials if m.situation_id is None or m.situation_id == situation_id]

    def schema_for(self, situation_id: int | None) -> dict[str, Any]:
        """The form the applicant fills: the entry's, with the situation's own fields appended."""
        schema = self._schemas.get(situation_id)
        if schema is None:
            schema = dict(self.form_schema or {})
            fields = list(schema.get("fields", []))
            situation = self.situations.get(situation_id) if situation_id else None
            if situation is not None and situation.form_schema:
                names = {f["name"] for f in fields}
                fields += [f for f in situation.form_schema.get("fields", []) if f["name"] not in names]
            schema["fields"] = fields
            self._schemas[situation_id] = schema
        return schema


_cache: OrderedDict[tuple[int, dt.datetime | None], Published] = OrderedDict()
_lock = threading.Lock()


def decision_limit(version: EntryVersion) -> tuple[int, str]:
    """The limit a case is held to and its unit: the promised limit (what the guide tells the
    applicant), else the legal one, else the statutory 20 working days of art. 42; 即办件 none."""
    if version.case_kind == CaseKind.INSTANT:
        return 0, "workday"
    if version.promised_limit:
        return version.promised_limit, version.promised_limit_unit or "workday"
    if version.legal_limit:
        return version.legal_limit, version.legal_limit_unit or "workday"
    return deadlines.LEGAL_DECISION_WORKDAYS, "workday"


def published(version: EntryVersion) -> Published:
    return _published(version.pk, version.published_at, lambda: version)


def _published(version_id: int, published_at: dt.datetime | None, load) -> Published:
    key = (version_id, published_at)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    version = load()
    limit, unit = decision_limit(version)
    parts = Published(
        version_id=version.pk,
        materials=tuple(Material.objects.filter(version_id=version.pk).order_by("order", "pk")),
        situations={s.pk: s for s in Situation.objects.filter(version_id=version.pk)},
        form_schema=version.form_schema or {},
        review_steps=tuple(version.review_steps or DEFAULT_REVIEW_STEPS),
        case_kind=version.case_kind,
        limit=limit,
        limit_unit=unit,
        tolerance_acceptance=version.tolerance_acceptance,
        notification_commitment=version.notification_commitment,
        express_delivery=version.express_delivery,
        audience=version.audience,
        version=version,
    )
    if version.published_at is None:  # a draft under test or preview: not immutable, not cached
        return parts
    with _lock:
        _cache[key] = parts
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return parts


# The rows `entry_to_apply` read, by entry code and the catalog's generation: another process's
# publication or change of status (both bump CATALOG, `catalog.search_index.index_entry`), or a
# department's or division's change (`generations.directory_changed`) is seen here within
# `generations.FRESH` (1 s), this process's own at once. The row is kept, not the instances built
# from it (each request builds its own: nothing shared between threads can be changed), and for
# at most `ttl` seconds, so a change made around the services (by hand, in the database) shows
# within that too. Not inside a transaction, whose reads may be its own uncommitted changes.
_ROWS = Memo(size=4096, ttl=30.0)


def forget_entries() -> None:
    """Read every entry afresh (tests: a rolled-back database reuses codes and generations)."""
    _ROWS.clear()


def _entry_row(code: str) -> tuple | None:
    sql = _entry_sql(connection.vendor)
    if not generations.memo_usable():
        return rows.fetch(sql, [code])
    key = f"{generations.seen(generations.CATALOG)}:{code}"
    return _ROWS.get(key, lambda: rows.fetch(sql, [code]), keep=lambda row: row is not None)


def entry_to_apply(code: str) -> Entry | None:
    """The entry with this code, its department and division, and its published version (from
    the cache above when it holds it): one hand-written statement (`core.rows`) on the path every
    submission takes, where the ORM's `select_related` cost ten times its CPU; its row kept per
    process by the catalog's generation (`_ROWS`), so a submission to an entry applied for
    before reads nothing here."""
    found = _entry_row(code)
    if found is None:
        return None
    entry, department, division = rows.build_all((Entry, Department, Division), found)
    assert entry is not None and department is not None and division is not None
    Department.division.field.set_cached_value(department, division)
    Entry.department.field.set_cached_value(entry, department)
    if entry.published_id is not None:
        published_at = rows.convert(EntryVersion, "published_at", found[-1])
        version_id = entry.published_id
        parts = _published(version_id, published_at, lambda: EntryVersion.objects.get(pk=version_id))
        Entry.published.field.set_cached_value(entry, parts.version)
    return entry


@functools.cache
def _entry_sql(vendor: str) -> str:
    del vendor  # the cache key: quoting differs by database
    qn = connection.ops.quote_name
    return (
        f"SELECT {rows.columns(Entry, 'e')}, {rows.columns(Department, 'd')}, "
        f"{rows.columns(Division, 'v')}, p.{qn('published_at')} "
        f"FROM {qn(Entry._meta.db_table)} e "
        f"JOIN {qn(Department._meta.db_table)} d ON d.{qn('id')} = e.{qn('department_id')} "
        f"JOIN {qn(Division._meta.db_table)} v ON v.{qn('id')} = d.{qn('division_id')} "
        f"LEFT JOIN {qn(EntryVersion._meta.db_table)} p ON p.{qn('id')} = e.{qn('published_id')} "
        f"WHERE e.{qn('code')} = %s"
    )
