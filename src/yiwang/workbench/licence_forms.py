"""Forms of the licence pages of the workbench: withdrawing a seal key, changing a licence's status,
issuing a new version (its data fields are drawn from the licence type's schema by the
`schema_form` tag, not here), and the licence type's ModelForm.

A form checks what it can; the licences app checks the rest and its ValidationError is put back
next to the same fields (`add_service_errors`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.accounts.models import User
from yiwang.catalog import form_schema
from yiwang.core.identifiers import validate_uscc
from yiwang.licences import statuses, type_services
from yiwang.licences.models import LicenceType

REASON_MAX = 300
TYPE_CODE_RE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}$")
NAME_SPLIT_RE = re.compile(r"[\s,，、;；]+")


def _reason(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写原因。")},
    )


class ServiceErrors:
    """Put a service's ValidationError next to the fields it names; the rest above the form."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class WithdrawKeyForm(ServiceErrors, forms.Form):
    """Withdraw one seal key (a compromised seal): every licence it signed stops verifying."""

    reason = _reason(
        gettext_lazy("撤销原因"),
        gettext_lazy("例如：密钥介质遗失、部门撤并。撤销后，该密钥签发的全部证照核验为“电子印章已撤销”。"),
    )

    def __init__(self, kid: str, *args: Any, **kwargs: Any):
        self.kid = kid
        kwargs.setdefault("prefix", f"withdraw-{kid}")
        super().__init__(*args, **kwargs)


class StatusForm(ServiceErrors, forms.Form):
    """One status change of `statuses.CHANGES` (暂扣, 恢复有效, 撤销, 吊销, 注销) with its reason."""

    reason = _reason(gettext_lazy("原因"), gettext_lazy("将记入证照的状态变更记录，并在公开核验结果中显示。"))

    def __init__(self, action: str, *args: Any, **kwargs: Any):
        if action not in statuses.CHANGES:
            raise ValueError(action)
        self.action = action
        kwargs.setdefault("prefix", f"status-{action}")
        super().__init__(*args, **kwargs)

    @property
    def label(self) -> str:
        return _(statuses.CHANGES[self.action][2])


def allowed_actions(status: str) -> list[str]:
    """The status changes allowed from `status`, in the table's order."""
    return [action for action, (sources, _target, _label) in statuses.CHANGES.items() if status in sources]


class ReissueForm(ServiceErrors, forms.Form):
    """A new version (变更, 延续, 补发): the reason here, the data fields from the type's schema."""

    reason = _reason(gettext_lazy("换发原因"), gettext_lazy("变更、延续或补发的原因，将记入证照的变更记录。"))

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "reissue")
        super().__init__(*args, **kwargs)


# --- 证照类型 ------------------------------------------------------------------------------------


class EntryChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.department.name}，{obj.code}）"


