"""A synthetic case load for benchmarks: N cases (default 1,000,000) submitted over two years.

    DATABASE_URL=... .venv/bin/python bench/generate_cases.py [--cases 1000000] [--entries 3780]
                                                             [--seed 11] [--regenerate] [--quiet]

Without DATABASE_URL it writes to a separate SQLite file, var/bench-cases.sqlite3 (never the
working database). The catalog is bench/generate_catalog.py's (by default 3,780 published entries:
one city and its twenty counties with fifteen sector departments each), plus a 政务服务中心 per
division where window cases are taken in. Applicants: 200,000 generated persons and 20,000
enterprises with valid ID numbers and credit codes, a few of them frequent users.

Rows are written with COPY (PostgreSQL) or executemany (SQLite) in batches of 50,000, not through
the services (far too slow for a million), but they are the rows the services would leave:

- numbers in the real format (implementation code + yyyymmdd + 5-digit sequence), unique and dense
  per entry and day in submission order, with the `CaseNumberCounter` rows the services go on from;
- each case follows a simulated procedure — acceptance after 0 to 5 working days, 8% corrections
  (a tenth never answered), 3% not accepted, 2% withdrawn, 4% special procedures that stop the
  clock, 2% extensions, 6% refused, 5% decided late, 即办件 decided on the day, delivery by pickup,
  express or electronically — and stands where that procedure is today: most cases are closed, the
  open ones are the recent ones, some due soon and some overdue;
- the deadline columns come from `cases.deadlines.schedule_or_provisional` over the real
  working-day calendar (`core.workdays.current_calendar`), the function the services use.

Not generated: case events (each case has `event_count` 0 and no hash: `yiwang verify-events`
reports each as a case no event records, and no trace checkpoint records them), materials,
corrections, deliveries and notices. Submissions grow over the two years as the platform gains
users; a quarter of the online ones fall on rest days.

The accounts the benchmarks act as are created too (none can sign in): bench-reviewer (a reviewer
of the department with the most cases), bench-clerk (window clerk at the city's 政务服务中心),
bench-supervisor (supervisor of the city) and bench-applicant (the person with the most cases).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
from _common import ROOT, setup_django  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench-cases.sqlite3'}"
PERSONS = 200_000
ENTERPRISES = 20_000
BATCH = 50_000
DAYS = 730

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "子涵",
    "浩然",
    "欣怡",
    "宇航",
]
BRANDS = ["恒达", "鑫源", "顺通", "福满楼", "康宁", "华盛", "金穗", "绿野", "永兴", "利民", "佳美", "德润"]
TRADES = [
    "商贸有限公司",
    "餐饮管理有限公司",
    "建筑工程有限公司",
    "物流有限公司",
    "科技有限公司",
    "农牧专业合作社",
]
# Relative demand by sector (public security and property dominate a city's case load).
SECTOR_WEIGHT = {
    "公安局": 6.0,
    "自然资源局": 4.0,
    "人力资源和社会保障局": 4.0,
    "市场监督管理局": 3.0,
    "医疗保障局": 3.0,
    "住房公积金管理中心": 2.5,
    "民政局": 2.0,
    "卫生健康委员会": 1.5,
    "交通运输局": 1.5,
    "住房和城乡建设局": 1.0,
    "教育局": 1.0,
}
NOT_ACCEPTED = "申请事项不属于本机关职权范围。"
REFUSED = "经审查，申请人不符合法定条件。"
REMEDY = "如不服本决定，可依法申请行政复议或者提起行政诉讼。"
PROCEDURES = ["现场核查", "专家评审", "检验检测"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=3_780)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--regenerate", action="store_true", help="delete generated cases first")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    setup_django(url)
    generate(args.cases, entries=args.entries, seed=args.seed, regenerate=args.regenerate, quiet=args.quiet)


# --- Writing rows fast ----------------------------------------------------------------------


class Writer:
    """COPY into PostgreSQL, executemany into SQLite, for one model's columns (id excluded); the
    model's other NOT NULL columns with a constant default in Python only (the database has none
    to fill them) get that default, so that a field added later needs no change here."""

    def __init__(self, model, names: list[str]):
        from django.db import connection
        from django.db.models import NOT_PROVIDED

        self.connection = connection
        fields = {f.name: f for f in model._meta.concrete_fields}
        implicit = [
            f
            for f in model._meta.concrete_fields
            if f.name not in names
            and not f.primary_key
            and not f.null
            and f.db_default is NOT_PROVIDED
            and f.has_default()
            and not callable(f.default)
        ]
        self.defaults = tuple(f.get_default() for f in implicit)
        names = [*names, *(f.name for f in implicit)]
        self.fields = [fields[n] for n in names]
        self.table = model._meta.db_table
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sqlite = connection.vendor == "sqlite"
        table = _SQLITE if self.sqlite else _PG
        self.convert = [
            (i, table[f.get_internal_type()])
            for i, f in enumerate(self.fields)
            if f.get_internal_type() in table
        ]

    def write(self, rows: list[tuple]) -> None:
        if self.defaults:
            rows = [(*row, *self.defaults) for row in rows]
        if self.convert:
            converted = []
            for row in rows:
                row = list(row)
                for i, convert in self.convert:
                    if row[i] is not None:
                        row[i] = convert(row[i])
                converted.append(row)
            rows = converted
        if self.sqlite:
            marks = ", ".join(["%s"] * len(self.fields))
            with self.connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", rows)
            return
        self.connection.ensure_connection()
        sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
        with self.connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


_SQLITE = {
    "DateTimeField": _utc_text,
    "DateField": dt.date.isoformat,
    "UUIDField": lambda v: v.hex,
    "JSONField": lambda v: json.dumps(v, ensure_ascii=False),
}
_PG = {"JSONField": lambda v: json.dumps(v, ensure_ascii=False)}


# --- The calendar as indexes ----------------------------------------------------------------


class Days:
    """Working days as a list (Monday to Friday assumed past the entered schedule), so the
    simulation steps by index; the stored due dates still come from `cases.deadlines`."""

    def __init__(self, first: dt.date, last: dt.date):
        from yiwang.core.workdays import current_calendar

        calendar = current_calendar().with_weekdays_assumed(last)
        self.first = first
        self.work: list[dt.date] = []
        self.floor: list[int] = []  # per calendar day: index of the last working day on or before it
        day = first - dt.timedelta(days=20)
        while day <= last:
            if calendar.is_workday(day):
                self.work.append(day)
            if day >= first:
                self.floor.append(len(self.work) - 1)
            day += dt.timedelta(days=1)

    def index(self, day: dt.date) -> int:
        return self.floor[(day - self.first).days]


# --- Generating -----------------------------------------------------------------------------


def generate(
    n: int,
    *,
    entries: int = 3_780,
    seed: int = 11,
    regenerate: bool = False,
    quiet: bool = False,
    n_persons: int = PERSONS,
    n_enterprises: int = ENTERPRISES,
) -> int:
    """Fill the database with `n` cases (and the catalog and applicants they need) unless it has
    cases already; returns how many it has. `n_persons`/`n_enterprises` size the applicant pool (a
    small one suits a quick run on a database of its own)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from tqdm import tqdm

    from generate_catalog import generate as generate_catalog
    from yiwang.cases.models import Case, CaseNumberCounter
    from yiwang.core import services as core

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    core.ensure_calendar()
    generate_catalog(entries, quiet=quiet)
    existing = Case.objects.count()
    if existing and regenerate:
        _delete_cases()
        existing = 0
    if existing:
        if not quiet:
            print(f"{connection.vendor}: already {existing:,} cases (--regenerate to start again)")
        ensure_bench_accounts()
        return existing
    rng = random.Random(seed)
    service_centres = _service_centres()
    persons, enterprises = _applicants(rng, quiet, n_persons, n_enterprises)
    made = time.perf_counter()
    plan = _Plan(rng, service_centres, persons, enterprises)
    bar = tqdm(total=n, desc=f"{connection.vendor}: cases", unit="件", disable=quiet)
    writer = Writer(Case, CASE_COLUMNS)
    written = 0
    with transaction.atomic():
        buffer: list[tuple] = []
        for row in plan.rows(n):
            buffer.append(row)
            if len(buffer) >= BATCH:
                writer.write(buffer)
                written += len(buffer)
                bar.update(len(buffer))
                buffer = []
        writer.write(buffer)
        written += len(buffer)
        bar.update(len(buffer))
        Writer(CaseNumberCounter, ["prefix", "last"]).write(list(plan.counters.items()))
    bar.close()
    seconds = time.perf_counter() - made
    with connection.cursor() as cursor:  # statistics for the planner, as after any bulk load
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    ensure_bench_accounts()
    if not quiet:
        states = dict(Case.objects.values_list("state").annotate(n=_count()).order_by("-n"))
        print(f"{connection.vendor}: {written:,} cases in {seconds:.0f} s ({written / seconds:,.0f} rows/s)")
        print("  states: " + ", ".join(f"{k} {v:,}" for k, v in states.items()))
        print(f"  total with catalog and applicants: {time.perf_counter() - started:.0f} s")
    return written


