"""Cases at volume: what one API submission costs, submission throughput, workbench queue latency.

    .venv/bin/python bench/cases.py [--quick] [--cases 1000000] [--backends postgresql,sqlite]
                                    [--pg-db yiwang_bench_cases] [--sqlite-path var/bench-cases.sqlite3]
                                    [--threads 1,4] [--seconds 10] [--sample 50] [--pdf-kb 64]
                                    [--processes 2] [--slices 4] [--profile 0] [--runs 30]
                                    [--services | --no-services]
                                    [--no-pgbench] [--no-submit] [--no-queue] [--regenerate]

Each database gets bench/generate_cases.py's load, filled once and reused: on PostgreSQL a scratch
UTF-8 database (`--pg-db`, default `yiwang_bench_cases`) on BENCH_PG's server, on SQLite a file
(`--sqlite-path`, default var/bench-cases.sqlite3). `--quick` uses 2,000 cases and a small
applicant pool (5,000 persons, 500 enterprises) in databases of their own (`yiwang_bench_cases_quick`,
var/bench-cases-quick.sqlite3) unless named, and leaves out the portal's step-by-step path unless
asked (`--services`), so the submission figures come in a minute or two.

For each database, in a child process of its own:

(a) The API submission, as issue 8 measures it: `POST /api/v1/cases` with the real JSON body (an
    entry code of a published guide with exactly two materials, `form_data`, the two materials as
    base64 PDFs of `--pdf-kb` KB each, `{"method": "pickup"}` as the delivery choice, `submit`
    true) through Django's test Client in-process, with a bearer token and a fresh
    `Idempotency-Key` per request, each thread its own applicant and token. Around every request
    the worker does what a WSGI server's request_started/request_finished signals do
    (`close_old_connections()`; the test Client disconnects it), so connection reuse, the
    PostgreSQL health check and SQLite's connection per request are as on a server (on SQLite
    one more connection stays open meanwhile, as a server's other workers would keep one: the last
    connection to a WAL database checkpoints it as it closes).

    - CPU ms per case: `time.thread_time()` of the thread making the request, around the request
      (so it includes the test Client's own small work of building the request and reading the
      response, not the database server's); beside it the process CPU (`time.process_time()`)
      divided by the cases of that run. Both leave out the database server, whose CPU is given
      separately on PostgreSQL for the sample below (utime+stime of the connection's backend from
      /proc, 10 ms ticks, so only when the server runs on this machine).
    - Statements and transactions per case, on a separate sample of `--sample` requests in one
      thread (counting costs a little, so not during the timed runs): statements are what goes
      through `connection.execute_wrapper`, transaction control (SAVEPOINT, RELEASE, ROLLBACK
      TO, and SQLite's BEGIN IMMEDIATE, which Django sends through it) excluded (and shown
      apart). A write transaction is a commit of an outermost `transaction.atomic` (counted by
      wrapping `connection.commit`) or a writing statement run in autocommit (its own implicit
      transaction). Reads in autocommit (each its own single-statement read-only transaction on
      the server) are shown apart. Not seen by the wrapper: psycopg's implicit BEGIN, the
      drivers' COMMIT, SQLite's connection PRAGMAs and PostgreSQL's health check (`SELECT 1`).
      On PostgreSQL the server's own count is given as well: the change in
      `pg_stat_database.xact_commit`/`xact_rollback` of the benchmark database over the sample,
      which counts every transaction, read-only ones and health checks included. The sample also
      gives each statement's wall time and the thread CPU spent inside the statements' execute
      (the driver's share; building the SQL is the ORM's, outside it).
    - Cases per second with 1 and N clients (`--threads`), beside PostgreSQL's own `pgbench -N`
      (simple-update writes, scale 1) with as many clients. The clients are spread over
      `--processes` processes (default 2, forked from the child, threads within each), as
      `yiwang serve` runs gunicorn with two worker processes: a process's threads share one
      interpreter lock, so N threads in one process (`--processes 1`) measure one core's
      Python, not the server. The processes measure the same window, and their cases and
      CPU are summed. pgbench and the submissions take turns in `--slices` slices (default 4,
      `--seconds` shared among them), so both see the same moments of the machine; the ratio
      cases/s ÷ pgbench tps is over the whole, each slice's beside it, so machines compare. On
      SQLite the ratio is shown too, pgbench there serving only as a yardstick of the machine.
      The 1-minute load average as each run ends is printed beside it: on a shared machine the
      figures are only as good as the quiet they were taken in.
    - Beside the CPU per case, the trivial endpoint's (`GET /api/v1/calendar/deadline`, the same
      test client and threads) measured just before: the submission's CPU as a multiple of it
      holds still while the machine's speed moves.
    - Targets (issue 8) printed beside the figures: ≤ 8 ms CPU per case, 1 transaction, ≤ 12
      statements, ≥ 5 % of pgbench -N tps; the peer Open Zaak's figures: 84 ms CPU per case and
      0.70 % of pgbench tps.
    - `--profile N`: N more requests under cProfile (one thread, wall clock), the top entries by
      cumulative and by own time per request and as shares of it (cProfile roughly doubles the
      time of call-heavy code: the shares matter more than the ms).

(b) The portal's step-by-step path (`--services`, on by default except with `--quick`):
    `drafts.start_application`, `save_form`, `attach_material` for every material,
    `set_delivery`, `submit`, each its own transaction as the portal's pages do them, in cases per
    second with N threads.
(c) Workbench queue latency at that volume: p50/p95 of `queries.staff_queue(user,
    QueueFilters(tab=...))[:20]` evaluated, and of `queries.tab_counts(user)`, for the reviewer of
    the department with the most cases, a window clerk of the city's 政务服务中心 and the city's
    supervisor, on the tabs todo / overdue / all (and closed) and with an applicant filter (a
    name, an ID number); and the applicant's first page, `queries.applicant_cases(user)[:20]`.
    Also the full count of each list (what an API page's `count` costs). Aim: p95 under 50 ms at
    1M on PostgreSQL.

Submitted cases stay in the database (they are a few thousand among a million); uploaded files go
to a scratch directory under var/, beside the platform's own media (`_common.scratch_media`),
removed afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

import argparse  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from _common import (  # noqa: E402
    ROOT,
    latencies_ms,
    pg_url,
    pg_xact_counters,
    pgbench_drop,
    pgbench_init,
    pgbench_run,
    psql,
    report,
    scratch_media,
    setup_django,
)

PG_DB, PG_DB_QUICK = "yiwang_bench_cases", "yiwang_bench_cases_quick"
SQLITE_PATH = ROOT / "var" / "bench-cases.sqlite3"
SQLITE_PATH_QUICK = ROOT / "var" / "bench-cases-quick.sqlite3"
QUICK_CASES, QUICK_PERSONS, QUICK_ENTERPRISES = 2_000, 5_000, 500
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# Issue 8's targets and the peer's figures (Open Zaak).
TARGET_CPU_MS, TARGET_STATEMENTS, TARGET_TRANSACTIONS, TARGET_RATIO = 8.0, 12, 1, 5.0
PEER_CPU_MS, PEER_RATIO, PEER_RATE = 84.0, 0.70, 20
# Transaction control, not counted as statements (shown apart).
CONTROL_PREFIXES = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "END")
# The API's rate limiter (api.ratelimit, issue 9): one upsert per request, in autocommit before the
# view, so a write transaction of its own; on PostgreSQL the same statement reads the bearer token's
# account for the authentication (`rate_counters.bump_along`), on SQLite that read follows it as a
# statement of the submission's. Shown apart from the submission's statements and
# transactions, whose targets (issue 8) are the submission's own. Its limits are raised here so the
# timed runs are never refused (every thread posts far more than 120 a minute with its token).
RATE_LIMIT_TAG = "/* rate-limit */"
for _limit in ("TOKEN_WRITES", "TOKEN_READS", "ADDRESS_WRITES", "ADDRESS_READS"):
    os.environ.setdefault(f"API_RATE_LIMIT_{_limit}", "1000000000")


def pdf_of(kb: int) -> bytes:
    """A PDF of about `kb` KB (a stream of random bytes, as a scan compresses no further)."""
    if kb <= 0:
        return PDF
    body = os.urandom(kb * 1024)
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n2 0 obj<</Length " + str(len(body)).encode()
    head += b">>stream\n"
    return head + body + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def prepare_postgres(database: str, regenerate: bool) -> str | None:
    if regenerate:
        psql(f"DROP DATABASE IF EXISTS {database}")
    if psql("SELECT 1").returncode:
        return None
    made = psql(
        f"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0 "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    if made.returncode and "already exists" not in made.stderr:
        print(made.stderr, file=sys.stderr)
        return None
    return pg_url(database)


# --- (a) The API submission -----------------------------------------------------------------


def _applicants(count: int):
    """Applicant accounts for the submitting threads (created once, no usable password)."""
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import User
    from yiwang.core.identifiers import ric_check_digit

    users = []
    for i in range(count):
        username = f"bench-submit-{i:02d}"
        user = User.objects.filter(username=username).select_related("person").first()
        if user is None:
            body = f"160101199001{i + 1:02d}{i:03d}"
            user = accounts.register_person(
                username=username,
                password=None,  # type: ignore[arg-type]
                name=f"压测申请人{i}",
                id_number=body + ric_check_digit(body),
                phone=f"139{i:08d}",
                enforce_password_rules=False,
            )
        users.append(user)
    return users


def _entries(limit: int = 400):
    """Published entries a person may apply for: (entry, [(situation, its materials)])."""
    from yiwang.catalog.models import Entry

    picked = []
    qs = (
        Entry.objects.filter(
            published__isnull=False, status="active", published__audience__in=["person", "both"]
        )
        .filter(department__division__code__startswith="16")
        .select_related("published", "department__division")
        .prefetch_related("published__situations", "published__materials")
        .order_by("pk")
    )
    for entry in qs[:limit]:
        situations = [s.pk for s in entry.published.situations.all()] or [None]
        materials = list(entry.published.materials.all())
        picked.append(
            (entry, [(s, [m for m in materials if m.situation_id in (None, s)]) for s in situations])
        )
    return picked


def _bodies(pdf: bytes, limit: int = 400) -> list[bytes]:
    """JSON bodies of complete applications with exactly two materials, encoded once (so the
    client's share of a request's CPU stays small)."""
    encoded = base64.b64encode(pdf).decode()
    bodies = []
    for entry, situations in _entries(limit):
        for situation, materials in situations:
            if len(materials) != 2:
                continue
            body = {
                "entry": entry.code,
                "situation": situation,
                "form_data": {"说明": "压测申请", "联系人": "压测申请人"},
                "materials": [
                    {"material": m.pk, "filename": f"{m.name}.pdf", "content_base64": encoded}
                    for m in materials
                ],
                "delivery": {"method": "pickup"},
                "submit": True,
            }
            bodies.append(json.dumps(body, ensure_ascii=False).encode())
    if not bodies:
        raise SystemExit("no published entry with exactly two materials: generate the catalog first")
    return bodies


TRIVIAL = "/api/v1/calendar/deadline?start=2026-09-30&workdays=1"


class Poster:
    """One thread's client: its applicant's bearer token, a fresh Idempotency-Key per request, and
    what a WSGI server's request signals do around it (`close_old_connections`)."""

    def __init__(self, token: str, bodies: list[bytes], seed: int):
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.bodies = bodies
        self.rng = random.Random(seed)

    def post(self, body: bytes | None = None) -> None:
        from django.db import close_old_connections

        body = body or self.rng.choice(self.bodies)
        close_old_connections()  # request_started
        response = self.client.post(
            "/api/v1/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
        close_old_connections()  # request_finished
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.content[:300]!r}")

    def get_trivial(self) -> None:
        """The server's trivial endpoint (a deadline from the calendar), as a yardstick of CPU."""
        from django.db import close_old_connections

        close_old_connections()
        response = self.client.get(TRIVIAL)
        close_old_connections()
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.content[:300]!r}")


