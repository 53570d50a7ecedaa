"""The most-read pages over HTTP (issue 13): the guide and the search, against the trivial endpoint.

    .venv/bin/python bench/pages.py [--entries 50000] [--seconds 5] [--first-time 200]
                                    [--hot 200] [--threads 8] [--rounds 3] [--regenerate]

The database is `DATABASE_URL` if set (PostgreSQL: the database is created, UTF-8, if missing),
else var/bench-pages.sqlite3; bench/generate_catalog.py fills it with `--entries` published
entries once and it is reused (`--regenerate` starts afresh). A gunicorn as `yiwang serve` runs it
(2 workers × 4 threads, bench/_http.py) on 127.0.0.1, with the API's rate limiter off (it would
refuse the reference and add an upsert to each of its requests: off, the reference is the cheaper
and the ratios the stricter). In ONE run, against that one server:

- reference: `GET /api/v1/calendar/deadline` (the trivial endpoint), `--threads` keep-alive
  clients;
- the guide `/items/{code}/` for repeat readers: `--hot` published entries read at random by
  `--threads` readers, each with its own cookies (the CSRF cookie its first answer set), every
  guide already read once by both workers;
- the same readers sending back the ETag they were given (`If-None-Match`: 304s);
- the search `/items/?q=开饭店` repeated by the same readers;
  these four in `--rounds` interleaved rounds (`--seconds` each in all), so that the machine's
  drift under other work hits each alike (each round's rate is printed beside the total);
- first-time searches: `--first-time` distinct questions (item names with everyday phrasing, and
  bench/search.py's questions), none asked before, one at a time over one connection: wall latency
  p50/p95 (the target is on p95) and the server's CPU per search.

Per operation: requests/s, the server's CPU ms per request (gunicorn's master and workers, /proc;
the database server's own CPU not included), and, from one sample request of each through Django's
test Client in this process, SQL statements and transactions (an autocommit statement is a
transaction of its own; commits of an outermost atomic add theirs). Targets beside the figures:
guide ≥ 0.7× the reference's requests/s, repeated search ≥ 0.5×, first-time search p95 < 30 ms
at 50,000 entries.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/calendar.py would shadow the standard library's `calendar` (which http.client needs):
# put this folder last on the path before importing anything else.
HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import quote, unquote, urlsplit  # noqa: E402

from _common import ROOT, report, setup_django  # noqa: E402
from _http import server_cpu_seconds, start_gunicorn, stop  # noqa: E402

SQLITE_PATH = ROOT / "var" / "bench-pages.sqlite3"
TRIVIAL = "/api/v1/calendar/deadline?start=2026-09-30&workdays=1"
REPEATED_QUESTION = "开饭店"
TARGET_GUIDE, TARGET_SEARCH, TARGET_FIRST_P95_MS = 0.7, 0.5, 30.0
CONTROL_PREFIXES = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "END")
PHRASES = [
    ("", ""),
    ("怎么办理", ""),
    ("", "需要什么材料"),
    ("我想办", ""),
    ("", "多久能办好"),
    ("在哪里办", ""),
]
# Asked during the warm-up only (the segmenter's dictionary loaded in each worker); never timed.
WARM_QUESTIONS = ["营业执照", "不动产登记", "社保"]


# --- The database ---------------------------------------------------------------------------------


def database_url(regenerate: bool) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = unquote(parts.path.lstrip("/"))
        env = {
            **os.environ,
            "PGHOST": parts.hostname or "127.0.0.1",
            "PGPORT": str(parts.port or 5432),
            "PGUSER": unquote(parts.username or "postgres"),
        }
        if parts.password:
            env["PGPASSWORD"] = unquote(parts.password)

        def psql(sql: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["psql", "-q", "-X", "-d", "postgres", "-c", sql], env=env, capture_output=True, text=True
            )

        if regenerate:
            psql(f'DROP DATABASE IF EXISTS "{name}"')
        made = psql(
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
        if made.returncode and "already exists" not in made.stderr:
            sys.exit(f"cannot create {name}: {made.stderr}")
        return url
    if url:
        return url
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    if regenerate:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def questions(count: int, seed: int = 13) -> list[str]:
    """`count` distinct first-time questions: catalog item names in everyday phrasing, and
    bench/search.py's everyday questions (less the repeated one)."""
    from search import QUERIES
    from yiwang.catalog.models import CatalogItem, Entry

    names = sorted(
        set(CatalogItem.objects.filter(entries__published__isnull=False).values_list("name", flat=True))
        | {t for t in Entry.objects.exclude(plain_title="").values_list("plain_title", flat=True)[:2000]}
    )
    rng = random.Random(seed)
    pool = {f"{before}{name}{after}" for name in names for before, after in PHRASES}
    everyday = [q for q, _ in QUERIES if q != REPEATED_QUESTION]
    asked = [*everyday, *rng.sample(sorted(pool), min(len(pool), count))]
    seen: set[str] = {REPEATED_QUESTION, *WARM_QUESTIONS}
    out = []
    for q in asked:
        if q not in seen:
            seen.add(q)
            out.append(q)
    rng.shuffle(out)
    return out[:count]


