"""Keeping the daily aggregates (`Daily`): the increments of one case or rating event, the
periodic count of started applications and rating invitations, and the rebuild from the tables.

Every change of `Daily` is one upsert statement per batch (`add`): INSERT … ON CONFLICT on the
row's key DO UPDATE SET counter = counter + excluded.counter, on SQLite and PostgreSQL alike, so
two workers adding to the same row never lose an increment. The subscribers run inside the
outbox's transaction that also records their receipt (ADR 5): each event counts exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from yiwang.cases import clock
from yiwang.core import generations, rows, workdays
from yiwang.stats import rules
from yiwang.stats.models import Cursor, Daily, DailyTotal, Monthly

Key = tuple[dt.date, int, str, int, str, int]
Increments = dict[Key, dict[str, int]]

_COUNTERS = tuple(rules.COUNTERS)
_BATCH = 400


def key_of(case: Any, day: dt.date) -> Key:
    """The `Daily` row a case's fact of `day` belongs to."""
    return (
        day,
        case.department_id,
        case.division_code,
        case.entry_id,
        case.channel,
        case.intake_department_id or 0,
    )


def merge(acc: Increments, key: Key, counts: dict[str, int]) -> None:
    if not counts:
        return
    row = acc.setdefault(key, {})
    for name, n in counts.items():
        row[name] = row.get(name, 0) + n


def add(increments: Increments, *, monthly: bool = True) -> int:
    """Add the increments to their `Daily` rows and (unless a rebuild refreshes them afterwards) to
    their `DailyTotal` and `Monthly` rows, created at zero when missing; returns the daily rows
    touched."""
    items = [(k, c) for k, c in increments.items() if any(c.values())]
    if not items:
        return 0
    if min(k[0] for k, _c in items) <= clock.today() - dt.timedelta(days=rules.SETTLED_DAYS):
        generations.bump(generations.STATS)  # a settled day moved: the kept sums are stale
    _upsert(Daily, [((rows.param(Daily, "day", k[0]), *k[1:]), c) for k, c in items])
    if monthly:
        for model, period in ((DailyTotal, lambda day: day), (Monthly, lambda day: day.replace(day=1))):
            rolled: dict[tuple, dict[str, int]] = {}
            for (day, department, division, _entry, channel, intake), counts in items:
                row = rolled.setdefault((period(day), department, division, channel, intake), {})
                for name, n in counts.items():
                    row[name] = row.get(name, 0) + n
            _upsert(model, [((rows.param(model, model.KEY[0], k[0]), *k[1:]), c) for k, c in rolled.items()])
    return len(items)


def _upsert(
    model: type[Daily] | type[DailyTotal] | type[Monthly], items: list[tuple[tuple, dict[str, int]]]
) -> None:
    """INSERT … ON CONFLICT (the model's key) DO UPDATE SET c = c + excluded.c. On PostgreSQL the
    rows go as one array per column (`unnest`): a statement of a hundred rows as VALUES has
    thousands of placeholders, which the driver parses afresh each time (~9 ms); SQLite takes
    them as VALUES in batches."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = [*model.KEY, *_COUNTERS]
    head = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "
    update = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in _COUNTERS)
    tail = f" ON CONFLICT ({', '.join(qn(c) for c in model.KEY)}) DO UPDATE SET {update}"
    rows_ = [(*key, *(counts.get(c, 0) for c in _COUNTERS)) for key, counts in items]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [model._meta.get_field(c).db_type(connection) for c in columns]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"{head}SELECT * FROM unnest({arrays}){tail}", [list(col) for col in zip(*rows_, strict=True)]
            )
            return
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows_), _BATCH):
            batch = rows_[start : start + _BATCH]
            cursor.execute(
                f"{head}VALUES {', '.join([row_sql] * len(batch))}{tail}", [v for row in batch for v in row]
            )


def refresh_monthly(since: dt.date | None = None) -> int:
    """Recompute the roll-ups (`DailyTotal` from the day of `since`, `Monthly` from its month; or
    all of them) as the sums of `Daily`. Returns the monthly rows written."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    first = since.replace(day=1) if since else None
    dims = ("department_id", "division_code", "channel", "intake")
    written = 0
    with transaction.atomic():
        for model, column, start, period in (
            (DailyTotal, "day", since, F("day")),
            (Monthly, "month", first, TruncMonth("day")),
        ):
            stale = (
                model.objects.all() if start is None else model.objects.filter(**{f"{column}__gte": start})
            )
            stale.delete()
            daily = Daily.objects.all() if start is None else Daily.objects.filter(day__gte=start)
            grouped = (
                daily.annotate(p=period)
                .values("p", *dims)
                .annotate(**{c: Sum(c) for c in _COUNTERS})
                .order_by()
            )
            made = [
                model(**{column: g["p"], **{d: g[d] for d in dims}, **{c: g[c] or 0 for c in _COUNTERS}})
                for g in grouped.iterator(chunk_size=5000)
            ]
            model.objects.bulk_create(made, batch_size=2000)
            written = len(made)
        generations.bump(generations.STATS)
    return written