def _backend_cpu_s(pid: int | None) -> tuple[float, float] | None:
    """(user, system) CPU seconds of a local PostgreSQL backend, from /proc (None if not readable)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def sample(poster: Poster, requests: int) -> dict:
    """Statements and transactions per case over `requests` submissions in this thread."""
    from django.db import connection

    poster.post()  # connected (and warm) before counting
    per_request: list[list[tuple[str, bool]]] = []
    commits, rollbacks = [0], [0]

    driver_cpu = [0.0]

    def wrapper(execute, sql, params, many, context):
        atomic = context["connection"].in_atomic_block
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            driver_cpu[0] += time.thread_time() - cpu
            per_request[-1].append((sql, atomic, time.perf_counter() - started))

    real_commit, real_rollback = connection.commit, connection.rollback

    def commit():
        commits[0] += 1
        return real_commit()

    def rollback():
        rollbacks[0] += 1
        return real_rollback()

    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    before = pg_xact_counters(connection.vendor)
    cpu_before = _backend_cpu_s(pid)
    connection.commit, connection.rollback = commit, rollback
    try:
        with connection.execute_wrapper(wrapper):
            request_cpu = time.thread_time()
            for _ in range(requests):
                per_request.append([])
                poster.post()
            request_cpu = time.thread_time() - request_cpu
    finally:
        del connection.commit, connection.rollback  # the class's methods again
    cpu_after = _backend_cpu_s(pid)
    after = pg_xact_counters(connection.vendor)

    def kind(sql: str) -> str:
        if sql.lstrip().startswith(RATE_LIMIT_TAG):
            return "rate_limit"
        head = sql.lstrip().upper()
        if head.startswith(CONTROL_PREFIXES):
            return "control"
        return "read" if head.startswith("SELECT") else "write"

    statements, control, autocommit_writes, autocommit_reads, rate_limit = [], 0, 0, 0, 0
    timings: dict[str, list[float]] = {}
    for seen in per_request:
        counted = [(sql, atomic) for sql, atomic, _s in seen if kind(sql) not in ("control", "rate_limit")]
        rate_limit += sum(1 for sql, _atomic, _s in seen if kind(sql) == "rate_limit")
        control += len(seen) - len(counted) - sum(1 for sql, _a, _s in seen if kind(sql) == "rate_limit")
        statements.append(len(counted))
        autocommit_writes += sum(1 for sql, atomic in counted if not atomic and kind(sql) == "write")
        autocommit_reads += sum(1 for sql, atomic in counted if not atomic and kind(sql) == "read")
        for sql, _atomic, seconds in seen:
            timings.setdefault(_label(sql), []).append(seconds)
    n = len(per_request)
    out = {
        "requests": n,
        "statements": sum(statements) / n,
        "statements_min": min(statements),
        "statements_max": max(statements),
        "control": control / n,
        "commits": commits[0] / n,
        "rollbacks": rollbacks[0] / n,
        "autocommit_writes": autocommit_writes / n,
        "autocommit_reads": autocommit_reads / n,
        "rate_limit": rate_limit / n,
        "write_transactions": (commits[0] + autocommit_writes) / n,
        "one_request": [
            f"{seconds * 1000:6.2f} ms  " + ("[atomic] " if atomic else "[autocommit] ") + _label(sql)
            for sql, atomic, seconds in per_request[-1]
        ],
        "by_statement": sorted(
            ((label, len(t) / n, sum(t) * 1000 / n) for label, t in timings.items()),
            key=lambda row: -row[2],
        ),
        "statement_ms": sum(sum(t) for t in timings.values()) * 1000 / n,
        "cpu_ms": request_cpu * 1000 / n,
        "driver_cpu_ms": driver_cpu[0] * 1000 / n,
    }
    if before and after:
        # less the one pg_stat_force_next_flush() of the second reading
        out["server_xact_commit"] = (after[0] - before[0] - 1) / n
        out["server_xact_rollback"] = (after[1] - before[1]) / n
    if cpu_before is not None and cpu_after is not None:
        out["db_backend_user_ms"] = (cpu_after[0] - cpu_before[0]) * 1000 / n
        out["db_backend_system_ms"] = (cpu_after[1] - cpu_before[1]) * 1000 / n
        out["db_backend_cpu_ms"] = out["db_backend_user_ms"] + out["db_backend_system_ms"]
    return out


def _label(sql: str) -> str:
    """A statement in short: its verb and table (`SELECT accounts_apitoken`, `INSERT cases_case`)."""
    words = sql.replace('"', "").split()
    upper = [w.upper() for w in words]
    verb = upper[0] if upper else "?"
    marker = {"SELECT": "FROM", "DELETE": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}.get(verb)
    if marker is None:
        return " ".join(words)[:60]
    at = upper.index(marker) if marker in upper else len(words)
    table = words[at + 1].split(".")[0].rstrip(",(") if at + 1 < len(words) else ""
    if verb == "INSERT" and "ON CONFLICT" in sql.upper():
        verb = "UPSERT"
    elif verb == "INSERT" and "UNNEST(" in sql.upper():
        verb = "INSERT (bulk)"
    return f"{verb} {table}"


def profile(poster: Poster, requests: int, top: int = 15) -> str:
    """cProfile over `requests` submissions (its default wall-clock timer: a CPU timer costs a
    system call per function call and distorts more); the top entries by cumulative and by own
    time, per request and as a share of the request. Waiting for the database shows as psycopg's
    `wait`. cProfile's own cost per call inflates call-heavy code (the ORM): read the shares."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        poster.post()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def where(key) -> str:
        filename, line, name = key
        for marker in ("/site-packages/", "/src/", "/lib/python3"):
            if marker in filename:
                filename = filename.split(marker, 1)[1]
                break
        return f"{name}  ({filename}:{line})" if line else name

    items = list(stats.items())
    by_cum = sorted(items, key=lambda kv: kv[1][3], reverse=True)
    whole = by_cum[0][1][3] if by_cum else 1.0

    def table(title: str, rows) -> list[str]:
        lines = [title, f"  {'cum ms':>8} {'cum %':>6} {'own ms':>8} {'calls':>7}  function"]
        for key, (_cc, calls, own, cum, _callers) in rows[:top]:
            lines.append(
                f"  {cum * 1000 / requests:8.2f} {cum * 100 / whole:5.1f}% {own * 1000 / requests:8.2f} "
                f"{calls / requests:7.1f}  {where(key)}"
            )
        return lines

    inner = [kv for kv in by_cum if kv[1][3] < 0.75 * whole]  # below the request's wrappers
    ours = [kv for kv in by_cum if "/src/yiwang/" in kv[0][0]]
    by_own = sorted(items, key=lambda kv: kv[1][2], reverse=True)
    lines = [
        f"cProfile over {requests} requests (wall clock), per request "
        f"({whole * 1000 / requests:.2f} ms each under the profiler, which inflates the times)"
    ]
    lines += table(f"top {top} by cumulative time", by_cum)
    lines += table(f"top {top} by cumulative time below 75 % of a request (past the wrappers)", inner)
    lines += table(f"top {top} by cumulative time, yiwang's own functions", ours)
    lines += table(f"top {top} by own time", by_own)
    return "\n".join(lines)


