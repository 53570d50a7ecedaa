"""Published implementation list entries: search and the full guide (public); catalog statistics
(public: counts only); import and export of guides (staff, within their department or division)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from yiwang.accounts import access as accounts_access
from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.api.errors import error_body
from yiwang.api.pagination import PageQuery
from yiwang.catalog import access, exchange, queries, stats
from yiwang.catalog.models import Entry
from yiwang.core.services import get_division_by_code
from yiwang.core.validation import RowId

router = Router(tags=["catalog"])

MAX_IMPORT_BYTES = settings.MAX_IMPORT_BYTES


class ItemFilter(PageQuery):
    q: str = Field("", max_length=100, description="检索词，支持群众日常说法，如“生孩子”“开饭店”")
    division: str | None = Field(None, description="区划代码：该区划及下级部门的事项")
    area: str | None = Field(
        None,
        max_length=12,
        description="办事地区（6或12位区划代码）：每项服务只列一次，取该地区适用的办理部门"
        "（本级、上级或下级），其他地区的同一服务列在 other_areas；不填则按实施清单逐条列出",
    )
    department: RowId | None = Field(None, description="部门编号")
    type: str | None = Field(None, max_length=2, description="事项类型代码，如 01 行政许可")
    topic: str | None = Field(None, max_length=40, description="主题分类代码")
    audience: str | None = Field(None, pattern="^(person|enterprise)$", description="person / enterprise")
    online_depth: int | None = Field(None, ge=0, le=6, description="至少达到的网办深度")
    level: int | None = Field(None, ge=1, le=5)


class ItemOut(Schema):
    code: str
    name: str
    plain_title: str
    name_en: str = Field("", description="英文名称（可选，未填为空）")
    plain_title_en: str = Field("", description="英文通俗名称（可选，未填为空）")
    status: str
    item_type: str
    department: str
    department_id: int
    division_code: str
    audience: str
    case_kind: str
    online_depth: int
    visits_required: int
    promised_limit: int | None
    promised_limit_unit: str
    legal_limit: int | None
    legal_limit_unit: str


class OtherArea(Schema):
    code: str
    department: str
    division_code: str
    division: str


class ServiceOut(ItemOut):
    other_areas: list[OtherArea] = Field(
        description="同一服务在附近地区（本市其他区县、上级、下级）的实施清单，最近的在前，至多8条"
    )
    copies: int = Field(description="同一服务在全平台的实施清单数")


class ServicePage(Schema):
    count: int = Field(description="服务数（同一服务各地区的实施清单算一项）")
    results: list[ServiceOut]


class ItemPage(Schema):
    count: int
    results: list[ItemOut]


def _summary(entry) -> dict:
    v = entry.published
    return {
        "code": entry.code,
        "name": entry.name,
        "plain_title": entry.plain_title,
        "name_en": v.name_en,
        "plain_title_en": v.plain_title_en,
        "status": entry.status,
        "item_type": entry.catalog_item.item_type.code,
        "department": entry.department.name,
        "department_id": entry.department_id,
        "division_code": entry.department.division.code,
        "audience": v.audience,
        "case_kind": v.case_kind,
        "online_depth": v.online_depth,
        "visits_required": v.visits_required,
        "promised_limit": v.promised_limit,
        "promised_limit_unit": v.promised_limit_unit,
        "legal_limit": v.legal_limit,
        "legal_limit_unit": v.legal_limit_unit,
    }


@router.get(
    "/items",
    response={200: ServicePage | ItemPage, **answers(422)},
    summary="查找办事服务（已发布的实施清单事项）",
)
def list_items(request: HttpRequest, filters: Query[ItemFilter]):
    """With `q`, entries are ranked by relevance (the filters apply inside the search); without,
    listed by implementation code. With `area`, one result per service, as the portal lists them
    for a citizen's 办事地区."""
    wanted = queries.ItemFilters(
        q=filters.q,
        division=filters.division,
        department=filters.department,
        item_type=filters.type,
        topic=filters.topic,
        audience=filters.audience,
        online_depth=filters.online_depth,
        level=filters.level,
    )
    if filters.area is not None:
        try:
            area = get_division_by_code(filters.area)
        except ValidationError:
            raise ValidationError(
                {"area": [_("未知的区划代码：%(code)s。") % {"code": filters.area}]}
            ) from None
        count, services = queries.page_of_services(wanted, filters.page, filters.page_size, area)
        return {
            "count": count,
            "results": [
                {
                    **_summary(s.entry),
                    "other_areas": [
                        {
                            "code": e.code,
                            "department": e.department.name,
                            "division_code": e.department.division.code,
                            "division": e.department.division.name,
                        }
                        for e in s.others
                    ],
                    "copies": s.total,
                }
                for s in services
            ],
        }
    count, entries = queries.page_of_items(wanted, filters.page, filters.page_size)
    return {"count": count, "results": [_summary(e) for e in entries]}


@router.get("/items/{code}", response=dict, summary="办事指南（全部要素）")
def get_item(request: HttpRequest, code: str):
    doc = queries.published_document(code)
    if doc is None:
        raise Http404
    return doc


# --- Statistics ----------------------------------------------------------------------------------


class ClaimCounts(Schema):
    claimed: int = Field(description="认领事项数")
    main_items: int = Field(description="认领主项数（每个部门每个主项计一次）")
    compiled: int = Field(description="编制实施清单数（未取消）")
    published: int = Field(description="已发布（在用或暂停）")


class LevelRow(ClaimCounts):
    level: int
    level_name: str
    category: str
    category_name: str


