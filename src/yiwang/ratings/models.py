"""Ratings of cases (好差评), the bad-rating loop (差评整改), appeals, and the invitations to rate.

A rating is never edited after it is given: a supervisor's ruling on an appeal marks it, and the
figures leave ruled ratings out while the disclosure page counts the rulings. Each rating carries
the department, division and entry it rates, so the figures group by indexed columns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.ratings.rules import (
    APPEAL_KIND_LABELS,
    CHANNEL_LABELS,
    FOLLOW_UP_LABELS,
    LEVEL_LABELS,
    LOOP_OPEN,
    LOOP_STATE_LABELS,
    STAGE_LABELS,
    LoopState,
)


def _choices(labels: dict) -> list[tuple]:
    return [(str(k) if not isinstance(k, int) else k, _(v)) for k, v in labels.items()]


class Policy(models.Model):
    """The platform's local rules for ratings (one row; local rules differ from 5 to 15 working days)."""

    contact_workdays = models.PositiveSmallIntegerField(_("差评回访核实时限（工作日）"), default=1)
    answer_workdays = models.PositiveSmallIntegerField(_("整改答复时限（工作日）"), default=5)
    visit_workdays = models.PositiveSmallIntegerField(_("答复后回访时限（工作日）"), default=1)
    invite_after_days = models.PositiveSmallIntegerField(_("未评价时发送评价邀请（天）"), default=3)

    class Meta:
        verbose_name = _("好差评规则")
        verbose_name_plural = _("好差评规则")

    def __str__(self) -> str:
        return str(_("好差评规则"))


class Given(models.Model):
    """What a rating holds (levels, indicators and tags per `ratings.rules`): a case's rating, and
    the one rating of a whole bundle (`bundles.BundleRating`)."""

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=_choices(LEVEL_LABELS))
    bad = models.BooleanField(_("差评"), default=False)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    tags = models.JSONField(_("评价标签"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def level_label(self) -> str:
        return str(_(LEVEL_LABELS[self.level]))


class Rating(Given):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings", db_index=False)
    stage = models.CharField(_("评价环节"), max_length=12, choices=_choices(STAGE_LABELS))
    channel = models.CharField(_("评价渠道"), max_length=8, choices=_choices(CHANNEL_LABELS))
    # The applicant's account when they rated themselves; for a staff entry (phone, SMS) or the
    # window's device, the staff member who entered it or whose counter showed the device.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised for the figures: whom the rating concerns (the window's department for a rating
    # at the counter), the handling department, its division and the entry.
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(max_length=12)
    entry = models.ForeignKey("catalog.Entry", on_delete=models.PROTECT, related_name="+", db_index=False)
    # A supervisor's ruling on an appeal (malicious or mistaken): left out of the satisfaction figures.
    ruling = models.CharField(_("申诉裁定"), max_length=10, blank=True, choices=_choices(APPEAL_KIND_LABELS))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="rating_once_per_stage")]
        indexes = [
            models.Index(fields=["department", "rated_at"], name="rating_dept"),
            models.Index(fields=["division_code", "rated_at"], name="rating_division"),
            models.Index(fields=["entry", "rated_at"], name="rating_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.stage}: {self.level}"


class FollowUp(models.Model):
    """The loop a 差评 opens for the department it concerns (差评整改)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up")
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(max_length=12)
    state = models.CharField(_("整改状态"), max_length=12, choices=_choices(LOOP_STATE_LABELS))
    revision = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    contact_due = models.DateField(_("回访核实期限"))
    answer_due = models.DateField(_("整改答复期限"))
    visit_due = models.DateField(_("回访期限"))
    # The deadline of the step that is due now (null once closed): the to-do list sorts by it.
    due_date = models.DateField(_("当前期限"), null=True, blank=True)
    late_steps = models.PositiveSmallIntegerField(_("逾期完成的环节"), default=0)
    # What each step recorded (also in the step's event).
    contact_method = models.CharField(max_length=8, blank=True)
    finding = models.CharField(_("核实结果"), max_length=10, blank=True)
    verification = models.TextField(_("核实情况"), blank=True)
    rectification_kind = models.CharField(max_length=10, blank=True)
    rectification = models.TextField(_("整改措施或说明"), blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    visit_method = models.CharField(max_length=8, blank=True)
    visit_note = models.TextField(_("回访情况"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The applicant's one rating of the rectification.
    applicant_view = models.CharField(
        _("整改评价"), max_length=12, blank=True, choices=_choices(FOLLOW_UP_LABELS)
    )
    applicant_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(
                fields=["department", "due_date", "id"],
                condition=models.Q(state__in=[s.value for s in LOOP_OPEN]),
                name="followup_open_dept",
            ),
            models.Index(
                fields=["division_code", "due_date"],
                condition=models.Q(state__in=[s.value for s in LOOP_OPEN]),
                name="followup_open_division",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in LOOP_OPEN

    @property
    def state_label(self) -> str:
        return str(_(LOOP_STATE_LABELS[LoopState(self.state)]))


class FollowUpEvent(models.Model):
    """Every step of a loop, who took it and when, and whether it came after its deadline."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=100)
    late = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["follow_up", "seq"]
        constraints = [models.UniqueConstraint(fields=["follow_up", "seq"], name="followup_event_seq")]

    def __str__(self) -> str:
        return f"{self.follow_up_id}#{self.seq} {self.action}"


class Appeal(models.Model):
    """A department's appeal against a 差评 (恶意或误评), ruled by a supervisor with reasons."""

    PENDING, UPHELD, REJECTED = "pending", "upheld", "rejected"
    STATES = [(PENDING, _("待裁定")), (UPHELD, _("申诉成立")), (REJECTED, _("申诉不成立"))]

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal")
    kind = models.CharField(_("申诉类型"), max_length=10, choices=_choices(APPEAL_KIND_LABELS))
    reasons = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("裁定"), max_length=10, choices=STATES, default=PENDING)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling_reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        indexes = [models.Index(fields=["state", "filed_at"], name="appeal_state")]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.kind} ({self.state})"


class Invitation(models.Model):
    """A stage of a case the applicant may rate: opened when the case reached it (by the outbox
    subscriber), rated when a rating came, invited when the message asking for one went out."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    stage = models.CharField(max_length=12, choices=_choices(STAGE_LABELS))
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    division_code = models.CharField(max_length=12)
    opened_at = models.DateTimeField()
    rated_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="invitation_once_per_stage")]
        indexes = [
            models.Index(
                fields=["opened_at"],
                condition=models.Q(rated_at__isnull=True, invited_at__isnull=True),
                name="invitation_to_send",
            ),
            models.Index(fields=["department", "opened_at"], name="invitation_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.stage}"
