"""Forms of the case pages: one form per procedure action, generated from the action's payload
model in `rules.TRANSITIONS` (its fields, labels, limits and whether they are required are declared
there once, for the API and the services too), the 一次性告知 checklist, the 告知承诺
verification and express tracking. (Window intake's forms: `intake_forms`.)

A form checks what it can (required, numbers, dates); the services check the rest and their
ValidationError is put back next to the same fields (`add_service_errors`).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic.fields import FieldInfo

from yiwang.cases import drafts, procedure, services
from yiwang.cases.corrections import CORRECTION_REASONS, FIELD_REASONS, NOTE_MAX
from yiwang.cases.models import Case, DeliveryMethod
from yiwang.cases.payloads import CorrectionItem
from yiwang.cases.rules import TRANSITIONS
from yiwang.workbench import case_display as display
from yiwang.workbench.case_display import TRACKING_STATUSES, VERIFICATION_RESULTS, CorrectionTarget

OTHER = "__other__"


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _constraint(info: FieldInfo, name: str) -> Any:
    """A constraint of a pydantic field (max_length, ge, le …) wherever pydantic keeps it."""
    for meta in info.metadata:
        if getattr(meta, name, None) is not None:
            return getattr(meta, name)
    for arg in get_args(info.annotation):  # Annotated[str, StringConstraints(...)] | None
        for meta in getattr(arg, "__metadata__", ()):
            if getattr(meta, name, None) is not None:
                return getattr(meta, name)
    return None


def _unwrapped(annotation: Any) -> Any:
    return _unwrapped(get_args(annotation)[0]) if get_origin(annotation) is Annotated else annotation


def _base_type(annotation: Any) -> Any:
    """str for Annotated[str, …] and `str | None`; the origin for list[...]; else the type."""
    if get_origin(annotation) is Annotated:
        return _base_type(get_args(annotation)[0])
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        return _base_type(args[0])
    return get_origin(annotation) or annotation


def form_field(info: FieldInfo, widget: forms.Widget | None = None) -> forms.Field | None:
    """The form field for one field of an action's payload model (its label, limits and whether
    it is required come from the model: the table declares each action's fields once)."""
    label = _(info.title) if info.title else None
    min_length = _constraint(info, "min_length") or 0
    required = info.is_required() and not (info.default == "" and not min_length)
    kind = _base_type(info.annotation)
    common: dict[str, Any] = {"label": label, "required": required, "help_text": ""}
    if widget is not None:
        common["widget"] = widget
    if kind is str:
        max_length = _constraint(info, "max_length")
        if widget is None and (max_length or 0) > 200:
            common["widget"] = _textarea(2 if max_length <= 2000 else 4)
        return forms.CharField(max_length=max_length, **common)
    if kind is int:
        return forms.IntegerField(
            min_value=_constraint(info, "ge"), max_value=_constraint(info, "le"), **common
        )
    if kind is dt.date:
        common.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        return forms.DateField(**common)
    if kind is Literal:
        return forms.ChoiceField(choices=[(v, v) for v in get_args(info.annotation)], **common)
    if kind is list and get_args(_unwrapped(info.annotation)) == (int,):  # ids: the choices come later
        common.setdefault("widget", forms.CheckboxSelectMultiple)
        return forms.TypedMultipleChoiceField(coerce=int, **common)
    return None  # a shape the generic form cannot draw (the correction items): a form of its own


class ActionForm(forms.Form):
    """One action's form, generated from its payload model in `rules.TRANSITIONS`; a subclass
    adds the action's help text, choices or a layout of its own. The action's name is the prefix,
    so every form of the panel has its own ids."""

    action = ""
    button_class = "button"
    help = ""
    widgets: dict[str, forms.Widget] = {}
    help_texts: dict[str, Any] = {}

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        self.case = case
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        for name, info in TRANSITIONS[self.action].payload.model_fields.items():
            if name in self.fields:
                continue
            widget = self.widgets.get(name)
            field = form_field(info, copy.deepcopy(widget) if widget is not None else None)
            if field is None:
                continue
            field.help_text = self.help_texts.get(name, "")
            self.fields[name] = field

    @property
    def label(self) -> str:
        return _(TRANSITIONS[self.action].label)

    def payload(self) -> dict[str, Any]:
        data = {}
        for key, value in self.cleaned_data.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            data[key] = "" if value is None and key in ("opinion", "reason") else value
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put the service's errors next to the fields they name; the rest above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            target = self.field_for_error(key)
            for message in messages:
                self.add_error(target, message)

    def field_for_error(self, key: str) -> str | None:
        return key if key in self.fields else None

    def add_error(self, field: str | None, error: Any) -> None:
        if field is not None and field not in self.fields:
            field = None
        if field is not None and not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        super().add_error(field, error)


