"""`yiwang manage rebuild_stats [--since DATE]`: recompute the daily statistics from the cases,
their traces, the ratings and the invitations, in chunks, with a progress bar.

Run it after restoring a database, after a change of the counting rules, or whenever the figures
look wrong; stop the workers first (an event delivered while it runs may be counted twice)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from yiwang.stats import services


class Command(BaseCommand):
    help = "Recompute the daily statistics (all days, or from --since) from the cases and ratings."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only the days from this date (YYYY-MM-DD)")
        parser.add_argument("--chunk", type=int, default=2000, help="cases read per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self, *args, since: str | None = None, chunk: int = 2000, no_progress: bool = False, **options
    ):
        day = None
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since 应为 YYYY-MM-DD 格式的日期：{since}") from exc
        if chunk < 1:
            raise CommandError("--chunk 应为正整数。")
        show = not no_progress and options.get("verbosity", 1) > 0

        def progress(total: int, desc: str):
            return tqdm(
                total=total, desc=desc, unit="件", file=self.stderr._out, disable=None if show else True
            )

        cases = services.rebuild(day, chunk=chunk, progress=progress)
        where = f"自 {day.isoformat()} 起" if day else "全部日期"
        self.stdout.write(self.style.SUCCESS(f"统计已重建（{where}）：读取办件 {cases} 件。"))