def run_threads(n: int, seconds: float, work, *, warmup: int = 3, start_at: float | None = None) -> dict:
    """Run `work(i)` in n threads for `seconds` after `warmup` untimed calls each; every call's
    thread CPU, and the process CPU over the timed part. `start_at` (time.monotonic(), the same
    clock in every process): when the clock starts, so that processes running side by side
    (`run_clients`) measure the same window."""
    from django.db import connection

    done, failed, errors = [0] * n, [0] * n, []
    cpu: list[list[float]] = [[] for _ in range(n)]
    ready = threading.Barrier(n + 1)
    stop = [0.0]

    def worker(i: int) -> None:
        try:
            for _ in range(warmup):
                try:
                    work(i)
                except Exception as exc:
                    if len(errors) < 3:
                        errors.append(repr(exc)[:300])
            ready.wait()
            ready.wait()  # the clock starts
            while time.monotonic() < stop[0]:
                started = time.thread_time()
                try:
                    work(i)
                except Exception as exc:  # counted and reported; the run goes on
                    failed[i] += 1
                    if len(errors) < 3:
                        errors.append(repr(exc)[:300])
                    continue
                cpu[i].append(time.thread_time() - started)
                done[i] += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    ready.wait()
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.monotonic()))
    process_cpu, started = time.process_time(), time.monotonic()
    stop[0] = started + seconds
    ready.wait()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    process_cpu = time.process_time() - process_cpu
    for e in errors:
        print("  error:", e, file=sys.stderr)
    samples = sorted(x * 1000 for per in cpu for x in per)
    return _summary(samples, sum(done), sum(failed), elapsed, process_cpu, processes=1, threads=n)


