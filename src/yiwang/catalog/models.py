"""The service catalog: basic catalog items, departments' claims, implementation list entries and
their versioned guides (办事指南), handling situations, materials, fees, FAQs and forms.

An `Entry` is the stable identity of one implementation list entry (its 31-character code). Its
content lives in `EntryVersion`s: compile → submit → review → publish. A published version never
changes; editing makes a new draft. The entry points at the version citizens see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemType(models.Model):
    """政务服务事项类型 (the code table is data): 01 行政许可 ... 20 公共服务."""

    code = models.CharField(_("类型代码"), max_length=2, unique=True)
    name = models.CharField(_("类型名称"), max_length=30)
    is_power = models.BooleanField(_("行政权力事项"), default=True)

    class Meta:
        verbose_name = _("事项类型")
        verbose_name_plural = _("事项类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Audience(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("自然人和法人")


class Topic(models.Model):
    """主题分类 for browsing: life events for persons, business events for enterprises."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称（可选）"), max_length=60, blank=True, default="")
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["audience", "order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language (English where given, else Chinese)."""
        from yiwang.catalog.english import localized

        return localized(self, "name")


class Initiation(models.TextChoices):
    ON_APPLICATION = "application", _("依申请")
    EX_OFFICIO = "ex_officio", _("依职权")


class CatalogItem(models.Model):
    """基本目录: the standard item with its 12-digit basic code (prefix 2 + type 2 + main 5 + sub 3)."""

    basic_code = models.CharField(_("基本编码"), max_length=12, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.ForeignKey(ItemType, verbose_name=_("事项类型"), on_delete=models.PROTECT)
    initiation = models.CharField(
        _("行使方式"), max_length=12, choices=Initiation.choices, default=Initiation.ON_APPLICATION
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    # Levels (core.DivisionLevel values) at which the item is exercised, e.g. [2, 3].
    levels = models.JSONField(_("行使层级"), default=list)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录事项")
        ordering = ["basic_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.basic_code}）"

    @property
    def main_code(self) -> str:
        return self.basic_code[4:9]

    @property
    def sub_code(self) -> str:
        return self.basic_code[9:12]


class Claim(models.Model):
    """A department claims (认领) a catalog item it exercises."""

    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="claims")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("事项认领")
        verbose_name_plural = _("事项认领")
        constraints = [models.UniqueConstraint(fields=["department", "catalog_item"], name="claim_unique")]

    def __str__(self) -> str:
        return f"{self.department} · {self.catalog_item.name}"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")  # never published yet
    ACTIVE = "active", _("在用")
    SUSPENDED = "suspended", _("暂停")
    CANCELLED = "cancelled", _("取消")


class Entry(models.Model):
    """One implementation list entry (实施清单事项) of one department."""

    code = models.CharField(_("实施编码"), max_length=31, unique=True)
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="entry")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="entries")
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="entries")
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    published = models.ForeignKey(
        "EntryVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Denormalised from the published version for listing and search without joins.
    name = models.CharField(_("事项名称"), max_length=200)
    plain_title = models.CharField(_("通俗名称"), max_length=100, blank=True)
    search_tokens = models.TextField(_("检索词"), blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("实施清单事项")
        verbose_name_plural = _("实施清单事项")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "department"])]

    def __str__(self) -> str:
        return self.name

    @property
    def level_digit(self) -> str:
        return self.code[18]


