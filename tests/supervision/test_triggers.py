"""电子监察's triggers (issue 11 §3): each one tripped, and not tripped, across holidays; a case's
own events judged at once (the worker's pass is not needed for them); a state warning clears by
itself when its condition no longer holds; event warnings stand until answered."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.guide_samples import PDF
from yiwang.cases import clock, drafts, services, sweeps
from yiwang.supervision import services as supervision
from yiwang.supervision.models import Rule, Warning

FORM = {"applicant_name": "张三", "shop_name": "店", "area": 3}


def live(case, rule):
    return Warning.objects.filter(case=case, rule=rule, cleared_at__isnull=True)


def apply(entry, user, on):
    with clock.frozen(on):
        case = drafts.start_application(user, entry)
        drafts.save_form(user, case, FORM)
        for item in drafts.checklist(case):
            drafts.attach_material(user, case, item.material.pk, PDF, "a.pdf")
        return drafts.submit(user, case)


@pytest.fixture
def entry(make_published):
    return make_published(promised_limit=10)


def test_acceptance_overdue_counts_working_days_across_national_day(entry, users, deliver_outbox):
    # Submitted 09-29: five working days are 09-30, 10-08, 10-09, 10-10 (a make-up Saturday), 10-12.
    case = apply(entry, users["demo-citizen"], dt.date(2026, 9, 29))
    assert case.acceptance_due == dt.date(2026, 10, 12)
    with clock.frozen(dt.date(2026, 9, 29)):
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 10, 9))  # weekdays alone would say 10-06: not overdue
    supervision.run_pass(dt.date(2026, 10, 12))
    assert not live(case, "acceptance_overdue").exists()
    supervision.run_pass(dt.date(2026, 10, 13))
    warning = live(case, "acceptance_overdue").get()
    assert warning.colour == "red" and warning.due_date == dt.date(2026, 10, 12)
    supervision.run_pass(dt.date(2026, 10, 14))  # once, not again every pass
    assert Warning.objects.filter(case=case, rule="acceptance_overdue").count() == 1
    # Accepting clears it at once (the case's own event), and the history keeps it.
    with clock.frozen(dt.date(2026, 10, 14)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    warning.refresh_from_db()
    assert warning.cleared_at is not None


def test_a_red_card_is_told_to_the_handlers_and_to_the_supervisors_watching(entry, users, deliver_outbox):
    from yiwang.notices.models import Notice

    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 10))  # five working days to accept have passed
    assert live(case, "acceptance_overdue").get().colour == "red"
    with clock.frozen(dt.date(2026, 11, 10)):
        deliver_outbox()
    told = dict(Notice.objects.filter(key__startswith="supervision_red").values_list("user__username", "key"))
    assert told["demo-reviewer"] == told["demo-approver"] == "supervision_red"  # the department's
    assert told["demo-supervisor"] == told["demo-admin"] == "supervision_red_watched"  # the city's
    watched = Notice.objects.get(user__username="demo-supervisor", key="supervision_red_watched")
    assert entry.department.name in watched.title and "红牌预警 1 条" in watched.body
    assert "demo-citizen" not in told and "demo-clerk-beihe" not in told  # another county's


def test_deadline_yellow_then_red_then_cleared_by_the_decision(entry, users, deliver_outbox):
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    case.refresh_from_db()
    assert case.decision_due == dt.date(2026, 11, 16) and case.warn_from == dt.date(2026, 11, 11)
    supervision.run_pass(dt.date(2026, 11, 10))
    assert not Warning.objects.filter(case=case, rule__startswith="deadline").exists()
    supervision.run_pass(dt.date(2026, 11, 11))
    assert live(case, "deadline_near").get().colour == "yellow"
    supervision.run_pass(dt.date(2026, 11, 17))
    assert live(case, "deadline_overdue").get().colour == "red"
    assert not live(case, "deadline_near").exists()  # yellow gave way to red
    with clock.frozen(dt.date(2026, 11, 17)):
        services.act(users["demo-reviewer"], case, "pass_step")
        services.act(users["demo-approver"], case, "approve")
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 17))
    history = list(
        Warning.objects.filter(case=case).order_by("raised_at", "id").values_list("rule", "colour")
    )
    assert ("deadline_near", "yellow") in history and ("deadline_overdue", "red") in history
    case.refresh_from_db()
    # After the decision the delivery deadline runs; the decision's red card is cleared.
    assert not live(case, "deadline_overdue").filter(due_date=dt.date(2026, 11, 16)).exists()


def test_decision_and_step_overdue_count_working_days_across_national_day(entry, users, deliver_outbox):
    # Accepted 09-29, ten working days: 09-30, 10-08, 10-09, 10-10 (a make-up Saturday), 10-12,
    # 10-13, 10-14, 10-15, 10-16, 10-19. The first of two steps has five: due 10-12.
    case = apply(entry, users["demo-citizen"], dt.date(2026, 9, 28))
    with clock.frozen(dt.date(2026, 9, 29)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    case.refresh_from_db()
    assert case.decision_due == dt.date(2026, 10, 19)
    supervision.run_pass(dt.date(2026, 10, 9))  # weekdays alone would have the step due 10-06
    supervision.run_pass(dt.date(2026, 10, 12))
    assert not live(case, "step_overrun").exists()
    supervision.run_pass(dt.date(2026, 10, 13))
    assert live(case, "step_overrun").get().due_date == dt.date(2026, 10, 12)
    supervision.run_pass(dt.date(2026, 10, 19))  # weekdays alone would say overdue since 10-13
    assert not live(case, "deadline_overdue").exists()
    supervision.run_pass(dt.date(2026, 10, 20))
    assert live(case, "deadline_overdue").get().due_date == dt.date(2026, 10, 19)


def test_a_review_step_overrunning_its_share(entry, users, deliver_outbox):
    # Ten working days for two steps: five each. Accepted 11-02 → the first step is due 11-09.
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 9))
    assert not live(case, "step_overrun").exists()
    supervision.run_pass(dt.date(2026, 11, 10))
    warning = live(case, "step_overrun").get()
    assert warning.due_date == dt.date(2026, 11, 9)
    assert not live(case, "deadline_overdue").exists()  # the case as a whole is still in time
    with clock.frozen(dt.date(2026, 11, 10)):
        services.act(users["demo-reviewer"], case, "pass_step")
        deliver_outbox()
    warning.refresh_from_db()
    assert warning.cleared_at is not None  # the next step has its own five days


def test_a_configured_share_changes_the_steps_time(entry, users, deliver_outbox):
    Rule.objects.create(code="step_overrun", params={"share_percent": 20})  # two working days
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 4))
    assert not live(case, "step_overrun").exists()
    supervision.run_pass(dt.date(2026, 11, 5))
    assert live(case, "step_overrun").exists()


def test_a_correction_pending_too_long(entry, users, deliver_outbox):
    case = apply(entry, users["demo-citizen"], dt.date(2026, 9, 28))
    material = case.materials.first().material_id
    with clock.frozen(dt.date(2026, 9, 28)):
        services.act(
            users["demo-clerk"],
            case,
            "request_correction",
            {"items": [{"material": material, "note": "请盖章"}]},
        )
        deliver_outbox()
    # Ten working days from 09-28 skip the National Day break (09-29, 09-30, 10-08, 10-09, 10-10,
    # 10-12 … 10-16); by weekdays alone it would be 10-12.
    supervision.run_pass(dt.date(2026, 10, 16))
    assert not live(case, "correction_pending").exists()
    supervision.run_pass(dt.date(2026, 10, 17))
    assert live(case, "correction_pending").get().due_date == dt.date(2026, 10, 16)


def test_a_commitment_overdue(make_published, users, deliver_outbox):
    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    citizen, clerk = users["demo-citizen"], users["demo-clerk"]
    with clock.frozen(dt.date(2026, 11, 2)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, FORM)
        first, second = drafts.checklist(case)
        drafts.attach_material(citizen, case, first.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        services.act(
            clerk,
            case,
            "accept_with_pending",
            {"pending_materials": [second.material.pk], "commitment_date": "2026-11-06"},
        )
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 6))
    assert not live(case, "commitment_overdue").exists()
    with clock.frozen(dt.date(2026, 11, 9)):
        sweeps.flag_overdue_commitments()
        deliver_outbox()  # the flag is the case's event: judged at once
    assert live(case, "commitment_overdue").get().colour == "red"


@pytest.mark.parametrize(
    "reason, trips", [("延期", True), ("  ……  ", True), ("需现场核查经营场所，申请人约定下周配合", False)]
)
def test_an_extension_without_a_real_reason(entry, users, deliver_outbox, reason, trips):
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(users["demo-clerk"], case, "accept")
        services.act(users["demo-approver"], case, "extend", {"days": 5, "reason": reason})
        deliver_outbox()
    assert Warning.objects.filter(case=case, rule="reason_missing").exists() == trips


@pytest.mark.parametrize(
    "reason, trips", [("暂停", True), ("需委托第三方检测经营场所的油烟排放，约需十个工作日", False)]
)
def test_a_suspension_without_a_real_reason(entry, users, deliver_outbox, reason, trips):
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(users["demo-clerk"], case, "accept")
        services.act(users["demo-reviewer"], case, "suspend", {"procedure": "检验检测", "reason": reason})
        deliver_outbox()
    assert Warning.objects.filter(case=case, rule="reason_missing").exists() == trips


def test_not_accepting_an_application_whose_materials_were_complete(entry, users, deliver_outbox):
    refusal = {"reason": "不属于本机关职权范围", "remedy": "可依法申请行政复议或提起行政诉讼"}
    complete = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    incomplete = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    incomplete.materials.filter(material_id=incomplete.materials.first().material_id).delete()
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(users["demo-clerk"], complete, "not_accept", refusal)
        services.act(users["demo-clerk"], incomplete, "not_accept", refusal)
        deliver_outbox()
    assert Warning.objects.filter(case=complete, rule="refused_complete").get().colour == "red"
    assert not Warning.objects.filter(case=incomplete, rule="refused_complete").exists()


def _window_case(entry, clerk, id_number, seq):
    case = drafts.start_window_intake(clerk, entry, id_number=id_number(seq=seq), name="钱七")
    drafts.save_form(clerk, case, FORM)
    for item in drafts.checklist(case):
        drafts.attach_material(clerk, case, item.material.pk, PDF, "scan.pdf")
    return drafts.submit(clerk, case)


def test_a_window_case_decided_minutes_after_it_was_registered(entry, users, id_number, deliver_outbox):
    clerk, reviewer, approver = users["demo-clerk"], users["demo-reviewer"], users["demo-approver"]
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        quick = _window_case(entry, clerk, id_number, "931")
        slow = _window_case(entry, clerk, id_number, "932")
    with clock.frozen(start + dt.timedelta(minutes=4)):
        for case in (quick,):
            services.act(clerk, case, "accept")
            services.act(reviewer, case, "pass_step")
            services.act(approver, case, "approve")
    with clock.frozen(start + dt.timedelta(days=2)):
        services.act(clerk, slow, "accept")
        services.act(reviewer, slow, "pass_step")
        services.act(approver, slow, "approve")
        deliver_outbox()
    assert Warning.objects.filter(case=quick, rule="outside_system").get().detail == "approve"
    assert not Warning.objects.filter(case=slow, rule="outside_system").exists()


def test_a_licence_issued_outside_the_system_before_the_case(entry, users, id_number, deliver_outbox):
    """体外循环 by its result: the department gave the applicant this entry's licence without a
    case, days before the case was registered. A licence of another holder, or one issued long
    before (an old licence being renewed), trips nothing."""
    from licences.licence_fixtures import FOOD_SCHEMA, licence_type
    from yiwang.licences import issuing, keys

    clerk, reviewer, approver = users["demo-clerk"], users["demo-reviewer"], users["demo-approver"]
    food = licence_type(
        entry.department, code_suffix="001", name="食品经营许可证", schema=FOOD_SCHEMA, entries=[entry]
    )
    keys.create_key(entry.department, users["demo-admin"])
    start = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        backdated = _window_case(entry, clerk, id_number, "941")
        renewed = _window_case(entry, clerk, id_number, "942")
        clean = _window_case(entry, clerk, id_number, "943")

    def outside(case, issued_on):
        holder = issuing.person_holder(case.applicant_person)
        data = {"operator": case.applicant_name, "shop_name": "好味道小吃"}
        return issuing.issue(
            licence_type=food, issuer=entry.department, holder=holder, data=data, issued_on=issued_on
        )

    early = outside(backdated, dt.date(2026, 11, 7))  # three days before the case
    outside(renewed, dt.date(2025, 3, 1))  # long before: the licence a 延续 renews
    with clock.frozen(start + dt.timedelta(days=2)):
        for case in (backdated, renewed, clean):
            services.act(clerk, case, "accept")
            services.act(reviewer, case, "pass_step")
            services.act(approver, case, "approve")
        deliver_outbox()
    card = Warning.objects.filter(case=backdated, rule="outside_system").get()
    assert card.colour == "red" and early.number in card.detail
    assert not Warning.objects.filter(case__in=[renewed, clean], rule="outside_system").exists()


def test_a_disabled_rule_neither_trips_nor_keeps_its_cards(entry, users, deliver_outbox):
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    supervision.run_pass(dt.date(2026, 11, 20))
    assert live(case, "acceptance_overdue").exists()
    Rule.objects.create(code="acceptance_overdue", enabled=False)
    supervision.run_pass(dt.date(2026, 11, 20))
    assert not live(case, "acceptance_overdue").exists()


def test_a_bad_rating_loop_step_overdue(entry, users, deliver_outbox):
    from yiwang.ratings import services as ratings
    from yiwang.ratings.rules import RatingIn

    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        services.act(users["demo-clerk"], case, "accept")
        rating = ratings.rate(users["demo-citizen"], case, RatingIn(level=1, comment="态度差"))
        deliver_outbox()
    follow_up = rating.follow_up
    assert follow_up.contact_due == dt.date(2026, 11, 3)
    supervision.run_pass(dt.date(2026, 11, 3))
    assert not Warning.objects.filter(follow_up=follow_up).exists()
    supervision.run_pass(dt.date(2026, 11, 4))
    warning = Warning.objects.get(follow_up=follow_up, rule="follow_up_overdue")
    assert warning.case_id == case.pk and warning.due_date == dt.date(2026, 11, 3)
    from yiwang.ratings.rules import Verify

    with clock.frozen(dt.date(2026, 11, 4)):
        ratings.take_step(
            users["demo-approver"], follow_up, Verify(method="phone", finding="founded", note="已联系")
        )
        deliver_outbox()  # the step is judged at once: the next deadline (11-09) is not overdue
    warning.refresh_from_db()
    assert warning.cleared_at is not None


def test_yellow_one_working_day_before_the_deadline_at_the_latest_across_national_day(
    entry, users, deliver_outbox, settings
):
    """With no warning period of the case's own (CASE_WARN_WORKDAYS=0), the rule's default still
    lights yellow one working day before the deadline: for a decision due Thursday 10-08, on
    Wednesday 09-30 (the National Day break between), not on 09-29."""
    settings.CASE_WARN_WORKDAYS = 0
    case = apply(entry, users["demo-citizen"], dt.date(2026, 9, 17))
    with clock.frozen(dt.date(2026, 9, 17)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    case.refresh_from_db()
    assert case.decision_due == dt.date(2026, 10, 8) and case.warn_from == dt.date(2026, 10, 8)
    supervision.run_pass(dt.date(2026, 9, 29))
    assert not live(case, "deadline_near").exists()
    supervision.run_pass(dt.date(2026, 9, 30))
    assert live(case, "deadline_near").get().due_date == dt.date(2026, 10, 8)


def test_yellow_by_the_share_of_the_limit_used(entry, users, deliver_outbox):
    """Half of a ten-working-day limit used: accepted 11-02, yellow from 11-09 (the case's own
    warning day is 11-11)."""
    Rule.objects.create(code="deadline_near", params={"workdays_left": 1, "share_percent": 50})
    case = apply(entry, users["demo-citizen"], dt.date(2026, 11, 2))
    with clock.frozen(dt.date(2026, 11, 2)):
        services.act(users["demo-clerk"], case, "accept")
        deliver_outbox()
    supervision.run_pass(dt.date(2026, 11, 6))
    assert not live(case, "deadline_near").exists()
    supervision.run_pass(dt.date(2026, 11, 9))
    assert live(case, "deadline_near").exists()
