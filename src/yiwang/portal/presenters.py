"""What the citizen pages show, in plain words: time limits with their units written out, visits,
online handling explained, and the guide grouped the way a citizen reads it (一次性告知单).

Pure functions over the catalog's models; the views fetch (with a fixed number of queries) and the
templates only display. The HTML page and the PDF share `guide_context`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from yiwang.catalog import english
from yiwang.catalog.models import (
    Audience,
    CaseKind,
    CrossRegionScope,
    Entry,
    EntryStatus,
    EntryVersion,
    Material,
    MaterialKind,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    TimeUnit,
)
from yiwang.core.models import DepartmentNature, DivisionLevel, StoredFile
from yiwang.core.uploads import KIND_NAMES

# Division levels a citizen can filter by (市级 / 县级 / 乡镇).
LEVEL_CHOICES = [DivisionLevel.CITY, DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]


def limit_text(value: int | None, unit: str) -> str:
    """A time limit with its unit in words: "5个工作日", "3个自然日", "2小时"; never "天"."""
    if value is None:
        return _("未规定")
    if value == 0:
        return _("当场办结")
    if unit == TimeUnit.HOUR:
        return ngettext("%(n)s小时", "%(n)s小时", value) % {"n": value}
    if unit == TimeUnit.NATURAL_DAY:
        return ngettext("%(n)s个自然日", "%(n)s个自然日", value) % {"n": value}
    return ngettext("%(n)s个工作日", "%(n)s个工作日", value) % {"n": value}


def visits_text(visits: int) -> str:
    return ngettext("最多跑%(n)s次", "最多跑%(n)s次", visits) % {"n": visits}


# The standard item types (catalog.ItemType rows, seeded data): marked for translation here, so an
# English page names them in English once the catalog translates them (issue 13).
ITEM_TYPE_NAMES = [
    gettext_noop("行政许可"),
    gettext_noop("行政处罚"),
    gettext_noop("行政强制"),
    gettext_noop("行政征收"),
    gettext_noop("行政给付"),
    gettext_noop("行政检查"),
    gettext_noop("行政确认"),
    gettext_noop("行政奖励"),
    gettext_noop("行政裁决"),
    gettext_noop("其他行政权力"),
    gettext_noop("公共服务"),
]


def item_type_text(name: str) -> str:
    """An item type's name in the active language (a type added by an administrator stays as named)."""
    return _(name) if name in ITEM_TYPE_NAMES else name


def audience_text(audience: str) -> str:
    return {
        Audience.PERSON: _("个人（自然人）"),
        Audience.ENTERPRISE: _("企业和其他组织（法人）"),
        Audience.BOTH: _("个人和企业都可以申请"),
    }.get(audience, audience)


def online_text(depth: int) -> str:
    """What the online depth means for the citizen."""
    return {
        OnlineDepth.NONE: _("暂不能在网上办理，请到办理地点办理。"),
        OnlineDepth.CONSULT: _("可以在网上咨询；申请需要到办理地点办理。"),
        OnlineDepth.SUBMIT: _("可以在网上填写并提交申请，之后按通知到现场办理。"),
        OnlineDepth.PREREVIEW: _("可以在网上提交材料并预审，预审通过后到现场办理。"),
        OnlineDepth.ACCEPT: _("可以在网上提交申请并受理，办理结果需要到现场领取。"),
        OnlineDepth.HANDLE: _("申请、受理和审批都在网上完成，结果可以现场领取或邮寄。"),
        OnlineDepth.FULL: _("全程网上办理：申请、审批、拿结果都在网上完成，不用到现场。"),
    }.get(depth, "")


def case_kind_text(kind: str) -> str:
    if kind == CaseKind.INSTANT:
        return _("即办件（材料齐全的，当场办结）")
    return _("承诺件（在承诺时限内办结）")


HANDLING_FORM_LABELS = {
    "window": gettext_lazy("窗口办理"),
    "online": gettext_lazy("网上办理"),
    "mail": gettext_lazy("邮寄办理"),
}


