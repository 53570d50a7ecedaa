"""Paths under /api/ that no route matches, and errors Django itself answers there: the API's JSON
error shape in the request's language, not the portal's HTML page."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from yiwang.api import errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [("get", "/api/v1/nonexistent"), ("post", "/api/v1/auth/nowhere"), ("get", "/api/v2/licences")],
)
def test_an_unknown_api_path_is_a_json_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "message": "未找到该资源。", "fields": {}}
    english = getattr(client, method)(path, headers={"accept-language": "en"})
    assert english.json()["message"] == "Not found."


@pytest.mark.django_db
def test_outside_the_api_a_missing_page_is_still_the_portal_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "页面不存在" in response.content.decode()


def test_a_server_error_under_the_api_is_json_and_elsewhere_the_page():
    factory = RequestFactory()
    api = errors.server_error(factory.get("/api/v1/items"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
    assert json.loads(api.content)["code"] == "server_error"
    page = errors.server_error(factory.get("/items/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_method_a_route_does_not_offer_is_a_json_405_naming_those_it_does(client):
    response = client.delete("/api/v1/licences/trust-list")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "method_not_allowed" and "DELETE" in body["message"] and "GET" in body["message"]
    english = client.delete("/api/v1/licences/trust-list", headers={"accept-language": "en"})
    assert english.json()["message"] == "This address does not accept DELETE requests; it accepts: GET."
    # The routes still work, CSRF-exempt as django-ninja made them.
    assert client.get("/api/v1/licences/trust-list").status_code == 200
