"""The demo cases: a few hundred built through the case services, across states, channels,
variants and dates; every event chain intact; nothing dated today or later; 张三 and the market
regulator's staff have work; every approved case whose entry issues a licence has it, the wallets
are not empty and online applications reuse licences; most stages reached are rated, nearly all
well, and the bad-rating loop stands at each of its steps; loading again creates nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import queries, trace
from yiwang.cases.models import Case, CaseEvent, Correction, Delivery, TrackingEvent
from yiwang.demo import case_plans
from yiwang.demo import cases as demo_cases
from yiwang.demo import figures as demo_figures
from yiwang.demo import licences as demo_licences
from yiwang.demo import ratings as demo_ratings
from yiwang.demo import supervision as demo_supervision
from yiwang.licences.models import Licence, LicenceUse, UseKind
from yiwang.ratings import queries as rating_queries
from yiwang.ratings import services as rating_services
from yiwang.ratings.models import Appeal, FollowUp, FollowUpEvent, Invitation, Rating
from yiwang.supervision.models import Order, Warning


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Region, catalog and cases loaded once for the module inside an outer transaction that is
    rolled back after it (like `_demo_region_per_module` in tests/conftest.py)."""
    from django.db import transaction
    from django.test import override_settings

    from yiwang.core import services as core_services
    from yiwang.core import workdays
    from yiwang.demo import catalog, region

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            core_services.ensure_calendar()
            workdays.invalidate()
            summary = None
            if catalog.load_catalog(region.load_region()):
                # As `load_demo` does: the licence types before the cases (which reuse and issue
                # licences), then the licences of approved cases the loader left to the worker.
                demo_licences.load_licence_types()
                summary = demo_cases.load_cases()
                demo_licences.issue_for_demo_cases()
                demo_ratings.load_ratings()
                demo_supervision.load_supervision()
                demo_figures.count_statistics()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            raise
    yield summary
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()
    workdays.invalidate()


@pytest.fixture
def summary(loaded, db):
    return loaded


def test_a_few_hundred_cases_across_states_and_channels(summary):
    cases = Case.objects.all()
    assert 400 <= cases.count() <= 500  # 330 of the past weeks, 110 closed ones of the months before
    assert summary.created == cases.count()
    states = Counter(cases.values_list("state", flat=True))
    for state in (
        "draft",
        "submitted",
        "correction_requested",
        "accepted",
        "under_review",
        "suspended",
        "approved",
        "refused",
        "completed",
        "delivered",
        "not_accepted",
        "withdrawn",
        "terminated",
    ):
        assert states[state] > 0, state
    closed = sum(states[s] for s in ("delivered", "not_accepted", "withdrawn", "terminated", "completed"))
    assert closed > cases.count() / 2, "most cases are done"
    channels = Counter(cases.values_list("channel", flat=True))
    assert channels["online"] > channels["window"] > 30
    delivered = Counter(Delivery.objects.filter(case__state="delivered").values_list("method", flat=True))
    assert set(delivered) == {"pickup", "express", "electronic"}
    assert TrackingEvent.objects.filter(status="signed").exists()
    # Spread over the catalog, mostly the market regulator's (whose demo staff handle them).
    departments = Counter(cases.values_list("department__name", flat=True))
    assert len(departments) >= 15
    assert departments["青山市市场监督管理局"] > cases.count() / 3
    assert cases.values("entry").distinct().count() >= 60


def test_electronic_results_are_delivered_only_with_their_decision_document(summary):
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, CaseDocument

    electronic = Case.objects.filter(state="delivered", delivery__method="electronic")
    assert electronic.exists()
    with_document = CaseDocument.objects.filter(kind__in=DECISION_DOCUMENT_KINDS, case__in=electronic)
    assert with_document.values("case").distinct().count() == electronic.count()
    # Express results are delivered when signed for, not when posted.
    express = Case.objects.filter(state="delivered", delivery__method="express")
    assert express.exists()
    assert not express.exclude(delivery__tracking__status="signed").exists()


