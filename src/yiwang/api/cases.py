"""Cases: apply (`POST /cases`, idempotent with `Idempotency-Key`), list (own cases, or the staff
queue), read one, act on it (`POST /cases/{number}/actions`), materials, delivery, notices.

Every object is looked up through `cases.access`: anything the caller may not see answers 404.
"""

from __future__ import annotations

import binascii
import datetime as dt
from typing import Annotated, Any, Literal, Union

import pybase64
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field, create_model

from yiwang.api import direct_json
from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.api.errors import error_body
from yiwang.api.pagination import PageQuery, paginate
from yiwang.cases import access, drafts, queries, services, submission
from yiwang.cases.corrections import CorrectionReason
from yiwang.cases.models import Case
from yiwang.cases.published import entry_to_apply
from yiwang.cases.rules import TRANSITIONS, Actor
from yiwang.core import uploads
from yiwang.core.validation import RowId
from yiwang.notices.models import Notice

router = Router(tags=["cases"])


# --- Shapes ------------------------------------------------------------------------------------


class ApplicantIn(Schema):
    """For window intake by a clerk: the applicant identified by ID number or credit code."""

    name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=18)
    uscc: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


class MaterialIn(Schema):
    material: RowId | None = Field(None, description="材料清单中的材料编号；为空表示其他材料")
    name: str = Field("", max_length=200)
    filename: str = Field(
        ..., max_length=1000, description="原文件名：保存时去掉控制字符，扩展名按内容确定，截短到 200 个字符"
    )
    content_base64: str = Field(..., description="文件内容（Base64）")


class DeliveryIn(Schema):
    method: str = Field(..., pattern="^(pickup|express|electronic)$")
    recipient: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


class CaseIn(Schema):
    entry: str = Field(..., max_length=31, description="实施编码")
    situation: RowId | None = Field(None, description="情形编号")
    enterprise: str | None = Field(None, max_length=18, description="代办单位的统一社会信用代码（经办人）")
    applicant: ApplicantIn | None = Field(None, description="窗口收件时的申请人（仅窗口人员）")
    form_data: dict[str, Any] = Field(default_factory=dict)
    contact_phone: str | None = Field(None, max_length=20)
    materials: list[MaterialIn] = Field(default_factory=list)
    delivery: DeliveryIn | None = None
    submit: bool = Field(True, description="false 时只保存草稿")


class FormIn(Schema):
    form_data: dict[str, Any]
    contact_phone: str | None = Field(None, max_length=20)


class MaterialOut(Schema):
    id: int
    material: int | None
    name: str
    filename: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime
    correction_round: int
    replaced: bool
    url: str


class EventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    reason: str


class DocumentOut(Schema):
    id: int
    kind: str = Field(
        ...,
        description="acceptance_notice 受理通知书 / non_acceptance_notice 不予受理通知书 / "
        "approval_decision 准予许可决定书 / refusal_decision 不予许可决定书（以后还有电子证照）",
    )
    kind_label: str
    title: str
    event_seq: int = Field(..., description="文书对应的办理过程事件序号")
    created_at: dt.datetime
    size: int
    sha256: str
    url: str = Field(..., description="下载地址（PDF）")


class ChecklistOut(Schema):
    material: int
    name: str
    necessity: str
    is_key: bool
    tolerable: bool
    provided: bool


class CaseSummary(Schema):
    number: str | None
    draft_key: str
    entry: str
    title: str
    department: str
    channel: str
    state: str
    state_label: str
    applicant: str
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    due_provisional: bool
    urgency: str


class CorrectionItemOut(Schema):
    kind: Literal["material", "field", "other"] = Field(
        ..., description="material：材料；field：表单字段；other：其他"
    )
    material: int | None = Field(None, description="材料编号（kind=material）")
    field: str | None = Field(None, description="表单字段名（kind=field）")
    label: str = Field("", description="材料名称或字段标题")
    reasons: list[CorrectionReason] = Field(
        default_factory=list, description="补正原因代码（corrections.CORRECTION_REASONS）"
    )
    reason_labels: list[str] = Field(default_factory=list, description="补正原因的文字，与 reasons 一一对应")
    note: str = ""