def local_day(at: dt.datetime | str) -> dt.date:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return timezone.localdate(at) if timezone.is_aware(at) else at.date()


# --- What a case event adds --------------------------------------------------------------------


def workdays_used(accepted_on: dt.date | None, decided_on: dt.date | None) -> int:
    """Working days from acceptance to decision (after the day of acceptance, up to and including
    the day of decision: 0 when decided the day it was accepted)."""
    if accepted_on is None or decided_on is None:
        return 0
    try:
        return workdays.workdays_between(accepted_on, decided_on)
    except workdays.YearNotInCalendar:
        assumed = workdays.current_calendar().with_weekdays_assumed(max(accepted_on, decided_on))
        return assumed.workdays_between(accepted_on, decided_on)


def _division_levels(department_ids: Iterable[int]) -> dict[int, int]:
    from yiwang.core.models import Department

    ids = {d for d in department_ids if d}
    if not ids:
        return {}
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "division__level"))


def _nearby(case: Any, levels: dict[int, int]) -> bool:
    from yiwang.core.models import DivisionLevel

    level = levels.get(case.intake_department_id or 0)
    return level is not None and level >= DivisionLevel.TOWNSHIP


def facts_of(case: Any, trail: Iterable[tuple[str, str]], levels: dict[int, int]) -> rules.CaseFacts:
    """A case's facts for the counters; `trail`: its (action, actor role) in `rules.TRAIL_ACTIONS`."""
    trail = list(trail)
    version = case.version
    legal, promised = rules.comparable_limits(
        version.legal_limit, version.legal_limit_unit, version.promised_limit, version.promised_limit_unit
    )
    return rules.CaseFacts(
        channel=case.channel,
        nearby=_nearby(case, levels),
        decided_on=case.decided_on,
        decision_due=case.decision_due,
        limit_workdays=case.limit_workdays or 0,
        on_the_spot=any(action in rules.ON_THE_SPOT for action, _role in trail),
        window_resubmits=sum(1 for action, role in trail if action == "resubmit" and role == "window_clerk"),
        legal_limit=legal,
        promised_limit=promised,
    )


def case_event_increments(
    case: Any, action: str, day: dt.date, data: dict, facts: rules.CaseFacts
) -> Increments:
    counts = rules.case_event_counts(
        action,
        facts,
        method=str((data or {}).get("method") or ""),
        workdays_used=workdays_used(case.accepted_on, case.decided_on) if action in rules.DECISIONS else 0,
        materials=(data or {}).get("materials"),
    )
    acc: Increments = {}
    merge(acc, key_of(case, day), counts)
    return acc


def count_case_event(payload: dict) -> int:
    """The `stats.cases` subscriber's work for one `case.<action>` message."""
    return count_case_events([payload])


def count_case_events(payloads: list[dict]) -> int:
    """The `stats.cases` subscriber's work for several `case.<action>` messages at once (a worker's
    round): their cases, the trails of those finishing and the levels of their windows read once
    each, every increment merged into one upsert per table. Returns the daily rows touched."""
    from yiwang.cases.models import CaseEvent

    counted = [
        p for p in payloads if p.get("action", "") in rules.COUNTED_ACTIONS and isinstance(p.get("case"), int)
    ]
    if not counted:
        return 0
    cases = {c.pk: c for c in _cases().filter(pk__in={p["case"] for p in counted}) if c.number}
    finishing = {p["case"] for p in counted if p["action"] in rules.FINISHING and p["case"] in cases}
    trails: dict[int, list[tuple[str, str]]] = {}
    if finishing:
        for case_id, action, role in CaseEvent.objects.filter(
            case_id__in=finishing, action__in=rules.TRAIL_ACTIONS
        ).values_list("case_id", "action", "actor_role"):
            trails.setdefault(case_id, []).append((action, role))
    levels = _division_levels(c.intake_department_id or 0 for c in cases.values())
    acc: Increments = {}
    for p in counted:
        case = cases.get(p["case"])
        if case is None:
            continue
        trail = trails.get(case.pk, []) if p["action"] in rules.FINISHING else []
        day = local_day(p["at"]) if p.get("at") else timezone.localdate()
        increments = case_event_increments(
            case, p["action"], day, p.get("data") or {}, facts_of(case, trail, levels)
        )
        for key, counts in increments.items():
            merge(acc, key, counts)
    return add(acc)


# --- What a rating event adds ------------------------------------------------------------------