def test_every_variant_of_the_procedure_is_there(summary):
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in (
        "request_correction",
        "resubmit",
        "accept",
        "deem_accepted",
        "not_accept",
        "pass_step",
        "suspend",
        "resume",
        "extend",
        "approve",
        "refuse",
        "decide_on_the_spot",
        "approve_on_commitment",
        "verify_commitment",
        "complete",
        "deliver",
        "withdraw",
        "terminate",
    ):
        assert actions[action] > 0, action
    refused = Case.objects.filter(state__in=["refused", "not_accepted"])
    assert refused.exists() and not refused.filter(decision_reason="").exists()
    assert not refused.filter(remedy="").exists()
    # 容缺受理 needs a tolerant entry with a non-key material in the catalog.
    if any(info.tolerant for info in case_plans.entry_infos()):
        assert actions["accept_with_pending"] > 0
        assert Case.objects.filter(commitment_overdue=True).exclude(pending_materials=[]).exists()


def test_dates_are_in_the_past_and_some_cases_are_due_soon_or_overdue(summary):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    assert not CaseEvent.objects.filter(at__gte=midnight).exists()
    first = Case.objects.exclude(submitted_at=None).order_by("submitted_at").first().submitted_at
    assert dt.timedelta(days=300) <= today - timezone.localdate(first) <= dt.timedelta(days=400)
    assert Case.objects.filter(submitted_at__gte=midnight - dt.timedelta(days=7)).count() >= 10
    # Only closed cases are older than the recent weeks.
    old = Case.objects.filter(submitted_at__lt=midnight - dt.timedelta(days=80))
    assert set(old.values_list("state", flat=True)) <= {
        "delivered",
        "refused",
        "not_accepted",
        "withdrawn",
        "terminated",
    }
    counts = queries.tab_counts(User.objects.get(username="demo-supervisor"))
    assert counts["due_soon"] > 0 and counts["overdue"] > 0 and counts["suspended"] > 0
    assert counts["overdue"] < counts["todo"] / 2
    numbers = list(Case.objects.exclude(number=None).values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) and all(len(n) == 44 for n in numbers)


