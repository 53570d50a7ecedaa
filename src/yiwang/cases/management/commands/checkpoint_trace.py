"""`yiwang checkpoint-trace`: record the heads of the case traces that grew since the last
checkpoint (every numbered case the first time), as the worker does every
`TRACE_CHECKPOINT_SECONDS` (ADR 8); print the new anchor. Exit 1 when a head was refused."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from yiwang.cases import anchors


class Command(BaseCommand):
    help = "记录留痕检查点：自上次检查点以来有新事件的办件的链头，并输出新的锚点"

    def handle(self, *args, **options):
        done = anchors.checkpoint()
        for b in done.refused:
            self.stderr.write(
                f"#{b.case_id}: 事件 {b.seq if b.seq is not None else '-'}: {b.problem}（未记录）"
            )
        if done.refused_count > len(done.refused):
            self.stderr.write(f"……共 {done.refused_count} 件的链头未记录")
        made = done.checkpoint
        if made is None:
            self.stdout.write("没有新的链头需要记录")
        else:
            self.stdout.write(f"检查点 #{made.seq}：记录 {made.heads} 件的链头")
        latest = anchors.anchor()
        if latest is not None:
            self.stdout.write(f"锚点 #{latest.seq}：{latest.hash}")
        if done.refused_count:
            sys.exit(1)
