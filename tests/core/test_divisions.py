"""Divisions and departments: creating them through services and reading subtrees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yiwang.core import queries, services
from yiwang.core.identifiers import uscc_with_check
from yiwang.core.models import Department, Division, DivisionLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    province = services.create_division("150000", "内蒙古自治区")
    city = services.create_division("159900", "青山市")
    county = services.create_division("159902", "城关区")
    other_county = services.create_division("159921", "北河县")
    township = services.create_division("159902001000", "东城街道")
    village = services.create_division("159902001001", "光明社区")
    return locals()


def test_created_divisions_know_level_parent_and_prefix(tree):
    city, county, village = tree["city"], tree["county"], tree["village"]
    assert city.level == DivisionLevel.CITY and city.parent == tree["province"] and city.prefix == "1599"
    assert county.code == "159902000000" and county.short_code == "159902" and county.parent == city
    assert village.level == DivisionLevel.VILLAGE and village.prefix == "159902001001"
    assert village.short_code == "159902001001"
    assert village.parent == tree["township"]


def test_division_needs_its_parent():
    with pytest.raises(ValidationError) as info:
        services.create_division("159900", "青山市")
    assert "150000000000" in info.value.message_dict["code"][0]


def test_duplicate_malformed_and_nameless_divisions(tree):
    with pytest.raises(ValidationError) as info:
        services.create_division("159902", "重复")
    assert "已存在" in info.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as info:
        services.create_division("15990", "短")
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.create_division("159903", "  ")
    assert "name" in info.value.message_dict


def test_subtree_queries(tree):
    assert {d.name for d in queries.divisions_in_subtree(tree["county"])} == {
        "城关区",
        "东城街道",
        "光明社区",
    }
    assert tree["other_county"] not in queries.divisions_in_subtree(tree["county"])
    assert queries.divisions_in_subtree(tree["city"]).count() == 5
    assert [d.name for d in queries.division_path(tree["village"])] == [
        "内蒙古自治区",
        "青山市",
        "城关区",
        "东城街道",
        "光明社区",
    ]
    assert list(queries.divisions_at_level(DivisionLevel.COUNTY)) == [tree["county"], tree["other_county"]]


def test_division_path_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(queries.division_path(tree["village"])) == 5


def test_departments(tree):
    dept = services.create_department(
        name=" 城关区政务服务中心 ", uscc=uscc_with_check("12159902015990200").lower(), division="159902"
    )
    assert dept.name == "城关区政务服务中心" and dept.uscc == uscc_with_check("12159902015990200")
    services.create_department(
        name="北河县民政局", uscc=uscc_with_check("11159921015992100"), division="159921"
    )
    assert list(queries.departments_in_subtree(tree["county"])) == [dept]
    assert queries.departments_in_subtree(tree["city"]).count() == 2


def test_department_errors_are_collected_by_field(tree):
    with pytest.raises(ValidationError) as info:
        services.create_department(name="", uscc="91110000600037341M", division="159999", nature="bogus")
    assert set(info.value.message_dict) == {"name", "uscc", "division", "nature"}
    good = uscc_with_check("12159902015990200")
    services.create_department(name="甲", uscc=good, division=tree["county"])
    with pytest.raises(ValidationError) as info:
        services.create_department(name="乙", uscc=good, division=tree["county"])
    assert "已被其他部门使用" in info.value.message_dict["uscc"][0]
    with pytest.raises(ValidationError) as info:
        services.create_department(name="甲", uscc=uscc_with_check("12159902015990201"), division="159902")
    assert "name" in info.value.message_dict
    assert Department.objects.count() == 1


def test_get_division_by_code_accepts_6_and_12_digits(tree):
    assert services.get_division_by_code("159902") == tree["county"]
    assert services.get_division_by_code("159902000000") == tree["county"]
    with pytest.raises(ValidationError) as info:
        services.get_division_by_code("159999")
    assert "159999" in info.value.message_dict["division"][0]
    assert Division.objects.count() == 6