def test_every_event_chain_verifies(summary):
    events: dict[int, list] = {}
    for event in CaseEvent.objects.order_by("case_id", "seq"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.all():
        breaks = list(
            trace.verify_chain(
                case.pk, case.draft_key, events.get(case.pk, []), case.event_count, case.last_event_hash
            )
        )
        assert breaks == [], (case.number, breaks)


def test_demo_accounts_have_work(summary):
    zhang = User.objects.get(username="demo-citizen")
    own = Case.objects.filter(applicant_person=zhang.person, applicant_enterprise__isnull=True)
    assert 8 <= own.count() <= 12
    states = set(own.values_list("state", flat=True))
    assert {"draft", "correction_requested", "delivered"} <= states and len(states) >= 7
    enterprise = User.objects.get(username="demo-enterprise")
    assert queries.applicant_cases(enterprise).count() >= 5
    assert Case.objects.filter(applicant_enterprise=enterprise.enterprise, created_by=zhang).exists()
    # 待办 holds what waits for the role now: the window's acceptance, 办结 and delivery; each
    # review step's own cases (tests/workbench/test_queue_todo.py).
    for username, least in (("demo-reviewer", 5), ("demo-approver", 5), ("demo-clerk", 10)):
        counts = queries.tab_counts(User.objects.get(username=username))
        assert counts["todo"] >= least, (username, counts)


def test_approved_cases_have_their_licences_and_wallets_are_not_empty(summary):
    approved = Case.objects.filter(
        state__in=["approved", "completed", "delivered"], entry__licence_types__isnull=False
    ).distinct()
    assert approved.count() >= 20
    without = [c.number for c in approved if not Licence.objects.filter(case=c).exists()]
    assert without == []
    zhang = User.objects.get(username="demo-citizen")
    enterprise = User.objects.get(username="demo-enterprise")
    assert Licence.objects.filter(holder_person=zhang.person, holder_enterprise__isnull=True).exists()
    assert Licence.objects.filter(holder_enterprise=enterprise.enterprise).exists()
    assert Licence.objects.filter(holder_enterprise=enterprise.enterprise, type_name="营业执照").exists()
    # Online applications for the food permit use the business licence instead of an upload.
    reused = LicenceUse.objects.filter(kind=UseKind.MATERIAL)
    assert reused.filter(licence__type_name="营业执照").count() >= 3
    for use in reused:
        assert use.case.materials.filter(licence_identifier=use.licence.identifier).exists()


def test_every_stage_reached_is_open_for_rating_from_when_it_was_reached(summary):
    numbered = Case.objects.exclude(number=None).select_related("version")
    invitations: dict[int, dict[str, Invitation]] = {}
    for invitation in Invitation.objects.all():
        invitations.setdefault(invitation.case_id, {})[invitation.stage] = invitation
    for case in numbered:
        mine = invitations.get(case.pk, {})
        assert set(mine) == set(rating_services.open_stages(case)), case.number
        if "acceptance" in mine and "completion" in mine:
            assert mine["acceptance"].opened_at <= mine["completion"].opened_at, case.number
    # Dated by the case's events: acceptance (or not) and the decision, not by the loading.
    event_times = set(CaseEvent.objects.values_list("at", flat=True))
    assert all(i.opened_at in event_times for i in Invitation.objects.all())
    # Rated a little after the stage opened; most stages rated, some left for later.
    share = Invitation.objects.exclude(rated_at=None).count() / Invitation.objects.count()
    assert 0.6 <= share <= 0.7, share
    for rating in Rating.objects.all():
        invitation = invitations[rating.case_id][rating.stage]
        assert invitation.rated_at == rating.rated_at
        assert invitation.opened_at < rating.rated_at <= invitation.opened_at + dt.timedelta(days=14)


def test_ratings_come_from_every_channel_with_the_channels_indicators_and_tags(summary):
    from yiwang.ratings import rules

    channels = Counter(Rating.objects.values_list("channel", flat=True))
    assert set(channels) == {"online", "window", "phone", "sms"}, channels
    assert channels["online"] > channels["window"] > channels["phone"] + channels["sms"] > 0
    for rating in Rating.objects.all():
        given = rules.RatingIn(
            level=rating.level, indicators=rating.indicators, tags=rating.tags, comment=rating.comment
        )
        assert rules.problems(given, rating.channel) == {}, rating.pk
        assert rating.indicators["overall"] == rating.level
        if rating.channel == "online":  # by the applicant
            assert rating.rater is not None and rating.entered_by is None
        else:  # entered by staff, or the clerk whose counter showed the device
            assert rating.entered_by is not None and rating.rater is None
    assert Rating.objects.exclude(comment="").count() >= 30
    # Nearly all satisfied, as on a real platform; 差评 there are, and a ruled one is not counted.
    figures = rating_queries.figures(Rating.objects.all())
    assert 90 <= figures["satisfaction_rate"] < 100, figures
    assert figures["bad_count"] >= 8 and figures["malicious"] == 1
    assert Rating.objects.filter(level__gte=4).count() > 0.9 * Rating.objects.count()


def test_the_bad_rating_loop_stands_at_each_of_its_steps(summary):
    states = Counter(FollowUp.objects.values_list("state", flat=True))
    for state in ("verify", "rectify", "answer", "return_visit", "closed", "ruled"):
        assert states[state] > 0, (state, states)
    assert states["closed"] >= 3
    assert FollowUp.objects.count() == Rating.objects.filter(bad=True).count()
    views = set(FollowUp.objects.filter(state="closed").values_list("applicant_view", flat=True))
    assert {"satisfied", "basic", "dissatisfied", ""} <= views
    # One overdue (red), one step done late; the steps by the department's handling staff.
    open_ = FollowUp.objects.filter(state__in=["verify", "rectify", "answer", "return_visit"])
    assert "red" in {rating_queries.colour(f.due_date) for f in open_}
    assert FollowUpEvent.objects.filter(late=True).exists()
    assert FollowUp.objects.filter(late_steps__gt=0, state="closed").exists()
    for event in FollowUpEvent.objects.filter(action__in=["verify", "rectify", "answer", "return_visit"]):
        assert event.by.staff.department_id == event.follow_up.department_id
    # Appeals: one pending, one upheld as malicious (its loop ended), one rejected (its loop went on).
    appeals = Counter(Appeal.objects.values_list("state", flat=True))
    assert appeals == {"pending": 1, "upheld": 1, "rejected": 1}, appeals
    upheld = Appeal.objects.get(state="upheld")
    assert upheld.rating.ruling == "malicious" and upheld.rating.follow_up.state == "ruled"
    assert upheld.ruled_by.username == "demo-supervisor" and upheld.filed_at < upheld.ruled_at
    assert Appeal.objects.get(state="rejected").rating.follow_up.state == "closed"


def test_zhang_san_awaits_his_rating_of_a_rectification_and_the_regulator_has_follow_ups(summary):
    zhang = User.objects.get(username="demo-citizen")
    mine = Rating.objects.filter(
        case__applicant_person=zhang.person, case__applicant_enterprise=None, bad=True
    )
    assert mine.count() >= 2
    awaiting = [r for r in mine if rating_queries.follow_up_summary(r.follow_up)["may_rate_rectification"]]
    assert awaiting and awaiting[0].follow_up.answer
    assert all(r.rater == zhang and r.channel == "online" for r in mine)
    for username in ("demo-approver", "demo-reviewer"):
        queue = rating_queries.follow_up_queue(User.objects.get(username=username))
        assert queue and all(f.department.name == "青山市市场监督管理局" for f in queue), username
        assert any(f.rating.case.applicant_person_id == zhang.person.pk for f in queue), username


def test_nothing_about_ratings_is_dated_today_or_later(summary):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    assert not Rating.objects.filter(rated_at__gte=midnight).exists()
    assert not FollowUpEvent.objects.filter(at__gte=midnight).exists()
    assert not FollowUp.objects.filter(applicant_viewed_at__gte=midnight).exists()
    assert not Appeal.objects.filter(filed_at__gte=midnight).exists()
    assert not Appeal.objects.filter(ruled_at__gte=midnight).exists()
    for field in ("opened_at", "rated_at", "invited_at"):
        assert not Invitation.objects.filter(**{f"{field}__gte": midnight}).exists(), field
    # No invitation was sent: stages left unrated for days are only marked invited, in the past.
    from yiwang.notices.models import Notice, SmsMessage

    assert not Notice.objects.filter(key="rating_invitation").exists()
    assert not SmsMessage.objects.filter(key="rating_invitation").exists()
    assert Invitation.objects.exclude(invited_at=None).filter(rated_at=None).exists()


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Case, CaseEvent, User, Licence, Rating, Invitation, FollowUpEvent, Warning, Order)
    )


