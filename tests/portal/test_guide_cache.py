"""The guide page's cache (portal/guide_cache.py, ADR 14): the body once per published version and
language, the reader's shell on every request, and 304 for anonymous readers who have it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.accounts.middleware import ELDERLY_COOKIE
from yiwang.catalog import services
from yiwang.catalog.guide_document import version_to_document
from yiwang.catalog.models import EntryStatus
from yiwang.core.models import Department
from yiwang.portal import guide_cache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_guide_cache():
    caches[guide_cache.CACHE_ALIAS].clear()
    yield
    caches[guide_cache.CACHE_ALIAS].clear()


def html(response) -> str:
    return response.content.decode()


def without_tokens(page: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', page)


def queries_of(client: Client, path: str, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **kwargs)
    return response, len(ctx)


def republish(entry, **changes):
    """A new version of `entry` with `changes` to its guide document, published."""
    draft = services.start_new_draft(entry, None)
    document = version_to_document(draft)
    document.update(changes)
    services.save_draft(draft, document, None)
    services.submit_version(draft, None)
    services.publish_version(draft, None)
    entry.refresh_from_db()
    return entry


def test_second_request_is_the_same_page_from_one_query(client, catalog):
    path = f"/items/{catalog.first('property').code}/"
    first, cold = queries_of(client, path)
    second, hot = queries_of(client, path)
    assert first.status_code == second.status_code == 200
    assert without_tokens(html(second)) == without_tokens(html(first))
    assert cold >= 5 and hot == 1  # the published version's id (with what may change beside it)


def test_hot_guide_request_runs_at_most_two_statements(catalog, django_assert_max_num_queries):
    path = f"/items/{catalog.first('food').code}/"
    Client().get(path)
    with django_assert_max_num_queries(2):  # a new reader, without any cookie
        assert Client().get(path).status_code == 200
    reader = Client()
    reader.get(path)
    with django_assert_max_num_queries(2):  # a reader with their CSRF cookie
        assert reader.get(path).status_code == 200


def test_a_new_version_shows_at_once(client, catalog):
    entry = catalog.first("birth")
    path = f"/items/{entry.code}/"
    before = client.get(path)
    assert "新生儿上户口" in html(before)
    republish(
        entry, plain_title="给新生儿办户口", acceptance_conditions="新版的受理条件：出生后一个月内申报。"
    )
    after = client.get(path, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    page = html(after)
    assert "给新生儿办户口" in page and "新版的受理条件" in page and "新生儿上户口" not in page
    assert "指南版本 v2" in page


def test_a_suspension_and_a_resumption_show_at_once(client, catalog):
    entry = catalog.first("food")
    path = f"/items/{entry.code}/"
    before = client.get(path)
    assert "本事项暂停办理" not in html(before) and 'id="apply-button"' in html(before)
    services.set_entry_status(entry, None, EntryStatus.SUSPENDED, "食品安全专项检查期间暂停受理")
    suspended = client.get(path, headers={"If-None-Match": before["ETag"]})
    assert suspended.status_code == 200
    page = html(suspended)
    assert "本事项暂停办理" in page and "食品安全专项检查期间暂停受理" in page
    assert 'id="apply"' not in page
    services.set_entry_status(entry, None, EntryStatus.ACTIVE, "")
    resumed = html(client.get(path))
    assert "本事项暂停办理" not in resumed and 'id="apply-button"' in resumed


def _administrator() -> Client:
    from yiwang.accounts.models import User

    admin = Client()
    admin.force_login(User.objects.create_superuser("test-root", password="x-Test-Password-123"))
    return admin


def test_a_department_renamed_in_the_admin_shows_on_its_guide_at_once(client, catalog):
    """The body's key holds the directory generation, which the admin's save bumps (ADR 14)."""
    entry = catalog.first("property")
    department = Department.objects.get(pk=entry.department_id)
    path = f"/items/{entry.code}/"
    before = client.get(path)
    assert department.name in html(before) and client.get(path)["ETag"] == before["ETag"]  # cached
    response = _administrator().post(
        f"/admin/core/department/{department.pk}/change/",
        {
            "name": "青山市自然资源和规划局（新）",
            "short_name": department.short_name,
            "uscc": department.uscc,
            "nature": department.nature,
            "division": department.division_id,
            "parent": department.parent_id or "",
            "phone": department.phone,
            "address": department.address,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = client.get(path, headers={"If-None-Match": before["ETag"]})  # not "not modified"
    assert after.status_code == 200 and "青山市自然资源和规划局（新）" in html(after)


def test_a_rename_made_around_the_admin_shows_once_the_entry_expires(client, catalog):
    """A change the platform did not make (SQL by hand) bumps nothing: seen when the entry expires."""
    entry = catalog.first("property")
    path = f"/items/{entry.code}/"
    before = client.get(path)
    Department.objects.filter(pk=entry.department_id).update(name="青山市自然资源和规划局（改）")
    assert "（改）" not in html(client.get(path))
    caches[guide_cache.CACHE_ALIAS].clear()  # as TIMEOUT would
    after = client.get(path, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and "青山市自然资源和规划局（改）" in html(after)
    assert guide_cache.TIMEOUT <= 600


def test_language_and_elderly_mode(catalog):
    path = f"/items/{catalog.first('property').code}/"
    chinese = Client().get(path)
    english = Client().get(path, headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in html(chinese) and "办理要点" in html(chinese)
    assert '<html lang="en">' in html(english) and "办理要点" not in html(english)
    assert chinese["Content-Language"] == "zh-hans" and english["Content-Language"] == "en"
    assert chinese["ETag"] != english["ETag"]

    elderly = Client()
    elderly.cookies[ELDERLY_COOKIE] = "1"
    big = elderly.get(path)
    assert 'class="elderly"' in html(big) and "退出长辈模式" in html(big)
    assert 'class="elderly"' not in html(chinese) and "退出长辈模式" not in html(chinese)
    assert big["ETag"] != chinese["ETag"]
    # The guide's body is the same in both modes (the mode lives in the shell).
    article = re.compile(r"<article.*</article>", re.S)
    assert without_tokens(article.search(html(big)).group(0)) == without_tokens(
        article.search(html(chinese)).group(0)
    )
    # The reader who turns 长辈模式 on does not get the other mode's page back as "not modified".
    elderly.cookies[ELDERLY_COOKIE] = "0"
    assert elderly.get(path, headers={"If-None-Match": big["ETag"]}).status_code == 200


def test_etag_gives_304_to_the_reader_who_has_the_page(client, catalog):
    path = f"/items/{catalog.first('idcard').code}/"
    first = client.get(path)
    etag = first["ETag"]
    assert etag.startswith('W/"') and "Last-Modified" not in first
    assert first["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in first["Vary"].split(",")}
    response, statements = queries_of(client, path, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b"" and statements == 1
    assert response["ETag"] == etag and response["Cache-Control"] == "private, no-cache"
    assert client.get(path, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200
    # Another reader (another CSRF cookie, so another token in the page) never gets a 304 for it.
    assert Client().get(path, headers={"If-None-Match": etag}).status_code == 200


def test_a_pending_message_is_shown_not_skipped_by_a_304(client, catalog):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    path = f"/items/{catalog.first('idcard').code}/"
    etag = client.get(path)["ETag"]
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "已退出登录。")])
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and "已退出登录。" in html(response)
    assert "ETag" not in response


def test_a_signed_in_readers_header_is_never_served_to_anyone_else(catalog, users):
    path = f"/items/{catalog.first('food').code}/"
    citizen, enterprise, anonymous = Client(), Client(), Client()
    citizen.force_login(users["demo-citizen"])
    enterprise.force_login(users["demo-enterprise"])
    name = users["demo-citizen"].display_name
    mine = citizen.get(path)
    assert name in html(mine) and "退出" in html(mine)
    assert "ETag" not in mine and mine["Cache-Control"] == "private, no-cache"
    # The cached body was filled by the signed-in reader: the others get their own shell.
    theirs = html(enterprise.get(path))
    assert users["demo-enterprise"].display_name in theirs and name not in theirs
    public = anonymous.get(path)
    assert name not in html(public) and 'href="/accounts/login/"' in html(public)
    assert 'id="apply-enterprise-' not in html(public)  # the citizen's enterprises stay theirs
    # A signed-in reader sending an anonymous page's ETag gets the full page with their header.
    again = citizen.get(path, headers={"If-None-Match": public["ETag"]})
    assert again.status_code == 200 and name in html(again)
    # Each page's CSRF token is a mask of its own reader's secret, fresh on every request.
    tokens = {TOKEN.search(html(r)).group(1) for r in (mine, again, public, anonymous.get(path))}
    assert len(tokens) == 4


def test_the_apply_box_follows_the_reader(catalog, users):
    """The agent's enterprises come from the reader, not from the cached body."""
    path = f"/items/{catalog.first('food').code}/"  # for enterprises
    anonymous = html(Client().get(path))
    agent = Client()
    agent.force_login(users["demo-citizen"])  # an authorised agent of an enterprise
    page = html(agent.get(path))
    assert 'id="apply-enterprise-' in page and 'id="apply-enterprise-' not in anonymous
    assert "申请需要先登录" in anonymous and "申请需要先登录" not in page


