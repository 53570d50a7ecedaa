"""The PostgreSQL backend's health check (yiwang.core.postgresql, ADR 16): a reused connection the
server has said nothing on is used without a round trip; one the server ended is replaced before
the request uses it."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection

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