def test_loading_again_creates_nothing(summary):
    before = _counts()
    assert demo_cases.load_cases().created == 0
    assert demo_licences.load_licence_types().issued == 0
    assert demo_licences.issue_for_demo_cases() == 0
    assert demo_ratings.load_ratings().created == 0
    assert demo_supervision.load_supervision().created == 0
    after = _counts()
    assert after == before


def test_supervision_has_cards_of_each_colour_orders_and_answers(summary):
    """The loader judged every demo event as the worker would, then ran today's pass: red and
    yellow cards with their histories, 督办 on a card and on a department, an answer and a report;
    delivering the same events again (the worker, later) adds nothing."""
    from yiwang.cases.changes import event_message
    from yiwang.supervision import services as supervision

    assert Warning.objects.filter(colour="red").exists() and Warning.objects.filter(colour="yellow").exists()
    assert Warning.objects.filter(cleared_at__isnull=True).exists()
    assert Warning.objects.filter(state="answered", answered_by__username="demo-approver").exists()
    assert (
        Order.objects.filter(case__isnull=False).exists() and Order.objects.filter(case__isnull=True).exists()
    )
    assert Order.objects.filter(state="reported").exists()
    assert not Warning.objects.filter(raised_at__date__gt=timezone.localdate()).exists()
    before = Warning.objects.count()
    for event in CaseEvent.objects.exclude(action="create").select_related("case")[:200]:
        if event.case.number:
            supervision.judge_event(event.case, event_message(event.case, event).payload)
    assert Warning.objects.count() == before


