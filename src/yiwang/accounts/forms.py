from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令（6位数字）"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


class PersonRegistrationForm(forms.Form):
    """Fields only; every rule lives in `services.register_person`."""

    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("居民身份证号码"), max_length=18, help_text=_("18位，最后一位可能是X。")
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    username = forms.CharField(
        label=_("用户名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("3至40位字母、数字或 _ . @ - ，用于登录。"),
    )
    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，包含字母、数字、符号中的两类。"),
    )


class EnterpriseRegistrationForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=100)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, help_text=_("18位，见营业执照。"))
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,  # a landline with its area code, e.g. 0471-1234567, is 12 characters
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    username = forms.CharField(
        label=_("用户名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("3至40位字母、数字或 _ . @ - ，用于登录。"),
    )
    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，包含字母、数字、符号中的两类。"),
    )


class AgentForm(forms.Form):
    name = forms.CharField(label=_("经办人姓名"), max_length=50)
    id_number = forms.CharField(label=_("经办人身份证号码"), max_length=18)
    valid_until = forms.DateField(
        label=_("授权有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("授权事项说明"), max_length=200, required=False)


def apply_errors(form: forms.Form, message_dict: dict[str, list[str]]) -> None:
    """Attach a service's field errors to the form fields that carry them."""
    for field, messages in message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
