from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "yiwang.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from yiwang.stats import subscribers

        subscribers.register()
