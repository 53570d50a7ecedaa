"""统计分析 in the workbench: the supervisor's (or handler's) dashboard — the overview of a period with
the previous period of equal length beside it and every figure's definition, drill-down tables
(division → its children, department → its items), the channels, the windows, the months as a
bar chart drawn server-side (inline SVG and CSS: no script, no CDN), and the Excel download.

Figures come from `stats.queries` (sums over the daily aggregates, in the reader's reach); bad
input (an inverted or too long period, an unknown division) re-renders with the message (400).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from yiwang.core.validation import row_id
from yiwang.stats import access, export, queries, rules
from yiwang.workbench.access import forbidden, staff_required

# The figures shown in the dimension tables (all of them are in the overview and the export).
TABLE_FIGURES = ("online_rate", "on_time_rate", "no_visit_rate", "one_visit_rate", "satisfaction_rate")
# Tables ranked by size (departments, items, windows, channels) show their largest rows; the Excel download
# has them all. A city's supervisor has hundreds of departments, a province's thousands.
SHOWN_ROWS = 30


def _shown(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}%" if kind == "rate" else f"{value:.2f}"


def _filter_from(request: HttpRequest) -> tuple[queries.Filter, str]:
    """The filter asked for, or the default one and the message saying what was wrong."""
    g = request.GET
    try:
        dates = {}
        for name in ("from", "to"):
            raw = (g.get(name) or "").strip()
            try:
                dates[name] = dt.date.fromisoformat(raw) if raw else None
            except ValueError as exc:
                raise ValidationError({name: [_("请输入有效日期（YYYY-MM-DD）。")]}) from exc
        department = (g.get("department") or "").strip()
        if department and row_id(department) is None:
            raise ValidationError({"department": [_("未知的部门。")]})
        f = queries.make_filter(
            start=dates["from"],
            end=dates["to"],
            division=(g.get("division") or "").strip()[:20] or None,
            department=row_id(department),
            entry=row_id(g.get("item")),
        )
    except ValidationError as exc:
        return queries.make_filter(), " ".join(m for ms in exc.message_dict.values() for m in ms)
    return f, ""


def _query(f: queries.Filter, **changes: Any) -> str:
    params = {"from": f.start.isoformat(), "to": f.end.isoformat()}
    if f.division is not None:
        params["division"] = f.division.short_code
    if f.department is not None:
        params["department"] = str(f.department.pk)
    if f.entry_id is not None:
        params["item"] = str(f.entry_id)
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
    return "?" + urlencode(params)


# A table's rows are written here rather than in the template: a year's page has ~1,000 cells,
# and the template engine spent about a third of the page's time on them.


def _table(grouped: dict[str, Any], f: queries.Filter, drill: str | None) -> dict[str, Any]:
    top = max([r["counts"]["submitted"] for r in grouped["results"]] + [1])
    kinds = {fig.key: fig.kind for fig in rules.FIGURES}
    rows = []
    for r in grouped["results"]:
        label = escape(r["label"])
        if drill == "division" and r["drill"]:
            label = f'<a href="{escape(_query(f, division=r["drill"], department=None))}">{label}</a>'
        elif drill == "department" and r["drill"]:
            label = f'<a href="{escape(_query(f, department=r["drill"]))}">{label}</a>'
        counts = r["counts"]
        # The counts are ints and the cells `_shown`'s numbers: only the label and link need escaping.
        cells = "".join(f'<td class="num">{_shown(r["figures"][k], kinds[k])}</td>' for k in TABLE_FIGURES)
        rows.append(
            f'<tr><th scope="row">{label}</th><td class="num"><span class="bar-track" aria-hidden="true">'
            f'<span class="bar" style="width: {round(100 * counts["submitted"] / top)}%; background: #1565c0">'
            f'</span></span> {int(counts["submitted"])}</td><td class="num">{int(counts["finished"])}</td>{cells}</tr>'
        )
    return {
        "label": grouped["dimension_label"],
        "body": mark_safe("".join(rows)),  # the labels and links escaped above
        "shown": len(rows),
        "total": grouped["total"],
        "cut": len(rows) < grouped["total"],
        "export_url": reverse("workbench:stats-export") + _query(f, dimension=grouped["dimension"]),
    }


def _month_chart(grouped: dict[str, Any]) -> dict[str, Any]:
    """Submitted and finished per month as SVG bars, written here (coordinates and all) like the
    tables' rows: a year is 26 bars of eight values each."""
    results = grouped["results"]
    top = max([max(r["counts"]["submitted"], r["counts"]["finished"]) for r in results] + [1])
    step, height = 56, 120
    titles = {"submitted": escape(_("申请件数")), "finished": escape(_("办结件数"))}
    parts = []
    for i, r in enumerate(results):
        x = 40 + i * step
        for j, (name, colour) in enumerate((("submitted", "#1565c0"), ("finished", "#2e7d32"))):
            n = int(r["counts"][name])
            h = round(height * n / top)
            bx, by = x + j * 20, 10 + height - h
            parts.append(
                f'<rect x="{bx}" y="{by}" width="18" height="{h}" fill="{colour}"><title>{titles[name]} {n}'
                f'</title></rect><text x="{bx + 9}" y="{by - 4}" font-size="12" text-anchor="middle" '
                f'fill="#263238">{n}</text>'
            )
        parts.append(
            f'<text x="{x + 18}" y="152" font-size="13" text-anchor="middle" fill="#263238">'
            f"{escape(r['key'])}</text>"
        )
    return {
        "svg": mark_safe("".join(parts)),  # the month keys and the titles escaped above
        "width": max(40 + len(results) * step + 20, 240),
        "base": 10 + height,
    }


