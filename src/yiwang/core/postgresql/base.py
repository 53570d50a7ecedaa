"""Django's PostgreSQL backend, with a health check that costs no round trip when nothing is wrong,
and prepared statements for the hot paths' hand-written SQL.

With `CONN_HEALTH_CHECKS` (settings.py), Django checks a reused connection at the first use in each
request by running `SELECT 1`: a round trip and the server's work on every request that touches the
database, ~0.1 ms of this process's CPU and as much of the server's on a guide page that otherwise
needs one statement. Here the check first asks the operating system, without waiting, whether the
server has sent anything on the idle connection. A server that shut down, restarted, crashed or
terminated the backend (`pg_terminate_backend`) has: a FATAL message, or the socket's end. Only
then does `SELECT 1` run, and a connection that fails it is replaced, as Django does. An idle
connection with nothing to read is used as it is (ADR 16).

What this cannot see, `SELECT 1` would not have seen sooner: a peer gone without a word (a cut
cable, a host powered off) leaves the socket quiet either way, and the first statement then fails
after the TCP timeout instead of the check; Django closes a connection whose statement failed at
the end of that request.

`prepared_cursor()` (ADR 18) is a cursor that binds parameters on the server and prepares each
statement at its first use on the connection; later uses skip parsing and planning. Planning was
most of what PostgreSQL spent on the hot paths' joins: measured with pgbench, the API token's
SELECT (four tables) took 0.20 ms as a plain query and 0.06 ms prepared, the catalog entry's
0.25 ms and 0.03 ms. Only `core.rows` and the few statements written beside it use it; the ORM's
cursors stay as Django makes them (parameters bound on the client, nothing prepared, since
Django's SQL is not always preparable). `DATABASE_PREPARE=0` turns it off, for a connection pooler
in transaction mode that does not carry prepared statements (PgBouncer before 1.21, or without
`max_prepared_statements`).
"""

from __future__ import annotations

import os
import select
import sys
from typing import Any

from django.db.backends.postgresql import base, operations

from yiwang.core.postgresql import libpq

# psycopg prepares a statement once it has run this many times on a connection, or at once when
# asked (`prepare=True`). Django's own cursors never prepare (they bind on the client), so a
# threshold that is never reached leaves preparing to `PreparingCursor` alone.
ONLY_WHEN_ASKED = sys.maxsize


def prepare_enabled() -> bool:
    return os.environ.get("DATABASE_PREPARE", "1").strip().lower() not in {"0", "false", "no", "off"}


class PreparingCursor(base.ServerBindingCursor):
    """Parameters bound on the server; the statement prepared at its first execution."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str | None:
        """A prepared statement's text for the debug log and `CaptureQueriesContext`, its values
        filled in on the client as Django does under server-side binding."""
        if isinstance(cursor, PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except self.connection.Database.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None and prepare_enabled():
            params["prepare_threshold"] = ONLY_WHEN_ASKED
        return params

    def prepared_cursor(self) -> Any:
        """A cursor whose statements are prepared (see the module's docstring), wrapped as
        `cursor()` wraps one, so `execute_wrapper`s and the debug log see its statements; the
        plain cursor when preparing is off.

        The psycopg cursor underneath is kept for the connection's life (making one costs more
        than running a prepared statement's round trip): callers must not close it. `core.rows`
        runs every statement through it and reads the rows at once."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        if self.connection.prepare_threshold is None:
            return self.cursor()
        return self._prepare_cursor(self._kept_cursor())

    def run_prepared(self, sql: str, params: Any) -> list[tuple]:
        """`prepared_cursor().execute(sql, params)` and its rows. With no `execute_wrapper` and no
        query log, it runs as Django's cursor wrapper would (the thread and transaction checks,
        the database errors wrapped as Django's) without making a wrapper object for one
        statement, and through libpq's own call where that is all psycopg would do
        (`libpq.Statements`): ~70 µs of this process's CPU for a verification's SELECT through
        the wrapped cursor, ~30 this way."""
        if self.execute_wrappers or self.queries_logged:
            cursor = self.prepared_cursor()
            cursor.execute(sql, params)
            return cursor.fetchall()
        self.close_if_health_check_failed()
        self.ensure_connection()
        if self.connection.prepare_threshold is None:
            with self.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        kept = self._kept_cursor()
        self.validate_thread_sharing()
        self.validate_no_broken_transaction()
        statements = self.__dict__["_statements"]
        with self.wrap_database_errors:
            if statements.usable():
                return statements.run(sql, params)
            kept.execute(sql, params)
            return kept.fetchall()

    def _kept_cursor(self) -> Any:
        """The connection's `PreparingCursor`, made at first use on each connection."""
        kept = self.__dict__.get("_kept")
        if kept is None or kept.connection is not self.connection or kept.closed:
            with self.wrap_database_errors:
                kept = PreparingCursor(self.connection)
            # As Django's `create_cursor`: its own time zone only if the connection's differs.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != loader.timezone:
                base.register_tzloader(self.timezone, kept)
            self.__dict__["_kept"] = kept
            self.__dict__["_statements"] = libpq.Statements(kept)
        return kept

    def close_if_health_check_failed(self) -> None:
        if self.connection is None or self.pool or not self.health_check_enabled or self.health_check_done:
            return
        if self.server_spoke() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def server_spoke(self) -> bool:
        """Whether anything (or the end of the stream) waits to be read on the idle connection."""
        try:
            readable, _w, _x = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, self.Database.Error):  # closed under us: check it the long way
            return True
        return bool(readable)
