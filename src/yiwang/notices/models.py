"""Messages to applicants: in-site notices, the SMS outbox, and the editable message templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageTemplate(models.Model):
    """The text of one kind of message; `{name}` placeholders are filled from the event."""

    key = models.CharField(_("消息类型"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("站内信与邮件正文"))
    sms = models.CharField(_("短信正文"), max_length=300, blank=True, help_text=_("留空则不发短信"))
    # English texts, for accounts that use the English pages (issue 13); blank: the Chinese ones.
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True, default="")
    body_en = models.TextField(_("英文正文"), blank=True, default="")
    sms_en = models.CharField(
        _("英文短信正文"), max_length=300, blank=True, default="", help_text=_("留空则发中文短信")
    )
    send_email = models.BooleanField(_("发送邮件"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class Notice(models.Model):
    """An in-site message (站内信)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", db_index=False
    )
    key = models.CharField(max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.title


class SmsMessage(models.Model):
    """The local SMS outbox: what a gateway would send. A real gateway reads and marks it sent."""

    phone = models.CharField(_("手机号码"), max_length=20)
    text = models.CharField(_("短信内容"), max_length=500)
    key = models.CharField(max_length=40)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} {self.created_at:%Y-%m-%d %H:%M}"
