"""Forms of the case pages: one form per procedure action with exactly the fields the action
needs (`rules.TRANSITIONS[action].required`, plus the optional opinion), the 一次性告知 checklist,
the window intake forms, the 告知承诺 verification and express tracking.

A form checks what it can (required, numbers, dates); the services check the rest and their
ValidationError is put back next to the same fields (`add_service_errors`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.cases import services
from yiwang.cases.deadlines import LEGAL_EXTENSION_WORKDAYS
from yiwang.cases.models import Case, DeliveryMethod
from yiwang.cases.rules import TRANSITIONS
from yiwang.workbench.case_display import TRACKING_STATUSES, VERIFICATION_RESULTS

OTHER = "__other__"
FREE_ITEMS = 3


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ActionForm(forms.Form):
    """Base: the action's name as the prefix, so every form of the panel has its own ids."""

    action = ""
    button_class = "button"
    help = ""

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        self.case = case
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)

    @property
    def label(self) -> str:
        return _(TRANSITIONS[self.action].label)

    def payload(self) -> dict[str, Any]:
        data = {}
        for key, value in self.cleaned_data.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            data[key] = value
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


class OpinionForm(ActionForm):
    opinion = forms.CharField(
        label=gettext_lazy("意见"), required=False, widget=_textarea(2), max_length=2000
    )


class PlainForm(ActionForm):
    """An action without fields (受理, 提交补正材料)."""


class AcceptForm(PlainForm):
    action = "accept"
    help = gettext_lazy("材料齐全、符合法定形式，予以受理；办结期限自今日起计算。")


class ResubmitForm(PlainForm):
    action = "resubmit"
    help = gettext_lazy("申请人已按告知书补正（窗口代为上传补正材料后提交）。")


class PassStepForm(OpinionForm):
    action = "pass_step"
    help = gettext_lazy("本环节审查通过，转下一环节。")


class ApproveForm(OpinionForm):
    action = "approve"


class CompleteForm(OpinionForm):
    action = "complete"
    help = gettext_lazy("结果已制作完成，转入送达。")


class DecideOnTheSpotForm(OpinionForm):
    action = "decide_on_the_spot"
    help = gettext_lazy("即办件：当场受理并作出准予许可决定。")


class ReasonRemedyForm(ActionForm):
    button_class = "button button-secondary"
    reason = forms.CharField(label=gettext_lazy("理由"), widget=_textarea(), max_length=2000)
    remedy = forms.CharField(
        label=gettext_lazy("救济途径"),
        widget=_textarea(),
        max_length=2000,
        help_text=gettext_lazy("告知申请人依法申请行政复议或者提起行政诉讼的权利。"),
    )

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
    reason = forms.CharField(label=gettext_lazy("终止理由"), widget=_textarea(), max_length=2000)


class ResumeForm(ActionForm):
    action = "resume"
    reason = forms.CharField(
        label=gettext_lazy("特别程序结果"), required=False, widget=_textarea(2), max_length=2000
    )
    help = gettext_lazy("特别程序结束，恢复计时。")


class ExtendForm(ActionForm):
    action = "extend"
    days = forms.IntegerField(
        label=gettext_lazy("延长工作日数"),
        min_value=1,
        max_value=LEGAL_EXTENSION_WORKDAYS,
        help_text=gettext_lazy("经本机关负责人批准，累计不超过 10 个工作日，并将理由告知申请人。"),
    )
    reason = forms.CharField(label=gettext_lazy("延长理由"), widget=_textarea(2), max_length=2000)


class SuspendForm(ActionForm):
    action = "suspend"
    procedure = forms.ChoiceField(label=gettext_lazy("特别程序"), required=False)
    procedure_other = forms.CharField(
        label=gettext_lazy("其他特别程序（未列出时填写）"), required=False, max_length=100
    )
    reason = forms.CharField(
        label=gettext_lazy("原因与告知内容"),
        widget=_textarea(2),
        max_length=2000,
        help_text=gettext_lazy("特别程序所需时间不计入办理时限，须书面告知申请人。"),
    )

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
    commitment = forms.CharField(
        label=gettext_lazy("申请人承诺内容"),
        widget=_textarea(4),
        max_length=5000,
        help_text=gettext_lazy("告知承诺制：申请人书面承诺符合条件，审批后按期核查。"),
    )


