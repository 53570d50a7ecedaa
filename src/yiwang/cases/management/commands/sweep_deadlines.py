"""`yiwang sweep-deadlines`: run the deadline sweep now (the worker runs it periodically)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from yiwang.cases.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "执行期限巡检：逾期视为受理、容缺逾期标记"

    def handle(self, *args, **options):
        result = sweep_deadlines.call()
        self.stdout.write(
            f"视为受理 {result['deemed_accepted']} 件，容缺逾期 {result['commitments_flagged']} 件"
        )
