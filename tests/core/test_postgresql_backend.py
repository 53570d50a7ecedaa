"""The PostgreSQL backend's health check (yiwang.core.postgresql, ADR 16): a reused connection the
server has said nothing on is used without a round trip; one the server ended is replaced before
the request uses it."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import DataError, connection

from yiwang.accounts import services as accounts
from yiwang.accounts.models import User
from yiwang.core import rate_counters, rows
from yiwang.core.postgresql.base import DatabaseWrapper

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pings(monkeypatch) -> list[int]:
    """Each `SELECT 1` the health check sends, as the backend pid it was sent to."""
    sent: list[int] = []
    original = DatabaseWrapper.is_usable

    def counted(self: DatabaseWrapper) -> bool:
        sent.append(self.connection.info.backend_pid)
        return original(self)

    monkeypatch.setattr(DatabaseWrapper, "is_usable", counted)
    return sent


def _request(client) -> int:
    """One request that uses the database, ended as the server ends it (the test client leaves
    connections alone), and the backend pid that served it."""
    assert client.get("/healthz").json()["status"] == "ok"
    pid = connection.connection.info.backend_pid
    connection.close_if_unusable_or_obsolete()
    return pid


def test_a_quiet_reused_connection_is_not_pinged(client, pings):
    # A connection of its own: one an earlier test opened may pass CONN_MAX_AGE during this test
    # and be closed for its age (not for any ping) after the first request.
    connection.close()
    first = _request(client)
    assert [_request(client) for _ in range(3)] == [first] * 3
    assert pings == []


def test_a_connection_the_server_ended_is_replaced_before_use(client, pings):
    ended = _request(client)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended])
    # The server's FATAL message (or the end of the stream) arrives on the idle socket.
    assert select.select([connection.connection.fileno()], [], [], 10)[0]

    replaced = _request(client)

    assert pings == [ended]
    assert replaced != ended


def _prepared_here() -> list[str]:
    """The statements prepared on this session's connection (psycopg's protocol-level ones)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def _token_request(client, token: str) -> None:
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content


def _token() -> str:
    user = User.objects.create_user(username="prepared-citizen", password="yiwang-demo-1")
    return accounts.issue_api_token(user)


def test_the_hot_paths_statements_are_prepared_once_per_connection(client):
    """The token's SELECT and the rate counter's upsert (ADR 18) are prepared at their first use
    and reused after: one prepared statement each however many uses, the ORM's none."""
    token = _token()
    connection.close()
    for window in range(3):
        _token_request(client, token)
        assert rate_counters.bump(["prepared"], window * 60) == {"prepared": 1}
    prepared = _prepared_here()
    assert len([s for s in prepared if "accounts_apitoken" in s]) == 1
    assert len([s for s in prepared if "core_ratecounter" in s]) == 1
    assert all("$1" in s for s in prepared)  # bound on the server, not values written in
    assert not [s for s in prepared if "accounts_apitoken" not in s and "core_ratecounter" not in s]


def test_preparing_can_be_turned_off_for_a_pooler(client, monkeypatch):
    token = _token()
    monkeypatch.setenv("DATABASE_PREPARE", "0")
    connection.close()
    _token_request(client, token)
    _token_request(client, token)
    assert _prepared_here() == []
    monkeypatch.delenv("DATABASE_PREPARE")
    connection.close()


def test_the_kept_cursor_follows_a_replaced_connection_and_survives_an_error():
    assert rows.fetch("SELECT %s::int", [1]) == (1,)
    connection.close()
    assert rows.fetch("SELECT %s::int", [2]) == (2,)
    with pytest.raises(DataError):
        rows.fetch("SELECT 1 / %s::int", [0])
    assert rows.fetch("SELECT %s::int", [3]) == (3,)
    assert rows.execute("SELECT n FROM generate_series(1, %s) n", [3]) == [(1,), (2,), (3,)]
