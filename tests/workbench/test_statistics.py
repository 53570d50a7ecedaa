"""事项统计: the supervisor's catalog figures, scoped to their division tree."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_supervisor_sees_the_catalog_figures_of_their_tree(as_user, entry, region, staff):
    from yiwang.catalog import services

    services.submit_version(entry.versions.get(), staff["demo-itemadmin"])
    services.publish_version(entry.versions.get(), staff["demo-reviewer"])
    response = as_user("demo-supervisor").get("/workbench/catalog/statistics/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<dd id="stat-published">1</dd>' in page
    assert "青山市市场监督管理局" in page
    assert "市级" in page and "已认领主项1个" in page


def test_statistics_are_not_for_applicants_or_clerks(as_user, client, region, staff):
    assert as_user("demo-clerk").get("/workbench/catalog/statistics/").status_code in (403, 404)
    anonymous = client.get("/workbench/catalog/statistics/")
    assert anonymous.status_code == 302