class CaseOut(CaseSummary):
    situation: int | None
    applicant_id: str
    agent: str
    contact_phone: str
    form_data: dict[str, Any]
    acceptance_due: dt.date | None
    decision_due: dt.date | None
    delivery_due: dt.date | None
    warn_from: dt.date | None
    accepted_on: dt.date | None
    decided_on: dt.date | None
    limit_workdays: int = Field(description="决定时限的数值，单位见 limit_unit（受理时按办事指南锁定）")
    limit_unit: Literal["workday", "natural_day", "hour"] = Field(
        description="决定时限的单位：workday 工作日、natural_day 自然日、hour 小时"
    )
    paused_workdays: int
    extension_workdays: int
    review_step: str
    special_procedure: str
    pending_materials: list[int]
    commitment_due: dt.date | None
    commitment_overdue: bool
    decision_reason: str
    remedy: str
    correction: list[CorrectionItemOut] | None = Field(
        None, description="待补正时：一次性告知的补正事项（每项的材料或字段、原因代码和说明）"
    )
    correction_note: str = Field("", description="待补正时：一次性告知的总体说明")
    delivery: dict[str, Any] | None
    checklist: list[ChecklistOut]
    materials: list[MaterialOut]
    events: list[EventOut]
    allowed_actions: list[str]
    missing: dict[str, list[str]]
    documents: list[DocumentOut] = Field(
        default_factory=list, description="办件产生的文书（受理通知书、决定书等），决定作出后由系统生成"
    )


class CasePage(Schema):
    count: int
    count_capped: bool = Field(False, description="true：全部/已办结页签的件数超过上限，count 为上限值")
    results: list[CaseSummary]


WIDE_COUNT_CAP = 10000


class QueueFilter(PageQuery):
    tab: str = Field("", description="工作台页签：todo/due_soon/overdue/correction/suspended/closed/all")
    state: str = Field("", max_length=24)
    entry: str = Field("", max_length=31)
    channel: str = Field("", max_length=8)
    applicant: str = Field("", max_length=50, description="申请人姓名、证件号码或办件编号")
    department: RowId | None = Field(None, description="部门编号（监督人员）")


def _action_body(action: str, transition) -> type[BaseModel]:
    """`{"action": "<action>", ...its fields}`: the table's payload model with the tag beside it."""
    return create_model(
        "Action" + "".join(part.title() for part in action.split("_")),
        __base__=transition.payload,
        __doc__=f"{action}：{transition.label}",
        action=(Literal[action], Field(..., description=transition.label)),
    )


# Every action a person can take, each with its own fields (the worker's deem_accepted is not one):
# the OpenAPI document lists them all, and a wrong field is named before any service runs.
_ACTION_BODIES = tuple(
    _action_body(a, t) for a, t in TRANSITIONS.items() if Actor.SYSTEM not in t.actors or len(t.actors) > 1
)
ActionIn = Annotated[
    Union[_ACTION_BODIES],  # noqa: UP007 - a union built from the table
    Field(discriminator="action"),
]


class TrackingIn(Schema):
    status: str = Field(..., pattern="^(in_transit|out_for_delivery|signed|returned)$")
    description: str = Field(..., min_length=1, max_length=200)


class NoticeOut(Schema):
    id: int
    key: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read: bool


class NoticeFilter(PageQuery):
    unread: bool = Field(False, description="只列未读")


class NoticePage(Schema):
    count: int
    results: list[NoticeOut]


# --- Presenting ---------------------------------------------------------------------------------


def _summary(case: Case) -> dict[str, Any]:
    return queries.case_summary(case)


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    return queries.case_detail(request.user, case)


def _case_or_404(request: HttpRequest, number: str) -> Case:
    case = access.case_for(request.user, number)
    if case is None:
        raise Http404
    return case


# --- Applying ---------------------------------------------------------------------------------


