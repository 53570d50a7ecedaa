"""Statistics at scale: the overview and drill-down queries over the daily aggregates of a million
cases, and the cost of keeping the aggregates from events.

    .venv/bin/python bench/stats.py [--cases 1000000] [--runs 20] [--keep-rows]

On PostgreSQL (BENCH_PG's server), on bench/generate_cases.py's load in `yiwang_bench_cases`. That
load has no case events (it writes the rows the services leave, not their history), so the daily
rows are filled here from the cases' own columns in two INSERT … SELECT statements: submissions by
submission day, decisions by decision day — the counters the events would have added — and the
months summed from them (`refresh_monthly`, as a rebuild does). Prints,
with `pgbench -S` measured in the same run as the yardstick:

- the overview for the city's supervisor (30 days, and a year, each with its previous period),
  the drill-down by department and by month over a year: p50/p95 over `--runs`;
- the statistics page as the supervisor opens it (the default 30 days; a year; a year drilled into
  the busiest department) and `GET /api/v1/stats/overview`, each a whole request through Django's
  test Client in-process (middleware, view, queries, template; not the network): p50/p95 and the
  statements of one request;
- a real day of events replayed through the worker's delivery: every submission, decision and
  finish the load has on its busiest day of the last 30, published as the services publish them
  (`case.<action>` outbox messages) and drained (`outbox.drain`) with only the statistics
  subscriber registered — claims, one transaction per message with its receipt, the upserts: wall
  time, this process's CPU, statements and transactions, per event and for the day. The messages
  and their receipts are removed afterwards (the daily rows are refilled by the next run).

Issue 11's aim: dashboard and overview p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from _common import (  # noqa: E402
    PageClient,
    StatementCounter,
    latencies_ms,
    pg_url,
    pg_xact_counters,
    pgbench_reference,
    setup_django,
)

PG_DB = "yiwang_bench_cases"
PGBENCH_DB = "yiwang_bench_pgbench_stats"

FILL_SUBMITTED = """
INSERT INTO stats_daily (day, department_id, division_code, entry_id, channel, intake,
    started, submitted, online, nearby, decided, decided_on_time, instant, workdays_used_sum,
    workdays_promised_sum, finished, no_visit, one_visit, full_online, rating_opened, rated,
    rated_good, rated_bad, ruled, bad_rectified)
SELECT (submitted_at AT TIME ZONE 'Asia/Shanghai')::date, department_id, division_code, entry_id, channel,
    COALESCE(intake_department_id, 0), count(*), count(*), count(*) FILTER (WHERE channel = 'online'),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM cases_case WHERE submitted_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
"""
FILL_DECIDED = """
INSERT INTO stats_daily AS d (day, department_id, division_code, entry_id, channel, intake,
    started, submitted, online, nearby, decided, decided_on_time, instant, workdays_used_sum,
    workdays_promised_sum, finished, no_visit, one_visit, full_online, rating_opened, rated,
    rated_good, rated_bad, ruled, bad_rectified)
SELECT decided_on, department_id, division_code, entry_id, channel, COALESCE(intake_department_id, 0),
    0, 0, 0, 0, count(*), count(*) FILTER (WHERE decision_due IS NULL OR decided_on <= decision_due),
    count(*) FILTER (WHERE limit_workdays = 0), 0, sum(limit_workdays), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM cases_case WHERE decided_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ON CONFLICT (day, department_id, division_code, entry_id, channel, intake) DO UPDATE SET
    decided = d.decided + excluded.decided, decided_on_time = d.decided_on_time + excluded.decided_on_time,
    instant = d.instant + excluded.instant, workdays_promised_sum = d.workdays_promised_sum + excluded.workdays_promised_sum
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument(
        "--keep-rows",
        action="store_true",
        help="reuse the daily rows of an earlier run (the fill takes minutes)",
    )
    args = parser.parse_args()

    reference = pgbench_reference(PGBENCH_DB, args.pgbench_seconds)

    setup_django(pg_url(PG_DB))
    import datetime as dt

    from django.db import connection, transaction
    from django.db.models import Sum

    from generate_cases import generate
    from yiwang.accounts.models import User
    from yiwang.cases import clock
    from yiwang.stats import queries, services
    from yiwang.stats.models import Daily, DailyTotal, Monthly

    total = generate(args.cases, quiet=True)
    started = time.perf_counter()
    if not (args.keep_rows and Daily.objects.exists()):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM stats_daily")
            cursor.execute(FILL_SUBMITTED)
            cursor.execute(FILL_DECIDED)
        services.refresh_monthly()  # the whole months, summed from the days as a rebuild does
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE stats_daily")
            cursor.execute("VACUUM ANALYZE stats_monthly")
            cursor.execute("VACUUM ANALYZE stats_dailytotal")
    filled_s = round(time.perf_counter() - started, 1)
    rows = Daily.objects.count()
    total_rows = DailyTotal.objects.count()
    month_rows = Monthly.objects.count()

    supervisor = User.objects.get(username="bench-supervisor")
    today = clock.today()
    month = queries.make_filter(start=today - dt.timedelta(days=29), end=today)
    year = queries.make_filter(start=today - dt.timedelta(days=364), end=today)
    overview_30 = latencies_ms(lambda: queries.overview(supervisor, month), args.runs)
    overview_365 = latencies_ms(lambda: queries.overview(supervisor, year), args.runs)
    by_department = latencies_ms(lambda: queries.by(supervisor, "department", year), args.runs)
    by_month = latencies_ms(lambda: queries.by(supervisor, "month", year), args.runs)

    # The pages, as the supervisor opens them.
    from yiwang.accounts.services import issue_api_token

    busiest_department = (
        Daily.objects.filter(day__gte=year.start).values("department_id").annotate(n=Sum("submitted"))
    ).order_by("-n")[0]["department_id"]
    span = f"from={year.start}&to={year.end}"
    browser = PageClient(user=supervisor)
    api = PageClient(token=issue_api_token(supervisor))
    pages = {
        "stats_page_30_days": browser.latencies("/workbench/stats/", args.runs),
        "stats_page_year": browser.latencies(f"/workbench/stats/?{span}", args.runs),
        "stats_page_year_department": browser.latencies(
            f"/workbench/stats/?{span}&department={busiest_department}", args.runs
        ),
        "overview_api_30_days": api.latencies("/api/v1/stats/overview", args.runs),
        "overview_api_year": api.latencies(f"/api/v1/stats/overview?{span}", args.runs),
    }

    day, events = replay_day(today)
    result = {
        "cases": total,
        "daily_rows": rows,
        "monthly_rows": month_rows,
        "daily_total_rows": total_rows,
        "fill_s": filled_s,
        "pgbench_select_tps": reference,
        "overview_30_days_ms": overview_30,
        "overview_year_ms": overview_365,
        "by_department_year_ms": by_department,
        "by_month_year_ms": by_month,
        **pages,
        "day_replayed": {"day": day, **events},
    }
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    worst = max(
        [overview_30["p95"], overview_365["p95"], by_department["p95"], by_month["p95"]]
        + [p["p95"] for p in pages.values()]
    )
    print(
        f"\nqueries p95: overview {overview_30['p95']:.1f} ms (30 days), {overview_365['p95']:.1f} ms (a year); "
        f"by department {by_department['p95']:.1f} ms, by month {by_month['p95']:.1f} ms"
    )
    print(
        "whole requests p95: "
        + ", ".join(f"{name} {p['p95']:.1f} ms ({p['statements']} statements)" for name, p in pages.items())
        + f" — aim < 100 ms: {'met' if worst < 100 else 'MISSED'}"
    )
    print(
        f"a day of events ({day}, {events['events']:,}: {events['by_action']}) through the worker: "
        f"{events['wall_s']} s wall, {events['cpu_s']} s CPU here, {events['per_event_ms']:.2f} ms and "
        f"{events['statements_per_event']:.1f} statements per event; pgbench -S {reference or 0:,.0f} tps "
        "in the same run"
    )


