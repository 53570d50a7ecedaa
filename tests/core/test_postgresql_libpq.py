"""The hot paths' statements outside a transaction run through libpq's own call
(`core.postgresql.libpq`): the same rows as psycopg's cursor gives, the same errors, and still
prepared after psycopg deallocates every statement on a rollback; in a transaction the cursor
runs them, so the transaction holds."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from django.db import IntegrityError, connection, connections, transaction

from yiwang.core import rows
from yiwang.core.postgresql import libpq

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]

# One value of each kind the hot paths send and read, with the type PostgreSQL sees.
VALUES = [
    (7, "int"),
    (2**40, "bigint"),
    ("证照 ‘quoted’ %s", "text"),
    (dt.date(2026, 12, 6), "date"),
    (dt.datetime(2026, 12, 6, 8, 30, 1, 250, tzinfo=dt.UTC), "timestamptz"),
    (decimal.Decimal("12.50"), "numeric"),
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), "uuid"),
    (True, "boolean"),
    (b"\x00\xffbytes", "bytea"),
    ([1, 2, 3], "int[]"),
    (None, "text"),
]


def _through_cursor(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _statements() -> libpq.Statements:
    rows.fetch("SELECT 1", [])  # makes the kept cursor and its statements
    return connections["default"].__dict__["_statements"]


@pytest.mark.parametrize("value, kind", VALUES)
def test_values_come_back_as_the_cursor_gives_them(value, kind):
    sql = f'SELECT %s::{kind}, %s::{kind} IS NULL, \'{{"a": [1, "甲"]}}\'::jsonb, now()'
    statements = _statements()
    assert statements.usable()
    got = statements.run(sql, [value, value])
    expected = _through_cursor(sql, [value, value])
    assert got[0][:3] == expected[0][:3]
    assert type(got[0][0]) is type(expected[0][0])
    assert got[0][3].tzinfo is not None and got[0][3].utcoffset() == expected[0][3].utcoffset()


def test_a_statement_is_prepared_once_and_again_after_psycopg_deallocates_all():
    statements = _statements()
    sql = "SELECT n FROM generate_series(1, %s) n"
    assert statements.run(sql, [2]) == [(1,), (2,)]
    (name,) = [n for (text, _types), n in statements.names.items() if text == sql]
    assert statements.run(sql, [3]) == [(1,), (2,), (3,)]
    assert [n for (text, _types), n in statements.names.items() if text == sql] == [name]  # not again
    # A rolled-back transaction in which psycopg prepared one of its own (the kept cursor runs
    # statements in a transaction): psycopg then sends DEALLOCATE ALL, ours included.
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert rows.execute("SELECT %s::int", [1]) == [(1,)]
        raise ZeroDivisionError
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'yiwang_%%'")
        assert cursor.fetchone() == (0,)
    assert rows.execute(sql, [1]) == [(1,)]
    assert rows.execute(sql, [2]) == [(1,), (2,)]


def test_errors_are_djangos_and_the_connection_goes_on():
    rows.execute("CREATE TEMPORARY TABLE libpq_probe (code text PRIMARY KEY)", [])
    assert rows.execute("INSERT INTO libpq_probe VALUES (%s) RETURNING code", ["a"]) == [("a",)]
    with pytest.raises(IntegrityError):
        rows.execute("INSERT INTO libpq_probe VALUES (%s) RETURNING code", ["a"])
    assert rows.execute("SELECT count(*) FROM libpq_probe", []) == [(1,)]
    assert rows.execute("UPDATE libpq_probe SET code = %s", ["b"]) == []  # no rows to return


def test_in_a_transaction_the_cursor_runs_it_and_a_rollback_undoes_it():
    rows.execute("CREATE TEMPORARY TABLE libpq_counter (n int)", [])
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert not connections["default"].__dict__["_statements"].usable()
        rows.execute("INSERT INTO libpq_counter VALUES (%s) RETURNING n", [1])
        raise ZeroDivisionError
    assert rows.execute("SELECT count(*) FROM libpq_counter", []) == [(0,)]
    with transaction.atomic():
        rows.execute("INSERT INTO libpq_counter VALUES (%s) RETURNING n", [2])
    assert rows.execute("SELECT n FROM libpq_counter", []) == [(2,)]


def test_placeholders_are_numbered():
    assert libpq.numbered("SELECT %s, '%%', %s") == "SELECT $1, '%', $2"
    with pytest.raises(ValueError):
        libpq.numbered("SELECT %(name)s")
