"""Reading an import file (JSON or an Excel workbook) into sources, each a document and where it came from."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from yiwang.catalog import codes
from yiwang.catalog.exchange.format import (
    CHILD_MODELS,
    CHILD_ORDER,
    CHILD_SHEETS,
    ENTRY_COLUMNS,
    ENTRY_KEYS,
    HANDLING_FORM_LABELS,
    HEADING_KEY,
    LIST_SEPARATORS,
    MAX_ERRORS,
    SHEET_ENTRIES,
    SHEET_OF,
    WORKFLOW_KEYS,
    ImportFailed,
    RowError,
    cell_codecs,
    column_heading,
)
from yiwang.catalog.guide_document import LIST_FIELDS
from yiwang.catalog.models import EntryVersion, Topic
from yiwang.core import uploads
from yiwang.core.models import Department


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
            labels[column_heading(key, model).rsplit(" [", 1)[0]] = key
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
    codecs = cell_codecs()
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