class AcceptForm(ActionForm):
    action = "accept"
    help = gettext_lazy("材料齐全、符合法定形式，予以受理；办结期限自今日起计算。")

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        missing = procedure.facts_of(case).missing_required
        if missing:  # the guard refuses it; say so before the clerk tries
            self.help = _("仍缺少必要材料：%(names)s。") % {"names": "、".join(missing)}


class ResubmitForm(ActionForm):
    action = "resubmit"
    help = gettext_lazy("申请人已按告知书补正（窗口代为上传补正材料后提交）。")


class PassStepForm(ActionForm):
    action = "pass_step"
    help = gettext_lazy("本环节审查通过，转下一环节。")


class ProposeRefusalForm(ActionForm):
    action = "propose_refusal"
    button_class = "button button-secondary"
    help = gettext_lazy("审查认为不符合许可条件的，写明理由，转决定环节由审批人员决定。")


class ReturnStepForm(ActionForm):
    action = "return_step"
    button_class = "button button-secondary"
    help = gettext_lazy("退回上一审查环节重新审查，写明理由。")


class ApproveForm(ActionForm):
    action = "approve"


class CompleteForm(ActionForm):
    action = "complete"
    help = gettext_lazy("结果已制作完成，转入送达。")


class DecideOnTheSpotForm(ActionForm):
    action = "decide_on_the_spot"
    help = gettext_lazy("即办件：当场受理并作出准予许可决定。")


class ReasonRemedyForm(ActionForm):
    button_class = "button button-secondary"
    widgets = {"reason": _textarea(), "remedy": _textarea()}
    help_texts = {
        "remedy": gettext_lazy(
            "告知申请人依法申请行政复议或者提起行政诉讼的权利。未写明的，系统自动补充法定告知内容。"
        )
    }

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"remedy": services.REMEDY_DEFAULT})
        super().__init__(case, *args, **kwargs)


class NotAcceptForm(ReasonRemedyForm):
    action = "not_accept"
    help = gettext_lazy("申请事项不属于本机关职权范围或不符合受理条件的，书面说明理由。")


class RefuseForm(ReasonRemedyForm):
    action = "refuse"
    help = gettext_lazy("不予许可的，应当说明理由，并告知申请人享有的救济权利。")


class TerminateForm(ActionForm):
    action = "terminate"
    button_class = "button button-secondary"
    widgets = {"reason": _textarea()}


class ResumeForm(ActionForm):
    action = "resume"
    help = gettext_lazy("特别程序结束，恢复计时。")


class ExtendForm(ActionForm):
    action = "extend"
    help_texts = {"days": gettext_lazy("经本机关负责人批准，累计不超过 10 个工作日，并将理由告知申请人。")}


class SuspendForm(ActionForm):
    action = "suspend"
    procedure = forms.ChoiceField(label=gettext_lazy("特别程序"), required=False)
    procedure_other = forms.CharField(
        label=gettext_lazy("其他特别程序（未列出时填写）"), required=False, max_length=100
    )
    help_texts = {"reason": gettext_lazy("特别程序所需时间不计入办理时限，须书面告知申请人。")}

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        names = [
            str(p.get("name"))
            for p in case.version.special_procedures or []
            if isinstance(p, dict) and p.get("name")
        ]
        self.fields["procedure"].choices = [
            ("", _("请选择")),
            *[(n, n) for n in names],
            (OTHER, _("其他（请填写）")),
        ]

    def clean(self):
        data = super().clean()
        choice, other = data.get("procedure", ""), (data.get("procedure_other") or "").strip()
        if other and choice in ("", OTHER):
            data["procedure"] = other
        elif choice == OTHER or not choice:
            field = "procedure_other" if choice == OTHER else "procedure"
            self.add_error(field, _("请选择或填写特别程序。"))
        return data

    def payload(self) -> dict[str, Any]:
        return {"procedure": self.cleaned_data["procedure"], "reason": self.cleaned_data["reason"]}