def count_rating_event(topic: str, payload: dict) -> int:
    """The `stats.ratings` subscriber's work for one message (see `count_rating_events`)."""
    return count_rating_events([(topic, payload)])


def count_rating_events(messages: list[tuple[str, dict]]) -> int:
    """The `stats.ratings` subscriber's work for (topic, payload) messages, a worker's round at
    once: a rating given, a 差评's loop closed with its return visit, an appeal upheld (the rating
    leaves the satisfaction figures). Each on the day of the rating, so a rate's numerator and
    denominator count the same ratings. The ratings are read in one statement, the closed loops of
    upheld appeals in another, and every increment goes in one upsert per table."""
    from yiwang.ratings.models import FollowUp, Rating
    from yiwang.ratings.rules import LoopState

    messages = [(t, p) for t, p in messages if isinstance(p.get("rating"), int)]
    if not messages:
        return 0
    ratings = {
        r.pk: r
        for r in Rating.objects.select_related("case").filter(pk__in={p["rating"] for _t, p in messages})
    }
    upheld = {p["rating"] for t, p in messages if t == "rating.appeal.ruled" and p.get("upheld")}
    closed = set(
        FollowUp.objects.filter(rating_id__in=upheld, state=LoopState.CLOSED).values_list(
            "rating_id", flat=True
        )
        if upheld
        else ()
    )
    acc: Increments = {}
    for topic, payload in messages:
        rating = ratings.get(payload["rating"])
        if rating is None:
            continue
        if topic == "rating.given":
            counts = rules.rating_counts(level=rating.level, bad=rating.bad)
        elif topic.startswith("rating.follow_up.") and payload.get("state") == LoopState.CLOSED:
            counts = {"bad_rectified": 1}
        elif topic == "rating.appeal.ruled" and payload.get("upheld"):
            counts = {"ruled": 1, "rated_bad": -int(rating.bad), "bad_rectified": -int(rating.pk in closed)}
        else:
            continue
        merge(acc, key_of(rating.case, local_day(rating.rated_at)), counts)
    return add(acc)


# --- The periodic count: started applications and stages open to rating -----------------------

CURSOR_CASES = "cases.started"
CURSOR_INVITATIONS = "ratings.invitations"
CASE_FIELDS = ("id", "department_id", "division_code", "entry_id", "channel", "intake_department_id")
LIMIT_FIELDS = ("legal_limit", "legal_limit_unit", "promised_limit", "promised_limit_unit")  # the version's
# What the counters read of a case (its key, its facts, its dates) and of its guide's version.
FACT_FIELDS = (
    *CASE_FIELDS,
    "number",
    "created_at",
    "accepted_on",
    "decided_on",
    "decision_due",
    "limit_workdays",
)


def _cases():
    """Cases with only what the counters read: a case row with its form data and a guide version
    with its texts would be read whole for every event otherwise."""
    from yiwang.cases.models import Case

    return Case.objects.select_related("version").only(*FACT_FIELDS, *(f"version__{f}" for f in LIMIT_FIELDS))


def _advance(name: str, read: Callable[[int, int], tuple[Increments, int | None]], limit: int) -> int:
    """Read rows after the cursor (`read(after, limit)` → increments and the last id read), add them
    and move the cursor, in one transaction; the conditional UPDATE makes a second run at the same
    time add nothing. Returns the rows read."""
    total = 0
    while True:
        with transaction.atomic():
            cursor, _created = Cursor.objects.get_or_create(name=name)
            increments, last = read(cursor.last_id, limit)
            if last is None:
                return total
            if not Cursor.objects.filter(pk=cursor.pk, last_id=cursor.last_id).update(
                last_id=last, updated_at=timezone.now()
            ):
                transaction.set_rollback(True)
                return total
            add(increments)
            read_now = sum(c.get("started", 0) + c.get("rating_opened", 0) for c in increments.values())
            total += read_now
        if read_now < limit:
            return total


def _read_started(after: int, limit: int) -> tuple[Increments, int | None]:
    from yiwang.cases.models import Case

    rows_ = list(Case.objects.filter(pk__gt=after).order_by("pk").values(*CASE_FIELDS, "created_at")[:limit])
    acc: Increments = {}
    for r in rows_:
        merge(acc, _key(r, local_day(r["created_at"])), {"started": 1})
    return acc, (rows_[-1]["id"] if rows_ else None)


def _read_invitations(after: int, limit: int) -> tuple[Increments, int | None]:
    from yiwang.ratings.models import Invitation

    fields = [f"case__{f}" for f in CASE_FIELDS[1:]]
    rows_ = list(
        Invitation.objects.filter(pk__gt=after).order_by("pk").values("id", "opened_at", *fields)[:limit]
    )
    acc: Increments = {}
    for r in rows_:
        merge(
            acc,
            _key({k.removeprefix("case__"): v for k, v in r.items()}, local_day(r["opened_at"])),
            {"rating_opened": 1},
        )
    return acc, (rows_[-1]["id"] if rows_ else None)


