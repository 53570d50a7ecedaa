"""查找办事服务: everyday words, filters, pagination, the empty state, htmx, browsing pages."""

from __future__ import annotations

import re

import pytest

from yiwang.catalog.models import Entry

pytestmark = pytest.mark.django_db


def official_names(response) -> list[str]:
    return [c.official_name or c.title for c in response.context["cards"]]


def html(response) -> str:
    return response.content.decode()


def services(entries) -> int:
    """How many services the entries are: one per official name and plain title, however many
    departments implement it (the search lists each once)."""
    return len({(e.name, e.plain_title) for e in entries})


# --- Home ---------------------------------------------------------------------------------------
def test_home_search_box_goes_to_the_search_page(client, catalog):
    page = html(client.get("/"))
    assert re.search(r'<form method="get" action="/items/" role="search"', page)
    assert "建设中" not in page
    assert 'href="/topics/birth-adoption/"' in page  # topics with published entries


def test_home_with_a_query_redirects_to_the_search_page(client, catalog):
    response = client.get("/", {"q": "生孩子"})
    assert response.status_code == 302
    assert response["Location"] == "/items/?q=%E7%94%9F%E5%AD%A9%E5%AD%90"


# --- Everyday words -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "official", "within"),
    [("生孩子", "出生登记", 1), ("卖房", "不动产转移登记", 1), ("开饭店", "食品经营许可", 3)],
)
def test_everyday_words_find_the_official_item(client, catalog, q, official, within):
    response = client.get("/items/", {"q": q})
    assert response.status_code == 200
    names = official_names(response)
    assert official in names[:within], names


def test_a_result_shows_what_a_citizen_needs(client, catalog):
    response = client.get("/items/", {"q": "开饭店"})
    page = html(response)
    card = next(c for c in response.context["cards"] if c.official_name == "食品经营许可")
    assert card.title == "开饭店办食品经营许可证"
    assert card.full_online and card.visits == "最多跑0次" and card.promised == "5个工作日"
    assert card.case_kind == "承诺件"
    for text in [
        "开饭店办食品经营许可证",
        "正式名称：食品经营许可",
        "青山市市场监督管理局",
        '<span class="badge badge-online">全程网办</span>',
        "最多跑0次",
        "5个工作日",
        "承诺件",
        f'href="/items/{card.code}/"',
    ]:
        assert text in page, text


def test_units_are_never_mixed_or_shortened_to_days(client, catalog):
    cards = client.get("/items/", {"q": "身份证"}).context["cards"]
    idcard = next(c for c in cards if c.official_name == "居民身份证换领")
    assert idcard.promised == "15个自然日"
    instant = client.get("/items/", {"q": "生孩子"}).context["cards"][0]
    assert instant.promised == "当场办结" and instant.case_kind == "即办件"
    for card in client.get("/items/", {"page": 1}).context["cards"]:
        assert "天" not in card.promised


# --- Filters ------------------------------------------------------------------------------------
def test_filter_by_topic(client, catalog):
    response = client.get("/items/", {"topic": "birth-adoption"})
    assert response.context["count"] == 1  # one service, four departments' copies behind its card
    assert official_names(response) == ["出生登记"]
    assert response.context["cards"][0].total == 4


def test_filter_by_audience(client, catalog):
    enterprise = client.get("/items/", {"audience": "enterprise"}).context
    codes = {c.code for c in enterprise["cards"]}
    audiences = {
        e.published.audience for e in Entry.objects.filter(code__in=codes).select_related("published")
    }
    assert audiences <= {"enterprise", "both"} and "enterprise" in audiences
    person = client.get("/items/", {"audience": "person", "q": "开饭店"}).context
    assert "食品经营许可" not in [c.official_name for c in person["cards"]]


def test_filter_by_department_and_level(client, catalog):
    department = catalog.region.departments["city_public_security"]
    response = client.get("/items/", {"department": department.pk})
    assert response.context["count"] == 2
    assert {c.department for c in response.context["cards"]} == {"青山市公安局"}
    townships = client.get("/items/", {"level": 4}).context
    assert sum(c.total for c in townships["cards"]) == 2  # two townships' copies
    assert {c.department for c in townships["cards"]} <= {"东城街道便民服务中心", "北河镇便民服务中心"}
    county = client.get("/items/", {"level": 3, "q": "低保"}).context
    assert [c.department for c in county["cards"]] == ["北河县民政局"]


def test_only_fully_online(client, catalog):
    response = client.get("/items/", {"online": "1"})
    cards = response.context["cards"]
    assert cards and all(c.full_online for c in cards)
    assert response.context["count"] == services(
        e for e in catalog.all_entries if Entry.objects.get(pk=e.pk).published.online_depth == 6
    )
    assert 'id="f-online" name="online" value="1" checked' in html(response)


def test_filters_combine_with_the_query(client, catalog):
    response = client.get("/items/", {"q": "生孩子", "level": 2})
    assert [c.department for c in response.context["cards"] if c.official_name == "出生登记"] == [
        "青山市公安局"
    ]


