"""The exchange format's columns, sheets, labels and codecs, shared by export and import; the
errors and the report an import gives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation

from yiwang.catalog.guide_document import FAQ_FIELDS, FEE_FIELDS, LIST_FIELDS, MATERIAL_FIELDS, SCALAR_FIELDS
from yiwang.catalog.models import EntryVersion, Faq, Fee, Initiation, Material, Situation

ENTRY_KEYS = [
    "code",
    "basic_code",
    "catalog_name",
    "item_type",
    "item_type_name",
    "initiation",
    "department",
    "department_uscc",
    "department_nature",
    "division_code",
]
INFORMATIONAL = {"item_type_name", "department", "department_nature", "division_code"}
GUIDE_KEYS = [
    *SCALAR_FIELDS,
    *LIST_FIELDS,
    "topics",
    "form_schema",
    "situations",
    "materials",
    "fees",
    "faqs",
]
WORKFLOW_KEYS = {"version", "state", "status"}
JSON_KEYS = {*LIST_FIELDS, "form_schema"}

SHEET_ENTRIES, SHEET_MATERIALS, SHEET_FEES, SHEET_FAQS, SHEET_SITUATIONS = (
    "事项",
    "材料",
    "收费",
    "常见问题",
    "情形",
)
CHILD_SHEETS = {
    "materials": (SHEET_MATERIALS, ["situation", *MATERIAL_FIELDS, "blank_form", "sample_form"]),
    "fees": (SHEET_FEES, FEE_FIELDS),
    "faqs": (SHEET_FAQS, FAQ_FIELDS),
    "situations": (SHEET_SITUATIONS, ["seq", "name", "name_en", "description", "form_schema"]),
}
CHILD_ORDER = ["materials", "fees", "faqs", "situations"]
CHILD_MODELS = {"materials": Material, "fees": Fee, "faqs": Faq, "situations": Situation}
SHEET_OF = {key: sheet for key, (sheet, _cols) in CHILD_SHEETS.items()}
ENTRY_COLUMNS = [*ENTRY_KEYS, *SCALAR_FIELDS, *LIST_FIELDS, "topics", "form_schema"]

LABELS = {
    "code": "实施编码",
    "basic_code": "基本编码",
    "catalog_name": "基本目录事项名称",
    "item_type": "事项类型代码",
    "item_type_name": "事项类型",
    "initiation": "行使方式",
    "department": "实施主体",
    "department_uscc": "实施主体统一社会信用代码",
    "department_nature": "实施主体性质",
    "division_code": "区划代码",
    "aliases": "别名",
    "procedure": "办理流程",
    "special_procedures": "特别程序",
    "review_steps": "审查环节",
    "handling_forms": "办理形式",
    "topics": "主题分类",
    "form_schema": "申请表单",
    "situation": "所属情形序号",
    "blank_form": "空白表格文件",
    "sample_form": "示例样表文件",
    "seq": "情形序号",
    "description": "适用说明",
}
HANDLING_FORM_LABELS = {"window": "窗口", "online": "网上", "mail": "邮寄"}
LIST_SEPARATORS = re.compile(r"[、，,；;\n]")
HEADING_KEY = re.compile(r"\[([a-z_]+)\]\s*$")
MAX_ERRORS = 200


def canonical(value: Any) -> Any:
    """Nested dicts with sorted keys, so the same content always serialises the same way (PostgreSQL's
    jsonb and SQLite's JSON keep keys in different orders)."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def choice_fields(model) -> dict[str, dict[Any, str]]:
    out = {}
    for f in model._meta.get_fields():
        if getattr(f, "choices", None):
            out[f.name] = {value: str(label) for value, label in f.choices}
    return out


def cell_codecs() -> dict[str, dict[str, dict]]:
    """Per column: value → label for export, label/value → value for import (built in Chinese)."""
    with translation.override("zh-hans"):
        choices = {
            **choice_fields(Material),
            **choice_fields(EntryVersion),
            "initiation": {v: str(lab) for v, lab in Initiation.choices},
        }
        return {
            name: {
                "out": mapping,
                "in": {**{lab: v for v, lab in mapping.items()}, **{str(v): v for v in mapping}},
            }
            for name, mapping in choices.items()
        }


def column_heading(key: str, model=EntryVersion) -> str:
    label = LABELS.get(key)
    if label is None:
        try:
            label = str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            label = None
    return f"{label} [{key}]" if label else key


# --- Errors and reports ------------------------------------------------------------------------


# --- Errors and reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 第{self.row}{'项' if self.sheet == 'JSON' else '行'}"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "field": self.field, "message": self.message}


class ImportFailed(Exception):
    """Nothing was imported; `errors` says where and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportReport:
    entries: int = 0
    created: int = 0
    updated: int = 0
    catalog_items_created: int = 0
    published: int = 0
    unpublished: list[tuple[str, list[str]]] = field(default_factory=list)  # code, audit errors
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "created": self.created,
            "updated": self.updated,
            "catalog_items_created": self.catalog_items_created,
            "published": self.published,
            "unpublished": [{"code": c, "problems": p} for c, p in self.unpublished],
            "dry_run": self.dry_run,
        }
