"""Published implementation list entries: search and the full guide (public)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.api.pagination import MAX_PAGE_SIZE
from yiwang.catalog import queries

router = Router(tags=["catalog"])


class ItemFilter(Schema):
    q: str = Field("", max_length=100, description="检索词，支持群众日常说法，如“生孩子”“开饭店”")
    division: str | None = Field(None, description="区划代码：该区划及下级部门的事项")
    department: int | None = None
    type: str | None = Field(None, max_length=2, description="事项类型代码，如 01 行政许可")
    topic: str | None = Field(None, max_length=40, description="主题分类代码")
    audience: str | None = Field(None, pattern="^(person|enterprise)$", description="person / enterprise")
    online_depth: int | None = Field(None, ge=0, le=6, description="至少达到的网办深度")
    level: int | None = Field(None, ge=1, le=5)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ItemOut(Schema):
    code: str
    name: str
    plain_title: str
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


class ItemPage(Schema):
    count: int
    results: list[ItemOut]


def _summary(entry) -> dict:
    v = entry.published
    return {
        "code": entry.code,
        "name": entry.name,
        "plain_title": entry.plain_title,
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


@router.get("/items", response=ItemPage, summary="查找办事服务（已发布的实施清单事项）")
def list_items(request: HttpRequest, filters: Query[ItemFilter]):
    count, entries = queries.page_of_items(
        queries.ItemFilters(
            q=filters.q,
            division=filters.division,
            department=filters.department,
            item_type=filters.type,
            topic=filters.topic,
            audience=filters.audience,
            online_depth=filters.online_depth,
            level=filters.level,
        ),
        filters.page,
        filters.page_size,
    )
    return {"count": count, "results": [_summary(e) for e in entries]}


@router.get("/items/{code}", response=dict, summary="办事指南（全部要素）")
def get_item(request: HttpRequest, code: str):
    doc = queries.published_document(code)
    if doc is None:
        raise Http404
    return doc
