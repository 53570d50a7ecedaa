"""What statistics does after other changes commit (the outbox, ADR 0005): add each case event and
each rating event to the daily aggregates, in the transaction that records the receipt (each event
counts once); and its periodic job, the count of applications started (drafts publish no event)
and of stages opened to rating."""

from __future__ import annotations

from yiwang.core import outbox, schedule
from yiwang.core.models import OutboxMessage

COLLECT_SECONDS = 300  # drafts and invitations are counted within five minutes


def on_case_event(message: OutboxMessage) -> None:
    from yiwang.stats import services

    services.count_case_event(message.payload)


def on_case_events(messages: list[OutboxMessage]) -> None:
    from yiwang.stats import services

    services.count_case_events([m.payload for m in messages])


def on_rating_event(message: OutboxMessage) -> None:
    from yiwang.stats import services

    services.count_rating_event(message.topic, message.payload)


def on_rating_events(messages: list[OutboxMessage]) -> None:
    from yiwang.stats import services

    services.count_rating_events([(m.topic, m.payload) for m in messages])


def register() -> None:
    from yiwang.stats.tasks import collect

    outbox.subscribe("stats.cases", ["case.*"], on_case_event, batch=on_case_events)
    outbox.subscribe(
        "stats.ratings",
        ["rating.given", "rating.follow_up.*", "rating.appeal.ruled"],
        on_rating_event,
        batch=on_rating_events,
    )
    schedule.every("stats.collect", COLLECT_SECONDS, collect)