class CommitmentForm(ActionForm):
    action = "approve_on_commitment"
    widgets = {"commitment": _textarea(4)}
    help_texts = {"commitment": gettext_lazy("告知承诺制：申请人书面承诺符合条件，审批后按期核查。")}


class PendingForm(ActionForm):
    action = "accept_with_pending"
    help_texts = {"commitment_date": gettext_lazy("格式 YYYY-MM-DD；应晚于今天。")}

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        self.fields["pending_materials"].choices = [
            (item.material.pk, item.material.name)
            for item in drafts.checklist(case)
            if not item.provided and not item.material.is_key
        ]
        if not self.fields["pending_materials"].choices:
            self.fields["pending_materials"].help_text = _("没有可以容缺的材料（关键材料不能容缺）。")


class DeliverForm(ActionForm):
    action = "deliver"
    widgets = {"method": forms.RadioSelect()}
    help_texts = {"pickup_code": gettext_lazy("窗口领取时核对申请人出示的取件码。")}

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        delivery = getattr(case, "delivery", None) if case.pk else None
        if delivery is not None:
            kwargs.setdefault(
                "initial",
                {
                    "method": delivery.method,
                    "recipient": delivery.recipient,
                    "phone": delivery.phone,
                    "address": delivery.address,
                },
            )
        super().__init__(case, *args, **kwargs)
        self.fields["method"].choices = DeliveryMethod.choices  # the labels of the table's values
        express_chosen = delivery is not None and delivery.method == DeliveryMethod.EXPRESS
        if not case.version.express_delivery and not express_chosen:
            self.fields["method"].choices = [
                c for c in DeliveryMethod.choices if c[0] != DeliveryMethod.EXPRESS
            ]
            for key in ("recipient", "phone", "address"):
                del self.fields[key]

    def clean(self):
        data = super().clean()
        if data.get("method") == DeliveryMethod.EXPRESS:
            for key in ("recipient", "phone", "address"):
                if not (data.get(key) or "").strip():
                    self.add_error(key, _("快递送达须填写此项。"))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {"method": data["method"]}
        if data["method"] == DeliveryMethod.PICKUP:
            payload["pickup_code"] = data.get("pickup_code", "")
        elif data["method"] == DeliveryMethod.EXPRESS:
            payload.update({k: data.get(k, "") for k in ("recipient", "phone", "address")})
        return payload


@dataclass
class CorrectionRow:
    """One material or field of the correction form: its tick, its reasons and its note."""

    target: CorrectionTarget
    check: forms.BoundField
    reasons: forms.BoundField
    note: forms.BoundField

    @property
    def status_id(self) -> str:
        return f"{self.check.auto_id}-status"


