"""`yiwang verify-events`: check every case's event chain; exit 1 naming each break."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from yiwang.cases import trace
from yiwang.cases.models import Case, CaseEvent

CHUNK = 2000


class Command(BaseCommand):
    help = "核验办件留痕的哈希链：发现被修改、插入或删除的事件"

    def add_arguments(self, parser):
        parser.add_argument("--case", help="只核验该办件编号")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        cases = Case.objects.order_by("pk")
        if options["case"]:
            cases = cases.filter(number=options["case"])
        total = cases.count()
        breaks: list[trace.Break] = []
        checked = events_seen = 0
        last_pk = 0
        with tqdm(
            total=total, unit="件", desc="核验", disable=True if options["no_progress"] else None
        ) as bar:
            while True:
                chunk = list(
                    cases.filter(pk__gt=last_pk).values_list(
                        "pk", "number", "draft_key", "event_count", "last_event_hash"
                    )[:CHUNK]
                )
                if not chunk:
                    break
                last_pk = chunk[-1][0]
                by_case: dict[int, list[CaseEvent]] = {pk: [] for pk, *_ in chunk}
                for event in (
                    CaseEvent.objects.filter(case_id__in=by_case)
                    .order_by("case_id", "seq")
                    .iterator(chunk_size=5000)
                ):
                    by_case[event.case_id].append(event)
                for pk, number, key, count, last_hash in chunk:
                    found = list(trace.verify_chain(pk, key, by_case[pk], count, last_hash))
                    for b in found:
                        self.stderr.write(
                            f"{number or pk}: 事件 {b.seq if b.seq is not None else '-'}: {b.problem}"
                        )
                    breaks += found
                    events_seen += len(by_case[pk])
                checked += len(chunk)
                bar.update(len(chunk))
        # Events whose case row no longer lists them (e.g. a chain cut at the end) are counted above;
        # events pointing at no case at all cannot exist (the foreign key protects the case).
        if breaks:
            self.stderr.write(
                self.style.ERROR(f"发现 {len(breaks)} 处异常（共核验 {checked} 件、{events_seen} 条事件）")
            )
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"留痕完整：共核验 {checked} 件、{events_seen} 条事件"))
