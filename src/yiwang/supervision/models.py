"""Electronic supervision (电子监察): the rules' local settings, the columns supervision keeps of
each case's current review step and correction, the warnings (yellow and red cards) with their
answers, and the orders to act (督办)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.supervision.rules import COLOUR_LABELS, RULES


class Rule(models.Model):
    """An administrator's setting of one declared rule (`rules.RULES`): on or off, its parameters."""

    code = models.CharField(
        _("规则"), max_length=30, unique=True, choices=[(c, _(r.label)) for c, r in RULES.items()]
    )
    enabled = models.BooleanField(_("启用"), default=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")

    def __str__(self) -> str:
        return self.get_code_display()


class Watch(models.Model):
    """What supervision keeps of a case beside the case's own dates (maintained from case events):
    when the current review step started and is due, and since when a correction is pending."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    step = models.PositiveSmallIntegerField(default=0)
    step_started_on = models.DateField(null=True, blank=True)
    step_due = models.DateField(null=True, blank=True)
    # The day the share of the decision limit set on the `deadline_near` rule is used up.
    yellow_from = models.DateField(null=True, blank=True)
    correction_since = models.DateField(null=True, blank=True)
    correction_due = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["step_due"], condition=models.Q(step_due__isnull=False), name="watch_step_due"
            ),
            models.Index(
                fields=["correction_due"],
                condition=models.Q(correction_due__isnull=False),
                name="watch_correction_due",
            ),
            models.Index(
                fields=["yellow_from"],
                condition=models.Q(yellow_from__isnull=False),
                name="watch_yellow_from",
            ),
        ]

    def __str__(self) -> str:
        return f"watch {self.case_id}"


class Warning(models.Model):
    """One tripped rule on one case (or one 差评's loop): raised, answered by the handler, cleared
    when its condition no longer holds (state rules). Its times are its trail, and a case's
    warnings in order are its colour history (when it turned yellow, red, and back)."""

    OPEN, ANSWERED = "open", "answered"
    STATES = [(OPEN, _("待说明")), (ANSWERED, _("已说明"))]

    rule = models.CharField(_("规则"), max_length=30)
    colour = models.CharField(
        _("颜色"), max_length=8, choices=[(k.value, _(v)) for k, v in COLOUR_LABELS.items()]
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    follow_up = models.ForeignKey(
        "ratings.FollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(max_length=12)
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now)
    due_date = models.DateField(_("所涉期限"), null=True, blank=True)
    detail = models.CharField(_("情况"), max_length=300, blank=True)
    # The case event an event rule judged (its sequence number): judged once however often the
    # event is delivered or replayed.
    event_seq = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(_("说明情况"), max_length=10, choices=STATES, default=OPEN)
    answer_due = models.DateField(_("说明期限"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("原因"), blank=True)
    action = models.TextField(_("措施"), blank=True)
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")
        constraints = [
            # One live warning per rule and subject: the pass and the events may both find it.
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=models.Q(cleared_at__isnull=True, follow_up__isnull=True),
                name="warning_live_per_case_rule",
            ),
            models.UniqueConstraint(
                fields=["case", "rule", "event_seq"],
                condition=models.Q(event_seq__isnull=False),
                name="warning_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["follow_up", "rule"],
                condition=models.Q(cleared_at__isnull=True, follow_up__isnull=False),
                name="warning_live_per_follow_up",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "raised_at"], name="warning_case"),
            models.Index(fields=["department", "raised_at"], name="warning_dept"),
            models.Index(fields=["division_code", "raised_at"], name="warning_division"),
            models.Index(
                fields=["rule"], condition=models.Q(cleared_at__isnull=True), name="warning_live_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.colour} #{self.case_id}"


class Order(models.Model):
    """督办: a supervisor's order to act on a case or a department, with a deadline; the handler's
    to-do until they report what was done."""

    OPEN, REPORTED = "open", "reported"
    STATES = [(OPEN, _("待办理")), (REPORTED, _("已反馈"))]

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    warning = models.ForeignKey(
        Warning, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(max_length=12)
    instruction = models.TextField(_("督办要求"))
    due_date = models.DateField(_("办理期限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("状态"), max_length=10, choices=STATES, default=OPEN)
    report = models.TextField(_("办理情况"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        indexes = [
            models.Index(fields=["department", "state", "due_date"], name="order_dept"),
            models.Index(fields=["division_code", "state", "due_date"], name="order_division"),
        ]

    def __str__(self) -> str:
        return f"督办 {self.pk}"
