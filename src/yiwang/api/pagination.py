"""`?page=&page_size=` answering `{"count", "results"}`, the one list shape of the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

MAX_PAGE_SIZE = 200


class Page(Schema):
    count: int
    results: list[Any]


class PageQuery(Schema):
    """The paging parameters of every list, bounded in the OpenAPI document (and refused with a 422
    naming them when out of bounds). A list with another default page size overrides `page_size`
    with the same bounds."""

    page: int = Field(1, ge=1, description="页码，从1开始；超过末页时 results 为空")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")


def paginate(queryset: QuerySet, page: int = 1, page_size: int = 20, *, count: int | None = None) -> dict:
    errors = {}
    if page < 1:
        errors["page"] = [_("页码从1开始。")]
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [_("每页条数应在1到%(max)s之间。") % {"max": MAX_PAGE_SIZE}]
    if errors:
        raise ValidationError(errors)
    total = queryset.count() if count is None else count
    start = (page - 1) * page_size
    # Past the end there is nothing to fetch; an absurd page must not reach the database as an
    # OFFSET too large for its integer type (a 500 on SQLite and PostgreSQL alike).
    results = list(queryset[start : start + page_size]) if start < total else []
    return {"count": total, "results": results}
