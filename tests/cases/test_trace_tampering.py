"""Tampering with the trace that a per-case chain alone does not see, and the checkpoints that do
(issue 9 item 5, ADR 8): each scenario is done the way someone with write access to the database
would do it — consistently, recomputing whatever the code would compute — and `yiwang
verify-events` must name it; deleting an account that acted must not be an alarm."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from yiwang.cases import anchors, drafts, services, trace
from yiwang.cases.models import Case, CaseDocument, CaseEvent, TraceCheckpoint, TraceHead
from yiwang.core import schedule


def run(command: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, out.getvalue(), err.getvalue()


def verify(*args: str) -> tuple[int, str, str]:
    return run("verify_events", "--no-progress", *args)


@pytest.fixture
def handled(submitted, users):
    """A submitted case taken through a correction and accepted (7 events), and its events."""

    def make():
        case = submitted()
        services.act(users["demo-clerk"], case, "request_correction", {"items": [{"note": "请补充说明"}]})
        services.act(users["demo-citizen"], case, "resubmit")
        services.act(users["demo-clerk"], case, "accept")
        case.refresh_from_db()
        return case, list(CaseEvent.objects.filter(case=case).order_by("seq"))

    return make


def rechain_from(case: Case, events: list[CaseEvent], start: int) -> None:
    """Recompute the hashes of events[start:] and the case's head, as a forger would."""
    prev = events[start - 1].hash if start else ""
    for e in events[start:]:
        e.prev_hash = prev
        e.hash = prev = trace.hash_of(e, case.draft_key)
        CaseEvent.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
    Case.objects.filter(pk=case.pk).update(
        event_count=len(events), last_event_hash=prev, state=events[-1].to_state
    )


# --- a) the actor's department and label are hashed ------------------------------------------


@pytest.mark.parametrize("field", ["actor_department", "actor_label"])
def test_editing_who_acted_is_found(handled, region, field):
    case, events = handled()
    accepted = events[-1]
    if field == "actor_department":
        other = region.departments["city_market"]
        assert accepted.actor_department_id != other.pk
        CaseEvent.objects.filter(pk=accepted.pk).update(actor_department=other)
    else:
        CaseEvent.objects.filter(pk=accepted.pk).update(actor_label="审批人员（另一个部门）")
    code, _out, err = verify()
    assert code == 1
    assert f"{case.number}: 事件 {accepted.seq}: content does not match its hash" in err


# --- b) the end cut off and the head rewound ----------------------------------------------------


def test_cutting_off_the_last_events_and_rewinding_the_head_is_found(handled):
    case, events = handled()
    assert anchors.checkpoint().checkpoint.heads == 1
    kept = events[:-2]
    CaseEvent.objects.filter(pk__in=[e.pk for e in events[-2:]]).delete()
    Case.objects.filter(pk=case.pk).update(
        event_count=len(kept), last_event_hash=kept[-1].hash, state=kept[-1].to_state
    )
    code, _out, err = verify()
    assert code == 1
    assert (
        f"{case.number}: 事件 {len(events)}: checkpointed with {len(events)} events, {len(kept)} left" in err
    )


# --- c) the state changed without an event -----------------------------------------------------


def test_a_state_changed_without_an_event_is_found(handled):
    case, events = handled()
    Case.objects.filter(pk=case.pk).update(state="approved")
    code, _out, err = verify()
    assert code == 1
    assert f"{case.number}: 事件 {len(events)}: state approved but the last event leads to accepted" in err


def test_a_draft_whose_state_changed_without_an_event_is_found(published, users):
    citizen = users["demo-citizen"]
    draft = drafts.start_application(citizen, published)
    assert draft.events.count() == 1  # a draft has its trace too: `create`
    Case.objects.filter(pk=draft.pk).update(state="submitted")
    code, _out, err = verify()
    assert code == 1
    assert f"#{draft.pk}: 事件 1: state submitted but the last event leads to draft" in err


def test_a_case_without_any_event_is_found(handled):
    case, _events = handled()
    CaseEvent.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).update(event_count=0, last_event_hash="")
    code, _out, err = verify()
    assert code == 1
    assert f"{case.number}: 事件 -: state accepted but no event records the case" in err


# --- d) an event rewritten with every later hash and the head recomputed ------------------------


def test_rewriting_an_event_and_every_later_hash_is_found(handled):
    case, events = handled()
    anchors.checkpoint()
    events[2].reason = "改过的理由"
    CaseEvent.objects.filter(pk=events[2].pk).update(reason=events[2].reason)
    rechain_from(case, events, 2)
    code, _out, err = verify()
    assert code == 1
    assert f"{case.number}: 事件 {len(events)}: event {len(events)} differs from its checkpointed hash" in err


