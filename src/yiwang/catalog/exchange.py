"""Import and export of implementation list entries: an Excel workbook or a JSON file.

JSON is a list of guide documents (`guide_document.version_to_document`, without the workflow
fields `version` and `state`, plus `catalog_name`, the basic catalog item's name).

The workbook has five sheets. Row 1 holds the column headings, "中文名 [key]"; a heading may also be
just the key or just the Chinese name. Every row of the child sheets names its entry by `code`
(or by `basic_code` + `department_uscc`).

    事项      one row per entry: codes, department USCC, every scalar guide element; list elements
              as 、-separated text (aliases, handling forms, topics, step names) or JSON
    材料      one row per material, in order; `situation` is the 情形 sequence number or empty
    收费      one row per fee
    常见问题  one row per FAQ
    情形      one row per situation (seq, name, English name, description, form)

English names (issue 13) travel like any other element: `name_en` and `plain_title_en` on 事项,
`name_en` on 材料 and 情形. A file made before them imports as before: the entries keep their
English names, the materials and situations it replaces have none.

Choices are written as their Chinese labels (工作日, 承诺件, 全程网办); raw values are accepted too.
A missing column leaves that element as it is; a missing child sheet leaves those children as they
are; an entry with no rows in a child sheet that is present gets none.

Import validates everything first and writes nothing if anything is wrong: every problem is
reported with its sheet, row and element ("事项 第5行 promised_limit: 承诺时限（30）不能长于法定时限
（20）。"). Then, in one transaction, it creates the basic catalog items, claims and entries it
needs (departments must exist, found by USCC), writes each document into a draft with
`guide_document.apply_document`, audits it, and with `publish=True` submits and publishes every
draft whose audit has no error. Export → import into an empty catalog → export gives the same file.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from yiwang.catalog import codes, guide_document, rules, search_index, services
from yiwang.catalog.guide_document import (
    FAQ_FIELDS,
    FEE_FIELDS,
    LIST_FIELDS,
    MATERIAL_FIELDS,
    SCALAR_FIELDS,
)
from yiwang.catalog.models import (
    CatalogItem,
    Claim,
    Entry,
    EntryStatus,
    EntryVersion,
    Faq,
    Fee,
    Initiation,
    ItemType,
    Material,
    Situation,
    Topic,
    VersionState,
)
from yiwang.core import uploads
from yiwang.core.models import Department, Division, DivisionLevel, StoredFile

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


# --- Export ------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """Nested dicts with sorted keys, so the same content always serialises the same way (PostgreSQL's
    jsonb and SQLite's JSON keep keys in different orders)."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def exchange_document(version: EntryVersion) -> dict[str, Any]:
    """A version as an exchange document: the guide document without workflow fields."""
    doc = guide_document.version_to_document(version)
    out: dict[str, Any] = {}
    for key in ENTRY_KEYS:
        out[key] = version.entry.catalog_item.name if key == "catalog_name" else doc.get(key)
    for key in GUIDE_KEYS:
        value = doc[key]
        out[key] = _canonical(value) if key in JSON_KEYS else value
    out["situations"] = [{**s, "form_schema": _canonical(s["form_schema"])} for s in out["situations"]]
    return out


def versions_to_export(entries: QuerySet[Entry], drafts: bool = False) -> list[int]:
    """The version of each entry to export, in code order: the published one (entries citizens
    see), or with `drafts` the newest one of every entry that is not cancelled."""
    entries = entries.exclude(status=EntryStatus.CANCELLED).order_by("code")
    if not drafts:
        return list(
            entries.filter(
                published__isnull=False, status__in=[EntryStatus.ACTIVE, EntryStatus.SUSPENDED]
            ).values_list("published_id", flat=True)
        )
    newest = EntryVersion.objects.filter(entry=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return [pk for pk in entries.annotate(newest=Subquery(newest)).values_list("newest", flat=True) if pk]


def export_documents(
    entries: QuerySet[Entry] | None = None, *, drafts: bool = False, batch: int = 500, progress=None
) -> list[dict[str, Any]]:
    """Exchange documents of the given entries (default: all), in code order."""
    if entries is None:
        entries = Entry.objects.all()
    version_ids = versions_to_export(entries, drafts)
    bar = progress(total=len(version_ids), desc=_("导出")) if progress else None
    docs: list[dict[str, Any]] = []
    for start in range(0, len(version_ids), batch):
        chunk = version_ids[start : start + batch]
        versions = (
            EntryVersion.objects.filter(pk__in=chunk)
            .select_related("entry__department__division", "entry__catalog_item__item_type")
            .prefetch_related("topics", "situations", "materials", "fees", "faqs")
        )
        by_pk = {v.pk: v for v in versions}
        docs += [exchange_document(by_pk[pk]) for pk in chunk]
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return docs


def dumps_json(docs: list[dict[str, Any]]) -> bytes:
    return (json.dumps(docs, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _choice_fields(model) -> dict[str, dict[Any, str]]:
    out = {}
    for f in model._meta.get_fields():
        if getattr(f, "choices", None):
            out[f.name] = {value: str(label) for value, label in f.choices}
    return out


def _codecs() -> dict[str, dict[str, dict]]:
    """Per column: value → label for export, label/value → value for import (built in Chinese)."""
    with translation.override("zh-hans"):
        choices = {
            **_choice_fields(Material),
            **_choice_fields(EntryVersion),
            "initiation": {v: str(lab) for v, lab in Initiation.choices},
        }
        return {
            name: {
                "out": mapping,
                "in": {**{lab: v for v, lab in mapping.items()}, **{str(v): v for v in mapping}},
            }
            for name, mapping in choices.items()
        }


def _bool_out(value: bool) -> str:
    return "是" if value else "否"


def _is_simple_list(items: list, *, named: bool) -> bool:
    for item in items:
        text = item.get("name") if named and isinstance(item, dict) and set(item) == {"name"} else item
        if not isinstance(text, str) or not text or LIST_SEPARATORS.search(text) or text.startswith("["):
            return False
    return True


def _list_out(key: str, value: list, topic_names: dict[str, str]) -> str:
    if not value:
        return ""
    if key == "topics" and all(code in topic_names for code in value):
        names = [topic_names[c] for c in value]
        if _is_simple_list(names, named=False):
            return "、".join(names)
    if key == "handling_forms" and all(v in HANDLING_FORM_LABELS for v in value):
        return "、".join(HANDLING_FORM_LABELS[v] for v in value)
    if key == "aliases" and _is_simple_list(value, named=False):
        return "、".join(value)
    if key in ("procedure", "special_procedures", "review_steps") and _is_simple_list(value, named=True):
        return "、".join(item["name"] for item in value)
    return json.dumps(_canonical(value), ensure_ascii=False, sort_keys=True)


def _cell_out(key: str, value: Any, codecs: dict, topic_names: dict[str, str]) -> Any:
    if value is None:
        return None
    if key in codecs:
        return codecs[key]["out"].get(value, value)
    if isinstance(value, bool):
        return _bool_out(value)
    if isinstance(value, list):
        return _list_out(key, value, topic_names)
    if isinstance(value, dict):
        return json.dumps(_canonical(value), ensure_ascii=False, sort_keys=True) if value else ""
    return value


def _heading(key: str, model=EntryVersion) -> str:
    label = LABELS.get(key)
    if label is None:
        try:
            label = str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            label = None
    return f"{label} [{key}]" if label else key


def _text_cell(ws, value: Any):
    """A string cell that Excel will never read as a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def dumps_xlsx(docs: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    codecs = _codecs()
    topic_names = dict(Topic.objects.values_list("code", "name"))
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheets = {SHEET_ENTRIES: workbook.create_sheet(SHEET_ENTRIES)}
        sheets[SHEET_ENTRIES].append([_heading(k) for k in ENTRY_COLUMNS])
        for key in CHILD_ORDER:
            sheet, columns = CHILD_SHEETS[key]
            sheets[sheet] = workbook.create_sheet(sheet)
            sheets[sheet].append([_heading(k, CHILD_MODELS[key]) for k in ["code", *columns]])
        for doc in docs:
            ws = sheets[SHEET_ENTRIES]
            ws.append([_text_cell(ws, _cell_out(k, doc.get(k), codecs, topic_names)) for k in ENTRY_COLUMNS])
            for key in CHILD_ORDER:
                sheet, columns = CHILD_SHEETS[key]
                ws = sheets[sheet]
                for row in doc.get(key) or []:
                    ws.append(
                        [doc["code"]]
                        + [_text_cell(ws, _cell_out(c, row.get(c), codecs, topic_names)) for c in columns]
                    )
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def export_file(
    path: Path | str, entries: QuerySet[Entry] | None = None, *, drafts: bool = False, progress=None
) -> int:
    """Write entries to FILE.xlsx or FILE.json; returns how many."""
    path = Path(path)
    docs = export_documents(entries, drafts=drafts, progress=progress)
    data = dumps_xlsx(docs) if path.suffix.lower() == ".xlsx" else dumps_json(docs)
    path.write_bytes(data)
    return len(docs)


# --- Reading files -----------------------------------------------------------------------------


@dataclass
class Source:
    """One document read from a file, and where each of its parts came from."""

    doc: dict[str, Any]
    sheet: str
    row: int
    child_rows: dict[str, list[int]] = field(default_factory=dict)  # materials → [sheet rows]

    def locate(self, path: str) -> tuple[str, int, str]:
        """(sheet, row, element) of a document path such as `materials.2.name`."""
        parts = path.split(".")
        if parts[0] in self.child_rows and self.sheet != "JSON":
            sheet = SHEET_OF[parts[0]]
            rows = self.child_rows[parts[0]]
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(rows):
                return sheet, rows[int(parts[1])], ".".join(parts[2:]) or parts[0]
            return self.sheet, self.row, parts[0]
        return self.sheet, self.row, path

    def error(self, path: str, message: str) -> RowError:
        sheet, row, element = self.locate(path)
        return RowError(sheet, row, element, message)


def read_json(data: bytes) -> list[Source]:
    try:
        docs = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(
            [RowError("JSON", None, "", _("不是有效的 JSON 文件：%(e)s") % {"e": exc})]
        ) from None
    if isinstance(docs, dict) and isinstance(docs.get("items"), list):
        docs = docs["items"]
    if not isinstance(docs, list):
        raise ImportFailed([RowError("JSON", None, "", _("JSON 文件应为办事指南文档的列表。"))])
    if len(docs) > max_import_rows():
        raise _too_many_rows("JSON")
    sources, errors = [], []
    for i, doc in enumerate(docs, start=1):
        if not isinstance(doc, dict):
            errors.append(RowError("JSON", i, "", _("应为对象。")))
            continue
        sources.append(
            Source(doc={k: v for k, v in doc.items() if k not in WORKFLOW_KEYS}, sheet="JSON", row=i)
        )
    if errors:
        raise ImportFailed(errors)
    return sources


class _CellError(Exception):
    pass


def _heading_keys(headings: Iterable[Any], allowed: list[str], model) -> tuple[list[str | None], list[str]]:
    labels = {}
    with translation.override("zh-hans"):
        for key in allowed:
            labels[_heading(key, model).rsplit(" [", 1)[0]] = key
    keys, unknown = [], []
    for heading in headings:
        text = str(heading).strip() if heading is not None else ""
        if not text:
            keys.append(None)
            continue
        match = HEADING_KEY.search(text)
        key = match.group(1) if match else (text if text in allowed else labels.get(text))
        if key not in allowed:
            unknown.append(text)
            key = None
        keys.append(key)
    return keys, unknown


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError(_("应为整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise _CellError(_("应为整数。"))


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("是", "true", "1", "y", "yes", "√"):
        return True
    if text in ("否", "false", "0", "n", "no", "×"):
        return False
    raise _CellError(_("应为“是”或“否”。"))


def _to_json(value: Any, kind: type) -> Any:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        raise _CellError(_("不是有效的 JSON。")) from None
    if not isinstance(parsed, kind):
        raise _CellError(
            _("JSON 的类型不对（应为%(kind)s）。") % {"kind": "列表" if kind is list else "对象"}
        )
    return parsed


def _to_list(key: str, value: Any, topic_codes: dict[str, str]) -> list:
    text = str(value).strip()
    if text.startswith("["):
        return _to_json(text, list)
    items = [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]
    if key == "topics":
        return [topic_codes.get(item, item) for item in items]
    if key == "handling_forms":
        reverse = {label: code for code, label in HANDLING_FORM_LABELS.items()}
        return [reverse.get(item, item) for item in items]
    if key in ("procedure", "special_procedures", "review_steps"):
        return [{"name": item} for item in items]
    return items


def _field_kind(model, key: str) -> str | None:
    try:
        return model._meta.get_field(key).get_internal_type()
    except FieldDoesNotExist:
        return None


def _cell_in(model, key: str, value: Any, codecs: dict, topic_codes: dict[str, str]) -> Any:
    """A cell's value as the document wants it."""
    blank = value is None or (isinstance(value, str) and not value.strip())
    if key in LIST_FIELDS or key == "topics":
        return [] if blank else _to_list(key, value, topic_codes)
    if key == "form_schema":
        return {} if blank else _to_json(str(value), dict)
    if key in ("situation", "seq"):
        return None if blank else _to_int(value)
    if key in ("blank_form", "sample_form"):
        return None if blank else str(value).strip()
    if key in codecs:
        if blank:
            return None
        mapping = codecs[key]["in"]
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        if text not in mapping:
            shown = "、".join(label for label in codecs[key]["out"].values())
            raise _CellError(_("取值“%(v)s”不在可选范围内：%(choices)s。") % {"v": text, "choices": shown})
        return mapping[text]
    kind = _field_kind(model, key)
    if kind == "BooleanField":
        return None if blank else _to_bool(value)
    if kind in ("PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"):
        return None if blank else _to_int(value)
    if blank:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def max_import_rows() -> int:
    """The most rows one sheet (or one JSON file) of an import may hold (settings.MAX_IMPORT_ROWS)."""
    return int(getattr(settings, "MAX_IMPORT_ROWS", 20000))


def _too_many_rows(sheet: str) -> ImportFailed:
    return ImportFailed(
        [
            RowError(
                sheet,
                None,
                "",
                _("超过 %(max)d 行，未导入：请分成多个文件导入。") % {"max": max_import_rows()},
            )
        ]
    )


def _open_workbook(data: bytes):
    """The workbook in read-only (streaming) mode, its sheets not sized on opening.

    openpyxl sizes each read-only sheet when it opens it, and without a `<dimension>` element
    (openpyxl's own write-only files, ours among them, have none) that means parsing every row
    before the first is read: the row cap could not stop anything. Here a sheet is opened unsized
    (its rows are read with explicit bounds); should openpyxl's reader change, `load_workbook`."""
    from openpyxl import load_workbook

    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    except ImportError:  # pragma: no cover - another openpyxl
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass  # unsized: rows are read with explicit bounds

    class Reader(ExcelReader):
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def read_xlsx(data: bytes) -> list[Source]:
    """Sources from a workbook, read in read-only (streaming) mode: an archive bomb is refused
    before it is opened, and a sheet stops being read as soon as it passes `max_import_rows`."""
    if problem := uploads.archive_problem(data):
        raise ImportFailed([RowError("Excel", None, "", problem)])
    try:
        workbook = _open_workbook(data)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(
            [RowError("Excel", None, "", _("无法读取 Excel 文件：%(e)s") % {"e": exc})]
        ) from None
    if SHEET_ENTRIES not in workbook.sheetnames:
        raise ImportFailed(
            [RowError("Excel", None, "", _("缺少“%(sheet)s”工作表。") % {"sheet": SHEET_ENTRIES})]
        )
    codecs = _codecs()
    topic_codes = {name: code for code, name in Topic.objects.values_list("code", "name")}
    errors: list[RowError] = []

    def rows_of(sheet: str, allowed: list[str], model) -> list[tuple[int, dict[str, Any]]]:
        headings = next(workbook[sheet].iter_rows(max_row=1, values_only=True), None) or ()
        keys, unknown = _heading_keys(headings, allowed, model)
        errors.extend(RowError(sheet, 1, text, _("无法识别的列。")) for text in unknown)
        # Only the columns that have a heading are read (a row may be 16,384 cells wide).
        width = max((i + 1 for i, h in enumerate(headings) if h not in (None, "")), default=1)
        rows = workbook[sheet].iter_rows(min_row=2, max_col=width, values_only=True)
        out = []
        limit = max_import_rows() + 1
        for number, values in enumerate(rows, start=2):
            if number > limit:
                workbook.close()
                raise _too_many_rows(sheet)
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            out.append((number, {k: v for k, v in zip(keys, values, strict=False) if k is not None}))
        return out

    def convert(model, sheet: str, number: int, raw: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in raw.items():
            try:
                out[key] = _cell_in(model, key, value, codecs, topic_codes)
            except _CellError as exc:
                errors.append(RowError(sheet, number, key, str(exc)))
        return out

    sources: list[Source] = []
    by_code: dict[str, Source] = {}
    by_basic: dict[tuple[str, str], Source] = {}
    levels = dict(Department.objects.values_list("uscc", "division__level"))
    for number, raw in rows_of(SHEET_ENTRIES, ENTRY_COLUMNS, EntryVersion):
        doc = convert(EntryVersion, SHEET_ENTRIES, number, raw)
        for key in ENTRY_KEYS:
            if key in doc and isinstance(doc[key], str):
                doc[key] = doc[key].strip()
        source = Source(doc=doc, sheet=SHEET_ENTRIES, row=number)
        sources.append(source)
        code = (doc.get("code") or "").upper()
        if code:
            by_code.setdefault(code, source)
        uscc, basic = (doc.get("department_uscc") or code[:18]).upper(), doc.get("basic_code") or code[19:]
        if uscc and basic:
            by_basic.setdefault((uscc, basic), source)
            if not code and uscc in levels:
                by_code.setdefault(codes.implementation_code(uscc, levels[uscc], basic), source)

    for key in CHILD_ORDER:
        sheet, columns = CHILD_SHEETS[key]
        if sheet not in workbook.sheetnames:
            continue
        model = CHILD_MODELS[key]
        for source in sources:
            source.doc[key] = []
            source.child_rows[key] = []
        for number, raw in rows_of(sheet, ["code", "basic_code", "department_uscc", *columns], model):
            code = str(raw.pop("code", "") or "").strip().upper()
            basic = str(raw.pop("basic_code", "") or "").strip()
            uscc = str(raw.pop("department_uscc", "") or "").strip().upper()
            owner = by_code.get(code) if code else by_basic.get((uscc, basic))
            row = convert(model, sheet, number, raw)
            if owner is None:
                errors.append(
                    RowError(
                        sheet, number, "code", _("“%(sheet)s”表中没有这个事项。") % {"sheet": SHEET_ENTRIES}
                    )
                )
                continue
            owner.doc[key].append(row)
            owner.child_rows[key].append(number)
    workbook.close()
    if errors:
        raise ImportFailed(errors[:MAX_ERRORS])
    return sources


def read_file(data: bytes, name: str = "") -> list[Source]:
    """Sources from an uploaded or local file; the kind is sniffed from the content."""
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{"):
        return read_json(data)
    raise ImportFailed([RowError(name or "文件", None, "", _("只支持 Excel（.xlsx）或 JSON 文件。"))])


# --- Validating and importing ------------------------------------------------------------------


@dataclass
class _Plan:
    source: Source
    department: Department
    basic_code: str
    code: str
    entry: Entry | None
    guide: dict[str, Any]


def _guide_part(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in GUIDE_KEYS if k in doc}


def _plan(
    sources: list[Source],
    may_import: Callable[[Department], bool] | None,
    tick: Callable[[int], Any] | None = None,
) -> tuple[list[_Plan], dict[str, dict[str, Any]], list[RowError]]:
    """Check every source against the database without writing; the plans and catalog items to create."""
    errors: list[RowError] = []
    usccs = {(_text(s.doc.get("department_uscc")) or _text(s.doc.get("code"))[:18]).upper() for s in sources}
    departments = {d.uscc: d for d in Department.objects.filter(uscc__in=usccs).select_related("division")}
    item_types = set(ItemType.objects.values_list("code", flat=True))
    file_ids = {
        str(m.get(k))
        for s in sources
        for m in (s.doc.get("materials") or [])
        if isinstance(m, dict)
        for k in ("blank_form", "sample_form")
        if m.get(k)
    }
    known_files = set()
    for fid in file_ids:
        try:
            if StoredFile.objects.filter(pk=fid).exists():
                known_files.add(fid)
        except (ValidationError, ValueError):
            pass
    plans: list[_Plan] = []
    new_items: dict[str, dict[str, Any]] = {}
    seen: dict[str, Source] = {}
    existing_items = {}
    for source in sources:
        doc = source.doc
        before = len(errors)
        code = _text(doc.get("code")).upper()
        uscc = (_text(doc.get("department_uscc")) or code[:18]).upper()
        basic = _text(doc.get("basic_code")) or code[19:]
        department = departments.get(uscc)
        if not uscc:
            errors.append(
                source.error("department_uscc", _("请填写实施主体的统一社会信用代码（或实施编码）。"))
            )
        elif department is None:
            errors.append(
                source.error(
                    "department_uscc", _("没有统一社会信用代码为 %(uscc)s 的部门。") % {"uscc": uscc}
                )
            )
        elif may_import is not None and not may_import(department):
            errors.append(
                source.error("department_uscc", _("无权导入“%(dept)s”的事项。") % {"dept": department.name})
            )
        item_type = str(doc.get("item_type") or basic[2:4]).strip()
        if item_type.isdigit() and len(item_type) == 1:  # 7 typed into a number cell
            item_type = item_type.zfill(2)
        try:
            basic = codes.validate_basic_code(basic, item_type if item_type in item_types else None)
        except ValidationError as exc:
            errors.extend(source.error("basic_code", m) for m in exc.messages)
        if item_type not in item_types:
            errors.append(
                source.error("item_type", _("未知的事项类型代码：%(code)s。") % {"code": item_type})
            )
        if department is not None and len(errors) == before:
            level = department.division.level
            expected = codes.implementation_code(department.uscc, level, basic)
            if code and code != expected:
                errors.append(
                    source.error(
                        "code",
                        _("实施编码 %(code)s 与实施主体和基本编码不一致，应为 %(expected)s。")
                        % {"code": code, "expected": expected},
                    )
                )
            code = expected
        if code and code in seen:
            errors.append(
                source.error(
                    "code",
                    _("实施编码 %(code)s 与%(where)s重复。") % {"code": code, "where": _row_name(seen[code])},
                )
            )
        elif code:
            seen[code] = source
        # The basic catalog item: existing, or to be created from this row.
        if len(errors) == before and department is not None:
            level = department.division.level
            if basic not in existing_items:
                existing_items[basic] = (
                    CatalogItem.objects.filter(basic_code=basic).select_related("item_type").first()
                )
            item = existing_items[basic]
            if item is not None:
                if item.levels and level not in item.levels:
                    errors.append(
                        source.error(
                            "basic_code",
                            _("“%(item)s”不在%(level)s行使，%(dept)s不能认领。")
                            % {
                                "item": item.name,
                                "level": DivisionLevel(level).label,
                                "dept": department.name,
                            },
                        )
                    )
            else:
                name = str(doc.get("catalog_name") or doc.get("name") or "").strip()
                initiation = doc.get("initiation") or Initiation.ON_APPLICATION
                if not name:
                    errors.append(source.error("name", _("请填写事项名称。")))
                if initiation not in Initiation.values:
                    errors.append(source.error("initiation", _("行使方式应为依申请或依职权。")))
                spec = new_items.setdefault(
                    basic,
                    {
                        "basic_code": basic,
                        "name": name,
                        "item_type": item_type,
                        "initiation": initiation,
                        "legal_basis": str(doc.get("legal_basis") or ""),
                        "levels": set(),
                    },
                )
                spec["levels"].add(level)
        entry = Entry.objects.filter(code=code).first() if code and len(errors) == before else None
        if entry is not None:
            if entry.status == EntryStatus.CANCELLED:
                errors.append(source.error("code", _("事项 %(code)s 已取消，不能再导入。") % {"code": code}))
            elif entry.versions.filter(state=VersionState.SUBMITTED).exists():
                errors.append(
                    source.error(
                        "code", _("事项 %(code)s 有待审核的版本，请先审核或退回再导入。") % {"code": code}
                    )
                )
        guide = _guide_part(doc)
        errors.extend(_shape_errors(source, guide))
        try:
            guide_document.validate_document(guide)
        except ValidationError as exc:
            for path, messages in exc.message_dict.items():
                errors.extend(source.error(path, m) for m in messages)
        for i, m in enumerate(guide.get("materials") or []):
            if isinstance(m, dict):
                for k in ("blank_form", "sample_form"):
                    if m.get(k) and str(m[k]) not in known_files:
                        errors.append(
                            source.error(f"materials.{i}.{k}", _("引用的文件不存在：%(id)s。") % {"id": m[k]})
                        )
        if len(errors) == before and department is not None:
            plans.append(_Plan(source, department, basic, code, entry, guide))
        if tick is not None:
            tick(1)
        if len(errors) >= MAX_ERRORS:
            break
    return plans, new_items, errors[:MAX_ERRORS]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _shape_errors(source: Source, guide: dict[str, Any]) -> list[RowError]:
    """Lists that are not lists, rows that are not objects: reported, and left out of the document
    so that validating the rest cannot trip over them."""
    errors = []
    for key in ("situations", "materials", "fees", "faqs", "topics"):
        if key in guide and not isinstance(guide[key], list):
            errors.append(source.error(key, _("应为列表。")))
            guide.pop(key)
    for key in ("situations", "materials", "fees", "faqs"):
        bad = [i for i, row in enumerate(guide.get(key) or []) if not isinstance(row, dict)]
        for i in bad:
            errors.append(source.error(f"{key}.{i}", _("应为对象。")))
        if bad:
            guide[key] = [row for row in guide[key] if isinstance(row, dict)]
    for i, row in enumerate(guide.get("situations") or []):
        if not isinstance(row.get("form_schema") or {}, dict):
            errors.append(source.error(f"situations.{i}.form_schema", _("应为对象。")))
            row["form_schema"] = {}
    if not isinstance(guide.get("form_schema") or {}, dict):
        errors.append(source.error("form_schema", _("应为对象。")))
        guide.pop("form_schema")
    return errors


def _row_name(source: Source) -> str:
    unit = "项" if source.sheet == "JSON" else "行"
    return f"第{source.row}{unit}"


def import_sources(
    sources: list[Source],
    *,
    publish: bool = False,
    dry_run: bool = False,
    user=None,
    may_import: Callable[[Department], bool] | None = None,
    progress=None,
) -> ImportReport:
    """Validate all, then import all in one transaction (or nothing, raising ImportFailed)."""
    bar = progress(total=len(sources), desc=_("校验")) if progress else None
    try:
        plans, new_items, errors = _plan(sources, may_import, bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    if errors:
        raise ImportFailed(errors)
    report = ImportReport(entries=len(plans), dry_run=dry_run)
    bar = progress(total=len(plans), desc=_("导入")) if progress else None
    try:
        with transaction.atomic():
            items = {}
            for basic, spec in new_items.items():
                items[basic] = services.create_catalog_item(**{**spec, "levels": sorted(spec["levels"])})
                report.catalog_items_created += 1
            for plan in plans:
                _import_one(plan, items, publish, user, report)
                if bar is not None:
                    bar.update(1)
            if dry_run:
                transaction.set_rollback(True)
        if len(plans) >= 500 and not dry_run:
            search_index.analyze()
    except ValidationError as exc:  # a rule the checks above did not foresee: nothing is kept
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        current = getattr(exc, "_yiwang_source", None)
        raise ImportFailed(
            [
                current.error(path, m) if current else RowError("", None, path, m)
                for path, messages in fields.items()
                for m in messages
            ]
        ) from None
    finally:
        if bar is not None:
            bar.close()
    return report


def _import_one(
    plan: _Plan, items: dict[str, CatalogItem], publish: bool, user, report: ImportReport
) -> None:
    try:
        entry = plan.entry
        if entry is None:
            item = items.get(plan.basic_code) or CatalogItem.objects.get(basic_code=plan.basic_code)
            claim = Claim.objects.filter(department=plan.department, catalog_item=item).first()
            if claim is None:
                claim = services.claim_item(plan.department, item, user)
            entry = services.compile_entry(claim, user) if not hasattr(claim, "entry") else claim.entry
            report.created += 1
            version = services.current_draft(entry)
        else:
            report.updated += 1
            version = services.start_new_draft(entry, None)
        guide_document.apply_document(version, plan.guide)
        findings = services.record_audit(version)
        problems = rules.errors_of(findings)
        if publish and not problems:
            services.submit_version(version, None)
            services.publish_version(version, None)
            report.published += 1
        elif publish:
            report.unpublished.append((entry.code, [f"{f.element}: {f.message}" for f in problems]))
    except ValidationError as exc:
        exc._yiwang_source = plan.source  # type: ignore[attr-defined]
        raise


def import_file(path: Path | str, **kwargs) -> ImportReport:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([RowError(str(path), None, "", exc.strerror or str(exc))]) from None
    return import_sources(read_file(data, path.name), **kwargs)


def division_entries(division: Division | None) -> QuerySet[Entry]:
    qs = Entry.objects.all()
    if division is not None:
        qs = qs.filter(department__division__code__startswith=division.prefix)
    return qs
