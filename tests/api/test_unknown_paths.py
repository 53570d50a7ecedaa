"""Paths under /api/ that no route matches, and errors Django itself answers there: the API's JSON
error shape in the request's language, not the portal's HTML page."""

from __future__ import annotations

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
    assert b'"code": "server_error"' in api.content or b'"code":"server_error"' in api.content
    page = errors.server_error(factory.get("/items/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
