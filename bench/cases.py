"""Cases at volume: submission throughput and workbench queue latency.

    .venv/bin/python bench/cases.py [--cases 1000000] [--backends postgresql,sqlite]
                                    [--threads 1,4] [--seconds 10] [--runs 30]
                                    [--no-pgbench] [--no-submit] [--no-queue] [--regenerate]

Each database gets bench/generate_cases.py's load, filled once and reused (PostgreSQL: a scratch
UTF-8 database `yiwang_bench_cases` on BENCH_PG's server; SQLite: var/bench-cases.sqlite3). For
each, in a child process of its own:

(a) submission throughput through the real service path — `services.start_application`,
    `save_form`, `attach_material` for every material, `set_delivery`, `submit` — with N threads
    (each its own applicant and connection), and separately `POST /api/v1/cases` in-process with
    Django's test Client and a bearer token (the same steps in one request), in cases per second;
    beside PostgreSQL's own `pgbench -N` (simple-update writes) with as many clients, and the ratio
    of the two so figures from different machines compare. Open Zaak (the Dutch peer) creates about
    20 cases a second.
(b) workbench queue latency at that volume: p50/p95 of `queries.staff_queue(user,
    QueueFilters(tab=...))[:20]` evaluated, and of `queries.tab_counts(user)`, for the reviewer of
    the department with the most cases, a window clerk of the city's 政务服务中心 and the city's
    supervisor, on the tabs todo / overdue / all (and closed) and with an applicant filter (a
    name, an ID number); and the applicant's first page, `queries.applicant_cases(user)[:20]`.
    Also the full count of each list (what an API page's `count` costs). Aim: p95 under 50 ms at
    1M on PostgreSQL.

Submitted cases stay in the database (they are a few thousand among a million); uploaded files go
to a temporary directory that is removed afterwards.
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
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from _common import PG_URL, ROOT, latencies_ms, pgbench_tps, report, setup_django  # noqa: E402

SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-cases.sqlite3'}"
PG_DB = "yiwang_bench_cases"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
OPEN_ZAAK = 20  # cases per second the peer reports


def psql(sql: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    return subprocess.run(
        ["psql", "-q", "-d", "postgres", "-c", sql], env=env, capture_output=True, text=True
    )


def prepare_postgres(regenerate: bool) -> str | None:
    if regenerate:
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
    if psql("SELECT 1").returncode:
        return None
    made = psql(
        f"CREATE DATABASE {PG_DB} ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    if made.returncode and "already exists" not in made.stderr:
        print(made.stderr, file=sys.stderr)
        return None
    return f"{PG_URL.rsplit('/', 1)[0]}/{PG_DB}"


# --- (a) Submissions ------------------------------------------------------------------------


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
    """Published entries a person may apply for, with their materials per situation."""
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
        picked.append((entry, situations, materials))
    return picked


def _submit_by_services(user, entry, situation, rng) -> None:
    from yiwang.cases import services

    case = services.start_application(user, entry, situation_id=situation)
    services.save_form(user, case, {})
    for item in services.checklist(case):
        services.attach_material(user, case, item.material.pk, PDF, f"{item.material.name}.pdf")
    services.set_delivery(user, case, "electronic")
    services.submit(user, case)


def _threads(n: int, seconds: float, work) -> tuple[int, int, float]:
    """Run `work(i, rng)` in n threads for `seconds`; (done, failed, elapsed)."""
    from django.db import connection

    done, failed, errors = [0] * n, [0] * n, []
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        rng = random.Random(i)
        try:
            while time.perf_counter() < stop:
                try:
                    work(i, rng)
                    done[i] += 1
                except Exception as exc:  # counted and reported; the run goes on
                    failed[i] += 1
                    if len(errors) < 3:
                        errors.append(repr(exc)[:300])
        finally:
            connection.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    for e in errors:
        print("  error:", e, file=sys.stderr)
    return sum(done), sum(failed), time.perf_counter() - started


def submissions(threads: list[int], seconds: float) -> dict:
    from django.test import Client

    from yiwang.accounts import services as accounts

    users = _applicants(max(threads))
    entries = _entries()
    tokens = [accounts.issue_api_token(u) for u in users]
    encoded = base64.b64encode(PDF).decode()
    result: dict[str, dict] = {"services": {}, "api": {}}
    for n in threads:

        def by_services(i: int, rng: random.Random) -> None:
            entry, situations, _materials = rng.choice(entries)
            _submit_by_services(users[i], entry, rng.choice(situations), rng)

        done, failed, elapsed = _threads(n, seconds, by_services)
        result["services"][n] = {"rate": done / elapsed, "failed": failed}
        clients = [Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {t}") for t in tokens]

        def by_api(i: int, rng: random.Random, clients=clients) -> None:
            entry, situations, materials = rng.choice(entries)
            situation = rng.choice(situations)
            body = {
                "entry": entry.code,
                "situation": situation,
                "form_data": {},
                "materials": [
                    {"material": m.pk, "filename": f"{m.name}.pdf", "content_base64": encoded}
                    for m in materials
                    if m.situation_id in (None, situation)
                ],
                "delivery": {"method": "electronic"},
            }
            response = clients[i].post("/api/v1/cases", body, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code} {response.content[:200]!r}")

        done, failed, elapsed = _threads(n, seconds, by_api)
        result["api"][n] = {"rate": done / elapsed, "failed": failed}
    return result


# --- (b) Queues -----------------------------------------------------------------------------


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


def child(args) -> None:
    url = os.environ["DATABASE_URL"]
    setup_django(url)
    from django.conf import settings

    from generate_cases import generate

    started = time.perf_counter()
    total = generate(args.cases, quiet=True)
    result: dict = {"cases": total, "prepared_s": round(time.perf_counter() - started, 1)}
    if not args.no_queue:
        result["queues"] = queues(args.runs)
    if not args.no_submit:
        media = tempfile.mkdtemp(prefix="yiwang-bench-")
        settings.MEDIA_ROOT = media
        try:
            result["submit"] = submissions([int(t) for t in args.threads.split(",")], args.seconds)
        finally:
            shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, default=str))


def show(result: dict, vendor: str, tps: dict[int, float]) -> None:
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
    if "submit" in result:
        rows = []
        for n, d in result["submit"]["services"].items():
            api = result["submit"]["api"][n]
            line = f"services {d['rate']:6.1f} cases/s   API {api['rate']:6.1f} cases/s"
            if d["failed"] or api["failed"]:
                line += f"  (failed: {d['failed']} / {api['failed']})"
            if tps.get(int(n)):
                line += f"   pgbench -N {tps[int(n)]:,.0f} tps, ratio {d['rate'] / tps[int(n)]:.4f}"
            rows.append((f"{n} thread(s)", line))
        rows.append(("Open Zaak (peer)", f"about {OPEN_ZAAK} cases/s"))
        report(f"submissions — {vendor}", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--no-submit", action="store_true")
    parser.add_argument("--no-queue", action="store_true")
    parser.add_argument("--regenerate", action="store_true", help="start from empty databases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.child:
        child(args)
        return
    targets = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            path = ROOT / "var" / "bench-cases.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            if args.regenerate:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            targets.append(("sqlite", SQLITE_URL))
        elif backend in ("postgresql", "pg"):
            url = prepare_postgres(args.regenerate)
            if url is None:
                print("PostgreSQL unavailable: skipped", file=sys.stderr)
            else:
                targets.append(("postgresql", url))
    tps: dict[int, float] = {}
    if not args.no_pgbench and not args.no_submit:
        for n in [int(t) for t in args.threads.split(",")]:
            value = pgbench_tps(int(args.seconds), mode="-N", clients=n, database="yiwang_pgbench_cases")
            if value:
                tps[n] = value
        if tps:
            report("pgbench", [(f"pgbench -N ({n} clients)", f"{v:,.0f} tps") for n, v in tps.items()])
    failed = 0
    for vendor, url in targets:
        command = [sys.executable, __file__, "--child", *sys.argv[1:]]
        if vendor == "sqlite" and "--threads" not in sys.argv:
            command += ["--threads", "1"]  # one writer at a time: SQLite serialises them anyway
        out = subprocess.run(
            command,
            env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
            failed = 1
            continue
        if out.stderr.strip():
            print(out.stderr[-2000:], file=sys.stderr)
        show(json.loads(out.stdout.strip().splitlines()[-1]), vendor, tps if vendor == "postgresql" else {})
    sys.exit(failed)


if __name__ == "__main__":
    main()
