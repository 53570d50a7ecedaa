"""The one read model of the statistics, shared by the API, the workbench page and the export:
sums over `Daily` (never over cases) in the reader's reach, filtered by division subtree,
department, item and period, grouped by one dimension, with the figures of `rules.FIGURES`, their
definitions and the previous period of equal length.

Settled days are read once per process: an event counts on its own day, so once a day is
`rules.SETTLED_DAYS` old its sums stop moving. The sums of a period's settled days (and of each
group of a dimension) are kept per process under the reader's reach, the filter, the days and the
`stats` generation, which `services.add` bumps when a late event (a worker back after an outage),
a rebuild or a refreshed roll-up writes to a settled day; only today is read from the tables each
time, and within `one_reading()` (the statistics page: an overview and five tables of one filter)
only once, its rows summed here for every figure and table (ADR 0012).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases import clock
from yiwang.core import generations
from yiwang.core.identifiers import LEVEL_PREFIX_LENGTH
from yiwang.core.memo import Memo
from yiwang.core.models import Department, Division, DivisionLevel
from yiwang.stats import access, rules
from yiwang.stats.models import Cost, Daily, DailyTotal, Monthly


@dataclass(frozen=True)
class Filter:
    start: dt.date
    end: dt.date
    division: Division | None = None
    department: Department | None = None
    entry_id: int | None = None


def make_filter(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    division: str | None = None,
    department: int | None = None,
    entry: int | None = None,
) -> Filter:
    """A query's filter from what was asked; a ValidationError naming the field for an inverted or
    too long period, an unknown division or department. Without dates: the last 30 days."""
    end = end or clock.today()
    if start is None:
        try:
            start = end - dt.timedelta(days=rules.DEFAULT_DAYS - 1)
        except OverflowError:
            start = dt.date.min
    if (problem := rules.range_problem(start, end)) is not None:
        field, message = problem
        raise ValidationError({field: [_(message)]})
    found_division = None
    if division:
        code = division.strip()
        if code.isdigit() and len(code) in (6, 12):
            found_division = Division.objects.filter(code=code.ljust(12, "0")).first()
        if found_division is None:
            raise ValidationError({"division": [_("未知的区划代码：%(code)s。") % {"code": code[:20]}]})
    found_department = None
    if department is not None:
        found_department = Department.objects.filter(pk=department).select_related("division").first()
        if found_department is None:
            raise ValidationError({"department": [_("未知的部门。")]})
    return Filter(start, end, found_division, found_department, entry)


def _narrowed(qs, f: Filter):
    if f.division is not None:
        qs = qs.filter(division_code__startswith=f.division.prefix)
    if f.department is not None:
        qs = qs.filter(department_id=f.department.pk)
    return qs


def rows(user: User, f: Filter, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Daily]:
    qs = _narrowed(
        Daily.objects.filter(access.scope(user), day__gte=start or f.start, day__lte=end or f.end), f
    )
    if f.entry_id is not None:
        qs = qs.filter(entry_id=f.entry_id)
    return qs


def split(
    start: dt.date, end: dt.date
) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """A period as the whole months inside it (read from `Monthly`: first and last month's first
    days) and the days at its edges (read from `Daily`)."""
    first = start if start.day == 1 else _next_day(_month_end(start))
    last = end if end == _month_end(end) else _previous_day(end.replace(day=1))
    if first is None or last is None or first > last:
        return [(start, end)], None
    edges = []
    if start < first:
        edges.append((start, _previous_day(first)))
    if end > last:
        edges.append((_next_day(last), end))
    return edges, (first, last.replace(day=1))


def _next_day(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + dt.timedelta(days=1)


def _previous_day(day: dt.date) -> dt.date | None:
    return None if day == dt.date.min else day - dt.timedelta(days=1)


def _parts(user: User, f: Filter, start: dt.date, end: dt.date) -> list[tuple[QuerySet, str]]:
    """The querysets a period's sums are read from, each with the name of its date column: `Daily`
    alone when filtered by item, else `Monthly` for the whole months and `DailyTotal` (the days
    without the entry) for the edges."""
    if f.entry_id is not None:
        return [(rows(user, f, start, end), "day")]
    edges, months = split(start, end)
    parts: list[tuple[QuerySet, str]] = []
    if edges:
        in_edges = Q()
        for a, b in edges:
            in_edges |= Q(day__gte=a, day__lte=b)
        parts.append((_narrowed(DailyTotal.objects.filter(access.scope(user)).filter(in_edges), f), "day"))
    if months:
        qs = Monthly.objects.filter(access.scope(user), month__gte=months[0], month__lte=months[1])
        parts.append((_narrowed(qs, f), "month"))
    return parts


# --- Settled and live days ------------------------------------------------------------------------

_settled: Memo = Memo(size=2048, ttl=6 * 3600)


def _split_settled(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, tuple | None]:
    """The period's settled days and its live ones (either may be None)."""
    last = clock.today() - dt.timedelta(days=rules.SETTLED_DAYS)
    if start > last:
        return None, (start, end)
    if end <= last:
        return (start, end), None
    return (start, last), (last + dt.timedelta(days=1), end)


