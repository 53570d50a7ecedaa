"""Citizen pages (网上办事大厅): finding a service, browsing by topic and department, the guide
(一次性告知单) with its PDF, and downloading the forms the guide offers."""

from __future__ import annotations

import hashlib
import math
from dataclasses import astuple, dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from yiwang.accounts import access, areas
from yiwang.accounts.models import AccountKind
from yiwang.catalog import queries, search_log
from yiwang.catalog.models import (
    Audience,
    EntryStatus,
    EntryVersion,
    Material,
    OnlineDepth,
    Topic,
    VersionState,
)
from yiwang.core import areas as core_areas
from yiwang.core import generations
from yiwang.core.memo import Memo
from yiwang.core.models import Department, DivisionLevel, StoredFile
from yiwang.core.queries import divisions_at_level
from yiwang.core.uploads import file_response
from yiwang.portal import anonymous_pages, bundle_views, guide_cache, guide_pdf, presenters

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 100
VISIBLE_STATUSES = [EntryStatus.ACTIVE, EntryStatus.SUSPENDED]


# --- Reads for browsing (one query each) -----------------------------------------------------


def topics_with_counts() -> list[Topic]:
    """Every topic with `n`, the number of published entries classified under it."""
    return list(
        Topic.objects.annotate(
            n=Count(
                "versions",
                filter=Q(
                    versions__state=VersionState.PUBLISHED, versions__entry__status__in=VISIBLE_STATUSES
                ),
                distinct=True,
            )
        ).order_by("audience", "order", "code")
    )


def departments_with_counts() -> list[Department]:
    """Active departments that have published entries, with `n` = how many, by division."""
    return list(
        Department.objects.filter(is_active=True)
        .select_related("division")
        .annotate(
            n=Count(
                "entries",
                filter=Q(entries__published__isnull=False, entries__status__in=VISIBLE_STATUSES),
            )
        )
        .filter(n__gt=0)
        .order_by("division__code", "name")
    )


@dataclass
class DivisionGroup:
    name: str
    level: str
    departments: list[Department] = field(default_factory=list)


MAX_DEPARTMENT_CHOICES = 200  # a province has thousands of departments: no one scrolls those


def department_choices(departments: list[Department], area) -> list[Department]:
    """The departments the search's filter offers: those serving the chosen area (its own, above
    and below it); without an area, all of them while few, else the province's and cities'."""
    if area is not None:
        above = set(core_areas.ancestor_prefixes(area))
        return [
            d for d in departments if d.division.prefix in above or d.division.code.startswith(area.prefix)
        ]
    if len(departments) <= MAX_DEPARTMENT_CHOICES:
        return departments
    return [d for d in departments if d.division.level <= DivisionLevel.CITY][:MAX_DEPARTMENT_CHOICES]


def group_by_division(departments: list[Department]) -> list[DivisionGroup]:
    groups: dict[int, DivisionGroup] = {}
    for d in departments:
        division = d.division
        if division.pk not in groups:
            level = DivisionLevel(division.level).label if division.level in DivisionLevel.values else ""
            groups[division.pk] = DivisionGroup(division.name, str(level))
        groups[division.pk].departments.append(d)
    return list(groups.values())


def split_topics(topics: list[Topic]) -> tuple[list[Topic], list[Topic]]:
    person = [t for t in topics if t.audience != Audience.ENTERPRISE]
    enterprise = [t for t in topics if t.audience == Audience.ENTERPRISE]
    return person, enterprise


# --- Home --------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    if q:  # old links and bookmarks: the search page answers them
        return redirect(f"{reverse('portal:items')}?{urlencode({'q': q[:MAX_QUERY_LENGTH]})}")
    person_topics, enterprise_topics = split_topics([t for t in topics_with_counts() if t.n])
    return render(
        request,
        "portal/home.html",
        {
            "q": q,
            "counties": divisions_at_level(DivisionLevel.COUNTY),
            "person_topics": person_topics,
            "enterprise_topics": enterprise_topics,
        },
    )


# --- Search ------------------------------------------------------------------------------------


@dataclass
class SearchParams:
    q: str = ""
    topic: str = ""
    audience: str = ""
    department: int | None = None
    level: int | None = None
    full_online: bool = False
    page: int = 1

    @property
    def has_filters(self) -> bool:
        return bool(self.topic or self.audience or self.department or self.level or self.full_online)


# A page number past the answer's end shows its last page (`_answer`). Capped, so that the
# offset (page × PAGE_SIZE) always fits the database's integers: an edited link's
# ?page=99999999999999999999 was a 500 on SQLite and PostgreSQL.
MAX_PAGE = 1000


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def parse_search(data: QueryDict, topic_codes: set[str], department_ids: set[int]) -> SearchParams:
    """Read the GET parameters; anything unknown or malformed is ignored, never an error."""
    topic = data.get("topic", "").strip()
    department = _int(data.get("department"))
    level = _int(data.get("level"))
    audience = data.get("audience", "").strip()
    page = _int(data.get("page")) or 1
    return SearchParams(
        q=" ".join(data.get("q", "").split())[:MAX_QUERY_LENGTH],
        topic=topic if topic in topic_codes else "",
        audience=audience if audience in (Audience.PERSON, Audience.ENTERPRISE) else "",
        department=department if department in department_ids else None,
        level=level if level in presenters.LEVEL_CHOICES else None,
        full_online=data.get("online") in ("1", "on", "6"),
        page=min(max(page, 1), MAX_PAGE),
    )


