"""好差评 through the API (issue 11 §1–2): who may rate and when, once per stage; a 差评 opens the
loop for the department, whose steps come in turn with their deadlines; the applicant hears the
answer and rates the rectification once; appeals ruled by a supervisor leave the figures."""

from __future__ import annotations

import datetime as dt

import pytest

from api.test_case_documents import act
from yiwang.notices.models import Notice

GOOD = {"level": 5, "indicators": {"overall": 5, "efficiency": 5}, "tags": ["办理快"], "comment": "很快"}
BAD = {"level": 1, "indicators": {"overall": 1}, "tags": ["多次跑腿"], "comment": "跑了三次才办成"}


def rate(api, number, body, username="demo-citizen"):
    return api("post", f"/cases/{number}/rating", username, body)


@pytest.fixture
def accepted(api, apply, published):
    number = apply(published)
    assert act(api, number, "accept").status_code == 200
    return number


@pytest.fixture
def completed(api, accepted):
    assert act(api, accepted, "pass_step").status_code == 200
    assert act(api, accepted, "approve").status_code == 200
    return accepted


def test_a_promised_case_is_rated_at_acceptance_and_at_completion_once_each(api, apply, published):
    number = apply(published)
    before = rate(api, number, GOOD)
    assert before.status_code == 409 and before.json()["code"] == "not_yet"

    act(api, number, "accept")
    stages = api("get", f"/cases/{number}/rating", "demo-citizen").json()["stages"]
    assert [(s["stage"], s["may_rate"]) for s in stages] == [("acceptance", True)]
    first = rate(api, number, GOOD)
    assert first.status_code == 201, first.content
    assert first.json()["stage"] == "acceptance" and first.json()["level_text"] == "非常满意"
    again = rate(api, number, GOOD)
    assert again.status_code == 409 and again.json()["code"] == "rated"
    early = rate(api, number, {**GOOD, "stage": "completion"})
    assert early.status_code == 409 and early.json()["code"] == "not_yet"

    act(api, number, "pass_step")
    act(api, number, "approve")
    second = rate(api, number, {"level": 4})
    assert second.status_code == 201 and second.json()["stage"] == "completion"
    assert rate(api, number, {"level": 4}).status_code == 409
    stages = api("get", f"/cases/{number}/rating", "demo-citizen").json()["stages"]
    assert [(s["stage"], s["rating"]["level"]) for s in stages] == [("acceptance", 5), ("completion", 4)]


def test_an_instant_case_is_rated_once(api, apply, make_published):
    number = apply(make_published(case_kind="instant", promised_limit=0))
    assert api("get", f"/cases/{number}/rating", "demo-citizen").json()["stages"] == []
    assert act(api, number, "decide_on_the_spot", "demo-clerk").status_code == 200
    stages = api("get", f"/cases/{number}/rating", "demo-citizen").json()["stages"]
    assert [s["stage"] for s in stages] == ["completion"]
    assert stages[0]["label"] == "办件评价"
    assert rate(api, number, GOOD).status_code == 201
    assert rate(api, number, GOOD).status_code == 409


def test_only_the_applicant_rates_and_others_get_404_or_403(api, accepted, users, region):
    from yiwang.accounts.models import User

    # Another citizen cannot see the case at all.
    assert rate(api, accepted, GOOD, "demo-citizen2").status_code == 404
    # Staff who see it may not rate it as the applicant (online)...
    assert rate(api, accepted, GOOD, "demo-reviewer").status_code == 403
    # ...a supervisor neither, even entering it as a call (they do not handle the case).
    assert rate(api, accepted, {**GOOD, "channel": "phone"}, "demo-supervisor").status_code == 403
    assert User.objects.filter(username="demo-citizen2").exists()


