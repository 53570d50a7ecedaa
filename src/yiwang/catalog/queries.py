"""Reads of the catalog used by the portal, the workbench, the API and statistics."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yiwang.catalog import search, service_index
from yiwang.catalog.guide_document import SCALAR_FIELDS, version_to_document
from yiwang.catalog.models import Entry, EntryStatus, EntryVersion, Material
from yiwang.core import areas
from yiwang.core.models import Division


@dataclass
class ItemFilters:
    q: str = ""
    division: str | None = None  # a division code: entries of departments in its subtree
    department: int | None = None
    item_type: str | None = None
    topic: str | None = None
    audience: str | None = None  # person / enterprise: includes entries for both
    online_depth: int | None = None  # at least this depth
    level: int | None = None


def published_entries() -> QuerySet[Entry]:
    """Entries a citizen can see: published and active (suspended ones are shown, marked)."""
    return Entry.objects.filter(
        published__isnull=False, status__in=[EntryStatus.ACTIVE, EntryStatus.SUSPENDED]
    )


def find_items(filters: ItemFilters) -> tuple[QuerySet[Entry], list[int] | None]:
    """Published entries matching the filters; with `q`, also the ranked ids (best first)."""
    qs = published_entries().select_related("department__division", "catalog_item__item_type", "published")
    if filters.division:
        from yiwang.core.services import get_division_by_code

        qs = qs.filter(department__division__code__startswith=get_division_by_code(filters.division).prefix)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.item_type:
        qs = qs.filter(catalog_item__item_type__code=filters.item_type)
    if filters.topic:
        qs = qs.filter(published__topics__code=filters.topic)
    if filters.audience in ("person", "enterprise"):
        qs = qs.filter(published__audience__in=[filters.audience, "both"])
    if filters.online_depth is not None:
        qs = qs.filter(published__online_depth__gte=filters.online_depth)
    if filters.level:
        qs = qs.filter(department__division__level=filters.level)
    ranked = None
    if filters.q.strip():
        ranked = search.ranked_ids(filters.q, qs)  # filters apply inside the search
        qs = qs.filter(pk__in=ranked)
    return qs.distinct() if filters.topic else qs, ranked


def page_of_items(filters: ItemFilters, page: int, page_size: int) -> tuple[int, list[Entry]]:
    """One page of matching entries, ranked by relevance when searching, else by code."""
    candidates, _ranked = find_items(replace(filters, q=""))
    if filters.q.strip():
        return search.page_of_entries(filters.q, candidates, page, page_size)
    count, start = candidates.count(), (page - 1) * page_size
    if start >= count:  # past the end (however far): no query the database cannot answer
        return count, []
    return count, list(candidates.order_by("code")[start : start + page_size])


@dataclass
class Service:
    """One service as a citizen looks for it: the copy to use (`entry`, the one for the chosen
    area when there is one), a few of the same service's copies nearby (other counties of the
    area's city: `others`, nearest first) and how many copies there are in all (`total`)."""

    entry: Entry
    others: list[Entry] = field(default_factory=list)
    total: int = 1


NEARBY = 8  # other copies listed on a card: the area's neighbours, never a province's hundreds


def _which(keys: list[tuple[str, str]]) -> Q:
    which = Q()
    for name, plain in keys:
        which |= Q(name=name, plain_title=plain)
    return which


Key = tuple[str, str]  # a service: (official name, plain title)


def _services(
    candidates: QuerySet[Entry], keys: list[Key], known: dict[Key, tuple[int, str]], area: Division | None
) -> list[Service]:
    """The page's services, in `keys` order, from what the ranking statement already knows of
    each (`known`: how many copies, the first copy's code): one more statement, whatever the
    number of copies, for the copies to show (the area's own, above and below it, and its city's
    other counties; without an area, each service's first copy by code)."""
    if area is not None:
        nearby = areas.offered_in(area) | Q(department__division__code__startswith=area.code[:4])
        shown = list(candidates.filter(_which(keys)).filter(nearby))
    else:
        shown = list(candidates.filter(code__in=[known[key][1] for key in keys]))
    copies: dict[Key, list[Entry]] = {}
    for entry in shown:
        copies.setdefault((entry.name, entry.plain_title), []).append(entry)
    out = []
    for key in keys:
        found = copies.get(key)
        if not found:
            continue
        if area is not None:
            found.sort(key=lambda e: (areas.distance(area, e.department.division), e.code))
        else:
            found.sort(key=lambda e: e.code)
        out.append(Service(found[0], found[1 : 1 + NEARBY], known[key][0]))
    return out


