"""一件事一次办: the bundles (their merged guide, questions and materials), applying once for all
their cases (`POST /bundles/{code}/applications`, idempotent with `Idempotency-Key`), and the
parent application with each case's state. A bundle application the caller may not see answers
404 (`bundles.access`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.access import watched_prefix
from yiwang.api.auth import signed_in
from yiwang.api.cases import ApplicantIn, DeliveryIn, decode_material
from yiwang.api.contract import answers
from yiwang.api.errors import error_body
from yiwang.bundles import access, queries, services
from yiwang.ratings.rules import RatingIn

router = Router(tags=["bundles"])


class BundleItem(Schema):
    code: str
    name: str
    plain_title: str
    summary: str
    division: str
    items: int = Field(description="包含的事项数")


class GuideQuery(Schema):
    answers: str | None = Field(
        None, max_length=2000, description="按回答筛选：question=value 用逗号分隔，如 seats=80,signboard=yes"
    )


class StatisticsQuery(Schema):
    since: dt.date | None = Field(None, description="起始日期（提交日期），默认全部")


class BundleMaterialIn(Schema):
    material: str = Field(..., max_length=200, description="合并材料清单中的 key")
    filename: str = Field(..., max_length=1000)
    content_base64: str = Field(..., description="文件内容（Base64）")


class LicenceUseIn(Schema):
    material: str = Field(..., max_length=200, description="合并材料清单中可用电子证照提供的材料 key")
    identifier: str = Field(..., max_length=80, description="申请人名下电子证照的标识（勾选即同意调用）")


class BundleApplicationIn(Schema):
    answers: dict[str, Any] = Field(default_factory=dict, description="对一件事问题的回答")
    form_data: dict[str, Any] = Field(default_factory=dict, description="一张表单（合并后的字段）")
    materials: list[BundleMaterialIn] = Field(default_factory=list, description="每份材料只需上传一次")
    licences: list[LicenceUseIn] = Field(
        default_factory=list, max_length=30, description="用卡包中的电子证照提供材料（三个凡是）"
    )
    delivery: DeliveryIn | None = None
    contact_phone: str | None = Field(None, max_length=20)
    enterprise: str | None = Field(None, max_length=18, description="代办单位的统一社会信用代码")
    applicant: ApplicantIn | None = Field(None, description="窗口一窗受理时的申请人（仅窗口人员）")


def _answers(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    found = {}
    for pair in text.split(","):
        name, _sep, value = pair.partition("=")
        if name.strip():
            found[name.strip()] = value.strip()
    return found


def _bundle_or_404(code: str):
    bundle = queries.bundle_by_code(code[:40])
    if bundle is None:
        raise Http404
    return bundle


class ListQuery(Schema):
    division: str | None = Field(None, pattern=r"^\d{2,12}$", description="区划代码（含下级）")
    q: str | None = Field(None, max_length=100, description="群众的说法，如“开饭店”")


@router.get("/bundles", response=list[BundleItem], summary="一件事列表（可按群众说法检索）")
def list_bundles(request: HttpRequest, filters: Query[ListQuery]):
    found = queries.published_bundles(filters.division or "")
    if filters.q:
        codes = [b.code for b in queries.search(queries.search_words(filters.q), limit=20)]
        found = sorted((b for b in found if b.code in codes), key=lambda b: codes.index(b.code))
    return [
        {
            "code": b.code,
            "name": b.published.name,
            "plain_title": b.published.plain_title,
            "summary": b.published.summary,
            "division": b.division.name,
            "items": len((b.published.definition or {}).get("members", [])),
        }
        for b in found
    ]


@router.get(
    "/bundles/statistics",
    auth=signed_in,
    response={200: dict[str, Any], **answers(403)},
    summary="一件事统计（监察人员）：申请、办结、按时率、关键路径用时、减材料减时限",
)
def bundle_statistics(request: HttpRequest, filters: Query[StatisticsQuery]):
    prefix = watched_prefix(request.user)
    if prefix is None:
        return Status(403, error_body("forbidden", _("只有监察人员和平台管理员可以查看一件事统计。")))
    return queries.figures(prefix, since=filters.since)


@router.get(
    "/bundles/applications/{key}", auth=signed_in, response=dict[str, Any], summary="一件事申请及各办件状态"
)
def get_application(request: HttpRequest, key: str):
    application = access.application_for(request.user, key[:60])
    if application is None:
        raise Http404
    return queries.progress(application)


@router.get("/bundles/{code}", response=dict[str, Any], summary="一件事的一次告知：合并指南、问题、材料")
def get_bundle(request: HttpRequest, code: str, filters: Query[GuideQuery]):
    """Without `answers` everything the bundle may involve; with them, what applies."""
    return queries.guide(_bundle_or_404(code), _answers(filters.answers)).as_dict()


@router.post(
    "/bundles/{code}/applications",
    auth=signed_in,
    response={200: dict[str, Any], 201: dict[str, Any], **answers(413, 422)},
    summary="一件事一次申请（一表申请、一套材料）",
)
def apply(request: HttpRequest, code: str, payload: BundleApplicationIn):
    """One application creates one case per selected entry in one transaction, or nothing. With
    an `Idempotency-Key` the same key from the same account answers the same application (200)."""
    bundle = _bundle_or_404(code)
    application_in = services.ApplicationIn(
        bundle=bundle,
        answers=payload.answers,
        form_data=payload.form_data,
        files=[
            services.FileIn(m.material, m.filename, decode_material(m, i))
            for i, m in enumerate(payload.materials)
        ],
        delivery=payload.delivery.dict() if payload.delivery else None,
        contact_phone=payload.contact_phone,
        enterprise_uscc=payload.enterprise,
        applicant=payload.applicant.dict() if payload.applicant else None,
        licences={u.material: u.identifier for u in payload.licences},
    )
    try:
        application, created = services.apply(
            request.user, application_in, idempotency_key=request.headers.get("Idempotency-Key") or ""
        )
    except services.Rejected as exc:
        status = 413 if exc.too_large else 422
        return Status(
            status,
            error_body(
                "too_large" if exc.too_large else "invalid",
                _("一件事申请尚未提交：请补全标出的内容。"),
                exc.problems,
            ),
        )
    return Status(201 if created else 200, queries.progress(application))


@router.post(
    "/bundles/applications/{key}/rating",
    auth=signed_in,
    response={201: dict[str, Any], **answers(403, 409)},
    summary="一件事整体评价（办结后一次）",
)
def rate_application(request: HttpRequest, key: str, payload: RatingIn):
    """Each case is rated on its own where the ratings rules say (`POST /cases/{number}/rating`);
    this is the one rating of the whole bundle, once every case is closed."""
    application = access.application_for(request.user, key[:60])
    if application is None:
        raise Http404
    try:
        rating = services.rate(request.user, application, payload)
    except PermissionDenied:
        return Status(403, error_body("forbidden", _("只有申请人本人可以评价。")))
    except services.StateConflict as exc:
        return Status(409, error_body("conflict", exc.message))
    return Status(201, {"level": rating.level, "bad": rating.bad, "rated_at": rating.rated_at.isoformat()})
