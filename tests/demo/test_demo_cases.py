"""The demo cases: a few hundred built through the case services, across states, channels,
variants and dates; every event chain intact; nothing dated today or later; 张三 and the market
regulator's staff have work; every approved case whose entry issues a licence has it, the wallets
are not empty and online applications reuse licences; loading again creates nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import queries, trace
from yiwang.cases.models import Case, CaseEvent, Delivery, TrackingEvent
from yiwang.demo import cases as demo_cases
from yiwang.demo import licences as demo_licences
from yiwang.licences.models import Licence, LicenceUse, UseKind


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
    assert 300 <= cases.count() <= 400
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
    if any(info.tolerant for info in demo_cases._entries()):
        assert actions["accept_with_pending"] > 0
        assert Case.objects.filter(commitment_overdue=True).exclude(pending_materials=[]).exists()


def test_dates_are_in_the_past_and_some_cases_are_due_soon_or_overdue(summary):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    assert not CaseEvent.objects.filter(at__gte=midnight).exists()
    first = Case.objects.exclude(submitted_at=None).order_by("submitted_at").first().submitted_at
    assert today - timezone.localdate(first) <= dt.timedelta(days=70)
    assert Case.objects.filter(submitted_at__gte=midnight - dt.timedelta(days=7)).count() >= 10
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
    for username in ("demo-reviewer", "demo-approver", "demo-clerk"):
        counts = queries.tab_counts(User.objects.get(username=username))
        assert counts["todo"] >= 10, (username, counts)


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


def test_loading_again_creates_nothing(summary):
    before = (Case.objects.count(), CaseEvent.objects.count(), User.objects.count(), Licence.objects.count())
    assert demo_cases.load_cases().created == 0
    assert demo_licences.load_licence_types().issued == 0
    assert demo_licences.issue_for_demo_cases() == 0
    after = (Case.objects.count(), CaseEvent.objects.count(), User.objects.count(), Licence.objects.count())
    assert after == before
