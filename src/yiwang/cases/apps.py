from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from django.conf import settings

        from yiwang.cases.anchors import checkpoint_trace
        from yiwang.cases.sweeps import recompute_provisional
        from yiwang.cases.tasks import sweep_deadlines
        from yiwang.core import outbox, schedule

        schedule.every("cases.sweep_deadlines", settings.WORKER_SWEEP_SECONDS, sweep_deadlines)
        # The trace's checkpoints (ADR 8): the heads of the chains that grew, anchored.
        schedule.every("cases.checkpoint_trace", settings.TRACE_CHECKPOINT_SECONDS, checkpoint_trace)
        outbox.subscribe("cases.provisional", ["calendar.year_entered"], recompute_provisional)
        from yiwang.cases.delivery import book_with_carrier

        # The carrier is booked after the dispatch committed, outside any transaction (idempotent).
        outbox.subscribe("cases.carrier", ["case.dispatch"], book_with_carrier, transactional=False)
        from yiwang.cases import documents

        # Result documents (PDF) after commit, and electronic delivery once the decision's is kept.
        outbox.subscribe("cases.documents", documents.TOPICS, documents.on_case_event)
