"""The guide editor's forms: one form for the scalar guide elements, formsets for the lists
(materials, fees, FAQs, situations, procedure steps, special procedures, review steps).

The forms only shape input; every rule lives in `catalog.guide_document` (validation, applied
all-or-nothing by `services.save_draft`) and `catalog.rules` (the audit). `GuideEditor` binds the
whole page, turns it into a guide document, and puts the services' errors and the audit's
findings back next to the element they concern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalog import guide_document
from yiwang.catalog.models import EntryVersion, Faq, Fee, Material, TimeUnit, Topic
from yiwang.catalog.rules import ERROR, Finding

HANDLING_FORM_CHOICES = [
    ("window", gettext_lazy("窗口办理")),
    ("online", gettext_lazy("网上办理")),
    ("mail", gettext_lazy("邮寄办理")),
]
REVIEW_ROLE_CHOICES = [
    ("window_clerk", gettext_lazy("窗口人员")),
    ("reviewer", gettext_lazy("审查人")),
    ("approver", gettext_lazy("审批人")),
]
UPLOAD_KINDS = ("pdf", "docx", "xlsx", "doc", "xls")
UPLOAD_MAX_BYTES = settings.MAX_UPLOAD_BYTES

# (section key, heading, scalar fields, formset prefixes)
SECTIONS = [
    (
        "basic",
        gettext_lazy("基本信息"),
        [
            "name",
            "plain_title",
            "name_en",
            "plain_title_en",
            "aliases",
            "audience",
            "legal_basis",
            "acceptance_conditions",
            "entrusted_body",
            "joint_bodies",
            "intermediary_services",
            "topics",
        ],
        [],
    ),
    (
        "limits",
        gettext_lazy("时限"),
        [
            "legal_limit",
            "legal_limit_unit",
            "legal_limit_note",
            "promised_limit",
            "promised_limit_unit",
            "promised_limit_note",
            "case_kind",
        ],
        ["special"],
    ),
    ("handling", gettext_lazy("办理方式"), ["handling_forms", "visits_required", "visit_reasons"], []),
    ("place", gettext_lazy("地点与电话"), ["location", "hours", "consult_phone", "complaint_phone"], []),
    (
        "online",
        gettext_lazy("网办与便民"),
        [
            "online_depth",
            "cross_region_scope",
            "express_delivery",
            "online_payment",
            "appointment",
            "self_service_terminal",
            "in_hall",
            "tolerance_acceptance",
            "notification_commitment",
        ],
        [],
    ),
    ("result", gettext_lazy("结果"), ["result_type", "result_name"], []),
    ("fees", gettext_lazy("收费"), ["is_free"], ["fees"]),
    ("faqs", gettext_lazy("常见问题"), [], ["faqs"]),
    ("materials", gettext_lazy("材料"), [], ["materials"]),
    ("situations", gettext_lazy("情形"), [], ["situations"]),
    ("procedure", gettext_lazy("流程"), [], ["procedure", "review"]),
]
# Which section a document element belongs to (for findings on a whole list).
ELEMENT_SECTION = {name: key for key, _t, names, _p in SECTIONS for name in names}
ELEMENT_SECTION.update(
    special_procedures="limits",
    fees="fees",
    faqs="faqs",
    materials="materials",
    situations="situations",
    procedure="procedure",
    review_steps="procedure",
    form_schema="procedure",
)


# The optional English texts (issue 13): typed in English, so marked `lang="en"` for screen readers
# and spell checkers.
ENGLISH_FIELDS = ("name_en", "plain_title_en")


def _model_field(model, name: str, **overrides) -> forms.Field:
    formfield = model._meta.get_field(name).formfield(**overrides)
    if isinstance(formfield.widget, forms.Textarea):
        formfield.widget.attrs.update(rows=3)
    return formfield


class GuideForm(forms.Form):
    """The scalar guide elements, labelled and checked like the model's fields."""

    aliases = forms.CharField(
        label=gettext_lazy("别名"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("群众可能使用的其他叫法，每行一个。"),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("主题分类"), required=False, widget=forms.CheckboxSelectMultiple
    )
    handling_forms = forms.MultipleChoiceField(
        label=gettext_lazy("办理形式"),
        required=False,
        choices=HANDLING_FORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in guide_document.SCALAR_FIELDS:
            overrides = {}
            if name == "visits_required":
                overrides["required"] = False
            self.fields[name] = _model_field(EntryVersion, name, **overrides)
        self.fields["name"].required = True
        for name in ENGLISH_FIELDS:
            self.fields[name].widget.attrs["lang"] = "en"
        self.fields["topics"].choices = [
            (t.code, f"{t.name}（{t.get_audience_display()}）") for t in Topic.objects.all()
        ]

    def document(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        doc = {name: data.get(name) for name in guide_document.SCALAR_FIELDS}
        if doc.get("visits_required") is None:
            doc["visits_required"] = 0
        doc["aliases"] = [line.strip() for line in (data.get("aliases") or "").splitlines() if line.strip()]
        doc["topics"] = list(data.get("topics") or [])
        doc["handling_forms"] = list(data.get("handling_forms") or [])
        return doc

    @staticmethod
    def initial_from(doc: dict[str, Any]) -> dict[str, Any]:
        initial = {name: doc.get(name) for name in guide_document.SCALAR_FIELDS}
        initial["aliases"] = "\n".join(doc.get("aliases") or [])
        initial["topics"] = list(doc.get("topics") or [])
        initial["handling_forms"] = list(doc.get("handling_forms") or [])
        return initial


class RowForm(forms.Form):
    """A row of a list element. Keys the editor does not show travel in `extra` (JSON)."""

    keys: tuple[str, ...] = ()
    extra = forms.CharField(required=False, widget=forms.HiddenInput)

    def row(self) -> dict[str, Any]:
        row = {}
        try:
            extra = json.loads(self.cleaned_data.get("extra") or "{}")
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            row.update(extra)
        row.update({k: self.cleaned_data.get(k) for k in self.keys})
        return row

    @classmethod
    def initial_from(cls, row: dict[str, Any]) -> dict[str, Any]:
        initial = {k: row.get(k) for k in cls.keys}
        rest = {k: v for k, v in row.items() if k not in cls.keys}
        if rest:
            initial["extra"] = json.dumps(rest, ensure_ascii=False)
        return initial


class ProcedureStepForm(RowForm):
    keys = ("name", "description")
    name = forms.CharField(label=gettext_lazy("环节名称"), max_length=60)
    description = forms.CharField(
        label=gettext_lazy("环节说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SpecialProcedureForm(RowForm):
    keys = ("name", "limit", "unit")
    name = forms.CharField(label=gettext_lazy("特别程序名称"), max_length=60)
    limit = forms.IntegerField(label=gettext_lazy("时限"), required=False, min_value=0)
    unit = forms.ChoiceField(
        label=gettext_lazy("时限单位"), choices=TimeUnit.choices, initial=TimeUnit.WORKDAY
    )


class ReviewStepForm(RowForm):
    keys = ("name", "role")
    name = forms.CharField(label=gettext_lazy("审查环节"), max_length=60)
    role = forms.ChoiceField(label=gettext_lazy("承办角色"), choices=REVIEW_ROLE_CHOICES)


class SituationForm(forms.Form):
    orig_seq = forms.IntegerField(required=False, widget=forms.HiddenInput)
    seq = forms.IntegerField(
        label=gettext_lazy("序号"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=gettext_lazy("留空自动编号"),
    )
    name = forms.CharField(label=gettext_lazy("情形名称"), max_length=200)
    name_en = forms.CharField(
        label=gettext_lazy("英文情形名称（可选）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    description = forms.CharField(
        label=gettext_lazy("适用说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SimpleRowForm(forms.Form):
    keys: tuple[str, ...] = ()

    def row(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.keys}

    @classmethod
    def initial_from(cls, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row.get(k) for k in cls.keys}


class FeeForm(SimpleRowForm):
    keys = tuple(guide_document.FEE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in guide_document.FEE_FIELDS:
            self.fields[name] = _model_field(Fee, name)


class FaqForm(SimpleRowForm):
    keys = tuple(guide_document.FAQ_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in guide_document.FAQ_FIELDS:
            self.fields[name] = _model_field(Faq, name)


class MaterialForm(forms.Form):
    """A material with its blank and sample forms. Files are stored by the view before the forms
    are bound; the row carries the stored file's id (kept when another element has an error)."""

    def __init__(self, *args, situation_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in guide_document.MATERIAL_FIELDS:
            overrides = {"required": False} if name in ("paper_copies",) else {}
            self.fields[name] = _model_field(Material, name, **overrides)
        self.fields["name_en"].widget.attrs["lang"] = "en"
        self.fields["situation"] = forms.TypedChoiceField(
            label=gettext_lazy("适用情形"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("所有情形")), *list(situation_choices)],
        )
        for key, label in (("blank_form", _("空白表格")), ("sample_form", _("示例样表"))):
            self.fields[f"{key}_id"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"{key}_upload"] = forms.FileField(
                label=_("上传%(what)s") % {"what": label},
                required=False,
                help_text=_("PDF、Word 或 Excel，不超过 10 MB。"),
                widget=forms.FileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx"}),
            )
            self.fields[f"{key}_clear"] = forms.BooleanField(
                label=_("删除已上传的%(what)s") % {"what": label}, required=False
            )

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        row = {name: data.get(name) for name in guide_document.MATERIAL_FIELDS}
        if row.get("paper_copies") is None:
            row["paper_copies"] = 1
        row["situation"] = data.get("situation")
        for key in ("blank_form", "sample_form"):
            row[key] = None if data.get(f"{key}_clear") else (data.get(f"{key}_id") or None)
        return row

    @staticmethod
    def initial_from(row: dict[str, Any]) -> dict[str, Any]:
        initial = {name: row.get(name) for name in guide_document.MATERIAL_FIELDS}
        initial["situation"] = row.get("situation")
        initial["blank_form_id"] = row.get("blank_form") or ""
        initial["sample_form_id"] = row.get("sample_form") or ""
        return initial


class RowFormSet(forms.BaseFormSet):
    """A formset whose delete box names what it deletes (“删除此材料”)."""

    row_title: Any = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除此%(what)s") % {"what": self.row_title}


@dataclass
class FormsetSpec:
    prefix: str
    element: str  # the document key
    form_class: type
    title: Any
    row_title: Any
    add_label: Any
    fields: tuple[str, ...]  # fields shown, in order


FORMSETS = [
    FormsetSpec(
        "special",
        "special_procedures",
        SpecialProcedureForm,
        gettext_lazy("特别程序（不计入办理时限）"),
        gettext_lazy("特别程序"),
        gettext_lazy("添加特别程序"),
        ("name", "limit", "unit"),
    ),
    FormsetSpec(
        "fees",
        "fees",
        FeeForm,
        gettext_lazy("收费项目"),
        gettext_lazy("收费项目"),
        gettext_lazy("添加收费项目"),
        tuple(guide_document.FEE_FIELDS),
    ),
    FormsetSpec(
        "faqs",
        "faqs",
        FaqForm,
        gettext_lazy("常见问题"),
        gettext_lazy("问题"),
        gettext_lazy("添加常见问题"),
        tuple(guide_document.FAQ_FIELDS),
    ),
    FormsetSpec(
        "materials",
        "materials",
        MaterialForm,
        gettext_lazy("申请材料"),
        gettext_lazy("材料"),
        gettext_lazy("添加材料"),
        (
            "name",
            "name_en",
            "kind",
            "necessity",
            "condition",
            "situation",
            "is_key",
            "source",
            "source_body",
            "licence_type_code",
            "media_format",
            "paper_copies",
            "paper_size",
            "fill_instructions",
            "acceptance_standard",
            "legal_basis",
        ),
    ),
    FormsetSpec(
        "situations",
        "situations",
        SituationForm,
        gettext_lazy("办理情形（业务办理项）"),
        gettext_lazy("情形"),
        gettext_lazy("添加情形"),
        ("seq", "name", "name_en", "description"),
    ),
    FormsetSpec(
        "procedure",
        "procedure",
        ProcedureStepForm,
        gettext_lazy("办理流程"),
        gettext_lazy("环节"),
        gettext_lazy("添加办理环节"),
        ("name", "description"),
    ),
    FormsetSpec(
        "review",
        "review_steps",
        ReviewStepForm,
        gettext_lazy("内部审查环节"),
        gettext_lazy("审查环节"),
        gettext_lazy("添加审查环节"),
        ("name", "role"),
    ),
]
SPEC_BY_PREFIX = {s.prefix: s for s in FORMSETS}
SPEC_BY_ELEMENT = {s.element: s for s in FORMSETS}


# --- Rendering helpers: a bound field with its errors and findings ------------------------------


def anchor_for(element: str) -> str:
    """The page anchor of a document element: `materials.0.sample_form` → `el-materials-0-sample-form`
    (the formset template's `__prefix__` is kept for the script to number)."""
    parts = element.split(".")
    return "el-" + "-".join(p if p == "__prefix__" else p.replace("_", "-") for p in parts)


@dataclass
class Element:
    """A bound field ready for `workbench/catalog/_element.html`."""

    bound: forms.BoundField
    anchor: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self):
        return self.bound.errors

    @property
    def findings_id(self) -> str:
        return f"{self.bound.auto_id}-findings" if self.findings else ""

    @property
    def error_id(self) -> str:
        return f"{self.bound.auto_id}-errors" if self.bound.errors else ""

    @property
    def help_id(self) -> str:
        return f"{self.bound.auto_id}-help" if self.bound.help_text else ""

    @property
    def describedby(self) -> str:
        return " ".join(x for x in (self.help_id, self.error_id, self.findings_id) if x)

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.bound.field.widget, forms.CheckboxInput)

    @property
    def is_hidden(self) -> bool:
        return self.bound.is_hidden

    @property
    def use_fieldset(self) -> bool:
        return self.bound.use_fieldset

    @property
    def has_error_finding(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    @property
    def widget(self):
        attrs: dict[str, Any] = {}
        if not self.use_fieldset:
            if self.describedby:
                attrs["aria-describedby"] = self.describedby
            if self.bound.errors:
                attrs["aria-invalid"] = "true"
            if self.bound.field.required and not self.is_checkbox:
                attrs["aria-required"] = "true"
        return self.bound.as_widget(attrs=attrs)


@dataclass
class Row:
    form: forms.Form
    number: int
    elements: list[Element]
    findings: list[Finding]  # findings on the row as a whole
    files: dict[str, Any] = field(default_factory=dict)  # blank_form / sample_form → StoredFile

    @property
    def delete(self):
        return self.form["DELETE"] if "DELETE" in self.form.fields else None

    @property
    def hidden(self):
        return [b for b in self.form if b.is_hidden]

    @property
    def title(self) -> str:
        value = ""
        if self.form.is_bound:
            for key in ("name", "question"):
                if key in self.form.fields:
                    value = self.form[key].value() or ""
                    break
        else:
            value = self.form.initial.get("name") or self.form.initial.get("question") or ""
        return str(value)


@dataclass
class FormsetView:
    spec: FormsetSpec
    formset: Any
    rows: list[Row]
    findings: list[Finding]
    empty_row: Row
    errors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor_for(self.spec.element)


def describe_file(stored) -> str:
    return format_html("{}（{} KB）", stored.original_name, max(1, round(stored.size / 1024)))
