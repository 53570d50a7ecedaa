"""The demo bundles: seven published over one coherent area of the demo catalog with nothing
keeping them from publishing, drafted by the item administrator and published by the platform
administrator; 张三's applications in flight stand where the demo promises (a case waiting for its
upstream, cases started by the chain with the upstream licence as their material, a case stopped
by an upstream refusal, a 新生儿出生 under way); loading again changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yiwang.bundles import queries, services
from yiwang.bundles.models import ApplicationState, Bundle, BundleApplication, BundleMember, MemberState
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.rules import State
from yiwang.catalog.models import Entry
from yiwang.demo import bundles as demo_bundles
from yiwang.licences.models import Licence

CODES = {
    "open-restaurant",
    "open-supermarket",
    "open-hotel",
    "start-company",
    "newborn",
    "retire",
    "second-hand-house",
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Region, catalog, licence types and bundles loaded once for the module inside an outer
    transaction rolled back after it (like `loaded` in test_demo_cases.py). The demo cases are not
    needed: a department without demo staff gets a handling officer from the bundles loader."""
    from django.db import transaction
    from django.test import override_settings

    from yiwang.core import services as core_services
    from yiwang.core import workdays
    from yiwang.demo import catalog, region
    from yiwang.demo import licences as demo_licences

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            core_services.ensure_calendar()
            workdays.invalidate()
            catalog.load_catalog(region.load_region())
            demo_licences.load_licence_types()
            summary = demo_bundles.load_bundles()
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


def _application(key: str) -> BundleApplication:
    return BundleApplication.objects.get(created_by__username="demo-citizen", idempotency_key=key)


def _members(application: BundleApplication) -> dict[str, BundleMember]:
    return {m.case.title: m for m in application.members.select_related("case")}


def test_seven_bundles_are_published_with_no_problems(summary):
    assert summary.bundles == 7 and summary.applications == 4
    bundles = Bundle.objects.select_related("published__created_by", "published__reviewed_by", "division")
    assert {b.code for b in bundles} == CODES
    for bundle in bundles:
        version = bundle.published
        assert version is not None and version.state == "published", bundle.code
        assert services.publish_problems(version) == [], bundle.code
        assert version.created_by.username == "demo-itemadmin"
        assert version.reviewed_by.username == "demo-admin"
        assert version.plain_title and version.summary and len(version.aliases) >= 3
        # One coherent area: offered in 城关区, its members 城关区's entries or the city's.
        assert bundle.division.code == "159902000000"
        definition, facts = queries.facts_of(version)
        entries = Entry.objects.filter(code__in=[m.entry for m in definition.members]).select_related(
            "department__division"
        )
        divisions = {e.department.division.code for e in entries}
        assert divisions <= {"159902000000", "159900000000"}, bundle.code
        assert len(facts) == len(definition.members)
        # The one form is shorter than the forms it replaces.
        guide = queries.guide(bundle).as_dict()
        assert guide["savings"]["forms_separate"] == len(definition.members)
        assert guide["savings"]["fields_bundle"] < guide["savings"]["fields_separate"], bundle.code


def test_everyday_words_find_the_bundles(summary):
    for words, code in [
        (["开饭店"], "open-restaurant"),
        (["开超市"], "open-supermarket"),
        (["开民宿"], "open-hotel"),
        (["生孩子"], "newborn"),
        (["办退休"], "retire"),
        (["买二手房"], "second-hand-house"),
        (["注册公司"], "start-company"),
    ]:
        assert [b.code for b in queries.search(words)][:1] == [code], words


def test_the_restaurant_chooses_its_members_by_the_answers(summary):
    bundle = Bundle.objects.get(code="open-restaurant")
    names = {
        "个体工商户设立登记",
        "企业设立登记",
        "食品经营许可",
        "户外招牌设置审批",
        "公众聚集场所投入使用、营业前消防安全检查",
    }
    assert {i["name"] for i in queries.guide(bundle).as_dict()["items"]} == names
    small = queries.guide(
        bundle, {"business_form": "individual", "prepacked_only": "yes", "seats": 20, "signboard": "no"}
    ).as_dict()
    assert [i["name"] for i in small["items"]] == ["个体工商户设立登记"]
    full = queries.guide(
        bundle, {"business_form": "company", "prepacked_only": "no", "seats": 80, "signboard": "yes"}
    ).as_dict()
    assert [i["name"] for i in full["items"]] == [
        "企业设立登记",
        "食品经营许可",
        "户外招牌设置审批",
        "公众聚集场所投入使用、营业前消防安全检查",
    ]
    # The permits wait for the registration and take its licence; the 营业执照 is not uploaded.
    assert all(i["after"] for i in full["items"][1:])
    licence = next(m for m in full["materials"] if m["licence_type"] == "营业执照")
    assert licence["from_upstream"] == "企业设立登记" and not licence["required"]
    # Duplicate applicant fields are one: no 经办人 or 单位名称 to type again.
    form = {f["name"] for f in full["form"]}
    assert {"applicant_name", "shop_name", "shop_address"} <= form
    assert not form & {"agent_name", "enterprise_name", "uscc", "company_name", "premises_address"}


