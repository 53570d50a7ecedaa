"""Reads of cases for the pages, the API and (later) supervision and statistics.

Lists read the stored due-date columns through the queue indexes; tab counts cover only the open
states (a handful per department at any time), never the ever-growing history of closed cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_noop

from yiwang.accounts.models import User
from yiwang.cases import access, clock
from yiwang.cases.models import OPEN_STATES, STATE_LABELS, Case, CaseEvent, Channel
from yiwang.cases.rules import State

# States whose deadline runs (the work in hand); correction and suspension wait for someone else.
RUNNING_STATES = [
    State.SUBMITTED,
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.APPROVED,
    State.REFUSED,
    State.COMPLETED,
]
CLOSED_STATES = [State.NOT_ACCEPTED, State.DELIVERED, State.WITHDRAWN, State.TERMINATED]

TABS = ["todo", "due_soon", "overdue", "correction", "suspended", "closed", "all"]
TAB_LABELS = {
    "todo": gettext_noop("待办"),
    "due_soon": gettext_noop("即将到期"),
    "overdue": gettext_noop("已超期"),
    "correction": gettext_noop("待补正"),
    "suspended": gettext_noop("特别程序"),
    "closed": gettext_noop("已办结"),
    "all": gettext_noop("全部"),
}


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "todo"
    state: str = ""
    entry: str = ""  # implementation code
    channel: str = ""
    applicant: str = ""  # name (prefix), ID number, credit code or case number
    department: int | None = None  # supervisors: one department of their tree


def _tab_q(tab: str, today: dt.date) -> Q:
    if tab == "todo":
        return Q(state__in=RUNNING_STATES)
    if tab == "due_soon":
        return Q(state__in=RUNNING_STATES, warn_from__lte=today, due_date__gte=today)
    if tab == "overdue":
        return Q(state__in=RUNNING_STATES, due_date__lt=today)
    if tab == "correction":
        return Q(state=State.CORRECTION_REQUESTED)
    if tab == "suspended":
        return Q(state=State.SUSPENDED)
    if tab == "closed":
        # Every closed case has closed_at; saying so lets the index skip the open ones' NULLs.
        return Q(state__in=CLOSED_STATES, closed_at__isnull=False)
    return ~Q(state=State.DRAFT)


def _applicant_q(text: str) -> Q:
    name = text.strip()
    text = name.upper()
    if len(text) == 44 and text[31:].isdigit():
        return Q(number=text)
    if len(text) == 18 and text[:17].isdigit():
        return Q(applicant_person__id_number=text)
    if len(text) == 18:
        return Q(applicant_enterprise__uscc=text)
    q = Q(applicant_name__startswith=name)
    if connection.vendor == "sqlite" and name.lower() == name.upper():
        # SQLite's LIKE never uses an index; for a name without letter case the same prefix as a
        # range of its BINARY order does (PostgreSQL uses its pattern index for the LIKE).
        q &= Q(applicant_name__gte=name, applicant_name__lt=name + "\U0010ffff")
    return q


def staff_queue(user: User, filters: QueueFilters) -> QuerySet[Case]:
    """The cases `user` may handle, filtered, most urgent first (no due date last)."""
    today = clock.today()
    qs = access.visible_cases(user).filter(_tab_q(filters.tab if filters.tab in TABS else "todo", today))
    if filters.state and filters.state in STATE_LABELS:
        qs = qs.filter(state=filters.state)
    if filters.entry:
        qs = qs.filter(entry__code=filters.entry.strip())
    if filters.channel in Channel.values:
        qs = qs.filter(channel=filters.channel)
    if filters.applicant.strip():
        qs = qs.filter(_applicant_q(filters.applicant))
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    order = ["-closed_at", "-id"] if filters.tab == "closed" else [F("due_date").asc(nulls_last=True), "id"]
    return qs.select_related("department").order_by(*order)


def tab_counts(user: User) -> dict[str, int]:
    """Counts for the open tabs in one indexed query over the open cases only (counting a column
    of the `case_open_counts` index, so the database reads the index alone)."""
    today = clock.today()
    running = Q(state__in=RUNNING_STATES)
    counts = (
        access.visible_cases(user)
        .filter(state__in=OPEN_STATES)
        .aggregate(
            todo=Count("state", filter=running),
            due_soon=Count("state", filter=running & Q(warn_from__lte=today, due_date__gte=today)),
            overdue=Count("state", filter=running & Q(due_date__lt=today)),
            correction=Count("state", filter=Q(state=State.CORRECTION_REQUESTED)),
            suspended=Count("state", filter=Q(state=State.SUSPENDED)),
        )
    )
    return {k: v or 0 for k, v in counts.items()}


def applicant_cases(user: User, *, include_drafts: bool = True) -> QuerySet[Case]:
    """An applicant's own cases (and their enterprises'), newest first."""
    q = access.applicant_filter(user)
    if q is None:
        return Case.objects.none()
    qs = Case.objects.filter(q)
    if not include_drafts:
        qs = qs.exclude(state=State.DRAFT)
    return qs.select_related("department").order_by("-created_at", "-id")


def timeline(case: Case) -> list[CaseEvent]:
    """The trace, as the applicant and staff see it (role and department, never a person's data)."""
    return list(case.events.select_related("actor_department").order_by("seq"))


def urgency(case: Case, today: dt.date | None = None) -> str:
    """'overdue', 'warning', 'normal', or '' when no deadline runs (for colours and labels)."""
    today = today or clock.today()
    if case.due_date is None:
        return ""
    if case.due_date < today:
        return "overdue"
    if case.warn_from is not None and case.warn_from <= today:
        return "warning"
    return "normal"
