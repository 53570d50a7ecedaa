"""Cases in the admin: read-only. Every change goes through the services (and leaves an event);
nothing here can edit or delete a case or its trace."""

from django.contrib import admin

from yiwang.cases.models import Case, CaseDocument, CaseEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["number", "title", "department", "channel", "state", "due_date", "submitted_at"]
    list_filter = ["state", "channel"]
    search_fields = ["number"]
    list_select_related = ["department"]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ["case", "seq", "at", "actor_label", "action", "from_state", "to_state"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(CaseDocument)
class CaseDocumentAdmin(ReadOnly):
    """The documents cases produced (受理/不予受理通知书, 准予/不予许可决定书); the files themselves
    are served to the applicant and the handling staff through the case pages only."""

    list_display = ["case", "kind", "title", "event_seq", "created_at"]
    list_filter = ["kind"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    exclude = ["text"]
    show_full_result_count = False
