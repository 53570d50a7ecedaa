"""The transactional outbox: events written with the change they report, delivered after commit.

A domain publishes a message inside the transaction of its change (`publish`, `publish_many`):
if the change rolls back, so does the message, and nothing outside the database has happened. The
worker (`yiwang worker`, `core.worker`) then hands each message to every subscriber registered for
its topic. Apps register in their own `AppConfig.ready`, so the publisher imports none of them:

    outbox.subscribe("notices.case", ["case.*"], on_case_event)

Delivery is at least once; each subscriber's effect happens once per message, because a
*transactional* subscriber (the default) runs in a transaction that also records its receipt
(`OutboxDelivery`): a worker killed mid-delivery leaves either both or neither. A subscriber that
acts outside the database (mail, a carrier, an upper platform) says `transactional=False`: it runs
outside any transaction and must tolerate a repeat after a crash between acting and recording.

A transactional subscriber may also take several messages at once (`batch`): the messages of a
claimed round that it has never received go to it in one call, in one transaction with all their
receipts (a day's statistics in a few hundred transactions instead of thousands). If that call
raises, nothing of it stays and each message goes to the one-message handler alone, so a bad
message fails by itself.

A subscriber that raises is retried with exponential back-off (`backoff`), up to `MAX_ATTEMPTS`,
then left `dead` for an administrator (the admin lists failures and can retry them). A failure never
touches the publishing change, and one subscriber's failure does not hold back the others.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import logging
import traceback
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core import rows
from yiwang.core.models import OutboxDelivery, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
CLAIM_SECONDS = 60  # a claim outlives any sane delivery round; a dead worker's claim expires


@dataclass(frozen=True)
class Subscriber:
    name: str
    topics: tuple[str, ...]  # fnmatch patterns: "case.*", "calendar.year_entered"
    handler: Callable[[OutboxMessage], None]
    transactional: bool = True
    batch: Callable[[list[OutboxMessage]], None] | None = None

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.topics)


_subscribers: dict[str, Subscriber] = {}


def subscribe(
    name: str,
    topics: Iterable[str],
    handler: Callable[[OutboxMessage], None],
    *,
    transactional: bool = True,
    batch: Callable[[list[OutboxMessage]], None] | None = None,
) -> None:
    """Register `handler` for messages whose topic matches one of `topics` (call from
    `AppConfig.ready`), and `batch` (transactional only) for several at once, with the same effect
    as `handler` on each. The name identifies the subscriber's receipts: keep it stable."""
    if batch is not None and not transactional:
        raise ValueError("only a transactional subscriber can take a batch")
    _subscribers[name] = Subscriber(name, tuple(topics), handler, transactional, batch)


def unsubscribe(name: str) -> None:
    _subscribers.pop(name, None)


def subscribers() -> list[Subscriber]:
    return list(_subscribers.values())


# --- Publishing ------------------------------------------------------------------------------------


def message(topic: str, payload: dict[str, Any], *, at: dt.datetime | None = None) -> OutboxMessage:
    """An unsaved message (for `publish_many`)."""
    now = timezone.now()
    return rows.new(OutboxMessage, topic=topic, payload=payload, created_at=at or now, available_at=now)


def publish(topic: str, payload: dict[str, Any], *, at: dt.datetime | None = None) -> OutboxMessage:
    """Write one message in the current transaction (one INSERT)."""
    row = message(topic, payload, at=at)
    row.save(force_insert=True)
    return row


def publish_many(messages: list[OutboxMessage]) -> None:
    """Write several messages in one INSERT."""
    if messages:
        OutboxMessage.objects.bulk_create(messages)


# --- Delivering ------------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s … capped at an hour: a subscriber's outage does not become a busy loop."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def claim(worker: str, limit: int = 100) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker. The conditional UPDATE decides: of two
    workers claiming at once, each message goes to one (PostgreSQL re-checks the condition on a
    row another transaction just changed; SQLite has one writer)."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = OutboxMessage.objects.filter(free, done_at__isnull=True, available_at__lte=now)
    ids = list(due.order_by("available_at", "id").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    token = f"{worker}:{uuid.uuid4().hex[:8]}"
    OutboxMessage.objects.filter(free, pk__in=ids, done_at__isnull=True).update(
        claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS), claimed_by=token
    )
    return list(OutboxMessage.objects.filter(claimed_by=token, done_at__isnull=True).order_by("id"))


def deliver(messages: list[OutboxMessage], *, only: Collection[str] | None = None) -> int:
    """Hand each message to every subscriber of its topic that has not yet received it; returns the
    number of receipts recorded now. With `only`, to those subscribers alone: the messages stay
    due for the others (the demo loader counts its statistics before the worker starts)."""
    if not messages:
        return 0
    chosen = [sub for sub in subscribers() if only is None or sub.name in only]
    receipts: dict[tuple[int, str], OutboxDelivery] = {
        (d.message_id, d.subscriber): d for d in OutboxDelivery.objects.filter(message__in=messages)
    }
    delivered = 0
    batched: set[tuple[int, str]] = set()
    done: list[int] = []
    for sub in chosen:
        fresh = [m for m in messages if (m.pk, sub.name) not in receipts and sub.wants(m.topic)]
        if sub.batch is not None and len(fresh) > 1 and _deliver_batch(sub, fresh):
            delivered += len(fresh)
            batched.update((m.pk, sub.name) for m in fresh)
    for msg in messages:
        retry_at: dt.datetime | None = None
        for sub in chosen:
            if (msg.pk, sub.name) in batched or not sub.wants(msg.topic):
                continue
            receipt = receipts.get((msg.pk, sub.name))
            if receipt is not None and receipt.state in (
                OutboxDelivery.State.DELIVERED,
                OutboxDelivery.State.DEAD,
            ):
                continue
            if receipt is not None and receipt.next_attempt_at and receipt.next_attempt_at > timezone.now():
                retry_at = min(retry_at or receipt.next_attempt_at, receipt.next_attempt_at)
                continue
            failed = _deliver_one(sub, msg, receipt)
            if failed is None:
                delivered += 1
            elif failed.state == OutboxDelivery.State.FAILED:
                retry_at = min(retry_at or failed.next_attempt_at, failed.next_attempt_at)
        if retry_at is None:
            if only is None:
                done.append(msg.pk)
        else:
            OutboxMessage.objects.filter(pk=msg.pk).update(available_at=retry_at, claimed_until=None)
    if done:  # one statement for the round's finished messages
        OutboxMessage.objects.filter(pk__in=done).update(done_at=timezone.now(), claimed_until=None)
    return delivered


