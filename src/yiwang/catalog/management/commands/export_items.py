"""`yiwang export-items FILE.xlsx|FILE.json [--division CODE] [--department USCC] [--drafts]`:
write implementation list entries to an Excel workbook or a JSON file (see
yiwang.catalog.exchange). By default the published guides; with --drafts the newest version of
every entry that is not cancelled."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.catalog import exchange
from yiwang.core.models import Department


class Command(BaseCommand):
    help = "Export implementation list entries (guides) to an Excel (.xlsx) or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--division", help="only this division's tree (6- or 12-digit code)")
        parser.add_argument("--department", help="only this department (unified social credit code)")
        parser.add_argument("--drafts", action="store_true", help="the newest version, drafts included")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, division, department, drafts: bool, no_progress: bool, **options):
        from yiwang.core.services import get_division_by_code

        if file.suffix.lower() not in (".xlsx", ".json"):
            raise CommandError("文件名应以 .xlsx 或 .json 结尾。")
        try:
            entries = exchange.division_entries(get_division_by_code(division) if division else None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if department:
            dept = Department.objects.filter(uscc=department.strip().upper()).first()
            if dept is None:
                raise CommandError(f"没有统一社会信用代码为 {department} 的部门。")
            entries = entries.filter(department=dept)
        show = not no_progress and options.get("verbosity", 1) > 0

        def progress(total: int, desc: str):
            return tqdm(
                total=total, desc=desc, unit="项", file=self.stderr._out, disable=None if show else True
            )

        try:
            count = exchange.export_file(file, entries, drafts=drafts, progress=progress)
        except OSError as exc:
            raise CommandError(f"无法写入 {file}：{exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个事项到 {file}。"))
