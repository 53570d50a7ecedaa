from django.contrib import admin

from yiwang.supervision.models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """An administrator's setting of a declared supervision rule (on/off, parameters)."""

    list_display = ("code", "enabled", "params", "updated_at")