# --- Statements and transactions (in-process, one sample request each) ---------------------------


def counted(client, path: str, headers: dict[str, str] | None = None) -> dict:
    from django.db import connection

    statements: list[tuple[str, bool]] = []
    commits = [0]

    def wrapper(execute, sql, params, many, context):
        statements.append((sql, context["connection"].in_atomic_block))
        return execute(sql, params, many, context)

    real_commit = connection.commit

    def commit():
        commits[0] += 1
        return real_commit()

    connection.commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            response = client.get(path, headers=headers or {})
    finally:
        del connection.commit
    sql = [(s, atomic) for s, atomic in statements if not s.lstrip().upper().startswith(CONTROL_PREFIXES)]
    writes = sum(1 for s, _a in sql if not s.lstrip().upper().startswith("SELECT"))
    return {
        "status": response.status_code,
        "statements": len(sql),
        "writes": writes,
        "transactions": commits[0] + sum(1 for _s, atomic in sql if not atomic),
    }


# --- HTTP -----------------------------------------------------------------------------------------


class Reader:
    """One keep-alive connection with its own cookies and the ETags it was given."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.etags: dict[str, str] = {}

    def get(self, path: str, *, conditional: bool = False) -> int:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if conditional and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        for attempt in (1, 2):  # once more on a new connection if the server closed an idle one
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        etag = response.getheader("ETag")
        if etag:
            self.etags[path] = etag
        return response.status

    def close(self) -> None:
        self.conn.close()


def load(
    proc, readers: list[Reader], paths: list[str], seconds: float, *, conditional=False, expect=(200,)
) -> dict:
    """Requests/s of `readers` (a thread each) picking at random from `paths`, the server's CPU ms
    per request, and how many answers were not in `expect`."""
    stop_at = time.perf_counter() + seconds
    done, unexpected = [0] * len(readers), [0] * len(readers)

    def run(i: int) -> None:
        rng = random.Random(i)
        while time.perf_counter() < stop_at:
            status = readers[i].get(rng.choice(paths), conditional=conditional)
            done[i] += 1
            unexpected[i] += status not in expect

    cpu_before, started = server_cpu_seconds(proc), time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(readers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, cpu = time.perf_counter() - started, server_cpu_seconds(proc) - cpu_before
    n = sum(done)
    return {
        "rate": n / elapsed,
        "cpu_ms": cpu * 1000 / max(1, n),
        "unexpected": sum(unexpected),
        "n": n,
        "elapsed": elapsed,
        "cpu": cpu,
    }


def combined(rounds: list[dict]) -> dict:
    """The rounds of one kind as one measurement, with the slowest and fastest round's rate."""
    n, elapsed, cpu = (sum(r[k] for r in rounds) for k in ("n", "elapsed", "cpu"))
    return {
        "rate": n / elapsed,
        "cpu_ms": cpu * 1000 / max(1, n),
        "unexpected": sum(r["unexpected"] for r in rounds),
        "n": n,
        "elapsed": elapsed,
        "cpu": cpu,
        "rates": sorted(r["rate"] for r in rounds),
    }