# --- Every reason is the case's own ------------------------------------------------------------

QUOTED = re.compile(r"“([^”]+)”")
BOOK_TITLE = re.compile(r"《[^》]+》")
# Subjects that fit only some items (the reasons once drawn at random for any item): one may appear
# in a case's reason only when its own entry speaks of it.
ITEM_SUBJECTS = (
    "经营场所",
    "专业技术人员",
    "资格证明",
    "行政处罚",
    "设施设备",
    "规划限制区域",
    "行政许可",
    "技术方案",
    "设备",
    "听证",
    "企业",
)
FORM_LIKE = re.compile(r"(表|书|承诺|声明)")
LONG_DOCUMENT = re.compile(r"(报告|方案|章程|合同|档案|制度|预案|图|病历|记录|说明书|文件)")
CERTIFICATE_LIKE = re.compile(r"(证|照|卡)")


def _own_text(version) -> str:
    """Everything the case's own guide says that a reason may name."""
    parts = [
        version.name,
        version.plain_title,
        version.acceptance_conditions,
        version.legal_basis,
        version.result_name,
        *[m.name for m in version.materials.all()],
        *[str(p.get("name")) for p in version.special_procedures or []],
    ]
    return "\n".join(p for p in parts if p)


def _assert_names_only_its_own(reason: str, case: Case, allowed: set[str]) -> None:
    version = case.version
    own = _own_text(version)
    for quoted in QUOTED.findall(reason):
        assert quoted in allowed or quoted in version.acceptance_conditions, (case.title, reason)
    for title in BOOK_TITLE.findall(reason):
        assert title in version.legal_basis or title in version.acceptance_conditions, (case.title, reason)
    for subject in ITEM_SUBJECTS:
        if subject in reason:
            assert subject in own, (case.title, subject, reason)


def test_refusals_and_non_acceptances_name_only_their_own_entry(summary):
    events = CaseEvent.objects.filter(action__in=["refuse", "not_accept"]).select_related(
        "case__version", "case__entry"
    )
    assert events.count() >= 3
    naming = 0
    for event in events:
        case, version = event.case, event.case.version
        allowed = {version.name, version.result_name, *(m.name for m in version.materials.all())}
        allowed |= {str(it.get("label")) for c in case.corrections.all() for it in c.items if it.get("label")}
        assert event.reason and event.reason == case.decision_reason
        _assert_names_only_its_own(event.reason, case, allowed)
        naming += bool(QUOTED.search(event.reason) or BOOK_TITLE.search(event.reason))
    assert naming == events.count(), "every reason names something of its own entry"


def test_corrections_fit_the_material_they_name(summary):
    from yiwang.cases import drafts
    from yiwang.cases.corrections import CORRECTION_REASONS

    corrections = Correction.objects.select_related("case__version")
    assert corrections.count() >= 10
    for correction in corrections:
        case = correction.case
        materials = {m.pk: m for m in case.version.materials.all()}
        fields = {f["name"] for f in drafts.case_schema(case).get("fields", [])}
        enterprise = case.applicant_enterprise_id is not None
        for item in correction.items:
            reasons, note = set(item.get("reasons") or []), item.get("note") or ""
            assert reasons and reasons <= set(CORRECTION_REASONS), item
            for subject in ITEM_SUBJECTS:
                if subject in note:
                    assert subject in _own_text(case.version), (case.title, subject, note)
            if item["kind"] == "field":
                assert item["field"] in fields and reasons <= {"inconsistent", "wrong_entry"}, item
                continue
            if item["kind"] == "other":
                assert case.version.name in note, item
                continue
            material = materials[item["material"]]  # one of its own entry's materials
            name = material.name
            assert item["label"] == name
            if "expired" in reasons:
                assert material.licence_type_code or CERTIFICATE_LIKE.search(name), (name, note)
            if "missing_pages" in reasons:
                assert LONG_DOCUMENT.search(name), (name, note)
            if "wrong_form" in reasons:
                assert material.blank_form_id, (name, note)
            if "missing_signature" in reasons:
                if "公章" in note:
                    issued = material.source in ("intermediary", "other")
                    assert (issued and (material.source_body or "出具单位") in note) or enterprise, (
                        name,
                        note,
                    )
                else:
                    assert FORM_LIKE.search(name), (name, note)


