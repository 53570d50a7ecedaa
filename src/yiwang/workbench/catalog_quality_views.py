"""The supervisor's catalog pages: guide quality (指南质量: audit findings by department and kind)
and catalog statistics (事项统计: claimed, compiled and published entries, time limits, online depth)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yiwang.catalog import access as catalog_access
from yiwang.catalog import rules, stats
from yiwang.catalog.models import AuditFinding
from yiwang.core.models import Department
from yiwang.workbench import access as wb_access
from yiwang.workbench.access import role_required
from yiwang.workbench.catalog_common import crumbs, latest_version_ids

# --- 指南质量: the supervisor's page ------------------------------------------------------------------


@role_required(wb_access.is_supervisor)
def quality(request: HttpRequest) -> HttpResponse:
    user = request.user
    severity = request.GET.get("severity", "")
    if severity not in ("error", "warning"):
        severity = ""
    visible = catalog_access.entries_for_staff(user)
    entry_counts = dict(
        visible.order_by().values("department_id").annotate(n=Count("id")).values_list("department_id", "n")
    )
    # Findings carry their department, so the scope is a department filter (no joins), and only
    # each entry's latest version counts. Two scans: per department and rule, and per department.
    findings = AuditFinding.objects.filter(
        department_id__in=list(entry_counts),
        version_id__in=latest_version_ids().filter(entry__department_id__in=list(entry_counts)),
    )
    if severity:
        findings = findings.filter(severity=severity)
    severity_of = {r.code: r.severity for r in rules.RULES}
    per_department: dict[int, Counter] = defaultdict(Counter)
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for row in findings.values("department_id", "rule").annotate(
        n=Count("id"), versions=Count("version_id", distinct=True)
    ):
        kind = "errors" if severity_of.get(row["rule"], rules.ERROR) == rules.ERROR else "warnings"
        per_department[row["department_id"]][kind] += row["n"]
        per_department[row["department_id"]]["findings"] += row["n"]
        per_rule[row["rule"]]["findings"] += row["n"]
        per_rule[row["rule"]]["entries"] += row["versions"]  # a version belongs to one department
    for row in findings.values("department_id").annotate(versions=Count("version_id", distinct=True)):
        per_department[row["department_id"]]["with_findings"] = row["versions"]
    departments = Department.objects.filter(pk__in=entry_counts).select_related("division")
    department_rows = sorted(
        (
            {
                "department": d,
                "entries": entry_counts.get(d.pk, 0),
                "with_findings": per_department[d.pk]["with_findings"],
                "errors": per_department[d.pk]["errors"],
                "warnings": per_department[d.pk]["warnings"],
                "findings": per_department[d.pk]["findings"],
            }
            for d in departments
        ),
        key=lambda r: (-r["findings"], r["department"].division.code, r["department"].name),
    )
    rule_rows = sorted(
        (
            {
                "code": r.code,
                "title": r.title,
                "severity": r.severity,
                "findings": per_rule[r.code]["findings"],
                "entries": per_rule[r.code]["entries"],
            }
            for r in rules.RULES
            if not severity or r.severity == severity
        ),
        key=lambda r: (-r["findings"], r["code"]),
    )
    totals = {
        "entries": sum(entry_counts.values()),
        "with_findings": sum(r["with_findings"] for r in department_rows),
        "findings": sum(r["findings"] for r in department_rows),
        "errors": sum(r["errors"] for r in department_rows),
        "warnings": sum(r["warnings"] for r in department_rows),
    }
    return render(
        request,
        "workbench/catalog/quality.html",
        {
            "severity": severity,
            "department_rows": department_rows,
            "rule_rows": rule_rows,
            "totals": totals,
            "crumbs": crumbs((_("指南质量"), None)),
        },
    )


# --- 事项统计: claimed, compiled and published entries; time limits; online depth -------------------


@role_required(wb_access.is_supervisor)
def catalog_statistics(request: HttpRequest) -> HttpResponse:
    """The catalog figures of the supervisor's division tree (the same as /api/v1/stats/catalog)."""
    figures = stats.catalog_stats(request.user.staff.division)
    return render(
        request,
        "workbench/catalog/statistics.html",
        {
            "stats": figures,
            "report_lines": stats.report_lines(figures),
            "crumbs": crumbs((_("事项统计"), None)),
        },
    )