def first_time(proc, port: int, asked: list[str]) -> dict:
    """Each question once, one at a time over one connection (a reader with cookies)."""
    reader = Reader(port)
    reader.get("/items/")  # its cookies, as a reader coming from the home page
    samples, failed = [], 0
    cpu_before = server_cpu_seconds(proc)
    for q in asked:
        t = time.perf_counter()
        status = reader.get(f"/items/?q={quote(q)}")
        samples.append((time.perf_counter() - t) * 1000)
        failed += status != 200
    cpu = server_cpu_seconds(proc) - cpu_before
    reader.close()
    samples.sort()
    return {
        "n": len(samples),
        "p50": samples[len(samples) // 2],
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        "max": samples[-1],
        "cpu_ms": cpu * 1000 / len(samples),
        "failed": failed,
    }


# --- The run ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--first-time", type=int, default=200, help="distinct first-time questions")
    parser.add_argument("--hot", type=int, default=200, help="guides the repeat readers read")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (--seconds in all)")
    parser.add_argument("--regenerate", action="store_true", help="start from an empty database")
    args, _unknown = parser.parse_known_args()

    url = database_url(args.regenerate)
    os.environ["API_RATE_LIMIT_ENABLED"] = "0"  # as in the server below
    setup_django(url)
    from django.db import connection
    from django.test import Client

    from generate_catalog import generate
    from yiwang.catalog.models import Entry

    started = time.perf_counter()
    total = generate(args.entries, quiet=True)
    prepared = time.perf_counter() - started
    vendor = connection.vendor
    published = Entry.objects.filter(published__isnull=False, status="active")
    codes = list(published.order_by("?").values_list("code", flat=True)[: args.hot])
    guides = [f"/items/{c}/" for c in codes]
    search_path = f"/items/?q={quote(REPEATED_QUESTION)}"
    asked = questions(args.first_time)

    # Statements and transactions: one warm sample request of each, in this process.
    client = Client(HTTP_HOST="127.0.0.1")
    for path in (TRIVIAL, guides[0], search_path, f"/items/?q={quote(WARM_QUESTIONS[0])}"):
        client.get(path)
    etag = client.get(guides[0]).headers.get("ETag", "")
    counts = {
        "reference": counted(client, TRIVIAL),
        "guide": counted(client, guides[0]),
        "guide_304": counted(client, guides[0], {"If-None-Match": etag}),
        "search": counted(client, search_path),
        "first_time": counted(client, f"/items/?q={quote('在哪里办' + asked[-1])}"),
    }
    connection.close()

    proc, port = start_gunicorn(url, {"API_RATE_LIMIT_ENABLED": "0"})
    results: dict = {}
    try:
        # Warm both workers: every hot guide rendered and every worker's segmenter loaded.
        warmers = [Reader(port) for _ in range(args.threads)]
        warm = [TRIVIAL, search_path, *(f"/items/?q={quote(q)}" for q in WARM_QUESTIONS)]
        load(proc, warmers, warm, 2.0)
        for _ in range(3):
            load(proc, warmers, guides, max(1.0, args.seconds / 2))
        for w in warmers:
            w.close()
        readers = [Reader(port) for _ in range(args.threads)]
        for reader in readers:  # each reader's cookies, and an ETag for each guide
            for path in guides:
                reader.get(path)
        # Interleaved rounds, so that the machine's drift (other work on it) hits each alike.
        kinds = {
            "reference": ([TRIVIAL], False, (200,)),
            "guide": (guides, False, (200,)),
            "guide_304": (guides, True, (304,)),
            "search": ([search_path], False, (200,)),
        }
        rounds: dict[str, list[dict]] = {k: [] for k in kinds}
        for _ in range(args.rounds):
            for kind, (paths, conditional, expect) in kinds.items():
                rounds[kind].append(
                    load(
                        proc,
                        readers,
                        paths,
                        args.seconds / args.rounds,
                        conditional=conditional,
                        expect=expect,
                    )
                )
        for kind, measured in rounds.items():
            results[kind] = combined(measured)
        results["first_time"] = first_time(proc, port, asked)
        for reader in readers:
            reader.close()
    finally:
        stop(proc)
    show(vars(args), vendor, total, prepared, counts, results)


def show(args: dict, vendor: str, total: int, prepared: float, counts: dict, r: dict) -> None:
    reference = r["reference"]["rate"]

    def sql(key: str) -> str:
        c = counts[key]
        line = f"{c['statements']} statements"
        if c["writes"]:
            line += f" ({c['writes']} writes)"
        return line + f", {c['transactions']} transactions (HTTP {c['status']})"

    def spread(d: dict) -> str:
        return f"rounds {' / '.join(f'{x:,.0f}' for x in d['rates'])}"

    def rate(key: str, label: str, target: float | None) -> tuple[str, str]:
        d = r[key]
        ratio = d["rate"] / reference
        line = f"{d['rate']:7,.0f} req/s  {d['cpu_ms']:5.2f} ms CPU/req  {ratio:4.2f}× the reference"
        if target is not None:
            line += f"  (target ≥ {target}×: {'met' if ratio >= target else 'NOT met'})"
        if d["unexpected"]:
            line += f"  [{d['unexpected']} of {d['n']} answers not as expected]"
        return label, line

    ft = r["first_time"]
    p95_ok = ft["p95"] < TARGET_FIRST_P95_MS
    at_scale = total >= 50_000
    rows = [
        ("database", f"{vendor}: {total:,} entries (prepared in {prepared:.0f} s)"),
        (
            "server",
            f"gunicorn 2 workers × 4 threads, {args['threads']} keep-alive clients,"
            f" {args['rounds']} interleaved rounds of {args['seconds'] / args['rounds']:.1f} s each;"
            f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        ),
        (
            "reference",
            f"GET /api/v1/calendar/deadline: {reference:7,.0f} req/s  {r['reference']['cpu_ms']:5.2f} ms CPU/req"
            f"  ({spread(r['reference'])})",
        ),
        ("", sql("reference")),
        rate("guide", f"guide, repeat readers ({args['hot']} guides)", TARGET_GUIDE),
        ("", f"{sql('guide')}; {spread(r['guide'])}"),
        rate("guide_304", "guide, If-None-Match → 304", TARGET_GUIDE),
        ("", f"{sql('guide_304')}; {spread(r['guide_304'])}"),
        rate("search", f"search ?q={REPEATED_QUESTION}, repeated", TARGET_SEARCH),
        ("", f"{sql('search')}; {spread(r['search'])}"),
        (
            f"first-time searches ({ft['n']})",
            f"p50 {ft['p50']:.1f} ms, p95 {ft['p95']:.1f} ms, max {ft['max']:.1f} ms; {ft['cpu_ms']:.2f} ms CPU/req"
            f"  (target p95 < {TARGET_FIRST_P95_MS:.0f} ms at 50,000: {'met' if p95_ok else 'NOT met'}"
            + ("" if at_scale else f"; only {total:,} entries here")
            + ")"
            + (f" [{ft['failed']} failed]" if ft["failed"] else ""),
        ),
        ("", sql("first_time")),
    ]
    report(f"the most-read pages over HTTP — {vendor}", rows)


if __name__ == "__main__":
    main()
