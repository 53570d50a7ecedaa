"""Cells of the workbooks the platform writes (openpyxl, write-only): every export writes text
through `text_cell`, so a value from the data that starts with `=` (a guide's element, a
department's name) is shown as text and never run by Excel as a formula, and characters a
workbook cannot hold (control characters) are dropped instead of failing the export."""

from __future__ import annotations

from typing import Any


def text_cell(ws: Any, value: Any) -> Any:
    """`value` as a write-only sheet's cell: a text is a string cell, anything else as it is."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value