def decode_material(material: MaterialIn, index: int) -> bytes:
    """A material's Base64 content (any body part with `content_base64`), or a 422 naming it."""
    try:
        # Strict (RFC 4648's alphabet and padding, nothing else allowed) and vectorised:
        # `binascii.a2b_base64(strict_mode=True)` spent 0.2 ms on a 64 KB file, pybase64 4 µs.
        # It is the stricter of the two: it also refuses padding after a whole quantum ("AAAA=").
        return pybase64.b64decode(material.content_base64, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError(
            {f"materials.{index}.content_base64": [_("文件内容不是有效的 Base64。")]}
        ) from None


def _too_large(exc: ValidationError) -> bool:
    return (
        any(getattr(e, "code", None) == "too_large" for errors in exc.error_dict.values() for e in errors)
        if hasattr(exc, "error_dict")
        else False
    )


@router.post(
    "/cases",
    auth=signed_in,
    response={200: CaseOut, 201: CaseOut, **answers(413, 422)},
    summary="申请办理（窗口人员可代为收件）",
)
def create_case(request: HttpRequest, payload: CaseIn):
    """Apply in one transaction: with `submit` (the default) the case is created submitted, with its
    number, files and delivery choice, or nothing is. With an `Idempotency-Key` header the same key
    from the same account always answers the same case (200), never a second one. An application
    with problems answers 422 naming each, and keeps what was right as a draft (`draft`)."""
    user = request.user
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
    entry = entry_to_apply(payload.entry)
    if entry is None:
        raise ValidationError({"entry": [_("未找到该事项。")]})
    application = submission.ApplicationIn(
        entry=entry,
        situation_id=payload.situation,
        enterprise_uscc=payload.enterprise,
        applicant=payload.applicant.dict() if payload.applicant else None,
        form_data=payload.form_data,
        contact_phone=payload.contact_phone,
        files=[
            submission.FileIn(m.material, m.name, m.filename, decode_material(m, i))
            for i, m in enumerate(payload.materials)
        ],
        delivery=payload.delivery.dict() if payload.delivery else None,
        submit=payload.submit,
    )
    try:
        case, created = submission.apply(user, application, idempotency_key=key)
    except submission.Rejected as exc:
        status = 413 if exc.too_large else 422
        message = (
            _("申请尚未提交：请补全标出的内容。草稿已保存。")
            if payload.submit
            else _("草稿已保存，但部分内容有误：请修改标出的内容。")
        )
        return Status(
            status,
            error_body(
                "too_large" if exc.too_large else "invalid",
                message,
                exc.problems,
                draft=str(exc.draft.draft_key),
            ),
        )
    if not created:
        return Status(200, _detail(request, _case_or_404(request, case.number or str(case.draft_key))))
    # The answer is built from what was just written: nothing is read back, and written in
    # CaseOut's shape without django-ninja validating it again (`direct_json`).
    return direct_json.answer(
        CaseOut,
        queries.case_detail(user, case, materials=case.created_materials, events=case.created_events),
        status=201,
    )


@router.get("/cases", auth=signed_in, response=CasePage, summary="我的办件，或工作台办件队列")
def list_cases(request: HttpRequest, filters: Query[QueueFilter]):
    """Applicants get their own cases (and their enterprises'), newest first; staff get the queue of
    the cases they may handle, most urgent first, filtered like the workbench."""
    user = request.user
    if access.staff_filter(user) is not None:
        qs = queries.staff_queue(
            user,
            queries.QueueFilters(
                tab=filters.tab or "all",
                state=filters.state,
                entry=filters.entry,
                channel=filters.channel,
                applicant=filters.applicant,
                department=filters.department,
            ),
        )
    else:
        qs = queries.applicant_cases(user)
        if filters.state:
            qs = qs.filter(state=filters.state)
    count, capped = None, False
    if access.staff_filter(user) is not None and (filters.tab or "all") in ("all", "closed"):
        # The history grows without end: count it only up to a cap (an exact count of a
        # supervisor's million closed cases costs more than the page itself).
        count = qs.order_by()[: WIDE_COUNT_CAP + 1].count()
        capped = count > WIDE_COUNT_CAP
        count = min(count, WIDE_COUNT_CAP)
    page = paginate(qs.select_related("entry", "department"), filters.page, filters.page_size, count=count)
    return {"count": page["count"], "count_capped": capped, "results": [_summary(c) for c in page["results"]]}


@router.get("/cases/{number}", auth=signed_in, response=CaseOut, summary="办件详情")
def get_case(request: HttpRequest, number: str):
    return _detail(request, _case_or_404(request, number))


@router.put("/cases/{number}/form", auth=signed_in, response=CaseOut, summary="保存表单（草稿自动保存）")
def save_form(request: HttpRequest, number: str, payload: FormIn):
    case = _case_or_404(request, number)
    drafts.save_form(request.user, case, payload.form_data, contact_phone=payload.contact_phone)
    return _detail(request, case)


@router.put("/cases/{number}/delivery", auth=signed_in, response=CaseOut, summary="选择送达方式")
def set_delivery(request: HttpRequest, number: str, payload: DeliveryIn):
    case = _case_or_404(request, number)
    drafts.set_delivery(request.user, case, **payload.dict())
    return _detail(request, case)


@router.post(
    "/cases/{number}/materials",
    auth=signed_in,
    response={201: MaterialOut, **answers(413, 422)},
    summary="上传材料（multipart：file，可选 material）",
)
def upload_material(
    request: HttpRequest,
    number: str,
    file: File[UploadedFile],
    material: Form[RowId | None] = None,
    name: Form[str] = "",
):
    case = _case_or_404(request, number)
    if file.size is not None and file.size > uploads.DEFAULT_MAX_BYTES:
        return Status(
            413,
            error_body(
                "too_large",
                _("文件过大：%(size).1f MB，上限为 %(max).0f MB。")
                % {"size": file.size / 1048576, "max": uploads.DEFAULT_MAX_BYTES / 1048576},
            ),
        )
    try:
        received = drafts.attach_material(
            request.user, case, material, file.read(), file.name or "file", name=name
        )
    except ValidationError as exc:
        if _too_large(exc):
            return Status(413, error_body("too_large", exc.messages[0], exc.message_dict))
        raise
    return Status(
        201,
        {
            "id": received.pk,
            "material": received.material_id,
            "name": received.name,
            "filename": received.file.original_name,
            "size": received.file.size,
            "content_type": received.file.content_type,
            "sha256": received.file.sha256,
            "uploaded_at": received.uploaded_at,
            "correction_round": received.correction_round,
            "replaced": received.replaced,
            "url": queries.file_url(case, received),
        },
    )


@router.delete(
    "/cases/{number}/materials/{material_id}", auth=signed_in, response={204: None}, summary="删除草稿材料"
)
def delete_material(request: HttpRequest, number: str, material_id: int):
    case = _case_or_404(request, number)
    if not case.materials.filter(pk=material_id).exists():
        raise Http404
    drafts.remove_material(request.user, case, material_id)
    return Status(204, None)


@router.get("/cases/{number}/materials/{material_id}/file", auth=signed_in, summary="下载材料")
def material_file(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    return uploads.serve(queries.material_file(_case_or_404(request, number), material_id))


@router.get(
    "/cases/{number}/documents/{document_id}/file",
    auth=signed_in,
    summary="下载办件文书（PDF：受理通知书、决定书等）",
)
def document_file(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A document of a case the caller may see (the applicant, the handling staff): the PDF kept
    with the case. Anyone else, or an id of another case, answers 404."""
    return uploads.serve(queries.document_file(_case_or_404(request, number), document_id))


@router.post(
    "/cases/{number}/actions",
    auth=signed_in,
    response=CaseOut,
    summary='办理操作：{"action": ..., 该操作的字段}',
)
def act(request: HttpRequest, number: str, payload: ActionIn):
    """Take a procedure action. An action not allowed now answers 409 with `allowed` (what this
    caller may do now); a missing required field 422 naming it; two staff at once: one wins, the
    other gets 409 `stale`."""
    case = _case_or_404(request, number)
    action, fields = payload.action, payload.model_dump(exclude={"action"})
    if action == "submit":
        drafts.submit(
            request.user, case, idempotency_key=(request.headers.get("Idempotency-Key") or "")[:100]
        )
    else:
        services.act(request.user, case, action, fields)
    case.refresh_from_db()
    return _detail(request, case)


@router.post("/cases/{number}/tracking", auth=signed_in, response=CaseOut, summary="登记快递轨迹（本地寄递）")
def add_tracking(request: HttpRequest, number: str, payload: TrackingIn):
    case = _case_or_404(request, number)
    if not access.staff_actors(request.user, case):
        raise Http404
    services.record_tracking(request.user, case, payload.status, payload.description)
    return _detail(request, case)


@router.get("/notices", auth=signed_in, response=NoticePage, summary="站内信")
def list_notices(request: HttpRequest, filters: Query[NoticeFilter]):
    qs = Notice.objects.filter(user=request.user)
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    result = paginate(qs, filters.page, filters.page_size)
    return {
        "count": result["count"],
        "results": [
            {
                "id": n.pk,
                "key": n.key,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in result["results"]
        ],
    }


@router.post("/notices/{notice_id}/read", auth=signed_in, response={204: None}, summary="标记已读")
def read_notice(request: HttpRequest, notice_id: int):
    from yiwang.notices.services import mark_read

    if not Notice.objects.filter(user=request.user, pk=notice_id).exists():
        raise Http404
    mark_read(request.user, notice_id)
    return Status(204, None)