def page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


@dataclass
class Facets:
    """The search filters' lists, read once per catalog generation and language, with the sets
    parameters are checked against and the area choice's options rendered once."""

    topics: list[Topic]
    departments: list[Department]
    area_choices: list
    topic_codes: set[str]
    department_ids: set[int]
    area_options: str

    @classmethod
    def load(cls) -> Facets:
        topics, departments, choices = topics_with_counts(), departments_with_counts(), areas.choices()
        indent = {DivisionLevel.COUNTY: "\u3000"}
        area_options = _options(
            [(areas.ALL, _("全部地区"))] + [(d.code, indent.get(d.level, "") + d.name) for d in choices]
        )
        return cls(
            topics,
            departments,
            choices,
            {t.code for t in topics},
            {d.pk for d in departments},
            area_options,
        )


def _options(pairs: list[tuple[object, str]]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in pairs)


def _department_options(departments: list[Department]) -> str:
    """The department filter's options (grouped by division), rendered once per area."""
    out = [_options([("", _("全部部门"))])]
    for group in group_by_division(departments):
        out.append(f'<optgroup label="{escape(group.name)}">')
        out.append(_options([(d.pk, f"{d.name}（{d.n}）") for d in group.departments]))
        out.append("</optgroup>")
    return "".join(out)


def _selected(options: str, value: object) -> SafeString:
    """Options rendered once, with this request's choice marked."""
    mark = f'value="{escape(value)}">'
    return SafeString(options.replace(mark, f'value="{escape(value)}" selected>', 1))


CACHE_SECONDS = 600  # a bound for what no generation covers (a department renamed by hand in SQL)
# Search answers and the filters' lists, per process (ADR 15): kept as objects, not pickled.
SEARCH_CACHE = Memo(size=5000, ttl=CACHE_SECONDS)


def _answer(params: SearchParams, filters: queries.ItemFilters, area, *, search_bundles: bool) -> dict:
    """One page of the search's answer, as cached: the cards, their count and pages, the bundles."""
    count, services = queries.page_of_services(filters, params.page, PAGE_SIZE, area)
    pages = max(1, math.ceil(count / PAGE_SIZE))
    page = params.page
    if page > pages:  # past the end (an old link): show the last page
        page = pages
        count, services = queries.page_of_services(filters, page, PAGE_SIZE, area)
    bundles = bundle_views.search_hits(params.q) if params.q and page == 1 and search_bundles else []
    cards = [presenters.service_card(s, area) for s in services]
    return {"count": count, "pages": pages, "page": page, "cards": cards, "bundles": bundles}


