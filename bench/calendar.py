"""Working-day arithmetic throughput: in-process, and through the API.

    .venv/bin/python bench/calendar.py [--seconds 2]

Aim (issue 2): at least 500,000 deadline computations per second in-process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

# This file's name shadows the standard library's `calendar`: put its folder last on the path.
HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from _common import latencies_ms, pgbench_tps, rate, report, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--no-pgbench", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    from yiwang.core import workdays

    cal = workdays.current_calendar()
    rng = random.Random(42)
    first = dt.date(2005, 1, 1).toordinal()
    starts = [dt.date.fromordinal(first + rng.randrange(365 * 21)) for _ in range(10_000)]
    counts = [rng.choice((1, 5, 10, 20, 30, 60)) for _ in range(10_000)]
    pairs = list(zip(starts, counts, strict=True))

    def add_batch() -> int:
        add = cal.add_workdays
        for start, n in pairs:
            add(start, n)
        return len(pairs)

    ends = [cal.add_workdays(s, n) for s, n in pairs]
    spans = list(zip(starts, ends, strict=True))

    def between_batch() -> int:
        between = cal.workdays_between
        for a, b in spans:
            between(a, b)
        return len(spans)

    def module_batch() -> int:
        add = workdays.add_workdays  # what services call: includes the freshness check
        for start, n in pairs:
            add(start, n)
        return len(pairs)

    add_rate = rate(add_batch, args.seconds)
    between_rate = rate(between_batch, args.seconds)
    module_rate = rate(module_batch, args.seconds)

    client = Client(HTTP_HOST="127.0.0.1")
    urls = [f"/api/v1/calendar/deadline?start={s.isoformat()}&workdays={n}" for s, n in pairs[:500]]
    it = iter(urls * 100)

    def one_request() -> None:
        response = client.get(next(it))
        assert response.status_code == 200, response.content

    lat = latencies_ms(one_request, 2000)
    api_rate = 1000 / lat["p50"]

    rows = [
        ("add_workdays, calendar object", f"{add_rate:,.0f} /s"),
        ("add_workdays, module function", f"{module_rate:,.0f} /s  (aim ≥ 500,000/s)"),
        ("workdays_between", f"{between_rate:,.0f} /s"),
        (
            "API /calendar/deadline (in-process)",
            f"p50 {lat['p50']:.2f} ms, p95 {lat['p95']:.2f} ms, ~{api_rate:,.0f} req/s",
        ),
    ]
    if not args.no_pgbench:
        tps = pgbench_tps()
        if tps:
            rows.append(("pgbench -S (1 client) for scale", f"{tps:,.0f} tps"))
            rows.append(("ratio add_workdays / pgbench tps", f"{module_rate / tps:,.1f}×"))
    report("working-day calendar", rows)


if __name__ == "__main__":
    main()
