"""What the workbench's catalog pages share: the entry a user may open (404 otherwise), breadcrumbs,
the 409 page of a refused action, a validation error's messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.catalog import access as catalog_access
from yiwang.catalog.models import Entry, EntryVersion


def entry_or_404(request: HttpRequest, entry_id: int) -> Entry:
    """An entry the user may open; anything else (another department's, unknown) is 404."""
    qs = catalog_access.entries_for_staff(request.user).select_related(
        "department__division", "catalog_item__item_type", "published"
    )
    return get_object_or_404(qs, pk=entry_id)


def latest_version_ids():
    """Subquery: the newest version of every entry (versions are numbered in creation order)."""
    return EntryVersion.objects.values("entry_id").annotate(m=Max("pk")).values("m")


def message_list(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def crumbs(*items) -> list[tuple[str, str | None]]:
    """Breadcrumb links after 工作台: (label, url); the last one (the page itself) has no url."""
    return [(str(label), url) for label, url in items]


def list_crumb() -> tuple[str, str]:
    return (_("事项管理"), reverse("workbench:catalog-entries"))


def entry_crumb(entry: Entry) -> tuple[str, str]:
    return (entry.name, reverse("workbench:catalog-entry", args=[entry.pk]))


def conflict(request: HttpRequest, entry: Entry, message: str, allowed: list[str] | None = None):
    return render(
        request,
        "workbench/catalog/conflict.html",
        {
            "entry": entry,
            "message": message,
            "allowed": allowed or [],
            "crumbs": crumbs(list_crumb(), entry_crumb(entry), (_("操作未能完成"), None)),
        },
        status=409,
    )
