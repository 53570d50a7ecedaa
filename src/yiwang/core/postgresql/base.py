"""Django's PostgreSQL backend, with a health check that costs no round trip when nothing is wrong.

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
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
