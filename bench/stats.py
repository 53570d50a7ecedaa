"""Statistics at scale: the overview and drill-down queries over the daily aggregates of a million
cases, and the cost of keeping the aggregates from events.

    .venv/bin/python bench/stats.py [--cases 1000000] [--runs 20]

On PostgreSQL (BENCH_PG's server), on bench/generate_cases.py's load in `yiwang_bench_cases`. That
load has no case events (it writes the rows the services leave, not their history), so the daily
rows are filled here from the cases' own columns in two INSERT … SELECT statements: submissions by
submission day, decisions by decision day — the counters the events would have added — and the
months summed from them (`refresh_monthly`, as a rebuild does). Prints,
with `pgbench -S` measured in the same run as the yardstick:

- the overview for the city's supervisor (30 days, and a year, each with its previous period),
  the drill-down by department and by month over a year: p50/p95 over `--runs`;
- one case event counted (`count_case_event`: one upsert): time, statements; and a day of events
  (the load's average submissions per day × the events that count per case) extrapolated.

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
from _common import StatementCounter, latencies_ms, pg_url, pgbench_reference, setup_django  # noqa: E402

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
    args = parser.parse_args()

    reference = pgbench_reference(PGBENCH_DB, args.pgbench_seconds)

    setup_django(pg_url(PG_DB))
    import datetime as dt

    from django.db import connection, transaction

    from generate_cases import generate
    from yiwang.accounts.models import User
    from yiwang.cases import clock
    from yiwang.cases.models import Case
    from yiwang.stats import queries, services
    from yiwang.stats.models import Daily, DailyTotal, Monthly

    total = generate(args.cases, quiet=True)
    started = time.perf_counter()
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

    # One counted event: a decision of a recent case (an upsert per table), rolled back.
    case = Case.objects.filter(state="approved", decided_on__isnull=False).order_by("-id").first()
    payload = {"case": case.pk, "action": "approve", "at": clock.now().isoformat(), "data": {}}
    counter = StatementCounter()
    samples = []
    for _ in range(args.runs):
        with transaction.atomic():
            t = time.perf_counter()
            with connection.execute_wrapper(counter):
                services.count_case_event(payload)
            samples.append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
    samples.sort()
    per_event_ms = samples[len(samples) // 2]
    per_day = total / 730  # the load spreads its cases over two years
    events_per_case = 4  # submit, accept, decide, deliver (the counted ones)
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
        "count_one_event_ms_median": round(per_event_ms, 2),
        "statements_per_event": counter.statements / args.runs,
        "day_of_events_s": round(per_day * events_per_case * per_event_ms / 1000, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    worst = max(overview_30["p95"], overview_365["p95"], by_department["p95"], by_month["p95"])
    print(
        f"\noverview p95 {overview_30['p95']:.1f} ms (30 days), {overview_365['p95']:.1f} ms (a year); by department "
        f"{by_department['p95']:.1f} ms, by month {by_month['p95']:.1f} ms — aim < 100 ms: "
        f"{'met' if worst < 100 else 'MISSED'}; one event {per_event_ms:.2f} ms ({counter.statements / args.runs:.0f} "
        f"statements), a day's {per_day * events_per_case:,.0f} events ≈ {result['day_of_events_s']} s; "
        f"pgbench -S {reference or 0:,.0f} tps in the same run"
    )


if __name__ == "__main__":
    main()
