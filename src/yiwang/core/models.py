"""Divisions, departments (implementing bodies), the working-day calendar, stored files, and the
event outbox with the worker's periodic jobs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.identifiers import LEVEL_PREFIX_LENGTH


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡镇（街道）")
    VILLAGE = 5, _("村（社区）")


class Division(models.Model):
    """An administrative division. `code` is always the 12-digit statistical code; the subtree of
    a division is every code starting with its `prefix`, so tree queries are index range scans."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    prefix = models.CharField(_("代码前缀"), max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.short_code}）"

    def save(self, *args, **kwargs):
        self.prefix = self.code[: LEVEL_PREFIX_LENGTH[self.level]]
        super().save(*args, **kwargs)

    @property
    def short_code(self) -> str:
        """The GB/T 2260 6-digit code for province, city and county; the 12-digit code below."""
        return self.code[:6] if self.level <= DivisionLevel.COUNTY else self.code


class DepartmentNature(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("行政机关")
    AUTHORISED = "authorised", _("法律法规授权组织")
    ENTRUSTED = "entrusted", _("受委托组织")
    INSTITUTION = "institution", _("事业单位")
    SERVICE_CENTRE = "service_centre", _("政务服务中心")
    OTHER = "other", _("其他")


class Department(models.Model):
    """An implementing body (实施主体): a department or organisation at one division."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    nature = models.CharField(
        _("实施主体性质"),
        max_length=20,
        choices=DepartmentNature.choices,
        default=DepartmentNature.ADMINISTRATIVE,
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="departments",
        db_index=False,  # department_unique_name_in_division leads with it
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门（实施主体）")
        verbose_name_plural = _("部门（实施主体）")
        ordering = ["division__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="department_unique_name_in_division"),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarYear(models.Model):
    """One year's official working-day schedule. Its days are generated from the weekends and the
    adjustments below; a year without a row here is unknown and no deadline may cross it."""

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar 数据")
        ADMIN = "admin", _("管理员录入")
        IMPORT = "import", _("文件导入")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ADMIN)
    notice = models.CharField(_("依据（国务院办公厅通知）"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日安排（年度）")
        verbose_name_plural = _("工作日安排（年度）")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarAdjustment(models.Model):
    """A holiday period (days off, weekdays included) or a make-up working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        MAKEUP = "makeup", _("调休上班")

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日名称"), max_length=30)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("节假日或调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} {self.start}–{self.end}"


class CalendarDay(models.Model):
    """One day of a known year. `workday_ordinal` counts working days from the first known day
    through this one, so a deadline is an index lookup, in Python or in SQL."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    holiday_name = models.CharField(_("节日"), max_length=30, blank=True)
    is_makeup_workday = models.BooleanField(_("调休上班"), default=False)
    workday_ordinal = models.PositiveIntegerField(_("工作日序号"), db_index=True)

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]

    def __str__(self) -> str:
        return self.date.isoformat()


class StoredFile(models.Model):
    """An uploaded file: stored under a generated name, its type sniffed from its content, served
    only through views that check who may see the object it belongs to."""

    id = models.UUIDField(primary_key=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    kind = models.CharField(_("格式"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)  # shown and compared, never searched by
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")

    def __str__(self) -> str:
        return self.original_name

    @property
    def storage_name(self) -> str:
        return f"{self.id.hex[:2]}/{self.id.hex}"


class OutboxMessage(models.Model):
    """An event to deliver after the transaction that wrote it commits (the transactional outbox).

    Written in the same transaction as the change it reports, so it exists exactly when the change
    does; delivered by the worker to every subscriber of its topic (`core.outbox`), at least once.
    """

    topic = models.CharField(_("主题"), max_length=64)
    payload = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    # When the next delivery round may start (later after a subscriber failed: back-off).
    available_at = models.DateTimeField(_("下次投递时间"), default=timezone.now)
    # A worker that took the message holds it until then; a killed worker's claim simply expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    done_at = models.DateTimeField(_("投递完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件发件箱")
        verbose_name_plural = _("事件发件箱")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"], condition=models.Q(done_at__isnull=True), name="outbox_pending"
            ),
            models.Index(
                fields=["claimed_by"], condition=models.Q(done_at__isnull=True), name="outbox_claim"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic}"


class OutboxDelivery(models.Model):
    """One subscriber's receipt of one message: recorded in the subscriber's own transaction, so a
    message is applied once per subscriber however often the worker retries it."""

    class State(models.TextChoices):
        DELIVERED = "delivered", _("已投递")
        FAILED = "failed", _("失败，待重试")
        DEAD = "dead", _("多次失败，已停止重试")

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.CharField(_("订阅者"), max_length=100)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事件投递")
        verbose_name_plural = _("事件投递")
        constraints = [
            models.UniqueConstraint(fields=["message", "subscriber"], name="outbox_delivery_unique"),
        ]
        indexes = [
            models.Index(
                fields=["state"], condition=~models.Q(state="delivered"), name="outbox_delivery_problems"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.subscriber}: {self.state}"


class PeriodicJob(models.Model):
    """A job the worker runs every so often. One row per job whatever the number of worker
    processes: the process whose conditional UPDATE moves `next_run_at` on is the one that runs it."""

    name = models.CharField(_("任务"), max_length=64, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"), default=timezone.now)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_worker = models.CharField(_("运行进程"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """A fixed-window request counter shared by every process (the API's rate limits,
    `api.ratelimit`): one row per key and window, bumped by one upsert (`core.rate_counters`).
    Rows of past windows are purged by the worker."""

    key = models.CharField(max_length=96)
    window_start = models.BigIntegerField()  # seconds since the epoch, a multiple of the window
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("请求计数")
        verbose_name_plural = _("请求计数")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="core_ratecounter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="core_ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window_start}: {self.n}"


class Generation(models.Model):
    """A counter that says "this changed": bumped in the transaction that changes something many
    readers cache (the published catalog, for search), read once per request, so every process
    sees a change as soon as it commits and a cached answer is never stale (`core.generations`)."""

    key = models.CharField(max_length=40, primary_key=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("变更代数")
        verbose_name_plural = _("变更代数")

    def __str__(self) -> str:
        return f"{self.key}: {self.n}"
