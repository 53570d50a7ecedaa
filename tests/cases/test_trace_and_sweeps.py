"""The event chain and `yiwang verify-events`; the worker's deadline sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from catalog.guide_samples import PDF
from yiwang.cases import clock, drafts, services, sweeps
from yiwang.cases.models import Case, CaseEvent


def verify() -> int:
    try:
        call_command("verify_events", "--no-progress")
    except SystemExit as exc:
        return int(exc.code)
    return 0


def test_verify_events_passes_an_untouched_trace(submitted, users):
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    assert verify() == 0


@pytest.mark.parametrize("tamper", ["edit_reason", "edit_time", "delete_last", "delete_middle", "reorder"])
def test_verify_events_detects_tampering(submitted, users, tamper, capsys):
    case = submitted()
    services.act(users["demo-clerk"], case, "request_correction", {"items": [{"note": "请补充说明"}]})
    services.act(users["demo-citizen"], case, "resubmit")
    services.act(users["demo-clerk"], case, "accept")
    events = CaseEvent.objects.filter(case=case).order_by("seq")
    if tamper == "edit_reason":
        CaseEvent.objects.filter(pk=events[2].pk).update(reason="改过的理由")
    elif tamper == "edit_time":
        CaseEvent.objects.filter(pk=events[3].pk).update(at=events[3].at - dt.timedelta(days=1))
    elif tamper == "delete_last":
        CaseEvent.objects.filter(pk=events.last().pk).delete()
    elif tamper == "delete_middle":
        CaseEvent.objects.filter(pk=events[2].pk).delete()
    else:
        a, b = events[1], events[2]
        CaseEvent.objects.filter(pk=a.pk).update(seq=999)
        CaseEvent.objects.filter(pk=b.pk).update(seq=a.seq)
        CaseEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    assert verify() == 1
    assert case.number in capsys.readouterr().err


def test_no_answer_within_five_working_days_is_deemed_acceptance(published, users):
    citizen = users["demo-citizen"]
    with clock.frozen(dt.date(2026, 11, 2)):  # Monday
        case = drafts.start_application(citizen, published)
        drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
        for item in drafts.checklist(case):
            drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
    assert case.acceptance_due == dt.date(2026, 11, 9)
    assert sweeps.deem_overdue_acceptances(dt.date(2026, 11, 9)) == 0
    with clock.frozen(dt.date(2026, 11, 10)):
        assert sweeps.deem_overdue_acceptances() == 1
    case.refresh_from_db()
    assert case.state == "accepted" and case.accepted_on == dt.date(2026, 11, 2)
    event = case.events.order_by("-seq").first()
    assert event.action == "deem_accepted" and event.actor_role == "system" and "第三十二条" in event.reason


def test_overdue_commitment_is_flagged_once_and_told(make_published, users, deliver_outbox):
    from yiwang.notices.models import Notice

    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    citizen, clerk = users["demo-citizen"], users["demo-clerk"]
    with clock.frozen(dt.date(2026, 11, 2)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
        first, second = drafts.checklist(case)
        assert second.tolerable and not second.blocking and first.blocking
        drafts.attach_material(citizen, case, first.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        services.act(
            clerk,
            case,
            "accept_with_pending",
            {"pending_materials": [second.material.pk], "commitment_date": "2026-11-06"},
        )
    assert case.pending_materials == [second.material.pk]
    with clock.frozen(dt.date(2026, 11, 9)):
        assert sweeps.flag_overdue_commitments() == 1
        assert sweeps.flag_overdue_commitments() == 0
    case.refresh_from_db()
    assert case.commitment_overdue
    deliver_outbox()
    assert Notice.objects.filter(user=citizen, key="case_commitment_overdue").count() == 1
    drafts.attach_material(citizen, case, second.material.pk, PDF, "b.pdf")
    case.refresh_from_db()
    assert case.pending_materials == [] and not case.commitment_overdue


def test_sweep_command_runs(submitted, capsys):
    submitted()
    call_command("sweep_deadlines")
    assert "视为受理 0 件" in capsys.readouterr().out


def test_a_deadline_in_a_year_without_a_schedule_is_provisional_until_entered(
    make_published, users, deliver_outbox
):
    from yiwang.core import workdays
    from yiwang.core.models import CalendarYear

    entry = make_published(promised_limit=60)
    citizen = users["demo-citizen"]
    CalendarYear.objects.filter(year__gte=2027).delete()
    workdays.invalidate()
    with clock.frozen(dt.date(2026, 11, 23)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
        for item in drafts.checklist(case):
            drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        services.act(users["demo-clerk"], case, "accept")
    assert case.due_provisional and case.decision_due.year == 2027
    assert sweeps.recompute_provisional() == 0
    assert Case.objects.get(pk=case.pk).due_provisional
    # The sweep no longer loops over provisional cases: entering the year is what recomputes them.
    call_command("sweep_deadlines")
    assert Case.objects.get(pk=case.pk).due_provisional
    from yiwang.core import calendar_schedule
    from yiwang.core import services as core_services

    core_services.save_year_schedule(
        2027,
        [calendar_schedule.Adjustment("holiday", "元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 3))],
    )
    assert Case.objects.get(pk=case.pk).due_provisional  # not inside the administrator's request
    deliver_outbox()
    recomputed = Case.objects.get(pk=case.pk)
    assert not recomputed.due_provisional and recomputed.revision == case.revision + 1
    # 60 working days from 2026-11-23 with 2027-01-01 a holiday (Friday): one day later than Mon-Fri.
    assert recomputed.decision_due == case.decision_due + dt.timedelta(days=1)
    assert recomputed.events.order_by("-seq").first().action == "recompute_deadlines"


def test_the_sweeps_read_once_whatever_the_number_of_cases(published, users, settings):
    """No N+1: one SELECT for all overdue cases, then only each case's own writes."""
    settings.CALENDAR_RECHECK_SECONDS = 5  # as in production (tests recheck on every use)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    citizen = users["demo-citizen"]

    def overdue_cases(n):
        with clock.frozen(dt.date(2026, 11, 2)):
            for _ in range(n):
                case = drafts.start_application(citizen, published)
                drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
                for item in drafts.checklist(case):
                    drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
                drafts.submit(citizen, case)

    def selects_of_a_sweep():
        with CaptureQueriesContext(connection) as ctx, clock.frozen(dt.date(2026, 11, 20)):
            sweeps.deem_overdue_acceptances()
            sweeps.flag_overdue_commitments()
        return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    overdue_cases(2)
    two = selects_of_a_sweep()
    overdue_cases(5)
    five = selects_of_a_sweep()
    assert len(two) == len(five) <= 3, five
