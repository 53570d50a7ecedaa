from django.contrib import admin

from yiwang.ratings.models import Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The local deadlines of the bad-rating loop and the invitation delay (one row)."""

    list_display = ("contact_workdays", "answer_workdays", "visit_workdays", "invite_after_days")

    def has_add_permission(self, request) -> bool:
        return not Policy.objects.exists()
