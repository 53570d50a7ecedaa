"""What a published guide version fixes for every case applied under it, read once per process.

A published `EntryVersion` never changes (editing starts a new version), so its materials,
situations, form and review steps can be kept in memory: the hot paths (applying, the checklist,
the case page) then read them without a query. The key includes `published_at`, so a version row
that is replaced (a test database rolled back and its id reused) is never mistaken for another.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from yiwang.cases import deadlines
from yiwang.catalog.models import CaseKind, EntryVersion, Material, Situation

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
    key = (version.pk, version.published_at)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
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
    )
    if version.published_at is None:  # a draft under test or preview: not immutable, not cached
        return parts
    with _lock:
        _cache[key] = parts
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return parts