def _deliver_batch(sub: Subscriber, messages: list[OutboxMessage]) -> bool:
    """Run a subscriber's batch handler on messages it never received, with their receipts, in one
    transaction; False (nothing kept) if it raised: each is then delivered alone."""
    now = timezone.now()
    try:
        with transaction.atomic():
            sub.batch(messages)
            OutboxDelivery.objects.bulk_create(
                [
                    OutboxDelivery(
                        message=m,
                        subscriber=sub.name,
                        state=OutboxDelivery.State.DELIVERED,
                        attempts=1,
                        updated_at=now,
                    )
                    for m in messages
                ]
            )
        return True
    except Exception:  # any error: the messages go one by one, where a bad one fails alone
        log.warning(
            "outbox batch failed, delivering one by one",
            extra={"subscriber": sub.name, "outbox_id": messages[0].pk, "messages": len(messages)},
        )
        return False


def _deliver_one(
    sub: Subscriber, msg: OutboxMessage, receipt: OutboxDelivery | None
) -> OutboxDelivery | None:
    """Run one subscriber on one message; None when it succeeded, else its failure receipt."""
    try:
        if sub.transactional:
            with transaction.atomic():
                sub.handler(msg)
                _record(msg, sub, receipt, OutboxDelivery.State.DELIVERED)
        else:
            sub.handler(msg)
            with transaction.atomic():
                _record(msg, sub, receipt, OutboxDelivery.State.DELIVERED)
        return None
    except Exception as exc:  # any subscriber error is recorded and retried
        attempts = (receipt.attempts if receipt else 0) + 1
        state = OutboxDelivery.State.DEAD if attempts >= MAX_ATTEMPTS else OutboxDelivery.State.FAILED
        log.warning(
            "outbox subscriber failed",
            extra={"subscriber": sub.name, "outbox_id": msg.pk, "topic": msg.topic, "attempts": attempts},
        )
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        with transaction.atomic():
            return _record(
                msg,
                sub,
                receipt,
                state,
                attempts=attempts,
                error=error,
                retry=timezone.now() + backoff(attempts),
            )


def _record(msg, sub, receipt, state, *, attempts=None, error="", retry=None) -> OutboxDelivery:
    values = {
        "state": state,
        "attempts": attempts if attempts is not None else (receipt.attempts + 1 if receipt else 1),
        "last_error": error,
        "next_attempt_at": retry if state == OutboxDelivery.State.FAILED else None,
        "updated_at": timezone.now(),
    }
    if receipt is None:
        receipt = OutboxDelivery(message=msg, subscriber=sub.name, **values)
        receipt.save(force_insert=True)
    else:
        OutboxDelivery.objects.filter(pk=receipt.pk).update(**values)
        for k, v in values.items():
            setattr(receipt, k, v)
    return receipt


def dispatch(worker: str = "inline", limit: int = 100) -> int:
    """One round: claim due messages and deliver them. Returns the receipts recorded."""
    return deliver(claim(worker, limit))


def drain(worker: str = "inline", rounds: int = 1000) -> int:
    """Deliver until nothing is due now (tests, `yiwang deliver-outbox`, the demo loader)."""
    total = 0
    for _ in range(rounds):
        batch = claim(worker)
        if not batch:
            break
        total += deliver(batch)
    return total


def retry(delivery_ids: Iterable[int]) -> int:
    """An administrator's retry of failed or dead receipts: due again now."""
    rows = OutboxDelivery.objects.filter(pk__in=list(delivery_ids)).exclude(
        state=OutboxDelivery.State.DELIVERED
    )
    message_ids = list(rows.values_list("message_id", flat=True))
    rows.update(state=OutboxDelivery.State.FAILED, next_attempt_at=timezone.now())
    return OutboxMessage.objects.filter(pk__in=message_ids).update(
        done_at=None, available_at=timezone.now(), claimed_until=None
    )


def purge(days: int, batch: int = 5000) -> int:
    """Forget messages delivered more than `days` ago, with their receipts, in batches (short
    transactions beside the live outbox). A message one of whose subscribers gave up (a dead
    receipt) stays, for the administrator to see and retry. Returns the messages removed."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    removed = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(done_at__lt=cutoff)
            .exclude(deliveries__state=OutboxDelivery.State.DEAD)
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return removed
        with transaction.atomic():
            OutboxDelivery.objects.filter(message_id__in=ids).delete()
            OutboxMessage.objects.filter(pk__in=ids).delete()
        removed += len(ids)
