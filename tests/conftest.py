"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# No per-example deadline: the suite runs under xdist on busy machines, where a GC pause or a slow
# first database query would otherwise fail a correct property as "too slow". HYPOTHESIS_PROFILE=ci
# runs more examples.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


pytest_plugins = ["case_fixtures", "licences.licence_fixtures", "bundles.bundle_fixtures"]

# The API's rate limits are off in the suite (settings: TESTING), and in the servers and workers a
# test starts as processes of their own too; the tests of the limits turn them on themselves.
os.environ.setdefault("API_RATE_LIMIT_ENABLED", "0")


@pytest.fixture(scope="session", autouse=True)
def _reference_data_after_flush():
    """Item types, topics, the calendar and message templates come back after a transactional
    test's flush (`reference_data`), so no test depends on running before one."""
    import reference_data

    reference_data.connect()


@pytest.fixture
def workday_calendar(db):
    """The working-day calendar, reseeded if a transactional test flushed it."""
    from yiwang.core import services, workdays

    services.ensure_calendar()
    workdays.invalidate()
    return workdays.current_calendar()


@pytest.fixture
def region(db):
    """The demo region (青山市, divisions 1599xx, departments, staff demo-*, persons, enterprises)."""
    from yiwang.demo.region import load_region

    return load_region()


@pytest.fixture(scope="module")
def _demo_region_per_module(django_db_setup, django_db_blocker):
    """The demo region built once per test module (`module_data.kept_for_module`)."""
    from module_data import kept_for_module
    from yiwang.demo.region import load_region

    with kept_for_module(django_db_blocker, load_region) as region:
        yield region


@pytest.fixture(scope="module")
def demo_catalog(_demo_region_per_module, django_db_blocker, tmp_path_factory):
    """The demo catalog over the demo region, loaded once per module (`module_data.kept_for_module`;
    forms in a temporary media root)."""
    from module_data import kept_for_module
    from yiwang.demo import catalog

    media = str(tmp_path_factory.mktemp("media"))
    with kept_for_module(django_db_blocker, lambda: catalog.load_catalog(_demo_region_per_module), media):
        yield


@pytest.fixture
def demo_region(_demo_region_per_module, db):
    """Like `region`, but loaded once per module (much faster on PostgreSQL)."""
    return _demo_region_per_module


@pytest.fixture
def id_number():
    """Build a valid resident ID number: id_number(birth="19900307", county="110101", seq="123")."""
    from yiwang.core.identifiers import ric_check_digit

    def make(birth: str = "19900307", county: str = "110101", seq: str = "123") -> str:
        body = county + birth + seq
        return body + ric_check_digit(body)

    return make


@pytest.fixture
def api_token(client):
    """Sign in through the API and return the bearer token: api_token(username, password)."""

    def issue(username: str, password: str = "yiwang-demo") -> str:
        response = client.post(
            "/api/v1/auth/tokens",
            {"username": username, "password": password},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()["token"]

    return issue


@pytest.fixture(autouse=True)
def _fresh_search_cache():
    """Each test starts with no cached search answer or guide: its database is rolled back after
    the test, so a generation number or a version id can come back with other data behind it."""
    from django.core.cache import caches

    from yiwang.cases import published
    from yiwang.core import generations
    from yiwang.portal import guide_cache
    from yiwang.portal.views import SEARCH_CACHE
    from yiwang.stats import queries as stats_queries

    SEARCH_CACHE.clear()
    caches["guides"].clear()
    guide_cache.ROWS.clear()
    generations.forget_seen()
    published.forget_entries()
    stats_queries.forget_settled()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request with Accept-Language: en must
    not leave English active for the next test in the same worker."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def as_user(region):
    """A test client signed in as a demo account (a new one per call): as_user("demo-itemadmin")."""
    from django.test import Client

    from yiwang.accounts.models import User

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return sign_in


@pytest.fixture
def deliver_outbox(db):
    """Deliver every outbox message that is due, as the worker would after commit; returns the
    number of subscriber receipts recorded."""
    from yiwang.core import outbox

    return outbox.drain


@pytest.fixture
def database_url(transactional_db):
    """The test database as a DATABASE_URL, for a real server or worker process started by a test."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{s.get('USER') or 'postgres'}:{s.get('PASSWORD') or ''}@{host}:{port}/{s['NAME']}"
