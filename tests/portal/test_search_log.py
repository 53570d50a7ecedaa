"""未答检索: questions that find nothing, or whose results nobody opens, are logged without personal
data; an item administrator teaches the search in one step and the next citizen finds the service."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import SearchMiss, SearchPhrase

pytestmark = pytest.mark.django_db


def official_names(response) -> list[str]:
    return [c.official_name or c.title for c in response.context["cards"]]


@pytest.fixture
def itemadmin(catalog) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="demo-itemadmin"))
    return client


def test_a_question_that_finds_nothing_is_logged_once_with_its_count(client, catalog):
    for _ in range(2):  # the second answer comes from the cache, and still counts
        assert (
            "没有找到与“养条狗要办啥”相关的服务"
            in client.get("/items/", {"q": "养条狗要办啥"}).content.decode()
        )
    miss = SearchMiss.objects.get(query="养条狗要办啥")
    assert (miss.no_result, miss.no_click) == (2, 0)
    client.get("/items/", {"q": "生孩子"})  # found: nothing logged
    assert not SearchMiss.objects.filter(query="生孩子").exists()


@pytest.mark.parametrize(
    "q",
    ["身份证110101199003071234丢了", "我的电话13800138000", "找 a@b.cn", "养狗" * 30],
)
def test_personal_data_is_never_logged(client, catalog, q):
    client.get("/items/", {"q": q})
    client.post("/search/unanswered/", {"q": q})
    assert not SearchMiss.objects.exists()


def test_results_left_unopened_are_reported_by_the_page(client, catalog):
    page = client.get("/items/", {"q": "卖房"}).content.decode()
    assert 'data-search-q="卖房"' in page and 'data-unanswered-url="/search/unanswered/"' in page
    assert client.post("/search/unanswered/", {"q": "卖房"}).status_code == 204
    assert SearchMiss.objects.get(query="卖房").no_click == 1
    assert client.get("/search/unanswered/").status_code == 405


def test_the_report_is_rate_limited_per_address(client, catalog):
    codes = [client.post("/search/unanswered/", {"q": f"问题{i}"}).status_code for i in range(22)]
    assert codes[:20] == [204] * 20 and codes[20:] == [429, 429]
    assert SearchMiss.objects.count() == 20


def test_the_report_needs_the_pages_csrf_token(catalog):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/search/unanswered/", {"q": "卖房"}).status_code == 403
    assert not SearchMiss.objects.exists()


def test_an_item_administrator_teaches_the_search_in_one_step(client, catalog, itemadmin):
    client.post("/search/unanswered/", {"q": "开小吃摊"})  # its results were left unopened
    miss = SearchMiss.objects.get(query="开小吃摊")
    page = itemadmin.get("/workbench/catalog/search-misses/")
    assert page.status_code == 200 and "开小吃摊" in page.content.decode()
    item_name = catalog.entries["food"][0].catalog_item.name
    assert item_name not in official_names(client.get("/items/", {"q": "开小吃摊"}))[:1]
    response = itemadmin.post(
        f"/workbench/catalog/search-misses/{miss.pk}/fix/", {"action": "teach", "other": item_name}
    )
    assert response.status_code == 302
    miss.refresh_from_db()
    assert miss.resolved_at is not None and item_name in miss.resolution
    assert SearchPhrase.objects.filter(phrase="开小吃摊", catalog_item__name=item_name).exists()
    found = client.get("/items/", {"q": "开小吃摊"})
    assert official_names(found)[0] == item_name
    # The done tab shows it; the phrase can be taken back, and the search forgets it.
    done = itemadmin.get("/workbench/catalog/search-misses/", {"state": "done"}).content.decode()
    assert "开小吃摊" in done
    phrase = SearchPhrase.objects.get(phrase="开小吃摊")
    itemadmin.post(f"/workbench/catalog/search-phrases/{phrase.pk}/forget/")
    assert item_name not in official_names(client.get("/items/", {"q": "开小吃摊"}))[:1]


def test_a_suggestion_is_one_click_and_dismissing_closes_the_miss(client, catalog, itemadmin):
    client.post("/search/unanswered/", {"q": "卖房"})
    client.get("/items/", {"q": "火星移民"})
    page = itemadmin.get("/workbench/catalog/search-misses/")
    rows = {r["miss"].query: r for r in page.context["rows"]}
    item_id, _name = rows["卖房"]["suggestions"][0]
    sell = SearchMiss.objects.get(query="卖房")
    itemadmin.post(f"/workbench/catalog/search-misses/{sell.pk}/fix/", {"action": "teach", "item": item_id})
    assert SearchPhrase.objects.get(phrase="卖房").catalog_item_id == item_id
    mars = SearchMiss.objects.get(query="火星移民")
    itemadmin.post(f"/workbench/catalog/search-misses/{mars.pk}/fix/", {"action": "dismiss"})
    mars.refresh_from_db()
    assert mars.resolved_at is not None
    assert [r["miss"].query for r in itemadmin.get("/workbench/catalog/search-misses/").context["rows"]] == []
    # Asked again and still finding nothing: it comes back.
    client.get("/items/", {"q": "火星移民"})
    mars.refresh_from_db()
    assert mars.resolved_at is None and mars.no_result == 2


def test_bad_fix_input_is_a_message_not_an_error(client, catalog, itemadmin):
    client.get("/items/", {"q": "火星移民"})
    miss = SearchMiss.objects.get(query="火星移民")
    url = f"/workbench/catalog/search-misses/{miss.pk}/fix/"
    for data in [{"item": "99999999"}, {"item": "x" * 500}, {"other": "没有这个事项"}, {"item": "-1"}]:
        response = itemadmin.post(url, {"action": "teach", **data}, follow=True)
        assert response.status_code == 200
        assert "没有找到要教给搜索的事项" in response.content.decode()
    miss.refresh_from_db()
    assert miss.resolved_at is None
    assert (
        itemadmin.post("/workbench/catalog/search-misses/999999/fix/", {"action": "dismiss"}).status_code
        == 404
    )


def test_only_item_administrators_open_the_page(client, catalog):
    assert client.get("/workbench/catalog/search-misses/").status_code == 302  # sign in first
    clerk = Client()
    clerk.force_login(User.objects.get(username="demo-clerk"))
    assert clerk.get("/workbench/catalog/search-misses/").status_code == 403
    citizen = Client()
    citizen.force_login(User.objects.get(username="demo-citizen"))
    assert citizen.get("/workbench/catalog/search-misses/").status_code == 404
