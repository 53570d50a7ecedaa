from django.contrib import admin

from yiwang.stats.models import Cost


@admin.register(Cost)
class CostAdmin(admin.ModelAdmin):
    """A department's cost of service in a month: the cost per case (GOV.UK's fourth figure)."""

    list_display = ("department", "month", "amount", "note")
    list_filter = ("month",)
    autocomplete_fields = ("department",)