def _summary(
    samples: list[float],
    cases: int,
    failed: int,
    elapsed: float,
    process_cpu: float,
    *,
    processes: int,
    threads: int,
) -> dict:
    return {
        "cases": cases,
        "failed": failed,
        "rate": cases / elapsed,
        "cpu_ms": statistics.fmean(samples) if samples else None,
        "cpu_p50": statistics.median(samples) if samples else None,
        "cpu_p95": samples[max(0, int(len(samples) * 0.95) - 1)] if samples else None,
        "process_cpu_ms": process_cpu * 1000 / cases if cases else None,
        "load": os.getloadavg()[0],  # the machine's 1-minute load average as the run ends
        "processes": processes,
        "threads": threads,
        "samples": samples,
        "elapsed": elapsed,
        "process_cpu": process_cpu,
    }


def _merged(parts: list[dict]) -> dict:
    """Runs of the same clients one after another, as one: cases and CPU summed, the rate over
    their summed time."""
    samples = sorted(x for part in parts for x in part["samples"])
    elapsed = sum(part["elapsed"] for part in parts)
    merged = _summary(
        samples,
        sum(part["cases"] for part in parts),
        sum(part["failed"] for part in parts),
        elapsed,
        sum(part["process_cpu"] for part in parts),
        processes=parts[0]["processes"],
        threads=parts[0]["threads"],
    )
    merged["rate"] = sum(part["rate"] * part["elapsed"] for part in parts) / elapsed
    return merged


