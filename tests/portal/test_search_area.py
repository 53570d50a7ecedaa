"""办事地区: each service is one result, in the copy for the citizen's area (chosen on the page,
kept in a cookie and on the account, else derived from the account's own identifiers), with the
other areas' copies behind the card; the API's `area` gives the same answer."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yiwang.accounts.areas import AREA_COOKIE
from yiwang.accounts.models import AccountKind, Person, User
from yiwang.core.identifiers import ric_check_digit
from yiwang.core.models import Division

pytestmark = pytest.mark.django_db

BEIHE = "159921000000"  # 北河县, in the test region
CITY = "159900000000"  # 青山市


def cards(response):
    return response.context["cards"]


def card(response, official: str):
    return next(c for c in cards(response) if (c.official_name or c.title) == official)


def test_without_an_area_each_service_is_listed_once_with_its_other_areas_behind(client, catalog):
    response = client.get("/items/", {"q": "生孩子"})
    names = [c.official_name or c.title for c in cards(response)]
    assert names.count("出生登记") == 1
    birth = card(response, "出生登记")
    assert birth.total == 4 and birth.others == []  # no area: the count, and a call to choose one
    assert "4 个地区可办理" in response.content.decode()


def test_the_chosen_area_picks_its_own_copy_and_is_remembered(client, catalog):
    response = client.get("/items/", {"q": "生孩子", "area": BEIHE})
    birth = card(response, "出生登记")
    assert birth.department == "北河县政务服务中心"
    assert birth.local and all(o.division != "北河县" for o in birth.others)
    assert "其他地区也可办理（3 个）" in response.content.decode()
    assert response.cookies[AREA_COOKIE].value == BEIHE
    assert f'<option value="{BEIHE}" selected>' in response.content.decode()
    # The next search, without the parameter, keeps the area from the cookie.
    again = client.get("/items/", {"q": "生孩子"})
    assert card(again, "出生登记").department == "北河县政务服务中心"
    assert AREA_COOKIE not in again.cookies  # nothing new to remember
    # 全部地区: no copy preferred, remembered as such.
    everywhere = client.get("/items/", {"q": "生孩子", "area": "all"})
    assert everywhere.cookies[AREA_COOKIE].value == "all"
    assert not card(everywhere, "出生登记").local


def test_an_area_lists_only_services_offered_there(client, catalog):
    """A county's area offers its own departments', the city's and the province's services, and
    its townships'; another county's own service is not listed."""
    beihe = Division.objects.get(code=BEIHE)
    response = client.get("/items/", {"area": BEIHE})
    for c in cards(response):
        division = Division.objects.get(name=c.division)
        assert BEIHE.startswith(division.prefix) or division.code.startswith(beihe.prefix), c


def test_a_signed_in_person_gets_the_area_their_id_number_names_and_can_change_it(client, catalog):
    first17 = BEIHE[:6] + "19800101001"
    user = User.objects.create_user("area-person", password="x-Pass-1234", kind=AccountKind.PERSON)
    Person.objects.create(user=user, name="王五", id_number=first17 + ric_check_digit(first17))
    client.force_login(user)
    assert card(client.get("/items/", {"q": "生孩子"}), "出生登记").department == "北河县政务服务中心"
    client.get("/items/", {"q": "生孩子", "area": CITY})
    user.refresh_from_db()
    assert user.area.code == CITY  # kept on the account too: another device finds it
    client.cookies.clear()
    client.force_login(user)
    assert card(client.get("/items/", {"q": "生孩子"}), "出生登记").department == "青山市公安局"


def test_bad_area_values_are_ignored_on_the_page(client, catalog):
    for value in ["999999", "abc", "1" * 40, "all", "１５９９２１"]:
        response = client.get("/items/", {"q": "生孩子", "area": value})
        assert response.status_code == 200
        assert [c.official_name or c.title for c in cards(response)].count("出生登记") == 1


def test_the_api_area_gives_one_result_per_service_with_other_areas(client, catalog):
    body = client.get("/api/v1/items", {"q": "生孩子", "area": BEIHE[:6]}).json()
    birth = [r for r in body["results"] if r["name"] == "出生登记"]
    assert len(birth) == 1
    assert birth[0]["division_code"] == BEIHE and birth[0]["department"] == "北河县政务服务中心"
    assert len(birth[0]["other_areas"]) == 3 and birth[0]["copies"] == 4
    assert {"code", "department", "division_code", "division"} <= set(birth[0]["other_areas"][0])
    # Without `area`, every implementation is its own result, as before.
    plain = client.get("/api/v1/items", {"q": "生孩子"}).json()
    assert [r["name"] for r in plain["results"]].count("出生登记") == 4
    assert "other_areas" not in plain["results"][0]


def test_the_api_refuses_an_unknown_area_by_name(client, catalog):
    response = client.get("/api/v1/items", {"area": "999999"})
    assert response.status_code == 422
    assert "area" in response.json()["fields"]
    english = client.get("/api/v1/items", {"area": "x" * 13}, headers={"Accept-Language": "en"})
    assert english.status_code == 422


def test_the_area_search_has_no_n_plus_one(client, catalog, django_assert_max_num_queries):
    client.get("/items/", {"area": BEIHE})
    with django_assert_max_num_queries(14):
        response = client.get("/items/", {"q": "登记"})
    assert cards(response)


# --- The cached answer -------------------------------------------------------------------------


def test_a_repeated_search_is_answered_from_the_cache(client, catalog, django_assert_max_num_queries):
    first = client.get("/items/", {"q": "生孩子"})
    with django_assert_max_num_queries(1):  # the catalog's generation
        again = client.get("/items/", {"q": "生孩子"})
    assert again.context is None  # nothing rendered: an anonymous reader's page is kept whole

    def without_tokens(response) -> str:
        return re.sub(r'(csrfmiddlewaretoken" value=|data-csrf=)"[^"]+"', "", response.content.decode())

    assert without_tokens(again) == without_tokens(first)
    # Its CSRF token is the reader's own, fresh: a form posted with it is accepted.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.content.decode()).group(1)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert (
        strict.post("/search/unanswered/", {"q": "生孩子", "csrfmiddlewaretoken": token}).status_code == 204
    )
    # A signed-in reader's page is rendered for them.
    client.force_login(User.objects.get(username="demo-citizen"))
    assert client.get("/items/", {"q": "生孩子"}).context is not None


def test_a_catalog_change_is_seen_by_the_next_search(client, catalog):
    from yiwang.catalog import services
    from yiwang.catalog.models import Entry

    cards = client.get("/items/", {"q": "生孩子", "area": BEIHE}).context["cards"]
    birth = next(c for c in cards if c.official_name == "出生登记" or c.title == "出生登记")
    services.set_entry_status(Entry.objects.get(code=birth.code), None, "cancelled", "机构调整")
    cards = client.get("/items/", {"q": "生孩子"}).context["cards"]
    birth_now = next(c for c in cards if c.official_name == "出生登记" or c.title == "出生登记")
    assert birth_now.code != birth.code  # the cancelled copy is gone, the next nearest shown
    assert birth.code not in {o.code for o in birth_now.others}


def test_a_topic_page_takes_the_area_too(client, catalog):
    response = client.get("/topics/birth-adoption/", {"area": BEIHE})
    assert BEIHE in response.cookies[AREA_COOKIE].value
    assert [c.department for c in cards(response)] == ["北河县政务服务中心"]