def test_a_case_stops_only_for_a_special_procedure_its_guide_declares(summary):
    events = CaseEvent.objects.filter(action="suspend").select_related("case__version")
    assert events.exists()
    for event in events:
        declared = {str(p.get("name")) for p in event.case.version.special_procedures or []}
        assert event.data["procedure"] in declared, (event.case.title, event.data)
        assert event.data["procedure"] in event.reason


def test_withdrawals_and_terminations_fit_the_applicant(summary):
    for event in CaseEvent.objects.filter(action__in=["withdraw", "terminate"]).select_related("case"):
        if event.case.applicant_enterprise_id is None:
            assert "经营" not in event.reason and "注销" not in event.reason, event.reason
        else:
            assert "死亡" not in event.reason and "个人" not in event.reason, event.reason


def test_extensions_name_the_entrys_own_joint_bodies_or_the_entry(summary):
    events = CaseEvent.objects.filter(action="extend").select_related("case__version")
    assert events.exists()
    for event in events:
        version = event.case.version
        bodies = re.sub(r"[（(][^）)]*[）)]", "", version.joint_bodies).split("、")
        assert version.name in event.reason or any(b.strip() and b.strip() in event.reason for b in bodies)


def test_the_months_before_give_the_statistics_a_year_of_trends(summary):
    """A supervisor's month-by-month figures, counted by the loader before any worker ran, have
    submissions, decisions and ratings in each of the eleven months before this one; a rebuild
    from the tables gives the same, and loading again counts nothing twice."""
    from yiwang.stats import queries as stats_queries
    from yiwang.stats import services as stats_services

    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=320)).replace(day=1)
    year = stats_queries.make_filter(start=first, end=today)
    supervisor = User.objects.get(username="demo-supervisor")

    def by_month() -> dict:
        return {row["key"]: row["counts"] for row in stats_queries.by(supervisor, "month", year)["results"]}

    months = by_month()
    assert demo_figures.count_statistics() == 0
    assert by_month() == months
    stats_services.rebuild()
    assert by_month() == months
    expected = []
    month = first
    while month < today.replace(day=1):
        expected.append(month.strftime("%Y-%m"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    assert len(expected) == 11
    for key in expected:
        counts = months.get(key) or {}
        assert counts.get("submitted", 0) > 0 and counts.get("decided", 0) > 0, key
        assert counts.get("rated", 0) > 0, key


def test_case_details_written_directly_equal_django_ninjas_validated_answers(summary):
    """`api.direct_json` (the 201 of a submission) against django-ninja's path (CaseOut validated,
    dumped, rendered), for cases in every state, as their applicant and as each staff member
    who may read them."""
    import json

    from yiwang.api import direct_json
    from yiwang.api.cases import CaseOut
    from yiwang.api.renderers import ChineseJSONRenderer
    from yiwang.cases import access

    renderer = ChineseJSONRenderer
    staff = list(User.objects.filter(username__startswith="demo-", is_staff=True))
    per_state: Counter = Counter()
    compared = 0
    for case in Case.objects.select_related("created_by").order_by("id"):
        if per_state[case.state] >= 3:
            continue
        per_state[case.state] += 1
        readers = [case.created_by] + [u for u in staff if access.case_for(u, case.number or "") is not None]
        for user in readers:
            detail = queries.case_detail(user, case)
            validated = CaseOut.model_validate(detail).model_dump()
            expected = json.loads(
                json.dumps(validated, cls=renderer.encoder_class, **renderer.json_dumps_params)
            )
            assert json.loads(direct_json.answer(CaseOut, detail).content) == expected, (case.number, user)
            compared += 1
    assert len(per_state) >= 8 and compared > 3 * len(per_state)