def run_clients(n: int, processes: int, seconds: float, work) -> dict:
    """`work(i)` for n clients spread over `processes` processes (forked from this one, threads
    within each), as a server of that many worker processes runs them: one process's threads
    share its interpreter lock, as a gunicorn worker's do. The processes measure the same
    window; cases, rates and CPU are summed over them."""
    from django.db import connections

    processes = max(1, min(processes, n))
    if processes == 1:
        return run_threads(n, seconds, work)
    import multiprocessing

    connections.close_all()  # no connection crosses a fork
    start_at = time.monotonic() + 2.0  # after every process's warm-up requests
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    slices = [list(range(n))[k::processes] for k in range(processes)]

    def child(clients: list[int]) -> None:
        try:
            results.put(run_threads(len(clients), seconds, lambda j: work(clients[j]), start_at=start_at))
        except BaseException as exc:  # the parent waits for every process's answer: give it one
            results.put({"error": repr(exc)[:300]})
            raise

    pool = [context.Process(target=child, args=(clients,)) for clients in slices]
    for p in pool:
        p.start()
    parts = [results.get() for _ in pool]
    failed = [part["error"] for part in parts if "error" in part]
    if failed:
        raise RuntimeError(f"a client process failed: {failed[0]}")
    for p in pool:
        p.join()
    samples = sorted(x for part in parts for x in part["samples"])
    merged = _summary(
        samples,
        sum(part["cases"] for part in parts),
        sum(part["failed"] for part in parts),
        max(part["elapsed"] for part in parts),
        sum(part["process_cpu"] for part in parts),
        processes=processes,
        threads=n,
    )
    merged["rate"] = sum(part["rate"] for part in parts)  # each over the same window
    return merged


def submissions(args) -> dict:
    from django.db import connection

    threads = [int(t) for t in args.threads.split(",")]
    keeper = None
    if connection.vendor == "sqlite":
        # As a server's other workers would, keep the database open: the last connection to a
        # WAL database checkpoints it as it closes, which one thread alone would do per request.
        import sqlite3

        keeper = sqlite3.connect(connection.settings_dict["NAME"])
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        return _submissions(args, threads)
    finally:
        if keeper is not None:
            keeper.close()


def _submissions(args, threads: list[int]) -> dict:
    from django.db import connection

    from yiwang.accounts import services as accounts

    users = _applicants(max(threads))
    tokens = [accounts.issue_api_token(u) for u in users]
    pdf = pdf_of(args.pdf_kb)
    bodies = _bodies(pdf)
    result: dict = {"bodies": len(bodies), "pdf_bytes": len(pdf), "api": {}}
    first = Poster(tokens[0], bodies, seed=0)
    for body in bodies:  # warm: URL resolver, schemas, every entry's published-version cache
        first.post(body)
    result["sample"] = sample(first, args.sample)
    if args.profile:
        result["profile"] = profile(first, args.profile)
    connection.close()  # the threads open their own
    yardstick = os.environ.get("BENCH_PGBENCH_DB")
    slices = max(1, args.slices)
    slice_seconds = max(1, round(args.seconds / slices))
    for n in threads:
        # The server's trivial endpoint first: the machine's speed at this moment, for the CPU
        # figure (this host's speed moves 2-5x within minutes).
        posters = [Poster(tokens[i], bodies, seed=i) for i in range(n)]
        trivial = run_clients(
            n, args.processes, max(1.0, args.seconds / 2), lambda i, posters=posters: posters[i].get_trivial()
        )
        # pgbench and the submissions take turns in slices, so both see the same moments of the
        # host: one pgbench run before one submission run let a drift between the two move the
        # ratio by half.
        parts, tps_parts = [], []
        for _ in range(slices):
            if yardstick:
                tps_parts.append(pgbench_run(yardstick, slice_seconds, mode="-N", clients=n))
            parts.append(
                run_clients(n, args.processes, slice_seconds, lambda i, posters=posters: posters[i].post())
            )
        merged = _merged(parts)
        merged["trivial_cpu_ms"] = trivial["cpu_ms"]
        if tps_parts and None not in tps_parts:
            merged["pgbench_tps"] = statistics.fmean(tps_parts)
            merged["slice_ratios"] = [
                part["rate"] / tps * 100 for part, tps in zip(parts, tps_parts, strict=True)
            ]
        merged.pop("samples")
        result["api"][n] = merged
    if args.services:
        result["services"] = {}
        entries = _entries()
        rngs = [random.Random(i) for i in range(max(threads))]

        def by_services(i: int) -> None:
            entry, situations = rngs[i].choice(entries)
            _submit_by_services(users[i], entry, rngs[i].choice(situations)[0])

        for n in threads:
            result["services"][n] = run_threads(n, args.seconds, by_services)
            result["services"][n].pop("samples")
    return result