def _delete_cases() -> None:
    """Every case and everything hanging from it, in plain SQL (the ORM would load a million rows)."""
    from django.db import connection, transaction

    from yiwang.accounts.models import User
    from yiwang.cases.models import Case, CaseNumberCounter

    def tables_under(model, seen: list[str]) -> list[str]:
        for rel in model._meta.related_objects:
            if rel.related_model._meta.db_table not in seen:
                tables_under(rel.related_model, seen)
        if model._meta.db_table not in seen:
            seen.append(model._meta.db_table)
        return seen

    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in [*tables_under(Case, []), CaseNumberCounter._meta.db_table]:
                cursor.execute(f"DELETE FROM {table}")
        # The benchmark accounts were chosen from the old cases (busiest department, applicant).
        User.objects.filter(username__startswith="bench-").delete()


def _count():
    from django.db.models import Count

    return Count("id")


CASE_COLUMNS = [
    "number",
    "draft_key",
    "entry",
    "version",
    "department",
    "division_code",
    "intake_department",
    "channel",
    "state",
    "revision",
    "applicant_person",
    "applicant_enterprise",
    "applicant_name",
    "title",
    "form_data",
    "contact_phone",
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_on",
    "decided_on",
    "closed_at",
    "limit_workdays",
    "limit_unit",
    "paused_workdays",
    "extension_workdays",
    "paused_on",
    "suspended_from",
    "special_procedure",
    "acceptance_due",
    "decision_due",
    "delivery_due",
    "due_date",
    "warn_from",
    "due_provisional",
    "review_step",
    "step_role",
    "pending_materials",
    "commitment_overdue",
    "commitment_text",
    "decision_reason",
    "remedy",
    "event_count",
    "last_event_hash",
]


