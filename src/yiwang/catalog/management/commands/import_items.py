"""`yiwang import-items FILE.xlsx|FILE.json [--publish] [--dry-run]`: bulk compile implementation
list entries from an Excel workbook or a JSON file (see yiwang.catalog.exchange for the format).

Everything is checked first; if any row is wrong, every problem is listed with its sheet, row and
element, and nothing is imported."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.catalog import exchange


class Command(BaseCommand):
    help = "Import implementation list entries (guides) from an Excel (.xlsx) or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--publish",
            action="store_true",
            help="submit and publish every imported guide whose audit finds no error",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, publish: bool, dry_run: bool, no_progress: bool, **options):
        show = not no_progress and options.get("verbosity", 1) > 0  # and only on a terminal

        def progress(total: int, desc: str):
            return tqdm(
                total=total, desc=desc, unit="项", file=self.stderr._out, disable=None if show else True
            )

        try:
            report = exchange.import_file(file, publish=publish, dry_run=dry_run, progress=progress)
        except exchange.ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：发现 {len(exc.errors)} 处问题，未导入任何内容。") from None
        prefix = "（试运行，未保存）" if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}已导入 {report.entries} 个事项：新建 {report.created} 个，更新 {report.updated} 个，"
                f"新建基本目录事项 {report.catalog_items_created} 个"
                + (f"，发布 {report.published} 个" if publish else "")
                + "。"
            )
        )
        for code, problems in report.unpublished:
            self.stdout.write(self.style.WARNING(f"{code} 未发布（指南有错误，已保存为草稿）："))
            for problem in problems:
                self.stdout.write(f"  {problem}")