def page_of_services(
    filters: ItemFilters, page: int, page_size: int, area: Division | None = None
) -> tuple[int, list[Service]]:
    """One page of services (one card per service, however many departments implement it),
    ranked by relevance when searching, else by code. With an `area`, only services offered there
    (by its own departments, those above it or below it) and the nearest copy first. One
    statement for the page when searching with no filter but the area (the ranking comes from
    `service_index`), three with filters (ranking, texts, copies), three when browsing."""
    candidates, _ranked = find_items(replace(filters, q=""))
    within = areas.offered_in(area) if area is not None else None
    start = (page - 1) * page_size
    if filters.q.strip():
        if replace(filters, q="") == ItemFilters():  # the search box: the services in memory
            _query, groups = service_index.current().ranked_groups(filters.q, area)
        else:
            _query, groups = search.ranked_groups(filters.q, candidates, within)
        count = len(groups)
        chosen = groups[start : start + page_size]
        known = {(g.name, g.plain_title): (g.count, g.first_code) for g in chosen}
    else:
        inside = {"inside": Count("pk", filter=within)} if within is not None else {}
        grouped = (
            candidates.order_by()
            .values_list("name", "plain_title")
            .annotate(n=Count("pk"), first=Min("code"), **inside)
        )
        if inside:
            grouped = grouped.filter(inside__gt=0)
        count = grouped.count()
        known = {(r[0], r[1]): (r[2], r[3]) for r in grouped.order_by("first")[start : start + page_size]}
    if not known:
        return count, []
    return count, _services(candidates, list(known), known, area)


def version_with_children(version_id: int) -> EntryVersion:
    return (
        EntryVersion.objects.select_related(
            "entry__department__division", "entry__catalog_item__item_type", "result_sample"
        )
        .prefetch_related(
            "topics",
            "situations",
            "fees",
            "faqs",
            Prefetch("materials", queryset=Material.objects.select_related("blank_form", "sample_form")),
        )
        .get(pk=version_id)
    )


def published_document(code: str) -> dict[str, Any] | None:
    entry = published_entries().filter(code=code).only("pk", "published_id", "status").first()
    if entry is None:
        return None
    version = version_with_children(entry.published_id)
    doc = version_to_document(version)
    doc["status"] = entry.status
    # The identifiers `POST /api/v1/cases` takes (`situation`, `materials[].material`), beside the
    # exchange document's own keys (the situation's seq).
    for row, situation in zip(doc["situations"], version.situations.all(), strict=True):
        row["id"] = situation.pk
    for row, material in zip(doc["materials"], version.materials.all(), strict=True):
        row["id"] = material.pk
    return doc


CHILD_LABELS = {
    "situations": _("办理情形"),
    "materials": _("申请材料"),
    "fees": _("收费项目"),
    "faqs": _("常见问题"),
}


def diff_versions(old: EntryVersion, new: EntryVersion) -> list[dict[str, Any]]:
    """Readable changes between two versions: element label, before, after."""
    a, b = version_to_document(old), version_to_document(new)
    changes = []
    for name in [
        *SCALAR_FIELDS,
        "aliases",
        "procedure",
        "special_procedures",
        "review_steps",
        "handling_forms",
        "topics",
        "situations",
        "materials",
        "fees",
        "faqs",
        "form_schema",
    ]:
        if a.get(name) != b.get(name):
            label = (
                CHILD_LABELS[name]
                if name in CHILD_LABELS
                else EntryVersion._meta.get_field(name).verbose_name
            )
            changes.append(
                {"element": name, "label": str(label), "before": a.get(name), "after": b.get(name)}
            )
    return changes
