from django.contrib import admin

from yiwang.notices.models import MessageTemplate, Notice, SmsMessage


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "send_email", "updated_at"]
    search_fields = ["key", "title"]


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "sent_at"]
    readonly_fields = ["phone", "text", "key", "created_at", "sent_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "title", "read_at"]
    readonly_fields = ["user", "key", "title", "body", "link", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False
