"""一件事一次办: one bundle application of four entries, against the same four entries applied for one
by one, as the server sees them.

    .venv/bin/python bench/bundles.py [--quick] [--runs 30] [--backends sqlite,postgresql]
                                      [--sample 5] [--pdf-kb 64] [--pgbench-seconds 5]
                                      [--profile 0] [--no-breakdown] [--no-pgbench]

Each backend gets a scratch database made afresh for the run (PostgreSQL: `yiwang_bench_bundles`
on BENCH_PG's server, dropped and created UTF-8; SQLite: var/bench-bundles.sqlite3, removed
first), migrated, with the demo region and what tests/bundles/bundle_fixtures.py sets up: the four
published entries of 我要开饭店 (business registration, which issues the 营业执照; the food permit
and the signboard permit, which wait for it; the fire check in parallel), the 营业执照 licence type
with its seal, and the bundle `open-restaurant` drafted and published (the fixtures' SPECS and
definition are imported from tests/, so the bench follows them). Uploaded files go to a scratch
directory under var/ (`_common.scratch_media`) removed afterwards. Each backend runs in a child process of its own.

The two operations, with the same applicant (demo-citizen, bearer token), the same answers (80
seats, a signboard, not only prepacked food: all four entries selected), the same form values and
the same material bytes (`--pdf-kb` KB of PDF per distinct material), each request with a fresh
`Idempotency-Key`, through Django's test Client in-process, `close_old_connections()` around each
request as a WSGI server's request signals do:

(a) bundle: one `POST /api/v1/bundles/open-restaurant/applications` with the merged material list
    (five distinct uploads; the 营业执照 comes from the chain): the parent application and four
    cases in one transaction, registration and the fire check submitted, the food and signboard
    permits held drafts waiting for the registration.
(b) separate: four `POST /api/v1/cases`, one per entry, each with that entry's own materials (six
    uploads: the 居民身份证 twice), the food permit with a 统一社会信用代码 as if the licence were
    already held; all four submitted.

Printed per operation (an operation is one bundle request, or all four single requests):
- server CPU ms, median and p95 over `--runs` repetitions (interleaved, the order swapped every
  other repetition, so drift hits both): `time.thread_time()` of the thread making the requests,
  the test Client's own small share included, the database server's not; wall ms beside it;
- statements and transactions, counted on a separate sample of `--sample` operations each (not
  during the timed runs): statements through `connection.execute_wrapper`, transaction control and
  the API rate limiter's upsert (one per request, its own autocommit transaction) shown apart;
  write transactions = commits of an outermost atomic + writing statements in autocommit; on
  PostgreSQL also the server's own count (`pg_stat_database.xact_commit` of the scratch database,
  read-only transactions and health checks included) and the database backend's CPU (/proc);
- the reference measured in the same run: the trivial endpoint (`GET /api/v1/calendar/deadline`)
  through the same client, its CPU median interleaved with the timed runs, and PostgreSQL's
  `pgbench -S` and `-N` (1 client) on a scratch database, run right before the timed runs (on
  SQLite as the machine's yardstick only);
- whether the bundle costs less server CPU than the four separately (the issue's aim);
- where each operation's CPU goes (unless `--no-breakdown`): after the timed runs, the service
  functions on either path wrapped with thread-CPU timers (BREAKDOWN below), per operation;
- `--profile N`: N more bundle requests under cProfile.

Not measured: the outbox delivery after commit (notices; the chain starting the waiting cases once
the registration is decided), which a worker does later for both paths.
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
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from _common import (  # noqa: E402
    ROOT,
    pg_url,
    pgbench_drop,
    pgbench_init,
    pgbench_run,
    psql,
    report,
    scratch_media,
    setup_django,
)

# bench/cases.py: its statement helpers, and the rate limiter's limits raised (set as it is imported).
from cases import (  # noqa: E402
    CONTROL_PREFIXES,
    RATE_LIMIT_TAG,
    _backend_cpu_s,
    _label,
    _pg_counters,
    pdf_of,
)
from cases import profile as cprofile_requests  # noqa: E402

PG_DB = "yiwang_bench_bundles"
PGBENCH_DB = "yiwang_bench_bundles_pgbench"
SQLITE_PATH = ROOT / "var" / "bench-bundles.sqlite3"
BUNDLE = "open-restaurant"
TRIVIAL = "/api/v1/calendar/deadline?start=2026-09-30&workdays=1"
# The fixtures' answers and form (tests/bundles/test_applying.py): all four entries selected.
ANSWERS = {"seats": 80, "signboard": "yes", "prepacked_only": "no"}
FORM = {
    "shop_name": "张三小吃店",
    "shop_address": "青山市人民路 8 号",
    "area": 60,
    "sign_text": "张三小吃",
    "seats": 80,
}


# --- The scratch database -------------------------------------------------------------------------


def database_url(backend: str) -> str | None:
    if backend == "postgresql":
        if psql("SELECT 1").returncode:
            return None
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        made = psql(
            f"CREATE DATABASE {PG_DB} ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
        if made.returncode:
            print(f"cannot create {PG_DB}: {made.stderr}", file=sys.stderr)
            return None
        return pg_url(PG_DB)
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def set_up_restaurant():
    """What the fixtures `region`, `workday_calendar`, `restaurant_entries` and `restaurant` do
    (tests/bundles/bundle_fixtures.py), on the scratch database: returns (bundle, entries by key)."""
    import copy
    import importlib.util

    # tests/ after bench/ (its `cases` stays bench/cases.py); the fixtures' module by its path, as
    # `bundles` is this file.
    sys.path.append(str(ROOT / "tests"))
    spec = importlib.util.spec_from_file_location(
        "bundle_fixtures", ROOT / "tests" / "bundles" / "bundle_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixtures)
    from case_fixtures import _second_admin, publish
    from catalog.guide_samples import GOOD, make_entry
    from yiwang.accounts.models import User
    from yiwang.bundles import services
    from yiwang.core import services as core_services
    from yiwang.core import workdays
    from yiwang.demo.region import load_region
    from yiwang.licences import keys
    from yiwang.licences.models import LicenceType

    region = load_region()
    core_services.ensure_calendar()
    workdays.invalidate()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    entries = {}
    for key, spec in fixtures.SPECS.items():
        department = region.departments[spec["department"]]
        admin = users["demo-itemadmin"] if spec["department"] == "city_market" else _second_admin(region)
        document = copy.deepcopy(GOOD)
        document.pop("initiation", None)
        document.update(name=spec["name"], materials=spec["materials"], result_name=spec["name"])
        entry = make_entry(
            department, basic_code=spec["basic_code"], name=spec["name"], user=admin, document=document
        )
        entries[key] = publish(
            entry,
            user=admin,
            reviewer=users["demo-approver" if spec["department"] == "city_market" else "demo-admin"],
            form_schema={"fields": fixtures.PERSON + spec["fields"]},
            audience="both",
            case_kind=spec.get("case_kind", "promised"),
            promised_limit=spec["promised_limit"],
            visits_required=1 if key == "fire" else 0,
            online_depth=4 if key == "fire" else 6,
        )
    register = entries["register"].department  # licence_fixtures.licence_type, as the fixture calls it
    licence_type = LicenceType.objects.create(
        code=register.uscc + "009",
        name="营业执照",
        agency=register,
        holder_kind="person",
        schema=fixtures.BUSINESS_SCHEMA,
        validity_years=5,
        layout={"shown": [f["name"] for f in fixtures.BUSINESS_SCHEMA["fields"]]},
        number_prefix="JY",
    )
    licence_type.entries.set([entries["register"]])
    keys.create_key(register, users["demo-admin"])
    version = services.create_bundle(
        users["demo-itemadmin"], code=BUNDLE, name="我要开饭店", division=region.city
    )
    problems = services.save_draft(
        version,
        users["demo-itemadmin"],
        plain_title="开饭店、开餐馆",
        aliases=["开饭店", "开餐馆"],
        definition=fixtures.definition(entries),
    )
    if problems:
        raise SystemExit(f"the bundle cannot be published: {problems}")
    services.submit_version(version, users["demo-itemadmin"])
    services.publish_version(version, users["demo-admin"])
    version.bundle.refresh_from_db()
    return version.bundle, entries


def bodies(bundle, entries, pdf_kb: int) -> tuple[bytes, list[bytes], dict]:
    """The bundle request's body, the four single requests' bodies (the same form values and the
    same bytes for the same material), and what they hold."""
    from yiwang.bundles import queries, rules
    from yiwang.bundles import services as bundle_services
    from yiwang.cases.published import published
    from yiwang.demo.region import enterprise_uscc

    guide = queries.guide(bundle, ANSWERS)
    uploads = [m for m in guide.materials if m.required and not m.from_upstream]
    content = {m.key: base64.b64encode(pdf_of(pdf_kb)).decode() for m in uploads}
    delivery = {"method": "pickup"}
    bundle_body = {
        "answers": ANSWERS,
        "form_data": FORM,
        "materials": [
            {"material": m.key, "filename": f"{m.name}.pdf", "content_base64": content[m.key]}
            for m in uploads
        ],
        "delivery": delivery,
    }
    by_code = {e.code: e for e in entries.values()}
    singles, files = [], 0
    for s in guide.selected:
        entry = by_code[s.member.entry]
        parts = published(entry.published)
        form = rules.member_form(guide.definition, entry.code, s.situation, guide.facts, FORM)
        if "uscc" in {f["name"] for f in parts.schema_for(None).get("fields", [])}:
            form["uscc"] = enterprise_uscc("150100", "00000001")  # the licence the chain would bring
        materials = [
            {"material": m.ids[entry.code], "filename": f"{m.name}.pdf", "content_base64": content[m.key]}
            for m in uploads
            if entry.code in m.ids
        ]
        files += len(materials)
        singles.append(
            {
                "entry": entry.code,
                "situation": bundle_services._situation_id(entry, s.situation),
                "form_data": form,
                "materials": materials,
                "delivery": delivery,
                "submit": True,
            }
        )
    encode = lambda body: json.dumps(body, ensure_ascii=False).encode()  # noqa: E731
    shape = {
        "entries": [guide.facts[s.member.entry].name for s in guide.selected],
        "waiting": [guide.facts[s.member.entry].name for s in guide.selected if s.after],
        "bundle_files": len(uploads),
        "single_files": files,
        "pdf_bytes": len(base64.b64decode(next(iter(content.values())))),
        "bundle_body_bytes": len(encode(bundle_body)),
        "single_body_bytes": sum(len(encode(b)) for b in singles),
    }
    return encode(bundle_body), [encode(b) for b in singles], shape


# --- Requests -------------------------------------------------------------------------------------


class Applicant:
    """The applicant's client: a bearer token, a fresh Idempotency-Key per request, and what a WSGI
    server's request signals do around each request (the test Client disconnects them)."""

    def __init__(self, token: str, bundle_body: bytes, single_bodies: list[bytes]):
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.bundle_body, self.single_bodies = bundle_body, single_bodies

    def _post(self, path: str, body: bytes) -> dict:
        from django.db import close_old_connections

        close_old_connections()  # request_started
        response = self.client.post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
        close_old_connections()  # request_finished
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:500]!r}")
        return response.json()

    def bundle(self) -> dict:
        return self._post(f"/api/v1/bundles/{BUNDLE}/applications", self.bundle_body)

    def separate(self) -> list[dict]:
        return [self._post("/api/v1/cases", body) for body in self.single_bodies]

    def trivial(self) -> None:
        from django.db import close_old_connections

        close_old_connections()
        response = self.client.get(TRIVIAL)
        close_old_connections()
        if response.status_code != 200:
            raise RuntimeError(f"{TRIVIAL}: {response.status_code} {response.content[:300]!r}")

    post = bundle  # for bench/cases.py's profile()


