"""The statistics as an Excel workbook (openpyxl, write-only): the overview with the previous
period, the figures by one dimension, and the definitions of every figure and counter."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.core.spreadsheets import text_cell
from yiwang.stats import queries, rules

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _append(ws, values: list[Any]) -> None:
    ws.append([text_cell(ws, v) for v in values])


def filename(dimension: str, f: queries.Filter) -> str:
    return f"stats-{dimension}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx"


def dumps_xlsx(user: User, dimension: str, f: queries.Filter) -> bytes:
    from openpyxl import Workbook

    overview = queries.overview(user, f)
    grouped = queries.by(user, dimension, f)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("概况"))
    _append(ws, [_("统计期间"), f"{f.start:%Y-%m-%d} — {f.end:%Y-%m-%d}"])
    _append(ws, [_("指标"), _("本期"), _("上期"), _("分子"), _("分母"), _("口径")])
    for row in queries.figure_rows(overview):
        _append(
            ws,
            [
                row["label"],
                row["value"],
                row["previous"],
                row["numerator"],
                row["denominator"],
                row["definition"],
            ],
        )
    _append(
        ws,
        [
            _("每件成本（元）"),
            overview["figures"]["cost_per_case"],
            None,
            None,
            None,
            _(rules.COST_DEFINITION),
        ],
    )
    ws = workbook.create_sheet(_("按%(dimension)s") % {"dimension": grouped["dimension_label"]})
    _append(
        ws,
        [grouped["dimension_label"]]
        + [_(label) for label in rules.COUNTERS.values()]
        + [_(fig.label) for fig in rules.FIGURES],
    )
    for row in grouped["results"]:
        _append(
            ws,
            [row["label"]]
            + [row["counts"][c] for c in rules.COUNTERS]
            + [row["figures"][fig.key] for fig in rules.FIGURES],
        )
    ws = workbook.create_sheet(_("口径"))
    _append(ws, [_("指标或计数"), _("口径")])
    for fig in rules.FIGURES:
        _append(ws, [_(fig.label), _(fig.definition)])
    for key, label in rules.COUNTERS.items():
        _append(ws, [key, _(label)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
