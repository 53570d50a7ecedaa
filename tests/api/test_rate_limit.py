"""The API's rate limits (issue 9, item 7): per bearer token and per address, writes apart from
reads, 429 with Retry-After and the API's error body; counted by one upsert per request, exact
under parallel requests."""

from __future__ import annotations

import hashlib
import threading
import time
import types

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.api import ratelimit
from yiwang.core import rate_counters
from yiwang.core.models import RateCounter

_names = iter(range(10**9))


def wrong() -> dict[str, str]:
    """Wrong credentials for a new name each time (the sign-in limits stay out of the way)."""
    return {"username": f"nobody-{next(_names)}", "password": "wrong"}


@pytest.fixture
def limits(settings, monkeypatch):
    """Small limits, and a clock held in the middle of a window: a run that happens to cross a
    minute boundary would otherwise start a fresh window between two requests of one test."""
    middle = (int(time.time()) // 60) * 60 + 30.0
    monkeypatch.setattr(rate_counters, "time", types.SimpleNamespace(time=lambda: middle))
    settings.API_RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT_TOKEN_WRITES = 3
    settings.API_RATE_LIMIT_TOKEN_READS = 5
    settings.API_RATE_LIMIT_ADDRESS_WRITES = 6
    settings.API_RATE_LIMIT_ADDRESS_READS = 10
    return settings


def post(client: Client, token: str | None = None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/auth/tokens", wrong(), content_type="application/json", **headers, **extra)


def get(client: Client, token: str | None = None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/divisions", **headers, **extra)


def test_off_in_tests_unless_a_test_turns_it_on():
    assert settings.API_RATE_LIMIT_ENABLED is False


def test_the_documented_defaults():
    import yiwang.settings as configured  # the module's values, as README documents them

    assert configured.API_RATE_WINDOW_SECONDS == 60
    assert (configured.API_RATE_LIMIT_TOKEN_WRITES, configured.API_RATE_LIMIT_TOKEN_READS) == (120, 1200)
    assert (configured.API_RATE_LIMIT_ADDRESS_WRITES, configured.API_RATE_LIMIT_ADDRESS_READS) == (600, 6000)


@pytest.mark.django_db
def test_a_token_over_its_write_limit_gets_429_with_retry_after(client, limits):
    for _ in range(3):
        assert post(client, "token-a").status_code == 401
    refused = post(client, "token-a")
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    assert 1 <= retry <= 60
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json() == {
        "code": "rate_limited",
        "message": f"请求过于频繁，请 {retry} 秒后再试。",
        "fields": {},
        "retry_after": retry,
    }
    english = post(client, "token-a", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert english.json()["message"].startswith("Too many requests; try again in ")
    # Reads are counted apart, and another token has its own count.
    assert get(client, "token-a").status_code == 200
    assert post(client, "token-b").status_code == 401
    # The token is counted by its hash, never stored.
    assert not RateCounter.objects.filter(key__contains="token-a").exists()


@pytest.mark.django_db
def test_an_address_is_limited_across_tokens_and_without_one(client, limits):
    for i in range(6):
        assert post(client, f"rotating-{i}").status_code == 401  # a new token each time
    assert post(client, "rotating-new").status_code == 429
    assert post(client).status_code == 429
    # Another address is not affected.
    assert post(client, REMOTE_ADDR="10.1.2.3").status_code == 401


@pytest.mark.django_db
def test_reads_have_their_own_higher_limit(client, limits):
    for _ in range(5):
        assert get(client, "reader").status_code == 200
    assert get(client, "reader").status_code == 429
    for _ in range(4):
        assert get(client, REMOTE_ADDR="10.3.3.3").status_code == 200


@pytest.mark.django_db
def test_a_new_window_starts_afresh(client, limits, monkeypatch):
    for _ in range(3):
        post(client, "token-a")
    assert post(client, "token-a").status_code == 429
    later = rate_counters.time.time() + 60
    monkeypatch.setattr(rate_counters.time, "time", lambda: later)
    assert post(client, "token-a").status_code == 401


@pytest.mark.django_db
def test_pages_are_not_counted(client, limits):
    for _ in range(12):
        assert client.get("/").status_code == 200
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
def test_one_statement_per_request(client, limits):
    get(client)  # warm
    with CaptureQueriesContext(connection) as counted:
        get(client, "token-q")
    statements = [q["sql"] for q in counted.captured_queries]
    limiter = [sql for sql in statements if sql.startswith(rate_counters.TAG)]
    assert len(limiter) == 1
    assert "ON CONFLICT" in limiter[0] and "RETURNING" in limiter[0]
    assert dict(RateCounter.objects.values_list("key", "n")).keys() >= {"a:127.0.0.1:r"}


@pytest.mark.django_db
def test_old_windows_are_purged():
    start, _left = rate_counters.window_of(60)
    rate_counters.bump(["a:x:r"], start)
    rate_counters.bump(["a:x:r"], start - 7200)
    assert rate_counters.purge(3600) == 1
    assert list(RateCounter.objects.values_list("window_start", "n")) == [(start, 1)]


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_never_pass_the_limit(settings, monkeypatch):
    """24 requests with one token at once, each thread its own connection: exactly the limit pass.
    The clock is held inside one window: on a busy machine the 24 could otherwise straddle a
    minute's boundary and be counted in two windows."""
    middle = (int(time.time()) // 60) * 60 + 30.0
    monkeypatch.setattr(rate_counters, "time", types.SimpleNamespace(time=lambda: middle))
    settings.API_RATE_LIMIT_ENABLED = True
    settings.API_RATE_LIMIT_TOKEN_WRITES = 7
    settings.API_RATE_LIMIT_ADDRESS_WRITES = 1000
    start = threading.Barrier(24)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            start.wait()
            response = post(Client(), "racing-token")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [401] * 7 + [429] * 17
    assert sorted(RateCounter.objects.values_list("n", flat=True)) == [24, 24]


def test_limits_for_names_the_counters():
    from django.test import RequestFactory

    request = RequestFactory().post("/api/v1/cases", HTTP_AUTHORIZATION="Bearer abc", REMOTE_ADDR="10.0.0.9")
    digest = hashlib.sha256(b"abc").hexdigest()[:40]
    assert ratelimit.limits_for(request) == {
        "a:10.0.0.9:w": settings.API_RATE_LIMIT_ADDRESS_WRITES,
        f"t:{digest}:w": settings.API_RATE_LIMIT_TOKEN_WRITES,
    }


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_the_counters_are_an_unlogged_table_on_postgresql():
    # core migration 0007: a bump's commit does not wait for the write-ahead log.
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [RateCounter._meta.db_table])
        assert cursor.fetchone() == ("u",)
    assert rate_counters.bump(["k:unlogged"], 60) == {"k:unlogged": 1}


@pytest.mark.django_db
def test_the_limiter_reads_the_bearer_tokens_account_in_its_own_statement(client, limits, monkeypatch):
    """One round trip before the view for a request with a token: the counters' upsert also reads
    the token's account (PostgreSQL; SQLite reads it just after, in process), which the API's
    authentication then uses. A wrong or expired token is still a 401, and a request whose
    endpoint authenticates another token than the limiter saw reads its own."""
    import datetime as dt

    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import AccountKind, ApiToken, User

    user = User.objects.create_user("limiter-reader", password="x-Pass-1234", kind=AccountKind.PERSON)
    token = accounts.issue_api_token(user)
    get(client, token)  # warm
    with CaptureQueriesContext(connection) as counted:
        me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["username"] == "limiter-reader"
    token_reads = [q["sql"] for q in counted.captured_queries if "accounts_apitoken" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(token_reads) == 1 and token_reads[0].startswith(rate_counters.TAG)
    else:
        assert len(token_reads) == 1 and not token_reads[0].startswith(rate_counters.TAG)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    ApiToken.objects.filter(user=user).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401

    # What the limiter left names its token: another token (here, one the limiter never saw)
    # is read by the authentication itself.
    other = accounts.issue_api_token(user)
    monkeypatch.setattr(ratelimit, "_bearer", lambda request: "something-else")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


@pytest.mark.django_db
def test_bump_along_answers_the_counts_and_the_selects_row():
    """`bump_along`: the counters' new values as `bump` gives them, and the SELECT's first row,
    or None when it finds nothing, with duplicate column names kept apart."""
    start = 600
    assert rate_counters.bump(["k:1"], start) == {"k:1": 1}
    counts, row = rate_counters.bump_along(["k:1", "k:2"], start, "SELECT %s AS id, %s AS id", [7, "x"])
    assert counts == {"k:1": 2, "k:2": 1} and row == (7, "x")
    empty = "SELECT 1 AS id WHERE 1 = %s"
    assert rate_counters.bump_along(["k:2"], start, empty, [0]) == ({"k:2": 2}, None)
    assert rate_counters.bump_along(["k:2"], start, empty, [1]) == ({"k:2": 3}, (1,))
