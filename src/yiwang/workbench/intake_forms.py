"""Forms of window intake (一窗受理) in the workbench: who brings the application (a person by ID
number, an enterprise by credit code, and the situation) and how the result is to be delivered.

A form checks what it can; the services check the rest and their ValidationError is put back next
to the same fields (`add_service_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.cases.models import Case, DeliveryMethod


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
