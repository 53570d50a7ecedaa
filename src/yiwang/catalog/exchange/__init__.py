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

The package: `format` (columns, sheets, labels, codecs; errors and the report), `export`,
`reading` (files into sources) and `importing` (validate, then write); this module names what
callers use.
"""

from yiwang.catalog.exchange.export import (
    division_entries,
    dumps_json,
    dumps_xlsx,
    exchange_document,
    export_documents,
    export_file,
    versions_to_export,
)
from yiwang.catalog.exchange.format import ImportFailed, ImportReport, RowError
from yiwang.catalog.exchange.importing import import_file, import_sources
from yiwang.catalog.exchange.reading import Source, max_import_rows, read_file, read_json, read_xlsx

__all__ = [
    "ImportFailed",
    "ImportReport",
    "RowError",
    "Source",
    "division_entries",
    "dumps_json",
    "dumps_xlsx",
    "exchange_document",
    "export_documents",
    "export_file",
    "import_file",
    "import_sources",
    "max_import_rows",
    "read_file",
    "read_json",
    "read_xlsx",
    "versions_to_export",
]
