"""`yiwang import-calendar FILE.csv`: enter a year's official schedule from a CSV file.

Rows are `kind,name,start,end` with kind `holiday` (节假日, days off) or `makeup` (调休上班); end may
be empty for a single day. Example for a year the State Council has just published::

    kind,name,start,end
    holiday,元旦,2027-01-01,2027-01-03
    makeup,春节,2027-02-06,
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yiwang.core import calendar_schedule, services
from yiwang.core.models import CalendarYear


class Command(BaseCommand):
    help = "Import one or more years' working-day schedule (holidays and make-up days) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--notice", default="", help="the State Council notice the schedule follows")
        parser.add_argument("--replace", action="store_true", help="replace a year that is already entered")

    def handle(self, *args, file: Path, notice: str, replace: bool, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from None
        try:
            years = calendar_schedule.parse_schedule_csv(text)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if not years:
            raise CommandError("文件中没有节假日或调休记录。")
        existing = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        if existing and not replace:
            raise CommandError(f"{sorted(existing)} 年已录入；确认要替换请加 --replace。")
        for year, adjustments in sorted(years.items()):
            try:
                services.save_year_schedule(
                    year, adjustments, source=CalendarYear.Source.IMPORT, notice=notice
                )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            self.stdout.write(self.style.SUCCESS(f"{year} 年：已导入 {len(adjustments)} 条节假日/调休记录"))
