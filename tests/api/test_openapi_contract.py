"""The OpenAPI document is the contract: every answer declared with the one error body, the paging
bounds stated, and the docs page served from our own static files under a strict CSP."""

from __future__ import annotations

import re

import pytest

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def document():
    from yiwang.api.router import api

    return api.get_openapi_schema()


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, method.upper(), operation


def _ref(answer) -> str | None:
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def test_every_operation_declares_the_answers_it_gives(document):
    for label, path, method, operation in _operations(document):
        codes = {int(c) for c in operation["responses"]}
        expected = {422, 429}
        if operation.get("security"):
            expected.add(401)
        if method in ("POST", "PUT", "PATCH"):
            expected |= {400, 413}
        if "{" in path:
            expected.add(404)
            if operation.get("security") and method != "GET":
                expected.add(409)
        assert expected <= codes, f"{label}: missing {sorted(expected - codes)}"
        for code in codes:
            if code >= 400:
                assert _ref(operation["responses"][code]) == ERROR_REF, f"{label} {code}"
        assert "Retry-After" in operation["responses"][429]["headers"], label


def test_the_error_body_is_one_schema(document):
    schema = document["components"]["schemas"]["ErrorOut"]
    assert set(schema["required"]) == {"code", "message", "fields"}
    assert {"allowed", "draft"} <= set(schema["properties"])


def test_paging_parameters_are_bounded(document):
    from yiwang.api.pagination import MAX_PAGE_SIZE

    lists = 0
    for label, _path, _method, operation in _operations(document):
        params = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        if "page" not in params:
            continue
        lists += 1
        assert params["page"]["minimum"] == 1, label
        assert params["page_size"]["minimum"] == 1, label
        assert params["page_size"]["maximum"] == MAX_PAGE_SIZE, label
    assert lists >= 5


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=201"])
def test_out_of_bounds_paging_is_a_422_naming_it(client, query):
    response = client.get(f"/api/v1/divisions?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.json()["fields"]


def test_signed_out_writes_are_401_not_a_csrf_403(client):
    response = client.post("/api/v1/cases/0/actions", {"action": "accept"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_docs_page_is_served_locally_under_a_strict_policy(client, db):
    # `db`: each response's close() runs Django's request_finished, which checks the thread's
    # (persistent, on SQLite) connection; without the fixture that check is refused when an
    # earlier test of the same worker left the connection open.
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "unsafe-eval" not in policy and "http" not in policy
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "<script>" not in html.replace(" ", "")  # no inline script: only src= and JSON data
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
    assert '"validatorUrl": null' in html  # no image from validator.swagger.io
