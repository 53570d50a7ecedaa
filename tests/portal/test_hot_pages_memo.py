"""The hottest pages outside any transaction, as a server runs them (ADR 14): a repeat reader's
guide and a repeated search need no statement, this process's own change shows at once, and
another process's within `generations.FRESH`."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.catalog import services
from yiwang.catalog.models import Entry, EntryStatus
from yiwang.core import generations, memo
from yiwang.core.models import Generation

from .catalog_data import build_catalog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def food(region, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_catalog(region).first("food")


@pytest.fixture
def clock(monkeypatch):
    """The memos' clock, moved on by hand."""

    class Clock:
        now = time.monotonic()

        def monotonic(self) -> float:
            return self.now

    fake = Clock()
    monkeypatch.setattr(memo, "time", fake)
    return fake


def statements(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def test_repeat_readers_cost_no_statement(food):
    reader = Client()
    guide, search = f"/items/{food.code}/", "/items/?q=食品经营"
    for path in (guide, search):
        statements(reader, path)
        assert statements(reader, path)[1] == 0
        assert statements(Client(), path)[1] == 0  # a new reader, on the page kept whole


def test_a_first_time_question_reads_only_the_copies_it_shows(food):
    """The ranking comes from the services in memory (catalog/service_index.py): a question never
    asked reads the entries to show, and the bundles answering it on the first page."""
    reader = Client()
    statements(reader, "/items/?q=营业执照")  # the index built once for this generation
    page, count = statements(reader, "/items/?q=食品经营")
    assert food.name in page
    assert count == 2


def test_this_processs_own_change_shows_at_once(food, clock):
    reader, path = Client(), f"/items/{food.code}/"
    assert "本事项暂停办理" not in statements(reader, path)[0]
    services.set_entry_status(food, None, EntryStatus.SUSPENDED, "系统升级期间暂停受理")
    assert "系统升级期间暂停受理" in statements(reader, path)[0]  # the clock has not moved
    services.set_entry_status(food, None, EntryStatus.CANCELLED, "事项取消")
    assert f"/items/{food.code}/" not in statements(reader, "/items/?q=食品经营")[0]


def test_another_processs_change_shows_within_fresh_seconds(food, clock):
    reader, path = Client(), f"/items/{food.code}/"
    assert "本事项暂停办理" not in statements(reader, path)[0]
    # What another process's suspension commits: the entry's row and the catalog's generation.
    Entry.objects.filter(pk=food.pk).update(status=EntryStatus.SUSPENDED, status_reason="另一进程暂停")
    Generation.objects.filter(key=generations.CATALOG).update(n=generations.current(generations.CATALOG) + 1)
    clock.now += generations.FRESH / 2
    assert "另一进程暂停" not in statements(reader, path)[0]
    clock.now += generations.FRESH
    assert "另一进程暂停" in statements(reader, path)[0]


def test_another_processs_rename_in_the_admin_shows_within_fresh_seconds(food, clock):
    """What another process's admin save commits: the department's row and the directory and
    catalog generations (`generations.directory_changed`)."""
    from yiwang.core.models import Department

    reader, guide, search = Client(), f"/items/{food.code}/", "/items/?q=食品经营"
    statements(reader, guide), statements(reader, search)
    Department.objects.filter(pk=food.department_id).update(name="青山市市场监督管理局（新）")
    for key in (generations.DIRECTORY, generations.CATALOG):
        Generation.objects.update_or_create(key=key, defaults={"n": generations.current(key) + 1})
    clock.now += generations.FRESH / 2
    assert "（新）" not in statements(reader, guide)[0]
    clock.now += generations.FRESH
    assert "青山市市场监督管理局（新）" in statements(reader, guide)[0]
    assert "青山市市场监督管理局（新）" in statements(reader, search)[0]


def test_this_processs_topic_renamed_in_the_admin_shows_in_search_at_once(food, clock):
    from yiwang.accounts.models import User
    from yiwang.catalog.models import Topic

    reader, search = Client(), "/items/?q=食品经营"
    topic = Topic.objects.filter(audience__in=["person", "both"]).order_by("order").first()
    assert topic.name in statements(reader, search)[0]
    admin = Client()
    admin.force_login(User.objects.create_superuser("test-root", password="x-Test-Password-123"))
    response = admin.post(
        f"/admin/catalog/topic/{topic.pk}/change/",
        {
            "code": topic.code,
            "name": "新的主题名",
            "name_en": topic.name_en,
            "audience": topic.audience,
            "order": topic.order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = statements(reader, search)[0]  # the clock has not moved
    assert "新的主题名" in page and f">{topic.name}<" not in page
