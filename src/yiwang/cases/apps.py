from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from django.conf import settings

        from yiwang.cases.services import recompute_provisional
        from yiwang.cases.tasks import sweep_deadlines
        from yiwang.core import outbox, schedule

        schedule.every("cases.sweep_deadlines", settings.WORKER_SWEEP_SECONDS, sweep_deadlines)
        outbox.subscribe("cases.provisional", ["calendar.year_entered"], recompute_provisional)
        from yiwang.cases import documents

        # Result documents (PDF) after commit, and electronic delivery once the decision's is kept.
        outbox.subscribe("cases.documents", documents.TOPICS, documents.on_case_event)
