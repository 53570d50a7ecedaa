"""Electronic licences: the holder's wallet, one licence, its PDF and use log, staff status changes
and new versions, share links; public verification (by identifier or scanned QR payload), the trust
list and the issuers' status lists (cacheable, for offline verifiers); and, on a case, the licences
offered as material and the approver's adjustments before the licence is signed.

Every licence is looked up through `licences.access`: one the caller may not see answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from yiwang.api import direct_json
from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.api.pagination import PageQuery, paginate
from yiwang.cases import access as case_access
from yiwang.core import uploads
from yiwang.core.models import Department
from yiwang.core.validation import RowId
from yiwang.licences import access, issuing, keys, queries, reuse, statuses, verification, wallet
from yiwang.licences.models import Licence

router = Router(tags=["licences"])


# --- Shapes ------------------------------------------------------------------------------------


class LicenceOut(Schema):
    identifier: str = Field(description="证照标识（GB/T 36904）")
    type: str
    type_code: str
    number: str = Field(description="证照编号")
    version: int
    status: str = Field(
        description="状态代码：01 有效 02 暂扣 03 撤销 04 注销 05 失效 06 转出 07 吊销 99 其他"
    )
    status_text: str
    status_reason: str
    usable: bool = Field(description="有效且在有效期内，可作为申请材料")
    holder_kind: str
    holder_name: str
    holder_id: str
    issuer: str
    issuer_code: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    jurisdiction: str
    related_item: str
    data: dict[str, str] = Field(description="证照显示的数据项：名称 → 内容")
    qr_payload: str = Field(description="二维码内容（签名载荷，CBOR→zlib→Base45）")
    qr_chars: int
    kid: str = Field(description="签名电子印章的密钥标识")
    case_number: str | None
    document_url: str | None
    verification_url: str


class LicencePage(Schema):
    count: int
    results: list[LicenceOut]


class LicenceFilter(PageQuery):
    status: str | None = Field(None, pattern=r"^\d{2}$", description="按状态代码筛选")


class VerificationOut(Schema):
    code: str = Field(
        description="valid / suspended / revoked / cancelled / expired / seal_withdrawn / bad_signature / "
        "unknown_key / altered / not_found / bad_identifier / malformed"
    )
    genuine: bool = Field(description="由信任列表中的电子印章签名")
    message: str
    unchanged: bool | None = Field(description="平台记录与签名内容一致")
    status: str | None
    status_text: str
    status_reason: str
    licence: dict[str, Any] | None = Field(description="证照信息，自然人持证人姓名和证件号码已脱敏")
    checked_at: str


class PayloadIn(Schema):
    payload: str = Field(..., max_length=4000, description="扫描二维码得到的文字（以 YWL1: 开头）")


class StatusIn(Schema):
    action: str = Field(..., pattern="^(suspend|restore|revoke|withdraw|cancel)$")
    reason: str = Field(..., min_length=1, max_length=300)


class VersionIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict, description="变更的数据项（按证照类型的数据项校验）")
    reason: str = Field(..., min_length=1, max_length=300, description="变更、延续或补发的原因")


class ShareIn(Schema):
    days: int = Field(7, ge=1, le=30)


class ShareOut(Schema):
    url: str
    expires_at: dt.datetime


class UseOut(Schema):
    kind: str
    kind_text: str
    case_number: str
    by: str
    at: dt.datetime


class OfferOut(Schema):
    material: int
    material_name: str
    licence_type: str
    licence: LicenceOut | None
    problem: str = Field(description="无可用证照时的原因和建议")
    used: str = Field(description="已用于本件的证照标识")


class UseIn(Schema):
    material: RowId
    identifier: str = Field(..., max_length=80)


class DraftIn(Schema):
    data: dict[str, Any]


class DraftOut(Schema):
    licence_type: str
    data: dict[str, Any]


def _licence_or_404(request: HttpRequest, identifier: str) -> Licence:
    licence = access.licence_for(request.user, identifier)
    if licence is None:
        raise Http404
    return licence


def _out(request: HttpRequest, licence: Licence) -> dict[str, Any]:
    return queries.view(licence, request.user)


# --- Public: verification, trust list, status lists ----------------------------------------------


@router.get(
    "/licences/trust-list",
    auth=None,
    response=dict[str, Any],
    summary="电子印章信任列表（公钥、密钥标识、有效期、撤销情况；供离线核验）",
)
def trust_list(request: HttpRequest):
    response = JsonResponse(keys.trust_list(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@router.get(
    "/licences/status-lists/{issuer_code}",
    auth=None,
    response={200: dict[str, Any], **answers(404)},
    summary="发证机构的证照状态列表（每证 2 位，随机位置；供离线核验）",
)
def status_list(request: HttpRequest, issuer_code: str):
    issuer = Department.objects.filter(uscc=issuer_code[:18]).first() if len(issuer_code) == 18 else None
    document = statuses.status_list_of(issuer) if issuer is not None else None
    if document is None:
        raise Http404
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    return response


@router.post(
    "/licences/verification",
    auth=None,
    response={200: VerificationOut, **answers(422)},
    summary="核验扫描得到的二维码内容",
)
def verify_payload(request: HttpRequest, payload: PayloadIn):
    return _verdict(verification.by_payload(payload.payload))


@router.get(
    "/licences/{identifier}/verification",
    auth=None,
    response=VerificationOut,
    summary="按证照标识核验（公开，持证人信息脱敏）",
)
def verify_identifier(request: HttpRequest, identifier: str):
    return _verdict(verification.by_identifier(identifier[:200]))


def _verdict(answer: verification.Answer) -> HttpResponse:
    """The answer as VerificationOut's JSON, written directly: `Answer` has exactly its fields
    (tests/licences/test_issuing.py holds every kind of answer to the schema), and skipping
    django-ninja's validation of the response is ~4 % of a scan's server CPU on the public's
    hottest path (ADR 17). Its values are JSON's own (dates as text), so it is written `plain`."""
    return direct_json.rendered(answer.as_dict(), plain=True)


