"""Export: the exchange documents of entries, as JSON or an Excel workbook."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from yiwang.catalog import guide_document
from yiwang.catalog.exchange.format import (
    CHILD_MODELS,
    CHILD_ORDER,
    CHILD_SHEETS,
    ENTRY_COLUMNS,
    ENTRY_KEYS,
    GUIDE_KEYS,
    HANDLING_FORM_LABELS,
    JSON_KEYS,
    LIST_SEPARATORS,
    SHEET_ENTRIES,
    canonical,
    cell_codecs,
    column_heading,
)
from yiwang.catalog.models import Entry, EntryStatus, EntryVersion, Topic
from yiwang.core.models import Division
from yiwang.core.spreadsheets import text_cell


def exchange_document(version: EntryVersion) -> dict[str, Any]:
    """A version as an exchange document: the guide document without workflow fields."""
    doc = guide_document.version_to_document(version)
    out: dict[str, Any] = {}
    for key in ENTRY_KEYS:
        out[key] = version.entry.catalog_item.name if key == "catalog_name" else doc.get(key)
    for key in GUIDE_KEYS:
        value = doc[key]
        out[key] = canonical(value) if key in JSON_KEYS else value
    out["situations"] = [{**s, "form_schema": canonical(s["form_schema"])} for s in out["situations"]]
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
    return json.dumps(canonical(value), ensure_ascii=False, sort_keys=True)


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
        return json.dumps(canonical(value), ensure_ascii=False, sort_keys=True) if value else ""
    return value


def dumps_xlsx(docs: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    codecs = cell_codecs()
    topic_names = dict(Topic.objects.values_list("code", "name"))
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheets = {SHEET_ENTRIES: workbook.create_sheet(SHEET_ENTRIES)}
        sheets[SHEET_ENTRIES].append([column_heading(k) for k in ENTRY_COLUMNS])
        for key in CHILD_ORDER:
            sheet, columns = CHILD_SHEETS[key]
            sheets[sheet] = workbook.create_sheet(sheet)
            sheets[sheet].append([column_heading(k, CHILD_MODELS[key]) for k in ["code", *columns]])
        for doc in docs:
            ws = sheets[SHEET_ENTRIES]
            ws.append([text_cell(ws, _cell_out(k, doc.get(k), codecs, topic_names)) for k in ENTRY_COLUMNS])
            for key in CHILD_ORDER:
                sheet, columns = CHILD_SHEETS[key]
                ws = sheets[sheet]
                for row in doc.get(key) or []:
                    ws.append(
                        [doc["code"]]
                        + [text_cell(ws, _cell_out(c, row.get(c), codecs, topic_names)) for c in columns]
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


def division_entries(division: Division | None) -> QuerySet[Entry]:
    qs = Entry.objects.all()
    if division is not None:
        qs = qs.filter(department__division__code__startswith=division.prefix)
    return qs
