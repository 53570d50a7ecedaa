"""Bad input to the bundle API answers a 4xx naming the problem, never a 500, and creates nothing:
wrong types, huge numbers, text no database stores, unknown materials, bad Base64, a double submit."""

from __future__ import annotations

import json

import pytest

from bundles.test_applying import ANSWERS, FORM, apply
from yiwang.bundles.models import BundleApplication
from yiwang.cases.models import Case


@pytest.fixture
def token(api_token, restaurant):
    return api_token("demo-citizen")


@pytest.mark.parametrize(
    "body",
    [
        {"answers": "seats"},
        {"answers": {"seats": 10**40, "signboard": "yes", "prepacked_only": "no"}},
        {"answers": {"seats": "1e999", "signboard": "yes", "prepacked_only": "no"}},
        {"answers": {"seats": {"x": 1}, "signboard": ["yes"], "prepacked_only": None}},
        {"form_data": {"area": "99999999999999999999999"}},
        {"form_data": {"shop_name": 12}},
        {"materials": [{"material": "name:nothing", "filename": "a.pdf", "content_base64": "JVBERg=="}]},
        {"materials": [{"material": "name:居民身份证", "filename": "a.pdf", "content_base64": "%%%"}]},
        {
            "materials": [
                {"material": "name:居民身份证", "filename": "a.exe", "content_base64": "TVqQAAMAAAAEAAAA"}
            ]
        },
        {"delivery": {"method": "drone"}},
    ],
)
def test_bad_bodies_are_refused_naming_the_problem(client, token, body):
    response = apply(client, token, **body)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["message"]
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0


def test_text_no_database_stores_is_refused(client, token):
    raw = json.dumps({"answers": ANSWERS, "form_data": {**FORM, "shop_name": "a\u0000b"}}).encode()
    response = client.post(
        "/api/v1/bundles/open-restaurant/applications",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    lone = b'{"answers": {"signboard": "\\ud800"}}'
    response = client.post(
        "/api/v1/bundles/open-restaurant/applications",
        lone,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422


def test_unknown_bundles_and_applications_answer_404(client, token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/bundles/no-such-thing").status_code == 404
    assert (
        client.get("/api/v1/bundles/applications/00000000-0000-0000-0000-000000000000", **auth).status_code
        == 404
    )
    assert client.get("/api/v1/bundles/applications/%E4%B8%80", **auth).status_code == 404
    assert (
        client.post("/api/v1/bundles/x/applications", {}, content_type="application/json", **auth).status_code
        == 404
    )


def test_english_messages_under_accept_language(client, token):
    response = apply(client, token, answers={"seats": "many"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422


def test_a_closed_department_or_suspended_entry_refuses_the_whole_bundle(
    client, token, restaurant_entries, users
):
    from yiwang.catalog import services as catalog_services
    from yiwang.core.models import Department

    Department.objects.filter(pk=restaurant_entries["fire"].department_id).update(is_active=False)
    closed = apply(client, token)
    assert closed.status_code == 422 and "暂停受理" in json.dumps(closed.json(), ensure_ascii=False)
    Department.objects.filter(pk=restaurant_entries["fire"].department_id).update(is_active=True)
    catalog_services.set_entry_status(restaurant_entries["sign"], users["demo-approver"], "suspended", "整改")
    suspended = apply(client, token)
    assert suspended.status_code == 422 and "户外招牌设置审批" in json.dumps(
        suspended.json(), ensure_ascii=False
    )
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0
