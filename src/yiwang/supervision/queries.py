"""The one read model of warnings and 督办, the lists with their filters, a case's colour history
and trail, the dashboard's counts and the quarterly grading, shared by the API and the workbench.
Applicants' names are masked; nothing here is public."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from yiwang.accounts.access import oversight_scope
from yiwang.accounts.models import User
from yiwang.cases import clock
from yiwang.cases.models import Case
from yiwang.core.masking import mask_name
from yiwang.core.models import Department
from yiwang.supervision import access, rules, services
from yiwang.supervision.models import Order, Warning


def _rule_label(code: str) -> str:
    spec = rules.RULES.get(code)
    return _(spec.label) if spec else code


def _is_state_rule(code: str) -> bool:
    spec = rules.RULES.get(code)
    return spec is not None and spec.kind == "state"


def warning_view(w: Warning, reader: User) -> dict[str, Any]:
    today = clock.today()
    return {
        "id": w.pk,
        "rule": w.rule,
        "rule_text": _rule_label(w.rule),
        "colour": w.colour,
        "colour_text": _(rules.COLOUR_LABELS[rules.Colour(w.colour)]),
        "case_number": w.case.number,
        "title": w.case.title,
        "applicant": mask_name(w.case.applicant_name),
        "department": w.department.name,
        "raised_at": w.raised_at,
        "due_date": w.due_date,
        "detail": w.detail,
        "live": w.cleared_at is None,
        "kind": rules.RULES[w.rule].kind if w.rule in rules.RULES else "",
        # An event rule's warning is judged once (closed as it is raised): no clearing to show.
        "cleared_at": w.cleared_at if _is_state_rule(w.rule) else None,
        "state": w.state,
        "state_text": str(dict(Warning.STATES)[w.state]),
        "answer_due": w.answer_due,
        "answer_late": (w.state == Warning.OPEN and today > w.answer_due)
        or (w.answered_at is not None and w.answered_at.date() > w.answer_due),
        "answered_at": w.answered_at,
        "reason": w.reason,
        "action": w.action,
        "follow_up": w.follow_up_id,
        "may_answer": w.state == Warning.OPEN and access.may_answer(reader, w),
        "may_order": access.may_order(reader, w.division_code),
    }


def order_view(o: Order, reader: User) -> dict[str, Any]:
    today = clock.today()
    return {
        "id": o.pk,
        "case_number": o.case.number if o.case_id else None,
        "title": o.case.title if o.case_id else "",
        "department": o.department.name,
        "instruction": o.instruction,
        "due_date": o.due_date,
        "overdue": o.state == Order.OPEN and today > o.due_date,
        "issued_at": o.issued_at,
        "state": o.state,
        "state_text": str(dict(Order.STATES)[o.state]),
        "report": o.report,
        "reported_at": o.reported_at,
        "late": o.late,
        "warning": o.warning_id,
        "may_report": o.state == Order.OPEN and access.may_answer_order(reader, o),
    }


@dataclass
class WarningFilter:
    colour: str = ""
    rule: str = ""
    state: str = ""  # open (unanswered) / answered
    live: str = ""  # "1": only warnings whose condition still holds
    department: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def warnings(user: User, f: WarningFilter) -> QuerySet[Warning]:
    qs = access.visible_warnings(user)
    if f.colour in ("yellow", "red"):
        qs = qs.filter(colour=f.colour)
    if f.rule in rules.RULES:
        qs = qs.filter(rule=f.rule)
    if f.state in ("open", "answered"):
        qs = qs.filter(state=f.state)
    if f.live == "1":
        qs = qs.filter(cleared_at__isnull=True)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.since:
        qs = qs.filter(raised_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(raised_at__date__lte=f.until)
    return qs.order_by("-raised_at", "-id")


# What a listed warning shows of its case and department (a case row has 53 columns).
_LISTED = (
    *(f.name for f in Warning._meta.concrete_fields),
    "case__number",
    "case__title",
    "case__applicant_name",
    "department__name",
)


def in_order(qs: QuerySet[Warning], ids: list[int]) -> list[Warning]:
    """The warnings `ids` (a page of `qs.values_list("pk", flat=True)`) with what `warning_view`
    shows of their case and department, in that order. A page is cut on the warnings alone first:
    asked for the joined rows with a LIMIT, PostgreSQL joins every visible warning's case before
    sorting (69 ms for a city's 4,465 cards at a million cases, against a few ms)."""
    found = {w.pk: w for w in qs.filter(pk__in=ids).only(*_LISTED)}
    return [found[i] for i in ids if i in found]


def case_history(case: Case, reader: User) -> list[dict[str, Any]]:
    """The case's colours over time and each warning's trail: raised, answered, cleared, 督办."""
    rows = []
    for w in access.visible_warnings(reader).filter(case=case).order_by("raised_at", "id"):
        view = warning_view(w, reader)
        view["orders"] = [order_view(o, reader) for o in w.orders.select_related("case", "department")]
        rows.append(view)
    return rows


def dashboard(user: User) -> dict[str, Any]:
    """The supervisor's counts: live cards by colour and rule, unanswered, 督办 open and overdue
    (three statements: the counts of one table are read together)."""
    today = clock.today()
    by_rule: dict[str, int] = {}
    colours = {"red": 0, "yellow": 0}
    live = access.visible_warnings(user).filter(cleared_at__isnull=True)
    for row in live.values("rule", "colour").annotate(n=Count("id")).order_by():
        by_rule[row["rule"]] = by_rule.get(row["rule"], 0) + row["n"]
        if row["colour"] in colours:
            colours[row["colour"]] += row["n"]
    unanswered = (
        access.visible_warnings(user)
        .filter(state=Warning.OPEN)
        .aggregate(all=Count("id"), late=Count("id", filter=Q(answer_due__lt=today)))
    )
    orders = (
        access.visible_orders(user)
        .filter(state=Order.OPEN)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    return {
        "red": colours["red"],
        "yellow": colours["yellow"],
        "by_rule": [
            {"rule": code, "label": _(spec.label), "colour": spec.colour, "count": by_rule.get(code, 0)}
            for code, spec in rules.RULES.items()
        ],
        "unanswered": unanswered["all"],
        "unanswered_late": unanswered["late"],
        "orders_open": orders["open"],
        "orders_overdue": orders["overdue"],
    }


def grades(user: User, quarter: str) -> list[dict[str, Any]]:
    """Each department in the reader's reach, graded for `quarter` by the rules' outcomes and the
    cases it decided (on time or not)."""
    start, end = rules.quarter_bounds(quarter)
    warned = access.visible_warnings(user).filter(raised_at__date__gte=start, raised_at__date__lt=end)
    figures = {
        row["department_id"]: row
        for row in warned.values("department_id")
        .annotate(
            red=Count("id", filter=Q(colour="red")),
            yellow=Count("id", filter=Q(colour="yellow")),
            unanswered=Count("id", filter=Q(state=Warning.OPEN, answer_due__lt=min(end, clock.today()))),
        )
        .order_by()
    }
    # The cases decided in the quarter, on time or not: the statistics' monthly sums (a quarter is
    # three whole months), not a scan of the quarter's cases.
    from yiwang.stats.models import Monthly

    handled = {
        row["department_id"]: row
        for row in Monthly.objects.filter(
            oversight_scope(user), month__gte=start, month__lt=end, decided__gt=0
        )
        .values("department_id")
        .annotate(n=Sum("decided"), on_time=Sum("decided_on_time"))
        .order_by()
    }
    departments = Department.objects.filter(pk__in=set(figures) | set(handled)).order_by("name")
    rows = []
    for d in departments:
        f = figures.get(d.pk, {"red": 0, "yellow": 0, "unanswered": 0})
        h = handled.get(d.pk, {"n": 0, "on_time": 0})
        on_time = round(100 * h["on_time"] / h["n"], 1) if h["n"] else None
        score, letter = rules.grade(rules.GradeInput(h["n"], f["red"], f["yellow"], f["unanswered"], on_time))
        rows.append(
            {
                "department": d.name,
                "department_id": d.pk,
                "cases": h["n"],
                "on_time_rate": on_time,
                "red": f["red"],
                "yellow": f["yellow"],
                "unanswered": f["unanswered"],
                "score": score,
                "grade": letter,
            }
        )
    return rows


def rule_rows() -> list[dict[str, Any]]:
    configured = services.settings_of()
    return [
        {
            "code": code,
            "label": _(spec.label),
            "description": _(spec.description),
            "colour": spec.colour,
            "colour_text": _(rules.COLOUR_LABELS[spec.colour]),
            "kind": spec.kind,
            "enabled": configured[code][0],
            "params": configured[code][1],
            "param_rows": [
                {"key": k, "label": _(rules.PARAM_LABELS.get(k, k)), "value": v}
                for k, v in configured[code][1].items()
            ],
        }
        for code, spec in rules.RULES.items()
    ]
