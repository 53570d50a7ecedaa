"""Cases (办件): applications, the materials received, corrections, delivery and the event trace.

A case's state changes only in `cases.services`, each with a conditional UPDATE on `revision` so
two staff acting at once cannot both win, and each writing one `CaseEvent` chained by hash.
Deadlines are stored date columns (recomputed on every change) so queues and supervision read
indexes and never loop in Python.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from yiwang.cases.rules import TRANSITIONS, State


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口受理")
    MAIL = "mail", _("邮寄申请")


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("窗口领取")
    EXPRESS = "express", _("快递邮寄")
    ELECTRONIC = "electronic", _("电子送达")


STATE_LABELS = {
    State.DRAFT: _("草稿"),
    State.SUBMITTED: _("待受理"),
    State.CORRECTION_REQUESTED: _("待补正"),
    State.ACCEPTED: _("已受理"),
    State.NOT_ACCEPTED: _("不予受理"),
    State.UNDER_REVIEW: _("审查中"),
    State.SUSPENDED: _("特别程序"),
    State.APPROVED: _("准予许可"),
    State.REFUSED: _("不予许可"),
    State.COMPLETED: _("已办结"),
    State.DELIVERED: _("已送达"),
    State.WITHDRAWN: _("已撤回"),
    State.TERMINATED: _("已终止"),
}
# Who acted, as stored in the trace (in Chinese, the source language) and translated on display.
ACTOR_ROLE_LABELS = {
    "applicant": gettext_noop("申请人"),
    "window_clerk": gettext_noop("窗口人员"),
    "reviewer": gettext_noop("审查人员"),
    "approver": gettext_noop("审批人员"),
    "system": gettext_noop("系统"),
}
# Trace entries that are not procedure transitions (those take `TRANSITIONS[action].label`).
EVENT_LABELS = {
    "create": gettext_noop("创建申请"),
    "attach_material": gettext_noop("上传材料"),
    "use_licence": gettext_noop("使用电子证照"),
    "remove_material": gettext_noop("删除材料"),
    "commitment_overdue": gettext_noop("容缺材料逾期未补齐"),
    "verify_commitment": gettext_noop("告知承诺核查"),
    "recompute_deadlines": gettext_noop("期限按新录入的工作日安排重算"),
}


def action_label(action: str) -> str:
    """An event's or action's name in the reader's language."""
    transition = TRANSITIONS.get(action)
    return gettext(transition.label if transition else EVENT_LABELS.get(action, action))


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state)) if state else ""


