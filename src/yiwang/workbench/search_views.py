"""未答检索: the questions citizens asked that the search did not answer, for item administrators
to teach the search in one step (an everyday phrase of a basic-catalog item) or dismiss."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.catalog import search, search_log
from yiwang.catalog.models import CatalogItem, Entry, SearchMiss, SearchPhrase
from yiwang.catalog.queries import published_entries
from yiwang.workbench.access import is_item_admin, role_required

PAGE_SIZE = 30
SUGGESTIONS = 5


def _suggestions(query: str) -> list[tuple[int, str]]:
    """Catalog items the question's words come nearest to: (item id, name), best first."""
    ranked = search.ranked_ids(query, limit=40)
    items: dict[int, str] = {}
    rows = dict(published_entries().filter(pk__in=ranked).values_list("pk", "catalog_item_id"))
    names = dict(CatalogItem.objects.filter(pk__in=set(rows.values())).values_list("pk", "name"))
    for pk in ranked:
        item = rows.get(pk)
        if item is not None and item not in items:
            items[item] = names[item]
        if len(items) >= SUGGESTIONS:
            break
    return list(items.items())


def _find_item(text: str) -> CatalogItem | None:
    """The item an administrator typed: a basic code, an implementation code or an exact name."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return None
    item = CatalogItem.objects.filter(basic_code=text).first()
    if item is None:
        entry = Entry.objects.filter(code=text).select_related("catalog_item").first()
        item = entry.catalog_item if entry else None
    if item is None:
        item = CatalogItem.objects.filter(name=text, is_active=True).order_by("basic_code").first()
    return item


@role_required(is_item_admin)
def search_misses(request: HttpRequest) -> HttpResponse:
    show_done = request.GET.get("state") == "done"
    misses = (
        SearchMiss.objects.filter(resolved_at__isnull=False).order_by("-resolved_at")
        if show_done
        else search_log.open_misses()
    )
    page = Paginator(misses, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"miss": m, "suggestions": [] if show_done else _suggestions(m.query)} for m in page]
    phrases = SearchPhrase.objects.select_related("catalog_item", "added_by").order_by("-added_at")[:50]
    return render(
        request,
        "workbench/catalog/search_misses.html",
        {"rows": rows, "page": page, "show_done": show_done, "phrases": phrases},
    )


@require_POST
@role_required(is_item_admin)
def search_miss_fix(request: HttpRequest, miss_id: int) -> HttpResponse:
    miss = get_object_or_404(SearchMiss, pk=miss_id, resolved_at__isnull=True)
    if request.POST.get("action") == "dismiss":
        search_log.dismiss(miss, request.user)
        messages.success(request, _("已忽略“%(q)s”。") % {"q": miss.query})
        return redirect("workbench:search-misses")
    chosen = request.POST.get("item", "")
    item = None
    if chosen.isascii() and chosen.isdigit() and len(chosen) < 12:
        item = CatalogItem.objects.filter(pk=int(chosen)).first()
    if item is None:
        item = _find_item(request.POST.get("other", ""))
    if item is None:
        messages.error(
            request,
            _("没有找到要教给搜索的事项：请选一个建议，或输入事项名称、基本编码或实施编码。"),
        )
        return redirect("workbench:search-misses")
    taught = search_log.teach(miss, item, request.user, request.POST.get("phrase") or None)
    messages.success(
        request, _("已教会搜索：搜“%(q)s”会找到“%(item)s”。") % {"q": taught.phrase, "item": item.name}
    )
    return redirect("workbench:search-misses")


@require_POST
@role_required(is_item_admin)
def search_phrase_forget(request: HttpRequest, phrase_id: int) -> HttpResponse:
    taught = get_object_or_404(SearchPhrase, pk=phrase_id)
    search_log.forget_phrase(taught)
    messages.success(request, _("已删除日常说法“%(q)s”。") % {"q": taught.phrase})
    return redirect("workbench:search-misses")
