"""Catalog statistics against a small catalog whose figures are counted by hand below."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.test_search import GUIDE, build_catalog, publish
from yiwang.catalog import services, stats
from yiwang.catalog.models import CatalogItem
from yiwang.core.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(region):
    entries = build_catalog(region)
    d = region.departments
    # A sub-item of a main item city_market already claims: one more claim, no new main item.
    sub = services.create_catalog_item(
        basic_code="150100501001", name="食品经营许可（小餐饮）", item_type="01"
    )
    services.claim_item(d["city_market"], sub)
    # Promised = legal: not compressed; two materials.
    item = services.create_catalog_item(basic_code="150700903000", name="教师资格定期注册", item_type="07")
    doc = {
        **GUIDE,
        "name": item.name,
        "plain_title": "教师资格证注册",
        "legal_limit": 10,
        "promised_limit": 10,
    }
    doc["materials"] = [*GUIDE["materials"], {"name": "近五年工作业绩证明", "source": "applicant"}]
    publish(services.compile_entry(services.claim_item(d["city_education"], item), None, doc))
    # Units differ (workdays against hours): not comparable; two visits.
    item = services.create_catalog_item(basic_code="150500704000", name="高龄津贴发放", item_type="05")
    doc = {
        **GUIDE,
        "name": item.name,
        "plain_title": "领高龄补贴",
        "promised_limit": 24,
        "promised_limit_unit": "hour",
        "visits_required": 2,
    }
    publish(services.compile_entry(services.claim_item(d["city_civil_affairs"], item), None, doc))
    # An ex officio power, compiled but not published.
    item = services.create_catalog_item(
        basic_code="150200501000",
        name="对未取得食品经营许可从事食品经营活动的行政处罚",
        item_type="02",
        initiation="ex_officio",
    )
    services.compile_entry(services.claim_item(d["city_market"], item), None)
    return entries


def counts(row: dict) -> tuple[int, int, int, int]:
    return row["claimed"], row["main_items"], row["compiled"], row["published"]


def test_claims_by_level_and_category_like_the_seed_report(catalog):
    result = stats.catalog_stats()
    table = {(r["level"], r["category"]): counts(r) for r in result["claims"]["by_level"]}
    assert table == {
        (2, "application_power"): (21, 20, 19, 18),
        (2, "ex_officio_power"): (1, 1, 1, 0),
        (2, "public_service"): (8, 8, 8, 8),
        (3, "application_power"): (2, 2, 2, 2),
    }
    assert counts(result["claims"]["totals"]) == (32, 31, 30, 28)
    assert [r["category_name"] for r in result["claims"]["by_level"]][:3] == [
        "依申请行政权力事项",
        "依职权行政权力事项",
        "公共服务事项",
    ]
    assert stats.report_lines(result)[0] == "市级依申请行政权力事项已认领主项20个，编制实施清单19个，发布18个"


def test_claims_by_type_and_department(catalog, region):
    result = stats.catalog_stats()
    by_type = {r["item_type"]: counts(r) for r in result["claims"]["by_type"]}
    assert by_type == {
        "01": (11, 10, 9, 8),
        "02": (1, 1, 1, 0),
        "05": (1, 1, 1, 1),
        "07": (11, 11, 11, 11),
        "20": (8, 8, 8, 8),
    }
    by_department = {r["department"]: counts(r) for r in result["claims"]["by_department"]}
    assert by_department["青山市市场监督管理局"] == (5, 4, 4, 3)
    assert by_department["城关区市场监督管理局"] == (1, 1, 1, 1)
    assert by_department["青山市林业和草原局"] == (1, 1, 1, 0)  # a draft only
    # The cancelled one is neither compiled nor published.
    assert by_department["青山市公安局"] == (8, 8, 7, 7)


def test_published_guide_indicators(catalog):
    result = stats.catalog_stats()
    assert result["published"] == 28
    assert result["time_limits"] == {
        "comparable": 27,
        "compressed": 26,
        "compressed_share": 0.963,
        "average_ratio": 0.2778,
        "average_compression": 0.7222,
    }
    assert result["materials_per_entry"] == 1.04
    depths = {r["depth"]: r["count"] for r in result["online_depth"]}
    assert depths == {0: 0, 1: 0, 2: 0, 3: 0, 4: 25, 5: 0, 6: 3}
    assert result["online_depth"][6]["name"] == "全程网办"
    assert result["full_online_share"] == 0.1071
    assert result["online_share"] == 1.0
    assert result["instant_share"] == 0.0357
    assert result["zero_visit_share"] == 0.1071
    assert result["at_most_one_visit_share"] == 0.9643


def test_a_division_counts_its_own_tree(catalog):
    chengguan = Division.objects.get(code="159902000000")
    result = stats.catalog_stats(chengguan)
    assert result["division"] == {"code": "159902000000", "name": "青山市城关区"}
    assert counts(result["claims"]["totals"]) == (1, 1, 1, 1)
    assert result["published"] == 1 and result["time_limits"]["average_ratio"] == 0.25
    empty = stats.catalog_stats(Division.objects.get(code="159981000000"))
    assert empty["published"] == 0 and empty["claims"]["by_level"] == []
    assert empty["materials_per_entry"] is None and empty["instant_share"] is None


def test_query_count_does_not_grow_with_the_catalog(catalog, region):
    with CaptureQueriesContext(connection) as small:
        stats.catalog_stats()
    for n in range(5):
        item = services.create_catalog_item(basic_code=f"15070095{n}000", name=f"测试事项{n}", item_type="07")
        doc = {**GUIDE, "name": item.name, "plain_title": item.name}
        publish(services.compile_entry(services.claim_item(region.departments["city_hrss"], item), None, doc))
    with CaptureQueriesContext(connection) as large:
        result = stats.catalog_stats()
    assert result["published"] == 33
    assert len(large) == len(small) <= 8
    assert CatalogItem.objects.count() == 35
