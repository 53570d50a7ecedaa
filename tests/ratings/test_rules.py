"""The pure rules of 好差评: when a case may be rated, what a rating may hold, the loop's steps and
deadlines across holidays, and the lights (property tests, and hand-computed vectors)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.ratings import rules
from yiwang.ratings.rules import Channel, LoopPolicy, RatingIn, Stage

STATES = [
    "submitted",
    "correction_requested",
    "accepted",
    "not_accepted",
    "under_review",
    "suspended",
    "approved",
    "refused",
    "completed",
    "delivered",
    "withdrawn",
    "terminated",
]


@given(instant=st.booleans(), state=st.sampled_from(STATES), accepted=st.booleans())
def test_stages_follow_the_case(instant, state, accepted):
    stages = rules.open_stages(instant=instant, state=state, accepted=accepted)
    assert list(stages) == sorted(stages, key=list(Stage).index)  # acceptance before completion
    decided = state in {"approved", "refused", "completed", "delivered"}
    if instant:
        # 一事一评: a 即办件 has one rating, once decided (or refused acceptance).
        assert stages in ((), (Stage.COMPLETION,))
        assert (stages == (Stage.COMPLETION,)) == (decided or state == "not_accepted")
    else:
        assert (Stage.ACCEPTANCE in stages) == (accepted or state == "not_accepted")
        assert (Stage.COMPLETION in stages) == decided
    if state in {"submitted", "correction_requested"} and not accepted:
        assert stages == ()  # nothing to rate before anything was decided


@given(level=st.integers(1, 5), channel=st.sampled_from(list(Channel)))
def test_a_levels_own_tags_and_the_channels_indicators_are_accepted(level, channel):
    rating = RatingIn(
        level=level,
        tags=list(rules.TAGS[level][:2]),
        indicators={key: level for key in rules.INDICATORS[channel]},
    )
    assert rules.problems(rating, channel) == {}
    assert rules.is_bad(level) == (level <= 2)


@given(level=st.integers(1, 5))
def test_tags_of_the_other_side_are_refused(level):
    other = rules.BAD_TAGS if level >= 3 else rules.GOOD_TAGS
    assert "tags" in rules.problems(RatingIn(level=level, tags=[other[0]]), Channel.ONLINE)


def test_window_and_online_indicators_differ():
    assert (
        "attitude" in rules.INDICATORS[Channel.WINDOW] and "attitude" not in rules.INDICATORS[Channel.ONLINE]
    )
    assert "platform" in rules.INDICATORS[Channel.ONLINE]
    assert "indicators" in rules.problems(RatingIn(level=5, indicators={"attitude": 5}), Channel.ONLINE)
    assert rules.INDICATORS[Channel.PHONE] == {"overall": rules.INDICATORS[Channel.ONLINE]["overall"]}


def test_loop_steps_form_one_chain_ending_closed():
    state, seen = rules.LoopState.VERIFY, []
    while state in rules.STEP_FOR_STATE:
        step = rules.STEP_FOR_STATE[state]
        seen.append(step.name)
        state = step.target
    assert seen == ["verify", "rectify", "answer", "return_visit"] and state == rules.LoopState.CLOSED
    assert set(rules.STEPS) == set(seen)


def test_loop_deadlines_across_national_day(workday_calendar):
    """A 差评 on 2026-09-30, the last working day before the National Day break (10-01 to 10-07,
    with Saturday 10-10 a working day): contact by 10-08, rectify and answer within 5 working
    days (10-08, 10-09, 10-10, 10-12, 10-13), the return visit one working day later."""
    due = rules.loop_deadlines(dt.date(2026, 9, 30), LoopPolicy(), workday_calendar.add_workdays)
    assert (due.contact, due.answer, due.visit) == (
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 13),
        dt.date(2026, 10, 14),
    )
    # A local rule of 15 working days in all (e.g. 3 + 10 + 2).
    longer = rules.loop_deadlines(dt.date(2026, 9, 30), LoopPolicy(3, 10, 2), workday_calendar.add_workdays)
    assert (longer.contact, longer.answer, longer.visit) == (
        dt.date(2026, 10, 10),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 22),
    )


def _weekdays_next(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@given(
    due=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    today=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
)
def test_lights(due, today):
    light = rules.colour(due, today, _weekdays_next)
    if today > due:
        assert light == "red"
    elif _weekdays_next(today) >= due:
        assert light == "yellow"  # the deadline is today or the next working day
    else:
        assert light == "green"
    assert rules.colour(None, today, _weekdays_next) == ""


def test_yellow_on_the_friday_before_a_monday_deadline():
    friday, monday = dt.date(2026, 11, 27), dt.date(2026, 11, 30)
    assert rules.colour(monday, friday, _weekdays_next) == "yellow"
    assert rules.colour(monday, friday - dt.timedelta(days=1), _weekdays_next) == "green"


@pytest.mark.parametrize("payload", [{"level": 3, "stage": "delivery"}, {"level": 3, "x": 1}])
def test_unknown_stage_or_field_is_refused(payload):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        RatingIn.model_validate(payload)