# --- The wallet and one licence ---------------------------------------------------------------------


@router.get("/licences", auth=signed_in, response=LicencePage, summary="我的证照（卡包），或本部门签发的证照")
def list_licences(request: HttpRequest, filters: Query[LicenceFilter]):
    qs = (
        access.visible_licences(request.user).select_related("seal_key", "case").order_by("-issued_on", "-id")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(qs, filters.page, filters.page_size)
    page["results"] = [_out(request, lic) for lic in page["results"]]
    return page


@router.get(
    "/licences/{identifier}", auth=signed_in, response=LicenceOut, summary="证照详情（持证人或发证部门）"
)
def get_licence(request: HttpRequest, identifier: str):
    return _out(request, _licence_or_404(request, identifier))


@router.get(
    "/licences/{identifier}/document",
    auth=signed_in,
    url_name="licence_document",
    summary="下载电子证照（PDF，含电子印章和核验二维码）",
)
def licence_document(request: HttpRequest, identifier: str) -> HttpResponse:
    from yiwang.licences import documents

    licence = documents.attach(_licence_or_404(request, identifier))  # rendered now if not yet by the worker
    if access.is_holder(request.user, licence):
        wallet.log_download(request.user, licence)
    return uploads.serve(licence.document)


@router.get("/licences/{identifier}/uses", auth=signed_in, response=list[UseOut], summary="用证记录")
def licence_uses(request: HttpRequest, identifier: str):
    return [queries.use_view(u) for u in wallet.uses(_licence_or_404(request, identifier))]


@router.post(
    "/licences/{identifier}/shares",
    auth=signed_in,
    response={201: ShareOut, **answers(403, 422)},
    summary="生成分享核验链接（限时）",
)
def share_licence(request: HttpRequest, identifier: str, payload: ShareIn):
    licence = _licence_or_404(request, identifier)
    if not access.is_holder(request.user, licence):
        raise HttpError(403, _("只有持证人可以分享证照。"))
    link, token = wallet.share(request.user, licence, payload.days)
    from yiwang.licences.links import absolute

    return Status(201, {"url": absolute("portal:licence-shared", token), "expires_at": link.expires_at})


@router.post(
    "/licences/{identifier}/status",
    auth=signed_in,
    response={200: LicenceOut, **answers(403, 422)},
    summary="变更证照状态：暂扣、恢复、撤销、吊销、注销（发证部门审批人员）",
)
def change_status(request: HttpRequest, identifier: str, payload: StatusIn):
    licence = _licence_or_404(request, identifier)
    if not access.may_change_status(request.user, licence):
        raise HttpError(403, _("只有发证部门的审批人员可以变更证照状态。"))
    statuses.change(licence, payload.action, payload.reason, request.user)
    return _out(request, _licence_or_404(request, identifier))


@router.post(
    "/licences/{identifier}/versions",
    auth=signed_in,
    response={201: LicenceOut, **answers(403, 422)},
    summary="换发新版本（变更、延续、补发）：原版本失效",
)
def new_version(request: HttpRequest, identifier: str, payload: VersionIn):
    from yiwang.licences import documents

    licence = _licence_or_404(request, identifier)
    if not access.may_change_status(request.user, licence):
        raise HttpError(403, _("只有发证部门的审批人员可以换发证照。"))
    try:
        fresh = issuing.reissue(licence, request.user, payload.data, payload.reason)
    except issuing.CannotIssue as error:
        raise HttpError(409, str(error)) from error
    documents.attach(fresh)
    return Status(201, _out(request, _licence_or_404(request, fresh.identifier)))


# --- On a case: licences offered as material, the approver's adjustments --------------------------


def _case_or_404(request: HttpRequest, number: str):
    case = case_access.case_for(request.user, number)
    if case is None:
        raise Http404
    return case


@router.get(
    "/cases/{number}/licence-offers",
    auth=signed_in,
    response=list[OfferOut],
    summary="本件可用电子证照提供的材料，以及申请人名下的证照",
)
def licence_offers(request: HttpRequest, number: str):
    case = _case_or_404(request, number)
    return [
        {
            "material": o.material.pk,
            "material_name": o.material.name,
            "licence_type": o.licence_type.name,
            "licence": _out(request, o.licence) if o.licence is not None else None,
            "problem": o.problem,
            "used": o.used,
        }
        for o in reuse.offers(case)
    ]


@router.post(
    "/cases/{number}/licences",
    auth=signed_in,
    response={201: dict[str, Any], **answers(409, 422)},
    summary="同意使用名下电子证照作为申请材料（免于上传）",
)
def use_licence(request: HttpRequest, number: str, payload: UseIn):
    case = _case_or_404(request, number)
    received = reuse.use(request.user, case, payload.material, payload.identifier)
    return Status(
        201, {"id": received.pk, "material": received.material_id, "licence": received.licence_identifier}
    )


@router.put(
    "/cases/{number}/licence-draft",
    auth=signed_in,
    response={200: DraftOut, **answers(403, 422)},
    summary="审批人在决定前调整将签发的证照数据项",
)
def adjust_licence(request: HttpRequest, number: str, payload: DraftIn):
    case = _case_or_404(request, number)
    try:
        draft = issuing.save_draft(request.user, case, payload.data)
    except PermissionError as error:
        raise HttpError(403, str(error)) from error
    return {"licence_type": draft.licence_type.name, "data": issuing.proposed_data(case, draft.licence_type)}
