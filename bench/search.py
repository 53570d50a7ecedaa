"""Search and guide pages over a synthetic catalog, on SQLite and on PostgreSQL.

    .venv/bin/python bench/search.py [--entries 50000] [--rounds 10] [--seconds 5]
                                     [--backends sqlite,postgresql] [--regenerate] [--no-pgbench]

Each database gets the synthetic catalog of bench/generate_catalog.py (SQLite: var/bench.sqlite3;
PostgreSQL: a scratch UTF-8 database `yiwang_bench` on BENCH_PG's server), filled once and reused.
For each it measures, in a child process of its own:

- search latency p50/p95 for a set of everyday questions, typos and official names: the search
  itself (`search.ranked_ids`) and `GET /api/v1/items?q=` in-process, also with a division filter;
- whether each everyday question finds the right entry first at this scale;
- guide pages per second: the portal's `/items/{code}/` and `GET /api/v1/items/{code}`, in-process
  (one thread) and over HTTP against a gunicorn it starts on 127.0.0.1 (2 workers × 4 threads, as
  `yiwang serve` does) with 8 client threads;
- and pgbench -S (1 client) as the yardstick, like bench/calendar.py.

Aim: search p95 under 50 ms with 50,000 entries.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/calendar.py would shadow the standard library's `calendar` (which http.client needs):
# put this folder last on the path before importing anything else.
HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import quote  # noqa: E402

from _common import PG_URL, ROOT, latencies_ms, pgbench_tps, report, setup_django  # noqa: E402
from _http import http_rate, start_gunicorn  # noqa: E402

SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
PG_DB = "yiwang_bench"

# Everyday questions: (question, the entry that should come first).
QUERIES = [
    ("生孩子", "出生登记"),
    ("卖房", "不动产转移登记"),
    ("二手房过户", "不动产转移登记"),
    ("开饭店", "食品经营许可*"),  # * = in the top 3, any of its sub-items
    ("身份证丢了", "居民身份证补领"),
    ("社保卡丢了", "社会保障卡补领"),
    ("驾照到期了", "机动车驾驶证换证"),
    ("取公积金", "住房公积金提取"),
    ("我要办低保", "最低生活保障审核确认"),
    ("结婚", "结婚登记"),
    ("注册公司", "有限责任公司设立登记"),
    ("外地看病", "异地就医备案"),
    ("办退休", "职工退休审批"),
    ("开网吧", "互联网上网服务营业场所经营许可"),
    ("砍树", "林木采伐许可"),
    ("出生登计", "出生登记"),
    ("居民身份正补领", "居民身份证补领"),
    ("公共场所卫生许科", "公共场所卫生许可"),
    ("食品经营许可", "食品经营许可"),
    ("怎么办理不动产抵押登记", "不动产抵押登记"),
]
# Single common words (a stress case, timed apart: they match a third of the catalog).
GENERIC = ["营业执照", "不动产", "登记", "许可"]


def pg_database_url() -> str:
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{PG_DB}"


def psql(sql: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    return subprocess.run(
        ["psql", "-q", "-d", "postgres", "-c", sql], env=env, capture_output=True, text=True
    )


def prepare_postgres(regenerate: bool) -> str | None:
    if regenerate:
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'")
    if exists.returncode:
        return None
    made = psql(
        f"CREATE DATABASE {PG_DB} ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )
    if made.returncode and "already exists" not in made.stderr:
        print(made.stderr, file=sys.stderr)
        return None
    return pg_database_url()


def child(args) -> None:
    """Measure one database (DATABASE_URL is set); print the figures as JSON on the last line."""
    url = os.environ["DATABASE_URL"]
    setup_django(url)
    from django.db import connection
    from django.test import Client

    from generate_catalog import generate
    from yiwang.catalog import search
    from yiwang.catalog.models import Entry

    started = time.perf_counter()
    total = generate(args.entries, quiet=True)
    prepared = time.perf_counter() - started
    names = dict(Entry.objects.filter(published__isnull=False).values_list("pk", "name"))
    for q in [*(q for q, _ in QUERIES), *GENERIC]:  # warm: the segmenter, the database's pages
        search.ranked_ids(q)

    def timed(fn, questions) -> dict[str, float]:
        samples = []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                fn(q)
                samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        return {
            "p50": samples[len(samples) // 2],
            "p95": samples[int(len(samples) * 0.95) - 1],
            "max": samples[-1],
        }

    everyday = [q for q, _ in QUERIES]
    core = timed(search.ranked_ids, everyday)
    generic = timed(search.ranked_ids, GENERIC)
    client = Client(HTTP_HOST="127.0.0.1")
    api = timed(lambda q: client.get("/api/v1/items", {"q": q}), everyday)
    city = Entry.objects.filter(published__isnull=False).values_list("department__division__code", flat=True)[
        0
    ]
    filtered = timed(lambda q: client.get("/api/v1/items", {"q": q, "division": city[:4] + "00"}), everyday)
    per_query = {}
    for q in [*everyday, *GENERIC]:
        per_query[q] = latencies_ms(lambda q=q: search.ranked_ids(q), max(3, args.rounds))["p50"]

    codes_of = dict(Entry.objects.values_list("pk", "code"))
    top_codes = {q: [codes_of[pk] for pk in search.ranked_ids(q)[:50]] for q in [*everyday, *GENERIC]}
    quality = []
    for q, expected in QUERIES:
        if expected is None:
            continue
        top = [names.get(pk, "?") for pk in search.ranked_ids(q)[:3]]
        if expected.endswith("*"):
            ok = any(n.startswith(expected[:-1]) for n in top)
        else:
            ok = bool(top) and top[0] == expected
        quality.append({"q": q, "expected": expected.rstrip("*"), "top": top, "ok": ok})

    codes = list(
        Entry.objects.filter(published__isnull=False, status="active")
        .order_by("?")
        .values_list("code", flat=True)[:300]
    )
    portal_paths = [f"/items/{c}/" for c in codes]
    api_paths = [f"/api/v1/items/{c}" for c in codes]
    probe = client.get(portal_paths[0])
    portal_ok = probe.status_code == 200

    def in_process_rate(paths) -> float:
        it, count, stop = iter(paths * 1000), 0, time.perf_counter() + args.seconds
        t0 = time.perf_counter()
        while time.perf_counter() < stop:
            response = client.get(next(it))
            assert response.status_code == 200, response.status_code
            count += 1
        return count / (time.perf_counter() - t0)

    result = {
        "vendor": connection.vendor,
        "entries": total,
        "published": len(names),
        "prepared_s": round(prepared, 1),
        "search": core,
        "search_generic": generic,
        "api_search": api,
        "api_search_division": filtered,
        "per_query_p50": per_query,
        "quality": quality,
        "top_codes": top_codes,
        "guide_api_inprocess": in_process_rate(api_paths),
        "guide_page_inprocess": in_process_rate(portal_paths) if portal_ok else None,
        "guide_page_status": probe.status_code,
    }
    connection.close()
    proc, port = start_gunicorn(url)
    try:
        # Warm every worker first (each loads the segmenter's dictionary on its first search).
        warm = [f"/api/v1/items?q={quote(q)}" for q, _ in QUERIES] + api_paths[:20] + portal_paths[:20]
        http_rate(port, warm, 3.0)
        if portal_ok:
            result["guide_page_http"] = http_rate(port, portal_paths, args.seconds)
        result["guide_api_http"] = http_rate(port, api_paths, args.seconds)
        search_paths = [f"/api/v1/items?q={quote(q)}" for q, _ in QUERIES]
        result["search_api_http"] = http_rate(port, search_paths, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(result, ensure_ascii=False))


def show(result: dict, tps: float | None) -> None:
    def lat(d: dict) -> str:
        return f"p50 {d['p50']:.1f} ms, p95 {d['p95']:.1f} ms, max {d['max']:.1f} ms"

    rows = [
        ("entries (published)", f"{result['entries']:,} ({result['published']:,})"),
        ("search, everyday questions", lat(result["search"]) + "  (aim p95 < 50 ms)"),
        ("search, single common words", lat(result["search_generic"])),
        ("GET /items?q=, in-process", lat(result["api_search"])),
        ("GET /items?q=&division=", lat(result["api_search_division"])),
        (
            "slowest queries (p50)",
            ", ".join(
                f"{q} {ms:.0f} ms"
                for q, ms in sorted(result["per_query_p50"].items(), key=lambda kv: -kv[1])[:4]
            ),
        ),
        ("right entry first", f"{sum(x['ok'] for x in result['quality'])}/{len(result['quality'])}"),
    ]
    rows += [
        (f"  ✗ {x['q']}", f"want {x['expected']}, got {' / '.join(x['top'])}")
        for x in result["quality"]
        if not x["ok"]
    ]
    if result.get("guide_page_inprocess"):
        rows.append(("guide page /items/{code}/, in-process", f"{result['guide_page_inprocess']:,.0f} req/s"))
    else:
        rows.append(("guide page /items/{code}/", f"unavailable (HTTP {result['guide_page_status']})"))
    rows.append(("GET /api/v1/items/{code}, in-process", f"{result['guide_api_inprocess']:,.0f} req/s"))
    for key, label in (
        ("guide_page_http", "guide page over HTTP (gunicorn 2×4, 8 clients)"),
        ("guide_api_http", "/api/v1/items/{code} over HTTP"),
        ("search_api_http", "/api/v1/items?q= over HTTP"),
    ):
        if key in result:
            rate, failed = result[key]
            rows.append((label, f"{rate:,.0f} req/s" + (f" ({failed} failed)" if failed else "")))
    if tps:
        search_rate = 1000 / result["search"]["p50"]
        rows.append(("ratio search/s (1 thread) / pgbench tps", f"{search_rate / tps:.3f}×"))
    report(f"search and guide pages — {result['vendor']}", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--regenerate", action="store_true", help="start from empty databases")
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()
    if args.child:
        child(args)
        return
    targets = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            path = ROOT / "var" / "bench.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            if args.regenerate:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            targets.append(SQLITE_URL)
        elif backend in ("postgresql", "pg"):
            url = prepare_postgres(args.regenerate)
            if url is None:
                print("PostgreSQL unavailable: skipped", file=sys.stderr)
            else:
                targets.append(url)
    tps = None if args.no_pgbench else pgbench_tps()
    if tps:
        report("pgbench", [("pgbench -S (1 client)", f"{tps:,.0f} tps")])
    failed, tops = 0, []
    for url in targets:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--entries",
                str(args.entries),
                "--rounds",
                str(args.rounds),
                "--seconds",
                str(args.seconds),
            ],
            env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
            capture_output=True,
            text=True,
        )
        if out.returncode:
            print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
            failed = 1
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        show(result, tps)
        tops.append(result["top_codes"])
    if len(tops) == 2:
        same = [q for q in tops[0] if tops[0][q] == tops[1].get(q)]
        report(
            "SQLite against PostgreSQL",
            [("identical top-50 rankings (by code)", f"{len(same)}/{len(tops[0])} questions")]
            + [(f"  differs: {q}", "") for q in tops[0] if q not in same],
        )
    sys.exit(failed)


if __name__ == "__main__":
    main()
