import time

from django.core.management.base import BaseCommand
from django.db import transaction

from yiwang.core import services as core_services
from yiwang.demo import bundles as demo_bundles
from yiwang.demo import cases as demo_cases
from yiwang.demo import catalog, region
from yiwang.demo import figures as demo_figures
from yiwang.demo import licences as demo_licences
from yiwang.demo import ratings as demo_ratings
from yiwang.demo import supervision as demo_supervision
from yiwang.demo.oidc_client import ensure_demo_client


class Command(BaseCommand):
    help = "Load the demo region (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        with transaction.atomic():
            core_services.ensure_calendar()
            region.load_region()
            catalog.load_catalog()
            ensure_demo_client()
            demo_licences.load_licence_types()
            cases = demo_cases.load_cases()
            bundles = demo_bundles.load_bundles()
            demo_licences.issue_for_demo_cases()
            ratings = demo_ratings.load_ratings()
            supervision = demo_supervision.load_supervision()
        # After the commit, as the worker would: the statistics are there when the demo opens.
        started = time.perf_counter()
        counted = demo_figures.count_statistics()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        if counted:
            self.stdout.write(
                f"统计 / statistics: 已计入 {counted} 条事件（{time.perf_counter() - started:.1f} s）"
            )
        if cases.created:
            self.stdout.write(f"演示办件 / demo cases: {cases.created}（{cases.seconds:.1f} s）")
        if bundles.bundles or bundles.applications:
            self.stdout.write(
                f"一件事 / bundles: 发布 {bundles.bundles} 件，演示申请 {bundles.applications} 件"
                f"（{bundles.seconds:.1f} s）"
            )
        if ratings.created:
            self.stdout.write(
                f"演示评价 / demo ratings: {ratings.created}，差评 {ratings.bad}（{ratings.seconds:.1f} s）"
            )
        if supervision.created:
            self.stdout.write(
                f"电子监察 / supervision: 红牌 {supervision.red}，黄牌 {supervision.yellow}，"
                f"督办 {supervision.orders}（{supervision.seconds:.1f} s）"
            )
        self.stdout.write(
            f"演示账户（密码均为 {region.DEMO_PASSWORD}）/ demo accounts (password {region.DEMO_PASSWORD}):"
        )
        for username, description in region.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<18} {description}")
