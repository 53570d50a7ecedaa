"""The licences in Django's admin: read-only views for an administrator's inspection. Changes go
through the workbench's pages (and so through the services): a seal is never made, a status never
changed, in here."""

from django.contrib import admin

from yiwang.licences.models import Licence, LicenceEvent, LicenceType, LicenceUse, SealKey


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(ReadOnly):
    list_display = ["code", "name", "agency", "holder_kind", "validity_years", "is_active"]
    search_fields = ["code", "name"]


@admin.register(SealKey)
class SealKeyAdmin(ReadOnly):
    list_display = ["kid", "department", "valid_from", "valid_until", "withdrawn_at"]
    exclude = ["private_sealed"]


@admin.register(Licence)
class LicenceAdmin(ReadOnly):
    list_display = ["number", "licence_type", "issuer", "status", "issued_on", "valid_until"]
    list_filter = ["status"]
    search_fields = ["identifier", "number"]
    exclude = ["holder_id"]


@admin.register(LicenceEvent)
class LicenceEventAdmin(ReadOnly):
    list_display = ["licence", "action", "from_status", "to_status", "at"]


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnly):
    list_display = ["licence", "kind", "case_number", "at"]