class LicenceTypeForm(forms.ModelForm):
    """A licence type with its data fields (JSON, as the catalog's form schemas) and the order the
    document shows them in. Once licences of the type are issued, what their signed QR repeats
    (the name, the fields and the fields shown) is locked: changing it would make every issued
    licence verify as altered."""

    LOCKED_WHEN_ISSUED = ("code", "name", "agency", "holder_kind", "schema_text", "layout_shown")

    schema_text = forms.CharField(
        label=gettext_lazy("证照数据项（JSON）"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        help_text=gettext_lazy(
            '与申请表相同的结构：{"fields": [{"name": "shop_name", "label": "店铺名称", "type": "text"}, …]}。'
            '可用 "from" 指定取自申请表的字段，或 "prefill" 取自申请人信息（如 "name"、"enterprise_name"）。'
        ),
    )
    layout_title = forms.CharField(
        label=gettext_lazy("证照版式标题"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("留空则使用证照名称"),
    )
    layout_shown = forms.CharField(
        label=gettext_lazy("证照显示的数据项及顺序"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy("每行一个数据项名称（name），按显示顺序排列；留空则按数据项的顺序全部显示。"),
    )
    layout_note = forms.CharField(
        label=gettext_lazy("版式附注"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = LicenceType
        fields = [
            "code",
            "name",
            "agency",
            "holder_kind",
            "validity_years",
            "number_prefix",
            "entries",
            "is_active",
        ]
        field_classes = {"entries": EntryChoices}
        widgets = {
            "code": forms.TextInput(attrs={"maxlength": 21, "spellcheck": "false", "autocomplete": "off"}),
            "entries": forms.SelectMultiple(attrs={"size": 12}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        instance = self.instance
        self.fields["agency"].queryset = type_services.agencies_for(user)
        self.fields["entries"].queryset = type_services.entries_for(user)
        self.fields["entries"].help_text = _(
            "审批通过后签发该证照的事项（按住 Ctrl 或 ⌘ 可多选）。一个事项只能核发一种证照。"
        )
        self.fields["validity_years"].widget.attrs.update({"min": 1, "max": 100})
        layout = instance.layout or {}
        if instance.pk:
            self.initial.setdefault(
                "schema_text", json.dumps(instance.schema or {}, ensure_ascii=False, indent=2)
            )
            self.initial.setdefault("layout_title", layout.get("title", ""))
            self.initial.setdefault("layout_shown", "\n".join(layout.get("shown") or []))
            self.initial.setdefault("layout_note", layout.get("note", ""))
        else:
            self.initial.setdefault("schema_text", json.dumps({"fields": []}, ensure_ascii=False, indent=2))
        self.issued = bool(instance.pk) and type_services.has_licences(instance)
        if self.issued:
            for name in self.LOCKED_WHEN_ISSUED:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "已签发该类型的证照，不能修改（会使已签发证照的核验结果不一致）。如需调整，请新建证照类型。"
                )

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if self.fields["code"].disabled:
            return code
        if not TYPE_CODE_RE.match(code):
            raise ValidationError(
                _("证照类型代码应为21位：定义机构的统一社会信用代码（18位）加3位数字顺序码。")
            )
        try:
            validate_uscc(code[:18])
        except ValidationError as exc:
            raise ValidationError(
                _("证照类型代码的前18位不是有效的统一社会信用代码：%(e)s") % {"e": exc.messages[0]}
            ) from None
        return code

    def clean_validity_years(self) -> int | None:
        years = self.cleaned_data.get("validity_years")
        if years is not None and not 1 <= years <= 100:
            raise ValidationError(_("有效期应为 1 到 100 年；长期有效请留空。"))
        return years

    def clean_schema_text(self) -> dict:
        text = self.cleaned_data.get("schema_text")
        try:
            schema = json.loads(text or "")
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("不是有效的 JSON（第 %(line)s 行第 %(col)s 列）：%(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from None
        problems = form_schema.schema_errors(schema)
        if problems:
            raise ValidationError(problems)
        if not isinstance(schema, dict) or not schema.get("fields"):
            raise ValidationError(_("请至少定义一个证照数据项。"))
        return schema

    def clean_entries(self):
        entries = self.cleaned_data.get("entries")
        taken = type_services.entries_taken(entries or [], self.instance)
        if taken:
            raise ValidationError(
                _("以下事项已核发其他证照类型，一个事项只能核发一种证照：%(names)s")
                % {"names": "、".join(f"{e.name}（{t.name}）" for e, t in taken)}
            )
        return entries

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code, agency = cleaned.get("code"), cleaned.get("agency")
        if code and agency is not None and code[:18] != agency.uscc and not self.issued:
            self.add_error(
                "code",
                _("证照类型代码的前18位应为定义机构“%(name)s”的统一社会信用代码 %(uscc)s。")
                % {"name": agency.name, "uscc": agency.uscc},
            )
        schema = cleaned.get("schema_text")
        if isinstance(schema, dict):
            names = [str(f.get("name")) for f in schema.get("fields", []) if isinstance(f, dict)]
            shown = self._shown(cleaned.get("layout_shown"))
            unknown = [n for n in shown if n not in names]
            if unknown:
                self.add_error(
                    "layout_shown",
                    _("数据项中没有：%(names)s。请填写数据项的名称（name）。")
                    % {"names": "、".join(unknown)},
                )
            cleaned["layout_shown"] = shown
        return cleaned

    @staticmethod
    def _shown(value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        shown: list[str] = []
        for name in NAME_SPLIT_RE.split(value or ""):
            if name and name not in shown:
                shown.append(name)
        return shown

    def save(self, commit: bool = True) -> LicenceType:
        instance = super().save(commit=False)
        cleaned = self.cleaned_data
        instance.schema = cleaned["schema_text"]
        layout = dict(instance.layout or {})
        for key, value in (
            ("title", cleaned.get("layout_title", "")),
            ("shown", cleaned.get("layout_shown") or []),
            ("note", cleaned.get("layout_note", "")),
        ):
            if value:
                layout[key] = value
            else:
                layout.pop(key, None)
        instance.layout = layout
        return type_services.save(instance, entries=list(cleaned.get("entries") or []), user=self.user)