def _key(row: dict, day: dt.date) -> Key:
    return (
        day,
        row["department_id"],
        row["division_code"],
        row["entry_id"],
        row["channel"],
        row["intake_department_id"] or 0,
    )


def collect(limit: int = 5000) -> dict[str, int]:
    """Count the applications started (every case row, drafts included: drafts publish no event)
    and the stages opened to rating (`ratings.Invitation`, written by the `ratings.stages`
    subscriber) since the last run, each on its own day. Run by the worker every few minutes."""
    return {
        "started": _advance(CURSOR_CASES, _read_started, limit),
        "rating_opened": _advance(CURSOR_INVITATIONS, _read_invitations, limit),
    }


# --- The rebuild -------------------------------------------------------------------------------


def rebuild(
    since: dt.date | None = None, *, chunk: int = 2000, progress: Callable[[int, str], Any] | None = None
) -> int:
    """Recompute `Daily` (every row, or the days from `since`) from the cases, their traces, the
    ratings and the invitations, in chunks of cases; the same rows the subscribers and the periodic
    count build. Run it with the workers stopped (events delivered during a rebuild may count
    twice). Returns the cases read."""
    from yiwang.cases.models import Case, CaseEvent
    from yiwang.ratings.models import Invitation, Rating
    from yiwang.ratings.rules import LoopState

    case_top = Case.objects.aggregate(m=Max("pk"))["m"] or 0
    invitation_top = Invitation.objects.aggregate(m=Max("pk"))["m"] or 0
    with transaction.atomic():
        stale = Daily.objects.all() if since is None else Daily.objects.filter(day__gte=since)
        stale.delete()
        for name, top in ((CURSOR_CASES, case_top), (CURSOR_INVITATIONS, invitation_top)):
            Cursor.objects.update_or_create(
                name=name, defaults={"last_id": top, "updated_at": timezone.now()}
            )

    def wanted(day: dt.date) -> bool:
        return since is None or day >= since

    bar = progress(Case.objects.filter(pk__lte=case_top).count(), "办件") if progress else None
    after, done = 0, 0
    while True:
        cases = list(_cases().filter(pk__gt=after, pk__lte=case_top).order_by("pk")[:chunk])
        if not cases:
            break
        after = cases[-1].pk
        by_id = {c.pk: c for c in cases}
        acc: Increments = {}
        for case in cases:
            if wanted(day := local_day(case.created_at)):
                merge(acc, key_of(case, day), {"started": 1})
        numbered = [c.pk for c in cases if c.number]
        events: dict[int, list[dict]] = {}
        for e in (
            CaseEvent.objects.filter(
                case_id__in=numbered, action__in=rules.COUNTED_ACTIONS | rules.TRAIL_ACTIONS
            )
            .order_by("case_id", "seq")
            .values("case_id", "action", "actor_role", "at", "data")
        ):
            events.setdefault(e["case_id"], []).append(e)
        levels = _division_levels(c.intake_department_id or 0 for c in cases)
        for case_id, trail in events.items():
            case = by_id[case_id]
            facts = facts_of(case, [(e["action"], e["actor_role"]) for e in trail], levels)
            for e in trail:
                if e["action"] in rules.COUNTED_ACTIONS and wanted(day := local_day(e["at"])):
                    for key, counts in case_event_increments(
                        case, e["action"], day, e["data"], facts
                    ).items():
                        merge(acc, key, counts)
        for inv in Invitation.objects.filter(case_id__in=numbered, pk__lte=invitation_top).values(
            "case_id", "opened_at"
        ):
            if wanted(day := local_day(inv["opened_at"])):
                merge(acc, key_of(by_id[inv["case_id"]], day), {"rating_opened": 1})
        for r in Rating.objects.filter(case_id__in=numbered).values(
            "case_id", "level", "bad", "ruling", "rated_at", "follow_up__state"
        ):
            if not wanted(day := local_day(r["rated_at"])):
                continue
            counts = rules.rating_counts(level=r["level"], bad=r["bad"])
            if r["ruling"]:
                counts.update(ruled=1, rated_bad=0)
            elif r["bad"] and r["follow_up__state"] == LoopState.CLOSED:
                counts["bad_rectified"] = 1
            merge(acc, key_of(by_id[r["case_id"]], day), counts)
        with transaction.atomic():
            add(acc, monthly=False)  # the months are summed from the days once, at the end
        done += len(cases)
        if bar is not None:
            bar.update(len(cases))
    if bar is not None:
        bar.close()
    refresh_monthly(since)
    return done