def test_rewriting_history_checkpointed_earlier_is_found_after_later_checkpoints(handled, users):
    case, events = handled()
    anchors.checkpoint()
    services.act(users["demo-reviewer"], case, "pass_step")
    assert anchors.checkpoint().checkpoint.seq == 2
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    CaseEvent.objects.filter(pk=events[1].pk).update(reason="改过")
    events[1].reason = "改过"
    rechain_from(case, events, 1)
    # Even the newest head rewritten to match: the first checkpoint's head no longer does.
    TraceHead.objects.filter(case_id=case.pk, checkpoint__seq=2).update(last_event_hash=events[-1].hash)
    code, _out, err = verify()
    assert code == 1
    assert "history rewritten" in err


# --- e) a whole case deleted with its events ----------------------------------------------------


def test_deleting_a_case_with_its_events_is_found(handled):
    case, _events = handled()
    other, _ = handled()
    anchors.checkpoint()
    CaseDocument.objects.filter(case=case).delete()
    CaseEvent.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    code, _out, err = verify()
    assert code == 1
    assert f"#{case.pk}: 事件 -: checkpointed with 7 events, the case no longer exists (deleted)" in err
    assert other.number not in err


def test_deleting_the_case_with_the_highest_id_is_found(handled):
    first, _ = handled()
    last, _ = handled()
    assert last.pk > first.pk
    anchors.checkpoint()
    CaseEvent.objects.filter(case=last).delete()
    Case.objects.filter(pk=last.pk).delete()
    code, _out, err = verify()
    assert code == 1 and f"#{last.pk}: 事件 -: checkpointed with 7 events" in err


def test_a_discarded_draft_is_no_alarm(handled, published, users):
    handled()
    citizen = users["demo-citizen"]
    draft = drafts.start_application(citizen, published)
    anchors.checkpoint()  # drafts are not anchored: the applicant may throw them away
    assert not TraceHead.objects.filter(case_id=draft.pk).exists()
    drafts.discard_draft(citizen, draft)
    assert verify()[0] == 0


# --- f) deleting an account that acted is no alarm ------------------------------------------


def test_deleting_a_staff_account_that_acted_keeps_every_chain_whole(submitted, region):
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole, User

    clerk = accounts.create_staff(
        username="test-clerk-leaving",
        password="x-Test-Password-123",
        name="临时窗口人员",
        department=region.departments["city_gov_service"],
        roles=[StaffRole.WINDOW_CLERK],
        enforce_password_rules=False,
    )
    case = submitted()
    services.act(clerk, case, "accept")
    accepted = CaseEvent.objects.get(case=case, action="accept")
    assert accepted.actor_ref == f"{clerk.pk}:test-clerk-leaving"
    anchors.checkpoint()
    User.objects.filter(pk=clerk.pk).delete()
    accepted.refresh_from_db()
    assert accepted.actor_id is None and accepted.actor_ref == f"{clerk.pk}:test-clerk-leaving"
    code, out, err = verify()
    assert (code, err) == (0, "")
    assert "留痕完整" in out