def replay_day(today) -> tuple[object, dict]:
    """Publish the busiest day of the last 30 as the services would have, and drain it with only
    the statistics subscriber (the others would write notices and warnings into the shared load)."""
    import datetime as dt

    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from yiwang.cases.models import Case
    from yiwang.core import outbox
    from yiwang.core.models import OutboxDelivery, OutboxMessage

    tz = timezone.get_current_timezone()
    recent = Case.objects.filter(submitted_at__gte=timezone.now() - dt.timedelta(days=30))
    day = (
        recent.annotate(d=TruncDate("submitted_at", tzinfo=tz))
        .values("d")
        .annotate(n=Count("id"))
        .order_by("-n")
    )[0]["d"]
    start = dt.datetime.combine(day, dt.time(), tz)
    end = start + dt.timedelta(days=1)
    noon = start + dt.timedelta(hours=12)
    events: list[tuple[str, int, dt.datetime]] = []
    for pk, at in Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values_list(
        "id", "submitted_at"
    ):
        events.append(("submit", pk, at))
    for pk, state, remedy, limit in Case.objects.filter(decided_on=day).values_list(
        "id", "state", "remedy", "limit_workdays"
    ):
        action = (
            "refuse" if state == "refused" or remedy else "decide_on_the_spot" if limit == 0 else "approve"
        )
        events.append((action, pk, noon))
    for pk, state, at in Case.objects.filter(
        closed_at__gte=start, closed_at__lt=end, state__in=["delivered", "not_accepted"]
    ).values_list("id", "state", "closed_at"):
        events.append(("deliver" if state == "delivered" else "not_accept", pk, at))
    events.sort(key=lambda e: e[2])

    keep = {"stats.cases"}
    for sub in outbox.subscribers():
        if sub.name not in keep:
            outbox.unsubscribe(sub.name)
    waiting = list(OutboxMessage.objects.filter(done_at__isnull=True).values_list("id", flat=True))
    OutboxMessage.objects.filter(pk__in=waiting).update(available_at=timezone.now() + dt.timedelta(days=365))
    first_id = (OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    outbox.publish_many(
        [
            outbox.message(
                f"case.{action}", {"case": pk, "action": action, "at": at.isoformat(), "data": {}}, at=at
            )
            for action, pk, at in events
        ]
    )
    counter = StatementCounter()
    before = pg_xact_counters(connection.vendor)
    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counter):
        delivered = outbox.drain("bench-stats", rounds=10_000)
    wall_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    after = pg_xact_counters(connection.vendor)
    replayed = OutboxMessage.objects.filter(pk__gte=first_id)
    OutboxDelivery.objects.filter(message__in=replayed).delete()
    replayed.delete()
    OutboxMessage.objects.filter(pk__in=waiting).update(available_at=timezone.now())
    by_action: dict[str, int] = {}
    for action, _pk, _at in events:
        by_action[action] = by_action.get(action, 0) + 1
    return day, {
        "events": len(events),
        "delivered": delivered,
        "by_action": by_action,
        "wall_s": round(wall_s, 2),
        "cpu_s": round(cpu_s, 2),
        "per_event_ms": wall_s * 1000 / max(len(events), 1),
        "statements_per_event": counter.statements / max(len(events), 1),
        # less the one pg_stat_force_next_flush() of the second reading
        "transactions_per_event": (after[0] - before[0] - 1) / max(len(events), 1),
    }


if __name__ == "__main__":
    main()