STATE_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]
# Not yet closed (the queues' tab counts; `case_open_counts` indexes them). `cases.queries` reads it.
OPEN_STATES = [
    State.SUBMITTED,
    State.CORRECTION_REQUESTED,
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.SUSPENDED,
    State.APPROVED,
    State.REFUSED,
    State.COMPLETED,
]


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=48, unique=True, null=True, blank=True)
    # A draft has no number yet: numbers are given on submission, so they stay dense per day.
    draft_key = models.UUIDField(unique=True, editable=False)
    entry = models.ForeignKey("catalog.Entry", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey("catalog.EntryVersion", on_delete=models.PROTECT, related_name="+")
    situation = models.ForeignKey(
        "catalog.Situation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Denormalised from the entry for the queues: the handling department and its division code.
    # (Its index is `case_dept_queue`'s leading column; the same holds for the other FKs marked
    # db_index=False below: a second index on the same leading column only slows every write.)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    # Where a window case was taken in (一窗受理 / 就近办); null for online applications.
    intake_department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_cases",
        db_index=False,
    )
    channel = models.CharField(_("申请渠道"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=24, choices=STATE_CHOICES, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=0)  # bumped by every change: optimistic lock

    applicant_person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    applicant_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    # Read only through the case; a person is never deleted while they are an agent (PROTECT).
    agent = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
        db_index=False,
    )
    applicant_name = models.CharField(_("申请人"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_cases"
    )
    title = models.CharField(_("事项名称"), max_length=200)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)  # the first, kept
    # The latest resubmission after a correction: the five days to accept run from it.
    resubmitted_at = models.DateTimeField(_("补正后提交时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # The clock (see cases.deadlines). The decision limit and its unit are the guide's, copied on
    # submission (`cases.published.decision_limit`): a later guide version never moves a case's dates.
    limit_workdays = models.PositiveIntegerField(_("承诺时限"), default=0)
    limit_unit = models.CharField(_("时限单位"), max_length=12, default="workday")
    paused_workdays = models.PositiveIntegerField(_("暂停计时（工作日）"), default=0)
    extension_workdays = models.PositiveIntegerField(_("延长期限（工作日）"), default=0)
    paused_on = models.DateField(_("暂停日期"), null=True, blank=True)
    suspended_from = models.CharField(max_length=24, blank=True)
    special_procedure = models.CharField(_("特别程序"), max_length=100, blank=True)
    # A draft another process holds (a bundle's case waiting for its upstream case, 一链通办):
    # neither the applicant nor a clerk edits it; the holder submits it when it may start.
    held_reason = models.CharField(_("等待原因"), max_length=200, blank=True, default="")
    acceptance_due = models.DateField(_("受理期限"), null=True, blank=True)
    decision_due = models.DateField(_("办结期限"), null=True, blank=True)
    delivery_due = models.DateField(_("送达期限"), null=True, blank=True)
    # The deadline that runs now (the queue sorts by it); null while the clock is stopped or done.
    due_date = models.DateField(_("当前期限"), null=True, blank=True)
    warn_from = models.DateField(_("预警起始"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)

    review_step = models.PositiveSmallIntegerField(_("审查环节"), default=0)
    # Whose turn it is in review: the role of the current review step (the guide's, fixed for the
    # case) while the case is in `rules.step_states`, else "". Kept by `changes.commit`; the
    # queue's 待办 filters on it (`access.todo_filter`) instead of reading the guide per row.
    step_role = models.CharField(max_length=16, blank=True, default="", db_default="", editable=False)
    # 容缺受理: material ids accepted as pending and the date the applicant committed to.
    pending_materials = models.JSONField(default=list, blank=True)
    commitment_due = models.DateField(_("承诺补齐日期"), null=True, blank=True)
    commitment_overdue = models.BooleanField(_("容缺逾期"), default=False)
    # 告知承诺制: the commitment text signed, and the date of the follow-up check.
    commitment_text = models.TextField(_("承诺内容"), blank=True)
    verification_due = models.DateField(_("核查期限"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    remedy = models.TextField(_("救济途径"), blank=True)

    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "state", "due_date", "id"], name="case_dept_queue"),
            models.Index(fields=["department", "due_date", "id"], name="case_dept_due"),
            # Wider views (clerks of a level, supervisors of a tree) walk these in queue order and
            # stop after a page instead of sorting every visible case (bench/cases.py at 1M).
            models.Index(fields=["due_date", "id"], name="case_due"),
            models.Index(fields=["closed_at", "id"], name="case_closed"),
            models.Index(fields=["department", "closed_at", "id"], name="case_dept_closed"),
            # Tab counts read the open cases only, from the index alone.
            models.Index(
                fields=["state", "division_code", "due_date", "warn_from"],
                condition=models.Q(state__in=[s.value for s in OPEN_STATES]),
                name="case_open_counts",
            ),
            # The applicant filter (name prefix): LIKE 'x%' on PostgreSQL, a range on SQLite.
            models.Index(
                fields=["applicant_name"], opclasses=["varchar_pattern_ops"], name="case_applicant_name"
            ),
            models.Index(fields=["division_code", "state", "due_date"], name="case_div_queue"),
            # 待办 of the review steps (`access.todo_filter`): a department's cases at one role's
            # step, in queue order, however few (walking `case_dept_due` for a short list would
            # read the department's whole history). `step_role` is "" outside review.
            models.Index(fields=["department", "step_role", "due_date", "id"], name="case_step_queue"),
            models.Index(fields=["intake_department", "state", "due_date"], name="case_intake_queue"),
            models.Index(fields=["applicant_person", "-created_at"], name="case_person"),
            models.Index(fields=["applicant_enterprise", "-created_at"], name="case_enterprise"),
            models.Index(fields=["state", "acceptance_due"], name="case_acceptance_due"),
            models.Index(
                fields=["commitment_due"],
                condition=models.Q(commitment_due__isnull=False),
                name="case_commitment_due",
            ),
            models.Index(fields=["id"], condition=models.Q(due_provisional=True), name="case_provisional"),
            models.Index(
                fields=["verification_due"],
                condition=models.Q(verified_at__isnull=True),
                name="case_verification_open",
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("草稿")

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))


class CaseMaterial(models.Model):
    """One file received for a case: against a catalog material, or an extra document."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    correction_round = models.PositiveSmallIntegerField(default=0)
    replaced = models.BooleanField(default=False)  # a newer file for the same material exists
    # Provided by an electronic licence the applicant consented to use (三个凡是): its identifier.
    licence_identifier = models.CharField(_("电子证照标识"), max_length=80, blank=True, default="")

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["material__order", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Correction(models.Model):
    """一次性告知: every item to correct, told at once; answered by the applicant's resubmission."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections", db_index=False)
    round = models.PositiveSmallIntegerField()
    # [{"kind": material|field|other, "material": id | None, "field": name | None, "label": str,
    #   "reasons": [corrections.CorrectionReason], "note": str}]; before the preset reasons, items had
    # neither kind nor reasons (`corrections.correction_item` reads both shapes).
    items = models.JSONField()
    note = models.TextField(blank=True, default="")  # the overall note to the applicant
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="correction_round_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.round}"


class Delivery(models.Model):
    """How the result reaches the applicant (送达)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    pickup_code = models.CharField(_("取件码"), max_length=8, blank=True)
    recipient = models.CharField(_("收件人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("收件地址"), max_length=200, blank=True)
    carrier = models.CharField(_("承运商"), max_length=30, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")

    def __str__(self) -> str:
        return f"{self.case_id} {self.method}"


class TrackingEvent(models.Model):
    """A carrier's tracking event for an express delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tracking")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20)  # accepted / in_transit / out_for_delivery / signed
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.description}"


class CaseEvent(models.Model):
    """Append-only trace (全程留痕). `hash` covers the event and the previous event's hash, so an
    edited, inserted or deleted event breaks the chain (`yiwang verify-events`)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who acted as hashed: `id:username` when the event was written (`trace.actor_ref`). The
    # foreign key above becomes NULL if the account is deleted; this does not.
    actor_ref = models.CharField(max_length=180, blank=True)
    actor_role = models.CharField(max_length=20)
    actor_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100)  # role and department as shown to the applicant
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    @property
    def actor_text(self) -> str:
        """Who acted, by role and department, in the reader's language (`actor_label` keeps the
        Chinese text as recorded). Needs `actor_department` loaded to avoid a query per event."""
        role = ACTOR_ROLE_LABELS.get(self.actor_role)
        if role is None:
            return self.actor_label
        role = gettext(role)
        if self.actor_department is None:
            return role
        return _("%(role)s（%(department)s）") % {"role": role, "department": self.actor_department.name}


class TraceCheckpoint(models.Model):
    """A checkpoint of the trace (ADR 8): the heads of the numbered cases whose chains grew since
    the previous checkpoint, chained on the checkpoints' own hash. Append-only; `hash` of the
    latest is the anchor an operator writes down (`yiwang verify-events --anchor`)."""

    seq = models.PositiveIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    heads = models.PositiveIntegerField()  # how many `TraceHead` rows it recorded
    digest = models.CharField(max_length=64)  # sha256 over those heads in case order
    event_watermark = models.BigIntegerField()  # the highest CaseEvent id when it began
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class TraceHead(models.Model):
    """One case's chain head as one checkpoint recorded it; a new row each checkpoint in which the
    case's chain grew. `case_id` is a plain number, not a foreign key: the record outlives a case
    deleted behind the services' back, which is how the deletion is found."""

    checkpoint = models.ForeignKey(
        TraceCheckpoint, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case_id = models.BigIntegerField()
    draft_key = models.UUIDField()
    event_count = models.PositiveIntegerField()
    last_event_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # Also the index verify-events reads by: case ranges, each case's heads in order.
            models.UniqueConstraint(fields=["case_id", "checkpoint"], name="trace_head_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.checkpoint_id} {self.event_count}"


class CaseNumberCounter(models.Model):
    """The last sequence given per entry and day, so numbers are dense and unique under load."""

    prefix = models.CharField(max_length=40, unique=True)  # implementation code + yyyymmdd
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix} {self.last}"


class IdempotencyKey(models.Model):
    """`Idempotency-Key` of a submission: the same key from the same account answers the same case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=100)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return self.key


# --- Result documents ------------------------------------------------------------------------

# Trace entries of delivery that are not transitions: an express parcel handed to the carrier (the
# case stays completed until the carrier reports it signed for).
EVENT_LABELS.update(dispatch=gettext_noop("交寄快递"))


class DocumentKind(models.TextChoices):
    """The documents a case produces. The list grows: the licences app adds the signed
    electronic licence (电子证照) as its own kind and attaches it through the same model."""

    ACCEPTANCE_NOTICE = "acceptance_notice", _("受理通知书")
    NON_ACCEPTANCE_NOTICE = "non_acceptance_notice", _("不予受理通知书")
    APPROVAL_DECISION = "approval_decision", _("准予许可决定书")
    REFUSAL_DECISION = "refusal_decision", _("不予许可决定书")
    LICENCE = "licence", _("电子证照")


# The decision documents: electronic delivery waits for one of them.
DECISION_DOCUMENT_KINDS = (DocumentKind.APPROVAL_DECISION, DocumentKind.REFUSAL_DECISION)


class CaseDocument(models.Model):
    """A document the case produced (受理通知书, 决定书 …), as a PDF kept with the case and served
    only through the case's authorised views. One per case, kind and the event it answers, so a
    repeated delivery of the event cannot make a second one."""

    # Indexed as the unique constraint's leading column.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents", db_index=False)
    kind = models.CharField(_("文书类型"), max_length=32, choices=DocumentKind.choices)
    event_seq = models.PositiveIntegerField(_("对应事件序号"))
    title = models.CharField(_("文书名称"), max_length=100)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    # The document's words as rendered into the PDF (for checks, search and a text alternative).
    text = models.TextField(_("文书内容"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办件文书")
        verbose_name_plural = _("办件文书")
        ordering = ["case_id", "event_seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "event_seq"], name="case_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.event_seq} {self.kind}"
