"""The transactional outbox: written with the change, delivered after commit, once per subscriber."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from yiwang.cases import services
from yiwang.core import outbox, schedule
from yiwang.core.models import OutboxDelivery, OutboxMessage, PeriodicJob
from yiwang.notices.models import Notice, SmsMessage


@pytest.fixture
def recorder():
    """A subscriber to case events that records what it saw (and can be told to fail)."""
    seen: list[int] = []
    state = {"fail": False}

    def handler(message):
        if state["fail"]:
            raise RuntimeError("subscriber is down")
        seen.append(message.payload["event"])

    outbox.subscribe("test.recorder", ["case.*"], handler)
    yield seen, state
    outbox.unsubscribe("test.recorder")


def test_every_case_event_after_the_draft_is_one_outbox_message(submitted, users):
    case = submitted()
    messages = list(OutboxMessage.objects.filter(payload__case=case.pk))
    # A draft's creation and uploads are the applicant's own business: only the submission is told.
    assert [m.topic for m in messages] == ["case.submit"]
    payload = messages[0].payload
    assert payload["number"] == case.number and payload["to"] == "submitted"
    assert payload["acceptance_due"] == case.acceptance_due.isoformat()


def test_a_rolled_back_action_sends_nothing(submitted, users, deliver_outbox):
    case = submitted()
    deliver_outbox()
    before_notices, before_messages = Notice.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.act(users["demo-clerk"], case, "accept")
        assert OutboxMessage.objects.count() == before_messages + 1  # written with the change …
        raise RuntimeError("the request fails after the action")
    # … and gone with it: nothing to deliver, nobody told.
    assert OutboxMessage.objects.count() == before_messages
    assert deliver_outbox() == 0
    assert Notice.objects.count() == before_notices and mail.outbox == []


def test_nothing_is_sent_inside_the_action(submitted, users):
    users["demo-citizen"].email = "a@example.cn"
    users["demo-citizen"].save(update_fields=["email"])
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    assert mail.outbox == [] and not SmsMessage.objects.exists() and not Notice.objects.exists()


def test_a_failing_subscriber_is_retried_with_back_off_and_the_case_is_untouched(
    submitted, users, recorder, deliver_outbox
):
    seen, state = recorder
    state["fail"] = True
    case = submitted()
    revision = case.revision
    deliver_outbox()
    failed = OutboxDelivery.objects.get(subscriber="test.recorder")
    assert failed.state == "failed" and failed.attempts == 1 and "subscriber is down" in failed.last_error
    assert failed.next_attempt_at > failed.updated_at
    # The other subscribers were not held back, and the case is as it was.
    assert OutboxDelivery.objects.get(subscriber="notices.case").state == "delivered"
    assert Notice.objects.filter(key="case_submitted").count() == 1
    case.refresh_from_db()
    assert case.revision == revision and case.state == "submitted"
    # Not due again before its back-off …
    assert deliver_outbox() == 0 and seen == []
    # … then delivered once it is, and only to the subscriber that had failed.
    state["fail"] = False
    OutboxDelivery.objects.filter(pk=failed.pk).update(next_attempt_at=failed.updated_at)
    OutboxMessage.objects.update(available_at=failed.updated_at)
    assert deliver_outbox() == 1
    assert seen == [OutboxMessage.objects.get(topic="case.submit").payload["event"]]
    assert Notice.objects.filter(key="case_submitted").count() == 1
    assert OutboxDelivery.objects.get(pk=failed.pk).state == "delivered"
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def test_a_subscriber_that_keeps_failing_is_left_for_an_administrator(submitted, recorder, deliver_outbox):
    seen, state = recorder
    state["fail"] = True
    submitted()
    for _ in range(outbox.MAX_ATTEMPTS):
        OutboxMessage.objects.update(available_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        OutboxDelivery.objects.update(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        deliver_outbox()
    dead = OutboxDelivery.objects.get(subscriber="test.recorder")
    assert dead.state == "dead" and dead.attempts == outbox.MAX_ATTEMPTS
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()  # no busy loop
    # The administrator's retry makes it due again.
    state["fail"] = False
    outbox.retry([dead.pk])
    assert deliver_outbox() == 1 and len(seen) == 1


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert outbox.backoff(30) == dt.timedelta(hours=1)


def test_two_workers_never_claim_the_same_message(submitted):
    for _ in range(3):
        submitted()
    first = outbox.claim("worker-a")
    second = outbox.claim("worker-b")
    assert len(first) == 3 and second == []
    # A worker killed with its claim: the claim expires and another worker takes the messages.
    OutboxMessage.objects.update(claimed_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert len(outbox.claim("worker-b")) == 3


def test_a_periodic_job_runs_once_per_period_whatever_the_number_of_workers(db):
    enqueued = []

    class Task:
        def enqueue(self):
            enqueued.append(1)

    def tick(worker):
        return [name for name in schedule.tick(worker) if name == "test.job"]

    schedule.every("test.job", 3600, Task())
    try:
        assert tick("worker-a") == ["test.job"]
        assert tick("worker-b") == [] and tick("worker-a") == []
        assert len(enqueued) == 1
        job = PeriodicJob.objects.get(name="test.job")
        assert job.last_worker == "worker-a" and job.next_run_at > job.last_run_at
        PeriodicJob.objects.filter(name="test.job").update(next_run_at=job.last_run_at)
        assert tick("worker-b") == ["test.job"] and len(enqueued) == 2
    finally:
        schedule._jobs.pop("test.job")


def test_an_administrator_sees_failed_deliveries_and_retries_them(
    client, submitted, users, recorder, deliver_outbox
):
    seen, state = recorder
    state["fail"] = True
    submitted()
    deliver_outbox()
    failed = OutboxDelivery.objects.get(subscriber="test.recorder")
    client.force_login(users["demo-admin"])
    listing = client.get("/admin/core/outboxdelivery/?state__exact=failed").content.decode()
    rows = [cell.split("<", 1)[0] for cell in listing.split('class="field-subscriber">')[1:]]
    assert rows == ["test.recorder"]  # the failed one only, not the delivered ones
    state["fail"] = False
    response = client.post(
        "/admin/core/outboxdelivery/",
        {"action": "retry_now", "_selected_action": [failed.pk]},
    )
    assert response.status_code == 302
    assert deliver_outbox() == 1 and len(seen) == 1
    assert OutboxDelivery.objects.get(pk=failed.pk).state == "delivered"


def test_delivered_messages_are_purged_after_the_retention_but_a_dead_one_stays(
    submitted, recorder, deliver_outbox, settings
):
    from yiwang.core.tasks import purge_delivered

    _seen, state = recorder
    submitted()
    deliver_outbox()
    state["fail"] = True
    submitted()
    for _ in range(outbox.MAX_ATTEMPTS):
        OutboxMessage.objects.update(available_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        OutboxDelivery.objects.update(next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        deliver_outbox()
    dead = OutboxDelivery.objects.get(subscriber="test.recorder", state="dead")
    total = OutboxMessage.objects.count()
    assert purge_delivered.call() == {"outbox_messages": 0, "task_results": 0}  # nothing old yet
    OutboxMessage.objects.update(done_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    result = purge_delivered.call()
    assert result["outbox_messages"] == total - 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [dead.message_id]
    assert list(OutboxDelivery.objects.values_list("message_id", flat=True).distinct()) == [dead.message_id]


def test_a_batch_subscriber_takes_a_round_in_one_call_and_a_bad_message_fails_alone(db, deliver_outbox):
    calls: list[list[int]] = []
    seen: list[int] = []

    def one(message):
        if message.payload.get("bad"):
            raise RuntimeError("bad message")
        seen.append(message.pk)

    def several(messages):
        calls.append([m.pk for m in messages])
        if any(m.payload.get("bad") for m in messages):
            raise RuntimeError("bad message in the batch")
        seen.extend(m.pk for m in messages)

    outbox.subscribe("test.batch", ["test.*"], one, batch=several)
    try:
        round_one = [outbox.publish("test.thing", {"n": n}) for n in range(5)]
        assert deliver_outbox() == 5
        assert calls == [[m.pk for m in round_one]]  # one call, one transaction
        assert seen == [m.pk for m in round_one]
        assert OutboxDelivery.objects.filter(subscriber="test.batch", state="delivered").count() == 5

        calls.clear()
        seen.clear()
        round_two = [outbox.publish("test.thing", {"n": n, "bad": n == 1}) for n in range(3)]
        assert deliver_outbox() == 2
        assert calls == [[m.pk for m in round_two]]  # tried once together, then one by one
        assert seen == [round_two[0].pk, round_two[2].pk]
        states = dict(OutboxDelivery.objects.filter(message__in=round_two).values_list("message_id", "state"))
        assert states == {
            round_two[0].pk: "delivered",
            round_two[1].pk: "failed",
            round_two[2].pk: "delivered",
        }
    finally:
        outbox.unsubscribe("test.batch")


def test_only_a_transactional_subscriber_takes_a_batch():
    with pytest.raises(ValueError):
        outbox.subscribe(
            "test.outside", ["test.*"], lambda m: None, transactional=False, batch=lambda ms: None
        )


def test_delivering_to_some_subscribers_leaves_the_messages_due_for_the_others(db, deliver_outbox):
    """`deliver(..., only=)` (the demo loader's statistics): the chosen subscribers get each message
    once, with their receipts; the others get it from the worker afterwards, and the chosen never
    again."""
    got: dict[str, list[int]] = {"test.first": [], "test.later": []}
    outbox.subscribe("test.first", ["test.*"], lambda m: got["test.first"].append(m.pk))
    outbox.subscribe("test.later", ["test.*"], lambda m: got["test.later"].append(m.pk))
    try:
        sent = [outbox.publish("test.thing", {"n": n}) for n in range(3)]
        assert outbox.deliver(sent, only=["test.first"]) == 3
        assert got == {"test.first": [m.pk for m in sent], "test.later": []}
        assert OutboxMessage.objects.filter(pk__in=[m.pk for m in sent], done_at__isnull=True).count() == 3
        assert deliver_outbox() >= 3
        assert got == {"test.first": [m.pk for m in sent], "test.later": [m.pk for m in sent]}
        assert OutboxMessage.objects.filter(pk__in=[m.pk for m in sent], done_at__isnull=True).count() == 0
    finally:
        outbox.unsubscribe("test.first")
        outbox.unsubscribe("test.later")
