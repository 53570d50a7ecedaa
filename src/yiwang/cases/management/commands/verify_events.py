"""`yiwang verify-events`: check every case's event chain, that each case stands where its last
event left it, and the checkpoints of the trace (ADR 8); exit 1 naming each break, 2 when asked
for a case that does not exist.

Read in chunks of cases by id: per chunk one query for the cases, one for their events and one
for their checkpointed heads, so the memory and the queries per case stay flat at a million
cases. The heads of cases that no longer exist fall in the gaps between the chunks' ids (or after
the last one) and are read with them.
"""

from __future__ import annotations

import hashlib
import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from yiwang.cases import anchors, trace
from yiwang.cases.models import Case, TraceCheckpoint, TraceHead

CHUNK = 2000


class Command(BaseCommand):
    help = "核验办件留痕的哈希链与检查点：发现被修改、插入、删除或截断的事件，被删除的办件，没有事件记录的状态变更"

    def add_arguments(self, parser):
        parser.add_argument("--case", help="只核验该办件编号")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument("--anchor", action="store_true", help="只输出最新检查点的哈希（锚点），不核验")
        parser.add_argument("--expect-anchor", default="", metavar="HASH", help="该锚点必须仍在检查点链中")
        parser.add_argument("--checkpoint", action="store_true", help="核验无误后记录一个新的检查点")

    def handle(self, *args, **options):
        if options["anchor"]:
            latest = anchors.anchor()
            if latest is None:
                self.stderr.write("尚无检查点：先运行 yiwang checkpoint-trace")
                sys.exit(2)
            self.stdout.write(f"{latest.hash}  #{latest.seq} {latest.at.isoformat()} {latest.heads}")
            return
        cases = Case.objects.order_by("pk")
        one = options["case"]
        if one:
            cases = cases.filter(number=one)
            if not cases.exists():
                self.stderr.write(f"没有编号为 {one} 的办件")
                sys.exit(2)
        checkpoints = list(TraceCheckpoint.objects.order_by("seq"))
        # Each checkpoint's digest recomputed from its stored heads, which come in case order.
        digests = {c.pk: hashlib.sha256() for c in checkpoints}
        counts = {c.pk: 0 for c in checkpoints}
        breaks: list[trace.Break] = []
        problems = 0

        def report(found: list[trace.Break], numbers: dict[int, str]) -> None:
            nonlocal problems
            for b in found:
                if b.case_id is None:
                    where = f"检查点 {b.seq if b.seq is not None else '-'}"
                else:
                    case = numbers.get(b.case_id) or f"#{b.case_id}"
                    where = f"{case}: 事件 {b.seq if b.seq is not None else '-'}"
                self.stderr.write(f"{where}: {b.problem}")
            problems += len(found)
            found.clear()

        checked = events_seen = 0

        def heads_between(low: int, high: int | None) -> dict[int, list[trace.Head]]:
            """The stored heads of case ids in (low, high], by case; each added to its digest."""
            rows = TraceHead.objects.filter(case_id__gt=low)
            if high is not None:
                rows = rows.filter(case_id__lte=high)
            by_case: dict[int, list[trace.Head]] = {}
            for row in rows.order_by("case_id", "checkpoint_id").values_list(
                "checkpoint_id", "case_id", "draft_key", "event_count", "last_event_hash"
            ):
                head = trace.Head(*row)
                by_case.setdefault(head.case_id, []).append(head)
                if head.checkpoint_id in digests:
                    digests[head.checkpoint_id].update(
                        trace.head_line(head.case_id, head.draft_key, head.event_count, head.last_event_hash)
                    )
                    counts[head.checkpoint_id] += 1
                else:
                    breaks.append(
                        trace.Break(head.case_id, None, "head of a checkpoint that no longer exists")
                    )
            return by_case

        def gone(by_case: dict[int, list[trace.Head]]) -> None:
            for case_id, heads in by_case.items():
                last = heads[-1]
                breaks.append(
                    trace.Break(
                        case_id,
                        None,
                        f"checkpointed with {last.event_count} events, the case no longer exists (deleted)",
                    )
                )

        last_pk = 0
        with tqdm(
            total=cases.count(), unit="件", desc="核验", disable=True if options["no_progress"] else None
        ) as bar:
            while True:
                chunk = list(
                    cases.filter(pk__gt=last_pk).values_list(
                        "pk", "number", "draft_key", "state", "event_count", "last_event_hash"
                    )[:CHUNK]
                )
                if not chunk:
                    break
                low, last_pk = last_pk, chunk[-1][0]
                events = anchors.events_by_case(pk for pk, *_ in chunk)
                if one:
                    recorded = {}
                    for head in (
                        TraceHead.objects.filter(case_id=last_pk)
                        .order_by("checkpoint_id")
                        .values_list(
                            "checkpoint_id", "case_id", "draft_key", "event_count", "last_event_hash"
                        )
                    ):
                        recorded.setdefault(last_pk, []).append(trace.Head(*head))
                else:
                    recorded = heads_between(low, last_pk)
                for pk, _number, key, state, count, last_hash in chunk:
                    found = list(trace.verify_chain(pk, key, events[pk], count, last_hash))
                    found += trace.verify_state(pk, state, events[pk])
                    found += trace.verify_heads(pk, key, events[pk], recorded.pop(pk, []))
                    breaks.extend(found)
                    events_seen += len(events[pk])
                gone(recorded)  # heads left over: of ids between this chunk's cases
                report(breaks, {pk: number for pk, number, *_ in chunk})
                checked += len(chunk)
                bar.update(len(chunk))
        if not one:
            gone(heads_between(last_pk, None))
        found = {c.pk: (counts[c.pk], digests[c.pk].hexdigest()) for c in checkpoints}
        breaks += trace.verify_checkpoints(checkpoints, None if one else found, options["expect_anchor"])

        report(breaks, {})
        summary = f"共核验 {checked} 件、{events_seen} 条事件、{len(checkpoints)} 个检查点"
        if problems:
            self.stderr.write(self.style.ERROR(f"发现 {problems} 处异常（{summary}）"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"留痕完整：{summary}"))
        if options["checkpoint"]:
            made = anchors.checkpoint().checkpoint
            if made is not None:
                self.stdout.write(f"已记录检查点 #{made.seq}：{made.heads} 件")
        latest = anchors.anchor()
        if latest is not None:
            self.stdout.write(f"锚点 #{latest.seq}：{latest.hash}")
