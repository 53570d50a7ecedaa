"""The API's resolver tries only the routes for the path's first segment (`api.url_groups`) and
finds, for every route, what Django's plain resolver over the full list finds."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.urls import get_resolver, path, reverse
from django.urls.resolvers import URLResolver

from yiwang.api.url_groups import SegmentResolver

SAMPLES = {"int": "7", "path": "a/b", "slug": "some-slug", "uuid": "12345678-1234-5678-1234-567812345678"}


def _example(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "", "X-1.2"), route)


def _view(name: str):
    def view(request):  # pragma: no cover - never called: only resolved
        return HttpResponse(name)

    view.__name__ = name
    return view


def test_every_api_route_resolves_as_the_flat_list_does():
    root = get_resolver()
    (installed,) = [r for r in root.url_patterns if isinstance(r, SegmentResolver)]
    patterns, namespace = installed.url_patterns, installed.namespace
    flat = URLResolver(installed.pattern, patterns, app_name=installed.app_name, namespace=namespace)
    checked = 0
    for pattern in patterns:
        url = "/api/v1/" + _example(str(pattern.pattern._route))
        expected = flat.resolve(url[1:])
        found = root.resolve(url)
        assert (found.func, found.url_name, found.kwargs, found.route) == (
            expected.func,
            expected.url_name,
            expected.kwargs,
            "api/v1/" + expected.route,
        ), url
        assert found.namespaces == [namespace]
        checked += 1
    assert checked > 60


def test_a_verification_tries_a_few_routes_not_every_one_before_it():
    match = get_resolver().resolve("/api/v1/licences/1.2.156.3005.2.11.1/verification")
    assert match.url_name == "verify_identifier"
    assert len(match.tried) <= 10
    assert reverse("api:verify_identifier", kwargs={"identifier": "X"}) == "/api/v1/licences/X/verification"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("x/a/b", "wild"),  # the parameter-first route comes before the literal one, as in the list
        ("x/a/7", "int"),
        ("x/zz/b", "wild"),  # a segment no literal route has: every route is tried
        ("x/c", "c"),
    ],
)
def test_a_route_starting_with_a_parameter_keeps_its_place_in_every_segment(url, expected):
    resolver = SegmentResolver(
        "x/",
        (
            [
                path("a/<int:n>", _view("int")),
                path("<slug:s>/b", _view("wild")),
                path("a/b", _view("literal")),
                path("c", _view("c")),
            ],
            "app",
            "ns",
        ),
    )
    assert resolver.resolve(url).func.__name__ == expected
