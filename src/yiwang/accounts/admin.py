from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yiwang.accounts.models import (
    AgentAuthorisation,
    Enterprise,
    LoginAttempt,
    Person,
    Staff,
    StaffRoleGrant,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "kind", "real_name_level", "is_active", "last_login"]
    list_filter = ["kind", "real_name_level", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("一网", {"fields": ["kind", "phone", "real_name_level", "elderly_mode", "language"]}),
    )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "user"]
    search_fields = ["name", "=id_number"]
    raw_id_fields = ["user"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "legal_representative", "user"]
    search_fields = ["name", "=uscc"]
    raw_id_fields = ["user"]


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "agent", "granted_at", "valid_until", "revoked_at"]
    raw_id_fields = ["enterprise", "agent"]


class RoleInline(admin.TabularInline):
    model = StaffRoleGrant
    extra = 1


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "division", "window"]
    list_filter = ["role_grants__role"]
    search_fields = ["name", "user__username", "department__name"]
    autocomplete_fields = ["department", "division"]
    raw_id_fields = ["user"]
    inlines = [RoleInline]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip_address", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