def test_no_csp_nonce_can_be_frozen_into_the_cache(client, catalog):
    """The pages' CSP allows only our own files and has no nonce; if one is ever added, it must
    be written per request (in the shell), never into the cached body."""
    response = client.get(f"/items/{catalog.first('birth').code}/")
    assert "nonce-" not in response["Content-Security-Policy"]
    assert "nonce" not in html(response)


def test_404_for_unknown_and_cancelled(client, catalog):
    assert client.get("/items/NO-SUCH-CODE/").status_code == 404
    entry = catalog.entries["birth"][2]
    path = f"/items/{entry.code}/"
    assert client.get(path).status_code == 200
    services.set_entry_status(entry, None, EntryStatus.CANCELLED, "机构改革，职能划转")
    assert client.get(path).status_code == 404


def test_the_cached_anonymous_page_carries_a_valid_token_of_each_readers_own(catalog):
    path = f"/items/{catalog.first('birth').code}/"
    toggle = reverse("accounts:elderly-mode")
    Client().get(path)  # the page is cached
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        tokens = set(TOKEN.findall(html(reader.get(path))))
        assert len(tokens) == 1
        assert reader.post(toggle, {"enabled": "1", "next": path}).status_code == 403
        response = reader.post(toggle, {"enabled": "1", "next": path, "csrfmiddlewaretoken": tokens.pop()})
        assert response.status_code == 302
        assert 'class="elderly"' in html(reader.get(path))


def test_a_query_string_reaches_the_pages_next_field(client, catalog):
    path = f"/items/{catalog.first('birth').code}/"
    client.get(path)
    page = html(client.get(path + "?from=search"))
    assert 'name="next" value="/items/' in page and "?from=search" in page
    assert "?from=search" not in html(client.get(path))
