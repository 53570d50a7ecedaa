from __future__ import annotations

from django.contrib import admin

from yiwang.catalog.models import CatalogItem, Claim, Entry, EntryVersion, ItemType, Topic
from yiwang.core.admin import DirectoryAdmin


@admin.register(ItemType)
class ItemTypeAdmin(DirectoryAdmin):
    list_display = ["code", "name", "is_power"]


@admin.register(Topic)
class TopicAdmin(DirectoryAdmin):
    list_display = ["name", "name_en", "code", "audience", "order"]
    list_filter = ["audience"]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["basic_code", "name", "item_type", "initiation", "is_active"]
    list_filter = ["item_type", "initiation", "is_active"]
    search_fields = ["basic_code", "name"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["department", "catalog_item", "claimed_at"]
    search_fields = ["department__name", "catalog_item__name"]
    raw_id_fields = ["department", "catalog_item", "claimed_by"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only here: entries change only through the workbench's compile and review workflow."""

    list_display = ["code", "name", "department", "status", "published_at"]
    list_filter = ["status", "department__division__level"]
    search_fields = ["code", "name", "plain_title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EntryVersion)
class EntryVersionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "state", "published_at"]
    list_filter = ["state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
