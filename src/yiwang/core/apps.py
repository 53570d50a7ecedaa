from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "区划、部门与工作日"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from yiwang.core import schedule
        from yiwang.core.long_lived import freeze_after_first_request
        from yiwang.core.tasks import purge_delivered, purge_rate_counters

        schedule.every("core.purge_rate_counters", 600, purge_rate_counters)
        schedule.every("core.purge_delivered", 6 * 3600, purge_delivered)
        request_finished.connect(freeze_after_first_request, dispatch_uid="core.freeze_after_first_request")
