"""The hot paths' prepared statements run through libpq's own call, without psycopg's cursor.

A statement `core.rows` runs on the kept `PreparingCursor` costs this process ~65 µs on PostgreSQL;
libpq's round trip itself is ~30 µs of it. The rest is psycopg's cursor machinery around the same
call: its generators and wait loop, the query's conversion from `%s` to `$n` at every execution,
result objects. `Statements` keeps, per connection, what that machinery would find again each
time, and runs the statement with psycopg's documented pieces only: `pgconn.prepare` and
`pgconn.exec_prepared` (libpq's PQprepare / PQexecPrepared, blocking with the GIL released, as the
threads of `yiwang serve` need), and psycopg's `Transformer`, made on the kept cursor, to dump the
parameters and load the rows: the same dumpers and loaders (the connection's time zone included)
as the cursor's, so the values are the same Python objects (tests/core/test_postgresql_libpq.py).

Only a statement outside a transaction goes this way (`usable`); in a transaction, or on a
connection that is not open and idle, the cursor runs it. psycopg deallocates every prepared
statement of the connection when a transaction or a savepoint is rolled back (and after DROP or
ALTER), ours with its own, and knows it of its own only: the first of ours run after that fails
as unknown (SQLSTATE 26000), having done nothing, and is prepared again and run. In a transaction
that failure would abort the transaction, which is why the cursor runs those. Any other failure
raises the psycopg error for its SQLSTATE, as the cursor would, so Django wraps it the same way
(an IntegrityError stays one).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from psycopg import errors, pq
from psycopg.adapt import PyFormat, Transformer

_PLACEHOLDER = re.compile(r"%s|%%|%")
_OPEN = pq.ConnStatus.OK
_IDLE = pq.TransactionStatus.IDLE
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_COMMAND_OK = pq.ExecStatus.COMMAND_OK
_FATAL = pq.ExecStatus.FATAL_ERROR
_SQLSTATE = pq.DiagnosticField.SQLSTATE
_UNKNOWN_STATEMENT = b"26000"  # invalid_sql_statement_name


@functools.lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """`sql` with its `%s` placeholders as PostgreSQL's `$1`, `$2`… and `%%` as `%`. Only
    positional placeholders: the hand-written statements have no others."""
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        if match[0] == "%%":
            return "%"
        if match[0] == "%":
            raise ValueError(f"only %s placeholders are supported: {sql!r}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


class Statements:
    """The statements prepared on one psycopg connection, run through libpq directly."""

    def __init__(self, cursor: Any) -> None:
        self.connection = cursor.connection
        self.pgconn = cursor.connection.pgconn
        self.encoding = cursor.connection.info.encoding
        self.transformer = Transformer(cursor)
        self.names: dict[tuple[str, tuple[int, ...]], bytes] = {}
        self.count = 0  # names are never reused: a name freed by psycopg's DEALLOCATE ALL is not known here

    def usable(self) -> bool:
        """Whether the statement would run on its own, outside a transaction (module docstring)."""
        pgconn = self.pgconn
        return pgconn.status == _OPEN and pgconn.transaction_status == _IDLE and self.connection.autocommit

    def run(self, sql: str, params: Any) -> list[tuple]:
        """The statement's rows (none for a statement without), prepared at its first use."""
        transformer = self.transformer
        if params:
            values = transformer.dump_sequence(params, [PyFormat.AUTO] * len(params))
            types, formats = transformer.types, transformer.formats
        else:
            values, types, formats = [], (), None
        key = (sql, types)
        name = self.names.get(key) or self._prepare(key)
        result = self.pgconn.exec_prepared(name, values, formats)
        if result.status == _FATAL and result.error_field(_SQLSTATE) == _UNKNOWN_STATEMENT:
            self.names.clear()  # psycopg deallocated them all
            result = self.pgconn.exec_prepared(self._prepare(key), values, formats)
        status = result.status
        if status == _TUPLES_OK:
            transformer.set_pgresult(result)
            return transformer.load_rows(0, result.ntuples, tuple)
        if status == _COMMAND_OK:
            return []
        raise errors.error_from_result(result, encoding=self.encoding)

    def _prepare(self, key: tuple[str, tuple[int, ...]]) -> bytes:
        sql, types = key
        name = f"yiwang_{self.count}".encode()
        self.count += 1
        prepared = self.pgconn.prepare(name, numbered(sql).encode(self.encoding), types)
        if prepared.status != _COMMAND_OK:
            raise errors.error_from_result(prepared, encoding=self.encoding)
        self.names[key] = name
        return name