class VersionState(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")


class TimeUnit(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")
    HOUR = "hour", _("小时")


class CaseKind(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")


class OnlineDepth(models.IntegerChoices):
    NONE = 0, _("不支持网办")
    CONSULT = 1, _("网上咨询")
    SUBMIT = 2, _("网上申报")
    PREREVIEW = 3, _("网上预审")
    ACCEPT = 4, _("网上受理")
    HANDLE = 5, _("网上办理")
    FULL = 6, _("全程网办")


class CrossRegionScope(models.TextChoices):
    NONE = "none", _("不支持通办")
    CITY = "city", _("全市通办")
    PROVINCE = "province", _("全省通办")
    NATIONAL = "national", _("跨省通办")


class ResultType(models.TextChoices):
    LICENCE = "licence", _("证照")
    APPROVAL_DOCUMENT = "approval", _("批准文书")
    FILING = "filing", _("备案/登记结果")
    PAYMENT = "payment", _("给付/待遇")
    OTHER = "other", _("其他")


class ReviewedVersion(models.Model):
    """A version compiled, submitted, reviewed and published (a guide; a bundle's definition):
    the workflow's fields, shared. A published version never changes."""

    state = models.CharField(
        _("状态"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.state in (VersionState.DRAFT, VersionState.RETURNED)


class EntryVersion(ReviewedVersion):
    """One version of an entry's guide: every guide element of the national standard."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField(_("版本号"))

    # Names
    name = models.CharField(_("事项名称"), max_length=200)
    plain_title = models.CharField(
        _("通俗名称"), max_length=100, blank=True, help_text=_("群众日常说法，如“二手房买卖过户”。")
    )
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    # English (optional): shown on English pages and searched by English questions; blank falls
    # back to the Chinese.
    name_en = models.CharField(_("英文名称（可选）"), max_length=200, blank=True, default="")
    plain_title_en = models.CharField(
        _("英文通俗名称（可选）"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("英文页面的标题，如“Registering a newborn”。"),
    )
    # Legal
    legal_basis = models.TextField(_("设定依据"), blank=True)
    entrusted_body = models.CharField(_("受委托部门"), max_length=100, blank=True)
    joint_bodies = models.CharField(_("联办机构"), max_length=200, blank=True)
    intermediary_services = models.TextField(_("中介服务"), blank=True)
    # Time limits (units explicit)
    legal_limit = models.PositiveIntegerField(_("法定办结时限"), null=True, blank=True)
    legal_limit_unit = models.CharField(
        _("法定时限单位"), max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    legal_limit_note = models.CharField(_("法定时限说明"), max_length=200, blank=True)
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True)
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=200, blank=True)
    case_kind = models.CharField(
        _("办件类型"), max_length=10, choices=CaseKind.choices, default=CaseKind.PROMISED
    )
    # Who and how
    audience = models.CharField(
        _("服务对象"), max_length=10, choices=Audience.choices, default=Audience.PERSON
    )
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    procedure = models.JSONField(
        _("办理流程"),
        default=list,
        blank=True,
        help_text=_('步骤列表：[{"name": "受理", "description": "..."}]'),
    )
    special_procedures = models.JSONField(
        _("特别程序"),
        default=list,
        blank=True,
        help_text=_('[{"name": "现场核查", "limit": 5, "unit": "workday"}]'),
    )
    review_steps = models.JSONField(
        _("审查环节"), default=list, blank=True, help_text=_('[{"name": "审查", "role": "reviewer"}, ...]')
    )
    handling_forms = models.JSONField(
        _("办理形式"), default=list, blank=True, help_text=_("window / online / mail")
    )
    visits_required = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    visit_reasons = models.CharField(_("必须现场办理原因"), max_length=300, blank=True)
    location = models.CharField(_("办理地点"), max_length=300, blank=True)
    hours = models.CharField(_("办理时间"), max_length=300, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=60, blank=True)
    # Online and convenience
    online_depth = models.PositiveSmallIntegerField(
        _("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.NONE
    )
    express_delivery = models.BooleanField(_("支持物流快递"), default=False)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)
    appointment = models.BooleanField(_("支持预约办理"), default=False)
    self_service_terminal = models.BooleanField(_("支持自助终端"), default=False)
    in_hall = models.BooleanField(_("进驻政务服务大厅"), default=True)
    cross_region_scope = models.CharField(
        _("通办范围"), max_length=10, choices=CrossRegionScope.choices, default=CrossRegionScope.NONE
    )
    tolerance_acceptance = models.BooleanField(_("支持容缺受理"), default=False)
    notification_commitment = models.BooleanField(_("实行告知承诺制"), default=False)
    # Fees
    is_free = models.BooleanField(_("不收费"), default=True)
    # Result
    result_type = models.CharField(
        _("审批结果类型"), max_length=10, choices=ResultType.choices, default=ResultType.OTHER
    )
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    result_sample = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("审批结果样本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("主题分类"), blank=True, related_name="versions")
    # The application form, a declarative schema (catalog.form_schema).
    form_schema = models.JSONField(_("申请表单"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办事指南版本")
        verbose_name_plural = _("办事指南版本")
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="entry_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Situation(models.Model):
    """业务办理项 / 情形: a concrete situation of an entry with its own materials (and form)."""

    version = models.ForeignKey(
        EntryVersion, on_delete=models.CASCADE, related_name="situations", db_index=False
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("情形名称"), max_length=200)
    name_en = models.CharField(_("英文情形名称（可选）"), max_length=200, blank=True, default="")
    description = models.TextField(_("适用说明"), blank=True)
    form_schema = models.JSONField(
        _("情形表单"), default=dict, blank=True, help_text=_("为空时使用事项的申请表单")
    )

    class Meta:
        verbose_name = _("办理情形")
        verbose_name_plural = _("办理情形")
        ordering = ["version", "seq"]
        constraints = [models.UniqueConstraint(fields=["version", "seq"], name="situation_seq_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """业务办理项编码: the implementation code + 3-digit sequence."""
        return f"{self.version.entry.code}{self.seq:03d}"


class MaterialKind(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "both", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子材料")


class Necessity(models.TextChoices):
    REQUIRED = "required", _("必要")
    CONDITIONAL = "conditional", _("容缺/情形必要")
    OPTIONAL = "optional", _("非必要")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    INTERMEDIARY = "intermediary", _("中介机构出具")
    OTHER = "other", _("其他")


class Material(models.Model):
    version = models.ForeignKey(EntryVersion, on_delete=models.CASCADE, related_name="materials")
    situation = models.ForeignKey(
        Situation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
        help_text=_("为空表示所有情形都需要"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    name_en = models.CharField(_("英文材料名称（可选）"), max_length=200, blank=True, default="")
    kind = models.CharField(
        _("材料类型"), max_length=12, choices=MaterialKind.choices, default=MaterialKind.ORIGINAL
    )
    media_format = models.CharField(
        _("材料形式"), max_length=60, blank=True, help_text=_("纸质/电子，格式如 PDF")
    )
    necessity = models.CharField(
        _("必要性"), max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED
    )
    condition = models.CharField(_("需要提交的情形"), max_length=300, blank=True)
    is_key = models.BooleanField(_("关键材料（不可容缺）"), default=True)
    source = models.CharField(
        _("来源渠道"), max_length=12, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    source_body = models.CharField(_("出具单位"), max_length=100, blank=True)
    licence_type_code = models.CharField(
        _("可调用的电子证照类型"),
        max_length=40,
        blank=True,
        help_text=_("填写后可从电子证照库调取，免于提交"),
    )
    paper_copies = models.PositiveSmallIntegerField(_("纸质份数"), default=1)
    paper_size = models.CharField(_("纸张规格"), max_length=20, blank=True, default="A4")
    blank_form = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("空白表格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample_form = models.ForeignKey(
        "core.StoredFile",
        verbose_name=_("示例样表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fill_instructions = models.TextField(_("填报须知"), blank=True)
    acceptance_standard = models.TextField(_("受理标准"), blank=True)
    legal_basis = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def fetchable(self) -> bool:
        """Can be fetched from the e-licence library instead of being submitted (三个凡是)."""
        return bool(self.licence_type_code)


class Fee(models.Model):
    version = models.ForeignKey(EntryVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("收费项目"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=300)
    basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    reductions = models.CharField(_("减免政策"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Faq(models.Model):
    version = models.ForeignKey(EntryVersion, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField(default=0)
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("解答"))

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.question


class AuditFinding(models.Model):
    """The latest guide-quality (找茬) findings of a version, kept for the supervisor's page."""

    class Severity(models.TextChoices):
        ERROR = "error", _("错误（阻止发布）")
        WARNING = "warning", _("提醒")

    version = models.ForeignKey(EntryVersion, on_delete=models.CASCADE, related_name="findings")
    department = models.ForeignKey(
        "core.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    rule = models.CharField(_("规则"), max_length=40)
    element = models.CharField(_("要素"), max_length=60)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("问题"), max_length=300)
    suggestion = models.CharField(_("修改建议"), max_length=300, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指南问题")
        verbose_name_plural = _("指南问题")
        indexes = [models.Index(fields=["department", "rule"])]

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class SearchMiss(models.Model):
    """A citizen's question the search did not answer: nothing found, or results nobody opened.
    Only the question is kept (digits that could be an ID or phone number never are), with counts,
    for item administrators to teach the search (`SearchPhrase`) or dismiss."""

    query = models.CharField(_("检索词"), max_length=50, unique=True)
    no_result = models.PositiveIntegerField(_("无结果次数"), default=0)
    no_click = models.PositiveIntegerField(_("无点击次数"), default=0)
    first_seen = models.DateTimeField(_("首次出现"), default=timezone.now)
    last_seen = models.DateTimeField(_("最近出现"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("处理结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("未答检索")
        verbose_name_plural = _("未答检索")
        indexes = [models.Index(fields=["resolved_at", "last_seen"])]

    def __str__(self) -> str:
        return self.query


class SearchPhrase(models.Model):
    """An everyday phrase taught to the search for a basic-catalog item (养狗 → 犬只登记): every
    implementation of the item is found by it, in every department."""

    catalog_item = models.ForeignKey(
        CatalogItem, on_delete=models.CASCADE, related_name="search_phrases", db_index=False
    )
    phrase = models.CharField(_("日常说法"), max_length=50)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    class Meta:
        verbose_name = _("日常说法")
        verbose_name_plural = _("日常说法")
        constraints = [
            models.UniqueConstraint(fields=["catalog_item", "phrase"], name="search_phrase_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.catalog_item.name}"
