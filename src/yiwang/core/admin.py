from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.core import calendar_schedule, generations, outbox, services
from yiwang.core.identifiers import (
    division_level,
    division_parent_code,
    normalise_division_code,
    validate_uscc,
)
from yiwang.core.models import (
    CalendarAdjustment,
    CalendarDay,
    CalendarYear,
    Department,
    Division,
    OutboxDelivery,
    OutboxMessage,
    PeriodicJob,
)


class DivisionForm(forms.ModelForm):
    class Meta:
        model = Division
        fields = ["code", "name", "parent"]

    def clean(self):
        data = super().clean()
        code = normalise_division_code(data.get("code", ""))
        try:
            level = division_level(code)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None
        parent_code = division_parent_code(code)
        parent = Division.objects.filter(code=parent_code).first() if parent_code else None
        if parent_code and parent is None:
            raise ValidationError(
                {"code": _("上级区划 %(parent)s 不存在，请先建立上级区划。") % {"parent": parent_code}}
            )
        data["code"], data["parent"] = code, parent
        self.instance.level = level
        return data


class DirectoryAdmin(admin.ModelAdmin):
    """The admin of something whose name the catalog's pages show beside an entry (a division,
    a department, an item type, a topic): a save or deletion here is a
    `generations.directory_changed()`, so guide pages and search show the new name at once,
    not when their cached copies expire."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        generations.directory_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        generations.directory_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        generations.directory_changed()


@admin.register(Division)
class DivisionAdmin(DirectoryAdmin):
    form = DivisionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["level"]
    autocomplete_fields = ["parent"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = [
            "name",
            "short_name",
            "uscc",
            "nature",
            "division",
            "parent",
            "phone",
            "address",
            "is_active",
        ]

    def clean_uscc(self):
        return validate_uscc(self.cleaned_data["uscc"])


@admin.register(Department)
class DepartmentAdmin(DirectoryAdmin):
    form = DepartmentForm
    list_display = ["name", "uscc", "nature", "division", "is_active"]
    list_filter = ["nature", "division__level", "is_active"]
    search_fields = ["name", "uscc", "division__name"]
    autocomplete_fields = ["division", "parent"]


class CalendarAdjustmentInline(admin.TabularInline):
    model = CalendarAdjustment
    extra = 3


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "notice"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Administrators enter next year's schedule here once the State Council publishes it."""

    form = CalendarYearForm
    list_display = ["year", "source", "notice", "updated_at"]
    inlines = [CalendarAdjustmentInline]

    def save_model(self, request, obj, form, change):
        obj.source = CalendarYear.Source.ADMIN
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        year = form.instance
        adjustments = [
            calendar_schedule.Adjustment(a.kind, a.name, a.start, a.end) for a in year.adjustments.all()
        ]
        try:
            services.save_year_schedule(year.year, adjustments, source=year.source, notice=year.notice)
        except ValidationError as exc:
            # The adjustments are kept as entered; the administrator corrects them and saves again.
            self.message_user(request, "；".join(exc.messages), level=messages.ERROR)
        else:
            self.message_user(
                request, _("已按录入的节假日与调休生成 %(year)s 年的全部日期。") % {"year": year.year}
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "holiday_name", "is_makeup_workday", "workday_ordinal"]
    list_filter = ["is_workday", "is_makeup_workday", "date"]
    date_hierarchy = "date"
    search_fields = ["holiday_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # days are generated from the year's schedule; edit the year instead

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(admin.ModelAdmin):
    """Subscribers' receipts: the failed and dead ones are what an administrator looks at."""

    list_display = ["message", "subscriber", "state", "attempts", "next_attempt_at", "updated_at"]
    list_filter = ["state", "subscriber"]
    readonly_fields = [
        "message",
        "subscriber",
        "state",
        "attempts",
        "last_error",
        "next_attempt_at",
        "updated_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("立即重试所选投递"))
    def retry_now(self, request, queryset):
        count = outbox.retry(queryset.values_list("pk", flat=True))
        self.message_user(request, _("已安排 %(n)s 条事件重新投递。") % {"n": count}, messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "available_at", "done_at"]
    list_filter = ["topic"]
    readonly_fields = [
        "topic",
        "payload",
        "created_at",
        "available_at",
        "claimed_until",
        "claimed_by",
        "done_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_run_at", "last_worker"]
    readonly_fields = ["name", "last_run_at", "last_worker"]