def test_one_transaction_submission_records_who_acted(client, api_token, published, users):
    from api.test_cases_api import application

    token = api_token("demo-citizen")
    response = client.post(
        "/api/v1/cases",
        {**application(published), "submit": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    citizen = users["demo-citizen"]
    events = CaseEvent.objects.filter(case__number=response.json()["number"])
    assert {e.actor_ref for e in events} == {f"{citizen.pk}:demo-citizen"}
    assert verify()[0] == 0


# --- g) a case that does not exist ------------------------------------------------------------


def test_verifying_a_case_that_does_not_exist_exits_2(handled):
    handled()
    code, out, err = verify("--case", "NOSUCH")
    assert code == 2
    assert "没有编号为 NOSUCH 的办件" in err and out == ""


def test_verifying_one_case_checks_its_checkpointed_heads(handled):
    case, events = handled()
    other, _ = handled()
    anchors.checkpoint()
    assert verify("--case", case.number)[0] == 0
    CaseEvent.objects.filter(pk=events[-1].pk).delete()
    Case.objects.filter(pk=case.pk).update(event_count=len(events) - 1, last_event_hash=events[-2].hash)
    assert verify("--case", other.number)[0] == 0
    code, _out, err = verify("--case", case.number)
    assert code == 1 and "end cut off" in err


# --- The checkpoints themselves -------------------------------------------------------------


def test_checkpoints_record_only_grown_chains_and_chain_on_their_hash(handled, users):
    first, _ = handled()
    second, _ = handled()
    one = anchors.checkpoint().checkpoint
    assert (one.seq, one.heads, one.prev_hash) == (1, 2, "")
    assert sorted(TraceHead.objects.filter(checkpoint=one).values_list("case_id", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert anchors.checkpoint().checkpoint is None  # nothing grew: nothing recorded
    services.act(users["demo-reviewer"], second, "pass_step")
    two = anchors.checkpoint().checkpoint
    assert (two.seq, two.heads, two.prev_hash) == (2, 1, one.hash)
    assert list(TraceHead.objects.filter(checkpoint=two).values_list("case_id", "event_count")) == [
        (second.pk, 8)
    ]
    code, out, _err = verify()
    assert code == 0 and f"锚点 #2：{two.hash}" in out


def test_a_checkpoint_refuses_a_head_that_does_not_extend_the_last_one(handled, users):
    case, events = handled()
    anchors.checkpoint()
    CaseEvent.objects.filter(pk=events[-1].pk).delete()
    Case.objects.filter(pk=case.pk).update(
        event_count=len(events) - 1, last_event_hash=events[-2].hash, state=events[-2].to_state
    )
    case.refresh_from_db()
    services.act(users["demo-clerk"], case, "accept")  # the chain grows again, from the cut
    code, _out, err = run("checkpoint_trace")
    assert code == 1 and "differs from its checkpointed hash" in err and "未记录" in err
    assert TraceCheckpoint.objects.count() == 1


@pytest.mark.parametrize("tamper", ["head", "head_deleted", "checkpoint", "checkpoint_deleted"])
def test_tampering_with_the_checkpoint_log_is_found(handled, users, tamper):
    case, _events = handled()
    anchors.checkpoint()
    services.act(users["demo-reviewer"], case, "pass_step")
    anchors.checkpoint()
    if tamper == "head":
        TraceHead.objects.filter(case_id=case.pk, checkpoint__seq=1).update(event_count=3)
    elif tamper == "head_deleted":
        TraceHead.objects.filter(case_id=case.pk, checkpoint__seq=1).delete()
    elif tamper == "checkpoint":
        TraceCheckpoint.objects.filter(seq=1).update(at=TraceCheckpoint.objects.get(seq=2).at)
    else:
        TraceHead.objects.filter(checkpoint__seq=1).delete()
        TraceCheckpoint.objects.filter(seq=1).delete()
    code, _out, err = verify()
    assert code == 1
    assert ("检查点 2: checkpoint sequence gap" if tamper == "checkpoint_deleted" else "检查点 1: ") in err


def test_the_anchor_written_down_catches_a_consistent_rewrite_of_trace_and_log(handled):
    case, events = handled()
    anchors.checkpoint()
    code, out, _err = verify("--anchor")
    written_down = out.split()[0]
    assert code == 0 and written_down == TraceCheckpoint.objects.get().hash
    assert verify("--expect-anchor", written_down)[0] == 0
    assert verify("--expect-anchor", written_down[:16])[0] == 0

    # Everything rewritten and recomputed: the events, the case, the head and the checkpoint.
    CaseEvent.objects.filter(pk=events[3].pk).update(reason="改过")
    events[3].reason = "改过"
    rechain_from(case, events, 3)
    TraceHead.objects.filter(case_id=case.pk).update(last_event_hash=events[-1].hash)
    row = TraceCheckpoint.objects.get()
    row.digest = trace.hashlib.sha256(
        trace.head_line(case.pk, case.draft_key, 7, events[-1].hash)
    ).hexdigest()
    row.hash = trace.checkpoint_hash(
        seq=1, at=row.at, heads=1, digest=row.digest, event_watermark=row.event_watermark, prev_hash=""
    )
    row.save()
    assert verify()[0] == 0  # consistent inside the database
    code, _out, err = verify("--expect-anchor", written_down)
    assert code == 1 and f"anchor {written_down[:16]} is not in the checkpoint chain" in err


def test_anchor_before_any_checkpoint_exits_2(db):
    code, _out, err = verify("--anchor")
    assert code == 2 and "checkpoint-trace" in err


def test_verify_can_record_a_checkpoint_after_a_clean_run(handled):
    handled()
    code, out, _err = verify("--checkpoint")
    assert code == 0 and "已记录检查点 #1：1 件" in out
    assert TraceCheckpoint.objects.count() == 1


def test_the_worker_checkpoints_periodically():
    job = next(j for j in schedule.jobs() if j.name == "cases.checkpoint_trace")
    assert job.seconds == settings.TRACE_CHECKPOINT_SECONDS == 3600
    assert job.task is anchors.checkpoint_trace


def test_the_upgrade_fills_who_acted_and_rechains(handled):
    case, events = handled()
    # As before the upgrade: no snapshot, and hashes of the old formula.
    CaseEvent.objects.filter(case=case).update(actor_ref="", hash="0" * 64)
    migration = importlib.import_module("yiwang.cases.migrations.0008_trace_checkpoints_and_actor_ref")
    migration.fill_actor_ref_and_rechain(apps, None)
    refs = dict(CaseEvent.objects.filter(case=case).values_list("seq", "actor_ref"))
    clerk_ref = f"{events[-1].actor_id}:demo-clerk"
    assert refs[len(events)] == clerk_ref and refs[1].endswith(":demo-citizen")
    assert verify()[0] == 0