def _kept(user: User, f: Filter, what: str, days: tuple[dt.date, dt.date], compute):
    """`compute()` for settled `days`, kept per process under everything it depends on."""
    if not generations.memo_usable():  # inside a transaction: its own writes may be in the sums
        return compute()
    key = "|".join(
        str(part)
        for part in (
            what,
            access.watches(user),
            access.handles(user),
            f.division.pk if f.division else "",
            f.department.pk if f.department else "",
            f.entry_id or "",
            days[0],
            days[1],
            generations.seen(generations.STATS),
        )
    )
    return _settled.get(key, compute)


def forget_settled() -> None:
    """Read every period afresh (tests: a rolled-back database reuses generation numbers)."""
    _settled.clear()


def _added(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {c: a[c] + b[c] for c in rules.COUNTERS}


def sums(user: User, f: Filter, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, int]:
    """The counters of the period: the settled days' as kept, the live days' read now."""
    settled, live = _split_settled(start or f.start, end or f.end)
    out = dict.fromkeys(rules.COUNTERS, 0)
    if settled is not None:
        out = _added(out, _kept(user, f, "sums", settled, lambda: _read_sums(user, f, *settled)))
    if live is not None:
        out = _added(out, _summed(_live_rows(user, f, *live, by_entry=False)))
    return out


def _read_sums(user: User, f: Filter, start: dt.date, end: dt.date) -> dict[str, int]:
    """The counters of the period from the tables (one aggregate per table read)."""
    out = dict.fromkeys(rules.COUNTERS, 0)
    for qs, _column in _parts(user, f, start, end):
        for name, n in totals(qs).items():
            out[name] += n
    return out


_SUMS = {c: Coalesce(Sum(c), Value(0), output_field=IntegerField()) for c in rules.COUNTERS}


def totals(qs: QuerySet[Daily]) -> dict[str, int]:
    return qs.aggregate(**_SUMS)


def figures(t: dict[str, int]) -> dict[str, float | None]:
    return rules.compute_all(t)


def definitions() -> dict[str, str]:
    out = {f.key: _(f.definition) for f in rules.FIGURES}
    out["cost_per_case"] = _(rules.COST_DEFINITION)
    return out


def _period(start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"from": start, "to": end, "days": (end - start).days + 1}


def overview(user: User, f: Filter) -> dict[str, Any]:
    """The counters and figures of the period, and of the period of equal length before it."""
    now = sums(user, f)
    result: dict[str, Any] = {
        "period": _period(f.start, f.end),
        "filters": {
            "division": f.division.short_code if f.division else None,
            "division_name": f.division.name if f.division else None,
            "department": f.department.pk if f.department else None,
            "department_name": f.department.name if f.department else None,
        },
        "counts": now,
        "figures": {**figures(now), "cost_per_case": cost_per_case(user, f)},
        "previous": None,
        "definitions": definitions(),
    }
    if (prev := rules.previous_period(f.start, f.end)) is not None:
        before = sums(user, f, *prev)
        earlier = replace(f, start=prev[0], end=prev[1])
        result["previous"] = {
            "period": _period(*prev),
            "counts": before,
            "figures": {**figures(before), "cost_per_case": cost_per_case(user, earlier)},
        }
    return result


def figure_rows(overview_: dict[str, Any]) -> list[dict[str, Any]]:
    """The overview as a table: each figure with this period's value, the previous one, its change."""
    prev = overview_["previous"]
    out = []
    for fig in rules.FIGURES:
        value = overview_["figures"][fig.key]
        before = prev["figures"][fig.key] if prev else None
        out.append(
            {
                "key": fig.key,
                "label": _(fig.label),
                "kind": fig.kind,
                "gov_uk": fig.gov_uk,
                "value": value,
                "previous": before,
                "change": round(value - before, 2) if value is not None and before is not None else None,
                "definition": _(fig.definition),
                "numerator": _count(overview_["counts"], fig.numerator),
                "denominator": _count(overview_["counts"], fig.denominator),
            }
        )
    return out


def _count(t: dict[str, int], part: str | tuple[str, ...]) -> int:
    if isinstance(part, tuple):
        return t[part[0]] - sum(t[p] for p in part[1:])
    return t[part]


# --- By dimension --------------------------------------------------------------------------------


def _parent_division(user: User, f: Filter) -> Division | None:
    if f.division is not None:
        return f.division
    if f.department is not None:
        return f.department.division
    if access.watches(user) is not None or access.handles(user) is not None:
        return user.staff.division
    return None


def by(user: User, dimension: str, f: Filter, *, limit: int | None = None) -> dict[str, Any]:
    """The counters and figures grouped by `dimension` (`rules.DIMENSIONS`), largest first (the
    division's children in code order, months in order); with `limit`, only the largest `limit`
    groups of a ranked dimension (`total` counts them all)."""
    if dimension not in rules.DIMENSIONS:
        raise ValidationError({"dimension": [_("未知的统计维度：%(d)s。") % {"d": dimension[:20]}]})
    parent, level = None, DivisionLevel.PROVINCE
    if dimension == "division":
        parent = _parent_division(user, f)
        level = min((parent.level if parent else DivisionLevel.PROVINCE) + 1, DivisionLevel.VILLAGE)
    settled, live = _split_settled(f.start, f.end)
    merged: dict[Any, dict[str, int]] = {}
    for days, kept in ((settled, True), (live, False)):
        if days is None:
            continue
        if kept:
            read = lambda days=days: _read_groups(user, dimension, level, f, *days)  # noqa: E731
            groups = _kept(user, f, f"by:{dimension}", days, read)
        else:
            groups = _grouped(_live_rows(user, f, *days, by_entry=dimension == "item"), dimension, level)
        for g, counts in groups.items():
            have = merged.get(g)
            merged[g] = counts if have is None else _added(have, counts)  # the kept dicts are not changed
    total = len(merged)
    ordered = dimension in ("division", "month")
    if limit is not None and not ordered and 0 < limit < total:
        # Only the groups that can be among the largest `limit` are named (a city has hundreds of
        # departments): those at least as large as the limit-th, ties with it included, since the
        # name breaks a tie.
        ranked = sorted(merged.values(), key=lambda c: (-c["submitted"], -c["finished"]))
        edge = (ranked[limit - 1]["submitted"], ranked[limit - 1]["finished"])
        merged = {g: c for g, c in merged.items() if (c["submitted"], c["finished"]) >= edge}
    labels = _labels(dimension, list(merged), parent)
    out = []
    for g, counts in merged.items():
        key = g
        if dimension == "month":
            key = g.strftime("%Y-%m") if hasattr(g, "strftime") else str(g)[:7]
        label, drill = labels.get(g, (str(key), None))
        out.append({"key": key, "label": label, "drill": drill, "counts": dict(counts)})
    if ordered:
        out.sort(key=lambda row: str(row["key"]))
    else:
        out.sort(key=lambda row: (-row["counts"]["submitted"], -row["counts"]["finished"], str(row["label"])))
    if limit is not None and not ordered:
        out = out[:limit]
    for row in out:
        row["figures"] = figures(row["counts"])
    return {
        "dimension": dimension,
        "dimension_label": _(rules.DIMENSIONS[dimension]),
        "period": _period(f.start, f.end),
        "parent": {"code": parent.short_code, "name": parent.name} if parent else None,
        "results": out,
        "total": total,
        "definitions": definitions(),
    }


# --- Today: read once per reading ----------------------------------------------------------------

_reading: ContextVar[dict | None] = ContextVar("stats_reading", default=None)
_LIVE = ("day", "department_id", "division_code", "channel", "intake")  # then the entry, the counters


@contextmanager
def one_reading() -> Iterator[None]:
    """Within it, the live days' rows of a filter are read once and every figure and table of that
    filter is summed from them."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def _live_rows(user: User, f: Filter, start: dt.date, end: dt.date, *, by_entry: bool) -> list[tuple]:
    """The live days' rows in reach: (day, department, division code, channel, intake, entry or 0,
    *counters); from `Daily` when the entry matters, else from `DailyTotal` (a quarter as many)."""
    by_entry = by_entry or f.entry_id is not None
    key = (user.pk, f, start, end, by_entry)
    kept = _reading.get()
    if kept is not None and key in kept:
        return kept[key]
    if by_entry:
        found = list(rows(user, f, start, end).values_list(*_LIVE, "entry_id", *rules.COUNTERS))
    else:
        qs = _narrowed(DailyTotal.objects.filter(access.scope(user), day__gte=start, day__lte=end), f)
        found = [(*r[:5], 0, *r[5:]) for r in qs.values_list(*_LIVE, *rules.COUNTERS)]
    if kept is not None:
        kept[key] = found
    return found


def _summed(found: list[tuple]) -> dict[str, int]:
    """The counters (the columns after the first six) summed over `found`, column by column."""
    if not found:
        return dict.fromkeys(rules.COUNTERS, 0)
    return dict(
        zip(rules.COUNTERS, map(sum, itertools.islice(zip(*found, strict=True), 6, None)), strict=True)
    )


def _grouped(found: list[tuple], dimension: str, level: int) -> dict[Any, dict[str, int]]:
    """The rows summed by `dimension`, grouped as `_read_groups` groups in SQL."""
    if dimension == "division":
        width = LEVEL_PREFIX_LENGTH[level]
        group_of = lambda r: r[2][:width]  # noqa: E731
    elif dimension == "month":
        group_of = lambda r: r[0].replace(day=1)  # noqa: E731
    else:
        column = {"department": 1, "channel": 3, "window": 4, "item": 5}[dimension]
        group_of = lambda r: r[column]  # noqa: E731
    parts: dict[Any, list[tuple]] = {}
    for r in found:
        parts.setdefault(group_of(r), []).append(r)
    return {g: _summed(rs) for g, rs in parts.items()}


# --- From the tables -----------------------------------------------------------------------------


def _read_groups(
    user: User, dimension: str, level: int, f: Filter, start: dt.date, end: dt.date
) -> dict[Any, dict[str, int]]:
    """The counters of the period grouped by `dimension`, from the tables."""
    # The entry is kept by day only; the other dimensions read whole months from `Monthly`.
    parts = [(rows(user, f, start, end), "day")] if dimension == "item" else _parts(user, f, start, end)
    merged: dict[Any, dict[str, int]] = {}
    for qs, column in parts:
        if dimension == "division":
            group = Substr("division_code", 1, LEVEL_PREFIX_LENGTH[level])
        elif dimension == "month":
            group = TruncMonth("day") if column == "day" else F("month")
        else:
            column_of = {
                "department": "department_id",
                "item": "entry_id",
                "window": "intake",
                "channel": "channel",
            }
            group = F(column_of[dimension])
        for r in qs.annotate(g=group).values("g").annotate(**_SUMS).order_by():
            row = merged.setdefault(r["g"], dict.fromkeys(rules.COUNTERS, 0))
            for c in rules.COUNTERS:
                row[c] += r[c]
    return merged


def _labels(dimension: str, keys: list[Any], parent: Division | None) -> dict[Any, tuple[str, Any]]:
    """Each group's label and what a click drills into (a division code, a department id)."""
    if dimension == "division":
        codes = {k: str(k).ljust(12, "0") for k in keys}
        found = {d.code: d for d in Division.objects.filter(code__in=codes.values())}
        out = {}
        for k, code in codes.items():
            d = found.get(code)
            if parent is not None and code == parent.code:
                out[k] = (_("%(name)s（本级）") % {"name": parent.name}, None)
            elif d is not None:
                out[k] = (d.name, d.short_code if d.level < DivisionLevel.VILLAGE else None)
            else:
                out[k] = (str(k), None)
        return out
    if dimension == "department":
        return {
            pk: (name, pk) for pk, name in Department.objects.filter(pk__in=keys).values_list("pk", "name")
        }
    if dimension == "window":
        named = {
            pk: (name, None) for pk, name in Department.objects.filter(pk__in=keys).values_list("pk", "name")
        }
        named[0] = (_("非窗口受理（网上、邮寄）"), None)
        return named
    if dimension == "item":
        from yiwang.catalog.models import Entry

        # The name with the implementation code: one item's entries can share a name (新办, 变更 …).
        return {
            pk: (f"{name}（{code}）", None)
            for pk, name, code in Entry.objects.filter(pk__in=keys).values_list("pk", "name", "code")
        }
    if dimension == "channel":
        from yiwang.cases.models import Channel

        return {k: (str(dict(Channel.choices).get(k, k)), None) for k in keys}
    return {}


