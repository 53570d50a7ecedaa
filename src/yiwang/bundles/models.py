"""一件事 (bundles): their versioned definitions, and the applications made through them.

A `Bundle` is the stable identity (its code in URLs); its content lives in `BundleVersion`s, drafted,
submitted, reviewed and published like a guide (`catalog.VersionState`): a published version never
changes. A `BundleApplication` is the one parent application; each selected entry becomes a case of
its own department (`BundleMember`), started at once or waiting for its upstream cases.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import Audience, ReviewedVersion
from yiwang.ratings.models import Given


class Bundle(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="bundles"
    )
    published = models.ForeignKey(
        "BundleVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("在用"), default=True)
    # Denormalised from the published version for listing and search.
    name = models.CharField(_("名称"), max_length=100)
    search_text = models.TextField(_("检索词"), blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleVersion(ReviewedVersion):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("版本号"))
    name = models.CharField(_("名称"), max_length=100)
    plain_title = models.CharField(_("通俗名称"), max_length=100, blank=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    summary = models.TextField(_("简介"), blank=True)
    definition = models.JSONField(_("定义"), default=dict)  # bundles.definition.Definition

    class Meta:
        verbose_name = _("一件事版本")
        verbose_name_plural = _("一件事版本")
        ordering = ["bundle", "-number"]
        constraints = [models.UniqueConstraint(fields=["bundle", "number"], name="bundle_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class ApplicationState(models.TextChoices):
    ACTIVE = "active", _("办理中")
    DONE = "done", _("已办结")
    STOPPED = "stopped", _("部分终止")
    WITHDRAWN = "withdrawn", _("已撤回")


class BundleApplication(models.Model):
    """The one parent application (一表申请) of a bundle."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("申请编号"), max_length=40, unique=True)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(BundleVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("一件事"), max_length=100)
    state = models.CharField(
        _("状态"), max_length=10, choices=ApplicationState.choices, default=ApplicationState.ACTIVE
    )
    channel = models.CharField(_("申请渠道"), max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    applicant_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    applicant_name = models.CharField(_("申请人"), max_length=100)
    intake_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    answers = models.JSONField(_("问答"), default=dict)
    form_data = models.JSONField(_("一表"), default=dict)
    idempotency_key = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The critical path promised at submission, and what the bundle saves (rules.Savings).
    promised_workdays = models.PositiveIntegerField(_("承诺时限（工作日）"), default=0)
    savings = models.JSONField(_("减材料减时限"), default=dict)
    stop_reason = models.CharField(_("终止原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        indexes = [
            models.Index(fields=["applicant_person", "-submitted_at"], name="bundle_app_person"),
            models.Index(fields=["applicant_enterprise", "-submitted_at"], name="bundle_app_enterprise"),
            models.Index(fields=["division_code", "submitted_at"], name="bundle_app_division"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="bundle_app_idempotency",
            )
        ]

    def __str__(self) -> str:
        return self.number


class MemberState(models.TextChoices):
    STARTED = "started", _("已启动")
    WAITING = "waiting", _("等待前置事项")
    STOPPED = "stopped", _("已终止")


class BundleMember(models.Model):
    """One selected entry of an application and its case (a held draft while it waits)."""

    application = models.ForeignKey(BundleApplication, on_delete=models.CASCADE, related_name="members")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="bundle_member")
    entry_code = models.CharField(max_length=31)
    order = models.PositiveSmallIntegerField(default=0)
    after = models.JSONField(default=list)  # upstream entry codes
    state = models.CharField(_("状态"), max_length=10, choices=MemberState.choices)
    started_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(_("终止原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")
        ordering = ["application", "order"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.entry_code}"


class BundleRating(Given):
    """The applicant's one rating of the whole bundle (一件事一评), once it is closed; each case is
    also rated where the ratings rules say (GB/T 39734). Levels, indicators and tags follow
    `ratings.rules`, written once."""

    application = models.OneToOneField(BundleApplication, on_delete=models.PROTECT, related_name="rating")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("一件事评价")
        verbose_name_plural = _("一件事评价")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.level}"