def test_malformed_parameters_are_ignored(client, catalog):
    response = client.get(
        "/items/",
        {
            "department": "abc",
            "level": "9",
            "audience": "alien",
            "topic": "no-such",
            "page": "-3",
            "online": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["count"] == services(catalog.all_entries)
    assert client.get("/items/", {"q": "开" * 500}).status_code == 200
    assert client.get("/items/", {"q": "\"'<script>%_\\"}).status_code == 200


# --- Pagination ---------------------------------------------------------------------------------
def test_pagination(client, catalog):
    total = services(catalog.all_entries)
    first = client.get("/items/")
    assert first.context["count"] == total and len(first.context["cards"]) == 10
    assert first.context["pages"] == 2
    page = html(first)
    assert 'href="?page=2"' in page and 'aria-current="page">1<' in page
    second = client.get("/items/", {"page": 2})
    assert len(second.context["cards"]) == total - 10
    cards = first.context["cards"] + second.context["cards"]
    assert len({c.code for c in cards}) == total
    # Every entry is counted on its service's card (and listed there once an area is chosen).
    assert sum(c.total for c in cards) == len(catalog.all_entries)
    beyond = client.get("/items/", {"page": 99})
    assert beyond.status_code == 200 and beyond.context["page"] == 2
    # A number past the database's integers (an edited link) is the last page too, not a 500.
    huge = client.get("/items/", {"page": "9" * 20})
    assert huge.status_code == 200 and huge.context["page"] == 2


def test_pagination_keeps_the_query_and_filters(client, catalog):
    page = html(client.get("/items/", {"audience": "person"}))
    assert 'href="?audience=person&amp;page=2"' in page


# --- Empty state ---------------------------------------------------------------------------------
def test_empty_state_helps(client, catalog):
    response = client.get("/items/", {"q": "火星移民"})
    page = html(response)
    assert response.context["count"] == 0
    assert "没有找到与“火星移民”相关的服务" in page
    assert "12345" in page
    assert 'href="/topics/birth-adoption/"' in page  # suggested topics


def test_empty_state_with_filters_offers_to_clear_them(client, catalog):
    page = html(client.get("/items/", {"q": "生孩子", "audience": "enterprise", "level": 4}))
    assert "没有找到" in page and "清除筛选条件" in page


# --- htmx ------------------------------------------------------------------------------------------
def test_search_form_works_without_javascript_and_updates_live_with_htmx(client, catalog):
    page = html(client.get("/items/", {"q": "卖房"}))
    form = re.search(r"<form[^>]*hx-get[^>]*>", page, re.S).group(0)
    assert 'method="get"' in form and 'action="/items/"' in form
    assert "delay:" in form and 'hx-target="#results"' in form
    partial = client.get("/items/", {"q": "卖房"}, headers={"HX-Request": "true"})
    body = html(partial)
    assert "<html" not in body and 'id="results"' in body and "二手房买卖过户" in body
    assert 'id="result-status" hx-swap-oob="innerHTML"' in body
    assert "HX-Request" in partial["Vary"]


# --- Query counts ----------------------------------------------------------------------------------
def test_search_page_has_no_n_plus_one(client, catalog, django_assert_max_num_queries):
    # A constant number: on PostgreSQL each search statement also runs in a savepoint with a
    # planner hint (SAVEPOINT, SET LOCAL, RELEASE), which the bound allows for; one more finds the
    # 一件事 the words name (shown above the single services on the first page).
    with django_assert_max_num_queries(13):
        response = client.get("/items/", {"q": "登记", "audience": "person"})
    assert len(response.context["cards"]) >= 5
    with django_assert_max_num_queries(7):
        response = client.get("/items/")
    assert len(response.context["cards"]) == 10
    with django_assert_max_num_queries(12):
        client.get("/topics/birth-adoption/", {"q": "户口"})


# --- Browsing ---------------------------------------------------------------------------------------
def test_topics_page_lists_both_audiences_with_counts(client, catalog):
    response = client.get("/topics/")
    page = html(response)
    assert "个人办事" in page and "企业办事" in page
    assert re.search(r'href="/topics/birth-adoption/">生育收养</a> <span class="count">4项</span>', page)
    assert re.search(r'href="/topics/business-permit/">经营许可</a> <span class="count">3项</span>', page)
    assert "安全生产与消防" in page and 'href="/topics/safety-fire/"' not in page  # no entries yet


def test_a_topic_page_is_the_search_with_the_topic_preset(client, catalog):
    response = client.get("/topics/business-permit/")
    assert response.status_code == 200
    assert "<h1>经营许可</h1>" in html(response)
    assert set(official_names(response)) == {"食品经营许可", "户外招牌设置审批"}
    narrowed = client.get("/topics/business-permit/", {"q": "招牌"})
    assert official_names(narrowed)[0] == "户外招牌设置审批"
    assert 'action="/topics/business-permit/"' in html(narrowed)
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_departments_page_groups_by_division(client, catalog):
    response = client.get("/departments/")
    groups = {g.name: [d.name for d in g.departments] for g in response.context["groups"]}
    assert "青山市公安局" in groups["青山市"]
    assert groups["北河县北河镇"] == ["北河镇便民服务中心"]
    assert next(iter(groups)) == "青山市"  # the city first, then counties and townships
    department = catalog.region.departments["city_market"]
    assert (
        f'href="/departments/{department.pk}/">青山市市场监督管理局</a> <span class="count">1项</span>'
        in html(response)
    )


def test_a_department_page_is_the_search_with_the_department_preset(client, catalog):
    department = catalog.region.departments["city_education"]
    response = client.get(f"/departments/{department.pk}/")
    assert set(official_names(response)) == {"义务教育入学登记", "教师资格认定"}
    assert client.get("/departments/999999/").status_code == 404


def test_suspended_entries_are_listed_and_marked(client, catalog):
    response = client.get("/items/", {"q": "砍树"})
    card = response.context["cards"][0]
    assert card.official_name == "林木采伐许可证核发" and card.suspended
    assert "暂停办理" in html(response)


# --- English ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/", "/items/?q=生孩子", "/items/?q=nothing-here", "/topics/", "/departments/"]
)
def test_english_pages_do_not_fail(client, catalog, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert '<html lang="en">' in html(response)
