"""Statistics: daily aggregates maintained from events (never a scan of cases per page view), the
cursors of the periodic count of started applications and invitations, and the costs entered."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Counters(models.Model):
    """The counters both tables keep (`rules.COUNTERS` says what each counts)."""

    started = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    nearby = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    decided_on_time = models.IntegerField(default=0)
    instant = models.IntegerField(default=0)
    workdays_used_sum = models.IntegerField(default=0)
    workdays_promised_sum = models.IntegerField(default=0)
    # Counters added later have a database default too, so that a statement naming the older
    # columns only (bench/stats.py's fill) still inserts.
    materials_required = models.IntegerField(default=0, db_default=0)
    materials_spared = models.IntegerField(default=0, db_default=0)
    limit_compared = models.IntegerField(default=0, db_default=0)
    limit_compression_bp = models.IntegerField(default=0, db_default=0)
    finished = models.IntegerField(default=0)
    no_visit = models.IntegerField(default=0)
    one_visit = models.IntegerField(default=0)
    full_online = models.IntegerField(default=0)
    rating_opened = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rated_good = models.IntegerField(default=0)
    rated_bad = models.IntegerField(default=0)
    ruled = models.IntegerField(default=0)
    bad_rectified = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Daily(Counters):
    """One day's counters for one combination of the dimensions: the case's handling department,
    its division, the implementation entry, the channel applied by, and the window department
    that took it in (`intake`: the department's id, 0 for none — a plain column, not a nullable
    key, so the unique key that every upsert names holds on SQLite and PostgreSQL alike, where
    NULLs would be distinct). Each counter is on the day of the event that moved it (`rules`)."""

    day = models.DateField(_("日期"))
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    entry = models.ForeignKey("catalog.Entry", on_delete=models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField(_("申请渠道"), max_length=8)
    intake = models.PositiveIntegerField(_("受理窗口部门"), default=0)

    KEY = ("day", "department_id", "division_code", "entry_id", "channel", "intake")

    class Meta:
        verbose_name = _("统计日汇总")
        verbose_name_plural = _("统计日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department", "division_code", "entry", "channel", "intake"],
                name="stats_daily_key",
            )
        ]
        indexes = [
            models.Index(fields=["division_code", "day"], name="stats_daily_division"),
            models.Index(fields=["department", "day"], name="stats_daily_department"),
            models.Index(fields=["entry", "day"], name="stats_daily_entry"),
            models.Index(fields=["day", "division_code"], name="stats_daily_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.entry_id}/{self.channel}/{self.intake}"


class Rollup(Counters):
    """The dimensions of a roll-up: `Daily`'s without the entry (its period column is the model's)."""

    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    channel = models.CharField(_("申请渠道"), max_length=8)
    intake = models.PositiveIntegerField(_("受理窗口部门"), default=0)

    class Meta:
        abstract = True


class Monthly(Rollup):
    """`Daily` summed by month, without the entry: what a period longer than a few weeks reads
    (whole months here, the days at its edges from `Daily`), so a year's overview of a province
    sums thousands of rows, not a row per case. Kept by the same upsert as `Daily`."""

    month = models.DateField(_("月份"))

    KEY = ("month", "department_id", "division_code", "channel", "intake")

    class Meta:
        verbose_name = _("统计月汇总")
        verbose_name_plural = _("统计月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "division_code", "channel", "intake"], name="stats_monthly_key"
            )
        ]
        indexes = [
            models.Index(fields=["division_code", "month"], name="stats_monthly_division"),
            models.Index(fields=["department", "month"], name="stats_monthly_department"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.channel}/{self.intake}"


class DailyTotal(Rollup):
    """`Daily` without the entry: the days at the edges of a period (and a period shorter than a
    month) read these, a few rows per department and day instead of about one per case. Kept by
    the same upsert as `Daily`."""

    day = models.DateField(_("日期"))

    KEY = ("day", "department_id", "division_code", "channel", "intake")

    class Meta:
        verbose_name = _("统计日合计")
        verbose_name_plural = _("统计日合计")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department", "division_code", "channel", "intake"],
                name="stats_dailytotal_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "division_code"], name="stats_dailytotal_day"),
            models.Index(fields=["department", "day"], name="stats_dailytotal_department"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.channel}/{self.intake}"


class Cursor(models.Model):
    """How far the periodic count has read a table (the highest id counted)."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class Cost(models.Model):
    """What a department's service cost in a month (entered by an administrator), for the cost per
    case (GOV.UK's fourth figure). Months without an entry are left out of that figure."""

    department = models.ForeignKey(
        "core.Department", verbose_name=_("部门"), on_delete=models.PROTECT, db_index=False
    )
    month = models.DateField(_("月份（当月 1 日）"))
    amount = models.DecimalField(_("成本（元）"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务成本")
        verbose_name_plural = _("服务成本")
        constraints = [models.UniqueConstraint(fields=["department", "month"], name="stats_cost_month")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}: {self.amount}"

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)
