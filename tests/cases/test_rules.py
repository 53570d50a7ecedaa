"""The handling procedure's transition table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.cases.rules import (
    BEFORE_DECISION,
    FINAL_STATES,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    State,
    allowed_actions,
    missing_fields,
    next_state,
)


def test_final_states_allow_nothing():
    for state in FINAL_STATES:
        assert allowed_actions(state) == []


def test_an_illegal_action_names_the_allowed_ones():
    with pytest.raises(IllegalTransition) as raised:
        next_state(State.DRAFT, "approve")
    assert raised.value.allowed == ["submit"]
    with pytest.raises(IllegalTransition) as raised:
        next_state(State.SUBMITTED, "no_such_action")
    assert "accept" in raised.value.allowed and "request_correction" in raised.value.allowed


def test_the_ordinary_path_of_a_licence():
    path = ["submit", "accept", "pass_step", "approve", "complete", "deliver"]
    state = State.DRAFT
    for action in path:
        state = next_state(state, action)
    assert state == State.DELIVERED


def test_correction_goes_back_to_submitted_and_withdrawal_only_before_the_decision():
    state = next_state(State.SUBMITTED, "request_correction")
    assert state == State.CORRECTION_REQUESTED
    assert next_state(state, "resubmit") == State.SUBMITTED
    assert "withdraw" in allowed_actions(State.UNDER_REVIEW, Actor.APPLICANT)
    assert "withdraw" not in allowed_actions(State.APPROVED, Actor.APPLICANT)


def test_resume_returns_where_the_case_was_and_extend_keeps_the_state():
    assert next_state(State.SUSPENDED, "resume", resume_to=State.UNDER_REVIEW) == State.UNDER_REVIEW
    with pytest.raises(ValueError):
        next_state(State.SUSPENDED, "resume", resume_to=State.APPROVED)
    assert next_state(State.UNDER_REVIEW, "extend") == State.UNDER_REVIEW


def test_refusals_and_non_acceptance_need_reasons_and_remedy():
    assert missing_fields("refuse", {"reason": "不符合条件"}) == ["remedy"]
    assert missing_fields("not_accept", {"reason": " ", "remedy": ""}) == ["reason", "remedy"]
    # A notice needs an item or an overall note: no one field is required (the service says so).
    assert missing_fields("request_correction", {"items": []}) == []
    assert missing_fields("accept", {}) == []


def test_only_the_applicant_withdraws_and_only_approvers_extend():
    assert TRANSITIONS["withdraw"].actors == {Actor.APPLICANT}
    assert TRANSITIONS["extend"].actors == {Actor.APPROVER}
    assert Actor.APPLICANT not in TRANSITIONS["approve"].actors


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=30))
def test_any_walk_through_allowed_actions_stays_in_the_table(choices):
    state, suspended_from = State.DRAFT, None
    for choice in choices:
        actions = allowed_actions(state)
        if not actions:
            assert state in FINAL_STATES
            break
        action = actions[choice % len(actions)]
        if action == "suspend":
            suspended_from = state
        new = next_state(state, action, resume_to=suspended_from)
        assert isinstance(new, State)
        if action == "withdraw":
            assert state in BEFORE_DECISION
        state = new
