"""Electronic licences (电子证照, GB/T 36901–36905): their types, the issuing departments' seals,
the licences themselves, their status history, their uses and the links a holder shares.

A licence is issued from an approved case (`licences.issuing`) and signed with its department's SM2
seal; the signature travels in the licence's QR code (`qr_payload`), so a hall can verify it with
the published trust list and status list alone (`offline`). See ADR 0009.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class LicenceType(models.Model):
    """A kind of licence as its defining agency declares it (证照类型): its data fields, validity,
    the layout of its document, and the catalog entries whose approval issues it."""

    code = models.CharField(
        _("证照类型代码"),
        max_length=21,
        unique=True,
        help_text=_("定义机构统一社会信用代码（18位）加3位顺序码"),
    )
    name = models.CharField(_("证照名称"), max_length=100)
    agency = models.ForeignKey(
        "core.Department", verbose_name=_("定义机构"), on_delete=models.PROTECT, related_name="+"
    )
    holder_kind = models.CharField(
        _("持证主体类型"), max_length=12, choices=HolderKind.choices, default=HolderKind.ENTERPRISE
    )
    # A schema as the catalog's forms (catalog.form_schema); each field may name where its value
    # comes from: {"from": "form_field"} or {"prefill": "enterprise_name"} (the holder's profile).
    schema = models.JSONField(_("证照数据项"), default=dict, blank=True)
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    # {"title": "食品经营许可证", "shown": ["field", ...], "note": "..."}: what the document shows.
    layout = models.JSONField(_("证照版式"), default=dict, blank=True)
    number_prefix = models.CharField(_("证照编号前缀"), max_length=12, blank=True)
    entries = models.ManyToManyField(
        "catalog.Entry",
        verbose_name=_("核发该证照的事项"),
        blank=True,
        related_name="licence_types",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("电子证照类型")
        verbose_name_plural = _("电子证照类型")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def fields(self) -> list[dict]:
        return list((self.schema or {}).get("fields", []))


class SealKey(models.Model):
    """An issuing department's SM2 key pair (电子印章密钥). The private key is kept encrypted with
    the platform's seal master key and never leaves the server; the public key is published in the
    trust list under its key id. Rotation closes a key's validity; withdrawal marks every licence
    it signed as "seal withdrawn"."""

    department = models.ForeignKey(
        "core.Department", verbose_name=_("签发部门"), on_delete=models.PROTECT, related_name="seal_keys"
    )
    kid = models.CharField(_("密钥标识"), max_length=16, unique=True)
    public_key = models.BinaryField(_("公钥"))
    private_sealed = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField(_("启用时间"), default=timezone.now)
    valid_until = models.DateTimeField(_("停用时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("电子印章密钥")
        verbose_name_plural = _("电子印章密钥")
        ordering = ["department_id", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.kid}"

    @property
    def in_use(self) -> bool:
        return self.valid_until is None and self.withdrawn_at is None


class Status(models.TextChoices):
    """GB/T 36903 licence status codes."""

    VALID = "01", _("有效")
    SUSPENDED = "02", _("暂扣")
    REVOKED = "03", _("撤销")
    CANCELLED = "04", _("注销")
    EXPIRED = "05", _("失效")
    TRANSFERRED = "06", _("转出")
    WITHDRAWN = "07", _("吊销")
    OTHER = "99", _("其他")


class Licence(models.Model):
    """One version of an issued licence with its GB/T 36903 metadata and its signed QR payload."""

    identifier = models.CharField(_("证照标识"), max_length=80, unique=True)
    licence_type = models.ForeignKey(
        LicenceType,
        verbose_name=_("证照类型"),
        on_delete=models.PROTECT,
        related_name="licences",
        db_index=False,  # licence_version_unique leads with it
    )
    number = models.CharField(_("证照编号"), max_length=40)
    serial = models.PositiveIntegerField(_("顺序号"))
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    issuer = models.ForeignKey(
        "core.Department",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # licence_status_index_unique leads with it
    )
    # The names and the face of the licence as issued: a department or a type renamed later, or a
    # field relabelled, changes new licences, never what an issued one says (or its signature).
    type_name = models.CharField(_("证照名称"), max_length=200)
    issuer_name = models.CharField(_("发证机构名称"), max_length=200)
    issuer_code = models.CharField(_("发证机构代码"), max_length=18)
    holder_kind = models.CharField(_("持证主体类型"), max_length=12, choices=HolderKind.choices)
    holder_name = models.CharField(_("持证主体"), max_length=100)
    holder_id = models.CharField(_("持证主体代码"), max_length=18)
    holder_person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    holder_enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    data = models.JSONField(_("证照数据"), default=dict)
    shown = models.JSONField(_("照面信息"), default=dict)
    issued_on = models.DateField(_("颁证日期"))
    valid_from = models.DateField(_("有效期起始"))
    valid_until = models.DateField(_("有效期截止"), null=True, blank=True)
    jurisdiction = models.CharField(_("证照所属区划"), max_length=100, blank=True)
    related_item = models.CharField(_("关联事项"), max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    status = models.CharField(_("状态"), max_length=2, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField(_("状态变更原因"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    seal_key = models.ForeignKey(SealKey, on_delete=models.PROTECT, related_name="licences")
    payload = models.TextField(_("二维码载荷"))
    # A random position in the issuer's status list, so a lookup there reveals nothing.
    status_index = models.PositiveIntegerField()
    document = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "status_index"], name="licence_status_index_unique"),
            models.UniqueConstraint(
                fields=["licence_type", "issuer", "serial", "version"], name="licence_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="licence_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.type_name} {self.number}"

    @property
    def usable(self) -> bool:
        return self.status == Status.VALID and (
            self.valid_until is None or self.valid_until >= timezone.localdate()
        )


class LicenceEvent(models.Model):
    """A licence's history: issued, suspended, restored, revoked, cancelled, expired, superseded."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(max_length=2, blank=True)
    to_status = models.CharField(max_length=2)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["licence_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.action} {self.at:%Y-%m-%d}"


class UseKind(models.TextChoices):
    MATERIAL = "material", _("作为申请材料")
    SHARED_VIEW = "shared_view", _("通过分享链接查看")
    DOWNLOAD = "download", _("下载")


class LicenceUse(models.Model):
    """Every use of a licence the holder can read back (用证记录): which case, who, when."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField(_("用途"), max_length=12, choices=UseKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case_number = models.CharField(_("办件编号"), max_length=48, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(_("使用方"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["licence_id", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.kind} {self.at:%Y-%m-%d}"


class ShareLink(models.Model):
    """A link the holder hands to someone who should see the licence, valid for a while."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.licence_id} → {self.expires_at:%Y-%m-%d}"


class LicenceSerial(models.Model):
    """The last serial issued per type and issuing department (the identifier's 顺序号)."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+", db_index=False)
    issuer = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer"], name="licence_serial_unique")
        ]

    def __str__(self) -> str:
        return f"{self.licence_type_id}/{self.issuer_id}: {self.last}"


class LicenceDraft(models.Model):
    """The approver's adjustments to the licence a case will issue, within its type's schema."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="licence_draft")
    licence_type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.licence_type_id}"


class StatusListDocument(models.Model):
    """The issuer's signed status list as last built; rebuilt in the transaction that changes a
    licence's status, so verification offline and online agree as soon as it commits."""

    issuer = models.OneToOneField("core.Department", on_delete=models.CASCADE, related_name="+")
    document = models.JSONField()
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.issuer_id} @ {self.built_at:%Y-%m-%d %H:%M}"