# --- The cost per case ---------------------------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    if day.month == 12:
        return day.replace(day=31)
    return day.replace(month=day.month + 1, day=1) - dt.timedelta(days=1)


def cost_per_case(user: User, f: Filter) -> float | None:
    """The costs entered for the department-months in reach and in the period (whole months) ÷ the
    cases finished in those same department-months; None without a cost (or filtered by item)."""
    if f.entry_id is not None:
        return None
    first, last = _month(f.start), _month_end(f.end)
    costs = Cost.objects.filter(
        access.scope(user, department_field="department_id", division_field="department__division__code"),
        month__gte=first,
        month__lte=last,
    )
    if f.division is not None:
        costs = costs.filter(department__division__code__startswith=f.division.prefix)
    if f.department is not None:
        costs = costs.filter(department_id=f.department.pk)
    amounts = {(c.department_id, c.month): float(c.amount) for c in costs}
    if not amounts:
        return None
    finished = (
        _narrowed(Monthly.objects.filter(access.scope(user), month__gte=first, month__lte=last), f)
        .filter(department_id__in={d for d, _m in amounts})
        .annotate(m=F("month"))
        .values("department_id", "m")
        .annotate(n=Sum("finished"))
        .order_by()
    )
    done = {(r["department_id"], r["m"]): r["n"] or 0 for r in finished}
    return rules.cost_per_case(sum(amounts.values()), sum(done.get(k, 0) for k in amounts))
