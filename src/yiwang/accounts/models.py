"""Identity: accounts, natural persons, enterprises, agents, staff and their roles, tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.masking import mask_id_number, mask_phone


class AccountKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    STAFF = "staff", _("工作人员")


class RealNameLevel(models.IntegerChoices):
    """How sure the platform is of who holds the account (统一身份认证的实名等级)."""

    REGISTERED = 1, _("注册（证件号码格式已校验）")
    VERIFIED = 2, _("实名（证件信息已核验）")
    IN_PERSON = 3, _("实人（窗口或人脸核验）")


class User(AbstractUser):
    kind = models.CharField(_("账户类型"), max_length=12, choices=AccountKind.choices)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    real_name_level = models.PositiveSmallIntegerField(
        _("实名等级"), choices=RealNameLevel.choices, default=RealNameLevel.REGISTERED
    )
    elderly_mode = models.BooleanField(_("适老化模式"), default=False)
    # The language of the pages the account last used (zh-hans / en): its messages (站内信, e-mail,
    # SMS) are written in it. Kept by `PreferencesMiddleware`.
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    # The citizen's chosen 办事地区: search shows each service once, in this area's copy.
    area = models.ForeignKey(
        "core.Division",
        verbose_name=_("办事地区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")

    @property
    def display_name(self) -> str:
        if self.kind == AccountKind.PERSON and hasattr(self, "person"):
            return self.person.name
        if self.kind == AccountKind.ENTERPRISE and hasattr(self, "enterprise"):
            return self.enterprise.name
        return self.get_full_name() or self.username

    @property
    def is_applicant(self) -> bool:
        return self.kind in (AccountKind.PERSON, AccountKind.ENTERPRISE)

    @property
    def is_staff_member(self) -> bool:
        return self.kind == AccountKind.STAFF and hasattr(self, "staff")


class Person(models.Model):
    """A natural person. May exist without an account (registered at a window for them)."""

    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("居民身份证号码"), max_length=18, unique=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("建立时间"), default=timezone.now)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Enterprise(models.Model):
    """A legal person identified by its unified social credit code."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="enterprise"
    )
    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("建立时间"), default=timezone.now)

    class Meta:
        verbose_name = _("法人（企业）")
        verbose_name_plural = _("法人（企业）")

    def __str__(self) -> str:
        return self.name


class AgentAuthorisation(models.Model):
    """An enterprise authorises a person (经办人) to act for it, until revoked or expired."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="agent_authorisations")
    agent = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="agent_authorisations", db_index=False
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    note = models.CharField(_("授权事项说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经办人授权")
        verbose_name_plural = _("经办人授权")
        indexes = [models.Index(fields=["agent", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.agent.name}"

    def is_active_on(self, day) -> bool:
        return self.revoked_at is None and (self.valid_until is None or self.valid_until >= day)


class StaffRole(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    REVIEWER = "reviewer", _("审查人")
    APPROVER = "approver", _("审批人")
    ITEM_ADMIN = "item_admin", _("事项管理员")
    SUPERVISOR = "supervisor", _("监察人员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


class Staff(models.Model):
    """A staff member bound to a department. Their division scope is the department's division
    unless set wider (a supervisor of a city watches the whole city's tree)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="staff")
    division = models.ForeignKey("core.Division", on_delete=models.PROTECT, related_name="staff")
    window = models.CharField(_("窗口号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"


class StaffRoleGrant(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="role_grants", db_index=False)
    role = models.CharField(_("角色"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staff_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.key_hash[:8]}"


class TotpDevice(models.Model):
    """A staff member's TOTP second factor (RFC 6238), active once confirmed with a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self) -> str:
        return str(self.user)


class LoginAttempt(models.Model):
    """Every sign-in attempt: the audit trail and the data behind the rate limit."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {'✓' if self.succeeded else '✗'}"


class LoginThrottle(models.Model):
    """Sign-in failure counters (`accounts.throttle`): one row per (account, address) pair, per
    address and per account's second factor. An attempt is claimed with the row locked, before the
    password is checked, so parallel attempts cannot pass the limit together."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now)
    blocked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")
        indexes = [models.Index(fields=["last_failure_at"], name="accounts_throttle_last")]

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