def check_answers(applicant: Applicant) -> dict:
    """One of each, checked: the bundle's four cases and their states, the four single cases."""
    from yiwang.cases.models import Case

    answer = applicant.bundle()
    states = {c["title"]: c["member_state"] for c in answer["cases"]}
    if len(states) != 4:
        raise RuntimeError(f"the bundle made {len(states)} cases, not 4: {states}")
    singles = applicant.separate()
    numbers = [s["number"] for s in singles]
    submitted = Case.objects.filter(number__in=numbers, state="submitted").count()
    if submitted != 4:
        raise RuntimeError(f"{submitted} of the four single cases are submitted")
    return {"bundle_states": states}


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


def timed(applicant: Applicant, runs: int, trivial_per_run: int = 5) -> dict:
    """CPU and wall time of each operation, the two interleaved (the order swapped every other
    repetition), and the trivial endpoint's between them."""
    cpu: dict[str, list[float]] = {"bundle": [], "separate": [], "trivial": []}
    wall: dict[str, list[float]] = {"bundle": [], "separate": [], "trivial": []}
    per_case: list[float] = []

    def measure(name: str, fn) -> None:
        c, w = time.thread_time(), time.perf_counter()
        fn()
        cpu[name].append((time.thread_time() - c) * 1000)
        wall[name].append((time.perf_counter() - w) * 1000)

    def one_by_one() -> None:
        for body in applicant.single_bodies:
            c = time.thread_time()
            applicant._post("/api/v1/cases", body)
            per_case.append((time.thread_time() - c) * 1000)

    process = time.process_time()
    for i in range(runs):
        order = [("bundle", applicant.bundle), ("separate", one_by_one)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            measure(name, fn)
            for _ in range(trivial_per_run // 2 + 1):
                measure("trivial", applicant.trivial)
    out = {
        name: {
            "cpu_p50": statistics.median(cpu[name]),
            "cpu_p95": _quantile(cpu[name], 0.95),
            "cpu_mean": statistics.fmean(cpu[name]),
            "wall_p50": statistics.median(wall[name]),
            "wall_p95": _quantile(wall[name], 0.95),
            "n": len(cpu[name]),
        }
        for name in cpu
    }
    out["separate"]["per_case_cpu_p50"] = statistics.median(per_case)
    out["process_cpu_s"] = time.process_time() - process
    out["load"] = os.getloadavg()[0]
    return out


# --- Counting statements and transactions ---------------------------------------------------------


def _kind(sql: str) -> str:
    if sql.lstrip().startswith(RATE_LIMIT_TAG):
        return "rate_limit"
    head = sql.lstrip().upper()
    if head.startswith(CONTROL_PREFIXES):
        return "control"
    return "read" if head.startswith("SELECT") else "write"


def counted(fn, operations: int) -> dict:
    """Statements and transactions per operation over `operations` calls of `fn` in this thread."""
    from django.db import connection

    per_op: list[list[tuple[str, bool, float]]] = []
    commits = [0]

    def wrapper(execute, sql, params, many, context):
        atomic = context["connection"].in_atomic_block
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            per_op[-1].append((sql, atomic, time.perf_counter() - started))

    real_commit = connection.commit

    def commit():
        commits[0] += 1
        return real_commit()

    fn()  # connected and warm before counting
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    before = _pg_counters(connection.vendor)
    cpu_before = _backend_cpu_s(pid)
    connection.commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            for _ in range(operations):
                per_op.append([])
                fn()
    finally:
        del connection.commit  # the class's method again
    cpu_after = _backend_cpu_s(pid)
    same_backend = True
    if pid is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            same_backend = cursor.fetchone()[0] == pid
    after = _pg_counters(connection.vendor)

    n = len(per_op)
    statements = [
        [(sql, atomic, s) for sql, atomic, s in op if _kind(sql) in ("read", "write")] for op in per_op
    ]
    timings: dict[str, list[float]] = {}
    for op in per_op:
        for sql, _atomic, seconds in op:
            timings.setdefault(_label(sql), []).append(seconds)
    autocommit_writes = sum(
        1 for op in statements for sql, atomic, _s in op if not atomic and _kind(sql) == "write"
    )
    out = {
        "operations": n,
        "statements": sum(len(op) for op in statements) / n,
        "statements_min": min(len(op) for op in statements),
        "statements_max": max(len(op) for op in statements),
        "reads": sum(1 for op in statements for sql, _a, _s in op if _kind(sql) == "read") / n,
        "writes": sum(1 for op in statements for sql, _a, _s in op if _kind(sql) == "write") / n,
        "control": sum(1 for op in per_op for sql, _a, _s in op if _kind(sql) == "control") / n,
        "rate_limit": sum(1 for op in per_op for sql, _a, _s in op if _kind(sql) == "rate_limit") / n,
        "commits": commits[0] / n,
        "autocommit_writes": autocommit_writes / n,
        "autocommit_reads": sum(
            1 for op in statements for sql, atomic, _s in op if not atomic and _kind(sql) == "read"
        )
        / n,
        "write_transactions": (commits[0] + autocommit_writes) / n,
        "statement_ms": sum(sum(t) for t in timings.values()) * 1000 / n,
        "by_statement": sorted(
            ((label, len(t) / n, sum(t) * 1000 / n) for label, t in timings.items()), key=lambda row: -row[1]
        ),
        "one": [("[atomic] " if atomic else "[autocommit] ") + _label(sql) for sql, atomic, _s in per_op[-1]],
    }
    if before and after:
        out["server_xact_commit"] = (after[0] - before[0] - 1) / n  # less the reading's own flush
        out["server_xact_rollback"] = (after[1] - before[1]) / n
    if cpu_before is not None and cpu_after is not None and same_backend:
        out["db_backend_cpu_ms"] = sum(cpu_after) * 1000 / n - sum(cpu_before) * 1000 / n
    return out


# Where each operation's CPU goes: functions timed (thread CPU, inclusive) by wrapping them where
# their callers look them up; an indented name runs inside the one above it.
BREAKDOWN = [
    ("yiwang.bundles.queries", "bundle_by_code", "bundles.queries.bundle_by_code (the API view)"),
    ("yiwang.bundles.services", "apply", "bundles.services.apply"),
    ("yiwang.bundles.queries", "facts_of", "  bundles.queries.facts_of (entry facts, uncached)"),
    ("yiwang.bundles.services", "_entries", "  bundles.services._entries (entry_to_apply per entry)"),
    ("yiwang.cases.submission", "prepare", "  cases.submission.prepare (per case)"),
    ("yiwang.bundles.services", "_write", "  bundles.services._write (the transaction)"),
    ("yiwang.cases.submission", "write", "    cases.submission.write (per case)"),
    ("yiwang.bundles.queries", "progress", "bundles.queries.progress (the answer, read back)"),
    ("yiwang.cases.submission", "apply", "cases.submission.apply"),
    ("yiwang.cases.queries", "case_detail", "cases.queries.case_detail (the answer, from memory)"),
    ("yiwang.core.uploads", "check", "  core.uploads.check (each file's checks and sha256)"),
    ("yiwang.core.uploads", "write", "  core.uploads.write (each file's bytes to disk)"),
]


def breakdown(applicant: Applicant, operations: int) -> dict:
    """CPU ms per operation in the functions of BREAKDOWN (those that exist), and calls of each."""
    import importlib

    spent: dict[str, list[float]] = {}
    patched = []

    def wrap(module, name: str, label: str) -> None:
        real = getattr(module, name)

        def timed_call(*args, **kwargs):
            started = time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label][0] += time.thread_time() - started
                spent[label][1] += 1

        setattr(module, name, timed_call)
        patched.append((module, name, real))

    for module_name, name, label in BREAKDOWN:
        module = importlib.import_module(module_name)
        if callable(getattr(module, name, None)):
            wrap(module, name, label)
            spent[label] = [0.0, 0]
    out: dict = {}
    try:
        for op in ("bundle", "separate"):
            for v in spent.values():
                v[0], v[1] = 0.0, 0
            total = 0.0
            for _ in range(operations):
                started = time.thread_time()
                getattr(applicant, op)()
                total += time.thread_time() - started
            out[op] = {
                "total_ms": total * 1000 / operations,
                "parts": [
                    (label, v[0] * 1000 / operations, v[1] / operations) for label, v in spent.items() if v[1]
                ],
            }
    finally:
        for module, name, real in reversed(patched):
            setattr(module, name, real)
    return out


# --- One backend (the child process) --------------------------------------------------------------


def child(args) -> None:
    setup_django(os.environ["DATABASE_URL"])
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    media = scratch_media("bench-media-bundles-")
    settings.MEDIA_ROOT = media
    keeper = None
    try:
        bundle, entries = set_up_restaurant()
        token = accounts.issue_api_token(User.objects.get(username="demo-citizen"))
        bundle_body, single_bodies, shape = bodies(bundle, entries, args.pdf_kb)
        result: dict = {"shape": shape, "prepared_s": time.perf_counter() - started}
        if connection.vendor == "sqlite":
            # As a server's other workers would, keep the database open: the last connection to a
            # WAL database checkpoints it as it closes (bench/cases.py does the same).
            import sqlite3

            keeper = sqlite3.connect(connection.settings_dict["NAME"])
            keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
        applicant = Applicant(token, bundle_body, single_bodies)
        result.update(check_answers(applicant))
        for _ in range(3):  # warm: URL resolver, schemas, caches
            applicant.bundle()
            applicant.separate()
            applicant.trivial()
        result["count_bundle"] = counted(applicant.bundle, args.sample)
        result["count_separate"] = counted(applicant.separate, args.sample)
        result["count_trivial"] = counted(applicant.trivial, args.sample)
        yardstick = os.environ.get("BENCH_PGBENCH_DB")
        if yardstick:  # right before the timed runs, so both see the machine in the same state
            result["pgbench_select_tps"] = pgbench_run(yardstick, args.pgbench_seconds, mode="-S")
            result["pgbench_write_tps"] = pgbench_run(yardstick, args.pgbench_seconds, mode="-N")
        result["timed"] = timed(applicant, args.runs)
        if args.breakdown:
            result["breakdown"] = breakdown(applicant, max(5, args.runs // 2))
        if args.profile:
            result["profile"] = cprofile_requests(applicant, args.profile)
    finally:
        if keeper is not None:
            keeper.close()
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, default=str))


# --- Showing --------------------------------------------------------------------------------------


def show(r: dict, vendor: str, args) -> None:
    shape, t = r["shape"], r["timed"]
    b, s, triv = r["count_bundle"], r["count_separate"], r["count_trivial"]
    tb, ts, tt = t["bundle"], t["separate"], t["trivial"]

    def cpu(d: dict) -> str:
        return (
            f"CPU p50 {d['cpu_p50']:7.2f} ms  p95 {d['cpu_p95']:7.2f} ms   "
            f"(wall p50 {d['wall_p50']:7.2f} ms  p95 {d['wall_p95']:7.2f} ms)"
        )

    def counts(d: dict) -> str:
        line = (
            f"{d['statements']:.1f} statements ({d['reads']:.1f} reads, {d['writes']:.1f} writes;"
            f" min {d['statements_min']}, max {d['statements_max']}),"
            f" {d['write_transactions']:.1f} write transaction(s) = {d['commits']:.1f} commits"
            f" + {d['autocommit_writes']:.1f} autocommit writes, {d['autocommit_reads']:.1f} reads in autocommit"
        )
        return line

    def apart(d: dict) -> str:
        line = f"+ {d['rate_limit']:.1f} rate-limit upserts (each its own transaction), {d['control']:.1f} SAVEPOINT/BEGIN seen"
        if "server_xact_commit" in d:
            line += (
                f"; server: {d['server_xact_commit']:.1f} commits, {d['server_xact_rollback']:.1f} rollbacks"
            )
        if "db_backend_cpu_ms" in d:
            line += f"; database backend CPU {d['db_backend_cpu_ms']:.1f} ms"
        return line

    ratio = tb["cpu_p50"] / ts["cpu_p50"]
    rows = [
        (
            "scratch database",
            f"{vendor}: migrated, demo region, 4 entries, bundle {BUNDLE} ({r['prepared_s']:.0f} s)",
        ),
        (
            "bundle",
            f"1 × POST /api/v1/bundles/{BUNDLE}/applications: {len(shape['entries'])} cases"
            f" ({', '.join(shape['waiting'])} waiting), {shape['bundle_files']} files,"
            f" {shape['bundle_body_bytes']:,} bytes of JSON",
        ),
        (
            "separate",
            f"{len(shape['entries'])} × POST /api/v1/cases: all submitted, {shape['single_files']} files,"
            f" {shape['single_body_bytes']:,} bytes of JSON",
        ),
        ("", f"each file a {shape['pdf_bytes']:,}-byte PDF as base64; delivery pickup; bearer token"),
        ("— timed", f"{args.runs} repetitions of each, interleaved; thread CPU of the requesting thread"),
        ("bundle (1 request)", cpu(tb)),
        ("separate (4 requests)", cpu(ts) + f"   per case p50 {ts['per_case_cpu_p50']:.2f} ms"),
        ("bundle ÷ separate", f"{ratio:.2f} of the CPU (p50), {tb['cpu_p95'] / ts['cpu_p95']:.2f} (p95)"),
        ("— counted", f"{args.sample} operations of each (connection.execute_wrapper)"),
        ("bundle", counts(b)),
        ("", apart(b)),
        ("separate", counts(s)),
        ("", apart(s)),
        ("— reference", "measured in the same run"),
        (
            "trivial endpoint",
            f"GET {TRIVIAL.split('?')[0]}: {cpu(tt)}, {triv['statements']:.0f} statements + "
            f"{triv['rate_limit']:.0f} rate-limit upsert",
        ),
        (
            "in trivial requests",
            f"bundle = {tb['cpu_p50'] / tt['cpu_p50']:.1f}×, separate = {ts['cpu_p50'] / tt['cpu_p50']:.1f}×"
            " the trivial endpoint's CPU (p50)",
        ),
    ]
    if r.get("pgbench_select_tps"):
        line = (
            f"-S {r['pgbench_select_tps']:,.0f} tps, -N {r['pgbench_write_tps'] or 0:,.0f} tps (1 client)"
            + (" (the machine's yardstick only)" if vendor != "postgresql" else "")
        )
        if r.get("pgbench_write_tps"):
            per_s = 1000 / tb["wall_p50"], 1000 / ts["wall_p50"]
            line += (
                f"; bundle {per_s[0]:.1f}/s = {per_s[0] / r['pgbench_write_tps'] * 100:.2f} %,"
                f" separate {per_s[1]:.1f}/s = {per_s[1] / r['pgbench_write_tps'] * 100:.2f} % of -N tps"
            )
        rows.append(("pgbench", line))
    else:
        rows.append(("pgbench", "not measured"))
    rows.append(("load average", f"{t['load']:.1f} on {os.cpu_count()} CPUs as the timed runs ended"))
    less = tb["cpu_p50"] < ts["cpu_p50"]
    verdict = (
        f"the bundle costs {'LESS' if less else 'MORE'} server CPU than the four separately:"
        f" {tb['cpu_p50']:.2f} vs {ts['cpu_p50']:.2f} ms p50 ({(ratio - 1) * 100:+.0f} %),"
        f" {b['statements']:.0f} vs {s['statements']:.0f} statements,"
        f" {b['write_transactions'] + b['rate_limit']:.0f} vs {s['write_transactions'] + s['rate_limit']:.0f}"
        " write transactions with the rate limiter's"
    )
    rows.append(("aim: bundle < separate", ("met — " if less else "NOT met — ") + verdict))
    report(
        f"一件事一次办 ({len(shape['entries'])} entries) vs the same entries applied for separately — {vendor}",
        rows,
    )
    print("  statements of one bundle request, in order:")
    for line in b["one"]:
        print(f"    {line}")
    for title, d in (("bundle request", b), ("four single requests", s)):
        print(f"  per {title}, by statement ({d['statement_ms']:.2f} ms wall in the driver in all):")
        for label, count, ms in d["by_statement"]:
            print(f"    {count:5.1f}×  {ms:6.2f} ms  {label}")
    for op, title in (("bundle", "bundle request"), ("separate", "four single requests")):
        if op not in r.get("breakdown", {}):
            continue
        d = r["breakdown"][op]
        print(f"  where the CPU of a {title} goes ({d['total_ms']:.2f} ms in all, functions wrapped):")
        inside = 0.0
        for label, ms, calls in d["parts"]:
            inside += 0 if label.startswith(" ") else ms
            print(f"    {ms:6.2f} ms  {calls:4.1f}×  {label}")
        print(
            f"    {d['total_ms'] - inside:6.2f} ms        the rest: middleware, token, JSON and base64, the response"
        )
    if "profile" in r:
        print()
        print(r["profile"])
    sys.stdout.flush()


# --- Running --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (10), shorter pgbench")
    parser.add_argument(
        "--runs", type=int, default=None, help="repetitions of each operation (30; 10 with --quick)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sample", type=int, default=None, help="operations counted (5; 3 with --quick)")
    parser.add_argument("--pdf-kb", type=int, default=64, help="size of each material (0: a tiny PDF)")
    parser.add_argument("--pgbench-seconds", type=int, default=None, help="5 (2 with --quick)")
    parser.add_argument("--profile", type=int, default=0, help="bundle requests to profile with cProfile")
    parser.add_argument(
        "--breakdown",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the timed runs, where each operation's CPU goes (default: yes)",
    )
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    args.runs = args.runs or (10 if args.quick else 30)
    args.sample = args.sample or (3 if args.quick else 5)
    args.pgbench_seconds = args.pgbench_seconds or (2 if args.quick else 5)
    if args.child:
        child(args)
        return
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    if not args.no_pgbench:
        if pgbench_init(PGBENCH_DB):
            env["BENCH_PGBENCH_DB"] = PGBENCH_DB
        else:
            print("pgbench unavailable: no pgbench reference", file=sys.stderr)
    failed = 0
    try:
        for backend in args.backends.split(","):
            vendor = "postgresql" if backend in ("postgresql", "pg") else backend
            if vendor not in ("sqlite", "postgresql"):
                print(f"unknown backend {backend}: skipped", file=sys.stderr)
                continue
            url = database_url(vendor)
            if url is None:
                print(f"{vendor} unavailable: skipped", file=sys.stderr)
                continue
            command = [sys.executable, __file__, "--child", *sys.argv[1:]]
            out = subprocess.run(command, env={**env, "DATABASE_URL": url}, capture_output=True, text=True)
            if out.returncode:
                print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
                failed = 1
                continue
            if out.stderr.strip():
                print(out.stderr[-2000:], file=sys.stderr)
            show(json.loads(out.stdout.strip().splitlines()[-1]), vendor, args)
    finally:
        if "BENCH_PGBENCH_DB" in env:
            pgbench_drop(PGBENCH_DB)
    sys.exit(failed)


if __name__ == "__main__":
    main()
