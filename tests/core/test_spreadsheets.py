"""The cells every exported workbook writes (`core.spreadsheets.text_cell`)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from yiwang.core.spreadsheets import text_cell


def _written(values: list) -> list:
    book = Workbook(write_only=True)
    ws = book.create_sheet("s")
    ws.append([text_cell(ws, v) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["s"]
    return next([(c.value, c.data_type) for c in row] for row in sheet.iter_rows())


def test_text_that_looks_like_a_formula_stays_text():
    cells = _written(['=HYPERLINK("http://x")', "=1+1", "+86 138", 42, "普通"])
    assert cells[0] == ('=HYPERLINK("http://x")', "s")
    assert cells[1] == ("=1+1", "s") and cells[2] == ("+86 138", "s")
    assert cells[3] == (42, "n") and cells[4] == ("普通", "s")


def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal():
    assert _written(["甲\x00乙\x07丙\x1b丁\t戊"])[0] == ("甲乙丙丁\t戊", "s")