def _step_role(state: str, step: int, roles: tuple[str, ...]) -> str:
    """Whose turn it is in review (`Case.step_role`), by the rule the services use."""
    from yiwang.cases.rules import State, step_turn

    return step_turn(State(state), step, roles)


def _service_centres() -> dict[str, int]:
    """division code -> its 政务服务中心 (created through the core services)."""
    from yiwang.core import services as core
    from yiwang.core.models import Department, Division
    from yiwang.demo.region import department_uscc

    centres = {}
    for division in Division.objects.filter(code__startswith="16").exclude(code="160000000000"):
        name = f"{division.name}政务服务中心"
        dept = Department.objects.filter(division=division, name=name).first()
        if dept is None:
            dept = core.create_department(
                name=name,
                uscc=department_uscc(division.code, 99, "service_centre"),
                division=division.code,
                nature="service_centre",
                address=f"{division.name}市民中心",
            )
        centres[division.code] = dept.pk
    return centres


def _applicants(
    rng: random.Random, quiet: bool, n_persons: int = PERSONS, n_enterprises: int = ENTERPRISES
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """(id, name, phone) of the generated persons and enterprises, created once."""
    from django.db import transaction
    from django.utils import timezone

    from yiwang.accounts.models import Enterprise, Person
    from yiwang.core.identifiers import ric_check_digit, uscc_with_check
    from yiwang.core.models import Division

    counties = [
        d[:6] for d in Division.objects.filter(code__startswith="16", level=3).values_list("code", flat=True)
    ] or ["160101"]
    now = timezone.now()
    if Person.objects.filter(id_number__startswith="16").count() < n_persons:
        taken: set[str] = set(Person.objects.values_list("id_number", flat=True))
        rows = []
        while len(rows) < n_persons:
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(27000))
            body = f"{rng.choice(counties)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + ric_check_digit(body)
            if number in taken:
                continue
            taken.add(number)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            rows.append((name, number, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", "", now))
        with transaction.atomic():
            Writer(Person, ["name", "id_number", "phone", "address", "created_at"]).write(rows)
    if Enterprise.objects.filter(uscc__startswith="9116").count() < n_enterprises:
        taken = set(Enterprise.objects.values_list("uscc", flat=True))
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        rows = []
        while len(rows) < n_enterprises:
            county = rng.choice(counties)
            code = uscc_with_check(f"91{county}MA{''.join(rng.choice(chars) for _ in range(6))}X")
            if code in taken:
                continue
            taken.add(code)
            name = f"{rng.choice(BRANDS)}{len(rows)}号{rng.choice(TRADES)}"
            legal = rng.choice(SURNAMES) + rng.choice(GIVEN)
            rows.append((name, code, legal, f"0471-{rng.randrange(2000000, 9999999)}", "", now))
        with transaction.atomic():
            Writer(
                Enterprise, ["name", "uscc", "legal_representative", "phone", "address", "created_at"]
            ).write(rows)
    persons = list(
        Person.objects.filter(id_number__startswith="16").order_by("id").values_list("id", "name", "phone")
    )
    enterprises = list(
        Enterprise.objects.filter(uscc__startswith="9116").order_by("id").values_list("id", "name", "phone")
    )
    if not quiet:
        print(f"applicants: {len(persons):,} persons, {len(enterprises):,} enterprises")
    return persons, enterprises


class _Plan:
    """Day by day, the cases submitted that day and where each stands today."""

    def __init__(self, rng, service_centres, persons, enterprises):
        from django.conf import settings
        from django.utils import timezone

        from yiwang.cases import deadlines
        from yiwang.catalog.models import Entry
        from yiwang.core.workdays import current_calendar

        self.rng = rng
        self.centres = service_centres
        self.persons, self.enterprises = persons, enterprises
        self.warn = settings.CASE_WARN_WORKDAYS
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.first = self.today - dt.timedelta(days=DAYS)
        self.days = Days(self.first, self.today + dt.timedelta(days=500))
        # Steps happen on working days before today (today's own has not passed yet).
        floor = self.days.index(self.today)
        self.today_index = floor if self.days.work[floor] == self.today else floor + 1
        self.calendar = current_calendar()
        self.deadlines = deadlines
        self.tz = timezone.get_current_timezone()
        self.counters: dict[str, int] = {}
        rows = (
            Entry.objects.filter(published__isnull=False, status="active")
            .filter(department__division__code__startswith="16")
            .values_list(
                "pk",
                "code",
                "published_id",
                "department_id",
                "department__division__code",
                "department__division__level",
                "department__name",
                "name",
                "published__case_kind",
                "published__promised_limit",
                "published__legal_limit",
                "published__promised_limit_unit",
                "published__audience",
                "published__review_steps",
            )
            .order_by("pk")
        )
        self.entries = []
        weights = []
        for (
            pk,
            code,
            version,
            dept,
            division,
            level,
            dept_name,
            name,
            kind,
            promised,
            legal,
            unit,
            audience,
            steps,
        ) in rows:
            limit = 0 if kind == "instant" else (promised or legal or 20)
            sector = next((w for s, w in SECTOR_WEIGHT.items() if dept_name.endswith(s)), 0.6)
            popularity = 1.0 / (1 + (pk * 7919) % 12) ** 0.8  # a few items of each sector are popular
            weights.append(sector * popularity * (3.0 if level == 2 else 1.0))
            roles = tuple(str(step.get("role", "approver")) for step in steps or [])
            self.entries.append(
                (pk, code, version, dept, division, name, limit, unit or "workday", audience, roles)
            )
        if not self.entries:
            raise SystemExit("no published entries: generate the catalog first")
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def rows(self, n: int):
        rng, days = self.rng, self.days
        weights = []
        for offset in range(DAYS + 1):
            day = self.first + dt.timedelta(days=offset)
            growth = 0.5 + offset / DAYS
            workday = days.work[days.index(day)] == day
            weights.append(growth * (1.0 if workday else 0.12))
        scale = n / sum(weights)
        carry, made = 0.0, 0
        for offset, w in enumerate(weights):
            day = self.first + dt.timedelta(days=offset)
            carry += w * scale
            count = int(carry) if offset < DAYS else n - made
            carry -= count
            if count <= 0:
                continue
            workday = days.work[days.index(day)] == day
            picks = rng.choices(self.entries, cum_weights=self.cum, k=count)
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
            times = []
            for _ in range(count):
                at = midnight + dt.timedelta(minutes=self._minute(workday), seconds=rng.randrange(60))
                if at >= self.now:  # later today: not yet; submitted this morning instead
                    at = max(midnight, self.now - dt.timedelta(seconds=rng.randrange(1, 4 * 3600)))
                times.append(at)
            times.sort()  # numbers follow the submission order
            for entry, at in zip(picks, times, strict=True):
                yield self._case(entry, day, at, workday)
                made += 1

    def _minute(self, workday: bool) -> int:
        rng = self.rng
        if workday and rng.random() < 0.55:
            return rng.randint(9 * 60, 17 * 60)
        return rng.randint(7 * 60, 23 * 60)

    def _at(self, index: int) -> dt.datetime:
        minute = 520 + int(self.rng.random() * 520)  # 8:40 to 17:20
        return dt.datetime.combine(self.days.work[index], dt.time(minute // 60, minute % 60), tzinfo=self.tz)

    def _case(self, entry, day: dt.date, at: dt.datetime, workday: bool) -> tuple:
        deadlines = self.deadlines
        rng = self.rng
        pk, code, version, dept, division, name, limit, unit, audience, roles = entry
        channel = "online"
        if workday:
            roll = rng.random()
            channel = "window" if roll < 0.18 else "mail" if roll < 0.2 else "online"
        enterprise = audience == "enterprise" or (audience == "both" and rng.random() < 0.3)
        if enterprise:
            applicant = self.enterprises[int(len(self.enterprises) * rng.random() ** 1.3)]
        else:
            applicant = self.persons[int(len(self.persons) * rng.random() ** 1.3)]
        prefix = f"{code}{day:%Y%m%d}"
        seq = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = seq
        s = self._simulate(self.days.index(day), at, limit, channel)
        submitted_on = s["submitted_at"].astimezone(self.tz).date()
        clock = deadlines.ClockInput(
            state=s["state"],
            submitted_on=submitted_on,
            accepted_on=s["accepted_on"],
            decided_on=s["decided_on"],
            limit=limit,
            unit=unit,
            paused=s["paused"],
            extension=s["extension"],
        )
        schedule = deadlines.schedule_or_provisional(self.calendar, clock, self.warn)
        created = at - dt.timedelta(minutes=rng.randint(5, 40))
        return (
            f"{prefix}{seq:05d}",
            uuid.UUID(int=rng.getrandbits(128), version=4),
            pk,
            version,
            dept,
            division,
            self.centres.get(division) if channel == "window" else None,
            channel,
            s["state"],
            s["revision"],
            None if enterprise else applicant[0],
            applicant[0] if enterprise else None,
            applicant[1],
            name,
            {},
            applicant[2],
            created,
            s["updated_at"],
            s["submitted_at"],
            s["accepted_on"],
            s["decided_on"],
            s["closed_at"],
            limit,
            unit if limit else "workday",
            s["paused"],
            s["extension"],
            s["paused_on"],
            s["suspended_from"],
            s["procedure"],
            schedule.acceptance_due,
            schedule.decision_due,
            schedule.delivery_due,
            schedule.due_date,
            schedule.warn_from,
            schedule.provisional,
            s["review_step"],
            _step_role(s["state"], s["review_step"], roles),
            [],
            False,
            "",
            s["reason"],
            s["remedy"],
            0,
            "",
        )

    def _simulate(self, s: int, at: dt.datetime, limit: int, channel: str) -> dict:
        """Walk one case through the procedure until the next step would fall today or later."""
        rng, days, today = self.rng, self.days, self.today_index
        out = {
            "state": "submitted",
            "submitted_at": at,
            "updated_at": at,
            "accepted_on": None,
            "decided_on": None,
            "closed_at": None,
            "paused": 0,
            "extension": 0,
            "paused_on": None,
            "suspended_from": "",
            "procedure": "",
            "review_step": 0,
            "reason": "",
            "remedy": "",
            "revision": 2,
        }

        def step(index: int, state: str, **changes) -> bool:
            """Apply a step if it happened before today."""
            if index >= today:
                return False
            when = self._at(index)
            out.update(changes, state=state, updated_at=when)
            out["revision"] += 1
            if state in ("not_accepted", "withdrawn", "terminated", "completed"):
                out["closed_at"] = when
            return True

        def closed(index: int, state: str, **changes) -> dict:
            step(index, state, **changes)
            return out

        instant = limit == 0
        t = s
        r = rng.random()
        if not instant and r < 0.08:  # 一次性告知补正
            asked = t + rng.randint(1, 2)
            if not step(asked, "correction_requested", paused_on=days.work[asked]):
                return out
            if rng.random() < 0.1:  # never answered
                return closed(asked + 10, "not_accepted", reason=NOT_ACCEPTED, remedy=REMEDY)
            answered = asked + rng.randint(1, 5)
            if not step(answered, "submitted", paused_on=None, submitted_at=self._at(answered)):
                return out
            t = answered
        r = rng.random()
        if r < 0.03:
            return closed(t + rng.randint(0, 3), "not_accepted", reason=NOT_ACCEPTED, remedy=REMEDY)
        if r < 0.04:
            return closed(t + rng.randint(1, 3), "withdrawn")
        accepted = t + (0 if instant or channel == "window" else rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 5)))
        if not step(accepted, "accepted", accepted_on=days.work[accepted]):
            return out
        if instant:
            decided = accepted
            step(decided, "approved", decided_on=days.work[decided])
        else:
            paused = extension = 0
            cursor = accepted + rng.randint(0, max(1, limit // 2))
            if not step(cursor, "under_review", review_step=1):
                return out
            if rng.random() < 0.04:  # a special procedure stops the clock
                start = cursor + rng.randint(0, 2)
                paused = rng.randint(3, 10)
                where = {"suspended_from": "under_review", "procedure": rng.choice(PROCEDURES)}
                if not step(start, "suspended", paused_on=days.work[start], **where):
                    return out
                back = {"suspended_from": "", "procedure": "", "paused_on": None}
                if not step(start + paused, "under_review", paused=paused, **back):
                    return out
                cursor = start + paused
            if rng.random() < 0.02 and limit >= 5:
                extension = rng.randint(5, 10)
                cursor += rng.randint(0, 2)
                if not step(cursor, "under_review", extension=extension):
                    return out
            roll = rng.random()
            if roll < 0.01:
                return closed(cursor + rng.randint(1, 3), "withdrawn")
            if roll < 0.013:
                return closed(
                    cursor + rng.randint(1, 3), "terminated", reason="申请人主体资格已灭失，依法终止办理。"
                )
            total = limit + paused + extension
            if rng.random() < 0.05:
                decided = accepted + total + rng.randint(1, 5)
            else:
                decided = accepted + paused + rng.randint(max(1, limit * 3 // 10), limit) + extension
            decided = max(decided, cursor + 1)
            if rng.random() < 0.06:
                if not step(decided, "refused", decided_on=days.work[decided], reason=REFUSED, remedy=REMEDY):
                    return out
            elif not step(decided, "approved", decided_on=days.work[decided]):
                return out
        completed = decided + (0 if instant else rng.randint(0, 1))
        if not step(completed, "completed"):
            return out
        method = rng.random()
        delivered = (
            completed
            if method < 0.35
            else completed + (rng.randint(1, 2) if method < 0.5 else rng.randint(1, 7))
        )
        step(delivered, "delivered")
        return out


def ensure_bench_accounts() -> dict[str, object]:
    """The accounts the benchmarks act as (created once, no usable password)."""
    from django.db.models import Count

    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import Person, StaffRole, User
    from yiwang.cases.models import Case
    from yiwang.core.models import Department, Division

    users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    city = Division.objects.filter(code__startswith="16", level=2).order_by("code").first()
    if city is None:
        return users
    centre = Department.objects.filter(division=city, name=f"{city.name}政务服务中心").first()

    def staff(username: str, department: Department, roles: list[str], division: Division | None = None):
        if username not in users:
            users[username] = accounts.create_staff(
                username=username,
                password=None,  # type: ignore[arg-type]
                name=username,
                department=department,
                roles=roles,
                division=division,
                enforce_password_rules=False,
            )

    busiest = (
        Case.objects.values("department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("department", flat=True)
    ).first()
    if busiest is not None:
        staff("bench-reviewer", Department.objects.get(pk=busiest), [StaffRole.REVIEWER, StaffRole.APPROVER])
    if centre is not None:
        staff("bench-clerk", centre, [StaffRole.WINDOW_CLERK])
        staff("bench-supervisor", centre, [StaffRole.SUPERVISOR], division=city)
    if "bench-applicant" not in users:
        top = (
            Case.objects.filter(applicant_person__isnull=False, applicant_person__user__isnull=True)
            .values("applicant_person")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("applicant_person", flat=True)
            .first()
        )
        if top is not None:
            person = Person.objects.get(pk=top)
            users["bench-applicant"] = accounts.register_person(
                username="bench-applicant",
                password=None,  # type: ignore[arg-type]
                name=person.name,
                id_number=person.id_number,
                phone=person.phone or "13800000000",
                enforce_password_rules=False,
            )
    return users


if __name__ == "__main__":
    main()
