"""Shared helpers for the benchmarks: Django set-up, timing, and PostgreSQL's own pgbench as a
yardstick so figures from noisy machines can be compared as ratios."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL server the benchmarks use; its database part is the maintenance database (where
# scratch databases are created and dropped from), each benchmark names its own.
PG_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_url(database: str) -> str:
    """BENCH_PG's server (user, password, host, port, options) with another database."""
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


def pg_env() -> dict[str, str]:
    """Environment for psql and pgbench pointing at BENCH_PG's server and maintenance database."""
    parts = urlsplit(PG_URL)
    env = {
        **os.environ,
        "PGHOST": unquote(parts.hostname or "127.0.0.1"),  # a socket directory is %-encoded
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or "postgres"),
        "PGDATABASE": unquote(parts.path.lstrip("/") or "postgres"),
    }
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def psql(sql: str, database: str | None = None) -> subprocess.CompletedProcess:
    """Run one statement with psql on BENCH_PG's server (its maintenance database by default)."""
    command = ["psql", "-q", "-X", "-c", sql] + (["-d", database] if database else [])
    return subprocess.run(command, env=pg_env(), capture_output=True, text=True)


def setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def scratch_media(prefix: str) -> str:
    """A new media directory for a benchmark's uploads, on the filesystem of the platform's own
    (`settings.VAR_DIR`, where MEDIA_ROOT lives), not the system's temporary directory: on this
    machine kind creating a file under /tmp was seen to cost 0.6-1.4 ms of CPU against 0.07-0.2 ms
    under the project, which would be measured as the platform's cost per uploaded file."""
    from django.conf import settings

    return tempfile.mkdtemp(prefix=prefix, dir=settings.VAR_DIR)


def rate(fn: Callable[[], int], seconds: float = 2.0) -> float:
    """Operations per second of `fn`, which runs a batch and returns how many it did."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        done += fn()
    return done / (time.perf_counter() - started)


def latencies_ms(fn: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "max": samples[-1],
    }


def pgbench_init(database: str) -> bool:
    """A fresh scratch database initialised by pgbench (scale 1); False if pgbench is unavailable."""
    if not shutil.which("pgbench") or not shutil.which("psql"):
        return False
    psql(f"DROP DATABASE IF EXISTS {database}")
    if psql(f"CREATE DATABASE {database}").returncode:
        return False
    made = subprocess.run(["pgbench", "-i", "-q", "-s", "1", database], env=pg_env(), capture_output=True)
    return made.returncode == 0


def pgbench_run(database: str, seconds: int = 10, *, mode: str = "-S", clients: int = 1) -> float | None:
    """TPS of pgbench on a database `pgbench_init` prepared: select-only (-S, the default) or, with
    mode="-N", the simple-update write transaction, with `clients` clients."""
    out = subprocess.run(
        ["pgbench", mode, "-n", "-c", str(clients), "-j", str(clients), "-T", str(seconds), database],
        env=pg_env(),
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([\d.]+)", out.stdout)
    return float(match.group(1)) if out.returncode == 0 and match else None


def pgbench_drop(database: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {database}")


def pgbench_tps(
    seconds: int = 10, *, mode: str = "-S", clients: int = 1, database: str = "yiwang_pgbench"
) -> float | None:
    """TPS of pgbench on a scratch database made for the run, or None if unavailable: select-only
    (-S, the default) or, with mode="-N", the simple-update write transaction, with `clients`
    clients."""
    if not pgbench_init(database):
        return None
    try:
        return pgbench_run(database, seconds, mode=mode, clients=clients)
    finally:
        pgbench_drop(database)


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    sys.stdout.flush()


class StatementCounter:
    """Counts the statements Django sends while installed (`connection.execute_wrapper(counter)`)."""

    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


def pgbench_reference(database: str, seconds: int) -> float | None:
    """`pgbench -S` TPS on a scratch database made and dropped for it (None without pgbench)."""
    if not pgbench_init(database):
        return None
    try:
        return pgbench_run(database, seconds)
    finally:
        pgbench_drop(database)


def pg_xact_counters(vendor: str) -> tuple[int, int] | None:
    """(xact_commit, xact_rollback) of the benchmark database, after this backend's statistics are
    flushed; read through a connection to the maintenance database so the reading adds nothing."""
    if vendor != "postgresql":
        return None
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # one transaction of our own
    time.sleep(0.6)  # the backend flushes when it goes idle
    with psycopg.connect(PG_URL, autocommit=True) as other:
        other.execute("SELECT pg_stat_clear_snapshot()")
        row = other.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        ).fetchone()
    return int(row[0]), int(row[1])


class PageClient:
    """Django's test Client in-process, with what a WSGI server's request signals do around each
    request (the test Client disconnects them): the whole server-side request — middleware, view,
    queries, template — without the network or the WSGI server's own parsing."""

    def __init__(self, *, user=None, token: str | None = None) -> None:
        from django.test import Client

        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(HTTP_HOST="127.0.0.1", **headers)
        if user is not None:
            self.client.force_login(user)

    def get(self, path: str) -> bytes:
        from django.db import close_old_connections

        close_old_connections()  # request_started
        response = self.client.get(path)
        close_old_connections()  # request_finished
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        return response.content

    def latencies(self, path: str, runs: int) -> dict[str, float]:
        """p50/p95/max over `runs` requests after a first one (timed apart: it fills what the
        process keeps), and the statements of one request."""
        from django.db import connection

        started = time.perf_counter()
        self.get(path)
        first_ms = (time.perf_counter() - started) * 1000
        counter = StatementCounter()
        with connection.execute_wrapper(counter):
            self.get(path)
        return {
            **latencies_ms(lambda: self.get(path), runs),
            "first": first_ms,
            "statements": counter.statements,
        }