def test_a_permit_waits_while_the_registration_is_handled(summary):
    application = _application("demo-bundle-restaurant-waiting")
    members = _members(application)
    registration = members["企业设立登记"]
    assert registration.state == MemberState.STARTED and registration.case.state == State.ACCEPTED
    for title in ("食品经营许可", "户外招牌设置审批", "公众聚集场所投入使用、营业前消防安全检查"):
        waiting = members[title]
        assert waiting.state == MemberState.WAITING, title
        assert waiting.case.state == State.DRAFT and not waiting.case.number
        assert waiting.case.held_reason.startswith("等待前置事项办结")
    assert application.state == ApplicationState.ACTIVE


def test_the_permits_started_by_themselves_with_the_business_licence(summary):
    application = _application("demo-bundle-restaurant-started")
    members = _members(application)
    registration = members["个体工商户设立登记"].case
    assert registration.state == State.APPROVED
    licence = Licence.objects.get(case=registration)
    assert licence.type_name == "营业执照" and licence.document_id is not None
    assert licence.data["uscc"].startswith("92") and licence.data["name"] == "城关区张三面馆"
    for title in ("食品经营许可", "户外招牌设置审批", "公众聚集场所投入使用、营业前消防安全检查"):
        member = members[title]
        case = member.case
        assert member.state == MemberState.STARTED and member.started_at is not None, title
        assert case.number and case.state in (State.SUBMITTED, State.ACCEPTED) and not case.held_reason
        provided = case.materials.get(material__name="营业执照")
        assert provided.licence_identifier == licence.identifier and provided.file_id is not None
        assert case.form_data["uscc"] == licence.data["uscc"]
        assert case.form_data["enterprise_name"] == "城关区张三面馆"
        assert case.events.filter(action="submit", actor_role="system").exists()
    assert members["食品经营许可"].case.state == State.ACCEPTED


def test_an_upstream_refusal_stopped_the_permit(summary):
    application = _application("demo-bundle-restaurant-refused")
    members = _members(application)
    registration = members["个体工商户设立登记"].case
    assert registration.state == State.NOT_ACCEPTED
    assert registration.decision_reason and "行政复议" in registration.remedy
    food = members["食品经营许可"]
    assert food.state == MemberState.STOPPED
    assert "住宅不得用于" in food.stop_reason and food.case.state == State.DRAFT
    application.refresh_from_db()
    assert application.state == ApplicationState.STOPPED and application.closed_at is not None
    assert "不予受理" in application.stop_reason


def test_a_newborn_in_flight(summary):
    application = _application("demo-bundle-newborn")
    members = _members(application)
    certificate = members["出生医学证明签发"].case
    assert certificate.state == State.APPROVED
    licence = Licence.objects.get(case=certificate)
    registration = members["户口登记（出生登记）"]
    assert registration.state == MemberState.STARTED and registration.case.state == State.SUBMITTED
    assert registration.case.form_data["baby_name"] == licence.data["baby_name"] == "张思远"
    assert registration.case.materials.get(material__name="出生医学证明").licence_identifier == (
        licence.identifier
    )
    assert members["生育保险待遇核定与支付"].state == MemberState.STARTED
    for title in ("城乡居民基本医疗保险参保登记", "社会保障卡申领"):
        assert members[title].state == MemberState.WAITING, title
    assert application.state == ApplicationState.ACTIVE


def test_nothing_is_dated_today_or_later(summary):
    today = timezone.localdate()
    cases = Case.objects.filter(bundle_member__isnull=False)
    assert cases.count() == 15
    for case in cases.exclude(submitted_at=None):
        assert timezone.localdate(case.submitted_at) < today
    events = CaseEvent.objects.filter(case__in=cases)
    assert all(timezone.localdate(at) < today for at in events.values_list("at", flat=True))
    for application in BundleApplication.objects.all():
        assert timezone.localdate(application.submitted_at) < today


def test_loading_again_changes_nothing(summary):
    from yiwang.accounts.models import User
    from yiwang.bundles.models import BundleVersion
    from yiwang.core.models import OutboxMessage, StoredFile

    models = [
        Bundle,
        BundleVersion,
        BundleApplication,
        BundleMember,
        Case,
        CaseEvent,
        Licence,
        StoredFile,
        OutboxMessage,
        User,
    ]
    before = {m.__name__: m.objects.count() for m in models}
    states = list(BundleMember.objects.order_by("pk").values_list("state", "case__state"))
    again = demo_bundles.load_bundles()
    assert (again.bundles, again.applications) == (0, 0)
    assert {m.__name__: m.objects.count() for m in models} == before
    assert list(BundleMember.objects.order_by("pk").values_list("state", "case__state")) == states