class PendingForm(ActionForm):
    action = "accept_with_pending"
    pending_materials = forms.TypedMultipleChoiceField(
        label=gettext_lazy("容缺的材料"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    commitment_date = forms.DateField(
        label=gettext_lazy("承诺补齐日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("格式 YYYY-MM-DD；应晚于今天。"),
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        self.fields["pending_materials"].choices = [
            (item.material.pk, item.material.name)
            for item in services.checklist(case)
            if not item.provided and not item.material.is_key
        ]
        if not self.fields["pending_materials"].choices:
            self.fields["pending_materials"].help_text = _("没有可以容缺的材料（关键材料不能容缺）。")


class DeliverForm(ActionForm):
    action = "deliver"
    method = forms.ChoiceField(
        label=gettext_lazy("送达方式"), choices=DeliveryMethod.choices, widget=forms.RadioSelect
    )
    pickup_code = forms.CharField(
        label=gettext_lazy("取件码"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("窗口领取时核对申请人出示的取件码。"),
    )
    recipient = forms.CharField(label=gettext_lazy("收件人"), required=False, max_length=50)
    phone = forms.CharField(label=gettext_lazy("收件人电话"), required=False, max_length=20)
    address = forms.CharField(label=gettext_lazy("收件地址"), required=False, max_length=200)

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


class CorrectionForm(ActionForm):
    """一次性告知: tick every material and form field to correct, each with its note, plus free
    items, all sent in one notice."""

    action = "request_correction"
    help = gettext_lazy("一次性告知申请人需要补正的全部内容；补正期间暂停计时。")

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        super().__init__(case, *args, **kwargs)
        self.sources: list[tuple[str, dict[str, Any]]] = []  # (note field, item base) in order
        self.material_rows: list[tuple[str, str]] = []
        self.field_rows: list[tuple[str, str]] = []
        self.free_rows: list[str] = []
        for m in services.required_materials(case):
            self._pair(f"m{m.pk}", m.name, {"material": m.pk, "field": None}, self.material_rows)
        for f in services.case_schema(case).get("fields", []):
            if isinstance(f, dict) and f.get("name"):
                key = "f_" + "".join(c if c.isalnum() else "_" for c in str(f["name"]))
                label = str(f.get("label") or f["name"])
                self._pair(key, label, {"material": None, "field": f["name"]}, self.field_rows)
        for i in range(1, FREE_ITEMS + 1):
            name = f"free{i}_note"
            self.fields[name] = forms.CharField(
                label=_("其他需补正事项 %(n)s") % {"n": i},
                required=False,
                max_length=500,
                widget=_textarea(2),
            )
            self.sources.append((name, {"material": None, "field": None}))
            self.free_rows.append(name)

    def _pair(self, key: str, label: str, base: dict, rows: list) -> None:
        self.fields[f"{key}"] = forms.BooleanField(label=label, required=False)
        self.fields[f"{key}_note"] = forms.CharField(
            label=_("“%(name)s”的补正要求") % {"name": label},
            required=False,
            max_length=500,
            widget=_textarea(2),
        )
        self.sources.append((f"{key}_note", base))
        rows.append((key, f"{key}_note"))

    def pairs(self, rows):
        return [(self[check], self[note]) for check, note in rows]

    def material_pairs(self):
        return self.pairs(self.material_rows)

    def field_pairs(self):
        return self.pairs(self.field_rows)

    def free_fields(self):
        return [self[n] for n in self.free_rows]

    def clean(self):
        data = super().clean()
        self.items: list[dict[str, Any]] = []
        self.item_notes: list[str] = []
        for note_name, base in self.sources:
            check_name = note_name[: -len("_note")]
            checked = bool(data.get(check_name)) if check_name in self.fields else False
            note = (data.get(note_name) or "").strip()
            if checked and not note:
                self.add_error(note_name, _("请写明需要补正的内容和要求。"))
            if checked or note:
                self.items.append({**base, "note": note})
                self.item_notes.append(note_name)
        if not self.items and not self.errors:
            raise ValidationError(_("请至少勾选或填写一项需要补正的内容。"))
        return data

    def payload(self) -> dict[str, Any]:
        return {"items": self.items}

    def field_for_error(self, key: str) -> str | None:
        # items.<n>.<part> (1-based, in the order sent)
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            index = int(parts[1]) - 1
            if 0 <= index < len(getattr(self, "item_notes", [])):
                return self.item_notes[index]
        return None


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        CorrectionForm,
        ResubmitForm,
        AcceptForm,
        PendingForm,
        NotAcceptForm,
        PassStepForm,
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


# --- Window intake (一窗受理) --------------------------------------------------------------------


class ApplicantForm(forms.Form):
    """Who brings the application: a person by ID number, or an enterprise by credit code."""

    KIND_CHOICES = [("person", gettext_lazy("自然人")), ("enterprise", gettext_lazy("法人（企业）"))]

    kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="person"
    )
    name = forms.CharField(label=gettext_lazy("申请人姓名或单位名称"), max_length=100, required=False)
    id_number = forms.CharField(
        label=gettext_lazy("居民身份证号码"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("自然人填写，18 位。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("法人填写，18 位。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    situation = forms.TypedChoiceField(
        label=gettext_lazy("办理情形"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, entry, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        situations = list(entry.published.situations.order_by("seq")) if entry.published_id else []
        if situations:
            self.fields["situation"].choices = [("", _("请选择")), *[(s.pk, s.name) for s in situations]]
            self.fields["situation"].required = True
        else:
            del self.fields["situation"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "person":
            if not (data.get("id_number") or "").strip():
                self.add_error("id_number", _("请填写申请人的居民身份证号码。"))
            if not (data.get("name") or "").strip():
                self.add_error("name", _("请填写申请人姓名。"))
        elif kind == "enterprise" and not (data.get("uscc") or "").strip():
            self.add_error("uscc", _("请填写统一社会信用代码。"))
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            target = key if key in self.fields else None
            for message in messages:
                self.add_error(target, message)


class DeliveryChoiceForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("结果送达方式"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        initial=DeliveryMethod.PICKUP,
    )
    recipient = forms.CharField(label=gettext_lazy("收件人"), required=False, max_length=50)
    phone = forms.CharField(label=gettext_lazy("收件人电话"), required=False, max_length=20)
    address = forms.CharField(label=gettext_lazy("收件地址"), required=False, max_length=200)

    def __init__(self, case: Case, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "delivery")
        super().__init__(*args, **kwargs)
        if not case.version.express_delivery:
            self.fields["method"].choices = [
                c for c in DeliveryMethod.choices if c[0] != DeliveryMethod.EXPRESS
            ]
            for key in ("recipient", "phone", "address"):
                del self.fields[key]

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            target = key if key in self.fields else None
            for message in messages:
                self.add_error(target, message)
