"""GET /api/v1/divisions and /api/v1/departments on the demo region."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.core import services
from yiwang.core.identifiers import uscc_with_check
from yiwang.core.models import Department, Division
from yiwang.demo.region import DIVISIONS

N_DIVISIONS = len(DIVISIONS)

pytestmark = pytest.mark.usefixtures("demo_region")


def get(client, url, **params):
    response = client.get(url, params)
    return response.status_code, response.json()


# --- Divisions --------------------------------------------------------------------------------
def test_division_list_shape(client):
    status, body = get(client, "/api/v1/divisions")
    assert status == 200
    assert set(body) == {"count", "results"}
    assert body["count"] == Division.objects.count() == N_DIVISIONS
    codes = [d["code"] for d in body["results"]]
    assert codes == sorted(codes)
    first = body["results"][0]
    assert first == {
        "code": "150000000000",
        "short_code": "150000",
        "name": "内蒙古自治区",
        "level": 1,
        "parent_code": None,
    }


def test_children_of_a_division(client):
    for code in ("159900", "159900000000"):
        status, body = get(client, "/api/v1/divisions", parent=code)
        assert status == 200
        assert [d["name"] for d in body["results"]] == ["青山市城关区", "北河县", "南原市"]
        assert all(d["parent_code"] == "159900000000" for d in body["results"])


def test_subtree_of_a_division(client):
    status, body = get(client, "/api/v1/divisions", within="159921")
    assert status == 200
    expected = [c for c, _name in DIVISIONS if c.startswith("159921")]
    assert body["count"] == len(expected) >= 7  # the county, its townships and villages
    assert all(d["code"].startswith("159921") for d in body["results"])
    status, body = get(client, "/api/v1/divisions", within="159921", level=5)
    villages = [c for c in expected if len(c) == 12 and not c.endswith("000")]
    assert body["count"] == len(villages) >= 4 and {d["level"] for d in body["results"]} == {5}


def test_divisions_by_level(client):
    status, body = get(client, "/api/v1/divisions", level=3)
    assert status == 200
    assert [d["short_code"] for d in body["results"]] == ["159902", "159921", "159981"]


@pytest.mark.parametrize("param", ["parent", "within"])
@pytest.mark.parametrize("code", ["159999", "999999999999", "abc", "15990"])
def test_unknown_division_code_is_422(client, param, code):
    status, body = get(client, "/api/v1/divisions", **{param: code})
    assert status == 422
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["division"]
    assert code in body["fields"]["division"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"level": 6}, "level"),
        ({"level": 0}, "level"),
    ],
)
def test_bad_list_parameters_are_422(client, params, field):
    status, body = get(client, "/api/v1/divisions", **params)
    assert status == 422
    assert list(body["fields"]) == [field]


def test_pages(client):
    _s, page1 = get(client, "/api/v1/divisions", page_size=10)
    _s, page3 = get(client, "/api/v1/divisions", page_size=10, page=3)
    assert len(page1["results"]) == 10 and len(page3["results"]) == min(10, N_DIVISIONS - 20)
    assert page1["count"] == page3["count"] == N_DIVISIONS
    _s, everything = get(client, "/api/v1/divisions", page_size=200)
    codes = [d["code"] for d in everything["results"]]
    assert codes[:10] == [d["code"] for d in page1["results"]]
    assert codes[20:30] == [d["code"] for d in page3["results"]]


@pytest.mark.parametrize("page", [100, 10**6, 10**30])
def test_pages_past_the_end_are_empty_not_500(client, page):
    status, body = get(client, "/api/v1/divisions", page_size=10, page=page)
    assert status == 200
    assert body == {"count": N_DIVISIONS, "results": []}


def test_one_division(client):
    for code in ("159921", "159921000000"):
        status, body = get(client, f"/api/v1/divisions/{code}")
        assert status == 200
        assert body == {
            "code": "159921000000",
            "short_code": "159921",
            "name": "北河县",
            "level": 3,
            "parent_code": "159900000000",
        }
    status, body = get(client, "/api/v1/divisions/159921100201")
    assert status == 200
    assert body["short_code"] == "159921100201" and body["level"] == 5
    assert body["parent_code"] == "159921100000"


@pytest.mark.parametrize("code", ["159999", "159921100299", "abc", "1", "１５９９２１"])
def test_unknown_division_is_404(client, code):
    status, body = get(client, f"/api/v1/divisions/{code}")
    assert status == 404
    assert body["code"] == "not_found" and body["fields"] == {}


# --- Departments ----------------------------------------------------------------------------------
def test_department_list(client, demo_region):
    status, body = get(client, "/api/v1/departments", page_size=200)
    assert status == 200
    assert body["count"] == len(demo_region.departments) == len(body["results"])
    first = body["results"][0]
    assert set(first) == {
        "id",
        "name",
        "short_name",
        "uscc",
        "nature",
        "division_code",
        "division_name",
        "parent_id",
        "phone",
        "address",
    }
    assert [d["division_code"] for d in body["results"]] == sorted(
        d["division_code"] for d in body["results"]
    )


def test_departments_in_a_division_include_its_subtree(client, demo_region):
    status, body = get(client, "/api/v1/departments", division="159902")
    assert status == 200
    names = {d["name"] for d in body["results"]}
    assert {"城关区政务服务中心", "城关区市场监督管理局", "东城街道便民服务中心"} <= names
    assert names == {d.name for d in demo_region.departments.values() if d.division.code.startswith("159902")}
    status, body = get(client, "/api/v1/departments", division="159900000000", page_size=200)
    assert body["count"] == len(demo_region.departments)
    status, body = get(client, "/api/v1/departments", division="159921100000")
    assert [d["name"] for d in body["results"]] == ["北河镇便民服务中心"]


def test_department_search(client, demo_region):
    _s, body = get(client, "/api/v1/departments", q="政务服务")
    expected = {d.name for d in demo_region.departments.values() if "政务服务" in d.name}
    assert len(expected) >= 4 and {d["name"] for d in body["results"]} == expected
    uscc = demo_region.departments["beihe_service"].uscc
    _s, body = get(client, "/api/v1/departments", q=uscc.lower())
    assert [d["uscc"] for d in body["results"]] == [uscc]
    status, body = get(client, "/api/v1/departments", q="x" * 51)
    assert status == 422 and "q" in body["fields"]


def test_unknown_division_filter_is_422(client):
    status, body = get(client, "/api/v1/departments", division="159999")
    assert status == 422 and list(body["fields"]) == ["division"]


def test_inactive_departments_are_hidden(client, demo_region):
    dept = demo_region.departments["city_water"]
    Department.objects.filter(pk=dept.pk).update(is_active=False)
    _s, body = get(client, "/api/v1/departments", page_size=200)
    assert dept.pk not in {d["id"] for d in body["results"]}
    assert client.get(f"/api/v1/departments/{dept.pk}").status_code == 404


def test_one_department(client, demo_region):
    dept = demo_region.departments["beihe_civil_affairs"]
    status, body = get(client, f"/api/v1/departments/{dept.pk}")
    assert status == 200
    assert body["name"] == "北河县民政局" and body["division_code"] == "159921000000"
    assert body["division_name"] == "北河县" and body["uscc"] == dept.uscc


@pytest.mark.parametrize("ident", ["999999", "0", "-1", "99999999999999999999999"])
def test_unknown_department_is_404(client, ident):
    status, body = get(client, f"/api/v1/departments/{ident}")
    assert status == 404 and body["code"] == "not_found"


def test_non_numeric_department_id_is_not_a_500(client):
    assert client.get("/api/v1/departments/abc").status_code in (404, 422)


def add_departments(n: int, start: int) -> None:
    county = Division.objects.get(code="159981000000")
    for i in range(start, start + n):
        services.create_department(
            name=f"测试部门{i:03d}", uscc=uscc_with_check(f"11159981{i:09d}"), division=county
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_department_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    add_departments(20, 1)
    url = "/api/v1/departments?page_size=200"
    with django_assert_max_num_queries(3):
        client.get(url)
    few = count_queries(client, url)
    add_departments(30, 100)
    assert count_queries(client, url) == few
    assert count_queries(client, "/api/v1/departments?page_size=200&division=159981") <= few + 1


def test_division_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/divisions?page_size=200").status_code == 200


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/departments", {"q": "a\x00b"}, "q"),
        ("/api/v1/departments", {"division": "1599\x0000"}, "division"),
        ("/api/v1/divisions", {"within": "1599\x0000"}, "within"),
        ("/api/v1/divisions", {"parent": "\x00"}, "parent"),
    ],
)
def test_nul_in_query_strings_is_422(client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


def test_nul_in_a_division_path_is_404(client):
    assert client.get("/api/v1/divisions/1599%0000").status_code == 404