def _file(stored: StoredFile | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {
        "id": stored.pk,
        "name": stored.original_name,
        "kind": KIND_NAMES.get(stored.kind, stored.kind.upper()),
        "size": stored.size,
    }


# --- Search results --------------------------------------------------------------------------


@dataclass
class ItemCard:
    """One search result: everything shown for it comes from rows already joined."""

    code: str
    title: str
    official_name: str
    department: str
    department_id: int
    division: str
    full_online: bool
    online_label: str
    visits: str
    promised: str
    case_kind: str
    item_type: str
    suspended: bool
    others: list = field(default_factory=list)  # OtherCopy: the same service in other areas
    local: bool = False  # the copy for the citizen's chosen area
    more: int = 0  # the service's copies in further areas, not listed
    total: int = 1  # copies of the service in all (each a department's)


@dataclass
class OtherCopy:
    code: str
    division: str
    department: str


def service_card(service, area=None) -> ItemCard:
    """One card per service: the copy for the citizen's area, the other areas' copies behind it."""
    card = item_card(service.entry)
    card.others = [OtherCopy(e.code, e.department.division.name, e.department.name) for e in service.others]
    card.more = service.total - 1 - len(service.others)  # copies further away, not listed
    card.total = service.total
    card.local = area is not None
    return card


def item_card(entry: Entry) -> ItemCard:
    v: EntryVersion = entry.published
    title, official_name = english.version_titles(v)  # English on an English page, where given
    return ItemCard(
        code=entry.code,
        title=title,
        official_name=official_name,
        department=entry.department.name,
        department_id=entry.department_id,
        division=entry.department.division.name,
        full_online=v.online_depth == OnlineDepth.FULL,
        online_label=str(OnlineDepth(v.online_depth).label) if v.online_depth in OnlineDepth.values else "",
        visits=visits_text(v.visits_required),
        promised=limit_text(v.promised_limit, v.promised_limit_unit),
        case_kind=str(CaseKind(v.case_kind).label) if v.case_kind in CaseKind.values else v.case_kind,
        item_type=item_type_text(entry.catalog_item.item_type.name),
        suspended=entry.status == EntryStatus.SUSPENDED,
    )


# --- The guide (一次性告知单) -----------------------------------------------------------------


@dataclass
class MaterialView:
    name: str
    necessity: str  # required / conditional / optional
    necessity_text: str
    condition: str
    kind: str
    copies: str
    media_format: str
    source: str
    fetchable: bool
    blank_form: dict[str, Any] | None
    sample_form: dict[str, Any] | None
    fill_instructions: str
    acceptance_standard: str
    legal_basis: str
    name_lang: str = ""  # "zh-Hans" when an English page shows the Chinese name (no English given)


def material_view(m: Material) -> MaterialView:
    if m.necessity == Necessity.REQUIRED:
        necessity_text = _("必须提交")
    elif m.necessity == Necessity.CONDITIONAL:
        necessity_text = _("符合情形时提交")
    else:
        necessity_text = _("可以不提交")
    kind = str(MaterialKind(m.kind).label) if m.kind in MaterialKind.values else m.kind
    if m.kind == MaterialKind.ELECTRONIC:
        copies = ""
    else:
        copies = ngettext("%(n)s份", "%(n)s份", m.paper_copies) % {"n": m.paper_copies}
        if m.paper_size:
            copies = f"{copies}，{m.paper_size}"
    source = str(MaterialSource(m.source).label) if m.source in MaterialSource.values else m.source
    if m.source_body:
        source = f"{source}（{m.source_body}）"
    return MaterialView(
        name=english.localized(m, "name"),
        name_lang="zh-Hans" if english.is_fallback(m, "name") else "",
        necessity=m.necessity,
        necessity_text=str(necessity_text),
        condition=m.condition,
        kind=kind,
        copies=copies,
        media_format=m.media_format,
        source=source,
        fetchable=m.fetchable,
        blank_form=_file(m.blank_form),
        sample_form=_file(m.sample_form),
        fill_instructions=m.fill_instructions,
        acceptance_standard=m.acceptance_standard,
        legal_basis=m.legal_basis,
    )


@dataclass
class SituationView:
    seq: int
    name: str
    description: str
    materials: list[MaterialView] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """Distinguishes the checkboxes of this situation's materials on the page."""
        return f"s{self.seq}"


def _steps(rows: Any) -> list[dict[str, str]]:
    steps = []
    for row in rows or []:
        if isinstance(row, dict) and str(row.get("name", "")).strip():
            steps.append({"name": str(row["name"]), "description": str(row.get("description") or "")})
        elif isinstance(row, str) and row.strip():
            steps.append({"name": row, "description": ""})
    return steps


def _special_procedures(rows: Any) -> list[dict[str, str]]:
    out = []
    for row in rows or []:
        if not isinstance(row, dict) or not str(row.get("name", "")).strip():
            continue
        limit = row.get("limit")
        out.append(
            {
                "name": str(row["name"]),
                "limit": limit_text(int(limit), row.get("unit") or TimeUnit.WORKDAY)
                if isinstance(limit, int) or (isinstance(limit, str) and limit.isdigit())
                else "",
            }
        )
    return out


def guide_context(entry: Entry, version: EntryVersion) -> dict[str, Any]:
    """Everything the guide page and its PDF show; `version` has its children prefetched
    (`catalog.queries.version_with_children`)."""
    item = entry.catalog_item
    department = entry.department
    situations = [
        SituationView(s.seq, english.localized(s, "name"), s.description) for s in version.situations.all()
    ]
    by_pk = {s.pk: view for s, view in zip(version.situations.all(), situations, strict=True)}
    common: list[MaterialView] = []
    for m in version.materials.all():
        view = material_view(m)
        if m.situation_id and m.situation_id in by_pk:
            by_pk[m.situation_id].materials.append(view)
        else:
            common.append(view)
    all_materials = common + [m for s in situations for m in s.materials]
    # On an English page the English title and name where given (issue 13), and the Chinese name
    # beside them: the one the window and the documents use.
    title, official_name = english.version_titles(version)
    english_shown = english.is_english() and bool(version.name_en.strip() or version.plain_title_en.strip())
    fees = [
        {"name": f.name, "standard": f.standard, "basis": f.basis, "reductions": f.reductions}
        for f in version.fees.all()
    ]
    conveniences = [
        str(label)
        for flag, label in (
            (version.express_delivery, _("支持快递寄送结果")),
            (version.online_payment, _("支持网上缴费")),
            (version.appointment, _("支持预约办理")),
            (version.self_service_terminal, _("可在自助终端办理")),
            (version.in_hall, _("可在政务服务大厅办理")),
            (version.tolerance_acceptance, _("支持容缺受理（非关键材料可以后补）")),
            (version.notification_commitment, _("实行告知承诺制")),
        )
        if flag
    ]
    return {
        "entry": entry,
        "version": version,
        "code": entry.code,
        "title": title,
        "title_lang": "zh-Hans" if english.is_english() and not english_shown else "",
        "official_name": official_name,
        "chinese_name": version.name if english_shown else "",
        "aliases": list(version.aliases or []),
        "suspended": entry.status == EntryStatus.SUSPENDED,
        "status_reason": entry.status_reason,
        "department": department,
        "division": department.division,
        "department_nature": str(DepartmentNature(department.nature).label)
        if department.nature in DepartmentNature.values
        else department.nature,
        "item_type": item_type_text(item.item_type.name),
        "initiation": item.get_initiation_display(),
        "basic_code": item.basic_code,
        "audience": audience_text(version.audience),
        "audience_code": version.audience,
        "acceptance_conditions": version.acceptance_conditions,
        "common_materials": common,
        "situations": situations,
        "materials_count": len(all_materials),
        "fetchable_count": sum(1 for m in all_materials if m.fetchable),
        "legal_limit": limit_text(version.legal_limit, version.legal_limit_unit),
        "legal_limit_note": version.legal_limit_note,
        "promised_limit": limit_text(version.promised_limit, version.promised_limit_unit),
        "promised_limit_note": version.promised_limit_note,
        "special_procedures": _special_procedures(version.special_procedures),
        "case_kind": case_kind_text(version.case_kind),
        "case_kind_short": str(CaseKind(version.case_kind).label)
        if version.case_kind in CaseKind.values
        else version.case_kind,
        "is_free": version.is_free and not fees,
        "fees": fees,
        "visits": visits_text(version.visits_required),
        "visits_required": version.visits_required,
        "visit_reasons": version.visit_reasons,
        "online_depth": version.online_depth,
        "online_label": str(OnlineDepth(version.online_depth).label)
        if version.online_depth in OnlineDepth.values
        else "",
        "online_available": version.online_depth >= OnlineDepth.SUBMIT,
        "full_online": version.online_depth == OnlineDepth.FULL,
        "online_text": online_text(version.online_depth),
        "handling_forms": [
            str(HANDLING_FORM_LABELS[f]) for f in version.handling_forms if f in HANDLING_FORM_LABELS
        ],
        "conveniences": conveniences,
        "cross_region": str(CrossRegionScope(version.cross_region_scope).label)
        if version.cross_region_scope in CrossRegionScope.values
        and version.cross_region_scope != CrossRegionScope.NONE
        else "",
        "location": version.location,
        "hours": version.hours,
        "consult_phone": version.consult_phone,
        "complaint_phone": version.complaint_phone,
        "procedure": _steps(version.procedure),
        "result_name": version.result_name,
        "result_type": str(ResultType(version.result_type).label)
        if version.result_type in ResultType.values
        else "",
        "result_sample": _file(version.result_sample),
        "faqs": [{"question": f.question, "answer": f.answer} for f in version.faqs.all()],
        "legal_basis": version.legal_basis,
        "entrusted_body": version.entrusted_body,
        "joint_bodies": version.joint_bodies,
        "intermediary_services": version.intermediary_services,
        "topics": list(version.topics.all()),
        "version_number": version.number,
        "published_at": version.published_at,
    }