def _submit_by_services(user, entry, situation) -> None:
    from yiwang.cases import drafts

    case = drafts.start_application(user, entry, situation_id=situation)
    drafts.save_form(user, case, {})
    for item in drafts.checklist(case):
        drafts.attach_material(user, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    drafts.set_delivery(user, case, "pickup")
    drafts.submit(user, case)


# --- (c) Queues -----------------------------------------------------------------------------


def queues(runs: int) -> dict:
    from django.db import connection

    from generate_cases import ensure_bench_accounts
    from yiwang.cases import queries
    from yiwang.cases.models import Case

    users = ensure_bench_accounts()
    out: dict[str, dict] = {}
    sample = (
        Case.objects.filter(
            applicant_person__isnull=False, department=users["bench-reviewer"].staff.department_id
        )
        .select_related("applicant_person")
        .order_by("-id")
        .first()
    )
    name, id_number = sample.applicant_name, sample.applicant_person.id_number
    filters = {
        "todo": queries.QueueFilters(tab="todo"),
        "overdue": queries.QueueFilters(tab="overdue"),
        "all": queries.QueueFilters(tab="all"),
        "closed": queries.QueueFilters(tab="closed"),
        f"all, applicant name {name}": queries.QueueFilters(tab="all", applicant=name),
        "all, applicant ID number": queries.QueueFilters(tab="all", applicant=id_number),
    }
    for role in ("bench-reviewer", "bench-clerk", "bench-supervisor"):
        user = users[role]
        rows: dict[str, dict] = {}
        rows["tab_counts"] = latencies_ms(lambda user=user: queries.tab_counts(user), runs)
        rows["tab_counts"]["value"] = queries.tab_counts(user)
        for label, f in filters.items():
            page = latencies_ms(lambda user=user, f=f: list(queries.staff_queue(user, f)[:20]), runs)
            count = latencies_ms(
                lambda user=user, f=f: queries.staff_queue(user, f).count(), max(3, runs // 5)
            )
            page["count"] = queries.staff_queue(user, f).count()
            page["count_p50"] = count["p50"]
            rows[label] = page
        out[role] = rows
    applicant = users["bench-applicant"]
    out["bench-applicant"] = {
        "applicant_cases[:20]": {
            **latencies_ms(lambda: list(queries.applicant_cases(applicant)[:20]), runs),
            "count": queries.applicant_cases(applicant).count(),
        }
    }
    out["_vendor"] = connection.vendor
    out["_cases"] = Case.objects.count()
    return out


# --- Running and showing --------------------------------------------------------------------


def child(args) -> None:
    url = os.environ["DATABASE_URL"]
    setup_django(url)
    from django.conf import settings

    from generate_cases import ENTERPRISES, PERSONS, generate

    started = time.perf_counter()
    total = generate(
        args.cases,
        entries=args.entries,
        quiet=True,
        n_persons=QUICK_PERSONS if args.quick else PERSONS,
        n_enterprises=QUICK_ENTERPRISES if args.quick else ENTERPRISES,
    )
    if total < args.cases:
        print(
            f"note: the database already had {total:,} cases (fewer than --cases {args.cases:,}); "
            "--regenerate to start again",
            file=sys.stderr,
        )
    result: dict = {"cases": total, "prepared_s": round(time.perf_counter() - started, 1)}
    if not args.no_queue:
        result["queues"] = queues(args.runs)
    if not args.no_submit:
        media = scratch_media("bench-media-")
        settings.MEDIA_ROOT = media
        try:
            result["submit"] = submissions(args)
        finally:
            shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, default=str))


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def show(result: dict, vendor: str, args) -> None:
    def lat(d: dict) -> str:
        return f"p50 {d['p50']:6.1f} ms  p95 {d['p95']:6.1f} ms"

    if "queues" in result:
        q = result["queues"]
        rows = [("cases in the database", f"{q['_cases']:,}")]
        for role in ("bench-reviewer", "bench-clerk", "bench-supervisor"):
            counts = q[role]["tab_counts"]
            rows.append((f"{role}: tab_counts", lat(counts) + f"  {counts['value']}"))
            for label, d in q[role].items():
                if label == "tab_counts":
                    continue
                rows.append(
                    (f"  {label} [:20]", lat(d) + f"  (count {d['count']:,} in {d['count_p50']:.0f} ms)")
                )
        d = q["bench-applicant"]["applicant_cases[:20]"]
        rows.append(("bench-applicant: applicant_cases[:20]", lat(d) + f"  (of {d['count']} cases)"))
        rows.append(("aim", "p95 < 50 ms at 1M on PostgreSQL"))
        report(f"workbench queues — {vendor}", rows)
    if "submit" not in result:
        return
    sub = result["submit"]
    s = sub["sample"]
    rows = [
        (
            "request",
            f"POST /api/v1/cases, submit, two materials of {sub['pdf_bytes']:,} bytes as base64 PDF,",
        ),
        ("", f"delivery pickup, bearer token, fresh Idempotency-Key; {sub['bodies']} entries drawn from;"),
        ("", f"{result['cases']:,} cases in the database"),
        ("— counted on a sample", f"{s['requests']} requests, 1 thread (connection.execute_wrapper)"),
        (
            "statements per case",
            f"{s['statements']:.2f} (min {s['statements_min']}, max {s['statements_max']})"
            f"   target ≤ {TARGET_STATEMENTS}: {_met(s['statements'] <= TARGET_STATEMENTS)}"
            f"   [transaction control excluded: {s['control']:.2f} seen (SAVEPOINT, RELEASE, SQLite's"
            " BEGIN IMMEDIATE); psycopg's implicit BEGIN, the drivers' COMMIT and the"
            " health check not seen]",
        ),
        (
            "write transactions per case",
            f"{s['write_transactions']:.2f} = {s['commits']:.2f} commits of an outermost atomic"
            f" (connection.commit) + {s['autocommit_writes']:.2f} writes in autocommit"
            f"   target {TARGET_TRANSACTIONS}: {_met(s['write_transactions'] <= TARGET_TRANSACTIONS)}"
            + (f"   (rollbacks {s['rollbacks']:.2f})" if s["rollbacks"] else ""),
        ),
        (
            "reads in autocommit per case",
            f"{s['autocommit_reads']:.2f} (each its own read-only transaction on the server)",
        ),
        (
            "rate-limit counter per case",
            f"{s.get('rate_limit', 0):.2f} upsert in autocommit (api.ratelimit, issue 9: its own write"
            " transaction before the view; on PostgreSQL it also reads the bearer token's account;"
            " not in the figures above, whose targets are the submission's)",
        ),
    ]
    if "server_xact_commit" in s:
        rows.append(
            (
                "server transactions per case",
                f"{s['server_xact_commit']:.2f} commits, {s['server_xact_rollback']:.2f} rollbacks"
                " (pg_stat_database of the benchmark database: every transaction, read-only ones"
                " and the health check's SELECT 1 included)",
            )
        )
    if "db_backend_cpu_ms" in s:
        rows.append(
            (
                "database server CPU per case",
                f"{s['db_backend_cpu_ms']:.2f} ms = {s['db_backend_user_ms']:.2f} user +"
                f" {s['db_backend_system_ms']:.2f} system (the connection's backend, /proc;"
                " not in the CPU figures below)",
            )
        )
    rows.append(
        (
            "CPU per case in the sample",
            f"{s['cpu_ms']:.2f} ms (thread_time, counting on), of which {s['driver_cpu_ms']:.2f} ms inside"
            " the statements' execute (Django's cursor wrapper and psycopg/sqlite3: sending, waiting,"
            " reading rows; building the SQL is outside)",
        )
    )
    rows.append(("— timed runs", f"{args.seconds:g} s each, after 3 untimed requests per thread"))
    for n, d in sub["api"].items():
        n = int(n)
        if not d["cases"]:
            rows.append((f"{n} client(s)", f"no case submitted ({d['failed']} failed)"))
            continue
        cpu = d["cpu_ms"]
        line = (
            f"CPU {cpu:6.2f} ms/case (thread_time mean; p50 {d['cpu_p50']:.2f}, p95 {d['cpu_p95']:.2f};"
            f" process CPU ÷ cases {d['process_cpu_ms']:.2f})"
            f"   target ≤ {TARGET_CPU_MS:g} ms: {_met(cpu <= TARGET_CPU_MS)}, peer {PEER_CPU_MS:g} ms"
        )
        per, extra = divmod(n, d.get("processes", 1))
        layout = (
            f"{d['processes']} processes × {per}{f'–{per + 1}' if extra else ''} threads"
            if d.get("processes", 1) > 1
            else f"{n} thread(s) in one process"
        )
        rows.append((f"{n} client(s)", line))
        rows.append(("", f"({layout})"))
        if d.get("trivial_cpu_ms"):
            rows.append(
                (
                    "",
                    f"= {cpu / d['trivial_cpu_ms']:.1f}× the trivial endpoint's CPU in the same run"
                    f" ({d['trivial_cpu_ms']:.2f} ms per GET {TRIVIAL.split('?')[0]}, same client)",
                )
            )
        line = f"{d['rate']:7.1f} cases/s"
        if d["failed"]:
            line += f" ({d['failed']} failed)"
        line += f" (load average {d['load']:.1f} on {os.cpu_count()} CPUs)"
        tps = d.get("pgbench_tps")
        if tps:
            ratio = d["rate"] / tps * 100
            line += (
                f"   pgbench -N {n} client(s) {tps:,.0f} tps   ratio {ratio:.2f} %"
                f"   target ≥ {TARGET_RATIO:g} %: {_met(ratio >= TARGET_RATIO)}, peer {PEER_RATIO:.2f} %"
            )
            if len(d.get("slice_ratios", [])) > 1:
                line += f" (slices {min(d['slice_ratios']):.2f}–{max(d['slice_ratios']):.2f} %)"
            if vendor != "postgresql":
                line += " (pgbench as the machine's yardstick only)"
        else:
            line += "   (no pgbench figure)"
        rows.append(("", line))
    rows.append(
        (
            "CPU measured as",
            "time.thread_time() of the requesting thread around each request (the test Client's"
            " own share included, the database server's not); process CPU ÷ cases beside it",
        )
    )
    report(f"API submission — {vendor}", rows)
    print("  statements of one submission (wall time in the driver, server time included):")
    for line in s["one_request"]:
        print(f"    {line}")
    print(f"  per case over the sample, by statement ({s['statement_ms']:.2f} ms in all):")
    for label, count, ms in s["by_statement"]:
        print(f"    {ms:6.2f} ms  {count:4.2f}×  {label}")
    if "profile" in sub:
        print()
        print(sub["profile"])
    if "services" in sub:
        rows = []
        for n, d in sub["services"].items():
            line = f"{d['rate']:7.1f} cases/s"
            if d["cpu_ms"]:
                line += f"   CPU {d['cpu_ms']:.1f} ms/case (thread_time)"
            if d["failed"]:
                line += f"  ({d['failed']} failed)"
            rows.append((f"{n} thread(s)", line))
        rows.append(("Open Zaak (peer)", f"about {PEER_RATE} cases/s"))
        report(f"the portal's step-by-step path (services, several transactions) — {vendor}", rows)
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 cases in databases of their own")
    parser.add_argument("--cases", type=int, default=None, help="default 1,000,000 (2,000 with --quick)")
    parser.add_argument("--entries", type=int, default=3_780)
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--pg-db", default=None, help=f"default {PG_DB} ({PG_DB_QUICK} with --quick)")
    parser.add_argument("--sqlite-path", default=None, help="default var/bench-cases[-quick].sqlite3")
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="processes the API clients are spread over (default 2, as `yiwang serve`'s gunicorn workers; 1: threads in one process)",
    )
    parser.add_argument("--sample", type=int, default=50, help="requests counted for statements")
    parser.add_argument("--pdf-kb", type=int, default=64, help="size of each material (0: a tiny PDF)")
    parser.add_argument("--profile", type=int, default=0, help="requests to profile with cProfile")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--services",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also the portal's step-by-step path (default: yes, no with --quick)",
    )
    parser.add_argument(
        "--slices", type=int, default=4, help="pgbench and the submissions take turns this many times"
    )
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--no-submit", action="store_true")
    parser.add_argument("--no-queue", action="store_true")
    parser.add_argument("--regenerate", action="store_true", help="start from empty databases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.cases is None:
        args.cases = QUICK_CASES if args.quick else 1_000_000
    if args.services is None:
        args.services = not args.quick
    if args.child:
        child(args)
        return
    pg_db = args.pg_db or (PG_DB_QUICK if args.quick else PG_DB)
    sqlite_path = Path(args.sqlite_path or (SQLITE_PATH_QUICK if args.quick else SQLITE_PATH)).resolve()
    targets = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            if args.regenerate:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            targets.append(("sqlite", f"sqlite:///{sqlite_path}"))
        elif backend in ("postgresql", "pg"):
            url = prepare_postgres(pg_db, args.regenerate)
            if url is None:
                print("PostgreSQL unavailable: skipped", file=sys.stderr)
            else:
                targets.append(("postgresql", url))
    yardstick = f"{pg_db}_pgbench"
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    if not args.no_pgbench and not args.no_submit and targets:
        if pgbench_init(yardstick):
            env["BENCH_PGBENCH_DB"] = yardstick
        else:
            print("pgbench unavailable: no yardstick", file=sys.stderr)
    failed = 0
    try:
        for vendor, url in targets:
            failed |= run_child(vendor, url, env, args)
    finally:
        if "BENCH_PGBENCH_DB" in env:
            pgbench_drop(yardstick)
    sys.exit(failed)


def run_child(vendor: str, url: str, env: dict[str, str], args) -> int:
    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    if vendor == "sqlite" and not any(a.startswith("--threads") for a in sys.argv):
        command += ["--threads", "1"]  # one writer at a time: SQLite serialises them anyway
    out = subprocess.run(command, env={**env, "DATABASE_URL": url}, capture_output=True, text=True)
    if out.returncode:
        print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
        return 1
    if out.stderr.strip():
        print(out.stderr[-2000:], file=sys.stderr)
    show(json.loads(out.stdout.strip().splitlines()[-1]), vendor, args)
    return 0


if __name__ == "__main__":
    main()
