"""`yiwang worker`: deliver the event outbox, run periodic jobs (the deadline sweep) and queued tasks."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from yiwang.core.worker import Worker


class Command(BaseCommand):
    help = "后台任务：投递事件、定期巡检办件期限、执行队列中的任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="空闲时的轮询间隔（秒）")
        parser.add_argument(
            "--until-idle", action="store_true", help="处理完当前到期的事件和任务后退出（用于定时调度或维护）"
        )

    def handle(self, *args, **options):
        Worker(interval=options["interval"], until_idle=options["until_idle"]).run()