class CorrectionForm(ActionForm):
    """一次性告知, built from the case: its materials (with what was received) and its form's fields
    (with their values), each with a tick, the preset reasons (`corrections.CORRECTION_REASONS`; a field
    only those that fit one) and a short note; and the overall note. The payload is the table's
    `RequestCorrection`: the service checks the items against the case and its errors come back
    next to the ticks, reasons and notes they concern."""

    action = "request_correction"
    help = gettext_lazy(
        "勾选需要补正的材料或表单内容，为每项选择原因（可多选），必要时补充说明；"
        "全部内容一次告知申请人，补正期间暂停计时。"
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        note_info = CorrectionItem.model_fields["note"]
        note_max = _constraint(note_info, "max_length") or NOTE_MAX
        self.fields["reason"].widget = _textarea(2)
        self.fields["reason"].help_text = _("可选：对全部补正内容的总体说明，如补正期限、办理地点。")
        self._rows: list[tuple[CorrectionTarget, str]] = []
        materials, fields = display.correction_targets(case)
        used: set[str] = set()
        for target in [*materials, *fields]:
            key = _field_key(target, used)
            choices = CORRECTION_REASONS if target.kind == "material" else FIELD_REASONS
            self.fields[key] = forms.BooleanField(label=target.label, required=False)
            self.fields[f"{key}_reasons"] = forms.MultipleChoiceField(
                label=_("“%(name)s”的补正原因") % {"name": target.label},
                choices=[(code, _(CORRECTION_REASONS[code])) for code in choices],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label=_("“%(name)s”的补正要求（可选）") % {"name": target.label},
                max_length=note_max,
                required=False,
            )
            self.fields[key].widget.attrs["aria-describedby"] = f"{self[key].auto_id}-status"
            self._rows.append((target, key))

    def _bound_rows(self, kind: str) -> list[CorrectionRow]:
        return [
            CorrectionRow(target, self[key], self[f"{key}_reasons"], self[f"{key}_note"])
            for target, key in self._rows
            if target.kind == kind
        ]

    def correction_groups(self) -> list[dict[str, Any]]:
        return [
            {"legend": _("申请材料"), "rows": self._bound_rows("material")},
            {"legend": _("申请表填写内容"), "rows": self._bound_rows("field")},
        ]

    def clean(self):
        data = super().clean()
        self.items: list[dict[str, Any]] = []
        self.item_keys: list[str] = []
        for target, key in self._rows:
            if not data.get(key):
                continue  # only what is ticked is sent (a reason left under an untick is not)
            item: dict[str, Any] = {
                "kind": target.kind,
                "reasons": list(data.get(f"{key}_reasons") or []),
                "note": (data.get(f"{key}_note") or "").strip(),
            }
            item[target.kind] = int(target.key) if target.kind == "material" else target.key
            self.items.append(item)
            self.item_keys.append(key)
        return data

    def payload(self) -> dict[str, Any]:
        return {"items": self.items, "reason": (self.cleaned_data.get("reason") or "").strip()}

    def field_for_error(self, key: str) -> str | None:
        # items.<n>.<part>[.<m>] (from 0, in the order sent); `items` alone: nothing is ticked
        parts = key.split(".")
        if key in self.fields:
            return key
        if len(parts) >= 3 and parts[0] == "items" and parts[1].isdigit():
            index = int(parts[1])
            if 0 <= index < len(getattr(self, "item_keys", [])):
                base = self.item_keys[index]
                return {"reasons": f"{base}_reasons", "note": f"{base}_note"}.get(parts[2], base)
        return None


def _field_key(target: CorrectionTarget, used: set[str]) -> str:
    """The form's name for a target's controls: m<id> for a material, f_<name> for a field."""
    if target.kind == "material":
        key = f"m{target.key}"
    else:
        key = "f_" + "".join(c if c.isalnum() else "_" for c in target.key)
    base, n = key, 2
    while key in used:
        key, n = f"{base}_{n}", n + 1
    used.add(key)
    return key


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        CorrectionForm,
        ResubmitForm,
        AcceptForm,
        PendingForm,
        NotAcceptForm,
        PassStepForm,
        ProposeRefusalForm,
        ReturnStepForm,
        SuspendForm,
        ResumeForm,
        ExtendForm,
        ApproveForm,
        DecideOnTheSpotForm,
        CommitmentForm,
        RefuseForm,
        CompleteForm,
        DeliverForm,
        TerminateForm,
    )
}


def action_form(action: str, case: Case, data=None) -> ActionForm | None:
    cls = ACTION_FORMS.get(action)
    return cls(case, data) if cls is not None else None


# --- Other forms of the case page ------------------------------------------------------------


class VerificationForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("核查结论"), choices=VERIFICATION_RESULTS, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("核查情况说明"), widget=_textarea(3), max_length=2000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "verify")
        super().__init__(*args, **kwargs)


class TrackingForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("寄递状态"), choices=TRACKING_STATUSES)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "tracking")
        super().__init__(*args, **kwargs)
