"""Hypothesis stateful test of the procedure through the services: any sequence of actions, by
any role, on any day keeps the invariants — the state follows the transition table and nothing
else, stored due dates equal a fresh computation on the calendar, suspended days are not counted,
and the event chain stays whole."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from catalog.guide_samples import PDF
from yiwang.cases import changes, clock, drafts, services, trace
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.rules import TRANSITIONS, State, next_state
from yiwang.core.workdays import current_calendar

START = dt.date(2026, 6, 1)
ROLES = ["demo-citizen", "demo-clerk", "demo-reviewer", "demo-approver"]
PAYLOADS = {
    "request_correction": {"items": [{"note": "请补充说明"}]},
    "not_accept": {"reason": "不属于受理范围", "remedy": services.REMEDY_DEFAULT},
    "refuse": {"reason": "不符合条件", "remedy": services.REMEDY_DEFAULT},
    "suspend": {"procedure": "现场核查", "reason": "需要现场核查"},
    "resume": {"reason": "核查完毕"},
    "extend": {"days": 3, "reason": "情况复杂"},
    "terminate": {"reason": "申请人死亡"},
    "deliver": {"method": "pickup"},
    "withdraw": {},
}
ENDINGS = {"not_accept", "withdraw", "terminate", "refuse"}
DONE: collections.Counter = collections.Counter()
ACTIONS = sorted(a for a in TRANSITIONS if a not in {"submit", "deem_accepted"})


def run(entry, users):
    class Procedure(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.day = START
            citizen = users["demo-citizen"]
            with clock.frozen(self.day):
                case = drafts.start_application(citizen, entry)
                drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
                for item in drafts.checklist(case):
                    drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
                self.case = drafts.submit(citizen, case)
            self.state = State.SUBMITTED
            self.paused_expected = 0
            self.suspended_on: dt.date | None = None

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @rule(days=st.integers(0, 4))
        def time_passes(self, days):
            self.day += dt.timedelta(days=days)

        @rule(data=st.data())
        def act_as_offered(self, data):
            """Mostly take an action the pages would offer someone now; rarely one that ends it."""
            case = Case.objects.select_related("version", "entry").get(pk=self.case.pk)
            offered = [(who, a) for who in ROLES for a in services.available_actions(users[who], case)]
            onward = [o for o in offered if o[1] not in ENDINGS]
            if onward and data.draw(st.integers(0, 9)) < 9:
                offered = onward
            if offered:
                who, action = data.draw(st.sampled_from(offered))
                self.act(action, who)

        @rule(action=st.sampled_from(ACTIONS), who=st.sampled_from(ROLES))
        def act(self, action, who):
            case = Case.objects.select_related("version", "entry").get(pk=self.case.pk)
            before = (case.state, case.revision)
            suspended_from = case.suspended_from or "accepted"
            try:
                payload = dict(PAYLOADS.get(action, {}))
                if action == "deliver":  # the code the applicant shows at the window
                    payload["pickup_code"] = getattr(getattr(case, "delivery", None), "pickup_code", "")
                with clock.frozen(self.day):
                    services.act(users[who], case, action, payload)
            except (CaseConflict, NotYourAction, ValidationError):
                after = Case.objects.values_list("state", "revision").get(pk=case.pk)
                assert after == before, "a refused action changed the case"
                return
            event(f"done: {action}")
            DONE[action] += 1
            source = State(before[0])
            overdue = case.acceptance_due is not None and self.day > case.acceptance_due
            if source == State.SUBMITTED and overdue and source not in TRANSITIONS[action].sources:
                # Art. 32: past five working days the case is accepted as of receipt; the service
                # records that first, then takes the action from there.
                source = State.ACCEPTED
                deemed = CaseEvent.objects.filter(case=case, action="deem_accepted").get()
                assert deemed.to_state == "accepted"
                DONE["deem_accepted"] += 1
            assert source in TRANSITIONS[action].sources, f"{action} from {before[0]} left the table"
            if action in ("request_correction", "not_accept") and State(before[0]) == State.SUBMITTED:
                assert not overdue, "told to correct or refused after the five days of art. 32"
            expected = next_state(source, action, resume_to=State(suspended_from))
            self.state = expected
            if action == "suspend":
                self.suspended_on = self.day
            if action == "resume":
                self.paused_expected += current_calendar().workdays_between(self.suspended_on, self.day)
                self.suspended_on = None

        @invariant()
        def state_matches_the_table(self):
            assert Case.objects.values_list("state", flat=True).get(pk=self.case.pk) == self.state

        @invariant()
        def due_dates_are_the_calendars(self):
            case = Case.objects.select_related("version").get(pk=self.case.pk)
            stored = {k: getattr(case, k) for k in changes.schedule_fields(case)}
            assert stored == changes.schedule_fields(case)
            assert case.paused_workdays == self.paused_expected
            if case.accepted_on and case.state in ("accepted", "under_review"):
                cal = current_calendar()
                assert case.decision_due == cal.add_workdays(
                    case.accepted_on, case.limit_workdays + case.paused_workdays + case.extension_workdays
                )
                assert case.due_date == case.decision_due
            if case.state in ("suspended", "correction_requested") or case.state in (
                "delivered",
                "withdrawn",
                "terminated",
                "not_accepted",
            ):
                assert case.due_date is None
            assert case.extension_workdays <= 10

        @invariant()
        def chain_is_whole(self):
            case = Case.objects.get(pk=self.case.pk)
            events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
            assert (
                list(
                    trace.verify_chain(
                        case.pk, case.draft_key, events, case.event_count, case.last_event_hash
                    )
                )
                == []
            )

    run_state_machine_as_test(
        Procedure,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.mark.django_db
def test_any_sequence_of_actions_keeps_the_invariants(published, users):
    DONE.clear()
    run(published, users)
    # The walk really went through the procedure, not only refusals.
    assert len(DONE) >= 8, DONE
