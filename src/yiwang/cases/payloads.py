"""The payloads of the procedure's actions (`rules.TRANSITIONS`): one Pydantic model per shape,
named fields with their limits.

Pure data: no database. The API documents each as one member of a discriminated union, the
workbench turns each into its form (`workbench.case_forms`), and the services validate an action's
fields against its model before the handler runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yiwang.cases.corrections import CORRECTION_REASONS, FIELD_REASONS, NOTE_MAX, CorrectionReason
from yiwang.core.validation import RowId

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Payload(BaseModel):
    """An action's fields. Unknown fields are refused, so a misspelt field is named, not ignored."""

    model_config = ConfigDict(extra="forbid")


class NoFields(Payload):
    pass


class Opinion(Payload):
    opinion: Text = Field("", title=gettext_noop("意见"))


_REASON_DOC = "；".join(f"{code}：{label}" for code, label in CORRECTION_REASONS.items())


class CorrectionItem(BaseModel):
    """One thing to correct: a material of the case's checklist, a field of its form, or (`other`)
    a requirement tied to neither; with the preset reasons and a note. The shape before the reasons
    (`{"material": id, "note": "…"}`, `{"field": name, "note": "…"}`, `{"note": "…"}`) is still
    accepted: `kind` is then taken from what the item names."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["material", "field", "other"] | None = Field(
        None,
        title=gettext_noop("类别"),
        description="material：材料（须给 material）；field：表单字段（须给 field）；"
        "other：其他事项（只写 note）。省略时按给出的 material 或 field 推定。",
    )
    material: RowId | None = Field(None, title=gettext_noop("材料"), description="材料清单中的材料编号")
    field: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        None, title=gettext_noop("表单字段"), description="表单字段名"
    )
    reasons: list[CorrectionReason] = Field(
        default_factory=list,
        max_length=len(CorrectionReason),
        title=gettext_noop("补正原因"),
        description=f"预设的补正原因，可多选：{_REASON_DOC}。表单字段只可选 "
        + "、".join(FIELD_REASONS)
        + "。每项至少给出一个原因或写明 note；选 other 时须写明 note。",
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX)] = Field(
        "", title=gettext_noop("补正要求"), description="补充说明（可选；未选原因或选了 other 时必填）"
    )


class RequestCorrection(Payload):
    items: list[CorrectionItem] = Field(
        default_factory=list,
        max_length=200,
        title=gettext_noop("补正事项"),
        description="需要补正的材料和表单字段，每项列明原因；至少一项，或写明 reason。"
        '兼容旧格式（不带原因）：{"material": 编号, "note": "…"}、{"field": 字段名, "note": "…"}、'
        '{"note": "…"}（其他事项）仍可使用。',
    )
    reason: Text = Field("", title=gettext_noop("补正说明"), description="对申请人的总体说明（可选）")


class AcceptWithPending(Payload):
    pending_materials: list[int] = Field(..., min_length=1, max_length=100, title=gettext_noop("容缺的材料"))
    commitment_date: dt.date = Field(..., title=gettext_noop("承诺补齐日期"))


class ReasonRemedy(Payload):
    reason: Required = Field(..., title=gettext_noop("理由"))
    remedy: Required = Field(
        ...,
        title=gettext_noop("救济途径"),
        description="告知申请人依法申请行政复议或者提起行政诉讼的权利、机关和期限",
    )


class Suspend(Payload):
    procedure: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        ..., title=gettext_noop("特别程序")
    )
    reason: Required = Field(..., title=gettext_noop("原因与告知内容"))


class Resume(Payload):
    reason: Text = Field("", title=gettext_noop("特别程序结果"))


class Extend(Payload):
    days: int = Field(..., ge=1, le=10, title=gettext_noop("延长工作日数"))
    reason: Required = Field(..., title=gettext_noop("延长理由"))


class Commitment(Payload):
    commitment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)] = (
        Field(..., title=gettext_noop("申请人承诺内容"))
    )


class Reason(Payload):
    reason: Required = Field(..., title=gettext_noop("理由"))


class OptionalReason(Payload):
    reason: Text = Field("", title=gettext_noop("理由"))


class Deliver(Payload):
    method: Literal["pickup", "express", "electronic"] = Field(..., title=gettext_noop("送达方式"))
    pickup_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)] = Field(
        "", title=gettext_noop("取件码")
    )
    recipient: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = Field(
        "", title=gettext_noop("收件人")
    )
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = Field(
        "", title=gettext_noop("收件人电话")
    )
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        "", title=gettext_noop("收件地址")
    )