def items(
    request: HttpRequest, topic_code: str | None = None, department_id: int | None = None
) -> HttpResponse:
    """查找办事服务: ranked search with filters; the topic and department pages preset one filter.

    What the page shows of the catalog is cached per catalog generation (`core.generations`,
    bumped by every change search can see) and language: the filters' lists once, each answer
    per query, filters, area and page. A repeated search costs no statement: the generation is the
    one this process has seen (`generations.seen`, at most a second old)."""
    generation = generations.seen(generations.CATALOG)
    language = get_language() or ""
    facets_key = f"facets:{generation}:{language}"
    facets = SEARCH_CACHE.get(facets_key, Facets.load)
    topics, departments, area_choices = facets.topics, facets.departments, facets.area_choices
    preset_topic = preset_department = None
    if topic_code is not None:
        preset_topic = next((t for t in topics if t.code == topic_code), None)
        if preset_topic is None:
            raise Http404
    if department_id is not None:
        preset_department = next((d for d in departments if d.pk == department_id), None)
        if preset_department is None:
            preset_department = get_object_or_404(
                Department.objects.select_related("division"), pk=department_id, is_active=True
            )
    params = parse_search(request.GET, facets.topic_codes, facets.department_ids)
    if preset_topic:
        params.topic = preset_topic.code
    if preset_department:
        params.department = preset_department.pk
    filters = queries.ItemFilters(
        q=params.q,
        topic=params.topic or None,
        audience=params.audience or None,
        department=params.department,
        level=params.level,
        online_depth=OnlineDepth.FULL if params.full_online else None,
    )
    area, remembered = areas.current(request, request.GET.get("area"))
    if preset_department:  # a department's own list: its entries, whatever the area
        area = None
    answer_key = (
        "items:"
        + hashlib.sha256(
            repr(
                (
                    generation,
                    language,
                    astuple(params),
                    area.code if area else "",
                    bool(preset_topic),
                    bool(preset_department),
                )
            ).encode("utf-8", "surrogatepass")
        ).hexdigest()
    )
    answer = SEARCH_CACHE.get(
        answer_key,
        lambda: _answer(params, filters, area, search_bundles=not (preset_topic or preset_department)),
    )
    count, pages, cards, bundle_hits = answer["count"], answer["pages"], answer["cards"], answer["bundles"]
    params.page = answer["page"]
    if params.q and not count and not bundle_hits and not params.has_filters:
        search_log.record_no_result(params.q)  # for the item administrators' 未答检索 page
    partial = bool(request.htmx and not request.htmx.boosted)

    def page(**extra: Any) -> HttpResponse:
        person_topics, enterprise_topics = split_topics(topics)
        context = {
            "params": params,
            "q": params.q,
            "count": count,
            "cards": cards,
            "area": area,
            "area_choices": area_choices if not preset_department else [],
            # 一件事 the words name come first (开饭店 → 我要开饭店), on the first page only.
            "bundle_hits": bundle_hits,
            "page": params.page,
            "pages": pages,
            "page_numbers": page_numbers(params.page, pages) if pages > 1 else [],
            "first_index": (params.page - 1) * PAGE_SIZE + 1,
            "preset_topic": preset_topic,
            "preset_department": preset_department,
            "person_topics": person_topics,
            "enterprise_topics": enterprise_topics,
            "suggested_topics": [t for t in topics if t.n][:8],
            "area_options": _selected(facets.area_options, area.code if area else areas.ALL),
            "department_options": _selected(
                SEARCH_CACHE.get(
                    f"{facets_key}:departments:{area.code if area else ''}",
                    lambda: _department_options(department_choices(departments, area)),
                ),
                params.department or "",
            ),
            "levels": [(int(level), level.label) for level in presenters.LEVEL_CHOICES],
            "form_action": request.path,
            "show_filters_reset": params.has_filters and not (preset_topic or preset_department),
            **extra,
        }
        if partial:
            return render(request, "portal/_results.html", {**context, "oob": True})
        return render(request, "portal/items.html", context)

    if not anonymous_pages.served_whole(request):
        response = page()
    else:
        page_key = (
            "page:"
            + hashlib.sha256(
                repr(
                    (
                        answer_key,
                        partial,
                        bool(getattr(request, "elderly_mode", False)),
                        request.get_full_path(),
                    )
                ).encode("utf-8", "surrogatepass")
            ).hexdigest()
        )
        pieces = SEARCH_CACHE.get(page_key, lambda: anonymous_pages.split(lambda t: page(csrf_token=t)))
        response = HttpResponse(anonymous_pages.joined(request, pieces))
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    areas.remember(request, response, remembered)
    return response


# --- Browsing -----------------------------------------------------------------------------------


def topics(request: HttpRequest) -> HttpResponse:
    person_topics, enterprise_topics = split_topics(topics_with_counts())
    return render(
        request,
        "portal/topics.html",
        {"person_topics": person_topics, "enterprise_topics": enterprise_topics},
    )


def departments(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/departments.html", {"groups": group_by_division(departments_with_counts())}
    )


# --- The guide -----------------------------------------------------------------------------------


def _guide(code: str) -> dict:
    """The guide context of a published entry (a fixed number of queries), or 404."""
    row = queries.published_entries().filter(code=code).values("published_id").first()
    if row is None:
        raise Http404
    version = queries.version_with_children(row["published_id"])
    return presenters.guide_context(version.entry, version)


def guide(request: HttpRequest, code: str) -> HttpResponse:
    """The guide page: its body cached per published version and language (`guide_cache`)."""
    return guide_cache.respond(request, code)


def guide_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    context = _guide(code)
    pdf = guide_pdf.render_guide_pdf(context, request, language=get_language() or "zh-hans")
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("%(title)s-一次性告知单.pdf") % {"title": context["title"]}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Files a published guide offers -----------------------------------------------------------


def offered_by_published_guide(file_id) -> bool:
    """Only blank and sample forms of a published version's materials, and its result sample."""
    live = {"version__entry__published": F("version"), "version__entry__status__in": VISIBLE_STATUSES}
    if Material.objects.filter(Q(blank_form_id=file_id) | Q(sample_form_id=file_id), **live).exists():
        return True
    return EntryVersion.objects.filter(
        result_sample_id=file_id, entry__published=F("pk"), entry__status__in=VISIBLE_STATUSES
    ).exists()


def download(request: HttpRequest, file_id) -> HttpResponse:
    if not offered_by_published_guide(file_id):
        raise Http404
    stored = get_object_or_404(StoredFile, pk=file_id)
    try:
        return file_response(stored)
    except FileNotFoundError:
        raise Http404 from None


# --- Signed-in citizen ---------------------------------------------------------------------------


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.kind == AccountKind.STAFF:
        return redirect("workbench:home")
    return render(
        request,
        "portal/my_space.html",
        {
            "person": getattr(user, "person", None) if user.kind == AccountKind.PERSON else None,
            "enterprise": getattr(user, "enterprise", None) if user.kind == AccountKind.ENTERPRISE else None,
            "acting_for": access.enterprises_acted_for(user) if user.kind == AccountKind.PERSON else [],
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for the operator's monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