class DepartmentRow(ClaimCounts):
    department_id: int
    department: str
    division_code: str
    level: int


class TypeRow(ClaimCounts):
    item_type: str
    name: str


class ClaimTables(Schema):
    by_level: list[LevelRow]
    by_department: list[DepartmentRow]
    by_type: list[TypeRow]
    totals: ClaimCounts


class TimeLimits(Schema):
    comparable: int = Field(description="法定、承诺时限单位相同且都已填写的事项数")
    compressed: int = Field(description="承诺时限短于法定时限的事项数")
    compressed_share: float | None
    average_ratio: float | None = Field(description="承诺时限/法定时限的平均值")
    average_compression: float | None = Field(description="平均压缩比例（1 − 平均比值）")


class DepthRow(Schema):
    depth: int
    name: str
    count: int
    share: float | None


class DivisionRef(Schema):
    code: str
    name: str


class CatalogStatsOut(Schema):
    division: DivisionRef | None
    claims: ClaimTables
    published: int
    time_limits: TimeLimits
    materials_per_entry: float | None
    online_depth: list[DepthRow]
    online_share: float | None = Field(description="网上可办（至少网上申报）的比例")
    full_online_share: float | None = Field(description="全程网办比例")
    instant_share: float | None = Field(description="即办件比例")
    zero_visit_share: float | None = Field(description="零跑动（到现场0次）比例")
    at_most_one_visit_share: float | None = Field(description="最多跑一次比例")


class StatsQuery(Schema):
    division: str | None = Field(None, description="区划代码（6或12位）：该区划及下级；不填为全平台")


@router.get("/stats/catalog", response=CatalogStatsOut, summary="事项与办事指南统计")
def catalog_statistics(request: HttpRequest, query: Query[StatsQuery]):
    """Claims and compiled lists by level, department and type; time-limit compression, materials
    per entry, online depth, 即办件 and zero-visit shares over published guides."""
    division = get_division_by_code(query.division) if query.division else None
    return stats.catalog_stats(division)


# --- Import and export (staff) ---------------------------------------------------------------------


def _staff(request: HttpRequest):
    user = request.user
    if accounts_access.staff_division_prefix(user) is None:
        raise HttpError(403, _("只有工作人员可以导入或导出事项。"))
    return user


class ExportQuery(Schema):
    format: str = Field("json", pattern="^(json|xlsx)$", description="json 或 xlsx")
    drafts: bool = Field(False, description="导出每个事项的最新版本（含草稿），默认只导出已发布的")
    division: str | None = Field(None, description="只导出该区划及下级的事项")
    department: RowId | None = Field(None, description="部门编号")


@router.get(
    "/catalog/export",
    auth=signed_in,
    response={200: None, **answers(403)},  # 200: the file itself (xlsx or json)
    summary="导出事项（Excel 或 JSON 文件）",
)
def export_items(request: HttpRequest, query: Query[ExportQuery]):
    """Entries the signed-in staff member may open (their department's; a supervisor's or
    platform administrator's whole division tree)."""
    user = _staff(request)
    entries = access.entries_for_staff(user)
    if query.division:
        entries = entries.filter(
            department__division__code__startswith=get_division_by_code(query.division).prefix
        )
    if query.department:
        entries = entries.filter(department_id=query.department)
    docs = exchange.export_documents(entries, drafts=query.drafts)
    stamp = dt.date.today().strftime("%Y%m%d")
    if query.format == "xlsx":
        data = exchange.dumps_xlsx(docs)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = exchange.dumps_json(docs)
        content_type = "application/json; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="items-{stamp}.{query.format}"'
    response["X-Item-Count"] = str(len(docs))
    return response


class ImportOut(Schema):
    entries: int
    created: int
    updated: int
    catalog_items_created: int
    published: int
    unpublished: list[dict]
    dry_run: bool


@router.post(
    "/catalog/import",
    auth=signed_in,
    response={200: ImportOut, **answers(403, 413, 422)},
    summary="导入事项（Excel 或 JSON，全部校验通过才写入）",
)
def import_items(
    request: HttpRequest,
    file: File[UploadedFile],
    publish: Form[bool] = False,
    dry_run: Form[bool] = False,
):
    """Item administrators import their department's entries, platform administrators any in
    their division tree; only platform administrators may publish on import. Every row is checked
    first: on any problem nothing is written and the answer (422) lists each one with its sheet,
    row and element."""
    user = _staff(request)
    if publish and not accounts_access.is_platform_admin(user):
        raise HttpError(403, _("只有平台管理员可以在导入时直接发布。"))
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        raise HttpError(413, _("文件不能超过 %(mb)s MB。") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise HttpError(413, _("文件不能超过 %(mb)s MB。") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})

    def may_import(department) -> bool:
        probe = Entry(department=department)
        if publish:
            return access.can_review(user, probe)
        return access.can_compile(user, probe)

    try:
        report = exchange.import_sources(
            exchange.read_file(data, file.name or ""),
            publish=publish,
            dry_run=dry_run,
            user=user,
            may_import=may_import,
        )
    except exchange.ImportFailed as exc:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            key = str(error).rsplit(": ", 1)[0] if error.field else error.sheet
            fields.setdefault(key, []).append(error.message)
        return Status(
            422,
            error_body(
                "import_invalid",
                _("导入失败：发现 %(n)s 处问题，未导入任何内容。") % {"n": len(exc.errors)},
                fields,
                errors=[e.as_dict() for e in exc.errors],
            ),
        )
    return report.as_dict()
