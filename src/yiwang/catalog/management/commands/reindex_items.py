"""`yiwang reindex-items`: recompute every entry's search tokens and rebuild the search index.

Run it after changing the segmenter's dictionary or the synonym table, after restoring a database,
or whenever search results look stale."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from yiwang.catalog import search_index


class Command(BaseCommand):
    help = "Recompute the search tokens of all entries and rebuild the full-text index."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, no_progress: bool = False, **options):
        show = not no_progress and options.get("verbosity", 1) > 0

        def progress(total: int, desc: str):
            return tqdm(
                total=total, desc=desc, unit="项", file=self.stderr._out, disable=None if show else True
            )

        indexed = search_index.reindex_all(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"检索索引已重建：{indexed} 个已发布事项可被检索。"))
