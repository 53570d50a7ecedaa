"""`yiwang audit-guides`: audit every guide of the catalog (找茬) and store the findings.

Audits each entry's latest version (or, with --published, the version citizens see), stores the
findings through `services.record_audit` (the supervisor's 指南质量 page reads them), and writes an
HTML summary and a CSV of every finding. Versions are read in batches with their children
prefetched, so the whole run is a few queries per batch plus the findings' writes.
"""

from __future__ import annotations

import csv
import heapq
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from tqdm import tqdm

from yiwang.catalog import rules, services
from yiwang.catalog.models import Entry, EntryVersion

CSV_HEADER = [
    "实施编码",
    "事项名称",
    "实施主体",
    "区划代码",
    "版本",
    "版本状态",
    "规则",
    "问题类型",
    "严重程度",
    "要素",
    "问题",
    "修改建议",
]
WORST_KEPT = 500  # entries listed by name in the HTML report (all of them are in the CSV)


def version_ids(published_only: bool) -> list[int]:
    if published_only:
        qs = Entry.objects.filter(published__isnull=False).values_list("published_id", flat=True)
    else:
        # Versions are numbered in creation order, so the newest id is the latest version.
        qs = EntryVersion.objects.values("entry_id").annotate(m=Max("pk")).values_list("m", flat=True)
    return sorted(qs)


def batches(ids: list[int], size: int):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Command(BaseCommand):
    help = "审核全部办事指南（找茬），保存问题并生成 HTML 和 CSV 报告。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--published", action="store_true", help="只审核已发布的现行版本（默认审核每个事项的最新版本）"
        )
        parser.add_argument("--output", metavar="DIR", help="报告目录（默认 var/reports/）")
        parser.add_argument("--batch-size", type=int, default=500, help="每批读取的版本数（默认 500）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 应为正整数。")
        out_dir = Path(options["output"] or Path(settings.VAR_DIR) / "reports")
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        csv_path = out_dir / f"guide-audit-{stamp}.csv"
        html_path = out_dir / f"guide-audit-{stamp}.html"
        ids = version_ids(options["published"])

        titles = {r.code: str(r.title) for r in rules.RULES}
        totals: Counter = Counter()
        by_department: dict[str, Counter] = defaultdict(Counter)
        by_rule: Counter = Counter()
        rule_entries: Counter = Counter()
        worst: list[tuple] = []  # a min-heap of the entries with the most errors
        with (
            open(csv_path, "w", newline="", encoding="utf-8-sig") as handle,
            tqdm(
                total=len(ids),
                unit="项",
                desc="审核办事指南",
                file=sys.stderr,
                disable=True if options["no_progress"] else None,
            ) as bar,
        ):
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER)
            for chunk in batches(ids, options["batch_size"]):
                versions = (
                    EntryVersion.objects.filter(pk__in=chunk)
                    .select_related("entry__department__division", "entry__catalog_item__item_type")
                    .prefetch_related("topics", "situations", "materials", "fees", "faqs")
                    .order_by("pk")
                )
                with transaction.atomic():
                    for version in versions:
                        findings = services.record_audit(version)
                        entry, department = version.entry, version.entry.department
                        errors = sum(1 for f in findings if f.severity == rules.ERROR)
                        warnings = len(findings) - errors
                        totals["entries"] += 1
                        dept = by_department[department.name]
                        dept["entries"] += 1
                        dept["errors"] += errors
                        dept["warnings"] += warnings
                        if findings:
                            totals["with_findings"] += 1
                            dept["with_findings"] += 1
                        if errors:
                            totals["with_errors"] += 1
                            dept["with_errors"] += 1
                            item = (errors, warnings, entry.code, entry.name, department.name, version.number)
                            if len(worst) < WORST_KEPT:
                                heapq.heappush(worst, item)
                            else:
                                heapq.heappushpop(worst, item)
                        totals["errors"] += errors
                        totals["warnings"] += warnings
                        for rule in {f.rule for f in findings}:
                            rule_entries[rule] += 1
                        for f in findings:
                            by_rule[f.rule] += 1
                            writer.writerow(
                                [
                                    entry.code,
                                    entry.name,
                                    department.name,
                                    department.division.code,
                                    version.number,
                                    version.get_state_display(),
                                    f.rule,
                                    titles.get(f.rule, f.rule),
                                    "错误" if f.severity == rules.ERROR else "提醒",
                                    f.element,
                                    f.message,
                                    f.suggestion,
                                ]
                            )
                bar.update(len(chunk))
        elapsed = time.perf_counter() - started
        rule_rows = sorted(
            (
                {
                    "code": r.code,
                    "title": str(r.title),
                    "severity": r.severity,
                    "findings": by_rule[r.code],
                    "entries": rule_entries[r.code],
                }
                for r in rules.RULES
            ),
            key=lambda r: (-r["findings"], r["code"]),
        )
        department_rows = sorted(
            ({"name": name, **counts} for name, counts in by_department.items()),
            key=lambda r: (-r["errors"], -r["warnings"], r["name"]),
        )
        html_path.write_text(
            render_to_string(
                "workbench/catalog/audit_report.html",
                {
                    "generated": timezone.localtime(),
                    "scope": "已发布的现行版本" if options["published"] else "每个事项的最新版本",
                    "totals": totals,
                    "rule_rows": rule_rows,
                    "department_rows": department_rows,
                    "worst": sorted(worst, reverse=True),
                    "worst_limit": WORST_KEPT,
                    "csv_name": csv_path.name,
                    "elapsed": elapsed,
                },
            ),
            encoding="utf-8",
        )
        rate = totals["entries"] / elapsed if elapsed else 0
        self.stdout.write(
            f"审核 {totals['entries']} 个事项，用时 {elapsed:.1f} 秒（{rate:.0f} 项/秒）："
            f"{totals['with_errors']} 个有错误，{totals['with_findings']} 个有问题；"
            f"错误 {totals['errors']} 个，提醒 {totals['warnings']} 个。"
        )
        self.stdout.write(f"HTML 报告：{html_path}")
        self.stdout.write(f"CSV 明细：{csv_path}")
