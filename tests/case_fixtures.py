"""Fixtures for the case tests, registered for the whole suite in tests/conftest.py: a published
entry of 青山市市场监督管理局 with a form and a material
list, the demo applicants and staff, and helpers that walk a case through the procedure."""

from __future__ import annotations

import pytest

from catalog.guide_samples import PDF, db_document, make_entry, store_pdf
from yiwang.cases import drafts

FORM = {
    "fields": [
        {
            "name": "applicant_name",
            "label": "申请人姓名",
            "type": "text",
            "required": True,
            "prefill": "name",
        },
        {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True, "max_length": 50},
        {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": True, "min": 1},
    ]
}


def publish(entry, *, user, reviewer, **changes):
    """Give the entry's draft the form (FORM unless `changes` has a form_schema) and `changes`,
    then submit and publish it."""
    from yiwang.catalog import services
    from yiwang.catalog.models import EntryVersion

    version = EntryVersion.objects.filter(entry=entry).order_by("-number").first()
    EntryVersion.objects.filter(pk=version.pk).update(**{"form_schema": FORM, **changes})
    version.refresh_from_db()
    services.submit_version(version, user)
    services.publish_version(version, reviewer)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def users(region):
    from yiwang.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def seed_catalog_types() -> None:
    """Item types and topics (seeded by a migration; a transactional test's flush removes them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("yiwang.catalog.migrations.0002_seed_types_and_topics").seed(apps, None)


def _second_admin(region):
    """A second platform administrator: the one who compiles may not also publish."""
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole, User

    existing = User.objects.filter(username="test-admin2").first()
    return existing or accounts.create_staff(
        username="test-admin2",
        password="x-Test-Password-123",
        name="测试管理员",
        department=region.departments["city_gov_service"],
        roles=[StaffRole.PLATFORM_ADMIN],
        enforce_password_rules=False,
    )


@pytest.fixture
def make_published(region, media, users, workday_calendar):
    """make_published(basic_code=..., **version fields) → a published entry of the market regulator."""
    counter = iter(range(100, 999))
    seed_catalog_types()

    def make(
        *,
        tolerant_second: bool = False,
        shared_licence: bool = False,
        department: str = "city_market",
        **changes,
    ):
        # 食品经营许可 is applied for by 个体工商户 and enterprises alike (服务对象: both).
        changes.setdefault("audience", "both")
        admin = users["demo-itemadmin"] if department == "city_market" else _second_admin(region)
        blank, sample = store_pdf("申请书空白.pdf", admin), store_pdf("申请书样表.pdf", admin)
        document = db_document(str(blank.pk), str(sample.pk))
        if not shared_licence:  # by default the applicant uploads the business licence too
            document["materials"][1]["licence_type_code"] = ""
        if tolerant_second:
            document["materials"][1]["is_key"] = False
        entry = make_entry(
            region.departments[department],
            basic_code=f"150100{next(counter)}000",
            user=admin,
            document=document,
        )
        return publish(
            entry,
            user=admin,
            reviewer=users["demo-approver" if department == "city_market" else "demo-admin"],
            **changes,
        )

    return make


@pytest.fixture
def published(make_published):
    return make_published()


FORM_DATA = {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45}


@pytest.fixture
def submitted(published, users):
    """submitted(entry=published, user=demo-citizen) → a submitted case with every material."""

    def make(entry=None, user=None, **submit_kwargs):
        entry = entry or published
        user = user or users["demo-citizen"]
        case = drafts.start_application(user, entry)
        drafts.save_form(user, case, FORM_DATA)
        for item in drafts.checklist(case):
            drafts.attach_material(user, case, item.material.pk, PDF, f"{item.material.name}.pdf")
        return drafts.submit(user, case, **submit_kwargs)

    return make


@pytest.fixture
def red(make_published, users, deliver_outbox):
    """电子监察: a case of 张三 at the market regulator left unaccepted past its five working days (submitted
    2026-11-02, due 11-09), and the red card the pass raised on 11-10."""
    import datetime as dt

    from yiwang.cases import clock
    from yiwang.supervision import services
    from yiwang.supervision.models import Warning

    entry = make_published(promised_limit=10)
    citizen = users["demo-citizen"]
    with clock.frozen(dt.date(2026, 11, 2)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
        for item in drafts.checklist(case):
            drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        deliver_outbox()
    services.run_pass(dt.date(2026, 11, 10))
    return case, Warning.objects.get(case=case, rule="acceptance_overdue")


@pytest.fixture
def red_and_older(red):
    """`red`, and a second red card on the same case raised a day earlier (another rule's), so the
    supervisor's list has two cards, the newer first."""
    import datetime as dt

    from yiwang.supervision.models import Warning

    case, warning = red
    older = Warning.objects.get(pk=warning.pk)
    older.pk = None
    older.rule = "deadline_near"
    older.raised_at = warning.raised_at - dt.timedelta(days=1)
    older.save()
    return case, warning, older