def test_staff_enter_a_phone_rating_recorded_as_theirs(api, accepted):
    from yiwang.ratings.models import Rating

    response = rate(api, accepted, {"level": 3, "channel": "phone"}, "demo-clerk")
    assert response.status_code == 201, response.content
    assert response.json()["channel_text"] == "电话评价（工作人员代录）"
    rating = Rating.objects.get(case__number=accepted)
    assert rating.rater is None and rating.entered_by.username == "demo-clerk"
    # A phone entry records what was said: the overall level, nothing the applicant did not say.
    bad = rate(api, accepted, {"level": 3, "channel": "phone", "indicators": {"attitude": 3}}, "demo-clerk")
    assert bad.status_code in (409, 422)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"level": 0}, "level"),
        ({"level": 6}, "level"),
        ({"level": "five"}, "level"),
        ({"level": 10**30}, "level"),
        ({"level": 5, "indicators": {"speed": 5}}, "indicators"),
        ({"level": 5, "indicators": {"overall": 9}}, "indicators"),
        ({"level": 5, "indicators": {"overall": 1}}, "indicators"),
        ({"level": 5, "tags": ["多次跑腿"]}, "tags"),
        ({"level": 5, "comment": "好" * 501}, "comment"),
        ({"level": 5, "colour": "red"}, "colour"),
    ],
)
def test_bad_ratings_are_refused_naming_the_field(api, accepted, body, field):
    response = rate(api, accepted, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"], response.json()
    assert api("get", f"/cases/{accepted}/rating", "demo-citizen").json()["stages"][0]["rating"] is None


def test_english_messages(client, api_token, accepted):
    token = api_token("demo-citizen")
    response = client.post(
        f"/api/v1/cases/{accepted}/rating",
        {"level": 5, "stage": "completion"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "not" in response.json()["message"].lower()


def test_good_ratings_do_not_tell_staff_who_rated(api, accepted):
    rate(api, accepted, GOOD)
    seen = api("get", "/ratings", "demo-approver").json()
    assert [r["level"] for r in seen] == [5]
    assert seen[0]["case_number"] is None
    assert accepted not in str(seen)
    assert api("get", "/ratings", "demo-citizen").json() == []


def test_staff_reading_english_get_the_rating_level_in_english(api, completed, deliver_outbox):
    from yiwang.accounts.models import User

    User.objects.filter(username="demo-reviewer").update(language="en")
    rate(api, completed, BAD)
    deliver_outbox()
    english = Notice.objects.get(user__username="demo-reviewer", key="rating_bad_received")
    chinese = Notice.objects.get(user__username="demo-approver", key="rating_bad_received")
    level = {1: ("Very dissatisfied", "非常不满意"), 2: ("Dissatisfied", "不满意")}[BAD["level"]]
    assert level[0] in english.body and level[1] not in english.body
    assert level[1] in chinese.body


def loop(api, follow_up_id, step, username="demo-approver", **fields):
    return api("post", f"/ratings/follow-ups/{follow_up_id}/steps", username, {"step": step, **fields})


def test_the_bad_rating_loop_end_to_end(api, completed, deliver_outbox):
    response = rate(api, completed, BAD)
    assert response.status_code == 201
    follow_up = response.json()["follow_up"]
    assert follow_up["state"] == "verify"
    deliver_outbox()
    # The department's staff are told, with their deadlines; the 差评's case is theirs to see.
    told = Notice.objects.filter(user__username="demo-approver", key="rating_bad_received").get()
    assert completed in told.body
    seen = api("get", "/ratings", "demo-approver").json()
    assert seen[0]["case_number"] == completed
    todo = api("get", "/ratings/follow-ups", "demo-reviewer").json()
    assert [f["id"] for f in todo] == [follow_up["id"]]
    view = todo[0]
    assert view["next_step"] == "verify" and view["applicant"] == "张*"
    assert view["colour"] in ("green", "yellow")

    fid = follow_up["id"]
    # Steps come in turn: answering before verifying is refused naming the step due.
    early = loop(api, fid, "answer", note="已整改")
    assert early.status_code == 409 and early.json()["allowed"] == ["verify"]
    # Another department's staff cannot see it; the applicant cannot act on it.
    assert (
        loop(
            api, fid, "verify", "demo-reviewer-civil", method="phone", finding="founded", note="x"
        ).status_code
        == 404
    )
    assert (
        loop(api, fid, "verify", "demo-citizen", method="phone", finding="founded", note="x").status_code
        == 404
    )
    ok = loop(api, fid, "verify", method="phone", finding="founded", note="电话联系申请人，情况属实")
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "rectify"
    assert (
        loop(api, fid, "rectify", kind="rectified", note="窗口增设导办员，材料一次告知").json()["state"]
        == "answer"
    )
    # The applicant cannot rate the rectification before the answer.
    rating_id = response.json()["id"]
    assert (
        api("post", f"/ratings/{rating_id}/rectification", "demo-citizen", {"view": "satisfied"}).status_code
        == 409
    )
    answered = loop(api, fid, "answer", note="您反映的问题已整改，感谢监督。")
    assert answered.json()["state"] == "return_visit"
    deliver_outbox()
    notice = Notice.objects.filter(user__username="demo-citizen", key="rating_answered").get()
    assert "感谢监督" in notice.body
    case_view = api("get", f"/cases/{completed}/rating", "demo-citizen").json()
    summary = next(s["rating"] for s in case_view["stages"] if s["rating"])["follow_up"]
    assert summary["answer"] == "您反映的问题已整改，感谢监督。" and summary["may_rate_rectification"]

    first = api("post", f"/ratings/{rating_id}/rectification", "demo-citizen", {"view": "basic"})
    assert first.status_code == 200 and first.json()["applicant_view_text"] == "基本满意"
    twice = api("post", f"/ratings/{rating_id}/rectification", "demo-citizen", {"view": "satisfied"})
    assert twice.status_code == 409
    closed = loop(api, fid, "return_visit", method="phone", note="申请人表示认可")
    assert closed.json()["state"] == "closed" and closed.json()["colour"] == ""
    assert [e["action"] for e in closed.json()["events"]] == [
        "opened",
        "verify",
        "rectify",
        "answer",
        "applicant_view",
        "return_visit",
    ]
    figures = api("get", "/ratings/disclosure", "demo-citizen").json()["overall"]
    assert figures["bad_count"] == 1 and figures["rectified"] == 1 and figures["rectification_rate"] == 100.0


def test_a_step_after_its_deadline_is_accepted_and_flagged(api, completed, workday_calendar):
    from yiwang.ratings.models import FollowUp

    fid = rate(api, completed, BAD).json()["follow_up"]["id"]
    FollowUp.objects.filter(pk=fid).update(contact_due=dt.date(2026, 1, 5), due_date=dt.date(2026, 1, 5))
    view = api("get", f"/ratings/follow-ups/{fid}", "demo-approver").json()
    assert view["colour"] == "red"
    done = loop(api, fid, "verify", method="phone", finding="unfounded", note="申请人材料不全导致多次往返")
    assert done.status_code == 200
    assert done.json()["late_steps"] == 1 and done.json()["events"][-1]["late"] is True


def test_appeal_ruled_malicious_leaves_the_figures_and_ends_the_loop(api, completed):
    response = rate(api, completed, BAD)
    rating_id, fid = response.json()["id"], response.json()["follow_up"]["id"]
    assert (
        api(
            "post", f"/ratings/{rating_id}/appeal", "demo-citizen", {"kind": "malicious", "reasons": "x"}
        ).status_code
        == 404
    )
    filed = api(
        "post",
        f"/ratings/{rating_id}/appeal",
        "demo-approver",
        {"kind": "malicious", "reasons": "申请人威胁差评以求违规办理"},
    )
    assert filed.status_code == 201, filed.content
    appeal_id = filed.json()["id"]
    assert (
        api(
            "post", f"/ratings/{rating_id}/appeal", "demo-approver", {"kind": "mistaken", "reasons": "再次"}
        ).status_code
        == 409
    )
    # The department cannot rule on its own appeal.
    assert (
        api(
            "post",
            f"/ratings/appeals/{appeal_id}/ruling",
            "demo-approver",
            {"upheld": True, "reason": "自己裁定"},
        ).status_code
        == 403
    )
    empty = api(
        "post", f"/ratings/appeals/{appeal_id}/ruling", "demo-supervisor", {"upheld": True, "reason": " "}
    )
    assert empty.status_code == 422
    ruled = api(
        "post",
        f"/ratings/appeals/{appeal_id}/ruling",
        "demo-supervisor",
        {"upheld": True, "reason": "有通话录音为证"},
    )
    assert ruled.status_code == 200 and ruled.json()["state"] == "upheld"
    assert api("get", f"/ratings/follow-ups/{fid}", "demo-approver").json()["state"] == "ruled"
    figures = api("get", "/ratings/disclosure", "demo-citizen").json()["overall"]
    assert figures["total"] == 1 and figures["counted"] == 0 and figures["malicious"] == 1
    again = api(
        "post", f"/ratings/appeals/{appeal_id}/ruling", "demo-supervisor", {"upheld": False, "reason": "改判"}
    )
    assert again.status_code == 409


def test_rolled_back_rating_sends_nothing(accepted, users, monkeypatch):
    from yiwang.cases.models import Case
    from yiwang.core.models import OutboxMessage
    from yiwang.ratings import services
    from yiwang.ratings.models import Rating
    from yiwang.ratings.rules import RatingIn

    def boom(rating):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_open_loop", boom)
    with pytest.raises(RuntimeError):
        services.rate(users["demo-citizen"], Case.objects.get(number=accepted), RatingIn(**BAD))
    assert not Rating.objects.exists()
    assert not OutboxMessage.objects.filter(topic="rating.given").exists()


def test_invitations_after_the_configured_days_once(api, accepted, deliver_outbox):
    from django.utils import timezone

    from yiwang.ratings import invitations
    from yiwang.ratings.models import Invitation, Policy

    deliver_outbox()  # the worker records the stage the case reached
    invitation = Invitation.objects.get(case__number=accepted)
    assert invitation.stage == "acceptance" and invitation.rated_at is None
    Policy.objects.create(invite_after_days=2)
    assert invitations.send_due() == 0  # not yet two days
    Invitation.objects.filter(pk=invitation.pk).update(opened_at=timezone.now() - dt.timedelta(days=3))
    assert invitations.send_due() == 1
    assert invitations.send_due() == 0  # once
    notice = Notice.objects.get(key="rating_invitation")
    assert accepted in notice.body and "不评价不影响办理" in notice.body
    # Nothing was assumed: the stage is still unrated.
    assert api("get", f"/cases/{accepted}/rating", "demo-citizen").json()["stages"][0]["rating"] is None


def test_a_rated_stage_is_never_invited(api, accepted, deliver_outbox):
    from django.utils import timezone

    from yiwang.ratings import invitations
    from yiwang.ratings.models import Invitation

    deliver_outbox()
    rate(api, accepted, GOOD)
    Invitation.objects.update(opened_at=timezone.now() - dt.timedelta(days=30))
    assert invitations.send_due() == 0


def test_the_follow_up_list_reads_a_fixed_number_of_statements(api, apply, published, users, settings):
    """Each loop's appeal and steps come with the loops: three 差评 cost what one does. (The
    working-day calendar is checked for changes every few seconds in production; the suite rechecks
    it on every use unless told otherwise.)"""
    settings.CALENDAR_RECHECK_SECONDS = 3600
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def bad_rating():
        number = apply(published)
        act(api, number, "accept")
        assert rate(api, number, BAD).status_code == 201

    def statements() -> int:
        api("get", "/ratings/follow-ups", "demo-approver")  # the token is issued outside the count
        with CaptureQueriesContext(connection) as captured:
            assert api("get", "/ratings/follow-ups", "demo-approver").status_code == 200
        return len(captured)

    bad_rating()
    one = statements()
    bad_rating()
    bad_rating()
    assert len(api("get", "/ratings/follow-ups", "demo-approver").json()) == 3
    assert statements() == one