@staff_required
def stats_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.may_view(user):
        return forbidden(request, _("只有监察人员和办件部门的工作人员可以查看统计。"))
    f, error = _filter_from(request)
    with queries.one_reading():  # today's rows read once for the figures and every table
        return _stats_page(request, f, error)


def _stats_page(request: HttpRequest, f: queries.Filter, error: str) -> HttpResponse:
    user = request.user
    overview = queries.overview(user, f)
    figure_rows = queries.figure_rows(overview)
    for row in figure_rows:
        row["shown"] = _shown(row["value"], row["kind"])
        row["previous_shown"] = _shown(row["previous"], row["kind"])
    cost = overview["figures"]["cost_per_case"]
    previous_cost = overview["previous"]["figures"]["cost_per_case"] if overview["previous"] else None
    months = queries.by(user, "month", f)
    tables = [_table(queries.by(user, "division", f), f, "division")]
    if f.department is None:
        tables.append(_table(queries.by(user, "department", f, limit=SHOWN_ROWS), f, "department"))
    else:
        tables.append(_table(queries.by(user, "item", f, limit=SHOWN_ROWS), f, None))
    tables += [_table(queries.by(user, d, f, limit=SHOWN_ROWS), f, None) for d in ("channel", "window")]
    tables.append(_table(months, f, None))
    kinds = {fig.key: fig for fig in rules.FIGURES}
    return render(
        request,
        "workbench/stats/home.html",
        {
            "crumbs": [(_("统计分析"), "")],
            "f": f,
            "error": error,
            # What was typed stays in the form beside the message (the figures are the default period's).
            "typed": {k: (request.GET.get(k) or "")[:10] for k in ("from", "to")},
            "overview": overview,
            "figure_rows": figure_rows,
            "cost": _shown(cost, "average"),
            "previous_cost": _shown(previous_cost, "average"),
            "cost_definition": _(rules.COST_DEFINITION),
            "tables": tables,
            "table_headings": [_(kinds[k].label) for k in TABLE_FIGURES],
            "chart": _month_chart(months),
            "counters": [(k, _(v), overview["counts"][k]) for k, v in rules.COUNTERS.items()],
            # The download follows the drill-down: a department's items once a department is chosen.
            "export_url": reverse("workbench:stats-export")
            + _query(f, dimension="department" if f.department is None else "item"),
            "reset_url": reverse("workbench:stats") + _query(f, division=None, department=None, item=None),
            "watching": access.watches(user) is not None,
            # 一件事 in the period (supervisors: their tree).
            "figures": _bundle_figures(user, f),
        },
        status=400 if error else 200,
    )


@staff_required
def stats_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.may_view(user):
        return forbidden(request, _("只有监察人员和办件部门的工作人员可以查看统计。"))
    f, error = _filter_from(request)
    if error:
        return stats_home(request)  # the page, with the message (400)
    dimension = request.GET.get("dimension", "department")
    if dimension not in rules.DIMENSIONS:
        dimension = "department"
    response = HttpResponse(export.dumps_xlsx(user, dimension, f), content_type=export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(dimension, f)}"'
    return response


def _bundle_figures(user, f: queries.Filter) -> dict[str, Any] | None:
    from yiwang.accounts.access import watched_prefix
    from yiwang.bundles import queries as bundle_queries

    prefix = watched_prefix(user)
    if prefix is None:
        return None
    return bundle_queries.figures(prefix, since=f.start)
