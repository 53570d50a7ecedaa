"""The statistics API and page: the figures with their definitions, bad input (422 naming the
field, never a 500), who sees what (another department's staff see only theirs), the Excel export,
the page with its tables, chart and link."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from stats.conftest import EXPECTED_FIGURES, NOVEMBER
from yiwang.stats import queries

Q = "from=2026-11-01&to=2026-11-30"


def test_overview_and_dimensions(api, dataset):
    answer = api("get", f"/stats/overview?{Q}", "demo-supervisor")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["figures"] == EXPECTED_FIGURES
    assert body["definitions"]["no_visit_rate"].startswith("不见面率")
    by = api("get", f"/stats/by/channel?{Q}", "demo-supervisor").json()
    assert {r["key"]: r["figures"]["online_rate"] for r in by["results"]} == {"online": 100.0, "window": 0.0}
    assert "definitions" in by
    scoped = api("get", f"/stats/overview?{Q}&division=159900", "demo-supervisor")
    assert scoped.json()["filters"]["division_name"] == "青山市"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-12-01&to=2026-11-01", "from"),
        ("from=2000-01-01&to=2026-11-30", "to"),
        ("division=999999", "division"),
        ("division=abc", "division"),
        ("department=2000000001", "department"),
        ("from=2026-13-01", "from"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, region, query, field):
    answer = api("get", f"/stats/overview?{query}", "demo-supervisor")
    assert answer.status_code == 422, answer.content
    assert field in str(answer.json()["fields"]), answer.json()


def test_unknown_dimension_and_far_dates(api, region):
    answer = api("get", "/stats/by/colour", "demo-supervisor")
    assert answer.status_code == 422 and "dimension" in str(answer.json()["fields"])
    far = api("get", "/stats/overview?from=0001-01-01&to=0001-01-03", "demo-supervisor")
    assert far.status_code == 200 and far.json()["previous"] is None
    end = api("get", "/stats/by/month?from=9999-12-01&to=9999-12-31", "demo-supervisor")
    assert end.status_code == 200


def test_who_sees_what(api, dataset):
    own = api("get", f"/stats/overview?{Q}", "demo-reviewer").json()  # the market regulator
    assert own["counts"]["submitted"] == 5
    other = api("get", f"/stats/overview?{Q}", "demo-reviewer-civil").json()  # civil affairs
    assert other["counts"]["submitted"] == 0 and other["figures"]["online_rate"] is None
    # A filter never widens the reach: the civil affairs reviewer naming the regulator sees nothing.
    named = api(
        "get", f"/stats/overview?{Q}&department={dataset['entry'].department_id}", "demo-reviewer-civil"
    )
    assert named.json()["counts"]["submitted"] == 0
    district = api("get", f"/stats/overview?{Q}", "demo-clerk-chengguan").json()
    assert district["counts"]["submitted"] == 0
    assert api("get", f"/stats/overview?{Q}", "demo-citizen").status_code == 403
    assert api("get", f"/stats/by/department?{Q}", "demo-itemadmin").status_code == 403


def test_export_xlsx(api, dataset):
    from openpyxl import load_workbook

    answer = api("get", f"/stats/export.xlsx?{Q}&dimension=item", "demo-supervisor")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["概况", "按事项", "口径"]
    rows = list(book["概况"].iter_rows(values_only=True))
    assert rows[2][:5] == ("网办率", 60.0, None, 3, 5)
    assert api("get", "/stats/export.xlsx?dimension=nope", "demo-supervisor").status_code == 422


def test_the_page(client, dataset, users):
    client.force_login(users["demo-supervisor"])
    page = client.get("/workbench/stats/", NOVEMBER)
    assert page.status_code == 200
    body = page.content.decode()
    assert "60.0%" in body and "网办率 = 网上申请件数 ÷ 申请件数" in body
    assert "<svg" in body and "<script>" not in body.split("</header>")[-1]
    assert "/workbench/stats/export.xlsx?" in body and "东城街道便民服务中心" in body
    # Drill down to the department: its items.
    drilled = client.get("/workbench/stats/", {**NOVEMBER, "department": dataset["entry"].department_id})
    assert "按事项" in drilled.content.decode()
    bad = client.get("/workbench/stats/", {"from": "2026-12-01", "to": "2026-11-01"})
    assert bad.status_code == 400 and "起始日期不能晚于截止日期" in bad.content.decode()
    export = client.get("/workbench/stats/export.xlsx", NOVEMBER)
    assert export.status_code == 200 and export.content[:2] == b"PK"
    home = client.get("/workbench/")
    assert "/workbench/stats/" in home.content.decode()


def test_the_page_is_for_handlers_and_supervisors(client, region, users):
    client.force_login(users["demo-itemadmin"])
    assert client.get("/workbench/stats/").status_code == 403
    client.force_login(users["demo-citizen"])
    assert client.get("/workbench/stats/").status_code == 404
    client.force_login(users["demo-reviewer"])
    assert client.get("/workbench/stats/").status_code == 200


def test_a_long_ranked_table_shows_its_largest_rows_and_offers_them_all(client, dataset, users, monkeypatch):
    """A city's supervisor has hundreds of departments: the page lists the largest, the download
    has them all (here with one row shown, as the dataset has two windows)."""
    from yiwang.workbench import stats_views

    monkeypatch.setattr(stats_views, "SHOWN_ROWS", 1)
    client.force_login(users["demo-supervisor"])
    body = client.get("/workbench/stats/", NOVEMBER).content.decode()
    window = body.split('id="table-4-title"')[1].split("</section>")[0]
    assert "按受理窗口" in window and window.count('<th scope="row">') == 1
    assert "只列出申请件数最多的 1 个（共 3 个）" in window
    assert "/workbench/stats/export.xlsx?" in window and "dimension=window" in window
    # The API gives every row.
    api_rows = queries.by(
        users["demo-supervisor"],
        "window",
        queries.make_filter(**{"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}),
    )["results"]
    assert len(api_rows) == 3


@pytest.mark.parametrize("dimension", ["window", "channel", "department", "item"])
def test_the_largest_rows_are_the_first_of_all_rows_ties_included(dataset, users, dimension):
    """`by(..., limit=k)` names only the groups that can be among the largest k; what it gives is
    the first k of the whole ranking (the dataset's city hall and 东城街道 windows tie on their
    counts, so their names decide their order)."""
    reader = users["demo-supervisor"]
    f = queries.make_filter(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    whole = queries.by(reader, dimension, f)
    for k in range(len(whole["results"]) + 2):
        cut = queries.by(reader, dimension, f, limit=k)
        assert cut["results"] == whole["results"][:k], k
        assert cut["total"] == whole["total"] == len(whole["results"])


def test_a_table_escapes_what_staff_typed(client, dataset, users):
    """The tables' rows are written without the template engine: a department's name is still text."""
    from yiwang.core.models import Department

    department = Department.objects.get(name="青山市市场监督管理局")
    Department.objects.filter(pk=department.pk).update(name='市场<script>alert("x")</script>局')
    client.force_login(users["demo-supervisor"])
    body = client.get("/workbench/stats/", NOVEMBER).content.decode()
    assert "市场&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;局" in body
    assert "<script>alert" not in body
