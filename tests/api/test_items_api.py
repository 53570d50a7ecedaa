"""GET /api/v1/items, /items/{code}, /stats/catalog; staff import and export of guides."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.test_search import CANCELLED, DRAFT_ONLY, GUIDE, SUSPENDED, build_catalog
from yiwang.catalog.models import Entry

pytestmark = pytest.mark.django_db
URL = "/api/v1/items"
ITEM_KEYS = {
    "code",
    "name",
    "plain_title",
    "name_en",  # optional English names (issue 13): "" when not given
    "plain_title_en",
    "status",
    "item_type",
    "department",
    "department_id",
    "division_code",
    "audience",
    "case_kind",
    "online_depth",
    "visits_required",
    "promised_limit",
    "promised_limit_unit",
    "legal_limit",
    "legal_limit_unit",
}


@pytest.fixture
def catalog(region):
    return build_catalog(region)


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def names(body) -> list[str]:
    return [r["name"] for r in body["results"]]


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields"} and body["message"]
    if field:
        assert field in body["fields"], body
    return body


# --- /items --------------------------------------------------------------------------------------


def test_list_shape_and_order(client, catalog):
    body = get(client, page_size=100)
    assert set(body) == {"count", "results"}
    assert body["count"] == 26 == len(body["results"])
    assert set(body["results"][0]) == ITEM_KEYS
    codes = [r["code"] for r in body["results"]]
    assert codes == sorted(codes)
    assert CANCELLED not in names(body) and DRAFT_ONLY not in names(body)
    assert next(r for r in body["results"] if r["name"] == SUSPENDED)["status"] == "suspended"


def test_search_ranks_everyday_words(client, catalog):
    body = get(client, q="生孩子")
    assert names(body)[0] == "出生登记" and body["count"] == len(body["results"]) == 3
    assert names(get(client, q="二手房过户"))[0] == "不动产转移登记"
    assert names(get(client, q="身份证丢了"))[0] == "居民身份证补领"
    assert "食品经营许可" in names(get(client, q="开饭店"))[:3]
    assert get(client, q="火星移民") == {"count": 0, "results": []}


def test_filters_alone_and_with_q(client, catalog, region):
    assert names(get(client, division="159902")) == ["食品经营许可"]
    assert names(get(client, division="159902", q="开饭店")) == ["食品经营许可"]
    hrss = region.departments["city_hrss"].pk
    assert names(get(client, department=hrss)) == ["社会保障卡补领"]
    assert set(names(get(client, type="07", q="过户"))) == {"不动产转移登记", "机动车转移登记"}
    assert set(names(get(client, topic="property"))) == {"不动产转移登记", "不动产抵押登记", "不动产首次登记"}
    enterprise = get(client, audience="enterprise", page_size=100)
    assert "出生登记" not in names(enterprise) and "不动产转移登记" in names(enterprise)  # both
    assert set(names(get(client, online_depth=6, q="生孩子"))) == {"出生登记", "生育登记"}
    assert sorted(names(get(client, level=3))) == ["最低生活保障审核确认", "食品经营许可"]
    assert get(client, type="20", q="开饭店")["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"audience": "alien"}, "audience"),
        ({"online_depth": 7}, "online_depth"),
        ({"level": 0}, "level"),
        ({"type": "011"}, "type"),
        ({"q": "长" * 101}, "q"),
        ({"division": "999999"}, "division"),
        ({"department": "abc"}, "department"),
    ],
)
def test_bad_parameters_are_422(client, catalog, params, field):
    assert_error(client.get(URL, params), 422, field)


def test_pages(client, catalog):
    first, second = get(client, page_size=10), get(client, page=2, page_size=10)
    everything = get(client, page_size=100)
    assert [r["code"] for r in first["results"] + second["results"]] == [
        r["code"] for r in everything["results"]
    ][:20]
    assert get(client, page=3, page_size=10)["results"][-1] == everything["results"][-1]
    assert get(client, page=10**12) == {"count": 26, "results": []}  # past the end: empty, not 500
    assert get(client, page=10**12, q="登记")["results"] == []
    searched = get(client, q="登记", page_size=2)
    assert searched["count"] > 2 and len(searched["results"]) == 2


def test_item_detail(client, catalog):
    entry = catalog["city_natural_resources/不动产转移登记"]
    response = client.get(f"{URL}/{entry.code}")
    assert response.status_code == 200
    doc = response.json()
    assert doc["code"] == entry.code and doc["name"] == "不动产转移登记" and doc["status"] == "active"
    assert [s["name"] for s in doc["situations"]] == ["二手房买卖", "继承、受遗赠", "赠与"]
    assert doc["fees"][0]["basis"] and doc["materials"][0]["name"]
    suspended = Entry.objects.get(name=SUSPENDED)
    assert client.get(f"{URL}/{suspended.code}").json()["status"] == "suspended"


def test_unknown_cancelled_and_draft_items_are_404(client, catalog):
    for code in [
        "1" * 31,
        "nonsense",
        Entry.objects.get(name=CANCELLED).code,
        Entry.objects.get(name=DRAFT_ONLY).code,
    ]:
        body = assert_error(client.get(f"{URL}/{code}"), 404)
        assert body["code"] == "not_found"


# --- /stats/catalog --------------------------------------------------------------------------


def test_catalog_stats(client, catalog):
    response = client.get("/api/v1/stats/catalog")
    assert response.status_code == 200
    body = response.json()
    assert body["division"] is None and body["published"] == 26
    assert body["claims"]["totals"] == {"claimed": 28, "main_items": 28, "compiled": 27, "published": 26}
    assert {r["category"] for r in body["claims"]["by_level"]} == {"application_power", "public_service"}
    assert len(body["online_depth"]) == 7 and body["full_online_share"] == round(3 / 26, 4)
    county = client.get("/api/v1/stats/catalog", {"division": "159902"}).json()
    assert county["division"]["code"] == "159902000000" and county["published"] == 1
    assert_error(client.get("/api/v1/stats/catalog", {"division": "123"}), 422, "division")


# --- Export and import (staff) ---------------------------------------------------------------------


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_export_needs_a_staff_member_and_stays_in_their_scope(client, catalog, api_token):
    assert_error(client.get("/api/v1/catalog/export"), 401)
    assert_error(client.get("/api/v1/catalog/export", **auth(api_token("demo-citizen"))), 403)
    response = client.get("/api/v1/catalog/export", **auth(api_token("demo-itemadmin")))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    docs = json.loads(response.content)
    assert {d["department"] for d in docs} == {"青山市市场监督管理局"}
    supervisor = auth(api_token("demo-supervisor"))
    everything = json.loads(client.get("/api/v1/catalog/export", **supervisor).content)
    assert len(everything) == 26
    drafts = json.loads(client.get("/api/v1/catalog/export", {"drafts": "true"}, **supervisor).content)
    assert len(drafts) == 27
    xlsx = client.get("/api/v1/catalog/export", {"format": "xlsx", "division": "159902"}, **supervisor)
    assert xlsx.status_code == 200 and xlsx.content[:4] == b"PK\x03\x04" and xlsx["X-Item-Count"] == "1"
    assert "attachment" in xlsx["Content-Disposition"]
    assert_error(client.get("/api/v1/catalog/export", {"format": "csv"}, **supervisor), 422, "format")


def upload(client, token, docs, **form):
    data = json.dumps(docs, ensure_ascii=False).encode()
    return client.post(
        "/api/v1/catalog/import",
        {"file": SimpleUploadedFile("items.json", data, content_type="application/octet-stream"), **form},
        **auth(token),
    )


def test_import_by_item_administrator_and_platform_administrator(client, catalog, region, api_token):
    market = region.departments["city_market"].uscc
    doc = {
        **GUIDE,
        "department_uscc": market,
        "basic_code": "150101001000",
        "name": "道路运输经营许可",
        "plain_title": "跑运输",
    }
    itemadmin = api_token("demo-itemadmin")
    response = upload(client, itemadmin, [doc])
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1 and response.json()["published"] == 0
    assert_error(upload(client, itemadmin, [doc], publish="true"), 403)

    other = {**doc, "department_uscc": region.departments["city_hrss"].uscc, "basic_code": "150101002000"}
    body = assert_error(upload(client, itemadmin, [other]), 422)
    assert body["code"] == "import_invalid"
    assert body["errors"][0]["sheet"] == "JSON" and body["errors"][0]["row"] == 1
    assert "无权导入" in body["fields"]["JSON 第1项 department_uscc"][0]

    admin = api_token("demo-admin")
    response = upload(client, admin, [other], publish="true")
    assert response.status_code == 200, response.content
    assert response.json()["published"] == 1
    # Published by the admin; the item administrator's is a draft.
    assert names(get(client, q="跑运输")).count("道路运输经营许可") == 1


def test_import_rejects_bad_and_oversized_files(client, catalog, api_token, monkeypatch):
    token = api_token("demo-itemadmin")
    response = client.post(
        "/api/v1/catalog/import",
        {"file": SimpleUploadedFile("items.xlsx", b"not a workbook")},
        **auth(token),
    )
    assert_error(response, 422)
    bad = upload(client, token, [{"department_uscc": "X", "name": ""}])
    assert assert_error(bad, 422)["errors"]
    from yiwang.api import catalog as api_catalog

    monkeypatch.setattr(api_catalog, "MAX_IMPORT_BYTES", 10)
    assert_error(upload(client, token, [{"name": "x" * 20}]), 413)
    assert_error(client.post("/api/v1/catalog/import", {}, **auth(token)), 422)
